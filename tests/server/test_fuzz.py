"""Bad input: pyredis answers exactly as redis-server 7.0 does, keeps serving, and stays small.

Each case is sent to both servers on fresh connections; we compare the bytes that come back and
whether the server closed the connection. Random inputs (hypothesis) are sent followed by a
half-close, so both servers finish with the data and close: no guessing how long to wait.
Memory is read from /proc/<pid>/status (VmRSS), before and after.
"""

import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..compat.harness import encode
from ..support import wait_for

QUIET = 0.3   # how long a connection that keeps waiting must stay silent


def exchange(port: int, data: bytes, expect_close: bool | None = None, expect: bytes | None = None,
             half_close: bool = False) -> tuple[bytes, bool]:
    """Send ``data``; return (reply bytes, whether the server closed the connection)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        out = b""
        closed = False
        quiet_deadline = None
        while True:
            if not half_close and expect_close is False and expect is not None and len(out) >= len(expect):
                if quiet_deadline is None:
                    quiet_deadline = time.monotonic() + QUIET
                sock.settimeout(max(0.01, quiet_deadline - time.monotonic()))
            elif not half_close and expect_close is None:
                sock.settimeout(QUIET)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
        return out, closed
    finally:
        sock.close()


def same_answer(py_port: int, real_port: int, data: bytes) -> tuple[bytes, bool]:
    theirs = exchange(real_port, data)
    ours = exchange(py_port, data, expect_close=theirs[1], expect=theirs[0])
    assert ours == theirs, f"{data[:80]!r}: pyredis {ours!r} != redis {theirs!r}"
    return theirs


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def still_serving(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(16) == b"+PONG\r\n"


BAD_INPUTS = [
    b"*1\r\n$9999999999\r\n",
    b"*1\r\n$536870913\r\n",
    b"*1\r\n$629145600\r\n",                  # a 600 MB announced bulk
    b"*2147483648\r\n",
    b"*3000000000\r\n",
    b"*99999999999999999999999\r\n",
    b"*1048577\r\n$4\r\nPING\r\n",
    b"*1\r\n+PING\r\n",
    b"*2\r\n$4\r\nECHO\r\n:1\r\n",
    b"*1\r\n*1\r\n$4\r\nPING\r\n",
    b"*1\r\nPING\r\n",
    b"*abc\r\n",
    b"*-5\r\nPING\r\n",
    b"*0\r\n*-1\r\nPING\r\n",
    b"*1\r\n$abc\r\n",
    b"*1\r\n$-1\r\n",
    b"*1\r\n$04\r\nPING\r\n",
    b"*1\r\n$+4\r\nPING\r\n",
    b"*01\r\n$4\r\nPING\r\n",
    b"*1\r\n$4\r\nPINGxx\r\nPING\r\n",
    b"*1\rX$4\r\nPING\r\n",
    b"*1\n$4\nPING\n",
    b"\"unbalanced\r\n",
    b"'unbalanced\r\n",
    b"ECHO \"a\"b\r\n",
    b"ECHO \"\\x41\\n\" 'it\\'s'\r\n",
    b"\x00\x01\x02\xff\xfe\r\n",
    b"\xff\xfe\xfd garbage \x80\r\n",
    b"$4\r\nPING\r\n",
    b"PING\r\n*1\r\n$4\r\nPING\r\nPING\n",
    b"*1\r\n$4\r\nPING\r\n*1\r\n+x\r\n",
    b"*" + b"1" * 70000,
    b"*1\r\n$" + b"1" * 70000,
    b"A" * 70000,
    b"A" * 65536,
]


@pytest.mark.parametrize("data", BAD_INPUTS, ids=lambda d: repr(d[:30]))
def test_bad_input_answered_like_redis(server, real_server, data):
    same_answer(server.port, real_server.port, data)
    still_serving(server.port)


SAFE_COMMANDS = [
    [b"PING"], [b"ECHO", b"hello world"], [b"SET", b"fz:k", b"v\r\n1"], [b"GET", b"fz:k"],
    [b"ECHO", b""], [b"EXISTS", b"fz:k", b"fz:j"], [b"DEL", b"fz:j"], [b"ECHO", b"\x00\xff*1\r\n$4\r\n"],
]


@st.composite
def mangled_requests(draw):
    """A pipeline of real requests, then truncated and with a few bytes flipped or inserted."""
    cmds = draw(st.lists(st.sampled_from(SAFE_COMMANDS), min_size=1, max_size=5))
    inline = draw(st.lists(st.booleans(), min_size=len(cmds), max_size=len(cmds)))
    data = bytearray()
    for cmd, is_inline in zip(cmds, inline, strict=True):
        if is_inline and all(b" " not in a and b"\r" not in a and b"\n" not in a and a for a in cmd):
            data += b" ".join(cmd) + b"\r\n"
        else:
            data += encode(cmd)
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(data)))
        byte = draw(st.sampled_from(b"*$\r\n+:-0123456789 \"'\x00\xffxA"))
        if draw(st.booleans()) and pos < len(data):
            data[pos] = byte
        else:
            data.insert(pos, byte)
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut] if draw(st.booleans()) else data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mangled_requests())
def test_mangled_pipelines_answered_like_redis(server, real_server, data):
    theirs = exchange(real_server.port, data, half_close=True)
    ours = exchange(server.port, data, half_close=True)
    assert ours[0] == theirs[0], f"{data!r}: pyredis {ours[0]!r} != redis {theirs[0]!r}"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=300))
def test_random_bytes_answered_like_redis(server, real_server, data):
    theirs = exchange(real_server.port, data, half_close=True)
    ours = exchange(server.port, data, half_close=True)
    assert ours[0] == theirs[0], f"{data!r}: pyredis {ours[0]!r} != redis {theirs[0]!r}"


def test_announced_600mb_bulk_allocates_nothing(server):
    before = rss_kb(server.proc.pid)
    socks = []
    try:
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"*2\r\n$3\r\nSET\r\n$536870912\r\n" + b"x" * 1000)   # the maximum: accepted, then waits
            socks.append(s)
        still_serving(server.port)
        assert rss_kb(server.proc.pid) - before < 20 * 1024
    finally:
        for s in socks:
            s.close()


def test_huge_multibulk_count_allocates_nothing(server):
    before = rss_kb(server.proc.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"*2147483647\r\n$4\r\nPING\r\n")
        still_serving(server.port)
        assert rss_kb(server.proc.pid) - before < 20 * 1024


def test_slowly_growing_partial_request_costs_what_was_sent(server):
    before = rss_kb(server.proc.pid)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"*3\r\n$3\r\nSET\r\n$6\r\nfz:big\r\n$100000000\r\n")
        chunk = b"y" * 65536
        for i in range(128):                       # 8 MB, a little at a time
            s.sendall(chunk)
            sent += len(chunk)
            if i % 32 == 0:
                still_serving(server.port)
        wait_for(lambda: rss_kb(server.proc.pid) - before > sent // 1024 // 2, message="data buffered")
        grown = rss_kb(server.proc.pid) - before
        assert grown < 3 * sent // 1024 + 30 * 1024, f"RSS grew {grown} kB for {sent // 1024} kB sent"
    still_serving(server.port)


def test_query_buffer_limit_closes_silently_like_redis(make_server):
    ours = make_server(["--client-query-buffer-limit", "1mb"])
    theirs = make_server(["--client-query-buffer-limit", "1mb"], real=True)
    data = b"*2\r\n$4\r\nECHO\r\n$5000000\r\n" + b"z" * (2 * 1024 * 1024)
    for srv in (ours, theirs):
        reply, closed = exchange(srv.port, data, expect_close=True, expect=b"")
        assert (reply, closed) == (b"", True), srv.real
    still_serving(ours.port)
    assert "Closing client that reached max query buffer length" in ours.log()


def test_many_bad_clients_do_not_stop_a_good_one(server):
    socks = []
    try:
        for data in BAD_INPUTS[:10]:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(data)
            socks.append(s)
        still_serving(server.port)
    finally:
        for s in socks:
            s.close()


@pytest.mark.parametrize("data", [
    encode([b"ECHO"] + [b"x"] * 10),                                   # 11 elements, sent whole
    encode([b"AUTH", b"secret"] + [b"x"] * 9),
    b"*2\r\n$4\r\nECHO\r\n$20000\r\n" + b"z" * 20000 + b"\r\n",     # a bulk over 16 KB, whole
    encode([b"PING"]) + encode([b"ECHO"] + [b"x"] * 12),               # the limit after a good request
    encode([b"ECHO", b"x" * 100]),                                      # within the limits: -NOAUTH
], ids=["count", "auth-count", "bulk", "pipelined", "small"])
def test_limits_before_auth_like_redis(make_server, data):
    # before AUTH Redis refuses requests of more than 10 elements or bulks over 16 KB and closes,
    # however the request arrives (one read, several, behind another request)
    ours = make_server(["--requirepass", "secret"])
    theirs = make_server(["--requirepass", "secret"], real=True)
    same_answer(ours.port, theirs.port, data)
    assert exchange(ours.port, b"AUTH secret\r\nPING\r\n", expect_close=False,
                    expect=b"+OK\r\n+PONG\r\n") == (b"+OK\r\n+PONG\r\n", False)
