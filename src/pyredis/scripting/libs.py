"""The C libraries Redis links into its Lua, reimplemented in Python: cjson, cmsgpack, bit, struct.

Each public function here is called from Lua through a thin Lua wrapper (see ``runtime``): it
receives lupa values (``bytes`` for Lua strings, ``int``/``float`` for numbers, ``_LuaTable``
for tables) and either returns its results (a tuple for several Lua values) or raises
``LibError(message)``; the wrapper turns that into a Lua ``error(message, 2)`` so the message gets
the script's position (``user_script:1: ...``) as the C libraries' ``luaL_error`` does.

What is kept exactly as Redis's copies of the libraries do, because scripts depend on it:
- cjson 2.1.0: tables are arrays when every key is a positive integer (sparse ones up to the
  ``2:1`` ratio or index 10 get ``null`` holes, beyond that an error), empty tables encode as
  ``{}``, numbers print with ``%.14g``, ``/`` is escaped, object keys come in Lua's ``next`` order
  (we walk the real Lua table, so the order is Lua 5.1's); the decoder is a token parser with
  cjson's error texts ("Expected comma or array end but found T_END at character 5").
- lua_cmsgpack: integral numbers take the smallest integer encoding, other numbers float32 when
  exact else float64, strings use fixstr/str8/str16/str32, tables with keys 1..n are arrays,
  nesting beyond 16 levels packs nil.
- LuaBitOp: arguments are normalized to 32 bits by rounding half to even (the 2^52+2^51 trick),
  results are signed 32-bit numbers.
- lstruct (Roberto Ierusalimschy's struct): native little-endian, alignment off by default,
  ``!n`` alignment, ``i``/``I`` with explicit sizes up to 32, ``s`` zero-terminated, ``c0``.
"""

import math
import struct as pystruct

from lupa import lua51

lua_type = lua51.lua_type


class LibError(Exception):
    """A library error: becomes ``error(message, 2)`` in Lua."""

    def __init__(self, message: str | bytes) -> None:
        super().__init__(message)
        self.message = message.encode() if isinstance(message, str) else message


def type_name(value: object) -> str:
    """Lua's type name for a lupa value."""
    if value is None:
        return "nil"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, bytes):
        return "string"
    return lua_type(value) or "userdata"


def check_number(value: object, argn: int, fname: str) -> float | int:
    """``luaL_checknumber``: numbers, and strings that convert to numbers."""
    if isinstance(value, (int, float)) and value is not True and value is not False:
        return value
    if isinstance(value, bytes):
        n = str_to_number(value)
        if n is not None:
            return n
    got = "no value" if value is None else type_name(value)
    raise LibError(f"bad argument #{argn} to '{fname}' (number expected, got {got})")


def check_string(value: object, argn: int, fname: str) -> bytes:
    """``luaL_checklstring``: strings, and numbers formatted the way Lua does (``%.14g``)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (int, float)) and value is not True and value is not False:
        return lua_number_text(value)
    got = "no value" if value is None else type_name(value)
    raise LibError(f"bad argument #{argn} to '{fname}' (string expected, got {got})")


def lua_number_text(n: float | int) -> bytes:
    """``tostring`` of a Lua 5.1 number (LUAI_NUMFFORMAT ``%.14g``)."""
    f = float(n)
    if math.isinf(f):
        return b"inf" if f > 0 else b"-inf"
    if math.isnan(f):
        return b"nan" if math.copysign(1, f) > 0 else b"-nan"
    return b"%.14g" % f


def str_to_number(s: bytes) -> float | None:
    """Lua 5.1's string→number coercion (``strtod`` or a hex integer, spaces around allowed)."""
    t = s.strip(b" \t\n\r\f\v")
    if not t:
        return None
    try:
        if t[:2].lower() in (b"0x",) or t[:3].lower() in (b"-0x", b"+0x"):
            return float(int(t, 16))
        low = t.lower()
        if low.lstrip(b"+-") in (b"inf", b"infinity", b"nan"):
            return float(t)
        if not all(c in b"0123456789+-.eE" for c in t):
            return None
        return float(t)
    except ValueError:
        return None


