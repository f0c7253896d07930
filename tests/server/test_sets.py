"""Set commands against a real pyredis-server, through redis-py."""

import pytest
import redis

from ..support import wait_for


def test_sadd_counts_only_new_members(r):
    assert r.sadd("s", "a", "b", "a") == 2
    assert r.sadd("s", "b", "c") == 1
    assert r.smembers("s") == {b"a", b"b", b"c"}


def test_srem_deletes_the_emptied_key(r):
    r.sadd("s", "a", "b")
    assert r.srem("s", "a", "b", "x") == 2
    assert r.exists("s") == 0


def test_wrong_type_is_rejected(r):
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.sadd("str", "a")
    assert r.type("str") == b"string"


def test_membership_queries(r):
    r.sadd("s", "a", "b")
    assert r.sismember("s", "a") == 1
    assert r.sismember("s", "z") == 0
    assert r.smismember("s", ["a", "z"]) == [1, 0]
    assert r.scard("s") == 2
    assert r.scard("missing") == 0


def test_smove_moves_and_creates_destination(r):
    r.sadd("src", "a", "b")
    assert r.smove("src", "dst", "a") is True
    assert r.smove("src", "dst", "zz") is False
    assert r.smembers("dst") == {b"a"}
    assert r.smove("src", "dst", "b") is True
    assert r.exists("src") == 0


def test_set_algebra(r):
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    assert r.sinter("a", "b") == {b"2", b"3"}
    assert r.sunion("a", "b") == {b"1", b"2", b"3", b"4"}
    assert r.sdiff("a", "b") == {b"1"}
    assert r.sintercard(2, ["a", "b"]) == 2
    assert r.sintercard(2, ["a", "b"], limit=1) == 1
    assert r.sinter("a", "missing") == set()


def test_store_forms_replace_or_delete_the_destination(r):
    r.sadd("a", 1, 2)
    r.sadd("b", 2, 3)
    r.set("dst", "old", ex=100)
    assert r.sinterstore("dst", ["a", "b"]) == 1
    assert r.ttl("dst") == -1
    assert r.sunionstore("dst", ["a", "b"]) == 3
    assert r.sdiffstore("dst", ["a", "a"]) == 0
    assert r.exists("dst") == 0


def test_spop_removes_what_it_returns(r):
    r.sadd("s", *range(10))
    popped = r.spop("s", 4)
    assert len(popped) == 4
    assert r.scard("s") == 6
    assert not (set(popped) & r.smembers("s"))
    one = r.spop("s")
    assert one not in r.smembers("s")


def test_spop_with_count_above_size_deletes_the_key(r):
    r.sadd("s", "a", "b")
    assert set(r.spop("s", 10)) == {b"a", b"b"}
    assert r.exists("s") == 0


def test_srandmember_count_shapes(r):
    r.sadd("s", "a", "b", "c")
    assert r.srandmember("s") in {b"a", b"b", b"c"}
    uniq = r.srandmember("s", 2)
    assert len(uniq) == 2 and len(set(uniq)) == 2
    assert sorted(r.srandmember("s", 10)) == [b"a", b"b", b"c"]
    repeated = r.srandmember("s", -7)
    assert len(repeated) == 7 and set(repeated) <= {b"a", b"b", b"c"}
    assert r.scard("s") == 3


def test_sscan_visits_every_member_of_a_large_set(r):
    members = {b"m%d" % i for i in range(1000)}
    r.sadd("big", *members)
    seen = set(r.sscan_iter("big", count=37))
    assert seen == members


def test_sscan_match_filters(r):
    r.sadd("s", "apple", "avocado", "banana")
    assert set(r.sscan_iter("s", match="a*")) == {b"apple", b"avocado"}


def test_keyspace_events_for_set_commands(r, server):
    r.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    try:
        sub.psubscribe("__keyevent@0__:*")
        wait_for(lambda: sub.get_message(timeout=0.1), message="psubscribe confirmation")
        r.sadd("s", "a")
        r.smove("s", "t", "a")
        r.sunionstore("u", ["t"])
        events = []

        def collect():
            msg = sub.get_message(timeout=0.1)
            if msg and msg["type"] == "pmessage":
                events.append((msg["channel"].split(b":", 1)[1], msg["data"]))
            return len(events) >= 5
        wait_for(collect, message="set events")
        assert events == [(b"sadd", b"s"), (b"srem", b"s"), (b"del", b"s"), (b"sadd", b"t"), (b"sunionstore", b"u")]
    finally:
        sub.close()
        r.config_set("notify-keyspace-events", "")
