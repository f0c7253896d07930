"""The RDB codec: Redis 7.0's snapshot format, as a stream of bytes in both directions.

One codec serves every place Redis moves a dataset: dump.rdb (SAVE, BGSAVE, start-up load),
the AOF base file, a replica's full resync (from disk or a diskless ``$EOF:`` stream), and the
DUMP/RESTORE payloads that MIGRATE also uses. So neither side ever needs the whole file:

- ``iter_encode(keyspace, aux)`` yields the file in chunks (about 64 KB): ``REDIS0010``, AUX
  fields, then per non-empty database SELECTDB + RESIZEDB + its keys (EXPIRETIME_MS before a key
  with a TTL), then EOF and the CRC-64 of everything before it, little-endian (8 zero bytes when
  ``checksum`` is off, which the loader reads as "not checked"). Values are written in the plain
  types every Redis since 2.x loads: STRING (integer-encoded when the text is a canonical
  integer that fits 32 bits, LZF-compressed past 20 bytes when ``compress``), LIST, SET, HASH,
  ZSET_2. Redis re-encodes small collections compactly when it loads them.
- ``Decoder.feed(bytes) -> events`` parses incrementally. Every encoding Redis 7.0 may write
  (and what older versions wrote: ziplists, zipmaps, the first quicklist, seconds expiry) is
  decoded. A record split across feeds is parsed again once enough bytes arrived; inside a
  long collection the decoder keeps the elements already read and resumes after the last
  complete one, so feeding a large key in small chunks stays linear.
  Events are tuples: ``("aux", name, value)``, ``("key", dbid, key, value, expire_ms|None)``,
  ``("function", library_code)``, ``("module_aux", module_id)``, ``("end", checksum)``.
- ``dump_payload(value)`` / ``load_payload(payload)``: DUMP's ``<type><value><u16 version><crc64>``.

Errors are ``RDBError`` with a message meant for a log line or an error reply; corrupt or
truncated input never escapes as another exception.
"""

import struct
from collections.abc import Iterable, Iterator

from ..engine.values import ListValue
from . import lzf
from .crc64 import crc64
from .encodings import (
    EncodingError,
    intset_members,
    listpack_entries,
    ziplist_entries,
    zipmap_pairs,
)

try:
    from ..engine.zset import ZSet
except ImportError:  # the sorted-set engine is optional until it lands
    ZSet = None  # type: ignore[assignment,misc]

RDB_VERSION = 10          # what Redis 7.0 writes
MAX_LOAD_VERSION = 11     # 7.2's files differ only by types we also decode (SET_LISTPACK)

# value types (rdb.h)
TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_ZSET_2 = 5
TYPE_MODULE = 6
TYPE_MODULE_2 = 7
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_SET_INTSET = 11
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14
TYPE_STREAM_LISTPACKS = 15
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18
TYPE_STREAM_LISTPACKS_2 = 19
TYPE_SET_LISTPACK = 20
TYPE_STREAM_LISTPACKS_3 = 21

# opcodes
OP_FUNCTION2 = 245
OP_FUNCTION_PRE_GA = 246
OP_MODULE_AUX = 247
OP_IDLE = 248
OP_FREQ = 249
OP_AUX = 250
OP_RESIZEDB = 251
OP_EXPIRETIME_MS = 252
OP_EXPIRETIME = 253
OP_SELECTDB = 254
OP_EOF = 255

QUICKLIST_NODE_PLAIN = 1
QUICKLIST_NODE_PACKED = 2

CHUNK = 64 * 1024


class RDBError(Exception):
    """Corrupt, truncated or unsupported RDB data; ``str(exc)`` says what, for a log line."""


class _Short(Exception):
    """The buffer ends before the datum being read; ``end`` is the buffer length it needs."""

    __slots__ = ("end",)

    def __init__(self, end: int) -> None:
        self.end = end


# ======================================================================= encoding

_LEN6 = [bytes((n,)) for n in range(64)]


