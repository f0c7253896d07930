"""Generic key commands against a real pyredis-server, driven with redis-py: deletion, existence,
TYPE, RENAME, COPY, MOVE, SWAPDB, FLUSH*, KEYS, SCAN, RANDOMKEY, OBJECT and their keyspace
notifications."""

import time

import pytest
import redis

from ..support import wait_for


@pytest.fixture
def events(r, server):
    """A pub/sub connection receiving every keyevent notification; returns a reader of events."""
    r.config_set("notify-keyspace-events", "KEA")
    ps = server.client().pubsub()
    ps.psubscribe("__keyevent@*__:*")
    ps.get_message(timeout=1)

    def read(count: int) -> list[tuple[bytes, bytes]]:
        got: list[tuple[bytes, bytes]] = []
        deadline = time.monotonic() + 5
        while len(got) < count and time.monotonic() < deadline:
            msg = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if msg is not None:
                got.append((msg["channel"], msg["data"]))
        return got

    yield read
    ps.close()
    r.config_set("notify-keyspace-events", "")


def test_del_counts_only_existing_keys(r):
    r.set("a", 1)
    r.set("b", 1)
    assert r.delete("a", "b", "c", "a") == 2
    assert r.dbsize() == 0


def test_unlink_deletes_like_del(r):
    r.set("a", 1)
    assert r.unlink("a", "missing") == 1
    assert r.exists("a") == 0


def test_exists_counts_repeated_keys(r):
    r.set("a", 1)
    assert r.exists("a", "a", "b") == 2


def test_touch_counts_existing_keys(r):
    r.set("a", 1)
    assert r.touch("a", "b", "a") == 2


def test_type_names_every_kind(r):
    r.set("s", "v")
    r.rpush("l", "x")
    r.sadd("st", "x")
    r.hset("h", "f", "v")
    assert [r.type(k) for k in ("s", "l", "st", "h", "none")] == [b"string", b"list", b"set", b"hash", b"none"]


def test_rename_carries_value_and_ttl(r):
    r.set("a", "v", ex=100)
    r.set("b", "old")
    assert r.rename("a", "b")
    assert r.get("b") == b"v" and 0 < r.ttl("b") <= 100 and r.exists("a") == 0


def test_rename_of_missing_key_is_an_error(r):
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.rename("missing", "x")


def test_renamenx_refuses_an_existing_destination(r):
    r.set("a", 1)
    r.set("b", 2)
    assert r.renamenx("a", "b") is False
    assert r.renamenx("a", "c") is True
    assert r.get("c") == b"1"


def test_copy_is_independent_of_its_source(r):
    r.rpush("l", "a", "b")
    assert r.copy("l", "l2") is True
    r.rpush("l2", "c")
    assert r.lrange("l", 0, -1) == [b"a", b"b"]
    assert r.lrange("l2", 0, -1) == [b"a", b"b", b"c"]


def test_copy_to_another_db_keeps_ttl_and_needs_replace_to_overwrite(r, server):
    r.set("a", "v", ex=100)
    other = server.client(db=3)
    other.set("a", "old")
    assert r.copy("a", "a", destination_db=3) is False
    assert r.copy("a", "a", destination_db=3, replace=True) is True
    assert other.get("a") == b"v" and 0 < other.ttl("a") <= 100
    other.close()


def test_move_hands_key_and_ttl_to_the_other_db(r, server):
    r.set("a", "v", ex=100)
    assert r.move("a", 2) is True
    other = server.client(db=2)
    assert other.get("a") == b"v" and 0 < other.ttl("a") <= 100
    assert r.exists("a") == 0
    other.close()


def test_move_does_not_overwrite(r, server):
    other = server.client(db=2)
    other.set("a", "there")
    r.set("a", "here")
    assert r.move("a", 2) is False
    assert r.get("a") == b"here" and other.get("a") == b"there"
    other.close()


def test_swapdb_exchanges_contents(r, server):
    r.set("in0", 1)
    other = server.client(db=1)
    other.set("in1", 1)
    assert r.swapdb(0, 1)
    assert r.keys() == [b"in1"] and other.keys() == [b"in0"]
    other.close()


def test_swapdb_invalidates_watch_on_either_db(r, server):
    r.set("k", 1)
    other = server.client(db=1)
    other.set("k", 2)
    pipe = r.pipeline()
    pipe.watch("k")
    other.swapdb(0, 1)
    pipe.multi()
    pipe.get("k")
    with pytest.raises(redis.WatchError):
        pipe.execute()
    other.close()


def test_flushdb_async_and_sync_empty_only_the_current_db(r, server):
    other = server.client(db=1)
    other.set("keep", 1)
    r.set("a", 1)
    assert r.flushdb(asynchronous=True)
    r.set("b", 1)
    assert r.execute_command("FLUSHDB", "SYNC")
    assert r.dbsize() == 0 and other.dbsize() == 1
    other.close()


def test_flushall_empties_every_db(r, server):
    other = server.client(db=5)
    other.set("a", 1)
    r.set("a", 1)
    assert r.flushall()
    assert other.dbsize() == 0 and r.dbsize() == 0
    other.close()


