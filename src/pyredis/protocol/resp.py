"""Reply encoders for RESP2 and RESP3.

Handlers build replies only through these helpers, so the wire format lives in one place.
Every function returns the encoded bytes of one reply; aggregates take already-encoded
elements, which keeps nesting cheap (no intermediate objects besides the byte strings).
Where RESP3 has a richer type (map, set, double, null, push), the function takes the client's
protocol version and falls back to RESP2's shape exactly as Redis does.
"""

import math
from operator import itemgetter

OK = b"+OK\r\n"
QUEUED = b"+QUEUED\r\n"
PONG = b"+PONG\r\n"
NULL_BULK = b"$-1\r\n"
NULL_ARRAY = b"*-1\r\n"
NULL3 = b"_\r\n"
EMPTY_ARRAY = b"*0\r\n"
EMPTY_BULK = b"$0\r\n\r\n"
ZERO = b":0\r\n"
ONE = b":1\r\n"

_SMALL_INTS = [b":%d\r\n" % i for i in range(-1, 1024)]


def simple(text: bytes) -> bytes:
    return b"+" + text + b"\r\n"


def error(message: bytes) -> bytes:
    """An error reply; ``message`` starts with its code (``ERR``, ``WRONGTYPE``, ...)."""
    return b"-" + message.replace(b"\r", b" ").replace(b"\n", b" ") + b"\r\n"


def integer(n: int) -> bytes:
    if -1 <= n < 1023:
        return _SMALL_INTS[n + 1]
    return b":%d\r\n" % n


def bulk(value: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(value), value)


def bulk_or_null(value: bytes | None, resp: int = 2) -> bytes:
    if value is None:
        return NULL3 if resp == 3 else NULL_BULK
    return b"$%d\r\n%b\r\n" % (len(value), value)


def null(resp: int) -> bytes:
    """The null bulk string (RESP2 ``$-1``) or RESP3 ``_``."""
    return NULL3 if resp == 3 else NULL_BULK


def null_array(resp: int) -> bytes:
    return NULL3 if resp == 3 else NULL_ARRAY


def array(items: list[bytes]) -> bytes:
    """An array of already-encoded replies."""
    return b"*%d\r\n%b" % (len(items), b"".join(items))


_HEADERS_MAX = 1024
_BULK_HEADERS = [b"$%d\r\n" % i for i in range(_HEADERS_MAX)]    # "$<len>\r\n" for short values
# the same headers led by the CRLF that ends the previous part: two join parts per element
_CRLF_BULK_HEADERS = [b"\r\n" + header for header in _BULK_HEADERS]


def bulk_array(values: list[bytes | None] | tuple, resp: int = 2) -> bytes:
    """An array of bulk strings (``None`` elements become nulls)."""
    n = len(values)
    if n > 16:
        # long arrays (LRANGE, SMEMBERS...): every header found by one C-level itemgetter call
        # and put in place by slice assignment, one join of "*<n>", then "\r\n$<len>\r\n" and
        # the value for each element, then the last CRLF (below ~20 elements the set-up costs
        # more than the loop saves; a join part costs ~75 instructions, so two per element
        # rather than three)
        try:
            headers = itemgetter(*map(len, values))(_CRLF_BULK_HEADERS)
        except (TypeError, IndexError):  # a None element (MGET/HMGET of a missing key), a long value
            headers = None
        if headers is not None:
            parts = [b"\r\n"] * (2 * n + 2)
            parts[0] = b"*%d" % n
            parts[1:-1:2] = headers
            parts[2:-1:2] = values
            return b"".join(parts)
    null_ = NULL3 if resp == 3 else NULL_BULK
    headers = _BULK_HEADERS
    parts = [b"*%d\r\n" % n]
    append = parts.append
    extend = parts.extend
    for v in values:
        if v is None:
            append(null_)
        else:
            size = len(v)
            extend((headers[size] if size < _HEADERS_MAX else b"$%d\r\n" % size, v, b"\r\n"))
    return b"".join(parts)


