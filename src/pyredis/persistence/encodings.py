"""The compact blobs Redis stores inside RDB strings: listpack, ziplist, intset and zipmap.

Redis writes small collections as one string holding its in-memory compact encoding (listpack
since 7.0, ziplist before, intset for small integer sets, zipmap before 2.6). The decoders here
turn such a blob into its entries — ``bytes`` for strings, ``int`` for integers — and check the
framing as they go, raising ``EncodingError`` instead of reading past an end, because the blob
may come from a corrupt file or a hostile RESTORE payload.

The encoders produce the same layouts (as Redis would encode the same entries); the RDB writer
does not need them (it writes the plain types), they serve tests and any future writer that
wants Redis's exact bytes.
"""

import struct


class EncodingError(ValueError):
    """A compact blob is malformed."""


def entry_bytes(entry: bytes | int) -> bytes:
    return entry if type(entry) is bytes else b"%d" % entry


# ----- listpack (listpack.c): <total u32><count u16> entries... 0xFF
# entry = <encoding+data><backlen>, backlen = size of encoding+data in 1..5 bytes

def _backlen_size(size: int) -> int:
    if size <= 127:
        return 1
    if size < 16383:
        return 2
    if size < 2097151:
        return 3
    if size < 268435455:
        return 4
    return 5


def listpack_entries(blob: bytes) -> list[bytes | int]:
    n = len(blob)
    if n < 7 or int.from_bytes(blob[0:4], "little") != n or blob[n - 1] != 0xFF:
        raise EncodingError("listpack integrity check failed")
    count = blob[4] | (blob[5] << 8)
    out: list[bytes | int] = []
    append = out.append
    p = 6
    try:
        while True:
            b = blob[p]
            if b < 0x80:
                append(b)
                size = 1
            elif b < 0xC0:
                size = 1 + (b & 0x3F)
                append(blob[p + 1:p + size])
            elif b < 0xE0:
                v = ((b & 0x1F) << 8) | blob[p + 1]
                append(v - 8192 if v >= 4096 else v)
                size = 2
            elif b < 0xF0:
                size = 2 + (((b & 0x0F) << 8) | blob[p + 1])
                append(blob[p + 2:p + size])
            elif b == 0xF0:
                size = 5 + int.from_bytes(blob[p + 1:p + 5], "little")
                append(blob[p + 5:p + size])
            elif b == 0xF1:
                append(int.from_bytes(blob[p + 1:p + 3], "little", signed=True))
                size = 3
            elif b == 0xF2:
                append(int.from_bytes(blob[p + 1:p + 4], "little", signed=True))
                size = 4
            elif b == 0xF3:
                append(int.from_bytes(blob[p + 1:p + 5], "little", signed=True))
                size = 5
            elif b == 0xF4:
                append(int.from_bytes(blob[p + 1:p + 9], "little", signed=True))
                size = 9
            elif b == 0xFF:
                break
            else:
                raise EncodingError("listpack integrity check failed")
            p += size + _backlen_size(size)
            if p >= n:
                raise EncodingError("listpack integrity check failed")
    except IndexError:
        raise EncodingError("listpack integrity check failed") from None
    if p != n - 1 or (count != 65535 and count != len(out)):
        raise EncodingError("listpack integrity check failed")
    return out


def _int_of(entry: bytes) -> int | None:
    """The integer a string would be stored as (Redis's ``string2ll``: canonical form only)."""
    if 0 < len(entry) <= 20 and (48 <= entry[0] <= 57 or entry[0] == 45):
        try:
            v = int(entry)
        except ValueError:
            return None
        if b"%d" % v == entry and -(1 << 63) <= v < (1 << 63):
            return v
    return None


def _backlen(size: int) -> bytes:
    if size <= 127:
        return bytes((size,))
    if size < 16383:
        return bytes((size >> 7, (size & 127) | 128))
    if size < 2097151:
        return bytes((size >> 14, ((size >> 7) & 127) | 128, (size & 127) | 128))
    if size < 268435455:
        return bytes((size >> 21, ((size >> 14) & 127) | 128, ((size >> 7) & 127) | 128, (size & 127) | 128))
    return bytes((size >> 28, ((size >> 21) & 127) | 128, ((size >> 14) & 127) | 128,
                  ((size >> 7) & 127) | 128, (size & 127) | 128))


