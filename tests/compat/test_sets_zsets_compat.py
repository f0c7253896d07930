"""Differential tests for sets and sorted sets: pyredis and a real redis-server, raw replies compared.

Replies whose order Redis leaves to its hash tables (SMEMBERS, SINTER, SSCAN of a hashtable...)
are compared as sorted element lists plus their RESP type byte; replies that are random (SPOP,
SRANDMEMBER, ZRANDMEMBER) are compared by their properties (type, length, membership). Everything
else must be byte-identical, in RESP2 and in RESP3.
"""

import hiredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient

UNORDERED = {b"smembers", b"sinter", b"sunion", b"sdiff", b"sscan"}
RANDOM = {b"spop", b"srandmember", b"zrandmember"}


def parse(raw: bytes):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def flatten(value) -> list:
    if isinstance(value, list):
        out = []
        for v in value:
            out += flatten(v)
        return out
    return [value]


class Pair:
    """One raw connection to each server, driven with the same commands."""

    def __init__(self, py_port: int, real_port: int, resp3: bool = False) -> None:
        self.a = RawClient(py_port)
        self.b = RawClient(real_port)
        for c in (self.a, self.b):
            c.call("FLUSHALL")
            if resp3:
                c.call("HELLO", "3")

    def close(self) -> None:
        self.a.close()
        self.b.close()

    def check(self, *argv) -> None:
        ours, theirs = self.a.call(*argv), self.b.call(*argv)
        name = str(argv[0]).lower().encode()
        if ours == theirs:
            return
        assert ours[:1] == theirs[:1], f"{argv!r}: pyredis {ours!r} != redis {theirs!r}"
        if theirs[:1] == b"-":
            raise AssertionError(f"{argv!r}: pyredis {ours!r} != redis {theirs!r}")
        if name in UNORDERED:
            assert sorted(map(repr, flatten(parse(ours)))) == sorted(map(repr, flatten(parse(theirs)))), \
                f"{argv!r}: pyredis {ours!r} != redis {theirs!r}"
        elif name in RANDOM:
            x, y = parse(ours), parse(theirs)
            assert type(x) is type(y), f"{argv!r}: pyredis {ours!r} != redis {theirs!r}"
            if isinstance(x, list):
                assert len(x) == len(y), f"{argv!r}: pyredis {ours!r} != redis {theirs!r}"
        else:
            raise AssertionError(f"{argv!r}: pyredis {ours!r} != redis {theirs!r}")

    def run(self, lines: str) -> None:
        import shlex
        for line in lines.strip().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                self.check(*shlex.split(line))


def run_script(server, real_server, lines: str, resp3: bool = False) -> None:
    pair = Pair(server.port, real_server.port, resp3)
    try:
        pair.run(lines)
    finally:
        pair.close()


SET_SCRIPT = """
sadd s a b c
sadd s a d
sadd s2 c d e
set str v
sadd str a
srem str a
srem s x
srem s a x
scard s
scard nokey
scard str
sismember s b
sismember s x
sismember nokey x
sismember str x
smismember s b x c
smismember nokey a
smismember str a
smove s s3 b
smove s s3 b
smove nokey s3 b
smove s str c
smove str s c
smove s s c
smove s s zz
smembers s3
smove s3 s b
exists s3
sinter s s2
sinter s nokey
sinter s str
sinter nokey str
sinterstore d s s2
smembers d
sinterstore d s nokey
exists d
sintercard 2 s s2
sintercard 2 s s2 limit 1
sintercard 0 a
sintercard x a
sintercard 2 a
sintercard 1 a limit -1
sintercard 1 a limit x
sintercard 1 a foo
sintercard 1 str
sunionstore d s s2 nokey
scard d
sdiffstore d s s2
smembers d
sdiffstore d s s
exists d
sdiffstore d nokey s
sunion nokey
sdiff nokey s
sunion s s2 nokey
sdiff s s2
spop nokey
spop nokey 2
spop nokey x
spop nokey -1
spop nokey 1 2
spop str
spop str 1
srandmember nokey
srandmember nokey 5
srandmember nokey -5
srandmember str
srandmember nokey -9223372036854775808
srandmember nokey 1 2
srandmember s 0
srandmember s 1
srandmember s 2
srandmember s -9
srandmember s 100
sadd one x
spop one
exists one
sadd one x
spop one 5
exists one
sadd ints 3 1 2 10 -5
sscan ints 0
sscan ints 7
sscan ints 0 match 1*
sscan ints 0 count 1
sscan one 0
sscan str 0
sscan nokey 0 badopt
sscan ints 0 badopt
sscan ints 0 count 0
sscan ints 0 count x
sscan ints abc
sscan ints " 1"
sscan ints 0 type set
sadd ints 007
sscan ints 0
expire d 100
sunionstore d s
ttl d
"""

