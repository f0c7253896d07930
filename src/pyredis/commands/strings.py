"""The string family: GET/SET and their variants, counters, ranges, LCS and the bitmap commands.

A string value is ``bytes``; every write stores a new ``bytes`` object (SETRANGE, SETBIT and
BITFIELD build the new value in a ``bytearray`` and store it once). What this module keeps
exactly as Redis 7.0 does:

- argument order of validation, since it decides which error a wrong request gets (SET parses
  options, then the expire time, then GET's type check, then NX/XX; INCRBY parses the increment
  before it looks at the key; BITCOUNT looks at the key before it parses the range...);
- number syntax: integers are Redis's strict ``string2ll`` (no ``+``, no leading zeros or
  spaces, 64-bit range) and INCRBYFLOAT works on x87 80-bit long doubles, emulated exactly with
  ``Fraction`` (64-bit significand, round half to even) and printed as ``%.17Lf`` with trailing
  zeros trimmed, so ``0.1`` added three times gives ``0.3`` like Redis, not ``0.30000000000000004``;
- propagation in the effect forms of 7.0 (``client.propagate``): SET/SETEX/PSETEX with an expire
  become ``SET key value PXAT <abs-ms>``, SET ... GET loses its GET, GETSET becomes SET, GETEX
  becomes PEXPIREAT/PERSIST/DEL, GETDEL becomes DEL, INCRBYFLOAT becomes ``SET key value KEEPTTL``;
  a SETBIT or BITFIELD that changes no bit (and grows nothing) is not a write at all;
- keyspace events with Redis's names, fired after the change.

GET and the plain three-argument SET are the benchmarked hot path: no option parsing, no
allocation besides the reply.
"""

import re
from fractions import Fraction

from ..config import NOTIFY_GENERIC, NOTIFY_STRING
from ..protocol import resp
from ..protocol.errors import (
    BIT_OFFSET_ERR,
    BIT_VALUE_ERR,
    INCR_FLOAT_NAN_ERR,
    INVALID_EXPIRE_ERR_FMT,
    NOT_FLOAT_ERR,
    NOT_INTEGER_ERR,
    OVERFLOW_ERR,
    STRING_TOO_LONG_ERR,
    SYNTAX_ERR,
    WRONGTYPE_ERR,
    CommandError,
    wrong_arity,
)
from ..protocol.parser import string2ll
from .notify import notify
from .registry import command

DECREMENT_OVERFLOW_ERR = b"ERR decrement would overflow"
OFFSET_RANGE_ERR = b"ERR offset is out of range"
BIT_ARG_ERR = b"ERR The bit argument must be 1 or 0."
BITOP_NOT_ERR = b"ERR BITOP NOT must be called with a single source key."
BITFIELD_TYPE_ERR = (b"ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
                     b"supported but i64 is.")
BITFIELD_OVERFLOW_ERR = b"ERR Invalid OVERFLOW type specified"
BITFIELD_RO_ERR = b"ERR BITFIELD_RO only supports the GET subcommand"
LCS_TYPE_ERR = b"ERR The specified keys must contain string values"
LCS_LEN_IDX_ERR = b"ERR If you want both the length and indexes, please just use IDX."

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)


# ----------------------------------------------------------------------------- small helpers

def get_string(db, key: bytes) -> bytes | None:
    """The string at ``key`` or None; WRONGTYPE for another type."""
    value = db.lookup(key)
    if value is None or type(value) is bytes:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


parse_ll = string2ll   # Redis's string2ll: a canonical signed 64-bit decimal, else None


def ll_arg(s: bytes, err: bytes = NOT_INTEGER_ERR) -> int:
    """An integer argument, or the error Redis gives for it."""
    n = parse_ll(s)
    if n is None:
        raise CommandError(err)
    return n


def _read_string(client, key: bytes) -> bytes | None:
    value = client.db.lookup_read(key)
    if value is None or type(value) is bytes:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


def _event(client, kind: int, event: bytes, key: bytes) -> None:
    if client.node.notify_flags:
        notify(client.node, kind, event, key, client.db.id)


def _check_length(client, size: int) -> None:
    """checkStringLength: a string may not grow past proto-max-bulk-len (our master is trusted)."""
    if size > client.node.proto_max_bulk_len and not client.is_master:
        raise CommandError(STRING_TOO_LONG_ERR)


# ----------------------------------------------------------------------------- long double

# x87 extended precision: 64-bit significand, exponents -16382..16383, subnormals below.
_LD_MIN_EXP = -16382
_LD_OVERFLOW = Fraction(1 << 16384)
_LD_TEN17 = 10 ** 17
_DEC_RE = re.compile(rb"[+-]?(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?")
_HEX_RE = re.compile(rb"[+-]?0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?")
_INF_RE = re.compile(rb"[+-]?inf(?:inity)?", re.IGNORECASE)
_MAX_LD_CHARS = 5 * 1024


def _digits_to_int(digits: bytes) -> int:
    """int() of a decimal string of any length (Python caps int/str conversions at 4300 digits)."""
    if len(digits) <= 4000:
        return int(digits)
    cut = len(digits) - 2000
    return _digits_to_int(digits[:cut]) * 10 ** 2000 + int(digits[cut:])


def _int_to_digits(n: int) -> bytes:
    """The decimal digits of a non-negative int of any size."""
    if n < 10 ** 4000:
        return b"%d" % n
    high, low = divmod(n, 10 ** 2000)
    return _int_to_digits(high) + b"%02000d" % low