def listpack_encode(entries: list[bytes | int]) -> bytes:
    parts = []
    for e in entries:
        v = e if type(e) is int else _int_of(e)  # type: ignore[arg-type]
        if v is not None:
            if 0 <= v <= 127:
                enc = bytes((v,))
            elif -4096 <= v <= 4095:
                u = v & 0x1FFF
                enc = bytes((0xC0 | (u >> 8), u & 0xFF))
            elif -32768 <= v <= 32767:
                enc = b"\xf1" + v.to_bytes(2, "little", signed=True)
            elif -(1 << 23) <= v < (1 << 23):
                enc = b"\xf2" + v.to_bytes(3, "little", signed=True)
            elif -(1 << 31) <= v < (1 << 31):
                enc = b"\xf3" + v.to_bytes(4, "little", signed=True)
            else:
                enc = b"\xf4" + v.to_bytes(8, "little", signed=True)
        else:
            s: bytes = e  # type: ignore[assignment]
            ln = len(s)
            if ln < 64:
                enc = bytes((0x80 | ln,)) + s
            elif ln < 4096:
                enc = bytes((0xE0 | (ln >> 8), ln & 0xFF)) + s
            else:
                enc = b"\xf0" + ln.to_bytes(4, "little") + s
        parts.append(enc + _backlen(len(enc)))
    body = b"".join(parts)
    total = 6 + len(body) + 1
    count = len(entries) if len(entries) < 65535 else 65535
    return total.to_bytes(4, "little") + count.to_bytes(2, "little") + body + b"\xff"


# ----- ziplist (ziplist.c): <zlbytes u32><zltail u32><zllen u16> entries... 0xFF
# entry = <prevlen 1 or 5 bytes><encoding><data>

def ziplist_entries(blob: bytes) -> list[bytes | int]:
    n = len(blob)
    if n < 11 or int.from_bytes(blob[0:4], "little") != n or blob[n - 1] != 0xFF:
        raise EncodingError("ziplist integrity check failed")
    count = blob[8] | (blob[9] << 8)
    out: list[bytes | int] = []
    append = out.append
    p = 10
    try:
        while blob[p] != 0xFF:
            p += 1 if blob[p] < 254 else 5
            b = blob[p]
            enc = b >> 6
            if enc == 0:
                ln = b & 0x3F
                p += 1
                append(blob[p:p + ln])
                p += ln
            elif enc == 1:
                ln = ((b & 0x3F) << 8) | blob[p + 1]
                p += 2
                append(blob[p:p + ln])
                p += ln
            elif enc == 2:
                ln = int.from_bytes(blob[p + 1:p + 5], "big")
                p += 5
                append(blob[p:p + ln])
                p += ln
            elif b == 0xC0:
                append(int.from_bytes(blob[p + 1:p + 3], "little", signed=True))
                p += 3
            elif b == 0xD0:
                append(int.from_bytes(blob[p + 1:p + 5], "little", signed=True))
                p += 5
            elif b == 0xE0:
                append(int.from_bytes(blob[p + 1:p + 9], "little", signed=True))
                p += 9
            elif b == 0xF0:
                append(int.from_bytes(blob[p + 1:p + 4], "little", signed=True))
                p += 4
            elif b == 0xFE:
                append(int.from_bytes(blob[p + 1:p + 2], "little", signed=True))
                p += 2
            elif 0xF1 <= b <= 0xFD:
                append((b & 0x0F) - 1)
                p += 1
            else:
                raise EncodingError("ziplist integrity check failed")
            if p >= n:
                raise EncodingError("ziplist integrity check failed")
    except IndexError:
        raise EncodingError("ziplist integrity check failed") from None
    if p != n - 1 or (count != 65535 and count != len(out)):
        raise EncodingError("ziplist integrity check failed")
    return out


