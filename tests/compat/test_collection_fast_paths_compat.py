"""The one-element fast paths of the hot collection commands (ZADD key score member, ZPOPMIN/ZPOPMAX
and LPOP/RPOP without a count, single-element LPUSH/RPUSH/SADD/HSET, ZRANK) give the raw replies of
a real redis-server 7.0, edge cases included: scores at the float parser's limits, option words in
the score's place, wrong types, emptied keys, RESP2 and RESP3."""

import pytest

from .harness import RawClient

SCORES = [b"0", b"00012", b"7" * 308, b"9" * 309, b"1" * 400, b"-5", b"+5", b"1.5", b"-0", b"inf", b"+inf",
          b"-inf", b"Infinity", b"nan", b"1e400", b"1e-400", b"0x1p3", b" 1", b"1 ", b"", b"abc",
          b"nx", b"NX", b"xx", b"incr", b"ch", b"gt", b"lt", b"\xd9\xa1"]


def _compare(server, real_server, commands: list[list[bytes]], resp3: bool) -> None:
    a, b = RawClient(server.port), RawClient(real_server.port)
    try:
        for c in (a, b):
            c.call(b"FLUSHALL")
            if resp3:
                c.call(b"HELLO", b"3")
        for cmd in commands:
            assert a.call(*cmd) == b.call(*cmd), cmd
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("resp3", [False, True])
def test_zadd_single_pair_scores_match_redis(server, real_server, resp3):
    commands = []
    for score in SCORES:
        commands += [[b"ZADD", b"z", score, b"m"], [b"ZSCORE", b"z", b"m"], [b"ZADD", b"z", score, b"m"]]
    commands += [[b"ZADD", b"z", b"-0", b"n"], [b"ZADD", b"z", b"0", b"n"], [b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"],
                 [b"SET", b"s", b"x"], [b"ZADD", b"s", b"1", b"m"], [b"ZADD", b"s", b"nx", b"m"],
                 [b"ZADD", b"s", b"bad", b"m"]]
    _compare(server, real_server, commands, resp3)


@pytest.mark.parametrize("resp3", [False, True])
def test_single_pops_and_pushes_match_redis(server, real_server, resp3):
    commands = [
        [b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3.5", b"c"], [b"ZPOPMIN", b"z"], [b"ZPOPMAX", b"z"],
        [b"ZPOPMIN", b"z"], [b"EXISTS", b"z"], [b"ZPOPMIN", b"z"], [b"ZPOPMAX", b"nokey"],
        [b"ZADD", b"z", b"-inf", b"x"], [b"ZPOPMAX", b"z"],
        [b"RPUSH", b"l", b"a"], [b"LPUSH", b"l", b"b"], [b"RPUSH", b"l", b"c", b"d"], [b"LPUSH", b"l", b"e", b"f"],
        [b"LPOP", b"l"], [b"RPOP", b"l"], [b"LRANGE", b"l", b"0", b"-1"], [b"LPOP", b"l", b"3"], [b"RPOP", b"l"],
        [b"EXISTS", b"l"], [b"LPOP", b"l"], [b"RPOP", b"l"], [b"LPOP", b"l", b"2"],
        [b"SADD", b"s", b"a"], [b"SADD", b"s", b"a"], [b"SADD", b"s", b"b", b"c", b"a"], [b"SCARD", b"s"],
        [b"HSET", b"h", b"f", b"v"], [b"HSET", b"h", b"f", b"w"], [b"HSET", b"h", b"g", b"1", b"f", b"2"],
        [b"HSET", b"h", b"g"], [b"HGETALL", b"h"],
        [b"ZADD", b"r", b"1", b"a", b"2", b"b"], [b"ZRANK", b"r", b"b"], [b"ZREVRANK", b"r", b"b"],
        [b"ZRANK", b"r", b"zz"], [b"ZRANK", b"nokey", b"a"],
        [b"SET", b"str", b"x"], [b"ZPOPMIN", b"str"], [b"LPOP", b"str"], [b"RPOP", b"str"], [b"LPUSH", b"str", b"a"],
        [b"RPUSH", b"str", b"a", b"b"], [b"SADD", b"str", b"a"], [b"HSET", b"str", b"f", b"v"],
        [b"ZRANK", b"str", b"a"], [b"LRANGE", b"str", b"0", b"1"], [b"SPOP", b"str"], [b"SPOP", b"nokey"],
    ]
    _compare(server, real_server, commands, resp3)