ZSET_SCRIPT = """
zadd k 0 a 0 b 0 c 1 d
zrange k -0 1
zrange k +0 1
zrange k " 1" 2
zrange k 0 1 limit 0 1
zrange k 0 1 limit 0 -1
zrange k 0 1 bylex withscores
zrange k [a [b bylex withscores
zrange k 0 1 byscore bylex
zrange k 0 1 rev rev
zrange k 0 1 withscores withscores
zrange k (1 (2 byscore limit 0
zrange k 0 1 byscore limit x 1
zrange k a b byscore
zrange k a b bylex
zrange k (a [c bylex limit 0 -1
zrangestore d k 0 -1 withscores
zrangestore d k 0 -1 rev
zrange d 0 -1 withscores
zrangebyscore k 0 1 rev
zrangebyscore k 0 1 limit -1 2
zrangebyscore k 0 1 limit 1 -1
zrangebyscore k 0 1 withscores limit 1 2
zrevrangebyscore k 1 0 withscores
zrevrangebyscore k 1 0 withscores limit 1 2
zrevrangebylex k + - limit 1 2
zrevrangebylex k [c -
zrangebylex k - (c
zrangebylex k + -
zrangebylex k - -
zrangebylex k [b [b
zrangebylex k (b [b
zrevrange k 0 1 withscores
zrevrange k 0 1 limit 0 1
zrevrange k -100 100
zrange k 2 1
zrange k -2 -1 rev withscores
zcount k a b
zcount k -inf +inf
zcount k (0 1
zcount k 0 (1
zcount k " 0" "(1"
zcount k "" ""
zcount k "(" 5
zcount k " " 5
zcount k 1e999 -1e999
zcount k nan 1
zcount k 0x1p0 inf
zlexcount k a b
zlexcount k - +
zlexcount k [b +
zremrangebyrank k x 1
zadd k nx xx 1 a
zadd k nx gt 1 a
zadd k gt lt 1 a
zadd k incr 1 a 2 b
zadd k 1 a 2
zadd k x a
zadd k nan a
zincrby k nan a
zadd k inf a
zincrby k -inf a
zadd k gt ch 5 a
zadd k lt ch 5 a
zadd k xx ch 7 a 8 zz
zadd k xx incr 1 zz
zadd k nx incr 1 a
zadd k gt incr -1 a
zadd k incr -1 a
zadd k ch 1 a 2 b 3 c
zadd k 1e-400 a
zadd k 0x10 a
zadd k " 1" a
zadd k "1 " a
zadd k "" a
zadd k 1e308 big
zadd k 1e999 big
zadd k -1.5e-7 small
zadd k 5e-324 tiny
zadd k INFINITY inf2
zrange k 0 -1 withscores
zincrby k -0 neg
zincrby k 0.1 neg
zscore k a
zscore k nosuch
zscore nokey a
zmscore k a nosuch b
zmscore nokey a
zrank k a
zrevrank k a
zrank k nosuch
zcard k
zcard nokey
set str x
zadd str 1 a
zadd str x a
zadd str nx xx 1 a
zrangestore str2 str 0 1
zincrby k nx a
zcard str
zrange str 0 1
zrangebyscore str x 1
zrangebyscore str 0 1
zscore str a
zrem str a
zrem k a b nosuch
zrem k c d e f g h i
zrange k 0 -1 withscores
zadd z 1 a 2 b 3 c 4 d 5 e
zremrangebyscore z (1 3
zremrangebyrank z -1 -1
zremrangebylex z - +
exists z
zadd z 1 a 2 b 3 c 4 d 5 e
zremrangebyrank z 5 10
zremrangebyrank z 1 0
zremrangebyrank z 0 -1
zadd z 1 a 2 b 3 c 4 d 5 e
zpopmin z
zpopmax z 2
zpopmin z 0
zpopmin z -1
zpopmin z x
zpopmin z 1 2
zpopmin z 100
exists z
zpopmin nokey
zadd z 1 a 2 b 3 c
zmpop 1 z min
zmpop 2 nokey z max count 10
zmpop 1 z min
zmpop 0 k min
zmpop x k min
zmpop 2 k min
zmpop 1 k mid
zmpop 1 k min count 0
zmpop 1 k min count x
zmpop 1 k min count 1 count 1
zmpop 1 str min
zrandmember nokey
zrandmember nokey 5
zrandmember str
zrandmember k 100
zrandmember k 100 withscores
zrandmember k -9223372036854775808
zrandmember k 9223372036854775807 withscores
zrandmember k 5 withscores x
zrandmember k 0
zrandmember k -5 withscores
zadd a 1 x 2 y 3 z
zadd b 10 y 20 z 30 w
sadd s y w q
zunion 2 a b withscores
zunion 2 a b weights 2 -1 withscores
zunion 2 a b aggregate min withscores
zunion 2 a b aggregate max withscores
zunion 3 a b s withscores
zinter 3 a b s withscores
zinter 2 a b weights 1 0 aggregate sum withscores
zinter 2 a nokey withscores
zdiff 2 a b withscores
zdiff 2 nokey b withscores
zdiff 1 s withscores
zdiff 2 a s
zintercard 2 a b
zintercard 2 a b limit 1
zintercard 2 a b limit 0
zintercard 2 a nokey
zintercard 0 a
zintercard x a
zintercard 2 a
zintercard 1 a limit -1
zintercard 1 a withscores
zunionstore d 0 a
zunion 2 a
zunion 1 a weights x
zunion 1 a weights 1 aggregate foo
zunion 1 a aggregate
zdiff 1 a weights 1
zinterstore d 1 a withscores
zinter 1 a withscores foo
zunion 2 a str
zunionstore d 2 a b
zrange d 0 -1 withscores
zinterstore d 2 a b weights 1 2
zrange d 0 -1 withscores
zdiffstore d 2 a b
zrange d 0 -1 withscores
zdiffstore d 2 a a
exists d
zadd inf1 inf m
zadd inf2 -inf m
zunion 2 inf1 inf2 withscores
zinter 2 inf1 inf2 weights 0 1 withscores
zunion 2 inf1 inf2 weights 0 0 withscores
zunionstore d 1 inf1 weights -0
zrange d 0 -1 withscores
zunion 1 inf1 weights 1e999
zunion 1 inf1 weights 1e308 withscores
expire d 100
zunionstore d 1 a
ttl d
zrangestore d a 0 0
ttl d
zrangestore d nokey 0 -1
exists d
zrangestore d a (1 +inf byscore limit 0 1
zrange d 0 -1 withscores
zrangestore d a [z - bylex rev
zrangestore d a 5 0 byscore rev
zrange d 0 -1 withscores
zadd lex 0 a 0 b 0 c 0 d 0 e 0 f
zrangebylex lex [b (e
zrevrangebylex lex (e [b
zrangebylex lex [b (e limit 1 1
zrangebylex lex [b (e limit 1 -1
zrangebylex lex [b (e withscores
zrange lex [b (e bylex rev
zrange lex (e [b bylex rev
zremrangebylex lex (a [c
zrange lex 0 -1
zlexcount lex (a +
zlexcount lex + +
zlexcount lex [ [
zadd lex 0 ""
zrangebylex lex [ (b
zlexcount lex [ [
zadd m 1.1 a 0.1 b 1e20 c
zincrby m 0.2 b
zscan m 0
zscan m 0 match a
zscan m 0 count 0
zscan m 0 count x
zscan m x
zscan m -1
zscan m +5
zscan m ""
zscan nokey 0 badopt
zscan str 0
zscan m 0 type zset
"""

