"""MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real pyredis-server: redis-py transactional
pipelines, WATCH conflicts from a second client, Redis 7.0's expiry rules for watched keys,
and MULTI ... EXEC reaching a replica's stream as one unit."""

import socket
import time

import pytest
import redis

from ..compat.harness import RawClient, reply_end
from ..support import wait_for


def test_transaction_pipeline_returns_every_reply(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1").get("a").exists("a", "b")
    assert pipe.execute() == [True, b"1", 1]


def test_exec_without_multi_is_an_error(r):
    with pytest.raises(redis.ResponseError, match="^EXEC without MULTI$"):
        r.execute_command("EXEC")


def test_discard_without_multi_is_an_error(r):
    with pytest.raises(redis.ResponseError, match="^DISCARD without MULTI$"):
        r.execute_command("DISCARD")


def test_nested_multi_is_refused_without_aborting(server):
    c = RawClient(server.port)
    assert c.call("MULTI") == b"+OK\r\n"
    assert c.call("MULTI") == b"-ERR MULTI calls can not be nested\r\n"
    assert c.call("PING") == b"+QUEUED\r\n"
    assert c.call("EXEC") == b"*1\r\n+PONG\r\n"
    c.close()


def test_watch_inside_multi_is_refused_without_aborting(server):
    c = RawClient(server.port)
    c.call("MULTI")
    assert c.call("WATCH", "x") == b"-ERR WATCH inside MULTI is not allowed\r\n"
    assert c.call("EXEC") == b"*0\r\n"
    c.close()


def test_exec_with_nothing_queued_is_an_empty_array(server):
    c = RawClient(server.port)
    c.call("MULTI")
    assert c.call("EXEC") == b"*0\r\n"
    c.close()


def test_queueing_error_makes_exec_abort(r, server):
    c = RawClient(server.port)
    c.call("MULTI")
    assert c.call("SET", "x", "1") == b"+QUEUED\r\n"
    assert c.call("NOSUCHCMD").startswith(b"-ERR unknown command 'NOSUCHCMD'")
    assert c.call("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert c.call("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    assert r.exists("x") == 0
    assert c.call("EXEC") == b"-ERR EXEC without MULTI\r\n"
    c.close()


def test_error_inside_exec_is_returned_while_others_run(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("x", "abc").lpush("x", "1").get("x")
    ok, err, value = pipe.execute(raise_on_error=False)
    assert ok is True
    assert isinstance(err, redis.ResponseError) and str(err).startswith("WRONGTYPE")
    assert value == b"abc"


def test_discard_drops_queue(r, server):
    c = RawClient(server.port)
    c.call("MULTI")
    c.call("SET", "x", "1")
    assert c.call("DISCARD") == b"+OK\r\n"
    assert r.exists("x") == 0
    assert c.call("GET", "x") == b"$-1\r\n"
    c.close()


def test_watch_conflict_from_second_client_fails_exec(r, server):
    r.set("balance", 10)
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("balance")
        server.client().set("balance", 99)
        pipe.multi()
        pipe.set("balance", 0)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("balance") == b"99"


def test_watch_without_conflict_lets_exec_run(r):
    r.set("balance", 10)
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", current + 1)
        assert pipe.execute() == [True]
    assert r.get("balance") == b"11"


def test_watch_of_missing_key_fails_when_it_is_created(r, server):
    c = RawClient(server.port)
    c.call("WATCH", "fresh")
    r.set("fresh", "1")
    c.call("MULTI")
    assert c.call("EXEC") == b"*-1\r\n"
    c.close()


def test_unwatch_forgets_watched_keys(r, server):
    c = RawClient(server.port)
    c.call("WATCH", "k")
    r.set("k", "1")
    assert c.call("UNWATCH") == b"+OK\r\n"
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == b"*1\r\n+PONG\r\n"
    c.close()


def test_discard_forgets_watched_keys(r, server):
    c = RawClient(server.port)
    c.call("WATCH", "k")
    r.set("k", "1")
    c.call("MULTI")
    c.call("DISCARD")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == b"*1\r\n+PONG\r\n"
    c.close()


def test_resp3_aborted_exec_is_null(r, server):
    c = RawClient(server.port)
    c.call("HELLO", "3")
    c.call("WATCH", "k")
    r.set("k", "1")
    c.call("MULTI")
    assert c.call("EXEC") == b"_\r\n"
    c.close()


def test_watched_key_that_expires_before_exec_aborts_it(r, server):
    c = RawClient(server.port)
    r.set("ttl", "1", px=150)
    assert c.call("WATCH", "ttl") == b"+OK\r\n"
    deadline = time.monotonic() + 0.2
    wait_for(lambda: time.monotonic() > deadline, message="the key's TTL to pass")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == b"*-1\r\n"
    c.close()


def test_watched_key_removed_by_active_expiry_aborts_exec(r, server):
    c = RawClient(server.port)
    r.set("ttl", "1", px=100)
    c.call("WATCH", "ttl")
    # DBSIZE does not touch the key: only the server's expiry cycle can remove it
    wait_for(lambda: r.dbsize() == 0, message="active expiry")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == b"*-1\r\n"
    c.close()


def test_flushall_touches_watched_existing_key(r, server):
    c = RawClient(server.port)
    r.set("k", "1")
    c.call("WATCH", "k")
    r.flushall()
    c.call("MULTI")
    assert c.call("EXEC") == b"*-1\r\n"
    c.close()


def _read_stream_until(sock: socket.socket, needle: bytes, limit: float = 10.0) -> bytes:
    data = b""
    deadline = time.monotonic() + limit
    sock.settimeout(0.5)
    while needle not in data and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        data += chunk
    return data


def _skip_rdb_payload(data: bytes) -> bytes:
    """Strip the +FULLRESYNC line and the $<len> RDB payload a SYNC/PSYNC reply starts with."""
    if data.startswith(b"+"):
        data = data[data.index(b"\r\n") + 2:]
    while data.startswith(b"\n"):
        data = data[1:]
    if data.startswith(b"$"):
        eol = data.index(b"\r\n")
        size = int(data[1:eol])
        data = data[eol + 2 + size:]
    return data


def test_multi_exec_is_propagated_as_one_unit(r, server):
    replica = socket.create_connection(("127.0.0.1", server.port))
    replica.sendall(b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n")
    head = _read_stream_until(replica, b"REDIS", 10)
    assert head.startswith(b"+FULLRESYNC"), head[:80]
    pipe = r.pipeline(transaction=True)
    pipe.set("t1", "a").set("t2", "b")
    pipe.execute()
    r.set("after", "c")
    stream = _skip_rdb_payload(head + _read_stream_until(replica, b"after", 10))
    replica.close()
    commands = []
    pos = 0
    while pos < len(stream):
        end = reply_end(stream, pos)
        assert end > 0
        commands.append(stream[pos:end])
        pos = end
    names = [cmd.split(b"\r\n")[2].upper() for cmd in commands]
    names = [n for n in names if n not in (b"PING", b"SELECT", b"REPLCONF")]
    assert names == [b"MULTI", b"SET", b"SET", b"EXEC", b"SET"]


# ----- Redis 7.0's rule for a key already expired (not yet removed) when WATCHed, on the engine
# directly: a live server's expiry cycle could remove the key before WATCH reaches it.

class _Client:
    def __init__(self) -> None:
        self.watched: list = []
        self.watched_expired: set = set()
        self.dirty_cas = False


def _stale_key_watched():
    from pyredis.commands.transactions import watch_key
    from pyredis.engine.keyspace import Keyspace

    ks = Keyspace(2)
    ks.now_ms = 1000
    db = ks[0]
    db.add(b"k", b"v")
    db.set_expire(b"k", 500)          # expired, still stored
    client = _Client()
    watch_key(client, db, b"k")
    return ks, db, client


def test_removing_a_key_stale_when_watched_is_no_change():
    from pyredis.commands.dispatch import touch_watched
    from pyredis.commands.transactions import watched_key_expired

    ks, db, client = _stale_key_watched()
    assert db.lookup(b"k") is None     # lazy expiry removes it
    touch_watched(db, [b"k"])
    assert client.dirty_cas is False
    assert watched_key_expired(client) is False


def test_writing_a_key_stale_when_watched_is_a_change():
    from pyredis.commands.dispatch import touch_watched

    ks, db, client = _stale_key_watched()
    db.set(b"k", b"new")
    touch_watched(db, [b"k"])
    assert client.dirty_cas is True


def test_flushdb_of_a_key_stale_when_watched_is_no_change():
    from pyredis.commands.dispatch import touch_all_watched

    ks, db, client = _stale_key_watched()
    touch_all_watched(db)
    assert client.dirty_cas is False


def test_watching_a_live_key_twice_records_it_once():
    from pyredis.commands.transactions import watch_key
    from pyredis.engine.keyspace import Keyspace

    db = Keyspace(1)[0]
    client = _Client()
    watch_key(client, db, b"k")
    watch_key(client, db, b"k")
    assert client.watched == [(db, b"k")]
    assert db.watched[b"k"] == {client}
