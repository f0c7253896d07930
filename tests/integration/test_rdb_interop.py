"""RDB interop with a real Redis 7.0, both directions: files and DUMP/RESTORE payloads.

The dataset covers every type in both of its encodings (listpack and hashtable/skiplist,
intset, quicklist with packed and plain nodes, int/embstr/raw strings, LZF-compressed strings),
binary keys and values, TTLs and several databases. The referee is redis-py on each side:
every key's type, value and TTL must be equal.
"""

import os
import shutil
import subprocess

import pytest

from ..support import wait_for

DBS = (0, 7)


def fill(client_for_db, real: bool) -> None:
    """The same dataset, written through ordinary commands."""
    c = client_for_db(0)
    if real:
        # elements over 100 bytes become PLAIN quicklist nodes (needs enable-debug-command)
        c.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    c.set("str:short", "hello")
    c.set("str:int8", "-12")
    c.set("str:int16", "30000")
    c.set("str:int32", "-2000000000")
    c.set("str:int64", "9223372036854775807")
    c.set("str:notint", "0012")
    c.set("str:empty", "")
    c.set("str:lzf", "abcdefgh" * 200)
    c.set("str:binary", bytes(range(256)) * 3)
    c.set(b"key:\x00\xff\r\n", b"binary key")
    c.set("str:ttl", "expiring", px=3_000_000)
    c.rpush("list:small", "a", "b", "3", "-4", "x" * 60)
    c.rpush("list:big", *[f"element-{i}" for i in range(3000)])
    c.rpush("list:plain", "p" * 5000, "small", "q" * 300)
    c.rpush("list:ttl", "1", "2")
    c.pexpire("list:ttl", 4_000_000)
    c.sadd("set:intset", *range(-50, 50))
    c.sadd("set:bigints", *range(0, 2000, 3))
    c.sadd("set:strings", "a", "b", "c")
    c.sadd("set:big", *[f"member-{i}" for i in range(1000)])
    c.hset("hash:small", mapping={"f1": "v1", "f2": "22", "n": "-1"})
    c.hset("hash:big", mapping={f"field-{i}": f"value-{i}" for i in range(1000)})
    c.hset("hash:longvalue", mapping={"short": "s", "long": "L" * 200})
    c.zadd("zset:small", {"a": 1, "b": -2.5, "c": 0.1, "d": float("inf"), "e": float("-inf")})
    c.zadd("zset:big", {f"m{i}": i / 7 for i in range(500)})
    c.zadd("zset:longmember", {"x" * 100: 3})
    c.pexpire("zset:big", 5_000_000)
    c7 = client_for_db(7)
    c7.set("other-db", "seven")
    c7.hset("h7", "f", "v")


def snapshot(client_for_db) -> dict:
    """Every key of the DBS: (type, value, ttl bucket)."""
    out = {}
    for dbid in DBS:
        c = client_for_db(dbid)
        for key in c.keys("*"):
            kind = c.type(key)
            if kind == b"string":
                value = c.get(key)
            elif kind == b"list":
                value = c.lrange(key, 0, -1)
            elif kind == b"set":
                value = sorted(c.smembers(key))
            elif kind == b"hash":
                value = c.hgetall(key)
            elif kind == b"zset":
                value = c.zrange(key, 0, -1, withscores=True)
            else:
                value = None
            pttl = c.pttl(key)
            out[(dbid, key)] = (kind, value, pttl if pttl < 0 else round(pttl / 100_000))
    return out


def encodings(client) -> set:
    return {client.object("encoding", k) for k in client.keys("*")}


def clients(server):
    cache = {}

    def for_db(dbid: int):
        if dbid not in cache:
            cache[dbid] = server.client(db=dbid)
        return cache[dbid]

    return for_db


def restart_with(server, rdb_path: str) -> None:
    server.stop()
    shutil.copy(rdb_path, os.path.join(server.dir, "dump.rdb"))
    server.start()


@pytest.fixture
def real(make_server):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    return make_server(real=True)


def test_dataset_covers_every_encoding(real):
    fill(clients(real), real=True)
    assert encodings(real.client()) >= {b"int", b"embstr", b"raw", b"listpack", b"quicklist", b"intset",
                                        b"hashtable", b"skiplist"}


def test_rdb_written_by_redis_loads_in_pyredis(real, make_server):
    fill(clients(real), real=True)
    real.client().save()
    expected = snapshot(clients(real))
    assert len(expected) == 27
    ours = make_server()
    restart_with(ours, os.path.join(real.dir, "dump.rdb"))
    assert snapshot(clients(ours)) == expected


def test_rdb_written_by_pyredis_passes_check_and_loads_in_redis(real, make_server):
    ours = make_server()
    fill(clients(ours), real=False)
    expected = snapshot(clients(ours))
    assert len(expected) == 27
    c = ours.client()
    c.execute_command("BGSAVE")
    wait_for(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0, message="bgsave")
    assert c.info("persistence")["rdb_last_bgsave_status"] == "ok"
    path = os.path.join(ours.dir, "dump.rdb")
    if shutil.which("redis-check-rdb"):
        out = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
        assert "RDB looks OK" in out.stdout, out.stdout
    restart_with(real, path)
    assert snapshot(clients(real)) == expected


def test_uncompressed_unchecksummed_rdb_loads_in_redis(real, make_server):
    ours = make_server(args=["--rdbcompression", "no", "--rdbchecksum", "no"])
    fill(clients(ours), real=False)
    expected = snapshot(clients(ours))
    ours.client().save()
    restart_with(real, os.path.join(ours.dir, "dump.rdb"))
    assert snapshot(clients(real)) == expected


def test_dump_payloads_restore_both_ways(real, make_server):
    fill(clients(real), real=True)
    ours = make_server()
    theirs_c, ours_c = real.client(), ours.client()
    for key in theirs_c.keys("*"):
        ours_c.restore(key, 0, theirs_c.dump(key))
    # redis-py on the real side as reference: pyredis' copies must read the same
    expected = {k: v[:2] for k, v in snapshot(clients(real)).items() if k[0] == 0}
    assert {k: v[:2] for k, v in snapshot(clients(ours)).items() if k[0] == 0} == expected
    # and pyredis' payloads restore in the real server
    theirs_c.flushall()
    for key in ours_c.keys("*"):
        theirs_c.restore(key, 0, ours_c.dump(key))
    assert {k: v[:2] for k, v in snapshot(clients(real)).items() if k[0] == 0} == expected