RESP3_SCRIPT = """
zadd k 1.5 a 2 b inf c
zscore k a
zscore k c
zscore k nosuch
zrange k 0 -1 withscores
zrange k 0 -1
zrangebyscore k -inf +inf withscores
zrandmember k 5 withscores
zpopmin k
zpopmin k 1
zmpop 1 k min
zmpop 1 nokey min
zadd k 1 a 2 b
zunion 1 k withscores
zinter 1 k withscores
zincrby k 1 a
zadd k incr 1 a
zadd k nx incr 1 a
zmscore k a x
zrank k x
zpopmin nokey
zscan k 0
sadd s a b c
smembers s
srandmember s 5
spop s 0
spop nokey 2
spop nokey
sinter s nokey
sunion s
sdiff s nokey
smismember s a x
smembers nokey
"""


def test_set_commands_match_redis(server, real_server):
    run_script(server, real_server, SET_SCRIPT)


def test_set_commands_match_redis_resp3(server, real_server):
    run_script(server, real_server, SET_SCRIPT, resp3=True)


def test_zset_commands_match_redis(server, real_server):
    run_script(server, real_server, ZSET_SCRIPT)


def test_zset_commands_match_redis_resp3(server, real_server):
    run_script(server, real_server, ZSET_SCRIPT, resp3=True)