def table_items(t) -> list:
    """The (key, value) pairs of a Lua table in ``next`` order."""
    return list(t.items())


# ============================================================================ cjson

_ESCAPES = {i: b"\\u%04x" % i for i in range(32)}
_ESCAPES.update({8: b"\\b", 9: b"\\t", 10: b"\\n", 12: b"\\f", 13: b"\\r", 34: b'\\"', 92: b"\\\\",
                 47: b"\\/", 127: b"\\u007f"})
_NEEDS_ESCAPE = bytes(sorted(_ESCAPES))
_ENCODE_MAX_DEPTH = 1000
_DECODE_MAX_DEPTH = 1000


def json_string(s: bytes) -> bytes:
    if not any(c in _NEEDS_ESCAPE for c in s):
        return b'"' + s + b'"'
    esc = _ESCAPES
    return b'"' + b"".join(esc.get(c) or bytes((c,)) for c in s) + b'"'


def _json_number(n: float | int, what: str = "number") -> bytes:
    f = float(n)
    if math.isinf(f) or math.isnan(f):
        raise LibError(f"Cannot serialise {what}: must not be NaN or Inf")
    return b"%.14g" % f


class CJson:
    """cjson.encode / cjson.decode bound to one Lua runtime (for ``cjson.null`` and new tables)."""

    def __init__(self, runtime) -> None:
        self.rt = runtime

    # ----- encode
    def encode(self, *args) -> bytes:
        if len(args) != 1:
            raise LibError("bad argument #1 to 'encode' (expected 1 argument)")
        out: list[bytes] = []
        self._encode(args[0], out, 0)
        return b"".join(out)

    def _encode(self, v, out: list, depth: int) -> None:
        if v is None:
            out.append(b"null")
        elif v is True:
            out.append(b"true")
        elif v is False:
            out.append(b"false")
        elif isinstance(v, bytes):
            out.append(json_string(v))
        elif isinstance(v, (int, float)):
            out.append(_json_number(v))
        else:
            kind = lua_type(v)
            if kind == "table":
                depth += 1
                if depth > _ENCODE_MAX_DEPTH:
                    raise LibError(f"Cannot serialise, excessive nesting ({depth})")
                self._encode_table(v, out, depth)
            elif kind == "userdata" and self.rt.is_null(v):
                out.append(b"null")
            else:
                raise LibError("Cannot serialise %s: type not supported" % (kind or type_name(v)))

    def _encode_table(self, t, out: list, depth: int) -> None:
        items = table_items(t)
        length = 0
        count = 0
        is_array = True
        for k, _v in items:
            if isinstance(k, (int, float)) and k is not True and k is not False and k >= 1 and math.floor(k) == k:
                if k > length:
                    length = int(k)
                count += 1
                continue
            is_array = False
            break
        if is_array and length > count * 2 and length > 10:
            raise LibError("Cannot serialise table: excessively sparse array")
        if is_array and length > 0:
            out.append(b"[")
            for i in range(1, length + 1):
                if i > 1:
                    out.append(b",")
                self._encode(t[i], out, depth)
            out.append(b"]")
            return
        out.append(b"{")
        first = True
        for k, v in items:
            if not first:
                out.append(b",")
            first = False
            if isinstance(k, bytes):
                out.append(json_string(k))
            elif isinstance(k, (int, float)) and k is not True and k is not False:
                out.append(b'"' + _json_number(k, "table") + b'"')
            else:
                raise LibError(f"Cannot serialise {type_name(k)}: table key must be a number or string")
            out.append(b":")
            self._encode(v, out, depth)
        out.append(b"}")

    # ----- decode
    def decode(self, *args):
        if len(args) != 1:
            raise LibError("bad argument #1 to 'decode' (expected 1 argument)")
        s = check_string(args[0], 1, "decode")
        parser = _JsonParser(s, self.rt)
        tok = parser.next_token()
        value = parser.value(tok, 0)
        tok = parser.next_token()
        if tok[0] != "T_END":
            parser.fail("the end", tok)
        return value