def map_(pairs: list[tuple[bytes, bytes]], resp: int) -> bytes:
    """A map of already-encoded keys and values: RESP3 ``%``, RESP2 a flat array."""
    head = b"%%%d\r\n" % len(pairs) if resp == 3 else b"*%d\r\n" % (2 * len(pairs))
    return head + b"".join(k + v for k, v in pairs)


def set_(items: list[bytes], resp: int) -> bytes:
    """A set of already-encoded elements: RESP3 ``~``, RESP2 an array."""
    return (b"~%d\r\n" if resp == 3 else b"*%d\r\n") % len(items) + b"".join(items)


def push(items: list[bytes], resp: int) -> bytes:
    """An out-of-band push (pub/sub messages): RESP3 ``>``, RESP2 an array."""
    return (b">%d\r\n" if resp == 3 else b"*%d\r\n") % len(items) + b"".join(items)


def format_double(value: float) -> bytes:
    """Redis's human double format (``%.17g`` trimmed): ``inf``, ``-inf``, ``3.5``, ``1e+20``."""
    if math.isinf(value):
        return b"inf" if value > 0 else b"-inf"
    # %.17g prints integral values below 1e17 as integers and keeps the sign of -0, as Redis 7.0 does
    return b"%.17g" % value


def double(value: float, resp: int) -> bytes:
    """A double: RESP3 ``,``, RESP2 a bulk string in Redis's ``%.17g`` format."""
    text = format_double(value)
    if resp == 3:
        return b"," + text + b"\r\n"
    return b"$%d\r\n%b\r\n" % (len(text), text)


def verbatim(text: bytes, resp: int, fmt: bytes = b"txt") -> bytes:
    """A verbatim string (INFO, CLIENT LIST under RESP3), a bulk string under RESP2."""
    if resp == 3:
        return b"=%d\r\n%b:%b\r\n" % (len(text) + 4, fmt, text)
    return b"$%d\r\n%b\r\n" % (len(text), text)


def boolean(value: bool, resp: int) -> bytes:
    if resp == 3:
        return b"#t\r\n" if value else b"#f\r\n"
    return ONE if value else ZERO


def encode_value(value: object, resp: int = 2) -> bytes:
    """Encode a Python value the generic way: bytes/str → bulk, int → integer, list/tuple → array,
    dict → map, None → null. For tables of info that are not on the hot path (COMMAND, CONFIG, ...)."""
    if isinstance(value, bytes):
        return bulk(value)
    if isinstance(value, str):
        return bulk(value.encode())
    if isinstance(value, bool):
        return integer(int(value))
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, float):
        return double(value, resp)
    if value is None:
        return null(resp)
    if isinstance(value, dict):
        return map_([(encode_value(k, resp), encode_value(v, resp)) for k, v in value.items()], resp)
    if isinstance(value, (set, frozenset)):
        return set_([encode_value(v, resp) for v in value], resp)
    return array([encode_value(v, resp) for v in value])


def command(argv: list[bytes]) -> bytes:
    """A request as a client (or a master, to its replicas) sends it: an array of bulk strings."""
    # every write a master propagates is encoded here: for the usual sizes, one join of
    # precomputed "$<len>\r\n" headers (cheaper than formatting the lengths)
    n = len(argv)
    if n == 3:
        a, b, c = argv
        la, lb, lc = len(a), len(b), len(c)
        if la < _HEADERS_MAX and lb < _HEADERS_MAX and lc < _HEADERS_MAX:
            return b"".join((b"*3\r\n", _BULK_HEADERS[la], a, b"\r\n", _BULK_HEADERS[lb], b, b"\r\n",
                             _BULK_HEADERS[lc], c, b"\r\n"))
    elif n == 2:
        a, b = argv
        la, lb = len(a), len(b)
        if la < _HEADERS_MAX and lb < _HEADERS_MAX:
            return b"".join((b"*2\r\n", _BULK_HEADERS[la], a, b"\r\n", _BULK_HEADERS[lb], b, b"\r\n"))
    return bulk_array(argv)                 # MSET, HSET f1 v1 f2 v2...
