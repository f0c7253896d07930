"""SPOP/SRANDMEMBER on sets big enough to get a random-access index (sets.py ``_INDEX_MIN``).

Checks what a user can see: picks stay uniform (chi-square, as Redis's own SRANDMEMBER
histogram test), only current members come back however the set was changed, and replacing
or moving the key never lets an old set's picks leak into the new value.
"""

import random
import socket

import pytest

from ..support import wait_for

BIG = 400               # over the index threshold, small enough for many draws per member


def _members(prefix: str, n: int = BIG) -> list[bytes]:
    return [b"%s%d" % (prefix.encode(), i) for i in range(n)]


def _chi_square_ok(counts: dict[bytes, int], members: list[bytes], draws: int) -> bool:
    """Every member drawn, and the chi-square statistic far from what a skewed pick gives
    (the bound is about 6 standard deviations over its mean: a false failure is ~1e-6)."""
    expected = draws / len(members)
    if set(counts) != set(members):
        return False
    stat = sum((counts[m] - expected) ** 2 / expected for m in members)
    dof = len(members) - 1
    return stat < dof + 6 * (2 * dof) ** 0.5


def _tally(values) -> dict[bytes, int]:
    counts: dict[bytes, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def test_srandmember_single_picks_are_uniform(r):
    members = _members("m")
    r.sadd("s", *members)
    draws = 100 * BIG
    pipe = r.pipeline(transaction=False)
    for _ in range(draws):
        pipe.srandmember("s")
    assert _chi_square_ok(_tally(pipe.execute()), members, draws)


def test_srandmember_negative_count_is_uniform(r):
    members = _members("m")
    r.sadd("s", *members)
    draws = 100 * BIG
    assert _chi_square_ok(_tally(r.srandmember("s", -draws)), members, draws)


def test_srandmember_negative_count_is_uniform_after_removals(r):
    members = _members("m", BIG + 60)
    r.sadd("s", *members)
    r.srandmember("s")                       # the index exists before the removals
    r.srem("s", *members[:60])
    draws = 100 * BIG
    assert _chi_square_ok(_tally(r.srandmember("s", -draws)), members[60:], draws)


def test_srandmember_positive_count_gives_distinct_uniform_members(r):
    members = _members("m")
    r.sadd("s", *members)
    pipe = r.pipeline(transaction=False)
    for _ in range(4000):
        pipe.srandmember("s", 10)
    replies = pipe.execute()
    assert all(len(set(reply)) == 10 for reply in replies)
    assert _chi_square_ok(_tally(m for reply in replies for m in reply), members, 40000)


def test_spop_picks_are_uniform(r):
    members = _members("m")
    r.sadd("s", *members)
    popped = []
    for _ in range(200):                    # pop half the set, put it back
        pipe = r.pipeline(transaction=False)
        for _ in range(BIG // 2):
            pipe.spop("s")
        batch = pipe.execute()
        popped += batch
        r.sadd("s", *batch)
    assert r.scard("s") == BIG
    assert _chi_square_ok(_tally(popped), members, 40000)


def test_spop_drains_a_big_set_exactly_once_each(r):
    members = _members("m", 1000)
    r.sadd("s", *members)
    pipe = r.pipeline(transaction=False)
    for _ in range(1000):
        pipe.spop("s")
    popped = pipe.execute()
    assert sorted(popped) == sorted(members)
    assert r.exists("s") == 0
    assert r.spop("s") is None


def test_spop_with_count_pops_distinct_members_and_keeps_the_rest(r):
    members = _members("m", 1000)
    r.sadd("s", *members)
    first = r.spop("s", 50)
    second = r.spop("s", 100)
    assert len(set(first)) == 50 and len(set(second)) == 100
    assert not set(first) & set(second)
    assert set(first) | set(second) | r.smembers("s") == set(members)
    assert r.scard("s") == 850


def test_mixed_changes_keep_picks_to_current_members(r):
    rng = random.Random(7)
    model = set(_members("m", 600))
    other = set(_members("o", 300))
    r.sadd("s", *model)
    r.sadd("o", *other)
    pool = list(model | other) + _members("new", 200)
    for _ in range(3000):
        op = rng.randrange(7)
        if op == 0:
            batch = rng.sample(pool, 3)
            r.sadd("s", *batch)
            model.update(batch)
        elif op == 1:
            batch = rng.sample(pool, 4)
            r.srem("s", *batch)
            model.difference_update(batch)
        elif op == 2:
            member = r.spop("s")
            assert member in model
            model.discard(member)
        elif op == 3:
            member = rng.choice(pool)
            if r.smove("s", "o", member):
                model.discard(member)
                other.add(member)
        elif op == 4:
            member = rng.choice(pool)
            if r.smove("o", "s", member):
                other.discard(member)
                model.add(member)
        elif op == 5:
            assert set(r.srandmember("s", -20)) <= model
            assert r.srandmember("s") in model
        else:
            picked = r.srandmember("s", 5)
            assert len(set(picked)) == 5 and set(picked) <= model
        if len(model) < 300:
            r.sadd("s", *pool[:400])
            model.update(pool[:400])
    assert r.scard("s") == len(model)
    assert set(r.spop("s", len(model))) == model
    assert r.exists("s") == 0
    assert r.smembers("o") == other


def _indexed_then_replaced(r, replace) -> set[bytes]:
    old = _members("old")
    new = set(_members("new"))
    r.sadd("s", *old)
    r.srandmember("s")
    r.spop("s")
    replace(new)
    return new


def _assert_picks_only_from(r, new: set[bytes]) -> None:
    assert set(r.srandmember("s", -2000)) <= new
    assert r.srandmember("s") in new
    assert set(r.spop("s", len(new))) == new


def test_picks_follow_a_set_recreated_after_del(r):
    new = _indexed_then_replaced(r, lambda new: (r.delete("s"), r.sadd("s", *new)))
    _assert_picks_only_from(r, new)


def test_picks_follow_sunionstore_into_the_key(r):
    def replace(new):
        r.sadd("n", *new)
        r.sunionstore("s", ["n"])
    new = _indexed_then_replaced(r, replace)
    _assert_picks_only_from(r, new)


def test_picks_follow_rename_over_the_key(r):
    def replace(new):
        r.sadd("n", *new)
        r.srandmember("n")                  # the incoming set has its own index
        r.rename("n", "s")
    new = _indexed_then_replaced(r, replace)
    _assert_picks_only_from(r, new)


def test_picks_follow_restore_and_set_over_the_key(r):
    def replace(new):
        r.sadd("n", *new)
        dump = r.dump("n")
        r.set("s", "string")
        r.restore("s", 0, dump, replace=True)
    new = _indexed_then_replaced(r, replace)
    _assert_picks_only_from(r, new)


def test_picks_follow_flushdb(r):
    new = _indexed_then_replaced(r, lambda new: (r.flushdb(), r.sadd("s", *new)))
    _assert_picks_only_from(r, new)


def test_picks_follow_swapdb(r):
    def replace(new):
        r.execute_command("SELECT", 1)
        r.sadd("s", *new)
        r.execute_command("SWAPDB", 0, 1)
        r.execute_command("SELECT", 0)
    r.execute_command("SELECT", 0)
    new = _indexed_then_replaced(r, replace)
    _assert_picks_only_from(r, new)


def test_a_moved_set_keeps_giving_its_own_members(r):
    members = set(_members("m"))
    r.sadd("s", *members)
    popped = r.spop("s")
    assert r.move("s", 1) is True
    r.execute_command("SELECT", 1)
    try:
        rest = set(r.spop("s", BIG))
    finally:
        r.execute_command("SELECT", 0)
    assert rest == members - {popped}


def test_picks_follow_an_expired_and_recreated_key(r):
    def replace(new):
        r.pexpire("s", 1)
        wait_for(lambda: r.exists("s") == 0)
        r.sadd("s", *new)
    new = _indexed_then_replaced(r, replace)
    _assert_picks_only_from(r, new)


def _read_reply(f) -> bytes:
    """One raw reply, its nested elements included."""
    line = f.readline()
    kind = line[:1]
    if kind in b"*~%":
        n = int(line[1:])
        return line + b"".join(_read_reply(f) for _ in range(2 * n if kind == b"%" else n))
    if kind == b"$" and line[1:2] != b"-":
        return line + f.read(int(line[1:]) + 2)
    return line


def _shape(reply: bytes) -> tuple[bytes, int]:
    """What a reply is, whatever its members: its type byte and how many lines it has."""
    return reply[:1], reply.count(b"\r\n")


@pytest.mark.parametrize("protocol", [2, 3])
def test_reply_shapes_match_small_sets(server, protocol):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        f = sock.makefile("rb")

        def call(*args: bytes) -> bytes:
            sock.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in args))
            return _read_reply(f)

        call(b"HELLO", b"%d" % protocol)
        call(b"FLUSHALL")
        call(b"SADD", b"big", *_members("m"))
        call(b"SADD", b"small", b"a1", b"b1", b"c1", b"d1", b"e1", b"f1")
        for args in ([b"SPOP"], [b"SRANDMEMBER"], [b"SRANDMEMBER", b"2"], [b"SRANDMEMBER", b"-3"],
                     [b"SPOP", b"2"], [b"SPOP", b"0"], [b"SRANDMEMBER", b"0"]):
            big = call(args[0], b"big", *args[1:])
            small = call(args[0], b"small", *args[1:])
            assert _shape(big) == _shape(small), args
