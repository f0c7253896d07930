"""AOF interop with a real Redis 7.0, both directions: an ``appendonlydir`` written by one
server (a base from BGREWRITEAOF, then an incr file with more writes, MULTI/EXEC, TTL changes
and several databases) is loaded by the other, and every key's type, value and TTL must match.
The dataset is the RDB interop one (every type and encoding, binary keys, TTLs)."""

import os
import shutil

import pytest

from ..support import wait_for
from .test_rdb_interop import clients, fill, snapshot

AOF = ["--appendonly", "yes"]


def more_writes(for_db) -> None:
    """Writes that land in the incr file, after the base."""
    c = for_db(0)
    c.set("after", "rewrite")
    c.execute_command("INCR", "counter")
    c.incrbyfloat("float", 2.5)
    c.lpush("list:small", "new")
    c.delete("str:short")
    c.expire("str:int8", 3000)
    c.set("str:ttl2", "v", ex=4000)
    c.persist("list:ttl")
    c.hset("hash:big", "field-1", "changed")
    c.zincrby("zset:small", 2, "a")
    c.srem("set:strings", "a")
    with c.pipeline(transaction=True) as p:
        p.set("tx1", "1")
        p.rpush("tx-list", "a", "b")
        p.execute()
    c7 = for_db(7)
    c7.set("db7-after", "x")
    c7.hdel("h7", "f")


def rewrite(server) -> None:
    c = server.client()
    c.execute_command("BGREWRITEAOF")
    wait_for(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0
             and c.info("persistence")["aof_rewrites"] >= 1, message="rewrite")


def move_aof_dir(src, dst) -> None:
    dst.stop()
    target = os.path.join(dst.dir, "appendonlydir")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(os.path.join(src.dir, "appendonlydir"), target)
    dst.start()


@pytest.fixture
def real(make_server):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    return make_server(real=True, args=AOF)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_aof_written_by_pyredis_loads_in_redis(real, make_server, preamble):
    ours = make_server(args=AOF + ["--aof-use-rdb-preamble", preamble])
    fill(clients(ours), real=False)
    rewrite(ours)
    more_writes(clients(ours))
    expected = snapshot(clients(ours))
    ours.stop()
    move_aof_dir(ours, real)
    assert snapshot(clients(real)) == expected
    assert "DB loaded from append only file" in real.log()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_aof_written_by_redis_loads_in_pyredis(real, make_server, preamble):
    real.client().config_set("aof-use-rdb-preamble", preamble)
    fill(clients(real), real=True)
    rewrite(real)
    more_writes(clients(real))
    expected = snapshot(clients(real))
    real.stop()
    ours = make_server(args=AOF)
    move_aof_dir(real, ours)
    assert snapshot(clients(ours)) == expected
