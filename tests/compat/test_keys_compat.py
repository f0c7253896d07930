"""Differential tests of the generic key and expiry commands: the same commands to pyredis and to a
real redis-server, raw replies compared byte for byte. Fixed sequences cover every command and
error path; hypothesis drives random sequences over a small key set and three databases. KEYS and
SCAN order differs from Redis's hash order, so those are compared sorted through redis-py."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient, assert_same, run_both

FUTURE = int(time.time()) + 10 * 365 * 86400         # a fixed EXPIREAT far ahead

FIXED = {
    "del_unlink_exists_touch": [
        ["SET", "a", "1"], ["SET", "b", "2"], ["EXISTS", "a", "a", "zz"], ["TOUCH", "a", "zz", "b"],
        ["DEL", "a", "a", "zz"], ["UNLINK", "b", "zz"], ["EXISTS", "a", "b"], ["DEL"], ["EXISTS"],
        ["DBSIZE"], ["DBSIZE", "x"],
    ],
    "type": [
        ["SET", "s", "v"], ["RPUSH", "l", "x"], ["SADD", "st", "x"], ["HSET", "h", "f", "v"],
        ["TYPE", "s"], ["TYPE", "l"], ["TYPE", "st"], ["TYPE", "h"], ["TYPE", "none"], ["TYPE"],
    ],
    "rename": [
        ["RENAME", "missing", "x"], ["RENAMENX", "missing", "x"], ["SET", "a", "1"], ["RENAME", "a", "a"],
        ["RENAMENX", "a", "a"], ["SET", "b", "2"], ["RENAMENX", "a", "b"], ["RENAME", "a", "b"],
        ["GET", "b"], ["EXISTS", "a"], ["EXPIRE", "b", "1000"], ["RENAME", "b", "c"], ["TTL", "c"],
        ["RENAMENX", "c", "d"], ["TTL", "d"], ["RENAME", "d"],
    ],
    "copy": [
        ["SET", "a", "1"], ["COPY", "a", "a"], ["COPY", "a", "b", "DB"], ["COPY", "a", "b", "DB", "99"],
        ["COPY", "a", "b", "DB", "-1"], ["COPY", "a", "b", "DB", "x"], ["COPY", "a", "b", "FOO"],
        ["COPY", "missing", "b"], ["COPY", "a", "b"], ["COPY", "a", "b"], ["SET", "a", "2"],
        ["COPY", "a", "b", "REPLACE", "REPLACE"], ["GET", "b"], ["COPY", "a", "a", "DB", "1"],
        ["COPY", "a", "a", "DB", "0"], ["EXPIREAT", "a", str(FUTURE)], ["COPY", "a", "c", "DB", "2"],
        ["SELECT", "2"], ["EXPIRETIME", "c"], ["GET", "c"], ["SELECT", "0"], ["RPUSH", "l", "x", "y"],
        ["COPY", "l", "l2"], ["RPUSH", "l2", "z"], ["LRANGE", "l", "0", "-1"], ["LRANGE", "l2", "0", "-1"],
        ["COPY", "a"],
    ],
    "move": [
        ["SET", "a", "1"], ["MOVE", "a", "0"], ["MOVE", "a", "99"], ["MOVE", "a", "x"], ["MOVE", "a", "-1"],
        ["MOVE", "missing", "1"], ["EXPIRE", "a", "1000"], ["MOVE", "a", "1"], ["EXISTS", "a"],
        ["SELECT", "1"], ["TTL", "a"], ["SET", "b", "x"], ["SELECT", "0"], ["SET", "b", "y"], ["MOVE", "b", "1"],
        ["GET", "b"], ["MOVE", "a", "4294967296"],
    ],
    "swapdb": [
        ["SET", "a", "0"], ["SELECT", "1"], ["SET", "b", "1"], ["SWAPDB", "0", "1"], ["GET", "a"], ["GET", "b"],
        ["SWAPDB", "0", "x"], ["SWAPDB", "x", "0"], ["SWAPDB", "0", "99"], ["SWAPDB", "-1", "0"],
        ["SWAPDB", "1", "1"], ["DBSIZE"], ["SWAPDB", "0"],
    ],
    "flush": [
        ["SET", "a", "1"], ["FLUSHDB", "x"], ["FLUSHDB", "ASYNC", "SYNC"], ["FLUSHDB", "async"],
        ["DBSIZE"], ["SET", "a", "1"], ["FLUSHALL", "SYNC"], ["FLUSHALL", "lazy"], ["DBSIZE"],
    ],
    "keys_scan_errors": [
        ["KEYS"], ["SCAN"], ["SCAN", "x"], ["SCAN", "18446744073709551616"], ["SCAN", "0", "COUNT", "0"],
        ["SCAN", "0", "COUNT", "-1"], ["SCAN", "0", "COUNT", "x"], ["SCAN", "0", "FOO"], ["SCAN", "0", "MATCH"],
        ["SCAN", "0", "TYPE"], ["SCAN", "0", "TYPE", "foo"], ["SET", "a", "1"], ["SCAN", "0", "TYPE", "list"],
        ["SCAN", "0", "MATCH", "a", "COUNT", "100"], ["KEYS", "a"], ["KEYS", "[b]"], ["RANDOMKEY"],
        ["RANDOMKEY", "x"], ["DEL", "a"], ["RANDOMKEY"], ["KEYS", "*"], ["SCAN", "0"],
    ],
    "object": [
        ["OBJECT"], ["OBJECT", "HELP"], ["OBJECT", "help", "x"], ["OBJECT", "foo"], ["OBJECT", "ENCODING"],
        ["OBJECT", "ENCODING", "missing"], ["OBJECT", "REFCOUNT", "missing"], ["OBJECT", "IDLETIME", "missing"],
        ["OBJECT", "FREQ", "missing"], ["SET", "n", "123"], ["OBJECT", "ENCODING", "n"],
        ["OBJECT", "REFCOUNT", "n"], ["SET", "n", "12345"], ["OBJECT", "REFCOUNT", "n"],
        ["SET", "n", "-1"], ["OBJECT", "REFCOUNT", "n"], ["SET", "s", "x" * 44], ["OBJECT", "ENCODING", "s"],
        ["SET", "s", "x" * 45], ["OBJECT", "ENCODING", "s"], ["SET", "s", "007"], ["OBJECT", "ENCODING", "s"],
        ["SET", "s", "9223372036854775808"], ["OBJECT", "ENCODING", "s"], ["OBJECT", "FREQ", "s"],
        ["RPUSH", "l", "a"], ["OBJECT", "ENCODING", "l"], ["OBJECT", "REFCOUNT", "l"],
        ["SADD", "st", "1", "2"], ["OBJECT", "ENCODING", "st"], ["SADD", "st", "a"], ["OBJECT", "ENCODING", "st"],
        ["HSET", "h", "f", "v"], ["OBJECT", "ENCODING", "h"], ["HSET", "h", "g", "v" * 65],
        ["OBJECT", "ENCODING", "h"],
    ],
    "expire_errors": [
        ["SET", "k", "v"], ["EXPIRE", "k", "abc"], ["EXPIRE", "k", "10", "nx", "xx"], ["EXPIRE", "k", "10", "gt", "lt"],
        ["EXPIRE", "k", "10", "nx", "gt"], ["EXPIRE", "k", "10", "foo"], ["EXPIRE", "k", "abc", "foo"],
        ["EXPIRE", "k", "9223372036854775807"], ["EXPIRE", "k", "92233720368547758"],
        ["PEXPIRE", "k", "9223372036854775807"], ["EXPIREAT", "k", "9223372036854775807"],
        ["EXPIRE", "k", "-9223372036854775808"], ["EXPIRE", "k"], ["TTL"], ["PERSIST"], ["EXPIRETIME"],
        ["PEXPIREAT", "k", "9223372036854775807"], ["PEXPIRETIME", "k"], ["EXPIRETIME", "k"],
    ],
    "expire_options": [
        ["EXPIRE", "missing", "10"], ["TTL", "missing"], ["PTTL", "missing"], ["EXPIRETIME", "missing"],
        ["PEXPIRETIME", "missing"], ["SET", "k", "v"], ["TTL", "k"], ["PTTL", "k"], ["EXPIRETIME", "k"],
        ["EXPIRE", "k", "1000", "XX"], ["EXPIRE", "k", "1000", "GT"], ["EXPIRE", "k", "1000", "LT"],
        ["TTL", "k"], ["EXPIRE", "k", "2000", "NX"], ["EXPIRE", "k", "500", "GT"], ["EXPIRE", "k", "2000", "GT"],
        ["TTL", "k"], ["EXPIRE", "k", "3000", "LT"], ["EXPIRE", "k", "100", "lt", "xx"], ["TTL", "k"],
        ["EXPIREAT", "k", str(FUTURE)], ["EXPIRETIME", "k"], ["PEXPIRETIME", "k"],
        ["PEXPIREAT", "k", str(FUTURE * 1000 + 123)], ["PEXPIRETIME", "k"], ["EXPIRETIME", "k"],
        ["PERSIST", "k"], ["PERSIST", "k"], ["TTL", "k"], ["PERSIST", "missing"],
        ["EXPIRE", "k", "-1"], ["EXISTS", "k"], ["SET", "k", "v"], ["PEXPIREAT", "k", "1"], ["GET", "k"],
        ["SET", "k", "v"], ["EXPIREAT", "k", "0", "GT"], ["EXPIRE", "k", "-5", "LT"], ["EXISTS", "k"],
    ],
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_sequence_matches_redis(server, real_server, name):
    assert_same(server.port, real_server.port, FIXED[name])


def _resp3_replies(port: int, commands: list[list]) -> list[bytes]:
    c = RawClient(port)
    try:
        c.call("FLUSHALL")
        c.call("HELLO", "3")
        return [c.call(*cmd) for cmd in commands]
    finally:
        c.close()


def test_resp3_nulls_match_redis(server, real_server):
    commands = [["RANDOMKEY"], ["OBJECT", "ENCODING", "missing"], ["OBJECT", "IDLETIME", "missing"],
                ["SET", "a", "1"], ["SCAN", "0"], ["KEYS", "*"], ["TTL", "a"]]
    assert _resp3_replies(server.port, commands) == _resp3_replies(real_server.port, commands)


KEYS = ["a", "b", "c"]
key = st.sampled_from(KEYS)
db = st.sampled_from(["0", "1", "2"])
long_ttl = st.integers(min_value=1000, max_value=100_000).map(str)
expire_flags = st.lists(st.sampled_from(["NX", "XX", "GT", "LT"]), max_size=2)

command = st.one_of(
    st.tuples(st.just("SET"), key, st.sampled_from(["1", "v", "12345", "x" * 50])).map(list),
    st.tuples(st.just("GET"), key).map(list),
    st.tuples(st.sampled_from(["DEL", "UNLINK", "EXISTS", "TOUCH"]), st.lists(key, min_size=1, max_size=3))
    .map(lambda t: [t[0], *t[1]]),
    st.tuples(st.sampled_from(["TYPE", "TTL", "PERSIST", "EXPIRETIME"]), key).map(list),
    st.tuples(st.sampled_from(["RENAME", "RENAMENX"]), key, key).map(list),
    st.tuples(st.just("COPY"), key, key, st.sampled_from([[], ["REPLACE"], ["DB", "1"], ["DB", "2", "REPLACE"]]))
    .map(lambda t: ["COPY", t[1], t[2], *t[3]]),
    st.tuples(st.just("MOVE"), key, db).map(list),
    st.tuples(st.just("SWAPDB"), db, db).map(list),
    st.tuples(st.just("SELECT"), db).map(list),
    st.tuples(st.sampled_from(["EXPIRE", "PEXPIRE"]), key, long_ttl, expire_flags)
    .map(lambda t: [t[0], t[1], t[2] if t[0] == "EXPIRE" else t[2] + "000", *t[3]]),
    st.tuples(st.just("EXPIREAT"), key, st.sampled_from([str(FUTURE), str(FUTURE + 5), "1"]), expire_flags)
    .map(lambda t: ["EXPIREAT", t[1], t[2], *t[3]]),
    st.tuples(st.just("RPUSH"), key, st.sampled_from(["x", "y"])).map(list),
    st.tuples(st.just("LLEN"), key).map(list),
    st.tuples(st.just("OBJECT"), st.sampled_from(["ENCODING", "REFCOUNT"]), key).map(list),
    st.just(["DBSIZE"]),
    st.just(["FLUSHDB"]),
)


def _sorted_keys(port: int) -> list[list[bytes]]:
    c = RawClient(port)
    try:
        out = []
        for i in range(3):
            c.call("SELECT", str(i))
            out.append(c.call("KEYS", "*"))
        return [sorted(_parse_array(raw)) for raw in out]
    finally:
        c.close()


def _parse_array(raw: bytes) -> list[bytes]:
    parts = raw.split(b"\r\n")
    return [parts[i] for i in range(2, len(parts) - 1, 2)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(command, min_size=1, max_size=25))
def test_random_sequences_match_redis(server, real_server, commands):
    for cmd, (ours, theirs) in zip(commands, run_both(server.port, real_server.port, commands), strict=True):
        assert ours == theirs, f"{cmd!r}: pyredis {ours!r} != redis {theirs!r} in {commands!r}"
    assert _sorted_keys(server.port) == _sorted_keys(real_server.port)


def _hits_misses(port: int) -> tuple[int, int]:
    client = RawClient(port)
    try:
        info = client.call("INFO", "stats").decode()
    finally:
        client.close()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])


def test_keyspace_hits_and_misses_count_like_redis(server, real_server):
    # reads count a hit or a miss per key looked up; writes (SET, INCR, LPUSH, DEL) count nothing
    commands = [
        ["SET", "s", "1"], ["INCR", "n"], ["LPUSH", "l", "a"], ["HSET", "h", "f", "v"],
        ["SADD", "set", "m"], ["ZADD", "z", "1", "m"],
        ["GET", "s"], ["GET", "nope"], ["MGET", "s", "n", "nope"], ["STRLEN", "s"],
        ["EXISTS", "s", "nope"], ["TYPE", "s"], ["TTL", "nope"], ["HGET", "h", "f"], ["HGET", "x", "f"],
        ["LRANGE", "l", "0", "-1"], ["LLEN", "nope"], ["SMEMBERS", "set"], ["SISMEMBER", "nope", "m"],
        ["ZSCORE", "z", "m"], ["ZRANGE", "z", "0", "-1"], ["DEL", "s", "nope"], ["SET", "s", "2"],
    ]
    run_both(server.port, real_server.port, [["CONFIG", "RESETSTAT"]])
    for argv in commands:
        a, b = run_both(server.port, real_server.port, [argv], reset=False)[0]
        assert a == b, argv
        assert _hits_misses(server.port) == _hits_misses(real_server.port), argv
    hits, misses = _hits_misses(server.port)
    assert hits > 0 and misses > 0