_WS = b" \t\n\r"
_SIMPLE = {ord("{"): "T_OBJ_BEGIN", ord("}"): "T_OBJ_END", ord("["): "T_ARR_BEGIN", ord("]"): "T_ARR_END",
           ord(":"): "T_COLON", ord(","): "T_COMMA"}
_STR_ESC = {ord('"'): b'"', ord("\\"): b"\\", ord("/"): b"/", ord("b"): b"\b", ord("f"): b"\f",
            ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t"}


class _JsonParser:
    """cjson's decoder: a tokenizer and a recursive-descent parser with cjson's error texts."""

    def __init__(self, s: bytes, runtime) -> None:
        self.s = s
        self.i = 0
        self.rt = runtime

    def fail(self, expected: str, tok) -> None:
        found = tok[2] if tok[0] == "T_ERROR" else tok[0]
        raise LibError(f"Expected {expected} but found {found} at character {tok[1] + 1}")

    def next_token(self):
        s, i, n = self.s, self.i, len(self.s)
        while i < n and s[i] in _WS:
            i += 1
        start = i
        if i >= n:
            self.i = i
            return ("T_END", start, None)
        c = s[i]
        kind = _SIMPLE.get(c)
        if kind is not None:
            self.i = i + 1
            return (kind, start, None)
        if c == 0x22:
            return self._string(start)
        if c == 0x2D or 0x30 <= c <= 0x39:
            return self._number(start)
        for word, val in ((b"true", True), (b"false", False), (b"null", None)):
            if s.startswith(word, i):
                self.i = i + len(word)
                return ("T_BOOLEAN" if val is not None else "T_NULL", start, val)
        low = s[i:i + 3].lower()
        if low in (b"inf", b"nan"):
            return self._number(start)
        self.i = i
        return ("T_ERROR", start, "invalid token")

    def _string(self, start: int):
        s, n = self.s, len(self.s)
        i = start + 1
        out = bytearray()
        while True:
            if i >= n:
                self.i = i
                return ("T_ERROR", i, "unexpected end of string")
            c = s[i]
            if c == 0x22:
                self.i = i + 1
                return ("T_STRING", start, bytes(out))
            if c == 0x5C:
                if i + 1 >= n:
                    self.i = i
                    return ("T_ERROR", i, "unexpected end of string")
                e = s[i + 1]
                if e == ord("u"):
                    cp, used = self._unicode(i)
                    if cp is None:
                        self.i = i
                        return ("T_ERROR", i, "invalid unicode escape code")
                    out += chr(cp).encode("utf-8", "surrogatepass")
                    i += used
                    continue
                rep = _STR_ESC.get(e)
                if rep is None:
                    self.i = i
                    return ("T_ERROR", i, "invalid escape code")
                out += rep
                i += 2
                continue
            out.append(c)
            i += 1

    def _unicode(self, i: int):
        s = self.s
        h = s[i + 2:i + 6]
        if len(h) != 4 or not all(c in b"0123456789abcdefABCDEF" for c in h):
            return None, 0
        cp = int(h, 16)
        if 0xD800 <= cp <= 0xDBFF:
            if s[i + 6:i + 8] != b"\\u":
                return None, 0
            h2 = s[i + 8:i + 12]
            if len(h2) != 4 or not all(c in b"0123456789abcdefABCDEF" for c in h2):
                return None, 0
            lo = int(h2, 16)
            if not 0xDC00 <= lo <= 0xDFFF:
                return None, 0
            return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), 12
        if 0xDC00 <= cp <= 0xDFFF:
            return None, 0
        return cp, 6

    def _number(self, start: int):
        s, n = self.s, len(self.s)
        i = start
        while i < n and s[i] in b"0123456789+-.eExXabcdefABCDEFinftyINFTYnN":
            i += 1
        text = s[start:i]
        value = str_to_number(text)
        if value is None:
            self.i = start
            return ("T_ERROR", start, "invalid number")
        self.i = i
        return ("T_NUMBER", start, value)

    def value(self, tok, depth: int):
        kind = tok[0]
        if kind in ("T_STRING", "T_BOOLEAN"):
            return tok[2]
        if kind == "T_NUMBER":
            v = tok[2]
            return int(v) if v.is_integer() and abs(v) < 2 ** 53 else v
        if kind == "T_NULL":
            return self.rt.null
        if kind == "T_OBJ_BEGIN":
            return self._object(tok, depth + 1)
        if kind == "T_ARR_BEGIN":
            return self._array(tok, depth + 1)
        self.fail("value", tok)

    def _depth(self, tok, depth: int) -> None:
        if depth > _DECODE_MAX_DEPTH:
            raise LibError(f"Found too many nested data structures ({depth}) at character {tok[1] + 1}")

    def _object(self, tok, depth: int):
        self._depth(tok, depth)
        t = self.rt.new_table()
        tok = self.next_token()
        if tok[0] == "T_OBJ_END":
            return t
        while True:
            if tok[0] != "T_STRING":
                self.fail("object key string", tok)
            key = tok[2]
            tok = self.next_token()
            if tok[0] != "T_COLON":
                self.fail("colon", tok)
            t[key] = self.value(self.next_token(), depth)
            tok = self.next_token()
            if tok[0] == "T_OBJ_END":
                return t
            if tok[0] != "T_COMMA":
                self.fail("comma or object end", tok)
            tok = self.next_token()

    def _array(self, tok, depth: int):
        self._depth(tok, depth)
        t = self.rt.new_table()
        tok = self.next_token()
        if tok[0] == "T_ARR_END":
            return t
        i = 1
        while True:
            t[i] = self.value(tok, depth)
            i += 1
            tok = self.next_token()
            if tok[0] == "T_ARR_END":
                return t
            if tok[0] != "T_COMMA":
                self.fail("comma or array end", tok)
            tok = self.next_token()


