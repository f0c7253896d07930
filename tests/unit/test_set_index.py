"""The random-access index that sets.py keeps beside big sets, driven through the handlers.

The server tests see only replies, and the index rebuilds itself when it is out of step, so a
handler that forgot to keep it in sync would only be slow there. These tests look inside: the
invariant (``items`` is a permutation of ``s | gone``) holds after every command, without the
rebuild, and the index goes away with its set.
"""

import gc
import random
from types import SimpleNamespace

from pyredis.commands import sets
from pyredis.engine.keyspace import Keyspace

SIZE = sets._INDEX_MIN + 200


def _client(seed: int = 1) -> SimpleNamespace:
    node = SimpleNamespace(rng=random.Random(seed), notify_flags=0)
    return SimpleNamespace(db=Keyspace()[0], node=node, resp=2, propagate=None)


def _big_set(client, key: bytes = b"s", prefix: bytes = b"m") -> set:
    sets.sadd(client, [b"SADD", key, *[prefix + b"%d" % i for i in range(SIZE)]])
    return client.db.data[key]


def _assert_in_step(ix, s: set) -> None:
    assert not s & ix.gone
    assert sorted(ix.items) == sorted(s | ix.gone)


def test_first_pick_on_a_big_set_builds_the_index():
    client = _client()
    s = _big_set(client)
    assert sets._index_of(s) is None
    sets.srandmember(client, [b"SRANDMEMBER", b"s"])
    ix = sets._index_of(s)
    assert ix is not None
    _assert_in_step(ix, s)


def test_small_sets_get_no_index():
    client = _client()
    sets.sadd(client, [b"SADD", b"s", b"a", b"b", b"c"])
    sets.srandmember(client, [b"SRANDMEMBER", b"s", b"-5"])
    sets.spop(client, [b"SPOP", b"s"])
    assert sets._index_of(client.db.data[b"s"]) is None


def test_every_handler_keeps_the_index_in_step_without_a_rebuild():
    client = _client()
    rng = random.Random(3)
    s = _big_set(client)
    other = _big_set(client, b"o", b"o")
    sets.spop(client, [b"SPOP", b"s"])
    sets.spop(client, [b"SPOP", b"o"])
    pool = [b"m%d" % i for i in range(SIZE + 100)] + [b"o%d" % i for i in range(50)]
    for _ in range(2000):
        ix, ox = sets._index_of(s), sets._index_of(other)
        items_before = ix.items if ix is not None else None
        op = rng.randrange(6)
        if op == 0:
            sets.sadd(client, [b"SADD", b"s", *rng.sample(pool, rng.choice((1, 3)))])
        elif op == 1:
            sets.srem(client, [b"SREM", b"s", *rng.sample(pool, 2)])
        elif op == 2:
            sets.spop(client, [b"SPOP", b"s", *([b"3"] if rng.random() < 0.3 else [])])
        elif op == 3:
            sets.smove(client, [b"SMOVE", b"s", b"o", rng.choice(pool)])
        elif op == 4:
            sets.smove(client, [b"SMOVE", b"o", b"s", rng.choice(pool)])
        else:
            sets.srandmember(client, [b"SRANDMEMBER", b"s", rng.choice((b"4", b"-4", b"1"))])
        if len(s) < SIZE // 2:
            sets.sadd(client, [b"SADD", b"s", *pool])
        if ix is not None and sets._index_of(s) is ix:
            assert ix.items is items_before         # kept in step, not rebuilt
            _assert_in_step(ix, s)
        if ox is not None and sets._index_of(other) is ox:
            _assert_in_step(ox, other)
        sets.srandmember(client, [b"SRANDMEMBER", b"s"])   # (re)build it if it was dropped


def test_many_removals_drop_the_index_instead_of_growing_it():
    client = _client()
    s = _big_set(client)
    sets.srandmember(client, [b"SRANDMEMBER", b"s"])
    sets.srem(client, [b"SREM", b"s", *[b"m%d" % i for i in range(SIZE * 2 // 3)]])
    assert sets._index_of(s) is None
    assert len(s) == SIZE - SIZE * 2 // 3


def test_the_index_goes_away_with_its_set():
    client = _client()
    gc.collect()                            # sets of earlier tests
    before = len(sets._indexes)
    for _ in range(20):
        _big_set(client)
        sets.spop(client, [b"SPOP", b"s"])
        client.db.delete(b"s")
    _big_set(client)
    sets.spop(client, [b"SPOP", b"s"])
    client.db.clear()
    gc.collect()
    assert len(sets._indexes) == before


def test_an_index_put_out_of_step_from_outside_is_rebuilt():
    client = _client()
    s = _big_set(client)
    sets.srandmember(client, [b"SRANDMEMBER", b"s"])
    s.add(b"outsider")                      # no handler saw it
    sets.srandmember(client, [b"SRANDMEMBER", b"s"])
    _assert_in_step(sets._index_of(s), s)


def test_picks_stay_members_when_an_outside_change_keeps_the_count():
    client = _client()
    s = _big_set(client)
    sets.srandmember(client, [b"SRANDMEMBER", b"s"])
    s.discard(b"m0")                        # neither change seen by a handler
    s.add(b"outsider")
    for _ in range(2000):
        reply = sets.srandmember(client, [b"SRANDMEMBER", b"s"])
        assert reply.split(b"\r\n")[1] in s
