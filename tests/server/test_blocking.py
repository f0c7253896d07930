"""Blocking list pops against a real pyredis-server, with several clients.

Each waiting client is a thread (redis-py) or a raw socket; tests synchronise on INFO's
``blocked_clients`` through ``wait_for``, never on sleeps. Covered: service on a push from
another client, first-blocked-first-served, several clients served by one push, timeouts
(fractional, zero = forever), MULTI/EXEC (no blocking inside, service after the whole
transaction), CLIENT UNBLOCK, disconnection while blocked, requests pipelined behind a blocked
command, databases kept apart, and the effect form that reaches a replica's stream.
"""

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from ..compat.harness import RawClient, reply_end
from ..support import wait_for


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def _blocked(r: redis.Redis, n: int) -> None:
    wait_for(lambda: r.info("clients")["blocked_clients"] == n, message=f"{n} blocked clients")


def _call_in_thread(pool, server, *argv):
    def run():
        c = server.client()
        try:
            return c.execute_command(*argv)
        finally:
            c.close()
    return pool.submit(run)


def _client_id(raw: RawClient) -> int:
    reply = raw.call("CLIENT", "ID")
    if not reply.startswith(b":"):
        pytest.skip("CLIENT ID is not implemented yet")
    return int(reply[1:-2])


def test_blpop_answers_at_once_when_a_key_has_elements(r):
    r.rpush("b", "x")
    assert r.blpop(["a", "b"], 0) == (b"b", b"x")
    assert r.exists("b") == 0


def test_blpop_is_served_by_a_push_from_another_client(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    assert r.rpush("q", "job") == 1
    assert list(waiter.result(10)) == [b"q", b"job"]
    assert r.exists("q") == 0
    _blocked(r, 0)


def test_first_blocked_client_is_served_first(r, server, pool):
    first = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    second = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 2)
    r.rpush("q", "one")
    assert list(first.result(10)) == [b"q", b"one"]
    _blocked(r, 1)
    assert not second.done()
    r.rpush("q", "two")
    assert list(second.result(10)) == [b"q", b"two"]


def test_one_push_of_several_elements_serves_several_clients(r, server, pool):
    first = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    second = _call_in_thread(pool, server, "BRPOP", "q", "0")
    _blocked(r, 2)
    r.rpush("q", "a", "b", "c")
    assert list(first.result(10)) == [b"q", b"a"]
    assert list(second.result(10)) == [b"q", b"c"]
    assert r.lrange("q", 0, -1) == [b"b"]


def test_brpop_is_served_from_the_key_that_was_pushed(r, server, pool):
    waiter = _call_in_thread(pool, server, "BRPOP", "k1", "k2", "0")
    _blocked(r, 1)
    r.rpush("k2", "a", "b")
    assert list(waiter.result(10)) == [b"k2", b"b"]


def test_fractional_timeout_returns_null_after_the_timeout(r):
    start = time.monotonic()
    assert r.blpop(["nokey"], 0.2) is None
    elapsed = time.monotonic() - start
    assert 0.19 <= elapsed < 2.0


def test_timeout_under_resp3_is_the_null_type(server):
    raw = RawClient(server.port)
    raw.call("HELLO", "3")
    assert raw.call("BLPOP", "nokey", "0.05") == b"_\r\n"
    assert raw.call("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05") == b"_\r\n"
    raw.close()