# ============================================================================ cmsgpack

_MAX_NESTING = 16


class CMsgpack:
    def __init__(self, runtime) -> None:
        self.rt = runtime

    def pack(self, *args) -> bytes:
        if not args:
            raise LibError("bad argument #0 to 'pack' (MessagePack pack needs input.)")
        out = bytearray()
        for a in args:
            self._pack(a, out, 0)
        return bytes(out)

    def _pack(self, v, out: bytearray, level: int) -> None:
        if v is True:
            out.append(0xC3)
        elif v is False:
            out.append(0xC2)
        elif isinstance(v, bytes):
            _pack_bytes(v, out)
        elif isinstance(v, (int, float)):
            _pack_number(v, out)
        elif v is not None and lua_type(v) == "table" and level < _MAX_NESTING:
            self._pack_table(v, out, level)
        else:
            out.append(0xC0)

    def _pack_table(self, t, out: bytearray, level: int) -> None:
        items = table_items(t)
        count = 0
        top = 0
        is_array = True
        for k, _v in items:
            if (not isinstance(k, (int, float)) or k is True or k is False or k <= 0
                    or math.floor(k) != k):
                is_array = False
                break
            top = max(top, int(k))
            count += 1
        if is_array and top == count:
            n = count
            if n <= 15:
                out.append(0x90 | n)
            elif n <= 0xFFFF:
                out += b"\xdc" + n.to_bytes(2, "big")
            else:
                out += b"\xdd" + n.to_bytes(4, "big")
            for i in range(1, n + 1):
                self._pack(t[i], out, level + 1)
            return
        n = len(items)
        if n <= 15:
            out.append(0x80 | n)
        elif n <= 0xFFFF:
            out += b"\xde" + n.to_bytes(2, "big")
        else:
            out += b"\xdf" + n.to_bytes(4, "big")
        for k, v in items:
            self._pack(k, out, level + 1)
            self._pack(v, out, level + 1)

    def unpack(self, *args):
        s = check_string(args[0] if args else None, 1, "unpack")
        values, _pos = self._unpack(s, 0, 0)
        return tuple(values)

    def unpack_one(self, *args):
        s = check_string(args[0] if args else None, 1, "unpack_one")
        offset = int(check_number(args[1], 2, "unpack_one")) if len(args) > 1 and args[1] is not None else 0
        return self._limited(s, 1, offset)

    def unpack_limit(self, *args):
        s = check_string(args[0] if args else None, 1, "unpack_limit")
        limit = int(check_number(args[1] if len(args) > 1 else None, 2, "unpack_limit"))
        offset = int(check_number(args[2], 3, "unpack_limit")) if len(args) > 2 and args[2] is not None else 0
        return self._limited(s, limit, offset)

    def _limited(self, s: bytes, limit: int, offset: int):
        if offset < 0 or offset > len(s):
            raise LibError(f"bad argument #2 to 'unpack' (Start offset {offset} greater than input length {len(s)}.)")
        values, pos = self._unpack(s, offset, limit)
        return (pos if pos < len(s) else -1, *values)

    def _unpack(self, s: bytes, pos: int, limit: int):
        values = []
        n = len(s)
        while pos < n and (not limit or len(values) < limit):
            v, pos = self._decode(s, pos)
            values.append(v)
        return values, pos

    def _decode(self, s: bytes, pos: int):
        n = len(s)
        if pos >= n:
            raise LibError("Missing bytes in input.")
        c = s[pos]
        pos += 1

        def need(k: int) -> None:
            if pos + k > n:
                raise LibError("Missing bytes in input.")

        if c <= 0x7F:
            return c, pos
        if c >= 0xE0:
            return c - 256, pos
        if 0xA0 <= c <= 0xBF:
            k = c & 0x1F
            need(k)
            return s[pos:pos + k], pos + k
        if 0x90 <= c <= 0x9F:
            return self._array(s, pos, c & 0x0F)
        if 0x80 <= c <= 0x8F:
            return self._map(s, pos, c & 0x0F)
        if c == 0xC0:
            return None, pos
        if c == 0xC2:
            return False, pos
        if c == 0xC3:
            return True, pos
        fixed = {0xCC: (1, False), 0xCD: (2, False), 0xCE: (4, False), 0xCF: (8, False),
                 0xD0: (1, True), 0xD1: (2, True), 0xD2: (4, True), 0xD3: (8, True)}
        if c in fixed:
            k, signed = fixed[c]
            need(k)
            return int.from_bytes(s[pos:pos + k], "big", signed=signed), pos + k
        if c == 0xCA:
            need(4)
            return pystruct.unpack(">f", s[pos:pos + 4])[0], pos + 4
        if c == 0xCB:
            need(8)
            return pystruct.unpack(">d", s[pos:pos + 8])[0], pos + 8
        if c in (0xD9, 0xDA, 0xDB, 0xC4, 0xC5, 0xC6):
            k = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}[c]
            need(k)
            length = int.from_bytes(s[pos:pos + k], "big")
            pos += k
            need(length)
            return s[pos:pos + length], pos + length
        if c in (0xDC, 0xDD):
            k = 2 if c == 0xDC else 4
            need(k)
            return self._array(s, pos + k, int.from_bytes(s[pos:pos + k], "big"))
        if c in (0xDE, 0xDF):
            k = 2 if c == 0xDE else 4
            need(k)
            return self._map(s, pos + k, int.from_bytes(s[pos:pos + k], "big"))
        raise LibError("Bad data format in input.")

    def _array(self, s: bytes, pos: int, count: int):
        t = self.rt.new_table()
        for i in range(1, count + 1):
            v, pos = self._decode(s, pos)
            t[i] = v
        return t, pos

    def _map(self, s: bytes, pos: int, count: int):
        t = self.rt.new_table()
        for _ in range(count):
            k, pos = self._decode(s, pos)
            v, pos = self._decode(s, pos)
            if k is not None:
                t[k] = v
        return t, pos


