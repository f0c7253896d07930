"""Hash commands (HSET ... HSCAN).

A hash is a ``dict`` of field bytes → value bytes; insertion order is kept, which is also the
order Redis's listpack encoding (every hash up to hash-max-listpack-entries fields of at most
hash-max-listpack-value bytes) gives HGETALL, HKEYS and HSCAN. An emptied hash is deleted.

HINCRBYFLOAT computes in x87 80-bit long double like Redis (``long double`` on x86-64) and
prints with ``%.17Lf`` minus trailing zeros: ``0.1 + 0.2`` is ``0.3`` and ``100000.1`` is
``100000.10000000000000142``, exactly as Redis answers. Python has no long double, so
``LongDouble`` below rounds exact rationals to a 64-bit significand (round half to even, the
subnormal range and overflow to infinity included). It is propagated as HSET with the result.
"""

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ..config import NOTIFY_GENERIC, NOTIFY_HASH
from ..engine.keyspace import scan_dict
from ..protocol import resp
from ..protocol.errors import (
    NOT_FLOAT_ERR,
    OVERFLOW_ERR,
    SYNTAX_ERR,
    WRONGTYPE_ERR,
    CommandError,
    wrong_arity,
)
from .lists import parse_int
from .notify import notify
from .registry import command, key_spec
from .sets import parse_cursor, parse_scan_options, scan_reply

HASH_NOT_INTEGER_ERR = b"ERR hash value is not an integer"
HASH_NOT_FLOAT_ERR = b"ERR hash value is not a float"
NAN_OR_INFINITY_ERR = b"ERR value is NaN or Infinity"
INCR_NAN_ERR = b"ERR increment would produce NaN or Infinity"
RANGE_ERR = b"ERR value is out of range"
LONG_RANGE_ERR = b"ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"

_LLONG_MAX = (1 << 63) - 1
_LLONG_MIN = -(1 << 63)


# ----- long double arithmetic (HINCRBYFLOAT)
class LongDouble:
    """x87 extended precision on exact rationals: 64-bit significand, exponents down to the
    smallest subnormal 2**-16445, overflow past (2**64-1) * 2**16320."""

    MIN_QUANTUM = -16445
    MAX_EXP = 16383

    @staticmethod
    def _round_div(a: int, b: int) -> int:
        q, r = divmod(a, b)
        if 2 * r > b or (2 * r == b and q & 1):
            q += 1
        return q

    @classmethod
    def round(cls, value: Fraction) -> Fraction | None:
        """The nearest long double to ``value``; None when it overflows to infinity."""
        if not value:
            return value
        n, d = abs(value.numerator), value.denominator
        e = n.bit_length() - d.bit_length()
        if (n >= d << e) if e >= 0 else (n << -e >= d):
            k = e
        else:
            k = e - 1
        quantum = max(k - 63, cls.MIN_QUANTUM)
        if quantum >= 0:
            m = cls._round_div(n, d << quantum)
        else:
            m = cls._round_div(n << -quantum, d)
        if m.bit_length() + quantum > cls.MAX_EXP + 1:
            return None
        result = Fraction(m << quantum) if quantum >= 0 else Fraction(m, 1 << -quantum)
        return -result if value < 0 else result

    @classmethod
    def parse(cls, text: bytes) -> Fraction | float | None:
        """``string2ld``: a long double, ±inf as a float, None if strtold refuses it, or it is NaN,
        or it underflows to zero."""
        if not text or len(text) >= 5120 or text[:1].isspace() or text[-1:].isspace() or b"_" in text:
            return None
        try:
            s = text.decode("ascii")
        except UnicodeDecodeError:
            return None
        body = s.lstrip("+-")
        if len(s) - len(body) > 1:
            return None
        low = body.lower()
        if low in ("inf", "infinity"):
            return float("-inf") if s[0] == "-" else float("inf")
        if low[:2] == "0x":
            try:
                exact = Fraction(float.fromhex(s))
            except (ValueError, OverflowError):
                return None
        else:
            if not body or not (body[0].isdigit() or body[0] == ".") or not (low[-1].isdigit() or low[-1] == "."):
                return None
            try:
                exact = Fraction(Decimal(s))
            except (InvalidOperation, ValueError):
                return None
        rounded = cls.round(exact)
        if rounded is None:
            return None                      # ERANGE with HUGE_VAL
        if exact and not rounded:
            return None                      # ERANGE with a zero result
        return rounded

    @staticmethod
    def format(value: Fraction) -> bytes:
        """``%.17Lf`` with the trailing zeros (and a bare '.') removed; "-0" becomes "0"."""
        scaled = LongDouble._round_div(abs(value.numerator) * 10 ** 17, value.denominator)
        digits = _digits(scaled).rjust(18, "0")
        whole, frac = digits[:-17], digits[-17:].rstrip("0")
        text = whole + "." + frac if frac else whole
        if value < 0 and text != "0":
            text = "-" + text
        return text.encode()


