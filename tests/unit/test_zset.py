"""ZSet: the two views (member → score, ordered index) stay in step, ranks and ranges in Redis order."""

import random

from pyredis.engine.values import type_name
from pyredis.engine.zset import ZSet


def make(pairs: dict[bytes, float]) -> ZSet:
    zs = ZSet()
    for member, score in pairs.items():
        zs.add(member, score)
    return zs


def test_add_reports_new_members_only():
    zs = ZSet()
    assert zs.add(b"a", 1.0) is True
    assert zs.add(b"a", 2.0) is False
    assert zs.score(b"a") == 2.0
    assert len(zs) == 1


def test_iteration_orders_by_score_then_member_bytes():
    zs = make({b"b": 1.0, b"a": 1.0, b"ab": 1.0, b"c": 0.5, b"\xff": 1.0, b"z": float("-inf")})
    assert [m for m, _ in zs] == [b"z", b"c", b"a", b"ab", b"b", b"\xff"]


def test_negative_zero_is_stored_as_zero():
    zs = make({b"a": -0.0})
    assert str(zs.score(b"a")) == "0.0"


def test_rank_follows_updates():
    zs = make({b"a": 1.0, b"b": 2.0, b"c": 3.0})
    zs.add(b"a", 10.0)
    assert [zs.rank(m) for m in (b"b", b"c", b"a")] == [0, 1, 2]
    assert zs.rank(b"missing") is None


def test_remove_keeps_views_in_step_and_counts_deletions():
    zs = make({b"a": 1.0, b"b": 2.0})
    assert zs.remove(b"a") is True
    assert zs.remove(b"a") is False
    assert list(zs) == [(b"b", 2.0)]
    assert zs.deletions == 1


def test_score_span_honours_exclusive_bounds():
    zs = make({b"a": 1.0, b"b": 2.0, b"c": 2.0, b"d": 3.0})
    assert zs.score_span(2.0, False, 2.0, False) == (1, 3)
    assert zs.score_span(2.0, True, 3.0, False) == (3, 4)
    assert zs.score_span(1.0, False, 3.0, True) == (0, 3)
    assert zs.score_span(2.0, True, 2.0, False) == (0, 0)
    assert zs.score_span(float("-inf"), False, float("inf"), False) == (0, 4)


def test_lex_span_with_equal_scores():
    zs = make({m: 0.0 for m in (b"a", b"b", b"c", b"d")})
    assert zs.lex_span(b"b", False, b"c", False) == (1, 3)
    assert zs.lex_span(b"b", True, None, False) == (2, 4)
    assert zs.lex_span(None, False, b"c", True) == (0, 2)
    assert zs.lex_span(b"c", False, b"b", False) == (0, 0)


def test_pop_from_both_ends():
    zs = make({b"a": 1.0, b"b": 2.0, b"c": 3.0})
    assert zs.pop(2, from_max=True) == [(b"c", 3.0), (b"b", 2.0)]
    assert zs.pop(5, from_max=False) == [(b"a", 1.0)]
    assert len(zs) == 0 and zs.scores == {}


def test_remove_range_by_rank():
    zs = make({b"a": 1.0, b"b": 2.0, b"c": 3.0, b"d": 4.0})
    assert zs.remove_range(1, 3) == 2
    assert [m for m, _ in zs] == [b"a", b"d"]
    assert b"b" not in zs


def test_random_operations_match_a_sorted_model():
    rng = random.Random(7)
    zs = ZSet()
    model: dict[bytes, float] = {}
    for _ in range(2000):
        member = b"m%d" % rng.randrange(60)
        if rng.random() < 0.7:
            score = float(rng.randrange(-5, 5))
            zs.add(member, score)
            model[member] = score
        else:
            zs.remove(member)
            model.pop(member, None)
    expected = sorted((s, m) for m, s in model.items())
    assert [(s, m) for m, s in zs] == expected
    for i, (_, m) in enumerate(expected):
        assert zs.rank(m) == i


def test_type_is_registered_as_zset():
    assert type_name(ZSet()) == b"zset"
