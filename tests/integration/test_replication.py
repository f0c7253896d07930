"""Replication with real processes: the seed's master + two replicas, interop with real Redis in
both directions, partial resync after a dropped link, promotion, WAIT and min-replicas."""

import pytest
import redis

from ..support import redis_cli, wait_for

FAST_SYNC = ["--repl-diskless-sync-delay", "0"]


def info_repl(client) -> dict:
    return client.info("replication")


def link_up(client) -> bool:
    return info_repl(client).get("master_link_status") == "up"


def same_data(a, b, dbs=(0,)) -> bool:
    for db in dbs:
        a.execute_command("SELECT", db)
        b.execute_command("SELECT", db)
        keys = sorted(a.keys("*"))
        if keys != sorted(b.keys("*")):
            return False
        for k in keys:
            if a.dump(k) is None or a.type(k) != b.type(k):
                return False
            if a.type(k) == b"string" and a.get(k) != b.get(k):
                return False
    a.execute_command("SELECT", 0)
    b.execute_command("SELECT", 0)
    return True


@pytest.fixture
def trio(make_server):
    master = make_server(FAST_SYNC)
    r1 = make_server(["--replicaof", "127.0.0.1", str(master.port)])
    r2 = make_server(["--replicaof", "127.0.0.1", str(master.port)])
    return master, r1, r2


def test_seed_roles_and_k1_reaches_both_replicas(trio):
    master, r1, r2 = trio
    for rep in (r1, r2):
        wait_for(lambda rep=rep: link_up(rep.client()), 20, message="replica link up")
    assert "role:master" in redis_cli(master.port, "info", "replication")
    assert "role:slave" in redis_cli(r1.port, "info", "replication")
    assert "role:slave" in redis_cli(r2.port, "info", "replication")
    assert redis_cli(master.port, "set", "k1", "v1").strip() == "OK"
    for rep in (r1, r2):
        wait_for(lambda rep=rep: redis_cli(rep.port, "get", "k1").strip() == "v1", 10, message="k1 on replica")
    info = info_repl(master.client())
    assert info["connected_slaves"] == 2
    assert info["slave0"]["state"] == "online"


def test_replica_refuses_writes(trio):
    master, r1, _ = trio
    wait_for(lambda: link_up(r1.client()), 20)
    with pytest.raises(redis.exceptions.ReadOnlyError, match="You can't write against a read only replica."):
        r1.client().set("x", "1")


def test_stream_keeps_order_and_databases(trio):
    master, r1, r2 = trio
    for rep in (r1, r2):
        wait_for(lambda rep=rep: link_up(rep.client()), 20)
    m = master.client()
    pipe = m.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"k{i}", i)
        pipe.incr("counter")
    pipe.execute()
    m.execute_command("SELECT", 3)
    m.set("in3", "yes")
    m.execute_command("SELECT", 0)
    for rep in (r1, r2):
        c = rep.client()
        wait_for(lambda c=c: c.get("counter") == b"500", 10, message="counter replicated")
        c.execute_command("SELECT", 3)
        wait_for(lambda c=c: c.get("in3") == b"yes", 10)
    assert m.info("replication")["master_repl_offset"] > 0


def test_dropped_link_resumes_with_partial_resync(trio):
    master, r1, _ = trio
    wait_for(lambda: link_up(r1.client()), 20)
    m = master.client()
    m.set("before", "1")
    wait_for(lambda: r1.client().get("before") == b"1", 10)
    full_before = m.info("stats")["sync_full"]
    m.execute_command("CLIENT", "KILL", "TYPE", "replica")
    m.set("after", "2")
    wait_for(lambda: r1.client().get("after") == b"2", 20, message="replica caught up after the link drop")
    stats = m.info("stats")
    assert stats["sync_full"] == full_before
    assert stats["sync_partial_ok"] >= 1


def test_wait_counts_acknowledging_replicas(trio):
    master, r1, r2 = trio
    for rep in (r1, r2):
        wait_for(lambda rep=rep: link_up(rep.client()), 20)
    m = master.client()
    m.set("w", "1")
    assert m.execute_command("WAIT", 2, 5000) == 2