def test_keys_matches_glob_patterns(r):
    for k in ("hello", "hallo", "hxllo", "world"):
        r.set(k, 1)
    assert sorted(r.keys("h[ae]llo")) == [b"hallo", b"hello"]
    assert sorted(r.keys("*")) == [b"hallo", b"hello", b"hxllo", b"world"]


def test_keys_hides_expired_keys(r):
    r.set("a", 1, px=1)
    r.set("b", 1)
    wait_for(lambda: r.pttl("a") == -2)
    assert r.keys() == [b"b"]


def test_scan_visits_every_key_once_over_a_full_iteration(r):
    r.mset({f"k{i}": i for i in range(500)})
    seen = list(r.scan_iter(count=37))
    assert sorted(seen) == sorted(f"k{i}".encode() for i in range(500))


def test_scan_filters_by_match_and_type(r):
    r.mset({f"s{i}": i for i in range(50)})
    for i in range(50):
        r.rpush(f"l{i}", "x")
    assert sorted(r.scan_iter(match="s1*")) == sorted([b"s1"] + [b"s1%d" % i for i in range(10)])
    assert len(list(r.scan_iter(_type="list"))) == 50


def test_scan_rejects_a_bad_cursor_and_count(r):
    with pytest.raises(redis.ResponseError, match="invalid cursor"):
        r.execute_command("SCAN", "x")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("SCAN", "0", "COUNT", "0")


def test_randomkey_returns_a_key_or_nil(r):
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    assert {r.randomkey() for _ in range(50)} <= {b"a", b"b"}


def test_randomkey_covers_a_large_keyspace(r):
    r.mset({f"k{i}": 1 for i in range(1000)})
    assert len({r.randomkey() for _ in range(200)}) > 150


@pytest.mark.parametrize("setup,expected", [
    (lambda r: r.set("k", "123"), b"int"),
    (lambda r: r.set("k", "abc"), b"embstr"),
    (lambda r: r.set("k", "x" * 45), b"raw"),
    (lambda r: r.rpush("k", "a"), b"quicklist"),
    (lambda r: r.sadd("k", "1", "2"), b"intset"),
    (lambda r: r.sadd("k", "a"), b"hashtable"),
    (lambda r: r.hset("k", "f", "v"), b"listpack"),
    (lambda r: r.hset("k", "f", "v" * 100), b"hashtable"),
])
def test_object_encoding_names_redis_encodings(r, setup, expected):
    setup(r)
    assert r.object("encoding", "k") == expected


def test_object_encoding_follows_the_intset_limit(r):
    r.config_set("set-max-intset-entries", 4)
    try:
        r.sadd("k", *range(5))
        assert r.object("encoding", "k") == b"hashtable"
    finally:
        r.config_set("set-max-intset-entries", 512)


def test_object_refcount_reports_shared_small_integers(r):
    r.set("small", 5)
    r.set("big", 123456)
    assert r.object("refcount", "small") == 2147483647
    assert r.object("refcount", "big") == 1


def test_object_of_missing_key_is_nil(r):
    for sub in ("encoding", "refcount", "idletime", "freq"):
        assert r.object(sub, "missing") is None


def test_object_freq_needs_an_lfu_policy(r):
    r.set("k", 1)
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is not selected"):
        r.object("freq", "k")


def test_object_freq_counts_accesses_under_lfu(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        r.set("k", 1)
        for _ in range(100):
            r.get("k")
        assert r.object("freq", "k") > 5
        with pytest.raises(redis.ResponseError, match="An LRU maxmemory policy is not selected"):
            r.object("idletime", "k")
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def test_object_idletime_resets_on_access_but_not_on_type(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    try:
        r.set("k", 1)
        wait_for(lambda: r.object("idletime", "k") >= 1, timeout=5)
        r.type("k")
        r.ttl("k")
        assert r.object("idletime", "k") >= 1
        r.get("k")
        assert r.object("idletime", "k") == 0
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def test_object_help_lists_subcommands(r):
    lines = r.execute_command("OBJECT", "HELP")
    assert lines[0].startswith(b"OBJECT <subcommand>") and b"FREQ <key>" in lines


def test_rename_notifies_from_and_to(r, events):
    r.set("a", 1)
    r.rename("a", "b")
    assert events(3)[1:] == [(b"__keyevent@0__:rename_from", b"a"), (b"__keyevent@0__:rename_to", b"b")]


def test_move_notifies_both_dbs(r, events):
    r.set("a", 1)
    r.move("a", 4)
    assert events(3)[1:] == [(b"__keyevent@0__:move_from", b"a"), (b"__keyevent@4__:move_to", b"a")]


def test_copy_and_del_notify(r, events):
    r.set("a", 1)
    r.copy("a", "b")
    r.delete("a", "b")
    assert events(4)[1:] == [(b"__keyevent@0__:copy_to", b"b"), (b"__keyevent@0__:del", b"a"),
                             (b"__keyevent@0__:del", b"b")]