def _pack_bytes(v: bytes, out: bytearray) -> None:
    n = len(v)
    if n < 32:
        out.append(0xA0 | n)
    elif n <= 0xFF:
        out += b"\xd9" + bytes((n,))
    elif n <= 0xFFFF:
        out += b"\xda" + n.to_bytes(2, "big")
    else:
        out += b"\xdb" + n.to_bytes(4, "big")
    out += v


def _pack_number(v: float | int, out: bytearray) -> None:
    f = float(v)
    if not math.isinf(f) and not math.isnan(f) and f == math.trunc(f) and -2 ** 63 <= f < 2 ** 63:
        n = int(f)
        if n >= 0:
            if n <= 127:
                out.append(n)
            elif n <= 0xFF:
                out += b"\xcc" + bytes((n,))
            elif n <= 0xFFFF:
                out += b"\xcd" + n.to_bytes(2, "big")
            elif n <= 0xFFFFFFFF:
                out += b"\xce" + n.to_bytes(4, "big")
            else:
                out += b"\xcf" + (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
        elif n >= -32:
            out.append(n & 0xFF)
        elif n >= -128:
            out += b"\xd0" + n.to_bytes(1, "big", signed=True)
        elif n >= -32768:
            out += b"\xd1" + n.to_bytes(2, "big", signed=True)
        elif n >= -2147483648:
            out += b"\xd2" + n.to_bytes(4, "big", signed=True)
        else:
            out += b"\xd3" + n.to_bytes(8, "big", signed=True)
        return
    try:
        as_float = pystruct.unpack(">f", pystruct.pack(">f", f))[0]
    except OverflowError:
        as_float = None
    if as_float == f or (math.isinf(f)) or (math.isnan(f)):
        out += b"\xca" + pystruct.pack(">f", f)
    else:
        out += b"\xcb" + pystruct.pack(">d", f)


# ============================================================================ bit

def _tobit(x: float | int) -> int:
    """LuaBitOp's argument normalization: round half to even, keep the low 32 bits, signed."""
    if isinstance(x, float):
        if math.isinf(x) or math.isnan(x):
            return 0 if math.isnan(x) else 0
        x = round(x)
    n = x & 0xFFFFFFFF
    return n - 0x100000000 if n & 0x80000000 else n


def _arg(args: tuple, i: int, fname: str) -> int:
    return _tobit(check_number(args[i] if i < len(args) else None, i + 1, fname))


def _signed(n: int) -> int:
    n &= 0xFFFFFFFF
    return n - 0x100000000 if n & 0x80000000 else n


def bit_tobit(*a):
    return _arg(a, 0, "tobit")


def bit_bnot(*a):
    return _signed(~_arg(a, 0, "bnot"))


def _fold(fname: str, op):
    def fn(*a):
        r = _arg(a, 0, fname)
        for i in range(1, len(a)):
            r = op(r, _arg(a, i, fname))
        return _signed(r)
    return fn


bit_band = _fold("band", lambda x, y: x & y)
bit_bor = _fold("bor", lambda x, y: x | y)
bit_bxor = _fold("bxor", lambda x, y: x ^ y)


def bit_lshift(*a):
    return _signed((_arg(a, 0, "lshift") & 0xFFFFFFFF) << (_arg(a, 1, "lshift") & 31))


def bit_rshift(*a):
    return _signed((_arg(a, 0, "rshift") & 0xFFFFFFFF) >> (_arg(a, 1, "rshift") & 31))


def bit_arshift(*a):
    return _signed(_arg(a, 0, "arshift") >> (_arg(a, 1, "arshift") & 31))


def bit_rol(*a):
    x = _arg(a, 0, "rol") & 0xFFFFFFFF
    n = _arg(a, 1, "rol") & 31
    return _signed((x << n) | (x >> (32 - n)))


def bit_ror(*a):
    x = _arg(a, 0, "ror") & 0xFFFFFFFF
    n = _arg(a, 1, "ror") & 31
    return _signed((x >> n) | (x << (32 - n)))


def bit_bswap(*a):
    x = _arg(a, 0, "bswap") & 0xFFFFFFFF
    return _signed(int.from_bytes(x.to_bytes(4, "little"), "big"))


def bit_tohex(*a):
    x = _arg(a, 0, "tohex") & 0xFFFFFFFF
    n = _arg(a, 1, "tohex") if len(a) > 1 and a[1] is not None else 8
    digits = "0123456789abcdef"
    if n < 0:
        n = -n
        digits = "0123456789ABCDEF"
    if n > 8:
        n = 8
    out = []
    for _ in range(n):
        out.append(digits[x & 15])
        x >>= 4
    return "".join(reversed(out)).encode()


BIT_FUNCTIONS = {
    "tobit": bit_tobit, "bnot": bit_bnot, "band": bit_band, "bor": bit_bor, "bxor": bit_bxor,
    "lshift": bit_lshift, "rshift": bit_rshift, "arshift": bit_arshift, "rol": bit_rol, "ror": bit_ror,
    "bswap": bit_bswap, "tohex": bit_tohex,
}


# ============================================================================ struct

_MAXINTSIZE = 32
_MAXALIGN = 8
_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "f": 4, "d": 8, "x": 1}


