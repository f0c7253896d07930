"""The request parser: bytes in, argument lists out (sans-IO).

Multibulk requests (``*N\\r\\n$len\\r\\n...``) go through hiredis's C reader; inline requests
(``PING\\r\\n``, what telnet and ``redis-cli`` pipes send) are split here, as Redis's
``processInlineBuffer`` does. A connection may mix both: whenever hiredis holds no partial
request and the next byte is not ``*``, the inline path takes over until the next ``*``.

hiredis would wait forever for a bulk of 10 GB, so while a request is incomplete we walk its
headers ourselves (incrementally, so a long request is walked once) and refuse what Redis
refuses: a multibulk count over 1024*1024 or a bulk length over ``proto-max-bulk-len``. The
query buffer as a whole is capped by ``client-query-buffer-limit``. Errors are
``ProtocolError``s carrying Redis's text; the connection replies with it and closes.
"""

import hiredis

from .errors import ProtocolError

INLINE_MAX_SIZE = 64 * 1024
MULTIBULK_MAX = 1024 * 1024

_NEED_MORE = False


class RequestParser:
    __slots__ = ("_reader", "_inline", "_carry", "_hdr", "_left", "_skip", "max_bulk_len",
                 "query_buffer_limit")

    def __init__(self, max_bulk_len: int = 512 * 1024 * 1024, query_buffer_limit: int = 1024 ** 3) -> None:
        self._reader = hiredis.Reader()
        self._inline = b""    # unconsumed bytes held by the inline path
        self._carry = 0       # bytes of an incomplete multibulk request fed to hiredis so far
        self._hdr = b""       # header walk: a header line cut by the end of the data so far
        self._left = -1       # bulks still expected in the incomplete request (-1: none started)
        self._skip = 0        # bytes of the current bulk (and its CRLF) still to come
        self.max_bulk_len = max_bulk_len
        self.query_buffer_limit = query_buffer_limit

    def pending(self) -> int:
        """Bytes received but not yet parsed into a request (CLIENT LIST ``qbuf``)."""
        return len(self._inline) + self._carry

    def feed(self, data: bytes) -> list:
        """Parse ``data`` and return the complete requests (lists of bytes) now available."""
        out: list = []
        if self._inline or (not self._carry and data and data[0] != 42):  # 42 is '*'
            data = self._parse_inline(self._inline + data, out)
            if not data:
                return out
        first = len(out)
        reader = self._reader
        reader.feed(data)
        gets = reader.gets
        while True:
            try:
                req = gets()
            except hiredis.ProtocolError as exc:
                # hiredis found a byte that starts no RESP type: an inline request follows a
                # multibulk one in the same read (telnet-style clients do this)
                offset = self._consumed(out, first)
                if offset >= len(data) or data[offset] == 42:
                    raise ProtocolError(b"ERR Protocol error: " + str(exc).encode()) from None
                self._reader = reader = hiredis.Reader()
                gets = reader.gets
                self._carry = 0
                self._reset_walk()
                rest = self._parse_inline(data[offset:], out)
                if not rest:
                    return out
                data = rest
                first = len(out)
                reader.feed(data)
                continue
            if req is False:
                break
            if type(req) is not list:
                raise ProtocolError(b"ERR Protocol error: expected '$', got something else")
            if req:
                out.append(req)
            elif not reader.has_data():
                break
        if reader.has_data():
            if len(out) > first:
                offset = self._consumed(out, first)
                self._reset_walk()
                self._carry = 0
                data = data[offset:]
            self._carry += len(data)
            if self._carry > self.query_buffer_limit:
                raise ProtocolError(b"")  # closed without a reply, as Redis does
            self._walk(data)
        elif self._carry:
            self._carry = 0
            self._reset_walk()
        return out

    def _consumed(self, out: list, first: int) -> int:
        """Bytes of the current data chunk taken by the requests completed from it."""
        total = -self._carry
        for req in out[first:]:
            total += len(b"*%d\r\n" % len(req))
            for arg in req:
                total += len(b"$%d\r\n" % len(arg)) + len(arg) + 2
        return total

    def _reset_walk(self) -> None:
        self._hdr = b""
        self._left = -1
        self._skip = 0

    def _walk(self, chunk: bytes) -> None:
        """Check the headers of the incomplete request against Redis's limits, chunk by chunk, so a
        long request is walked once and a huge announced bulk is refused before it is buffered."""
        pos = 0
        n = len(chunk)
        while pos < n:
            if self._skip:
                take = min(self._skip, n - pos)
                self._skip -= take
                pos += take
                continue
            eol = chunk.find(b"\n", pos)
            if eol < 0:
                self._hdr += chunk[pos:]
                if len(self._hdr) > INLINE_MAX_SIZE:
                    kind = b"multibulk" if self._left < 0 else b"bulk"
                    raise ProtocolError(b"ERR Protocol error: too big %s count string" % kind)
                return
            line = (self._hdr + chunk[pos:eol]).rstrip(b"\r")
            self._hdr = b""
            pos = eol + 1
            if self._left < 0:
                try:
                    count = int(line[1:])
                except ValueError:
                    raise ProtocolError(b"ERR Protocol error: invalid multibulk length") from None
                if count > MULTIBULK_MAX:
                    raise ProtocolError(b"ERR Protocol error: invalid multibulk length")
                if count > 0:
                    self._left = count
            else:
                if line[:1] != b"$":
                    raise ProtocolError(b"ERR Protocol error: expected '$', got '%s'" % line[:1])
                try:
                    size = int(line[1:])
                except ValueError:
                    raise ProtocolError(b"ERR Protocol error: invalid bulk length") from None
                if size < 0 or size > self.max_bulk_len:
                    raise ProtocolError(b"ERR Protocol error: invalid bulk length")
                self._skip = size + 2
                self._left -= 1
                if self._left == 0:
                    self._left = -1

    def _parse_inline(self, buf: bytes, out: list) -> bytes:
        """Consume inline lines from ``buf``; return the rest once it starts a multibulk request."""
        pos = 0
        n = len(buf)
        while pos < n:
            if buf[pos] == 42:
                self._inline = b""
                return buf[pos:]
            nl = buf.find(b"\n", pos)
            if nl < 0:
                if n - pos > INLINE_MAX_SIZE:
                    raise ProtocolError(b"ERR Protocol error: too big inline request")
                break
            line = buf[pos:nl]
            pos = nl + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            args = split_inline(line)
            if args:
                out.append(args)
        self._inline = buf[pos:]
        return b""