def _digits(n: int) -> str:
    """``str(n)`` for any size (Python caps int→str at 4300 digits; long doubles reach 4933)."""
    if n < 10 ** 4000:
        return str(n)
    high, low = divmod(n, 10 ** 4000)
    return _digits(high) + str(low).rjust(4000, "0")


# ----- helpers
def _get_hash(db, key: bytes) -> dict | None:
    value = db.lookup(key)
    if value is None or type(value) is dict:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


def _ks(flags: str) -> tuple:
    return (key_spec(flags),)


def _hash_for_write(db, key: bytes) -> tuple[dict, bool]:
    """The hash at ``key``, or a new empty one not yet stored (the caller stores it once a
    field is set, so a failed command leaves no empty hash behind)."""
    h = _get_hash(db, key)
    if h is None:
        return {}, True
    return h, False


def _store(db, key: bytes, h: dict, new: bool, changes: int = 1) -> None:
    if new:
        db.add(key, h)
        if changes > 1:
            db.changed(key, changes - 1)
    else:
        db.changed(key, changes)


# ----- writes
def _hset(client, argv: list[bytes]) -> int:
    if len(argv) % 2:
        raise CommandError(wrong_arity(argv[0]))
    db = client.db
    key = argv[1]
    # the helpers (_hash_for_write, _store) inlined: HSET is a hot path
    h = db.lookup(key)
    new = h is None
    if new:
        h = {}
    elif type(h) is not dict:
        raise CommandError(WRONGTYPE_ERR)
    before = len(h)
    if len(argv) == 4:
        h[argv[2]] = argv[3]
    else:
        for i in range(2, len(argv), 2):
            h[argv[i]] = argv[i + 1]
    if new:
        db.add(key, h)          # stored once a field is set: a failed command leaves no empty hash
    else:
        db.changed(key)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_HASH, b"hset", key, db.id)
    return len(h) - before


@command("hset", -4, "write denyoom fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Set the string value of a hash field",
         complexity="O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is "
                    "called with multiple field/value pairs.", key_specs=_ks("RW update"))
def hset(client, argv: list[bytes]) -> bytes:
    return resp.integer(_hset(client, argv))


@command("hmset", -4, "write denyoom fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Set multiple hash fields to multiple values",
         complexity="O(N) where N is the number of fields being set.", key_specs=_ks("RW update"))
def hmset(client, argv: list[bytes]) -> bytes:
    _hset(client, argv)
    return resp.OK


@command("hsetnx", 4, "write denyoom fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Set the value of a hash field, only if the field does not exist", complexity="O(1)",
         key_specs=_ks("RW insert"))
def hsetnx(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    h, new = _hash_for_write(db, key)
    if argv[2] in h:
        return resp.ZERO
    h[argv[2]] = argv[3]
    _store(db, key, h, new)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_HASH, b"hset", key, db.id)
    return resp.ONE


@command("hdel", -3, "write fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Delete one or more hash fields",
         complexity="O(N) where N is the number of fields to be removed.", key_specs=_ks("RW delete"))
def hdel(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    h = _get_hash(db, key)
    if h is None:
        return resp.ZERO
    deleted = 0
    for field in argv[2:]:
        if h.pop(field, None) is not None:
            deleted += 1
            if not h:
                break
    if deleted:
        db.changed(key, deleted)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_HASH, b"hdel", key, db.id)
        if not h:
            db.delete(key)
            if client.node.notify_flags:
                notify(client.node, NOTIFY_GENERIC, b"del", key, db.id)
    return resp.integer(deleted)


