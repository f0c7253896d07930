"""Sorted set commands against a real pyredis-server, through redis-py."""

import threading

import pytest
import redis

from ..compat.harness import RawClient
from ..support import wait_for


def test_zadd_and_range_with_scores(r):
    assert r.zadd("z", {"a": 1, "b": 2.5, "c": -1}) == 3
    assert r.zrange("z", 0, -1, withscores=True) == [(b"c", -1.0), (b"a", 1.0), (b"b", 2.5)]


def test_zadd_flags(r):
    r.zadd("z", {"a": 5})
    assert r.zadd("z", {"a": 1}, nx=True) == 0
    assert r.zadd("z", {"b": 1}, xx=True) == 0
    assert r.zadd("z", {"a": 3}, gt=True, ch=True) == 0
    assert r.zadd("z", {"a": 9}, gt=True, ch=True) == 1
    assert r.zadd("z", {"a": 2}, incr=True) == 11.0
    assert r.zscore("z", "a") == 11.0


def test_zadd_flag_conflicts_use_redis_texts(r):
    with pytest.raises(redis.ResponseError, match="XX and NX options at the same time are not compatible"):
        r.execute_command("ZADD", "z", "NX", "XX", 1, "a")
    with pytest.raises(redis.ResponseError, match="GT, LT, and/or NX options"):
        r.execute_command("ZADD", "z", "GT", "LT", 1, "a")
    with pytest.raises(redis.ResponseError, match="INCR option supports a single increment-element pair"):
        r.execute_command("ZADD", "z", "INCR", 1, "a", 2, "b")


def test_zincrby_to_nan_is_an_error(r):
    r.zadd("z", {"a": float("inf")})
    with pytest.raises(redis.ResponseError, match=r"resulting score is not a number \(NaN\)"):
        r.zincrby("z", float("-inf"), "a")


def test_scores_use_seventeen_digits(r, server):
    r.zadd("z", {"a": 1.1, "b": float("inf")})
    raw = RawClient(server.port)
    try:
        assert raw.call("ZSCORE", "z", "a") == b"$18\r\n1.1000000000000001\r\n"
        assert raw.call("ZSCORE", "z", "b") == b"$3\r\ninf\r\n"
    finally:
        raw.close()


def test_rank_and_revrank(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrank("z", "a") == 0
    assert r.zrevrank("z", "a") == 2
    assert r.zrank("z", "nope") is None


def test_equal_scores_order_by_member(r):
    r.zadd("z", {"b": 0, "a": 0, "c": 0})
    assert r.zrange("z", 0, -1) == [b"a", b"b", b"c"]
    assert r.zrangebylex("z", "(a", "+") == [b"b", b"c"]
    assert r.zlexcount("z", "-", "[b") == 2


def test_range_by_score_with_limit_and_rev(r):
    r.zadd("z", {m: i for i, m in enumerate("abcdef")})
    assert r.zrangebyscore("z", "(1", 4, start=1, num=2) == [b"d", b"e"]
    assert r.zrevrangebyscore("z", "+inf", "-inf", start=0, num=2) == [b"f", b"e"]
    assert r.zrange("z", 4, 1, byscore=True, desc=True, offset=1, num=2) == [b"d", b"c"]
    assert r.zcount("z", "-inf", "(2") == 2


def test_zrangestore_writes_the_destination(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrangestore("dst", "z", 0, 1) == 2
    assert r.zrange("dst", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.0)]


def test_remrange_family_deletes_emptied_key(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zremrangebyscore("z", 2, 3) == 2
    assert r.zremrangebyrank("z", 0, 0) == 1
    assert r.zremrangebylex("z", "-", "+") == 1
    assert r.exists("z") == 0


def test_pops(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zpopmin("z") == [(b"a", 1.0)]
    assert r.zpopmax("z", 5) == [(b"c", 3.0), (b"b", 2.0)]
    assert r.exists("z") == 0
    r.zadd("z2", {"x": 1, "y": 2})
    assert r.zmpop(2, ["missing", "z2"], max=True, count=1) == [b"z2", [[b"y", b"2"]]]


def test_set_operations_with_weights_and_plain_sets(r):
    r.zadd("a", {"x": 1, "y": 2})
    r.zadd("b", {"y": 10, "z": 20})
    r.sadd("s", "y")
    assert r.zunion(["a", "b"], withscores=True) == [(b"x", 1.0), (b"y", 12.0), (b"z", 20.0)]
    assert r.zinter({"a": 2, "b": 1}, aggregate="MAX", withscores=True) == [(b"y", 10.0)]
    assert r.zinter(["a", "s"], withscores=True) == [(b"y", 3.0)]
    assert r.zdiff(["a", "b"]) == [b"x"]
    assert r.zunionstore("dst", ["a", "b"], aggregate="MIN") == 3
    assert r.zscore("dst", "y") == 2.0
    assert r.zintercard(2, ["a", "b"]) == 1


def test_zrandmember_returns_members(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrandmember("z") in {b"a", b"b", b"c"}
    picks = r.zrandmember("z", -10)
    assert len(picks) == 10 and set(picks) <= {b"a", b"b", b"c"}
    assert len(set(r.zrandmember("z", 2))) == 2


def test_zscan_visits_every_member(r):
    members = {f"m{i}": i for i in range(500)}
    r.zadd("big", members)
    seen = dict(r.zscan_iter("big", count=50))
    assert seen == {k.encode(): float(v) for k, v in members.items()}


def test_resp3_withscores_pairs(server):
    client = server.client(protocol=3)
    try:
        client.flushall()
        client.zadd("z", {"a": 1.5})
        assert client.execute_command("ZRANGE", "z", 0, -1, "WITHSCORES") == [[b"a", 1.5]]
        assert client.execute_command("ZSCORE", "z", "a") == 1.5
    finally:
        client.close()


def test_bzpopmin_is_served_by_a_later_zadd(r, server):
    waiter = server.client()
    result = []
    thread = threading.Thread(target=lambda: result.append(waiter.bzpopmin(["z1", "z2"], timeout=10)))
    thread.start()
    try:
        wait_for(lambda: int(r.info("clients")["blocked_clients"]) == 1, message="client blocked")
        r.zadd("z2", {"m": 4})
        thread.join(10)
        assert result == [(b"z2", b"m", 4.0)]
        assert r.exists("z2") == 0
    finally:
        thread.join(10)
        waiter.close()


def test_bzpopmax_times_out_with_null(r):
    assert r.bzpopmax(["none"], timeout=0.05) is None


def test_bzmpop_pops_at_once_when_data_exists(r):
    r.zadd("z", {"a": 1, "b": 2})
    assert r.bzmpop(1, 1, ["z"], min=True, count=5) == [b"z", [[b"a", b"1"], [b"b", b"2"]]]


def test_keyspace_events_for_zset_commands(r, server):
    r.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    try:
        sub.psubscribe("__keyevent@0__:*")
        wait_for(lambda: sub.get_message(timeout=0.1), message="psubscribe confirmation")
        r.zadd("z", {"a": 1})
        r.zincrby("z", 1, "a")
        r.zpopmin("z")
        events = []

        def collect():
            msg = sub.get_message(timeout=0.1)
            if msg and msg["type"] == "pmessage":
                events.append(msg["channel"].split(b":", 1)[1])
            return len(events) >= 4
        wait_for(collect, message="zset events")
        assert events == [b"zadd", b"zincr", b"zpopmin", b"del"]
    finally:
        sub.close()
        r.config_set("notify-keyspace-events", "")