def round_long_double(x: Fraction) -> Fraction | None:
    """``x`` rounded to the nearest long double (ties to even); None when it overflows."""
    if not x:
        return x
    num, den = abs(x.numerator), x.denominator
    e = num.bit_length() - den.bit_length()
    if (num << max(0, -e)) < (den << max(0, e)):
        e -= 1
    shift = max(e, _LD_MIN_EXP) - 63
    if shift >= 0:
        div = den << shift
        q, r = divmod(num, div)
    else:
        div = den
        q, r = divmod(num << -shift, den)
    if 2 * r > div or (2 * r == div and q & 1):
        q += 1
    result = Fraction(q << shift) if shift >= 0 else Fraction(q, 1 << -shift)
    if result >= _LD_OVERFLOW:
        return None
    return result if x > 0 else -result


def _exponent(exp: bytes | None) -> int:
    """An exponent's value; absurdly long ones are clamped (they over- or underflow anyway)."""
    if not exp:
        return 0
    if len(exp) > 12:
        digits = exp.lstrip(b"+-").lstrip(b"0")
        if len(digits) > 10:
            return -(10 ** 10) if exp[:1] == b"-" else 10 ** 10
    return int(exp)


def parse_long_double(s: bytes) -> Fraction | float | None:
    """Redis's ``string2ld`` (strtold, no leading space, no trailing bytes, no NaN, no range error):
    an exact long double as a Fraction, ``±inf`` as a float, or None when invalid."""
    if not s or len(s) >= _MAX_LD_CHARS:
        return None
    m = _DEC_RE.fullmatch(s)
    if m is not None:
        ipart, fpart, only_frac, exp = m.groups()
        digits = (ipart + fpart) if only_frac is None else only_frac
        mant = _digits_to_int(digits)
        if not mant:
            return Fraction(0)
        scale = _exponent(exp) - (len(fpart) if only_frac is None else len(only_frac))
        magnitude = scale + len(digits.lstrip(b"0"))     # mant * 10**scale < 10**magnitude
        if magnitude > 4940 or magnitude < -4960:
            return None                       # HUGE_VAL or zero with ERANGE
        exact = Fraction(mant * 10 ** scale) if scale >= 0 else Fraction(mant, 10 ** -scale)
    else:
        m = _HEX_RE.fullmatch(s)
        if m is not None:
            ipart, fpart, only_frac, exp = m.groups()
            digits = (ipart + fpart) if only_frac is None else only_frac
            mant = int(digits, 16)
            if not mant:
                return Fraction(0)
            scale = _exponent(exp) - 4 * (len(fpart) if only_frac is None else len(only_frac))
            magnitude = scale + mant.bit_length()
            if magnitude > 16400 or magnitude < -16500:
                return None
            exact = Fraction(mant << scale) if scale >= 0 else Fraction(mant, 1 << -scale)
        elif _INF_RE.fullmatch(s):
            return float("-inf") if s[:1] == b"-" else float("inf")
        else:
            return None
    value = round_long_double(exact)
    if not value:
        return None                           # overflow, or underflow to zero
    return -value if s[:1] == b"-" else value


def format_long_double(x: Fraction) -> bytes:
    """``%.17Lf`` with trailing zeros (and a bare point) trimmed, ``-0`` printed as ``0``."""
    n = round(abs(x) * _LD_TEN17)
    digits = _int_to_digits(n).rjust(18, b"0")
    whole, frac = digits[:-17], digits[-17:].rstrip(b"0")
    text = whole + b"." + frac if frac else whole
    if x < 0 and n:
        return b"-" + text
    return text


# ----------------------------------------------------------------------------- GET / SET family

@command("get", 2, "readonly fast", 1, 1, 1, group="string", categories="@string", summary="Get the value of a key",
         complexity="O(1)")
def get(client, argv: list[bytes]) -> bytes:
    value = client.db.lookup(argv[1])
    if value is None:
        return resp.NULL3 if client.resp == 3 else resp.NULL_BULK
    if type(value) is not bytes:
        raise CommandError(WRONGTYPE_ERR)
    return b"$%d\r\n%b\r\n" % (len(value), value)


# SET/GETEX option bits, as Redis's OBJ_* flags
_NX, _XX, _EX, _PX, _KEEPTTL, _GET, _EXAT, _PXAT, _PERSIST = 1, 2, 4, 8, 16, 32, 64, 128, 256
_ANY_EXPIRE = _EX | _PX | _EXAT | _PXAT


def _parse_extended(argv: list[bytes], start: int, is_set: bool) -> tuple[int, bytes | None]:
    """parseExtendedStringArgumentsOrReply: the option flags and the expire argument, or syntax error."""
    flags = 0
    expire = None
    n = len(argv)
    j = start
    while j < n:
        opt = argv[j].lower()
        has_next = j + 1 < n
        if opt == b"nx" and is_set and not flags & _XX:
            flags |= _NX
        elif opt == b"xx" and is_set and not flags & _NX:
            flags |= _XX
        elif opt == b"get" and is_set:
            flags |= _GET
        elif opt == b"keepttl" and is_set and not flags & (_PERSIST | _ANY_EXPIRE):
            flags |= _KEEPTTL
        elif opt == b"persist" and not is_set and not flags & (_ANY_EXPIRE | _KEEPTTL):
            flags |= _PERSIST
        elif opt == b"ex" and has_next and not flags & (_KEEPTTL | _PERSIST | _EXAT | _PX | _PXAT):
            flags |= _EX
            j += 1
            expire = argv[j]
        elif opt == b"px" and has_next and not flags & (_KEEPTTL | _PERSIST | _EX | _EXAT | _PXAT):
            flags |= _PX
            j += 1
            expire = argv[j]
        elif opt == b"exat" and has_next and not flags & (_KEEPTTL | _PERSIST | _EX | _PX | _PXAT):
            flags |= _EXAT
            j += 1
            expire = argv[j]
        elif opt == b"pxat" and has_next and not flags & (_KEEPTTL | _PERSIST | _EX | _EXAT | _PX):
            flags |= _PXAT
            j += 1
            expire = argv[j]
        else:
            raise CommandError(SYNTAX_ERR)
        j += 1
    return flags, expire