@command("hincrby", 4, "write denyoom fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Increment the integer value of a hash field by the given number", complexity="O(1)",
         key_specs=_ks("RW access update"))
def hincrby(client, argv: list[bytes]) -> bytes:
    incr = parse_int(argv[3])
    db = client.db
    key = argv[1]
    h, new = _hash_for_write(db, key)
    field = argv[2]
    old = h.get(field)
    if old is None:
        value = 0
    else:
        value = parse_int(old, HASH_NOT_INTEGER_ERR)
    value += incr
    if not _LLONG_MIN <= value <= _LLONG_MAX:
        raise CommandError(OVERFLOW_ERR)
    h[field] = b"%d" % value
    _store(db, key, h, new)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_HASH, b"hincrby", key, db.id)
    return resp.integer(value)


@command("hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, group="hash", categories="@hash", since="2.6.0",
         summary="Increment the float value of a hash field by the given amount", complexity="O(1)",
         key_specs=_ks("RW access update"))
def hincrbyfloat(client, argv: list[bytes]) -> bytes:
    incr = LongDouble.parse(argv[3])
    if incr is None:
        raise CommandError(NOT_FLOAT_ERR)
    if type(incr) is float:
        raise CommandError(NAN_OR_INFINITY_ERR)
    db = client.db
    key = argv[1]
    h, new = _hash_for_write(db, key)
    field = argv[2]
    old = h.get(field)
    if old is None:
        current: Fraction | float = Fraction(0)
    else:
        parsed = LongDouble.parse(old)
        if parsed is None:
            raise CommandError(HASH_NOT_FLOAT_ERR)
        current = parsed
    if type(current) is float:
        raise CommandError(INCR_NAN_ERR)
    total = LongDouble.round(current + incr)  # type: ignore[operator]
    if total is None:
        raise CommandError(INCR_NAN_ERR)
    text = LongDouble.format(total)
    h[field] = text
    _store(db, key, h, new)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_HASH, b"hincrbyfloat", key, db.id)
    client.propagate = [[b"HSET", key, field, text]]
    return resp.bulk(text)