class _Fmt:
    __slots__ = ("fmt", "i", "little", "align", "fname")

    def __init__(self, fmt: bytes, fname: str) -> None:
        self.fmt = fmt.decode("latin-1")
        self.i = 0
        self.little = True
        self.align = 1
        self.fname = fname

    def getnum(self, default: int) -> int:
        f, i = self.fmt, self.i
        if i >= len(f) or not f[i].isdigit():
            return default
        a = 0
        while i < len(f) and f[i].isdigit():
            a = a * 10 + int(f[i])
            if a > 0x7FFFFFFF:
                raise LibError("integral size overflow")
            i += 1
        self.i = i
        return a

    def optsize(self, opt: str) -> int:
        if opt in _SIZES:
            return _SIZES[opt]
        if opt == "c":
            return self.getnum(1)
        if opt in "iI":
            sz = self.getnum(4)
            if sz > _MAXINTSIZE:
                raise LibError(f"integral size {sz} is larger than limit of {_MAXINTSIZE}")
            return sz
        return 0

    def toalign(self, length: int, opt: str, size: int) -> int:
        if size == 0 or opt == "c":
            return 0
        if size > self.align:
            size = self.align
        return (size - (length & (size - 1))) & (size - 1)

    def control(self, opt: str) -> None:
        if opt == " ":
            return
        if opt == ">":
            self.little = False
        elif opt == "<" or opt == "=":
            self.little = True
        elif opt == "!":
            a = self.getnum(_MAXALIGN)
            if a & (a - 1) or a == 0:
                raise LibError(f"alignment {a} is not a power of 2")
            self.align = a
        else:
            raise LibError(f"bad argument #1 to '{self.fname}' (invalid format option '{opt}')")


