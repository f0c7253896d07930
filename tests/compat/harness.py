"""Differential testing: the same commands to pyredis and to a real redis-server, raw replies compared.

``RawClient`` speaks RESP over a plain socket and returns each reply's exact bytes, so the
comparison sees what a client library would hide (status vs bulk, integer vs string, RESP3 types).
"""

import socket


def encode(argv: list[bytes | str | int]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for a in argv:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode()
        parts.append(b"$%d\r\n%b\r\n" % (len(a), a))
    return b"".join(parts)


class RawClient:
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_reply(self) -> bytes:
        """The bytes of exactly one reply."""
        while True:
            end = reply_end(self.buf, 0)
            if end >= 0:
                reply, self.buf = self.buf[:end], self.buf[end:]
                return reply
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk

    def call(self, *argv) -> bytes:
        self.sock.sendall(encode(list(argv)))
        return self.read_reply()

    def close(self) -> None:
        self.sock.close()


def run_both(py_port: int, real_port: int, commands: list[list], reset: bool = True) -> list[tuple[bytes, bytes]]:
    """Send each command to both servers; return the pairs of raw replies."""
    a, b = RawClient(py_port), RawClient(real_port)
    try:
        if reset:
            a.call("FLUSHALL")
            b.call("FLUSHALL")
        return [(a.call(*cmd), b.call(*cmd)) for cmd in commands]
    finally:
        a.close()
        b.close()


def assert_same(py_port: int, real_port: int, commands: list[list], reset: bool = True) -> None:
    for cmd, (ours, theirs) in zip(commands, run_both(py_port, real_port, commands, reset), strict=False):
        assert ours == theirs, f"{cmd!r}: pyredis {ours!r} != redis {theirs!r}"


def reply_end(buf: bytes, pos: int) -> int:
    """Offset just past the RESP2/RESP3 reply starting at ``pos``, or -1 if incomplete."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return -1
    kind = buf[pos:pos + 1]
    head = buf[pos + 1:eol]
    after = eol + 2
    if kind in (b"+", b"-", b":", b",", b"#", b"_", b"("):
        return after
    if kind in (b"$", b"=", b"!"):
        size = int(head)
        if size < 0:
            return after
        end = after + size + 2
        return end if len(buf) >= end else -1
    if kind in (b"*", b"~", b">", b"%", b"|"):
        count = int(head)
        if count < 0:
            return after
        if kind in (b"%", b"|"):
            count *= 2
        for _ in range(count):
            after = reply_end(buf, after)
            if after < 0:
                return -1
        if kind == b"|":
            return reply_end(buf, after)
        return after
    raise ValueError(f"not a RESP reply: {buf[pos:pos + 20]!r}")
