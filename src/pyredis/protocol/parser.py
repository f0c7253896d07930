"""The request parser: bytes in, argument lists out (sans-IO).

Two readers that agree byte for byte:

* ``_parse_slow`` is Redis 7.0's ``processInputBuffer`` rewritten: inline requests
  (``processInlineBuffer``: up to ``\\n``, split by ``sdssplitargs``) and multibulk requests
  (``processMultibulkBuffer``: ``*N\\r`` then ``$len\\r`` + payload, strict ``string2ll``
  numbers, the payload's trailing two bytes skipped unchecked). It keeps Redis's quirks — header
  lines are found with ``strchr(…, '\\r')`` so a NUL byte hides them, ``*0``/``*-5`` are empty
  requests — and its limits: a header line over 64 KB, a multibulk count over INT_MAX, a bulk over
  ``proto-max-bulk-len``. Nothing is allocated from an announced size: a bulk is buffered as it
  arrives, so a client announcing 500 MB costs what it actually sent.
* The fast path hands a chunk that starts a fresh request to hiredis's C reader. hiredis would
  allocate a list of whatever count it reads and accepts reply types Redis refuses in requests,
  so a chunk goes there only when a scan shows none of that can occur (no count of 6+ digits, no
  status/verbatim/big-number element); every result is checked to be a list of bytes. If hiredis stops on
  an error, a non-bytes element or an incomplete request, the rest of the chunk — found
  by the canonical length of the requests it completed, which the scan makes exact — goes to the
  slow reader.

A protocol error raises ``ProtocolError`` with Redis's text (empty text: the query buffer limit,
which Redis enforces by closing without a reply); the requests completed before the error are in
``exc.requests`` so they run first, as in Redis.
"""

import re

import hiredis

from .errors import ProtocolError

INLINE_MAX_SIZE = 64 * 1024          # PROTO_INLINE_MAX_SIZE
INT_MAX = (1 << 31) - 1
LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)

# what hiredis must not see: an aggregate count of 6+ digits — an array ("*"), or a RESP3 map,
# set, push or attribute ("%~>|"), which hiredis turns into a list or dict sized by the count:
# dropping one walks every slot, 38 s for a push of 2**31-1 — or a status, verbatim or
# big-number element ("+=(") it would turn into bytes (Redis refuses those: expected '$').
# Both are found in one translated copy of the read, where every digit reads "0", every
# aggregate mark "*" and every string-like mark "+", by two finds. For a read of 16 SETs that
# costs what the regex scans and finds did (~15k instructions); for an MSET of 10 keys, 8k
# instead of 12.5k. A sign after the mark needs no guard: hiredis refuses "+" and reads "-" as
# a null, allocating nothing.
_GUARD_MARKS = bytes.maketrans(b"0123456789%~>|=(", b"0000000000****++")
_STRING2LL = re.compile(rb"0|-?[1-9][0-9]{0,19}")

# one short request per read (what a client that waits for each reply sends): split on CRLF and
# check that the pieces rebuild the read exactly — "*<n>" then n times "$<len>", <len> bytes —
# which is cheaper than hiredis plus the guards for up to 4 arguments. Beyond, each argument
# costs two split pieces and a header check (~1.3k instructions) against ~0.4k in hiredis: an
# MSET of 10 keys parses in 34k here, 30k through hiredis and its guards. A payload holding
# CRLF, a second request, an odd header: the pieces don't fit, and the read takes the general
# path.
_ONE_MAX = 1024
_ONE_COUNT = {b"*%d" % n: n for n in range(1, 5)}
_ONE_BULK_HEADER = [b"$%d" % n for n in range(_ONE_MAX)]
# what makes inline lines more than bytes.split words: quotes, \x0b/\x0c (sdssplitargs skips
# them between arguments but not inside one) and NUL (Redis finds the line end with strchr)
_INLINE_SPECIAL = b"\"'\x0b\x0c\x00"

_REQ_NONE, _REQ_INLINE, _REQ_MULTIBULK = 0, 1, 2
_SPLIT_SPECIAL = b"\"'\x0b\x0c"     # what makes split_inline do more than bytes.split


def string2ll(text: bytes | bytearray) -> int | None:
    """Redis's strict ``string2ll``: no sign but '-', no leading zeros or spaces, 64-bit range."""
    if 0 < len(text) < 19 and text.isdigit() and (text[0] != 48 or len(text) == 1):
        return int(text)        # plain digits below 10**18 (most integers): no regex needed
    if not _STRING2LL.fullmatch(text):
        return None
    value = int(text)
    return value if LLONG_MIN <= value <= LLONG_MAX else None


