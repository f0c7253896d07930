"""Expiry against a real pyredis-server: EXPIRE family options, TTL queries, PERSIST, lazy and
active expiry, the replicated form (PEXPIREAT / DEL) and the notifications."""

import socket
import time

import pytest
import redis

from ..compat.harness import reply_end
from ..support import wait_for


class ReplicationTap:
    """A raw PSYNC connection that reads the commands a master propagates."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.sock.sendall(b"REPLCONF capa psync2\r\n")
        self._read_line()                       # +OK
        self.sock.sendall(b"PSYNC ? -1\r\n")
        self._read_line()                       # +FULLRESYNC
        size = int(self._read_line()[1:])
        self._read_exact(size)                  # the RDB payload

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _read_line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def next_command(self) -> list[bytes]:
        """The next propagated command other than PING/SELECT/REPLCONF."""
        while True:
            while (end := reply_end(self.buf, 0)) < 0:
                self._fill()
            raw, self.buf = self.buf[:end], self.buf[end:]
            parts = raw.split(b"\r\n")
            argv = [parts[i] for i in range(2, len(parts) - 1, 2)]
            if argv and argv[0].upper() not in (b"PING", b"SELECT", b"REPLCONF"):
                return argv

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def tap(r, server):
    t = ReplicationTap(server.port)
    yield t
    t.close()


def test_expire_sets_a_ttl_in_seconds(r):
    r.set("k", 1)
    assert r.expire("k", 100) is True
    assert r.ttl("k") == 100 and 99_000 < r.pttl("k") <= 100_000


def test_expire_on_missing_key_returns_zero(r):
    assert r.expire("missing", 100) is False


def test_ttl_distinguishes_missing_and_persistent(r):
    r.set("k", 1)
    assert r.ttl("missing") == -2 and r.ttl("k") == -1
    assert r.pttl("missing") == -2 and r.pttl("k") == -1


def test_expireat_and_expiretime_round_trip(r):
    r.set("k", 1)
    when = int(time.time()) + 1000
    assert r.expireat("k", when)
    assert r.expiretime("k") == when and r.pexpiretime("k") == when * 1000
    assert r.expiretime("missing") == -2


def test_nx_sets_only_without_ttl(r):
    r.set("k", 1)
    assert r.expire("k", 100, nx=True) is True
    assert r.expire("k", 200, nx=True) is False and r.ttl("k") == 100


def test_xx_sets_only_with_ttl(r):
    r.set("k", 1)
    assert r.expire("k", 100, xx=True) is False and r.ttl("k") == -1


def test_gt_treats_no_ttl_as_infinite(r):
    r.set("k", 1)
    assert r.expire("k", 100, gt=True) is False
    r.expire("k", 100)
    assert r.expire("k", 50, gt=True) is False
    assert r.expire("k", 200, gt=True) is True


def test_lt_sets_a_ttl_on_a_persistent_key(r):
    r.set("k", 1)
    assert r.expire("k", 100, lt=True) is True
    assert r.expire("k", 200, lt=True) is False
    assert r.expire("k", 50, lt=True) is True and r.ttl("k") == 50


def test_incompatible_options_are_errors(r):
    r.set("k", 1)
    with pytest.raises(redis.ResponseError, match="NX and XX, GT or LT"):
        r.execute_command("EXPIRE", "k", 10, "NX", "GT")
    with pytest.raises(redis.ResponseError, match="GT and LT options"):
        r.execute_command("EXPIRE", "k", 10, "GT", "LT")
    with pytest.raises(redis.ResponseError, match="Unsupported option BAD"):
        r.execute_command("EXPIRE", "k", 10, "BAD")


def test_overflowing_expire_is_an_error(r):
    r.set("k", 1)
    with pytest.raises(redis.ResponseError, match="invalid expire time in 'expire' command"):
        r.expire("k", 9223372036854775807)


def test_past_expire_deletes_the_key(r):
    r.set("k", 1)
    assert r.expire("k", -1) is True
    assert r.exists("k") == 0


def test_persist_removes_the_ttl(r):
    r.set("k", 1, ex=100)
    assert r.persist("k") is True and r.ttl("k") == -1
    assert r.persist("k") is False and r.persist("missing") is False


def test_set_drops_the_ttl(r):
    r.set("k", 1, ex=100)
    r.set("k", 2)
    assert r.ttl("k") == -1


def test_expired_key_is_gone_on_access(r):
    r.set("k", 1, px=20)
    wait_for(lambda: r.get("k") is None)
    assert r.exists("k") == 0 and r.ttl("k") == -2


def test_expire_propagates_as_pexpireat_with_absolute_time(r, tap):
    r.set("k", 1)
    before = int(time.time() * 1000)
    r.expire("k", 100, nx=True)
    assert tap.next_command()[:2] == [b"SET", b"k"]
    argv = tap.next_command()
    assert argv[0] == b"PEXPIREAT" and argv[1] == b"k" and argv[3:] == [b"NX"]
    assert before + 99_000 <= int(argv[2]) <= int(time.time() * 1000) + 100_000


def test_past_expire_propagates_as_del(r, tap):
    r.set("k", 1)
    r.pexpire("k", -10)
    tap.next_command()
    assert tap.next_command() == [b"DEL", b"k"]


def test_refused_expire_is_not_propagated(r, tap):
    r.set("k", 1)
    r.expire("k", 10, xx=True)
    r.set("marker", 1)
    tap.next_command()
    assert tap.next_command() == [b"SET", b"marker", b"1"]


def test_expiry_by_the_server_propagates_del(r, tap):
    r.set("k", 1, px=30)
    tap.next_command()
    assert tap.next_command() == [b"DEL", b"k"]


def test_expire_persist_and_expired_notifications(r, server):
    r.config_set("notify-keyspace-events", "KEA")
    ps = server.client().pubsub()
    ps.psubscribe("__keyevent@0__:*")
    ps.get_message(timeout=1)
    try:
        r.set("k", 1)
        r.expire("k", 100)
        r.persist("k")
        r.pexpire("k", 20)
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 5 and time.monotonic() < deadline:
            msg = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if msg is not None:
                got.append(msg["channel"].split(b":", 1)[1])
        assert got == [b"set", b"expire", b"persist", b"expire", b"expired"]
    finally:
        ps.close()
        r.config_set("notify-keyspace-events", "")


def test_active_expiry_keeps_up_with_a_write_load(r):
    """Keys with short TTLs that nobody reads again are removed by the cron, not piled up."""
    pipe = r.pipeline(transaction=False)
    for i in range(3000):
        pipe.set(f"short:{i}", "x", px=50 + i % 200)
    pipe.execute()
    live = 0
    for batch in range(10):                   # a write load of persistent keys meanwhile
        pipe = r.pipeline(transaction=False)
        for i in range(200):
            pipe.set(f"live:{batch}:{i}", "y")
        pipe.execute()
        live += 200
    wait_for(lambda: r.dbsize() <= live + 30, timeout=10, message="expired keys removed by the cron")
    assert r.dbsize() >= live