def ziplist_encode(entries: list[bytes | int]) -> bytes:
    parts = []
    prevlen = 0
    tail = 10
    for e in entries:
        v = e if type(e) is int else _int_of(e)  # type: ignore[arg-type]
        if v is not None:
            if 0 <= v <= 12:
                enc = bytes((0xF1 + v,))
            elif -128 <= v <= 127:
                enc = b"\xfe" + v.to_bytes(1, "little", signed=True)
            elif -32768 <= v <= 32767:
                enc = b"\xc0" + v.to_bytes(2, "little", signed=True)
            elif -(1 << 23) <= v < (1 << 23):
                enc = b"\xf0" + v.to_bytes(3, "little", signed=True)
            elif -(1 << 31) <= v < (1 << 31):
                enc = b"\xd0" + v.to_bytes(4, "little", signed=True)
            else:
                enc = b"\xe0" + v.to_bytes(8, "little", signed=True)
        else:
            s: bytes = e  # type: ignore[assignment]
            ln = len(s)
            if ln < 64:
                enc = bytes((ln,)) + s
            elif ln < 16384:
                enc = bytes((0x40 | (ln >> 8), ln & 0xFF)) + s
            else:
                enc = b"\x80" + ln.to_bytes(4, "big") + s
        prev = bytes((prevlen,)) if prevlen < 254 else b"\xfe" + prevlen.to_bytes(4, "little")
        entry = prev + enc
        if parts:
            tail += prevlen
        parts.append(entry)
        prevlen = len(entry)
    body = b"".join(parts)
    total = 10 + len(body) + 1
    count = min(len(entries), 65535)
    return (total.to_bytes(4, "little") + tail.to_bytes(4, "little") + count.to_bytes(2, "little")
            + body + b"\xff")


# ----- intset (intset.c): <encoding u32: 2, 4 or 8><length u32> sorted little-endian integers

_INTSET_FMT = {2: "<h", 4: "<i", 8: "<q"}


def intset_members(blob: bytes) -> list[int]:
    if len(blob) < 8:
        raise EncodingError("intset integrity check failed")
    width = int.from_bytes(blob[0:4], "little")
    count = int.from_bytes(blob[4:8], "little")
    fmt = _INTSET_FMT.get(width)
    if fmt is None or len(blob) != 8 + width * count:
        raise EncodingError("intset integrity check failed")
    return [v for (v,) in struct.iter_unpack(fmt, blob[8:])]


def intset_encode(members: list[int]) -> bytes:
    values = sorted(members)
    lo, hi = (values[0], values[-1]) if values else (0, 0)
    width = 2 if -32768 <= lo and hi <= 32767 else 4 if -(1 << 31) <= lo and hi < (1 << 31) else 8
    fmt = _INTSET_FMT[width]
    return (width.to_bytes(4, "little") + len(values).to_bytes(4, "little")
            + b"".join(struct.pack(fmt, v) for v in values))


# ----- zipmap (zipmap.c, before Redis 2.6): <zmlen u8> (<len>key <len><free u8>value<free bytes>)... 0xFF

def zipmap_pairs(blob: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    n = len(blob)
    p = 1
    try:
        while blob[p] != 0xFF:
            pair = []
            for is_value in (False, True):
                ln = blob[p]
                if ln < 254:
                    p += 1
                elif ln == 254:
                    ln = int.from_bytes(blob[p + 1:p + 5], "little")
                    p += 5
                else:
                    raise EncodingError("zipmap integrity check failed")
                free = 0
                if is_value:
                    free = blob[p]
                    p += 1
                if p + ln > n:
                    raise EncodingError("zipmap integrity check failed")
                pair.append(blob[p:p + ln])
                p += ln + free
            out.append((pair[0], pair[1]))
    except IndexError:
        raise EncodingError("zipmap integrity check failed") from None
    if p != n - 1:
        raise EncodingError("zipmap integrity check failed")
    return out


def zipmap_encode(pairs: list[tuple[bytes, bytes]]) -> bytes:
    def zlen(ln: int) -> bytes:
        return bytes((ln,)) if ln < 254 else b"\xfe" + ln.to_bytes(4, "little")

    body = b"".join(zlen(len(k)) + k + zlen(len(v)) + b"\x00" + v for k, v in pairs)
    return bytes((min(len(pairs), 254),)) + body + b"\xff"
