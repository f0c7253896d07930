"""Hash commands against a real pyredis-server through redis-py: results, errors, RESP3 shapes,
HINCRBYFLOAT's long-double formatting and its HSET propagation, HRANDFIELD's count rules, HSCAN
over a large hash while it changes, and keyspace notifications."""

import socket

import pytest
import redis

from ..support import wait_for
from .test_lists import _events


def test_hset_counts_new_fields_only(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", mapping={"a": "9", "c": "3"}) == 1
    assert r.hgetall("h") == {b"a": b"9", b"b": b"2", b"c": b"3"}


def test_hsetnx_does_not_overwrite(r):
    assert r.hsetnx("h", "a", "1") == 1
    assert r.hsetnx("h", "a", "2") == 0
    assert r.hget("h", "a") == b"1"


def test_hmset_and_hmget_with_missing_fields(r):
    assert r.execute_command("HMSET", "h", "a", "1", "b", "2") is True
    assert r.hmget("h", "a", "x", "b") == [b"1", None, b"2"]
    assert r.hmget("nokey", "a") == [None]


def test_hdel_of_the_last_field_deletes_the_key(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.hdel("h", "a", "zz") == 1
    assert r.hdel("h", "b") == 1
    assert r.exists("h") == 0


def test_field_introspection(r):
    r.hset("h", mapping={"a": "hello", "b": ""})
    assert r.hlen("h") == 2
    assert r.hexists("h", "a") and not r.hexists("h", "x")
    assert r.hstrlen("h", "a") == 5
    assert r.hstrlen("h", "x") == 0
    assert r.hkeys("h") == [b"a", b"b"]
    assert r.hvals("h") == [b"hello", b""]


def test_hincrby_and_overflow(r):
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -7) == -2
    r.hset("h", "big", str(2**63 - 1))
    with pytest.raises(redis.ResponseError, match="would overflow"):
        r.hincrby("h", "big", 1)
    r.hset("h", "s", "abc")
    with pytest.raises(redis.ResponseError, match="^hash value is not an integer$"):
        r.hincrby("h", "s", 1)


@pytest.mark.parametrize("steps, expected", [
    (["0.1", "0.2"], b"0.3"),
    (["10.5", "0.1"], b"10.6"),
    (["5.0e3"], b"5000"),
    (["100000.1"], b"100000.10000000000000142"),
    (["1", "-1"], b"0"),
    (["-1e-30"], b"0"),
])
def test_hincrbyfloat_formats_like_redis_long_double(r, steps, expected):
    for step in steps:
        result = r.hincrbyfloat("h", "f", step)
    assert r.hget("h", "f") == expected
    assert result == float(expected)


def test_hincrbyfloat_errors(r):
    with pytest.raises(redis.ResponseError, match="^value is NaN or Infinity$"):
        r.hincrbyfloat("h", "f", "inf")
    assert r.exists("h") == 0
    r.hset("h", "s", "abc")
    with pytest.raises(redis.ResponseError, match="^hash value is not a float$"):
        r.hincrbyfloat("h", "s", 1)


def test_hrandfield_counts(r):
    fields = {f"f{i}".encode(): str(i).encode() for i in range(10)}
    r.hset("h", mapping=fields)
    assert set(r.hrandfield("h", 5)) <= set(fields) and len(set(r.hrandfield("h", 5))) == 5
    assert r.hrandfield("h", 50) == list(fields)
    repeated = r.hrandfield("h", -30)
    assert len(repeated) == 30 and set(repeated) <= set(fields)
    pairs = r.hrandfield("h", 3, withvalues=True)
    assert len(pairs) == 6 and all(fields[pairs[i]] == pairs[i + 1] for i in range(0, 6, 2))
    assert r.hrandfield("h") in fields
    assert r.hrandfield("nokey") is None


def test_hrandfield_withvalues_under_resp3_is_pairs(r, server):
    c = server.client(protocol=3)
    c.hset("h", mapping={"a": "1"})
    assert c.execute_command("HRANDFIELD", "h", "-2", "WITHVALUES") == [[b"a", b"1"], [b"a", b"1"]]
    assert c.hgetall("h") == {b"a": b"1"}
    assert c.hgetall("nokey") == {}
    c.close()


def test_hscan_of_a_large_hash_returns_every_stable_field_once(r):
    fields = {f"field:{i}": str(i) for i in range(2000)}
    r.hset("h", mapping=fields)
    seen: list[bytes] = []
    cursor = 0
    deleted = set()
    step = 0
    while True:
        cursor, page = r.hscan("h", cursor, count=50)
        seen.extend(page)
        step += 1
        if step == 3:
            doomed = [f"field:{i}" for i in range(1000, 1100)]
            r.hdel("h", *doomed)
            deleted = {d.encode() for d in doomed}
        if cursor == 0:
            break
    stable = {f.encode() for f in fields} - deleted
    assert stable <= set(seen)
    assert len(seen) == len(set(seen))


def test_hscan_match_filters_fields_and_keeps_values(r):
    r.hset("h", mapping={"user:1": "a", "user:2": "b", "other": "c"})
    cursor, page = r.hscan("h", 0, match="user:*")
    assert cursor == 0 and page == {b"user:1": b"a", b"user:2": b"b"}


def test_hash_commands_on_a_list_are_wrongtype(r):
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.hset("l", "a", "b")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.hgetall("l")


def test_keyspace_events_of_hash_commands(r, server):
    def action():
        r.hset("h", mapping={"a": "1", "b": "2"})
        r.hsetnx("h", "a", "1")
        r.hsetnx("h", "c", "1")
        r.hincrby("h", "a", 1)
        r.hincrbyfloat("h", "a", 1.5)
        r.hdel("h", "a", "zz")
        r.hdel("h", "b", "c")

    assert _events(r, server, action) == [
        (b"hset", b"h"), (b"hset", b"h"), (b"hincrby", b"h"), (b"hincrbyfloat", b"h"), (b"hdel", b"h"),
        (b"hdel", b"h"), (b"del", b"h"),
    ]


def test_hincrbyfloat_is_propagated_as_hset_with_the_result(r, server):
    replica = socket.create_connection(("127.0.0.1", server.port))
    replica.sendall(b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n")
    data = b""
    replica.settimeout(0.5)

    def read_until(needle: bytes) -> bool:
        nonlocal data
        try:
            data += replica.recv(65536)
        except TimeoutError:
            pass
        return needle in data

    wait_for(lambda: read_until(b"REDIS"), message="full resync payload")
    if not data.startswith(b"+FULLRESYNC"):
        replica.close()
        pytest.skip("PSYNC is not available")
    r.hincrbyfloat("h", "f", "0.1")
    r.hincrbyfloat("h", "f", "0.2")
    r.set("end", "1")
    wait_for(lambda: read_until(b"end"), message="propagated writes")
    replica.close()
    assert b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n0.1\r\n" in data
    assert b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n0.3\r\n" in data
    assert b"HINCRBYFLOAT" not in data.upper()
