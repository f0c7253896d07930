"""List commands against a real pyredis-server through redis-py: results, errors, the deletion
of emptied lists, keyspace notifications with Redis's event names, and large lists (the
differential suite pins the exact bytes)."""

import pytest
import redis

from ..support import wait_for


def test_pushes_return_the_new_length_and_keep_order(r):
    assert r.rpush("l", "a", "b") == 2
    assert r.lpush("l", "x", "y") == 4
    assert r.lrange("l", 0, -1) == [b"y", b"x", b"a", b"b"]


def test_pushx_only_pushes_onto_an_existing_list(r):
    assert r.lpushx("l", "a") == 0
    assert r.exists("l") == 0
    r.rpush("l", "a")
    assert r.rpushx("l", "b", "c") == 3


def test_pop_with_count_returns_up_to_count_elements(r):
    r.rpush("l", "a", "b", "c")
    assert r.lpop("l", 2) == [b"a", b"b"]
    assert r.rpop("l", 5) == [b"c"]
    assert r.lpop("l", 2) is None


def test_pop_with_negative_count_is_an_error(r):
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="must be positive"):
        r.lpop("l", -1)


def test_emptied_list_is_deleted(r):
    r.rpush("l", "a")
    r.rpop("l")
    assert r.exists("l") == 0
    assert r.type("l") == b"none"


def test_lrange_and_lindex_use_redis_index_rules(r):
    r.rpush("l", *"abcde")
    assert r.lrange("l", -2, 100) == [b"d", b"e"]
    assert r.lrange("l", 3, 1) == []
    assert r.lindex("l", -1) == b"e"
    assert r.lindex("l", 10) is None


def test_lrange_near_the_tail_of_a_long_list(r):
    r.rpush("l", *range(10000))
    assert r.lrange("l", -3, -1) == [b"9997", b"9998", b"9999"]
    assert r.lrange("l", 100, 102) == [b"100", b"101", b"102"]
    assert r.llen("l") == 10000


def test_lset_errors(r):
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.lset("nokey", 0, "x")
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError, match="^index out of range$"):
        r.lset("l", 5, "x")
    assert r.lset("l", -1, "z") is True
    assert r.lrange("l", 0, -1) == [b"z"]


def test_linsert_before_and_after_the_first_pivot(r):
    r.rpush("l", "a", "b", "a")
    assert r.linsert("l", "before", "a", "x") == 4
    assert r.linsert("l", "after", "b", "y") == 5
    assert r.linsert("l", "after", "missing", "z") == -1
    assert r.lrange("l", 0, -1) == [b"x", b"a", b"b", b"y", b"a"]


def test_lrem_counts_from_head_tail_or_all(r):
    r.rpush("l", *"abacada")
    assert r.lrem("l", 2, "a") == 2
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a", b"d", b"a"]
    assert r.lrem("l", -1, "a") == 1
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a", b"d"]
    assert r.lrem("l", 0, "a") == 1


def test_ltrim_keeps_the_range_and_deletes_an_empty_result(r):
    r.rpush("l", *"abcde")
    assert r.ltrim("l", 1, -2) is True
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"d"]
    r.ltrim("l", 5, 10)
    assert r.exists("l") == 0


def test_lpos_rank_count_and_maxlen(r):
    r.rpush("l", *"abcabca")
    assert r.lpos("l", "a") == 0
    assert r.lpos("l", "a", rank=-1) == 6
    assert r.lpos("l", "a", count=0) == [0, 3, 6]
    assert r.lpos("l", "a", rank=2, count=5) == [3, 6]
    assert r.lpos("l", "a", count=0, maxlen=4) == [0, 3]
    with pytest.raises(redis.ResponseError, match="RANK can't be zero"):
        r.lpos("l", "a", rank=0)


def test_lmove_rotates_a_list_onto_itself(r):
    r.rpush("l", "a", "b", "c")
    assert r.lmove("l", "l", "LEFT", "RIGHT") == b"a"
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a"]


def test_rpoplpush_moves_to_a_new_list_and_deletes_the_empty_source(r):
    r.rpush("src", "only")
    assert r.rpoplpush("src", "dst") == b"only"
    assert r.exists("src") == 0
    assert r.lrange("dst", 0, -1) == [b"only"]


def test_lmove_to_a_wrong_type_destination_leaves_the_source(r):
    r.rpush("src", "a")
    r.set("dst", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.lmove("src", "dst")
    assert r.lrange("src", 0, -1) == [b"a"]


def test_lmpop_pops_from_the_first_non_empty_list(r):
    r.rpush("b", "1", "2", "3")
    assert r.lmpop(2, "a", "b", direction="RIGHT", count=2) == [b"b", [b"3", b"2"]]
    assert r.lmpop(1, "a", direction="LEFT") is None


def test_list_commands_on_a_string_are_wrongtype(r):
    r.set("s", "x")
    for call in (lambda: r.lpush("s", "a"), lambda: r.llen("s"), lambda: r.lrange("s", 0, 1),
                 lambda: r.blpop(["s"], 0)):
        with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
            call()


def test_object_type_and_type_report_list(r):
    r.rpush("l", "a")
    assert r.type("l") == b"list"


def _events(r, server, action) -> list[tuple[bytes, bytes]]:
    r.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    try:
        sub.psubscribe("__keyevent@0__:*")
        wait_for(lambda: sub.get_message(timeout=0.1) is not None, message="psubscribe confirmation")
        action()
        r.set("__end__", "1")
        out: list[tuple[bytes, bytes]] = []

        def drained() -> bool:
            msg = sub.get_message(timeout=0.1)
            if msg is not None and msg["type"] == "pmessage":
                out.append((msg["channel"].split(b":", 1)[1], msg["data"]))
            return bool(out) and out[-1] == (b"set", b"__end__")

        wait_for(drained, message="keyspace events")
        return out[:-1]
    finally:
        sub.close()
        r.config_set("notify-keyspace-events", "")


def test_keyspace_events_of_list_commands(r, server):
    def action():
        r.rpush("l", "a", "b", "c")
        r.lpush("l", "z")
        r.linsert("l", "before", "a", "y")
        r.lset("l", 0, "w")
        r.lrem("l", 1, "y")
        r.ltrim("l", 0, 2)
        r.lpop("l")
        r.rpop("l")
        r.lmove("l", "m", "LEFT", "RIGHT")

    assert _events(r, server, action) == [
        (b"rpush", b"l"), (b"lpush", b"l"), (b"linsert", b"l"), (b"lset", b"l"), (b"lrem", b"l"),
        (b"ltrim", b"l"), (b"lpop", b"l"), (b"rpop", b"l"), (b"rpush", b"m"), (b"lpop", b"l"), (b"del", b"l"),
    ]