def test_min_replicas_to_write_refuses_without_replicas(make_server):
    master = make_server(["--min-replicas-to-write", "1", *FAST_SYNC])
    with pytest.raises(redis.exceptions.ResponseError, match="NOREPLICAS Not enough good replicas to write."):
        master.client().set("x", "1")


def test_promotion_keeps_data_and_sibling_continues_partially(trio):
    master, r1, r2 = trio
    for rep in (r1, r2):
        wait_for(lambda rep=rep: link_up(rep.client()), 20)
    m = master.client()
    m.set("a", "1")
    wait_for(lambda: r2.client().get("a") == b"1" and r1.client().get("a") == b"1", 10)
    c1 = r1.client()
    assert c1.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    info = c1.info("replication")
    assert info["role"] == "master"
    assert info["master_replid2"] == m.info("replication")["master_replid"]
    c2 = r2.client()
    c2.execute_command("REPLICAOF", "127.0.0.1", r1.port)
    wait_for(lambda: link_up(c2), 20, message="sibling attached to the new master")
    c1.set("b", "2")
    wait_for(lambda: c2.get("b") == b"2", 10)
    assert c1.info("stats")["sync_partial_ok"] >= 1
    assert c1.info("stats")["sync_full"] == 0


def test_pyredis_replica_of_real_redis(make_server):
    real = make_server(FAST_SYNC, real=True)
    rc = real.client()
    rc.set("s", "v")
    rc.rpush("l", *[str(i) for i in range(200)])
    rc.hset("h", mapping={f"f{i}": i for i in range(10)})
    rc.sadd("set", *range(100))
    rc.zadd("z", {f"m{i}": i / 3 for i in range(300)})
    rc.set("ttl", "x", ex=1000)
    rep = make_server(["--replicaof", "127.0.0.1", str(real.port)])
    c = rep.client()
    wait_for(lambda: link_up(c), 20, message="pyredis replica linked to real redis")
    wait_for(lambda: c.dbsize() == rc.dbsize(), 10)
    assert c.lrange("l", 0, -1) == rc.lrange("l", 0, -1)
    assert c.hgetall("h") == rc.hgetall("h")
    assert c.smembers("set") == rc.smembers("set")
    assert c.zrange("z", 0, -1, withscores=True) == rc.zrange("z", 0, -1, withscores=True)
    assert 0 < c.ttl("ttl") <= 1000
    rc.set("live", "1")
    rc.incr("live")
    wait_for(lambda: c.get("live") == b"2", 10, message="live stream from real redis")
    # a dropped link continues partially
    rc.execute_command("CLIENT", "KILL", "TYPE", "replica")
    rc.set("after-drop", "1")
    wait_for(lambda: c.get("after-drop") == b"1", 20)
    assert rc.info("stats")["sync_partial_ok"] >= 1


def test_real_redis_replica_of_pyredis(make_server):
    master = make_server(FAST_SYNC)
    m = master.client()
    m.set("s", "v")
    m.rpush("l", *[str(i) for i in range(200)])
    m.hset("h", mapping={f"f{i}": i for i in range(10)})
    m.sadd("set", *range(100))
    m.set("ttl", "x", ex=1000)
    real = make_server(["--replicaof", "127.0.0.1", str(master.port)], real=True)
    rc = real.client()
    wait_for(lambda: link_up(rc), 30, message="real redis replica linked to pyredis")
    wait_for(lambda: rc.dbsize() == m.dbsize(), 10)
    assert rc.lrange("l", 0, -1) == m.lrange("l", 0, -1)
    assert rc.hgetall("h") == m.hgetall("h")
    assert rc.smembers("set") == m.smembers("set")
    assert 0 < rc.ttl("ttl") <= 1000
    m.set("live", "1")
    m.incr("live")
    wait_for(lambda: rc.get("live") == b"2", 10, message="live stream to real redis")
    m.execute_command("CLIENT", "KILL", "TYPE", "replica")
    m.set("after-drop", "1")
    wait_for(lambda: rc.get("after-drop") == b"1", 20)
    assert m.info("stats")["sync_partial_ok"] >= 1