def struct_pack(*args) -> bytes:
    fmt = _Fmt(check_string(args[0] if args else None, 1, "pack"), "pack")
    out = bytearray()
    arg = 1
    f = fmt.fmt
    while fmt.i < len(f):
        opt = f[fmt.i]
        fmt.i += 1
        size = fmt.optsize(opt)
        pad = fmt.toalign(len(out), opt, size)
        out += b"\0" * pad
        if opt in "bBhHlLTiI":
            n = check_number(args[arg] if arg < len(args) else None, arg + 1, "pack")
            arg += 1
            value = int(n) if not (isinstance(n, float) and (math.isinf(n) or math.isnan(n))) else 0
            value &= (1 << (8 * size)) - 1 if size <= 8 else (1 << 64) - 1
            out += value.to_bytes(size, "little" if fmt.little else "big")
        elif opt == "x":
            out.append(0)
        elif opt in "fd":
            n = float(check_number(args[arg] if arg < len(args) else None, arg + 1, "pack"))
            arg += 1
            code = ("<" if fmt.little else ">") + opt
            try:
                out += pystruct.pack(code, n)
            except OverflowError:
                out += pystruct.pack(code, math.copysign(math.inf, n))
        elif opt in "cs":
            s = check_string(args[arg] if arg < len(args) else None, arg + 1, "pack")
            arg += 1
            if size == 0:
                size = len(s)
            if len(s) < size:
                raise LibError(f"bad argument #{arg} to 'pack' (string too short)")
            out += s[:size]
            if opt == "s":
                out.append(0)
        else:
            fmt.control(opt)
    return bytes(out)