class RequestParser:
    __slots__ = ("_reader", "_buf", "_pos", "_reqtype", "_multibulklen", "_bulklen", "_argv",
                 "max_bulk_len", "query_buffer_limit", "auth_required", "one", "one_raw")

    def __init__(self, max_bulk_len: int = 512 * 1024 * 1024, query_buffer_limit: int = 1024 ** 3) -> None:
        self._reader = hiredis.Reader()
        self._buf = bytearray()   # the slow reader's query buffer (``c->querybuf``)
        self._pos = 0             # ``c->qb_pos``
        self._reqtype = _REQ_NONE
        self._multibulklen = 0
        self._bulklen = -1
        self._argv: list[bytes] = []
        self.max_bulk_len = max_bulk_len
        self.query_buffer_limit = query_buffer_limit
        # set while the client has not authenticated: Redis then refuses counts over 10 and bulks
        # over 16 KB before buffering them
        self.auth_required = False
        # the request of the last read that was exactly one canonically encoded request, and
        # that read (``one is argv`` identifies it: see ``ReplicationMaster.feed_write``)
        self.one: list | None = None
        self.one_raw = b""

    def idle(self) -> bool:
        """No partial request is held: every byte fed so far belongs to a returned request."""
        return not self._buf and self._reqtype == _REQ_NONE

    def pending(self) -> int:
        """Bytes received but not yet parsed into a request (CLIENT LIST ``qbuf``)."""
        return len(self._buf) - self._pos

    def feed(self, data: bytes) -> list:
        """Parse ``data`` and return the complete requests (lists of bytes) now available."""
        out: list = []
        if self._buf or self._reqtype or not data:
            # finish the request an earlier read left partial; what follows it gets the fast
            # path again (a replica's or a pipelining client's reads rarely end on a boundary)
            self._buf += data
            self._parse_slow(out, one=True)
            if self._reqtype != _REQ_NONE or not self._buf:
                return out
            data = bytes(self._buf)
            self._buf = bytearray()
        elif self.auth_required:
            pass
        elif data[0] == 42:
            # (a one-digit count, a single request: split only what the path can take)
            if 8 < len(data) < _ONE_MAX and data[2] == 13 and data.find(b"\n*") < 0:
                parts = data.split(b"\r\n")
                n = _ONE_COUNT.get(parts[0])
                if n is not None and len(parts) == 2 * n + 2 and not parts[-1]:
                    argv = parts[2:-1:2]
                    h = _ONE_BULK_HEADER
                    # each header must give its argument's length (unrolled for the usual
                    # counts: a comprehension costs a function call in Python 3.11)
                    if n == 3:
                        a, b, c = argv
                        fits = (parts[1], parts[3], parts[5]) == (h[len(a)], h[len(b)], h[len(c)])
                    elif n == 2:
                        a, b = argv
                        fits = (parts[1], parts[3]) == (h[len(a)], h[len(b)])
                    elif n == 4:
                        a, b, c, e = argv
                        fits = (parts[1], parts[3], parts[5], parts[7]) == (h[len(a)], h[len(b)], h[len(c)], h[len(e)])
                    else:
                        fits = parts[1] == h[len(argv[0])]
                    if fits:
                        # the read is this request's canonical encoding: a master propagating
                        # it verbatim sends these bytes instead of encoding it again
                        self.one = argv
                        self.one_raw = data
                        return [argv]
        elif (data[-1] == 10 and len(data) <= INLINE_MAX_SIZE and data.find(b"*") < 0
              and len(data.translate(None, _INLINE_SPECIAL)) == len(data)):
            # whole inline lines with nothing to unquote (redis-benchmark's PING_INLINE, telnet):
            # each line split on whitespace as sdssplitargs does, empty lines skipped
            return list(filter(None, map(bytes.split, data.split(b"\n"))))
        first = len(out)        # requests before this one came from the slow reader
        # (before AUTH only the slow reader, which applies Redis's unauthenticated limits; find,
        # not ``in``: bytes.__contains__ first tries the needle as an int and formats a TypeError)
        if data[0] != 42 or self.auth_required or (
                (marks := data.translate(_GUARD_MARKS)).find(b"*000000") >= 0 or marks.find(b"\n+") >= 0):
            self._buf = bytearray(data)
            self._parse_slow(out)
            return out
        reader = self._reader
        reader.feed(data)
        gets = reader.gets
        try:
            while True:
                req = gets()
                if req is False:
                    break
                # anything but a non-empty list of bytes (an empty request, a nested or typed
                # element, an error reply) is redone by the slow reader, which knows Redis's answer
                if type(req) is not list or not req:
                    return self._fall_back(data, out, first)
                for arg in req:
                    if type(arg) is not bytes:
                        return self._fall_back(data, out, first)
                out.append(req)
            # hiredis can't say whether it holds a partial request; an empty status line answers:
            # only a reader between requests turns it into a reply of its own
            reader.feed(b"+\r\n")
            if gets() != b"":
                return self._fall_back(data, out, first)
        except (hiredis.ProtocolError, MemoryError):
            return self._fall_back(data, out, first)
        return out

    def _fall_back(self, data: bytes, out: list, first: int) -> list:
        """hiredis stopped early: the slow reader takes the chunk from the first request hiredis
        did not complete cleanly (``out[first:]`` are the requests hiredis took from ``data``)."""
        self._reader = hiredis.Reader()
        offset = 0
        for req in out[first:]:
            offset += canonical_len(req)
        self._buf = bytearray(data[offset:])
        self._parse_slow(out)
        return out

    # ----- Redis's reader
    def _parse_slow(self, out: list, one: bool = False) -> None:
        """Parse the query buffer into ``out``; with ``one``, stop after the first request."""
        buf = self._buf
        n = len(buf)
        try:
            while self._pos < n:
                if self._reqtype == _REQ_NONE:
                    self._reqtype = _REQ_MULTIBULK if buf[self._pos] == 42 else _REQ_INLINE
                if self._reqtype == _REQ_INLINE:
                    done = self._inline(buf, n)
                else:
                    done = self._multibulk(buf, n)
                if not done:
                    break
                argv = self._argv
                self._argv = []
                self._reqtype = _REQ_NONE
                self._multibulklen = 0
                self._bulklen = -1
                if argv:
                    out.append(argv)
                if one:
                    break
        except ProtocolError as exc:
            self._reset()
            exc.requests = out
            raise
        pos = self._pos
        if pos:
            if pos >= n:
                self._buf = bytearray()
            else:
                del buf[:pos]
            self._pos = 0
        if len(self._buf) > self.query_buffer_limit:
            self._reset()
            exc = ProtocolError(b"")   # Redis closes without a reply
            exc.requests = out
            raise exc

    def _reset(self) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._reqtype = _REQ_NONE
        self._multibulklen = 0
        self._bulklen = -1
        self._argv = []

    def _inline(self, buf: bytearray, n: int) -> bool:
        pos = self._pos
        nl = _strchr(buf, 10, pos, n)
        if nl < 0:
            if n - pos > INLINE_MAX_SIZE:
                raise ProtocolError(b"ERR Protocol error: too big inline request")
            return False
        end = nl - 1 if nl != pos and buf[nl - 1] == 13 else nl
        self._argv = split_inline(bytes(buf[pos:end]))
        self._pos = nl + 1
        return True

    def _multibulk(self, buf: bytearray, n: int) -> bool:
        pos = self._pos
        if self._multibulklen == 0:
            cr = _strchr(buf, 13, pos, n)
            if cr < 0:
                if n - pos > INLINE_MAX_SIZE:
                    raise ProtocolError(b"ERR Protocol error: too big mbulk count string")
                return False
            if cr - pos > n - pos - 2:     # the '\n' (or whatever follows '\r') is not here yet
                return False
            count = string2ll(buf[pos + 1:cr])
            if count is None or count > INT_MAX:
                raise ProtocolError(b"ERR Protocol error: invalid multibulk length")
            if count > 10 and self.auth_required:
                raise ProtocolError(b"ERR Protocol error: unauthenticated multibulk length")
            self._pos = pos = cr + 2
            if count <= 0:
                return True
            self._multibulklen = count
        argv = self._argv
        while self._multibulklen:
            if self._bulklen == -1:
                cr = _strchr(buf, 13, pos, n)
                if cr < 0:
                    if n - pos > INLINE_MAX_SIZE:
                        raise ProtocolError(b"ERR Protocol error: too big bulk count string")
                    break
                if cr - pos > n - pos - 2:
                    break
                if buf[pos] != 36:   # '$'
                    raise ProtocolError(b"ERR Protocol error: expected '$', got '%c'" % buf[pos])
                size = string2ll(buf[pos + 1:cr])
                if size is None or size < 0 or size > self.max_bulk_len:
                    raise ProtocolError(b"ERR Protocol error: invalid bulk length")
                if size > 16384 and self.auth_required:
                    raise ProtocolError(b"ERR Protocol error: unauthenticated bulk length")
                self._pos = pos = cr + 2
                self._bulklen = size
            size = self._bulklen
            if n - pos < size + 2:
                break
            argv.append(bytes(buf[pos:pos + size]))
            self._pos = pos = pos + size + 2
            self._bulklen = -1
            self._multibulklen -= 1
        return self._multibulklen == 0


def _strchr(buf: bytearray, char: int, pos: int, end: int) -> int:
    """``strchr`` on Redis's NUL-terminated query buffer: a NUL byte before ``char`` hides it."""
    at = buf.find(char, pos, end)
    if at < 0:
        return -1
    if buf.find(0, pos, at) >= 0:
        return -1
    return at


def canonical_len(req: list) -> int:
    """Bytes of ``req`` in the one encoding the fast path lets through (``*N\\r\\n$len\\r\\n...``)."""
    total = len(b"*%d\r\n" % len(req))
    for arg in req:
        total += len(b"$%d\r\n" % len(arg)) + len(arg) + 2
    return total


def split_inline(line: bytes) -> list[bytes]:
    """Split an inline request the way ``sdssplitargs`` does: spaces, "double" and 'single' quotes
    with escapes. Unbalanced quotes are a protocol error."""
    if len(line.translate(None, _SPLIT_SPECIAL)) == len(line):    # nothing to unquote
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
                if c in b" \t\n\r":
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