def test_resp3_reply_types_match_redis(server, real_server):
    run_script(server, real_server, RESP3_SCRIPT, resp3=True)


def test_command_info_matches_redis(server, real_server):
    names = ("sadd srem smembers sismember smismember scard spop srandmember smove sinter sintercard sinterstore "
             "sunion sunionstore sdiff sdiffstore sscan zadd zincrby zrem zcard zcount zlexcount zscore zmscore "
             "zrank zrevrank zrange zrangestore zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zrevrange "
             "zpopmin zpopmax zmpop zrandmember zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard "
             "zremrangebyscore zremrangebyrank zremrangebylex zscan bzpopmin bzpopmax bzmpop").split()
    script = "\n".join(f"command info {n}" for n in names)
    script += "\ncommand getkeys zunionstore d 2 a b weights 1 2\ncommand getkeys zmpop 2 a b min"
    script += "\ncommand getkeys bzmpop 0 2 a b min\ncommand getkeys sintercard 2 a b\ncommand getkeys zinter 2 a b"
    run_script(server, real_server, script)


# ----- random sequences
KEYS = ["k1", "k2", "k3", "str"]
MEMBERS = ["a", "b", "c", "d", "e", "1", "2", "10"]
SCORES = ["0", "1", "-1", "2.5", "1.1", "-0", "inf", "-inf", "(1", "1e3", "x", "3"]
keys = st.sampled_from(KEYS)
members = st.sampled_from(MEMBERS)
scores = st.sampled_from(SCORES)
ints = st.sampled_from(["0", "1", "2", "-1", "-2", "5", "-5", "x"])
lexes = st.sampled_from(["-", "+", "[a", "(a", "[c", "(c", "[e", "x"])

SET_COMMANDS = st.one_of(
    st.tuples(st.just("sadd"), keys, members, members),
    st.tuples(st.just("sadd"), keys, members),
    st.tuples(st.just("srem"), keys, members, members),
    st.tuples(st.just("smembers"), keys),
    st.tuples(st.just("sismember"), keys, members),
    st.tuples(st.just("smismember"), keys, members, members),
    st.tuples(st.just("scard"), keys),
    st.tuples(st.just("smove"), keys, keys, members),
    st.tuples(st.just("sinter"), keys, keys),
    st.tuples(st.just("sunion"), keys, keys),
    st.tuples(st.just("sdiff"), keys, keys, keys),
    st.tuples(st.just("sinterstore"), keys, keys, keys),
    st.tuples(st.just("sunionstore"), keys, keys, keys),
    st.tuples(st.just("sdiffstore"), keys, keys, keys),
    st.tuples(st.just("sintercard"), st.just("2"), keys, keys, st.just("limit"), ints),
    st.tuples(st.just("srandmember"), keys, ints),
    st.tuples(st.just("sscan"), keys, st.just("0"), st.just("count"), st.just("100")),
    st.tuples(st.just("set"), st.just("str"), members),
    st.tuples(st.just("del"), keys),
)

