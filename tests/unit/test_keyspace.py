"""The keyspace engine without a server: SCAN cursors, container scans, sampling, memory
accounting, access tracking."""

import random

import pytest

from pyredis.engine.keyspace import TRACK_LFU, TRACK_LRU, Keyspace, ScanCursors, scan_dict
from pyredis.engine.values import ListValue, approx_size, encoding


def _keyspace(n: int = 0) -> Keyspace:
    ks = Keyspace(4)
    ks.now_ms = 1_000_000
    for i in range(n):
        ks[0].add(b"k%d" % i, b"v")
    return ks


def _full_scan_with_churn(seed: int) -> None:
    rng = random.Random(seed)
    ks = _keyspace()
    db = ks[0]
    stable = {b"s%d" % i for i in range(rng.randrange(1, 300))}
    volatile_keys = [b"t%d" % i for i in range(rng.randrange(0, 300))]
    order = list(stable) + volatile_keys
    rng.shuffle(order)
    for key in order:
        db.add(key, b"x")
    churn = set(volatile_keys)
    fresh = 0
    seen: set[bytes] = set()
    cursor = 0
    steps = 0
    while True:
        cursor, keys = db.scan(cursor, rng.choice([1, 2, 5, 10, 50]))
        seen.update(keys)
        steps += 1
        assert steps < 10_000, "scan did not terminate"
        if cursor == 0:
            break
        for _ in range(rng.randrange(0, 12)):
            action = rng.random()
            if action < 0.45 and churn:
                victim = rng.choice(sorted(churn))
                churn.discard(victim)
                assert db.delete(victim)
            elif action < 0.8:
                key = b"n%d" % fresh
                fresh += 1
                db.add(key, b"y")
                churn.add(key)
            elif action < 0.9 and churn:
                key = rng.choice(sorted(churn))    # an expired key disappears during the scan
                db.set_expire(key, ks.now_ms - 1)
                churn.discard(key)
            else:
                db.set(rng.choice(sorted(stable)), b"overwritten")
    missing = stable - seen
    assert not missing, f"seed {seed}: {len(missing)} keys present for the whole scan were missed"
    assert not any(k.startswith(b"t") and k not in churn and db.peek(k) is None and k in keys
                   for k in keys)


@pytest.mark.parametrize("seed", range(300))
def test_scan_never_misses_keys_present_for_the_whole_scan(seed):
    _full_scan_with_churn(seed)


def test_scan_terminates_when_each_step_deletes_more_than_count():
    ks = _keyspace(2000)
    db = ks[0]
    cursor, steps, victims = 0, 0, iter(range(2000))
    while True:
        cursor, _ = db.scan(cursor, 5)
        steps += 1
        if cursor == 0:
            break
        for _ in range(20):                 # twenty deletions between steps of five
            i = next(victims, None)
            if i is not None:
                db.delete(b"k%d" % i)
        assert steps < 2000


def test_scan_skips_expired_keys_and_removes_them():
    ks = _keyspace(10)
    db = ks[0]
    db.set_expire(b"k3", ks.now_ms - 1)
    cursor, keys = db.scan(0, 100)
    assert cursor == 0 and b"k3" not in keys and len(keys) == 9
    assert b"k3" not in db.data


def test_scan_restarts_after_swapdb_without_error():
    ks = _keyspace(100)
    cursor, _ = ks[0].scan(0, 10)
    ks.swap(0, 1)
    cursor, keys = ks[0].scan(cursor, 10)
    assert keys == [] and cursor == 0


@pytest.mark.parametrize("seed", range(100))
@pytest.mark.parametrize("kind", ["dict", "set"])
def test_scan_dict_returns_each_stable_member_once(seed, kind):
    rng = random.Random(seed)
    owner = _keyspace()[0]
    stable = [b"m%d" % i for i in range(rng.randrange(20, 400))]
    extra = [b"e%d" % i for i in range(rng.randrange(0, 400))]
    members = stable + extra
    rng.shuffle(members)
    container: dict | set = dict.fromkeys(members, b"v") if kind == "dict" else set(members)
    removable = set(extra)
    seen: list[bytes] = []
    cursor = 0
    fresh = 0
    while True:
        cursor, found = scan_dict(container, owner, cursor, rng.choice([1, 3, 10, 25]))
        seen += found
        if cursor == 0:
            break
        for _ in range(rng.randrange(0, 8)):
            if rng.random() < 0.5 and removable:
                victim = removable.pop()
                if kind == "dict":
                    del container[victim]
                else:
                    container.discard(victim)
            else:
                new = b"n%d" % fresh
                fresh += 1
                if kind == "dict":
                    container[new] = b"v"
                else:
                    container.add(new)
    assert sorted(m for m in seen if m.startswith(b"m")) == sorted(stable)
    assert len(seen) == len(set(seen))
    assert not owner.scan_cursors.snaps, "a finished scan leaves no snapshot behind"


def test_scan_dict_returns_a_small_container_whole():
    owner = _keyspace()[0]
    assert scan_dict({b"a": b"1", b"b": b"2"}, owner, 0, 10) == (0, [b"a", b"b"])