def encode_len(n: int) -> bytes:
    if n < 64:
        return _LEN6[n]
    if n < 16384:
        return bytes((0x40 | (n >> 8), n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def encode_string(s: bytes, compress: bool = False) -> bytes:
    """An RDB string as ``rdbSaveRawString`` writes it (integer form, LZF, or raw)."""
    n = len(s)
    if n <= 11 and n and (48 <= s[0] <= 57 or s[0] == 45):
        try:
            v = int(s)
        except ValueError:
            v = None
        if v is not None and b"%d" % v == s:
            if -128 <= v <= 127:
                return b"\xc0" + v.to_bytes(1, "little", signed=True)
            if -32768 <= v <= 32767:
                return b"\xc1" + v.to_bytes(2, "little", signed=True)
            if -(1 << 31) <= v < (1 << 31):
                return b"\xc2" + v.to_bytes(4, "little", signed=True)
    if compress and n > 20:
        packed = lzf.compress(s, n - 4)
        if packed is not None:
            return b"\xc3" + encode_len(len(packed)) + encode_len(n) + packed
    if n < 64:
        return _LEN6[n] + s
    return encode_len(n) + s


_pack_double = struct.Struct("<d").pack


def value_type(value: object) -> int:
    """The RDB type byte ``iter_encode`` writes for ``value``."""
    t = type(value)
    if t is bytes:
        return TYPE_STRING
    if t is ListValue:
        return TYPE_LIST
    if t is set:
        return TYPE_SET
    if t is dict:
        return TYPE_HASH
    if ZSet is not None and t is ZSet:
        return TYPE_ZSET_2
    raise RDBError(f"can't serialize a value of type {t.__name__}")


def encode_value(value: object, compress: bool = False) -> bytes:
    """The serialized value (without its type byte)."""
    t = type(value)
    if t is bytes:
        return encode_string(value, compress)  # type: ignore[arg-type]
    parts = [encode_len(len(value))]  # type: ignore[arg-type]
    append = parts.append
    if t is ListValue or t is set:
        for item in value:  # type: ignore[attr-defined]
            append(encode_string(item, compress))
    elif t is dict:
        for field, item in value.items():  # type: ignore[attr-defined]
            append(encode_string(field, compress))
            append(encode_string(item, compress))
    elif ZSet is not None and t is ZSet:
        for member, score in value.scores.items():  # type: ignore[attr-defined]
            append(encode_string(member, compress))
            append(_pack_double(score))
    else:
        raise RDBError(f"can't serialize a value of type {t.__name__}")
    return b"".join(parts)


def _aux(name: str | bytes, value: object) -> bytes:
    key = name.encode() if isinstance(name, str) else name
    if isinstance(value, int):
        value = b"%d" % value
    elif isinstance(value, str):
        value = value.encode()
    return b"\xfa" + encode_string(key) + encode_string(value)  # type: ignore[arg-type]


def iter_encode(keyspace, aux: dict, compress: bool = True, checksum: bool = True,
                version: int = RDB_VERSION, functions: Iterable[bytes] = ()) -> Iterator[bytes]:
    """The RDB file of ``keyspace`` (a ``Keyspace`` or a list of ``Database``), in chunks.

    The caller must not change the keyspace while iterating (a forked child or a synchronous
    SAVE): dicts may not change size under iteration."""
    crc = 0
    header = [b"REDIS%04d" % version]
    header += [_aux(k, v) for k, v in aux.items()]
    header += [b"\xf5" + encode_string(code) for code in functions]
    parts: list[bytes] = header
    size = 0
    dbs = getattr(keyspace, "dbs", keyspace)
    for db in dbs:
        data = db.data
        if not data:
            continue
        expires = db.expires
        parts.append(b"\xfe" + encode_len(db.id) + b"\xfb" + encode_len(len(data)) + encode_len(len(expires)))
        append = parts.append
        for key, value in data.items():
            if expires:
                when = expires.get(key)
                if when is not None:
                    append(b"\xfc" + when.to_bytes(8, "little", signed=True))
            t = type(value)
            if t is bytes:
                rec = b"\x00" + encode_string(key, compress) + encode_string(value, compress)
            else:
                rec = bytes((value_type(value),)) + encode_string(key, compress) + encode_value(value, compress)
            append(rec)
            size += len(rec)
            if size >= CHUNK:
                chunk = b"".join(parts)
                if checksum:
                    crc = crc64(chunk, crc)
                yield chunk
                parts = []
                append = parts.append
                size = 0
    parts.append(b"\xff")
    chunk = b"".join(parts)
    if checksum:
        crc = crc64(chunk, crc)
    yield chunk + crc.to_bytes(8, "little")


def encode(keyspace, aux: dict, **kwargs) -> bytes:
    return b"".join(iter_encode(keyspace, aux, **kwargs))


def dump_payload(value: object, compress: bool = True) -> bytes:
    """DUMP's serialization: ``<type><value><version u16 LE><crc64 LE>``."""
    body = bytes((value_type(value),)) + encode_value(value, compress) + RDB_VERSION.to_bytes(2, "little")
    return body + crc64(body).to_bytes(8, "little")


# ======================================================================= decoding

_unpack_double = struct.Struct("<d").unpack_from
_unpack_float = struct.Struct("<f").unpack_from


def _new_zset():
    if ZSet is None:
        raise RDBError("Can't load zset type: the sorted-set engine is missing")
    return ZSet()


def _score(entry: bytes | int) -> float:
    if type(entry) is int:
        return float(entry)
    try:
        return float(entry)
    except ValueError:
        raise RDBError("Zset score is not a valid float") from None


def _pairs(entries: list) -> Iterator[tuple]:
    if len(entries) % 2:
        raise RDBError("Odd number of entries in a field/value encoding")
    it = iter(entries)
    return zip(it, it, strict=True)


def _as_bytes(entries: list) -> list[bytes]:
    return [e if type(e) is bytes else b"%d" % e for e in entries]


class Decoder:
    """Incremental RDB parser: ``feed(data)`` returns the events completed by ``data``.

    After the checksum has been read, ``done`` is true and bytes fed beyond the end are kept in
    ``trailing`` (a replication stream continues after the RDB). ``verify_checksum=False``
    skips the CRC (``rdbchecksum no`` on the loading side)."""

    def __init__(self, verify_checksum: bool = True) -> None:
        self._buf = b""
        self._pos = 0
        self._mark = 0                # bytes before it are fully consumed
        self._chunks: list[bytes] = []
        self._chunked = 0
        self._need = 0                # bytes past the mark needed before parsing again
        self._crc = 0
        self._check = verify_checksum
        self._state = 0               # 0 header, 1 body, 2 checksum, 3 done
        self._dbid = 0
        self._expire: int | None = None
        self._partial: list | None = None
        self.version = 0
        self.offset = 0               # stream bytes consumed before _buf[0]
        self.done = False
        self.trailing = b""
        self.keys = 0

    # ----- feeding
    def feed(self, data: bytes) -> list[tuple]:
        if self.done:
            self.trailing += data
            return []
        if data:
            self._chunks.append(data)
            self._chunked += len(data)
        if len(self._buf) - self._mark + self._chunked < self._need:
            return []
        mark = self._mark
        if mark:
            if self._check and self._state < 2 and self.version >= 5:
                self._crc = crc64(memoryview(self._buf)[:mark], self._crc)
            self.offset += mark
        if self._chunks:
            self._buf = b"".join([self._buf[mark:], *self._chunks]) if mark < len(self._buf) else (
                self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks))
        else:
            self._buf = self._buf[mark:]
        self._chunks = []
        self._chunked = 0
        self._pos = self._mark = 0
        self._need = 0
        events: list[tuple] = []
        try:
            self._run(events)
        except _Short as short:
            self._pos = self._mark
            self._need = short.end - self._mark
        except (EncodingError, lzf.LZFError) as exc:
            raise RDBError(str(exc)) from None
        return events

    @property
    def position(self) -> int:
        """Stream offset of the first byte not yet consumed (for error messages)."""
        return self.offset + self._mark

    # ----- primitives (raise _Short when the buffer ends)
    def _take(self, n: int) -> bytes:
        p = self._pos
        e = p + n
        if e > len(self._buf):
            raise _Short(e)
        self._pos = e
        return self._buf[p:e]

    def _byte(self) -> int:
        p = self._pos
        if p >= len(self._buf):
            raise _Short(p + 1)
        self._pos = p + 1
        return self._buf[p]

    def _len(self) -> int:
        b = self._byte()
        kind = b >> 6
        if kind == 0:
            return b & 0x3F
        if kind == 1:
            return ((b & 0x3F) << 8) | self._byte()
        if b == 0x80:
            return int.from_bytes(self._take(4), "big")
        if b == 0x81:
            return int.from_bytes(self._take(8), "big")
        raise RDBError(f"Unknown length encoding {b} in rdbLoadLen()")

    def _string(self) -> bytes:
        buf = self._buf
        p = self._pos
        if p >= len(buf):
            raise _Short(p + 1)
        b = buf[p]
        if b < 0x40:                      # the common case: a short raw string
            e = p + 1 + b
            if e > len(buf):
                raise _Short(e)
            self._pos = e
            return buf[p + 1:e]
        kind = b >> 6
        if kind != 3:
            n = self._len()
            return self._take(n)
        self._pos = p + 1
        enc = b & 0x3F
        if enc == 0:
            return b"%d" % int.from_bytes(self._take(1), "little", signed=True)
        if enc == 1:
            return b"%d" % int.from_bytes(self._take(2), "little", signed=True)
        if enc == 2:
            return b"%d" % int.from_bytes(self._take(4), "little", signed=True)
        if enc == 3:
            clen = self._len()
            ulen = self._len()
            return lzf.decompress(self._take(clen), ulen)
        raise RDBError(f"Unknown RDB string encoding type {enc}")

    def _old_double(self) -> float:
        n = self._byte()
        if n == 253:
            return float("nan")
        if n == 254:
            return float("inf")
        if n == 255:
            return float("-inf")
        text = self._take(n)
        try:
            return float(text)
        except ValueError:
            raise RDBError("Invalid double value") from None

    # ----- the stream
    def _run(self, events: list[tuple]) -> None:
        if self._state == 0:
            head = self._take(9)
            if head[:5] != b"REDIS":
                raise RDBError("Wrong signature trying to load DB from file")
            try:
                version = int(head[5:9])
            except ValueError:
                raise RDBError("Wrong signature trying to load DB from file") from None
            if version < 1 or version > MAX_LOAD_VERSION:
                raise RDBError(f"Can't handle RDB format version {version}")
            self.version = version
            self._state = 1
            self._mark = self._pos
        if self._state == 1:
            if self._partial is not None:
                p = self._partial
                value = self._fill(p)
                self._emit_key(events, p[0], p[1], value, p[2])
                self._expire = None
                self._mark = self._pos
            self._body(events)
        if self._state == 2:
            if self.version >= 5:
                stored = int.from_bytes(self._take(8), "little")
                if self._check and stored and stored != self._crc:
                    raise RDBError(f"Wrong RDB checksum expected: ({self._crc:x}) but got ({stored:x})")
            else:
                stored = 0
            self._mark = self._pos
            self._state = 3
            self.done = True
            self.trailing = self._buf[self._pos:]
            self._buf = b""
            self._pos = self._mark = 0
            events.append(("end", stored))

    def _body(self, events: list[tuple]) -> None:
        byte = self._byte
        string = self._string
        while True:
            op = byte()
            if op < 245:
                key = string()
                value = self._value(op, key)
                self._emit_key(events, self._dbid, key, value, self._expire)
                self._expire = None
                self._mark = self._pos
            elif op == OP_EXPIRETIME_MS:
                self._expire = int.from_bytes(self._take(8), "little", signed=True)
            elif op == OP_SELECTDB:
                self._dbid = self._len()
                self._mark = self._pos
            elif op == OP_RESIZEDB:
                self._len()
                self._len()
                self._mark = self._pos
            elif op == OP_AUX:
                name = string()
                events.append(("aux", name, string()))
                self._mark = self._pos
            elif op == OP_EXPIRETIME:
                self._expire = int.from_bytes(self._take(4), "little", signed=True) * 1000
            elif op == OP_IDLE:
                self._len()
            elif op == OP_FREQ:
                byte()
            elif op == OP_EOF:
                if self._check and self.version >= 5:
                    self._crc = crc64(memoryview(self._buf)[:self._pos], self._crc)
                self._mark = self._pos
                self._state = 2
                return
            elif op == OP_FUNCTION2:
                events.append(("function", string()))
                self._mark = self._pos
            elif op == OP_MODULE_AUX:
                module_id = self._len()
                self._len()                  # when_opcode
                self._len()                  # when
                self._skip_module_value()
                events.append(("module_aux", module_id))
                self._mark = self._pos
            elif op == OP_FUNCTION_PRE_GA:
                raise RDBError("Pre-release function format not supported.")
            else:
                raise RDBError(f"Unknown RDB encoding type {op}")

    def _emit_key(self, events: list[tuple], dbid: int, key: bytes, value: object, expire: int | None) -> None:
        self.keys += 1
        events.append(("key", dbid, key, value, expire))

    def _skip_module_value(self) -> None:
        while True:
            opcode = self._len()
            if opcode == 0:
                return
            if opcode in (1, 2):
                self._len()
            elif opcode == 3:
                self._take(4)
            elif opcode == 4:
                self._take(8)
            elif opcode == 5:
                self._string()
            else:
                raise RDBError("Unknown module opcode in module value")

    # ----- values
    def _value(self, rtype: int, key: bytes) -> object:
        if rtype == TYPE_STRING:
            return self._string()
        if rtype in _SEQUENCE_TYPES:
            n = self._len()
            if rtype == TYPE_LIST or rtype == TYPE_LIST_QUICKLIST or rtype == TYPE_LIST_QUICKLIST_2:
                value: object = ListValue()
            elif rtype == TYPE_SET:
                value = set()
            elif rtype == TYPE_HASH:
                value = {}
            else:
                value = _new_zset()
            p = [self._dbid, key, self._expire, rtype, value, n, n]
            self._partial = p
            self._mark = self._pos
            return self._fill(p)
        if rtype in _BLOB_TYPES:
            return _decode_blob(rtype, self._string())
        if rtype in (TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3):
            raise RDBError("Can't load stream type: not supported by pyredis yet")
        if rtype in (TYPE_MODULE, TYPE_MODULE_2):
            raise RDBError("Can't load module type: not supported by pyredis yet")
        raise RDBError(f"Unknown RDB encoding type {rtype}")

    def _fill(self, p: list) -> object:
        """Read the remaining elements of a length-prefixed collection; on a short buffer keep
        what was read (the mark moves past each complete element) and let the caller wait."""
        rtype, value, n = p[3], p[4], p[5]
        string = self._string
        try:
            if rtype == TYPE_HASH:
                while n:
                    field = string()
                    value[field] = string()
                    n -= 1
                    self._mark = self._pos
            elif rtype == TYPE_SET:
                add = value.add
                while n:
                    add(string())
                    n -= 1
                    self._mark = self._pos
            elif rtype == TYPE_LIST:
                append = value.append
                while n:
                    append(string())
                    n -= 1
                    self._mark = self._pos
            elif rtype == TYPE_ZSET_2:
                while n:
                    member = string()
                    score = _unpack_double(self._take(8))[0]
                    if score != score:
                        raise RDBError("Zset with NAN score detected")
                    value.add(member, score)
                    n -= 1
                    self._mark = self._pos
            elif rtype == TYPE_ZSET:
                while n:
                    member = string()
                    score = self._old_double()
                    if score != score:
                        raise RDBError("Zset with NAN score detected")
                    value.add(member, score)
                    n -= 1
                    self._mark = self._pos
            elif rtype == TYPE_LIST_QUICKLIST_2:
                while n:
                    container = self._len()
                    blob = string()
                    if container == QUICKLIST_NODE_PLAIN:
                        value.append(blob)
                    elif container == QUICKLIST_NODE_PACKED:
                        entries = listpack_entries(blob)
                        if not entries:
                            raise RDBError("Empty listpack node in a quicklist")
                        value.extend(_as_bytes(entries))
                    else:
                        raise RDBError(f"Quicklist integrity check failed (unknown container {container})")
                    n -= 1
                    self._mark = self._pos
            else:  # TYPE_LIST_QUICKLIST: ziplist nodes
                while n:
                    entries = ziplist_entries(string())
                    if not entries:
                        raise RDBError("Empty ziplist node in a quicklist")
                    value.extend(_as_bytes(entries))
                    n -= 1
                    self._mark = self._pos
        except _Short:
            p[5] = n
            raise
        self._partial = None
        if rtype in (TYPE_SET, TYPE_HASH, TYPE_ZSET, TYPE_ZSET_2) and len(value) != p[6]:
            raise RDBError("Duplicate set members, hash fields or zset members detected")
        return value


_SEQUENCE_TYPES = frozenset((TYPE_LIST, TYPE_SET, TYPE_ZSET, TYPE_HASH, TYPE_ZSET_2,
                             TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2))
_BLOB_TYPES = frozenset((TYPE_HASH_ZIPMAP, TYPE_LIST_ZIPLIST, TYPE_SET_INTSET, TYPE_ZSET_ZIPLIST,
                         TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK, TYPE_ZSET_LISTPACK, TYPE_SET_LISTPACK))


def _decode_blob(rtype: int, blob: bytes) -> object:
    """A collection stored as one compact blob (ziplist, listpack, intset, zipmap)."""
    if rtype == TYPE_HASH_LISTPACK or rtype == TYPE_HASH_ZIPLIST:
        entries = listpack_entries(blob) if rtype == TYPE_HASH_LISTPACK else ziplist_entries(blob)
        value: dict = {}
        for f, v in _pairs(entries):
            value[f if type(f) is bytes else b"%d" % f] = v if type(v) is bytes else b"%d" % v
        if len(value) * 2 != len(entries):
            raise RDBError("Hash listpack with duplicate fields")
        return value
    if rtype == TYPE_ZSET_LISTPACK or rtype == TYPE_ZSET_ZIPLIST:
        entries = listpack_entries(blob) if rtype == TYPE_ZSET_LISTPACK else ziplist_entries(blob)
        z = _new_zset()
        count = 0
        for m, s in _pairs(entries):
            z.add(m if type(m) is bytes else b"%d" % m, _score(s))
            count += 1
        if len(z) != count:
            raise RDBError("Zset listpack with duplicate members")
        return z
    if rtype == TYPE_SET_INTSET:
        return {b"%d" % v for v in intset_members(blob)}
    if rtype == TYPE_SET_LISTPACK:
        entries = listpack_entries(blob)
        members = set(_as_bytes(entries))
        if len(members) != len(entries):
            raise RDBError("Set listpack with duplicate members")
        return members
    if rtype == TYPE_LIST_ZIPLIST:
        return ListValue(_as_bytes(ziplist_entries(blob)))
    # TYPE_HASH_ZIPMAP
    pairs = zipmap_pairs(blob)
    value = dict(pairs)
    if len(value) != len(pairs):
        raise RDBError("Zipmap with duplicate fields")
    return value


def is_empty(value: object) -> bool:
    """Redis skips keys whose collection loaded empty (``empty keys skipped``)."""
    return type(value) is not bytes and len(value) == 0  # type: ignore[arg-type]


def decode(data: bytes, verify_checksum: bool = True) -> list[tuple]:
    """Every event of a complete RDB file; a truncated one is an error."""
    dec = Decoder(verify_checksum)
    events = dec.feed(data)
    if not dec.done:
        raise RDBError("Unexpected EOF reading RDB file")
    return events


def check_payload(payload: bytes, verify_checksum: bool = True) -> bool:
    """DUMP payload footer check (``verifyDumpPayload``): version not newer than ours, CRC right."""
    if len(payload) < 10:
        return False
    version = int.from_bytes(payload[-10:-8], "little")
    if version > MAX_LOAD_VERSION:
        return False
    if not verify_checksum:
        return True
    return crc64(memoryview(payload)[:-8]) == int.from_bytes(payload[-8:], "little")


def load_payload(payload: bytes) -> object:
    """The value of a DUMP payload whose footer ``check_payload`` accepted; RDBError if the
    body is malformed, has trailing bytes, or holds an empty collection (``Bad data format``)."""
    dec = Decoder(verify_checksum=False)
    dec._buf = payload[:-10]
    try:
        rtype = dec._byte()
        if rtype >= 245:
            raise RDBError("Bad data format")
        value = dec._value(rtype, b"")
    except _Short:
        raise RDBError("Bad data format") from None
    except (EncodingError, lzf.LZFError) as exc:
        raise RDBError(str(exc)) from None
    if dec._pos != len(dec._buf) or is_empty(value):
        raise RDBError("Bad data format")
    return value
