"""maxmemory against real pyredis-server processes: the OOM refusal, each eviction policy's choice
of victims, the memory estimate INFO shows, and how evictions are notified and propagated."""

import time

import pytest
import redis

from ..support import wait_for
from .test_expire import ReplicationTap

VALUE = "x" * 1000


def used(c) -> int:
    return int(c.info("memory")["used_memory"])


def limited(make_server, policy: str, headroom: int = 2_000_000, samples: int = 5) -> redis.Redis:
    """A server with ``policy`` whose maxmemory leaves ``headroom`` bytes above its current use."""
    srv = make_server(["--maxmemory-policy", policy, "--maxmemory-samples", str(samples)])
    c = srv.client()
    c.config_set("maxmemory", used(c) + headroom)
    c.port = srv.port  # type: ignore[attr-defined]
    return c


def fill(c, prefix: str, count: int, ttl: int | None = None) -> None:
    pipe = c.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"{prefix}{i}", VALUE, ex=ttl)
    pipe.execute(raise_on_error=False)


def test_used_memory_grows_with_data_and_falls_when_it_goes(make_server):
    c = make_server().client()
    empty = used(c)
    fill(c, "k", 2000)
    full = used(c)
    assert full - empty > 2000 * 1000
    c.flushall()
    assert used(c) < empty + 100_000


def test_noeviction_refuses_writes_but_allows_reads_and_deletes(make_server):
    c = limited(make_server, "noeviction")
    with pytest.raises(redis.ResponseError, match="command not allowed when used memory > 'maxmemory'"):
        for i in range(5000):
            c.set(f"k{i}", VALUE)
    assert c.get("k0") == VALUE.encode()
    assert c.delete("k0", "k1") == 2
    assert int(c.info("stats")["evicted_keys"]) == 0


@pytest.mark.parametrize("policy", ["allkeys-random", "allkeys-lru", "allkeys-lfu"])
def test_allkeys_policies_stay_under_maxmemory(make_server, policy):
    c = limited(make_server, policy)
    fill(c, "k", 5000)
    limit = int(c.config_get("maxmemory")["maxmemory"])
    # eviction is time-boxed per command (Redis's EVICT_RUNNING) and the cron finishes the job
    wait_for(lambda: used(c) <= limit, timeout=10, message="used_memory back under maxmemory")
    evicted = int(c.info("stats")["evicted_keys"])
    assert evicted > 0 and c.dbsize() == 5000 - evicted


@pytest.mark.parametrize("policy", ["volatile-random", "volatile-lru", "volatile-lfu", "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_a_ttl(make_server, policy):
    c = limited(make_server, policy)
    fill(c, "keep", 500)
    fill(c, "tmp", 5000, ttl=1000)
    assert c.exists(*[f"keep{i}" for i in range(500)]) == 500
    assert int(c.info("stats")["evicted_keys"]) > 0


def test_volatile_policy_without_volatile_keys_refuses_writes(make_server):
    c = limited(make_server, "volatile-lru")
    with pytest.raises(redis.ResponseError, match="command not allowed when used memory"):
        for i in range(5000):
            c.set(f"k{i}", VALUE)


def test_allkeys_lru_keeps_recently_used_keys(make_server):
    c = limited(make_server, "allkeys-lru", samples=10)
    fill(c, "cold", 1000)
    wait_for(lambda: c.object("idletime", "cold0") >= 2, timeout=5)
    hot = [f"cold{i}" for i in range(0, 1000, 10)]
    for key in hot:
        c.get(key)
    fill(c, "new", 1500)
    assert int(c.info("stats")["evicted_keys"]) > 600
    assert c.exists(*hot) >= 90


def test_allkeys_lfu_keeps_frequently_used_keys(make_server):
    c = limited(make_server, "allkeys-lfu", samples=10)
    fill(c, "k", 1000)
    hot = [f"k{i}" for i in range(0, 1000, 10)]
    pipe = c.pipeline(transaction=False)
    for _ in range(30):
        for key in hot:
            pipe.get(key)
    pipe.execute()
    assert c.object("freq", hot[0]) > 5
    fill(c, "new", 1500)
    assert int(c.info("stats")["evicted_keys"]) > 600
    assert c.exists(*hot) >= 90


def test_volatile_ttl_evicts_the_nearest_expiry_first(make_server):
    c = limited(make_server, "volatile-ttl", samples=10)
    pipe = c.pipeline(transaction=False)
    for i in range(3000):
        pipe.set(f"k{i}", VALUE, ex=10_000 + i)
    pipe.execute(raise_on_error=False)
    survivors = [i for i in range(3000) if c.exists(f"k{i}")]
    assert len(survivors) < 3000
    assert sum(survivors) / len(survivors) > 1500      # the long-lived half survives more


def test_eviction_is_notified_and_propagated_as_del(make_server):
    c = limited(make_server, "allkeys-random", headroom=500_000)
    c.config_set("notify-keyspace-events", "Ee")
    ps = c.pubsub()
    ps.subscribe("__keyevent@0__:evicted")
    ps.get_message(timeout=1)
    tap = ReplicationTap(c.port)  # type: ignore[attr-defined]
    try:
        fill(c, "k", 2000)
        deadline = time.monotonic() + 5
        msg = None
        while msg is None and time.monotonic() < deadline:
            msg = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
        assert msg is not None and msg["data"].startswith(b"k")
        dels = []
        while not dels:
            argv = tap.next_command()
            if argv[0] == b"DEL":
                dels.append(argv)
        assert dels[0][1].startswith(b"k")
    finally:
        tap.close()
        ps.close()


def test_lowering_maxmemory_evicts_in_the_background(make_server):
    c = limited(make_server, "allkeys-random", headroom=50_000_000)
    fill(c, "k", 3000)
    c.config_set("maxmemory", used(c) - 1_000_000)
    wait_for(lambda: int(c.info("stats")["evicted_keys"]) > 0, timeout=5)
    limit = int(c.config_get("maxmemory")["maxmemory"])
    wait_for(lambda: used(c) <= limit, timeout=5)