def test_zero_timeout_waits_until_served(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
    _blocked(r, 1)
    assert not waiter.done()
    r.rpush("src", "a", "b")
    assert waiter.result(10) == b"b"
    assert r.lrange("dst", 0, -1) == [b"b"]
    assert r.lrange("src", 0, -1) == [b"a"]


def test_brpoplpush_is_served_and_moves_the_element(r, server, pool):
    waiter = _call_in_thread(pool, server, "BRPOPLPUSH", "src", "dst", "0")
    _blocked(r, 1)
    r.lpush("src", "v")
    assert waiter.result(10) == b"v"
    assert r.lrange("dst", 0, -1) == [b"v"]
    assert r.exists("src") == 0


def test_blmpop_is_served_with_count(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2")
    _blocked(r, 1)
    r.rpush("b", "1", "2", "3")
    assert list(waiter.result(10)) == [b"b", [b"3", b"2"]]
    assert r.lrange("b", 0, -1) == [b"1"]


def test_blmove_served_into_a_wrong_type_destination_gets_wrongtype(r, server):
    raw = RawClient(server.port)
    raw.send_raw(b"*6\r\n$6\r\nBLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n")
    _blocked(r, 1)
    r.set("dst", "string")
    r.rpush("src", "v")
    assert raw.read_reply().startswith(b"-WRONGTYPE")
    assert r.lrange("src", 0, -1) == [b"v"]
    _blocked(r, 0)
    raw.close()


def test_blocking_pops_inside_multi_answer_null_at_once(r):
    pipe = r.pipeline(transaction=True)
    pipe.blpop(["nokey"], 0).brpoplpush("nokey", "dst", 0).execute_command("BLMPOP", "0", "1", "nokey", "LEFT")
    assert pipe.execute() == [None, None, None]


def test_waiters_are_served_after_the_whole_transaction(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    pipe = r.pipeline(transaction=True)
    pipe.lpush("q", "a").lpush("q", "b")
    pipe.execute()
    assert list(waiter.result(10)) == [b"q", b"b"]
    assert r.lrange("q", 0, -1) == [b"a"]


def test_element_pushed_and_popped_in_one_transaction_wakes_nobody(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    pipe = r.pipeline(transaction=True)
    pipe.lpush("q", "a").lpop("q")
    assert pipe.execute() == [1, b"a"]
    r.ping()
    assert r.info("clients")["blocked_clients"] == 1
    r.rpush("q", "b")
    assert list(waiter.result(10)) == [b"q", b"b"]


def test_client_unblock_with_timeout_reason_answers_null(r, server):
    raw = RawClient(server.port)
    cid = _client_id(raw)
    raw.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    _blocked(r, 1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 1
    assert raw.read_reply() == b"*-1\r\n"
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 0
    raw.close()


def test_client_unblock_with_error_reason_answers_unblocked_error(r, server):
    raw = RawClient(server.port)
    cid = _client_id(raw)
    raw.send_raw(b"*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    _blocked(r, 1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert raw.read_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    assert raw.call("PING") == b"+PONG\r\n"
    raw.close()


def test_disconnect_while_blocked_forgets_the_client(r, server):
    raw = RawClient(server.port)
    raw.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    _blocked(r, 1)
    raw.close()
    _blocked(r, 0)
    r.rpush("q", "kept")
    assert r.lrange("q", 0, -1) == [b"kept"]


def test_pipelined_commands_after_blpop_wait_until_it_is_served(r, server):
    raw = RawClient(server.port)
    raw.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n"
                 b"*2\r\n$3\r\nGET\r\n$5\r\nafter\r\n")
    _blocked(r, 1)
    assert r.exists("after") == 0
    r.rpush("q", "v")
    assert raw.read_reply() == b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n"
    assert raw.read_reply() == b"+OK\r\n"
    assert raw.read_reply() == b"$1\r\n1\r\n"
    raw.close()


def test_a_push_in_another_database_does_not_wake_the_client(r, server):
    raw = RawClient(server.port)
    raw.call("SELECT", "1")
    raw.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    _blocked(r, 1)
    r.rpush("q", "db0")
    assert r.lrange("q", 0, -1) == [b"db0"]
    other = server.client(db=1)
    other.rpush("q", "db1")
    assert raw.read_reply() == b"*2\r\n$1\r\nq\r\n$3\r\ndb1\r\n"
    other.close()
    raw.close()


def test_blocked_client_timing_out_keeps_later_pushes_for_others(r, server, pool):
    quick = _call_in_thread(pool, server, "BLPOP", "q", "0.1")
    assert quick.result(10) is None
    _blocked(r, 0)
    r.rpush("q", "v")
    assert r.lrange("q", 0, -1) == [b"v"]


# ----- propagation: a served pop reaches replicas in its effect form
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


def _commands_after(stream: bytes, first: bytes) -> list[list[bytes]]:
    """The RESP commands in ``stream`` from the first one named ``first`` (skips the RDB part)."""
    start = stream.find(b"\r\n" + first + b"\r\n")
    start = stream.rfind(b"*", 0, start)
    out = []
    pos = start
    while pos < len(stream):
        end = reply_end(stream, pos)
        if end < 0:
            break
        parts = stream[pos:end].split(b"\r\n")
        out.append([p for i, p in enumerate(parts[1:-1]) if i % 2 == 1])
        pos = end
    return [c for c in out if c[0].upper() not in (b"PING", b"SELECT", b"REPLCONF")]


def test_served_pops_are_propagated_in_their_effect_form(r, server, pool):
    replica = socket.create_connection(("127.0.0.1", server.port))
    replica.sendall(b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n")
    head = _read_stream_until(replica, b"REDIS", 10)
    if not head.startswith(b"+FULLRESYNC"):
        replica.close()
        pytest.skip("PSYNC is not available")
    r.set("marker", "1")
    pop = _call_in_thread(pool, server, "BLPOP", "q", "0")
    _blocked(r, 1)
    r.rpush("q", "a")
    assert list(pop.result(10)) == [b"q", b"a"]
    move = _call_in_thread(pool, server, "BLMOVE", "q", "d", "LEFT", "RIGHT", "0")
    _blocked(r, 1)
    r.rpush("q", "b")
    assert move.result(10) == b"b"
    mpop = _call_in_thread(pool, server, "BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5")
    _blocked(r, 1)
    r.rpush("q", "c", "d")
    assert list(mpop.result(10)) == [b"q", [b"d", b"c"]]
    r.set("end", "1")
    stream = head + _read_stream_until(replica, b"end", 10)
    replica.close()
    assert _commands_after(stream, b"marker") == [
        [b"SET", b"marker", b"1"],
        [b"RPUSH", b"q", b"a"], [b"LPOP", b"q"],
        [b"RPUSH", b"q", b"b"], [b"LMOVE", b"q", b"d", b"LEFT", b"RIGHT"],
        [b"RPUSH", b"q", b"c", b"d"], [b"RPOP", b"q", b"2"],
        [b"SET", b"end", b"1"],
    ]


def test_a_key_named_twice_is_waited_on_once(r, server, pool):
    waiter = _call_in_thread(pool, server, "BLPOP", "q", "q", "0")
    _blocked(r, 1)
    r.rpush("q", "a", "b")
    assert list(waiter.result(10)) == [b"q", b"a"]
    assert r.lrange("q", 0, -1) == [b"b"]
    _blocked(r, 0)