def _expire_at_ms(client, arg: bytes, relative: bool, seconds: bool, name: bytes) -> int:
    """getExpireMillisecondsOrReply: the absolute deadline in ms, or Redis's error for ``arg``."""
    ms = ll_arg(arg)
    if ms <= 0 or (seconds and ms > LLONG_MAX // 1000):
        raise CommandError(INVALID_EXPIRE_ERR_FMT % name)
    if seconds:
        ms *= 1000
    if relative:
        ms += client.db.keyspace.now_ms
    if ms > LLONG_MAX:
        raise CommandError(INVALID_EXPIRE_ERR_FMT % name)
    return ms


def _set_generic(client, flags: int, key: bytes, value: bytes, expire: bytes | None, name: bytes,
                 argv: list[bytes], ok_reply: bytes = resp.OK, abort_reply: bytes | None = None) -> bytes:
    """setGenericCommand: SET with options, SETNX, SETEX, PSETEX."""
    db = client.db
    when = 0
    if expire is not None:
        when = _expire_at_ms(client, expire, bool(flags & (_EX | _PX)), bool(flags & (_EX | _EXAT)), name)
    reply = None
    if flags & _GET:
        old = _read_string(client, key)
        reply = resp.bulk_or_null(old, client.resp)
        found = old is not None
    else:
        found = db.lookup(key) is not None
    if (flags & _NX and found) or (flags & _XX and not found):
        if reply is not None:
            return reply
        return abort_reply if abort_reply is not None else resp.null(client.resp)
    if expire is not None:
        db.set(key, value, keep_ttl=True)
        db.set_expire(key, when)
        client.propagate = [[b"SET", key, value, b"PXAT", b"%d" % when]]
    else:
        db.set(key, value, keep_ttl=bool(flags & _KEEPTTL))
        if flags & _GET:
            client.propagate = [argv[:3] + [a for a in argv[3:] if a.lower() != b"get"]]
    if client.node.notify_flags:
        notify(client.node, NOTIFY_STRING, b"set", key, db.id)
        if expire is not None:
            notify(client.node, NOTIFY_GENERIC, b"expire", key, db.id)
    return reply if reply is not None else ok_reply


@command("set", -3, "write denyoom", 1, 1, 1, group="string", categories="@string",
         summary="Set the string value of a key", complexity="O(1)")
def set_(client, argv: list[bytes]) -> bytes:
    if len(argv) == 3:
        client.db.set(argv[1], argv[2])
        if client.node.notify_flags:
            notify(client.node, NOTIFY_STRING, b"set", argv[1], client.db.id)
        return resp.OK
    flags, expire = _parse_extended(argv, 3, True)
    return _set_generic(client, flags, argv[1], argv[2], expire, b"set", argv)


@command("setnx", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Set the value of a key, only if the key does not exist", complexity="O(1)")
def setnx(client, argv: list[bytes]) -> bytes:
    return _set_generic(client, _NX, argv[1], argv[2], None, b"setnx", argv, resp.ONE, resp.ZERO)


@command("setex", 4, "write denyoom", 1, 1, 1, group="string", categories="@string",
         summary="Set the value and expiration of a key", since="2.0.0", complexity="O(1)")
def setex(client, argv: list[bytes]) -> bytes:
    return _set_generic(client, _EX, argv[1], argv[3], argv[2], b"setex", argv)


@command("psetex", 4, "write denyoom", 1, 1, 1, group="string", categories="@string",
         summary="Set the value and expiration in milliseconds of a key", since="2.6.0", complexity="O(1)")
def psetex(client, argv: list[bytes]) -> bytes:
    return _set_generic(client, _PX, argv[1], argv[3], argv[2], b"psetex", argv)


@command("getset", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Set the string value of a key and return its old value", complexity="O(1)")
def getset(client, argv: list[bytes]) -> bytes:
    old = _read_string(client, argv[1])
    client.db.set(argv[1], argv[2])
    client.propagate = [[b"SET", argv[1], argv[2]]]
    _event(client, NOTIFY_STRING, b"set", argv[1])
    return resp.bulk_or_null(old, client.resp)


@command("getex", -2, "write fast", 1, 1, 1, group="string", categories="@string",
         summary="Get the value of a key and optionally set its expiration", since="6.2.0", complexity="O(1)")
def getex(client, argv: list[bytes]) -> bytes:
    flags, expire = _parse_extended(argv, 2, False)
    key = argv[1]
    value = _read_string(client, key)
    if value is None:
        return resp.null(client.resp)
    when = 0
    if expire is not None:
        when = _expire_at_ms(client, expire, bool(flags & (_EX | _PX)), bool(flags & (_EX | _EXAT)), b"getex")
    reply = resp.bulk(value)
    db = client.db
    node = client.node
    if (flags & (_EXAT | _PXAT) and when <= db.keyspace.now_ms
            and not node.loading and not node.is_replica):
        db.delete(key)
        lazy = node.config["lazyfree-lazy-expire"]
        client.propagate = [[b"UNLINK" if lazy else b"DEL", key]]
        _event(client, NOTIFY_GENERIC, b"del", key)
    elif expire is not None:
        db.set_expire(key, when)
        client.propagate = [[b"PEXPIREAT", key, b"%d" % when]]
        _event(client, NOTIFY_GENERIC, b"expire", key)
    elif flags & _PERSIST and db.persist(key):
        client.propagate = [[b"PERSIST", key]]
        _event(client, NOTIFY_GENERIC, b"persist", key)
    return reply


@command("getdel", 2, "write fast", 1, 1, 1, group="string", categories="@string",
         summary="Get the value of a key and delete the key", since="6.2.0", complexity="O(1)")
def getdel(client, argv: list[bytes]) -> bytes:
    key = argv[1]
    value = _read_string(client, key)
    if value is None:
        return resp.null(client.resp)
    client.db.delete(key)
    lazy = client.node.config["lazyfree-lazy-user-del"]
    client.propagate = [[b"UNLINK" if lazy else b"DEL", key]]
    _event(client, NOTIFY_GENERIC, b"del", key)
    return resp.bulk(value)


@command("mget", -2, "readonly fast", 1, -1, 1, group="string", categories="@string",
         summary="Get the values of all the given keys", complexity="O(N) where N is the number of keys to retrieve.",
         tips="request_policy:multi_shard")
def mget(client, argv: list[bytes]) -> bytes:
    lookup = client.db.lookup
    values = []
    for key in argv[1:]:
        value = lookup(key)
        if value is not None and type(value) is not bytes:
            value = None
        values.append(value)
    return resp.bulk_array(values, client.resp)


def _mset_generic(client, argv: list[bytes], nx: bool) -> bytes:
    if len(argv) % 2 == 0:
        raise CommandError(wrong_arity(argv[0]))
    db = client.db
    if nx:
        lookup = db.lookup
        for j in range(1, len(argv), 2):
            if lookup(argv[j]) is not None:
                return resp.ZERO
    db.set_strings(argv)
    if client.node.notify_flags:
        for j in range(1, len(argv), 2):
            notify(client.node, NOTIFY_STRING, b"set", argv[j], db.id)
    return resp.ONE if nx else resp.OK


@command("mset", -3, "write denyoom", 1, -1, 2, group="string", categories="@string",
         summary="Set multiple keys to multiple values", since="1.0.1",
         complexity="O(N) where N is the number of keys to set.",
         tips="request_policy:multi_shard response_policy:all_succeeded")
def mset(client, argv: list[bytes]) -> bytes:
    return _mset_generic(client, argv, False)


@command("msetnx", -3, "write denyoom", 1, -1, 2, group="string", categories="@string",
         summary="Set multiple keys to multiple values, only if none of the keys exist", since="1.0.1",
         complexity="O(N) where N is the number of keys to set.",
         tips="request_policy:multi_shard response_policy:agg_min")
def msetnx(client, argv: list[bytes]) -> bytes:
    return _mset_generic(client, argv, True)


# ----------------------------------------------------------------------------- counters

def _incr_by(client, key: bytes, incr: int) -> bytes:
    db = client.db
    value = db.lookup(key)
    if value is None:
        reply = b":%d\r\n" % incr
        db.add(key, reply[1:-2])          # the reply holds the new value: format it once
    else:
        if type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        if value.isdigit() and len(value) < 19 and (value[0] != 48 or len(value) == 1):
            old = int(value)        # string2ll's fast case, inlined: INCR is a hot path
        else:
            old = parse_ll(value)  # type: ignore[arg-type]
            if old is None:
                raise CommandError(NOT_INTEGER_ERR)
        new = old + incr
        if new > LLONG_MAX or new < LLONG_MIN:
            raise CommandError(OVERFLOW_ERR)
        reply = b":%d\r\n" % new
        db.replace_string(key, value, reply[1:-2])  # type: ignore[arg-type]
    if client.node.notify_flags:
        notify(client.node, NOTIFY_STRING, b"incrby", key, db.id)
    return reply


@command("incr", 2, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Increment the integer value of a key by one", complexity="O(1)")
def incr(client, argv: list[bytes]) -> bytes:
    return _incr_by(client, argv[1], 1)


@command("decr", 2, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Decrement the integer value of a key by one", complexity="O(1)")
def decr(client, argv: list[bytes]) -> bytes:
    return _incr_by(client, argv[1], -1)


@command("incrby", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Increment the integer value of a key by the given amount", complexity="O(1)")
def incrby(client, argv: list[bytes]) -> bytes:
    return _incr_by(client, argv[1], ll_arg(argv[2]))


@command("decrby", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Decrement the integer value of a key by the given number", complexity="O(1)")
def decrby(client, argv: list[bytes]) -> bytes:
    amount = ll_arg(argv[2])
    if amount == LLONG_MIN:
        raise CommandError(DECREMENT_OVERFLOW_ERR)
    return _incr_by(client, argv[1], -amount)


@command("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Increment the float value of a key by the given amount", since="2.6.0", complexity="O(1)")
def incrbyfloat(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    value = db.lookup(key)
    if value is not None and type(value) is not bytes:
        raise CommandError(WRONGTYPE_ERR)
    current = Fraction(0) if value is None else parse_long_double(value)  # type: ignore[arg-type]
    if current is None:
        raise CommandError(NOT_FLOAT_ERR)
    increment = parse_long_double(argv[2])
    if increment is None:
        raise CommandError(NOT_FLOAT_ERR)
    if type(current) is float or type(increment) is float:
        raise CommandError(INCR_FLOAT_NAN_ERR)        # an infinity gives inf or NaN
    total = round_long_double(current + increment)  # type: ignore[operator]
    if total is None:
        raise CommandError(INCR_FLOAT_NAN_ERR)
    text = format_long_double(total)
    if value is None:
        db.add(key, text)
    else:
        db.set(key, text, keep_ttl=True)
    client.propagate = [[b"SET", key, text, b"KEEPTTL"]]
    _event(client, NOTIFY_STRING, b"incrbyfloat", key)
    return resp.bulk(text)


# ----------------------------------------------------------------------------- ranges

@command("append", 3, "write denyoom fast", 1, 1, 1, group="string", categories="@string",
         summary="Append a value to a key", since="2.0.0",
         complexity="O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
                    "already present value is of any size, since the dynamic string library used by Redis will "
                    "double the free space available on every reallocation.")
def append(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    value = db.lookup(key)
    if value is None:
        new = argv[2]
        db.add(key, new)
    else:
        if type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        _check_length(client, len(value) + len(argv[2]))
        new = value + argv[2]
        db.set(key, new, keep_ttl=True)
    _event(client, NOTIFY_STRING, b"append", key)
    return resp.integer(len(new))


@command("strlen", 2, "readonly fast", 1, 1, 1, group="string", categories="@string",
         summary="Get the length of the value stored in a key", since="2.2.0", complexity="O(1)")
def strlen(client, argv: list[bytes]) -> bytes:
    value = _read_string(client, argv[1])
    return resp.ZERO if value is None else resp.integer(len(value))


_GETRANGE_COMPLEXITY = ("O(N) where N is the length of the returned string. The complexity is ultimately "
                        "determined by the returned length, but because creating a substring from an existing "
                        "string is very cheap, it can be considered O(1) for small strings.")


@command("getrange", 4, "readonly", 1, 1, 1, group="string", categories="@string",
         summary="Get a substring of the string stored at a key", since="2.4.0", complexity=_GETRANGE_COMPLEXITY)
def getrange(client, argv: list[bytes]) -> bytes:
    start = ll_arg(argv[2])
    end = ll_arg(argv[3])
    value = _read_string(client, argv[1])
    if value is None:
        return resp.EMPTY_BULK
    if start < 0 and end < 0 and start > end:
        return resp.EMPTY_BULK
    n = len(value)
    if start < 0:
        start = max(0, n + start)
    if end < 0:
        end = max(0, n + end)
    if end >= n:
        end = n - 1
    if start > end or n == 0:
        return resp.EMPTY_BULK
    return resp.bulk(value[start:end + 1])


@command("substr", 4, "readonly", 1, 1, 1, group="string", categories="@string",
         summary="Get a substring of the string stored at a key", complexity=_GETRANGE_COMPLEXITY)
def substr(client, argv: list[bytes]) -> bytes:
    return getrange(client, argv)


@command("setrange", 4, "write denyoom", 1, 1, 1, group="string", categories="@string",
         summary="Overwrite part of a string at key starting at the specified offset", since="2.2.0",
         complexity="O(1), not counting the time taken to copy the new string in place. Usually, this string is "
                    "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being "
                    "the length of the value argument.")
def setrange(client, argv: list[bytes]) -> bytes:
    offset = ll_arg(argv[2])
    if offset < 0:
        raise CommandError(OFFSET_RANGE_ERR)
    db = client.db
    key = argv[1]
    patch = argv[3]
    value = db.lookup(key)
    if value is None:
        if not patch:
            return resp.ZERO
        _check_length(client, offset + len(patch))
        db.add(key, bytes(offset) + patch)
    else:
        if type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        if not patch:
            return resp.integer(len(value))
        _check_length(client, offset + len(patch))
        if offset > len(value):
            value = value + bytes(offset - len(value))
        db.set(key, value[:offset] + patch + value[offset + len(patch):], keep_ttl=True)
    _event(client, NOTIFY_STRING, b"setrange", key)
    return resp.integer(len(db.data[key]))  # type: ignore[arg-type]


@command("lcs", -3, "readonly", 1, 2, 1, group="string", categories="@string",
         summary="Find longest common substring", since="7.0.0",
         complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively")
def lcs(client, argv: list[bytes]) -> bytes:
    obja = client.db.lookup_read(argv[1])
    objb = client.db.lookup_read(argv[2])
    if (obja is not None and type(obja) is not bytes) or (objb is not None and type(objb) is not bytes):
        raise CommandError(LCS_TYPE_ERR)
    a: bytes = obja or b""  # type: ignore[assignment]
    b: bytes = objb or b""  # type: ignore[assignment]
    getidx = getlen = withmatchlen = False
    minmatchlen = 0
    j = 3
    while j < len(argv):
        opt = argv[j].lower()
        if opt == b"idx":
            getidx = True
        elif opt == b"len":
            getlen = True
        elif opt == b"withmatchlen":
            withmatchlen = True
        elif opt == b"minmatchlen" and j + 1 < len(argv):
            minmatchlen = max(0, ll_arg(argv[j + 1]))
            j += 1
        else:
            raise CommandError(SYNTAX_ERR)
        j += 1
    if getidx and getlen:
        raise CommandError(LCS_LEN_IDX_ERR)
    rows = _lcs_rows(a, b, keep=not getlen)
    if getlen:
        return resp.integer(len(b) - rows[-1].bit_count())
    return _lcs_reply(client, a, b, rows, getidx, withmatchlen, minmatchlen)


def _lcs_rows(a: bytes, b: bytes, keep: bool) -> list[int]:
    """The LCS table of Redis's dynamic programming, one bit vector per row (Hyyro's bit-parallel
    algorithm, so Python's big ints do the inner loop): bit j of row i is 0 exactly when
    LCS(a[:i], b[:j+1]) = LCS(a[:i], b[:j]) + 1, hence LCS(i, j) = j - popcount(row_i & (2^j - 1))."""
    mask = (1 << len(b)) - 1
    positions: dict[int, int] = {}
    for j, ch in enumerate(b):
        positions[ch] = positions.get(ch, 0) | (1 << j)
    row = mask
    rows = [row]
    for ch in a:
        match = row & positions.get(ch, 0)
        row = ((row + match) | (row - match)) & mask
        if keep:
            rows.append(row)
    if not keep:
        rows.append(row)
    return rows


def _lcs_reply(client, a: bytes, b: bytes, rows: list[int], getidx: bool, withmatchlen: bool,
               minmatchlen: int) -> bytes:
    """Walk the table back from the end as Redis does, collecting the string and the match ranges."""
    alen, blen = len(a), len(b)

    def table(i: int, j: int) -> int:
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    total = table(alen, blen)
    idx = total
    result = bytearray(total)
    matches: list[bytes] = []
    arange_start, arange_end, brange_start, brange_end = alen, 0, 0, 0
    i, j = alen, blen
    while i > 0 and j > 0:
        emit = False
        if a[i - 1] == b[j - 1]:
            result[idx - 1] = a[i - 1]
            if arange_start == alen:
                arange_start = arange_end = i - 1
                brange_start = brange_end = j - 1
            elif arange_start == i and brange_start == j:
                arange_start -= 1
                brange_start -= 1
            else:
                emit = True
            if arange_start == 0 or brange_start == 0:
                emit = True
            idx -= 1
            i -= 1
            j -= 1
        else:
            if table(i - 1, j) > table(i, j - 1):
                i -= 1
            else:
                j -= 1
            if arange_start != alen:
                emit = True
        if emit:
            match_len = arange_end - arange_start + 1
            if getidx and (minmatchlen == 0 or match_len >= minmatchlen):
                item = [resp.array([resp.integer(arange_start), resp.integer(arange_end)]),
                        resp.array([resp.integer(brange_start), resp.integer(brange_end)])]
                if withmatchlen:
                    item.append(resp.integer(match_len))
                matches.append(resp.array(item))
            arange_start = alen
    if getidx:
        return resp.map_([(resp.bulk(b"matches"), resp.array(matches)),
                          (resp.bulk(b"len"), resp.integer(total))], client.resp)
    return resp.bulk(bytes(result))


# ----------------------------------------------------------------------------- bitmaps

_INVERT = bytes(255 - i for i in range(256))


def _bit_offset(client, arg: bytes, bits: int = 0) -> int:
    """getBitOffsetFromArgument: a bit offset (``#N`` means N*bits for BITFIELD), capped so that
    the string it implies stays under proto-max-bulk-len."""
    usehash = bits > 0 and arg[:1] == b"#"
    n = parse_ll(arg[1:] if usehash else arg)
    if n is None:
        raise CommandError(BIT_OFFSET_ERR)
    if usehash:
        n = ((n * bits + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)   # C's wrapping multiply
    if n < 0 or (not client.is_master and (n >> 3) >= client.node.proto_max_bulk_len):
        raise CommandError(BIT_OFFSET_ERR)
    return n


@command("setbit", 4, "write denyoom", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Sets or clears the bit at offset in the string value stored at key", since="2.2.0",
         complexity="O(1)")
def setbit(client, argv: list[bytes]) -> bytes:
    offset = _bit_offset(client, argv[2])
    on = parse_ll(argv[3])
    if on is None or on & ~1:
        raise CommandError(BIT_VALUE_ERR)
    db = client.db
    key = argv[1]
    value = db.lookup(key)
    byte = offset >> 3
    shift = 7 - (offset & 7)
    if value is None:
        buf = bytearray(byte + 1)
        old = 0
    else:
        if type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        old = (value[byte] >> shift) & 1 if byte < len(value) else 0
        if byte < len(value) and old == on:
            return resp.integer(old)                # nothing changes: not a write
        buf = bytearray(value)
        if byte >= len(buf):
            buf.extend(bytes(byte + 1 - len(buf)))
    buf[byte] = (buf[byte] & ~(1 << shift)) | (on << shift)
    if value is None:
        db.add(key, bytes(buf))
    else:
        db.set(key, bytes(buf), keep_ttl=True)
    _event(client, NOTIFY_STRING, b"setbit", key)
    return resp.integer(old)


@command("getbit", 3, "readonly fast", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Returns the bit value at offset in the string value stored at key", since="2.2.0",
         complexity="O(1)")
def getbit(client, argv: list[bytes]) -> bytes:
    offset = _bit_offset(client, argv[2])
    value = _read_string(client, argv[1])
    if value is None:
        return resp.ZERO
    byte = offset >> 3
    if byte >= len(value):
        return resp.ZERO
    return resp.ONE if value[byte] >> (7 - (offset & 7)) & 1 else resp.ZERO


def _bit_unit(arg: bytes) -> bool:
    """True for BIT, False for BYTE, syntax error otherwise."""
    unit = arg.lower()
    if unit == b"bit":
        return True
    if unit == b"byte":
        return False
    raise CommandError(SYNTAX_ERR)


def _bits_of(value: bytes | bytearray, first_bit: int, last_bit: int) -> int:
    """The bits first_bit..last_bit (inclusive, MSB first) of ``value`` as an integer."""
    first_byte, end_byte = first_bit >> 3, (last_bit >> 3) + 1
    raw = value[first_byte:end_byte]
    if len(raw) < end_byte - first_byte:     # past the end of the string: zeros
        raw = bytes(raw).ljust(end_byte - first_byte, b"\0")
    chunk = int.from_bytes(raw, "big")
    chunk >>= 7 - (last_bit & 7)
    return chunk & ((1 << (last_bit - first_bit + 1)) - 1)


@command("bitcount", -2, "readonly", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Count set bits in a string", since="2.6.0", complexity="O(N)")
def bitcount(client, argv: list[bytes]) -> bytes:
    value = _read_string(client, argv[1])
    if value is None:
        return resp.ZERO
    n = len(argv)
    if n == 2:
        return resp.integer(int.from_bytes(value, "big").bit_count())
    if n not in (4, 5):
        raise CommandError(SYNTAX_ERR)
    start = ll_arg(argv[2])
    end = ll_arg(argv[3])
    if start < 0 and end < 0 and start > end:
        return resp.ZERO
    isbit = _bit_unit(argv[4]) if n == 5 else False
    total = len(value) * 8 if isbit else len(value)
    if start < 0:
        start = max(0, total + start)
    if end < 0:
        end = max(0, total + end)
    if end >= total:
        end = total - 1
    if start > end:
        return resp.ZERO
    if isbit:
        return resp.integer(_bits_of(value, start, end).bit_count())
    return resp.integer(int.from_bytes(value[start:end + 1], "big").bit_count())


@command("bitpos", -3, "readonly", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Find first bit set or clear in a string", since="2.8.7", complexity="O(N)")
def bitpos(client, argv: list[bytes]) -> bytes:
    bit = ll_arg(argv[2])
    if bit not in (0, 1):
        raise CommandError(BIT_ARG_ERR)
    value = _read_string(client, argv[1])
    if value is None:
        return resp.integer(-1 if bit else 0)
    n = len(argv)
    length = len(value)
    end_given = False
    if n == 3:
        first, last = 0, length * 8 - 1
    elif n <= 6:
        start = ll_arg(argv[3])
        isbit = _bit_unit(argv[5]) if n == 6 else False
        if n >= 5:
            end = ll_arg(argv[4])
            end_given = True
        else:
            end = length - 1
        total = length * 8 if isbit else length
        if start < 0:
            start = max(0, total + start)
        if end < 0:
            end = max(0, total + end)
        if end >= total:
            end = total - 1
        if start > end:
            return resp.integer(-1)
        first, last = (start, end) if isbit else (start * 8, end * 8 + 7)
    else:
        raise CommandError(SYNTAX_ERR)
    if first > last:
        return resp.integer(-1)
    width = last - first + 1
    chunk = _bits_of(value, first, last)
    if not bit:
        chunk ^= (1 << width) - 1
    if chunk:
        return resp.integer(first + width - chunk.bit_length())
    if bit or end_given:
        return resp.integer(-1)
    return resp.integer(last + 1)     # looking for a 0 past the end of the string: it's there


@command("bitop", -4, "write denyoom", 2, -1, 1, group="bitmap", categories="@bitmap",
         summary="Perform bitwise operations between strings", since="2.6.0", complexity="O(N)")
def bitop(client, argv: list[bytes]) -> bytes:
    op = argv[1].lower()
    if op not in (b"and", b"or", b"xor", b"not"):
        raise CommandError(SYNTAX_ERR)
    if op == b"not" and len(argv) != 4:
        raise CommandError(BITOP_NOT_ERR)
    sources = []
    for key in argv[3:]:
        value = client.db.lookup_read(key)
        if value is not None and type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        sources.append(value or b"")
    maxlen = max(len(s) for s in sources)
    db = client.db
    dest = argv[2]
    if not maxlen:
        if db.delete(dest):
            _event(client, NOTIFY_GENERIC, b"del", dest)
        return resp.ZERO
    if op == b"not":
        result = sources[0].translate(_INVERT)
    else:
        acc = int.from_bytes(sources[0].ljust(maxlen, b"\0"), "big")
        for s in sources[1:]:
            other = int.from_bytes(s.ljust(maxlen, b"\0"), "big")
            if op == b"and":
                acc &= other
            elif op == b"or":
                acc |= other
            else:
                acc ^= other
        result = acc.to_bytes(maxlen, "big")
    db.set(dest, result)
    _event(client, NOTIFY_STRING, b"set", dest)
    return resp.integer(maxlen)


_BF_GET, _BF_SET, _BF_INCRBY = 0, 1, 2
_BF_WRAP, _BF_SAT, _BF_FAIL = 0, 1, 2


def _bitfield_type(arg: bytes) -> tuple[bool, int]:
    """getBitfieldTypeFromArgument: (signed, bits) for ``i1..i64`` / ``u1..u63``."""
    sign = arg[:1]
    if sign not in (b"i", b"u"):
        raise CommandError(BITFIELD_TYPE_ERR)
    bits = parse_ll(arg[1:].split(b"\0", 1)[0])
    signed = sign == b"i"
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(BITFIELD_TYPE_ERR)
    return signed, bits


def _bitfield_overflow(signed: bool, bits: int, value: int, incr: int, owtype: int) -> tuple[bool, int]:
    """(overflowed, value to store) for value+incr in a ``bits`` wide field, as Redis's
    check{Signed,Unsigned}BitfieldOverflow: WRAP wraps, SAT saturates, FAIL reports."""
    total = value + incr
    if signed:
        hi, lo = (1 << (bits - 1)) - 1, -(1 << (bits - 1))
    else:
        hi, lo = (1 << bits) - 1, 0
    if lo <= total <= hi:
        return False, total
    if owtype == _BF_SAT:
        return True, hi if total > hi else lo
    wrapped = total & ((1 << bits) - 1)
    if signed and wrapped >> (bits - 1):
        wrapped -= 1 << bits
    return True, wrapped


def _bitfield(client, argv: list[bytes], readonly_cmd: bool) -> bytes:
    ops = []
    owtype = _BF_WRAP
    readonly = True
    highest = 0
    n = len(argv)
    j = 2
    while j < n:
        remaining = n - j - 1
        sub = argv[j].lower()
        if sub == b"get" and remaining >= 2:
            opcode = _BF_GET
        elif sub == b"set" and remaining >= 3:
            opcode = _BF_SET
        elif sub == b"incrby" and remaining >= 3:
            opcode = _BF_INCRBY
        elif sub == b"overflow" and remaining >= 1:
            kind = argv[j + 1].lower()
            j += 2
            if kind == b"wrap":
                owtype = _BF_WRAP
            elif kind == b"sat":
                owtype = _BF_SAT
            elif kind == b"fail":
                owtype = _BF_FAIL
            else:
                raise CommandError(BITFIELD_OVERFLOW_ERR)
            continue
        else:
            raise CommandError(SYNTAX_ERR)
        signed, bits = _bitfield_type(argv[j + 1])
        offset = _bit_offset(client, argv[j + 2], bits)
        arg = 0
        if opcode != _BF_GET:
            readonly = False
            highest = max(highest, offset + bits - 1)
            arg = ll_arg(argv[j + 3])
        ops.append((opcode, signed, bits, offset, arg, owtype))
        j += 4 if opcode != _BF_GET else 3
    db = client.db
    key = argv[1]
    if readonly:
        value = _read_string(client, key)
        buf = value or b""
    else:
        if readonly_cmd:
            raise CommandError(BITFIELD_RO_ERR)
        value = db.lookup(key)
        if value is not None and type(value) is not bytes:
            raise CommandError(WRONGTYPE_ERR)
        buf = bytearray(value or b"")
        need = (highest >> 3) + 1
        if len(buf) < need:
            buf.extend(bytes(need - len(buf)))
    grown = not readonly and (value is None or len(buf) > len(value))
    replies = []
    changes = 0
    for opcode, signed, bits, offset, arg, ow in ops:
        last = offset + bits - 1
        if opcode == _BF_GET:
            field = _bits_of(buf, offset, last)
            if signed and field >> (bits - 1):
                field -= 1 << bits
            replies.append(resp.integer(field))
            continue
        old = _bits_of(buf, offset, last)
        if signed and old >> (bits - 1):
            old -= 1 << bits
        if opcode == _BF_INCRBY:
            overflow, new = _bitfield_overflow(signed, bits, old, arg, ow)
            result = new
        else:
            # an unsigned SET sees its argument as the uint64_t it is in C
            overflow, new = _bitfield_overflow(signed, bits, arg if signed else arg & ((1 << 64) - 1), 0, ow)
            result = old
        if overflow and ow == _BF_FAIL:
            replies.append(resp.null(client.resp))
            continue
        replies.append(resp.integer(result))
        if grown or new != old:
            changes += 1
        shift = 7 - (last & 7)
        first_byte, last_byte = offset >> 3, last >> 3
        span = last_byte - first_byte + 1
        mask = ((1 << bits) - 1) << shift
        chunk = int.from_bytes(buf[first_byte:last_byte + 1], "big")
        chunk = (chunk & ~mask) | ((new & ((1 << bits) - 1)) << shift)
        buf[first_byte:last_byte + 1] = chunk.to_bytes(span, "big")  # type: ignore[index]
    if changes or grown:
        dirty = db.keyspace.dirty
        if value is None:
            db.add(key, bytes(buf))
        else:
            db.set(key, bytes(buf), keep_ttl=True)
        if changes:
            db.changed(key, changes - 1)
            _event(client, NOTIFY_STRING, b"setbit", key)
        else:
            # Redis creates or pads the string even when every write FAILed, but counts no change:
            # nothing is propagated and WATCH is not touched
            db.keyspace.dirty = dirty
    return resp.array(replies)


@command("bitfield", -2, "write denyoom", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Perform arbitrary bitfield integer operations on strings", since="3.2.0",
         complexity="O(1) for each subcommand specified")
def bitfield(client, argv: list[bytes]) -> bytes:
    return _bitfield(client, argv, False)


@command("bitfield_ro", -2, "readonly fast", 1, 1, 1, group="bitmap", categories="@bitmap",
         summary="Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
         since="6.0.0", complexity="O(1) for each subcommand specified")
def bitfield_ro(client, argv: list[bytes]) -> bytes:
    return _bitfield(client, argv, True)
