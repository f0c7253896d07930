"""Differential tests: Pub/Sub and transactions, raw replies of pyredis against a real redis-server.

Each side gets the same clients (a subscriber or transaction client ``a`` and a second client
``b``), the same commands in the same order, and every reply is compared byte for byte. Where
Redis iterates a hash table (unsubscribe-all, patterns matching one message), the order of the
replies is not part of the contract, so those replies are compared as multisets with the same
running counts.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient


class Side:
    """Clients ``a`` and ``b`` on one server, reset to a clean state."""

    def __init__(self, port: int) -> None:
        self.a = RawClient(port)
        self.b = RawClient(port)
        self.b.call("FLUSHALL")

    def close(self) -> None:
        self.a.close()
        self.b.close()


@pytest.fixture
def sides(server, real_server):
    ours, theirs = Side(server.port), Side(real_server.port)
    yield ours, theirs
    ours.close()
    theirs.close()


def _parts(reply: bytes) -> tuple[bytes, bytes, bytes]:
    """(kind, channel, count) of a subscribe confirmation."""
    fields = reply.split(b"\r\n")
    return fields[2], fields[3:-2][-1] if fields[3] != b"$-1" and fields[3] != b"_" else b"", fields[-2]


def run(sides, who: str, cmd: list, replies: int = 1, unordered: bool = False) -> list[bytes]:
    """Send ``cmd`` from client ``who`` on both sides, read ``replies`` replies, compare them."""
    got = []
    for side in sides:
        c = getattr(side, who)
        c.send_raw(_encode(cmd))
        got.append([c.read_reply() for _ in range(replies)])
    ours, theirs = got
    if unordered:
        assert sorted(ours) == sorted(theirs) or _same_confirmations(ours, theirs), f"{cmd!r}: {ours!r} != {theirs!r}"
    else:
        assert ours == theirs, f"{cmd!r}: pyredis {ours!r} != redis {theirs!r}"
    return ours


def read(sides, who: str, replies: int, unordered: bool = False) -> None:
    got = [[getattr(side, who).read_reply() for _ in range(replies)] for side in sides]
    if unordered:
        assert sorted(got[0]) == sorted(got[1]), f"{got[0]!r} != {got[1]!r}"
    else:
        assert got[0] == got[1], f"pyredis {got[0]!r} != redis {got[1]!r}"


def hello3(sides) -> None:
    """Switch client ``a`` to RESP3 on both sides (HELLO's reply carries the client id: not compared)."""
    for side in sides:
        assert side.a.call("HELLO", "3").startswith(b"%7")


def _same_confirmations(ours: list[bytes], theirs: list[bytes]) -> bool:
    """Unsubscribe-all in another order: same kinds, same channels, same running counts."""
    po, pt = [_parts(r) for r in ours], [_parts(r) for r in theirs]
    return ([p[0] for p in po] == [p[0] for p in pt] and sorted(p[1] for p in po) == sorted(p[1] for p in pt)
            and [p[2] for p in po] == [p[2] for p in pt] and ours[0][:1] == theirs[0][:1])


def _encode(argv: list) -> bytes:
    from .harness import encode
    return encode(argv)


# ----- Pub/Sub, fixed sequences

@pytest.mark.parametrize("proto", [2, 3])
def test_subscribe_unsubscribe_reply_sequence(sides, proto):
    if proto == 3:
        hello3(sides)
    run(sides, "a", ["UNSUBSCRIBE"])
    run(sides, "a", ["PUNSUBSCRIBE"])
    run(sides, "a", ["SUNSUBSCRIBE"])
    run(sides, "a", ["UNSUBSCRIBE", "x", "y"], 2)
    run(sides, "a", ["SUBSCRIBE", "a", "b", "a"], 3)
    run(sides, "a", ["PSUBSCRIBE", "p*", "p*"], 2)
    run(sides, "a", ["SSUBSCRIBE", "s1"])
    run(sides, "a", ["PING"])
    run(sides, "a", ["PING", "hi"])
    run(sides, "a", ["GET", "x"])
    run(sides, "b", ["PUBLISH", "a", "m1"])
    read(sides, "a", 1)
    run(sides, "b", ["PUBLISH", "pa", "m2"])
    read(sides, "a", 1)
    run(sides, "b", ["SPUBLISH", "s1", "m3"])
    read(sides, "a", 1)
    run(sides, "b", ["PUBSUB", "NUMSUB", "a", "b", "zz"])
    run(sides, "b", ["PUBSUB", "CHANNELS", "a*"])
    run(sides, "b", ["PUBSUB", "NUMPAT"])
    run(sides, "b", ["PUBSUB", "SHARDCHANNELS"])
    run(sides, "b", ["PUBSUB", "SHARDNUMSUB", "s1", "x"])
    run(sides, "a", ["UNSUBSCRIBE"], 2, unordered=True)
    run(sides, "a", ["PUNSUBSCRIBE", "zz", "p*"], 2)
    run(sides, "a", ["SUNSUBSCRIBE"])
    run(sides, "a", ["PING"])
    run(sides, "a", ["SUBSCRIBE", "a"])
    run(sides, "a", ["RESET"])
    run(sides, "a", ["PING"])


def test_pubsub_errors_and_help(sides):
    for cmd in (["SUBSCRIBE"], ["PSUBSCRIBE"], ["SSUBSCRIBE"], ["PUBLISH", "a"], ["SPUBLISH", "a", "b", "c"],
                ["PUBSUB"], ["PUBSUB", "foo"], ["PUBSUB", "NUMPAT", "x"], ["PUBSUB", "HELP", "x"],
                ["PUBSUB", "CHANNELS", "a", "b"], ["PUBSUB", "SHARDCHANNELS", "a", "b"], ["PUBSUB", "HELP"],
                ["PUBSUB", "NUMSUB"]):
        run(sides, "b", cmd)


def test_commands_refused_in_resp2_subscribed_context(sides):
    run(sides, "a", ["SUBSCRIBE", "x"])
    for cmd in (["GET", "x"], ["SET", "x", "1"], ["MULTI"], ["HELLO", "3"], ["PUBLISH", "x", "y"]):
        run(sides, "a", cmd)
    run(sides, "a", ["PING"])


def test_subscribe_inside_multi(sides):
    run(sides, "a", ["MULTI"])
    run(sides, "a", ["SSUBSCRIBE", "s"])
    run(sides, "a", ["SUBSCRIBE", "q"])
    run(sides, "a", ["EXEC"])
    run(sides, "a", ["PING"])


def test_resp3_pipelined_subscribe_and_self_publish(sides):
    hello3(sides)
    for side in sides:
        side.a.send_raw(_encode(["SUBSCRIBE", "c"]) + _encode(["PUBLISH", "c", "hi"]) + _encode(["PING"]))
    read(sides, "a", 4)


# ----- transactions, fixed sequences

@pytest.mark.parametrize("proto", [2, 3])
def test_multi_exec_discard_execabort_sequence(sides, proto):
    if proto == 3:
        hello3(sides)
    script = [
        ["EXEC"], ["DISCARD"], ["MULTI"], ["MULTI"], ["WATCH", "x"], ["EXEC"],
        ["MULTI"], ["EXEC"],
        ["MULTI"], ["SET", "x", "1"], ["NOSUCH", "arg"], ["GET"], ["EXEC"], ["EXEC"],
        ["MULTI"], ["SET", "x", "abc"], ["INCR", "x"], ["LPUSH", "x", "1"], ["GET", "x"], ["EXEC"],
        ["MULTI"], ["SET", "x", "zzz"], ["DISCARD"], ["GET", "x"],
        ["WATCH"], ["UNWATCH", "x"], ["MULTI"], ["UNWATCH"], ["EXEC"],
        ["MULTI"], ["SELECT", "1"], ["SET", "y", "1"], ["EXEC"], ["GET", "y"], ["SELECT", "0"],
        ["MULTI"], ["PING"], ["RESET"], ["EXEC"],
    ]
    for cmd in script:
        run(sides, "a", cmd)


@pytest.mark.parametrize("proto", [2, 3])
def test_watch_conflict_sequence(sides, proto):
    if proto == 3:
        hello3(sides)
    run(sides, "a", ["WATCH", "x", "y"])
    run(sides, "b", ["SET", "x", "2"])
    run(sides, "a", ["MULTI"])
    run(sides, "a", ["GET", "x"])
    run(sides, "a", ["EXEC"])
    run(sides, "a", ["WATCH", "missing"])
    run(sides, "b", ["DEL", "missing"])
    run(sides, "a", ["MULTI"])
    run(sides, "a", ["EXEC"])
    run(sides, "a", ["WATCH", "x"])
    run(sides, "b", ["FLUSHALL"])
    run(sides, "a", ["MULTI"])
    run(sides, "a", ["EXEC"])


# ----- random transaction sequences

KEYS = st.sampled_from(["k1", "k2"])
A_COMMANDS = st.one_of(
    st.just(["MULTI"]), st.just(["EXEC"]), st.just(["DISCARD"]), st.just(["UNWATCH"]), st.just(["PING"]),
    st.builds(lambda k: ["WATCH", k], KEYS),
    st.builds(lambda k, v: ["SET", k, v], KEYS, st.sampled_from(["1", "x"])),
    st.builds(lambda k: ["GET", k], KEYS),
    st.builds(lambda k: ["INCR", k], KEYS),
    st.builds(lambda k: ["LPUSH", k, "e"], KEYS),
    st.builds(lambda k: ["DEL", k], KEYS),
    st.just(["NOSUCH", "x"]), st.just(["GET"]),
)
B_COMMANDS = st.one_of(
    st.builds(lambda k: ["SET", k, "b"], KEYS),
    st.builds(lambda k: ["DEL", k], KEYS),
    st.builds(lambda k: ["GET", k], KEYS),
)
STEPS = st.lists(st.one_of(st.tuples(st.just("a"), A_COMMANDS), st.tuples(st.just("b"), B_COMMANDS)),
                 min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, proto=st.sampled_from([2, 3]))
def test_random_transaction_sequences(sides, steps, proto):
    for side in sides:
        side.a.call("RESET")
        side.b.call("FLUSHALL")
        if proto == 3:
            side.a.call("HELLO", "3")
    for who, cmd in steps:
        run(sides, who, cmd)


# ----- random subscribe/unsubscribe sequences

CHANNELS = st.sampled_from(["c1", "c2", "c3"])
PATTERNS = st.sampled_from(["c*", "*2", "x?"])
SUB_STEP = st.one_of(
    st.builds(lambda xs: ("SUBSCRIBE", xs), st.lists(CHANNELS, min_size=1, max_size=3)),
    st.builds(lambda xs: ("UNSUBSCRIBE", xs), st.lists(CHANNELS, max_size=2)),
    st.builds(lambda xs: ("PSUBSCRIBE", xs), st.lists(PATTERNS, min_size=1, max_size=2)),
    st.builds(lambda xs: ("PUNSUBSCRIBE", xs), st.lists(PATTERNS, max_size=2)),
    st.builds(lambda xs: ("SSUBSCRIBE", xs), st.lists(CHANNELS, min_size=1, max_size=2)),
    st.builds(lambda xs: ("SUNSUBSCRIBE", xs), st.lists(CHANNELS, max_size=2)),
    st.builds(lambda c: ("PUBLISH", [c]), CHANNELS),
    st.builds(lambda c: ("SPUBLISH", [c]), CHANNELS),
    st.just(("PING", [])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(SUB_STEP, min_size=1, max_size=15), proto=st.sampled_from([2, 3]))
def test_random_subscribe_sequences(sides, steps, proto):
    from pyredis.engine.glob import compile_pattern

    for side in sides:
        side.a.call("RESET")
        if proto == 3:
            side.a.call("HELLO", "3")
    model = {"SUBSCRIBE": set(), "PSUBSCRIBE": set(), "SSUBSCRIBE": set()}
    for name, args in steps:
        if name in ("PUBLISH", "SPUBLISH"):
            run(sides, "b", [name, args[0], "m"])
            if name == "SPUBLISH":
                n = int(args[0] in model["SSUBSCRIBE"])
            else:
                n = int(args[0] in model["SUBSCRIBE"]) + sum(
                    1 for p in model["PSUBSCRIBE"] if compile_pattern(p.encode())(args[0].encode()) is not None)
            read(sides, "a", n, unordered=True)
            continue
        if name == "PING":
            run(sides, "a", ["PING"])
            continue
        kind = name.replace("UN", "") if name.endswith("UNSUBSCRIBE") and name != "UNSUBSCRIBE" else name
        kind = {"UNSUBSCRIBE": "SUBSCRIBE", "PUNSUBSCRIBE": "PSUBSCRIBE", "SUNSUBSCRIBE": "SSUBSCRIBE"}.get(name, kind)
        mine = model[kind]
        if name == kind:
            run(sides, "a", [name, *args], len(args))
            mine.update(args)
        else:
            n = len(args) if args else max(1, len(mine))
            run(sides, "a", [name, *args], n, unordered=not args)
            if args:
                mine.difference_update(args)
            else:
                mine.clear()