def struct_unpack(*args):
    fmt = _Fmt(check_string(args[0] if args else None, 1, "unpack"), "unpack")
    data = check_string(args[1] if len(args) > 1 else None, 2, "unpack")
    pos = int(check_number(args[2], 3, "unpack")) - 1 if len(args) > 2 and args[2] is not None else 0
    if pos > len(data) or pos < 0:
        raise LibError("bad argument #3 to 'unpack' (offset must be 1 or greater)")
    out: list = []
    f = fmt.fmt
    while fmt.i < len(f):
        opt = f[fmt.i]
        fmt.i += 1
        size = fmt.optsize(opt)
        pos += fmt.toalign(pos, opt, size)
        if size > len(data) - pos:
            raise LibError("bad argument #2 to 'unpack' (data string too short)")
        if opt in "bBhHlLTiI":
            raw = data[pos:pos + size]
            value = int.from_bytes(raw, "little" if fmt.little else "big")
            if opt.islower() and size <= 8 and value >> (8 * size - 1):
                value -= 1 << (8 * size)
            out.append(value if abs(value) < 2 ** 53 else float(value))
        elif opt == "x":
            pass
        elif opt in "fd":
            code = ("<" if fmt.little else ">") + opt
            out.append(pystruct.unpack(code, data[pos:pos + size])[0])
        elif opt == "c":
            if size == 0:
                if not out or not isinstance(out[-1], (int, float)):
                    raise LibError("format 'c0' needs a previous size")
                size = int(out.pop())
                if size > len(data) - pos:
                    raise LibError("bad argument #2 to 'unpack' (data string too short)")
            out.append(data[pos:pos + size])
        elif opt == "s":
            end = data.find(b"\0", pos)
            if end < 0:
                raise LibError("unfinished string in data")
            size = end - pos + 1
            out.append(data[pos:end])
        else:
            fmt.control(opt)
        pos += size
    out.append(pos + 1)
    return tuple(out)


def struct_size(*args) -> int:
    fmt = _Fmt(check_string(args[0] if args else None, 1, "size"), "size")
    pos = 0
    f = fmt.fmt
    while fmt.i < len(f):
        opt = f[fmt.i]
        fmt.i += 1
        size = fmt.optsize(opt)
        pos += fmt.toalign(pos, opt, size)
        if opt == "s":
            raise LibError("bad argument #1 to 'size' (option 's' has no fixed size)")
        if opt == "c" and size == 0:
            raise LibError("bad argument #1 to 'size' (option 'c0' has no fixed size)")
        if not opt.isalnum():
            fmt.control(opt)
        pos += size
    return pos


STRUCT_FUNCTIONS = {"pack": struct_pack, "unpack": struct_unpack, "size": struct_size}