ZSET_COMMANDS = st.one_of(
    st.tuples(st.just("zadd"), keys, scores, members),
    st.tuples(st.just("zadd"), keys, st.sampled_from(["nx", "xx", "gt", "lt", "ch", "incr"]), scores, members),
    st.tuples(st.just("zadd"), keys, scores, members, scores, members),
    st.tuples(st.just("zincrby"), keys, scores, members),
    st.tuples(st.just("zrem"), keys, members, members),
    st.tuples(st.just("zcard"), keys),
    st.tuples(st.just("zscore"), keys, members),
    st.tuples(st.just("zmscore"), keys, members, members),
    st.tuples(st.just("zrank"), keys, members),
    st.tuples(st.just("zrevrank"), keys, members),
    st.tuples(st.just("zcount"), keys, scores, scores),
    st.tuples(st.just("zrange"), keys, ints, ints, st.just("withscores")),
    st.tuples(st.just("zrange"), keys, scores, scores, st.just("byscore"), st.just("rev"), st.just("withscores")),
    st.tuples(st.just("zrange"), keys, scores, scores, st.just("byscore"), st.just("limit"), ints, ints),
    st.tuples(st.just("zrangebyscore"), keys, scores, scores, st.just("withscores")),
    st.tuples(st.just("zrevrangebyscore"), keys, scores, scores, st.just("limit"), ints, ints),
    st.tuples(st.just("zrevrange"), keys, ints, ints, st.just("withscores")),
    st.tuples(st.just("zrangestore"), keys, keys, ints, ints),
    st.tuples(st.just("zremrangebyrank"), keys, ints, ints),
    st.tuples(st.just("zremrangebyscore"), keys, scores, scores),
    st.tuples(st.just("zpopmin"), keys, ints),
    st.tuples(st.just("zpopmax"), keys),
    st.tuples(st.just("zmpop"), st.just("2"), keys, keys, st.sampled_from(["min", "max"]), st.just("count"), ints),
    st.tuples(st.just("zunionstore"), keys, st.just("2"), keys, keys, st.just("weights"), scores, scores),
    st.tuples(st.just("zinterstore"), keys, st.just("2"), keys, keys, st.just("aggregate"),
              st.sampled_from(["sum", "min", "max"])),
    st.tuples(st.just("zunion"), st.just("2"), keys, keys, st.just("withscores")),
    st.tuples(st.just("zinter"), st.just("2"), keys, keys, st.just("withscores")),
    st.tuples(st.just("zdiff"), st.just("2"), keys, keys, st.just("withscores")),
    st.tuples(st.just("zdiffstore"), keys, st.just("2"), keys, keys),
    st.tuples(st.just("zintercard"), st.just("2"), keys, keys),
    st.tuples(st.just("zrandmember"), keys, ints),
    st.tuples(st.just("zscan"), keys, st.just("0")),
    st.tuples(st.just("sadd"), keys, members),
    st.tuples(st.just("set"), st.just("str"), members),
    st.tuples(st.just("del"), keys),
)

LEX_COMMANDS = st.one_of(
    st.tuples(st.just("zadd"), keys, st.just("0"), members),
    st.tuples(st.just("zrem"), keys, members),
    st.tuples(st.just("zrangebylex"), keys, lexes, lexes),
    st.tuples(st.just("zrevrangebylex"), keys, lexes, lexes, st.just("limit"), ints, ints),
    st.tuples(st.just("zrange"), keys, lexes, lexes, st.just("bylex")),
    st.tuples(st.just("zlexcount"), keys, lexes, lexes),
    st.tuples(st.just("zremrangebylex"), keys, lexes, lexes),
    st.tuples(st.just("zrangestore"), keys, keys, lexes, lexes, st.just("bylex"), st.just("rev")),
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def run_sequence(server, real_server, commands, resp3: bool) -> None:
    pair = Pair(server.port, real_server.port, resp3)
    try:
        for cmd in commands:
            pair.check(*cmd)
        for key in KEYS:
            pair.check("type", key)
            pair.check("zrange", key, "0", "-1", "withscores")
            pair.check("smembers", key)
    finally:
        pair.close()


@SETTINGS
@given(st.lists(SET_COMMANDS, min_size=1, max_size=30), st.booleans())
def test_random_set_sequences_match_redis(server, real_server, commands, resp3):
    run_sequence(server, real_server, commands, resp3)


@SETTINGS
@given(st.lists(ZSET_COMMANDS, min_size=1, max_size=30), st.booleans())
def test_random_zset_sequences_match_redis(server, real_server, commands, resp3):
    run_sequence(server, real_server, commands, resp3)


@SETTINGS
@given(st.lists(LEX_COMMANDS, min_size=1, max_size=30))
def test_random_lex_sequences_match_redis(server, real_server, commands):
    run_sequence(server, real_server, commands, False)


def test_spop_properties_match_redis(server, real_server):
    """SPOP is random: both servers pop the right number of members, all from the set."""
    for port in (server.port, real_server.port):
        c = RawClient(port)
        try:
            c.call("FLUSHALL")
            c.call("SADD", "s", *[str(i) for i in range(20)])
            popped = parse(c.call("SPOP", "s", "5"))
            rest = parse(c.call("SMEMBERS", "s"))
            assert len(popped) == 5 and len(rest) == 15
            assert set(popped) | set(rest) == {str(i).encode() for i in range(20)}
            assert parse(c.call("SPOP", "s")) in rest
            assert len(parse(c.call("SPOP", "s", "100"))) == 14
            assert c.call("EXISTS", "s") == b":0\r\n"
        finally:
            c.close()