def split_inline(line: bytes) -> list[bytes]:
    """Split an inline request the way ``sdssplitargs`` does: spaces, "double" and 'single' quotes
    with escapes. Unbalanced quotes are a protocol error."""
    if b'"' not in line and b"'" not in line:
        return line.split()
    args: list[bytes] = []
    i = 0
    n = len(line)
    while True:
        while i < n and line[i] in b" \t\n\r\x0b\x0c":
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        in_dq = in_sq = False
        while True:
            if i >= n:
                if in_dq or in_sq:
                    raise ProtocolError(b"ERR Protocol error: unbalanced quotes in request")
                break
            c = line[i]
            if in_dq:
                if c == 92 and i + 3 < n and line[i + 1] == 120 and _ishex(line[i + 2]) and _ishex(line[i + 3]):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == 92 and i + 1 < n:
                    i += 1
                    cur.append({110: 10, 114: 13, 116: 9, 98: 8, 97: 7}.get(line[i], line[i]))
                elif c == 34:
                    if i + 1 < n and line[i + 1] not in b" \t\n\r\x0b\x0c":
                        raise ProtocolError(b"ERR Protocol error: unbalanced quotes in request")
                    in_dq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            elif in_sq:
                if c == 92 and i + 1 < n and line[i + 1] == 39:
                    i += 1
                    cur.append(39)
                elif c == 39:
                    if i + 1 < n and line[i + 1] not in b" \t\n\r\x0b\x0c":
                        raise ProtocolError(b"ERR Protocol error: unbalanced quotes in request")
                    in_sq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            else:
                if c in b" \t\n\r\x0b\x0c":
                    break
                if c == 34:
                    in_dq = True
                elif c == 39:
                    in_sq = True
                else:
                    cur.append(c)
            i += 1
        args.append(bytes(cur))


def _ishex(c: int) -> bool:
    return c in b"0123456789abcdefABCDEF"