# ----- reads
@command("hget", 3, "readonly fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Get the value of a hash field", complexity="O(1)", key_specs=_ks("RO access"))
def hget(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    value = h.get(argv[2]) if h is not None else None
    if value is None:
        return resp.NULL3 if client.resp == 3 else resp.NULL_BULK
    return resp.bulk(value)


@command("hmget", -3, "readonly fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Get the values of all the given hash fields",
         complexity="O(N) where N is the number of fields being requested.", key_specs=_ks("RO access"))
def hmget(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    if h is None:
        return resp.bulk_array([None] * (len(argv) - 2), client.resp)
    get = h.get
    return resp.bulk_array([get(f) for f in argv[2:]], client.resp)


@command("hgetall", 2, "readonly", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         tips="nondeterministic_output_order", summary="Get all the fields and values in a hash",
         complexity="O(N) where N is the size of the hash.", key_specs=_ks("RO access"))
def hgetall(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    r = client.resp
    if not h:
        return b"%0\r\n" if r == 3 else resp.EMPTY_ARRAY
    bulk = resp.bulk
    return resp.map_([(bulk(f), bulk(v)) for f, v in h.items()], r)


@command("hkeys", 2, "readonly", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         tips="nondeterministic_output_order", summary="Get all the fields in a hash",
         complexity="O(N) where N is the size of the hash.", key_specs=_ks("RO access"))
def hkeys(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    return resp.bulk_array(list(h)) if h else resp.EMPTY_ARRAY


@command("hvals", 2, "readonly", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         tips="nondeterministic_output_order", summary="Get all the values in a hash",
         complexity="O(N) where N is the size of the hash.", key_specs=_ks("RO access"))
def hvals(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    return resp.bulk_array(list(h.values())) if h else resp.EMPTY_ARRAY


@command("hexists", 3, "readonly fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Determine if a hash field exists", complexity="O(1)", key_specs=_ks("RO"))
def hexists(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    return resp.ONE if h is not None and argv[2] in h else resp.ZERO


@command("hlen", 2, "readonly fast", 1, 1, 1, group="hash", categories="@hash", since="2.0.0",
         summary="Get the number of fields in a hash", complexity="O(1)", key_specs=_ks("RO"))
def hlen(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    return resp.integer(len(h)) if h is not None else resp.ZERO


@command("hstrlen", 3, "readonly fast", 1, 1, 1, group="hash", categories="@hash", since="3.2.0",
         summary="Get the length of the value of a hash field", complexity="O(1)", key_specs=_ks("RO"))
def hstrlen(client, argv: list[bytes]) -> bytes:
    h = _get_hash(client.db, argv[1])
    value = h.get(argv[2]) if h is not None else None
    return resp.integer(len(value)) if value is not None else resp.ZERO


@command("hrandfield", -2, "readonly", 1, 1, 1, group="hash", categories="@hash", since="6.2.0",
         tips="nondeterministic_output", summary="Get one or multiple random fields from a hash",
         complexity="O(N) where N is the number of fields returned", key_specs=_ks("RO access"))
def hrandfield(client, argv: list[bytes]) -> bytes:
    r = client.resp
    rng = client.node.rng
    if len(argv) == 2:
        h = _get_hash(client.db, argv[1])
        if not h:
            return resp.null(r)
        return resp.bulk(_random_fields(h, rng, 1)[0])
    count = parse_int(argv[2])
    if count == _LLONG_MIN:
        raise CommandError(LONG_RANGE_ERR)
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withvalues"):
        raise CommandError(SYNTAX_ERR)
    withvalues = len(argv) == 4
    if withvalues and not -(_LLONG_MAX // 2) <= count <= _LLONG_MAX // 2:
        raise CommandError(RANGE_ERR)
    h = _get_hash(client.db, argv[1])
    if not h or count == 0:
        return resp.EMPTY_ARRAY
    if count < 0:
        fields = _random_fields(h, rng, -count)
    elif count >= len(h):
        fields = list(h)
    else:
        fields = rng.sample(list(h), count)
    bulk = resp.bulk
    if not withvalues:
        return resp.bulk_array(fields)
    if r == 3:
        return resp.array([b"*2\r\n" + bulk(f) + bulk(h[f]) for f in fields])
    return b"*%d\r\n" % (2 * len(fields)) + b"".join(bulk(f) + bulk(h[f]) for f in fields)


def _random_fields(h: dict, rng, count: int) -> list[bytes]:
    """``count`` fields drawn independently (repeats allowed)."""
    fields = list(h)
    return rng.choices(fields, k=count)


@command("hscan", -3, "readonly", 1, 1, 1, group="hash", categories="@hash", since="2.8.0",
         tips="nondeterministic_output", summary="Incrementally iterate hash fields and associated values",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                    "cursor to return back to 0. N is the number of elements inside the collection..",
         key_specs=_ks("RO access"))
def hscan(client, argv: list[bytes]) -> bytes:
    cursor = parse_cursor(argv[2])
    db = client.db
    h = _get_hash(db, argv[1])
    if h is None:
        return b"*2\r\n$1\r\n0\r\n*0\r\n"
    count, match = parse_scan_options(argv, 3)
    if cursor == 0 and _is_listpack(client, h):
        # Redis returns a listpack-encoded hash whole, in order, whatever COUNT says
        next_cursor, fields = 0, list(h)
    else:
        next_cursor, fields = scan_dict(h, db, cursor, count)
    if match is not None:
        fields = [f for f in fields if match(f)]
    items: list[bytes] = []
    for f in fields:
        items.append(f)
        items.append(h[f])
    return scan_reply(next_cursor, items)


def _is_listpack(client, h: dict) -> bool:
    config = client.node.config
    if len(h) > int(config["hash-max-listpack-entries"]):  # type: ignore[arg-type]
        return False
    limit = int(config["hash-max-listpack-value"])  # type: ignore[arg-type]
    return all(len(f) <= limit and len(v) <= limit for f, v in h.items())