def test_scan_cursors_are_bounded():
    cursors = ScanCursors(max_cursors=4)
    for _ in range(10):
        cursors.new(object(), [b"x"] * 3)
    assert len(cursors.snaps) == 4 and cursors.elements == 12


def test_sample_keys_of_a_large_table_are_live_and_distinct():
    ks = _keyspace(5000)
    db = ks[0]
    rng = random.Random(1)
    for i in range(0, 5000, 2):
        db.sample_keys(5, rng)
        db.delete(b"k%d" % i)
    for _ in range(200):
        keys = db.sample_keys(5, rng)
        assert keys and len(set(keys)) == len(keys)
        assert all(k in db.data for k in keys)


def test_memory_estimate_returns_to_zero_when_keys_go():
    ks = _keyspace()
    db = ks[0]
    db.add(b"s", b"x" * 100)
    db.set(b"s", b"y" * 10)
    db.add(b"l", ListValue([b"a", b"b"]))
    db.data[b"l"].extend([b"c"] * 100)
    db.changed(b"l")
    db.add(b"h", {b"f": b"v"})
    db.set_expire(b"h", ks.now_ms + 10_000)
    db.rename(b"h", b"h2")
    db.move_to(b"s", ks[1])
    assert ks.used > 0
    db.delete(b"l")
    db.persist(b"h2")
    db.delete(b"h2")
    ks[1].delete(b"s")
    assert ks.used == 0


def test_memory_estimate_counts_values_stored_straight_into_data():
    ks = _keyspace()
    db = ks[0]
    db.data[b"loaded"] = b"x" * 1000
    db.data[b"h"] = {b"f": b"v"}
    assert ks.used > 1000
    db.delete(b"loaded")
    db.delete(b"h")
    assert ks.used == 0


def test_memory_estimate_follows_swapdb_and_flush():
    ks = _keyspace(100)
    before = ks[0].mem
    ks.swap(0, 2)
    assert ks[2].mem == before and ks[0].mem == 0
    ks[2].clear()
    assert ks.used == 0


def test_lru_tracking_records_accesses_and_forgets_deleted_keys():
    ks = _keyspace(3)
    ks.set_tracking(TRACK_LRU)
    db = ks[0]
    ks.now_ms += 5000
    db.lookup(b"k1")
    assert ks.idle_seconds(db, b"k1") == 0
    assert ks.idle_seconds(db, b"k2") == 5
    db.delete(b"k1")
    assert b"k1" not in db.access


def test_peek_does_not_count_as_an_access():
    ks = _keyspace(1)
    ks.set_tracking(TRACK_LRU)
    ks.now_ms += 3000
    ks[0].peek(b"k0")
    assert ks.idle_seconds(ks[0], b"k0") == 3


def test_lfu_counter_grows_logarithmically_and_decays():
    ks = _keyspace(1)
    ks.rng.seed(7)
    ks.set_tracking(TRACK_LFU)
    db = ks[0]
    for _ in range(1000):
        db.lookup(b"k0")
    counter = ks.lfu_counter(db.access[b"k0"])
    assert 10 < counter < 40
    ks.now_ms += 10 * 60_000
    assert ks.lfu_counter(db.access[b"k0"]) == counter - 10


def test_tracking_off_keeps_no_per_key_state():
    ks = _keyspace(10)
    for key in list(ks[0].data):
        ks[0].lookup(key)
    assert all(db.access is None for db in ks.dbs)


class _Conf(dict):
    pass


_DEFAULTS = _Conf({"set-max-intset-entries": 512, "hash-max-listpack-entries": 512,
                   "hash-max-listpack-value": 64, "zset-max-listpack-entries": 128,
                   "zset-max-listpack-value": 64})


@pytest.mark.parametrize("value,expected", [
    (b"12", b"int"), (b"-0", b"embstr"), (b"007", b"embstr"), (b" 1", b"embstr"),
    (b"9223372036854775807", b"int"), (b"9223372036854775808", b"embstr"),
    (b"-9223372036854775808", b"int"), (b"x" * 44, b"embstr"), (b"x" * 45, b"raw"),
    (ListValue([b"a"]), b"quicklist"), ({b"1", b"-2"}, b"intset"), ({b"1", b"a"}, b"hashtable"),
    ({b"f": b"v"}, b"listpack"), ({b"f": b"v" * 65}, b"hashtable"),
])
def test_encoding_follows_redis_thresholds(value, expected):
    assert encoding(value, _DEFAULTS) == expected


def test_encoding_respects_the_entry_directives():
    conf = _Conf(_DEFAULTS, **{"set-max-intset-entries": 2, "hash-max-listpack-entries": 1})
    assert encoding({b"1", b"2", b"3"}, conf) == b"hashtable"
    assert encoding({b"a": b"1", b"b": b"2"}, conf) == b"hashtable"


def test_approx_size_grows_with_content():
    assert approx_size({b"f" * 10: b"v" * 100}) < approx_size({b"f%d" % i: b"v" * 100 for i in range(50)})
    assert approx_size(ListValue()) > 0
