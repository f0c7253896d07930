"""The string family, differentially: the same commands to pyredis and a real Redis 7.0, raw replies
compared byte for byte.

Fixed sequences walk every command through its options and error paths (in the order Redis
validates them); a hypothesis test runs random sequences of string commands on three keys; a
replica link on each server checks that writes propagate in the same effect form. Replies that
depend on the clock are kept deterministic: relative expires are long (days), absolute ones are
either far in the future or already past, and TTL/PTTL replies are compared as "≥ 0".
"""

import socket

import hiredis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient, assert_same


def _cmds(*lines: str) -> list[list[str]]:
    return [line.split(" ") for line in lines]


def _normalise(cmd: list, reply: bytes) -> bytes:
    """TTL/PTTL of a key with a TTL depend on timing: compare only that it is non-negative."""
    if str(cmd[0]).upper() in ("TTL", "PTTL") and reply.startswith(b":") and int(reply[1:]) >= 0:
        return b":+\r\n"
    return reply


class Pair:
    """One raw connection to each server; ``check`` sends a sequence and compares every reply."""

    def __init__(self, py_port: int, real_port: int, resp3: bool = False) -> None:
        self.ours, self.theirs = RawClient(py_port), RawClient(real_port)
        if resp3:
            self.ours.call("HELLO", "3")
            self.theirs.call("HELLO", "3")

    def check(self, commands: list[list], flush: bool = True) -> None:
        if flush:
            self.ours.call("FLUSHALL")
            self.theirs.call("FLUSHALL")
        for cmd in commands:
            ours = _normalise(cmd, self.ours.call(*cmd))
            theirs = _normalise(cmd, self.theirs.call(*cmd))
            assert ours == theirs, f"{cmd!r}: pyredis {ours!r} != redis {theirs!r}"

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()


@pytest.fixture
def pair(server, real_server):
    p = Pair(server.port, real_server.port)
    yield p
    p.close()


@pytest.fixture
def pair3(server, real_server):
    p = Pair(server.port, real_server.port, resp3=True)
    yield p
    p.close()


def _has(port: int, name: str) -> bool:
    client = RawClient(port)
    try:
        return client.call("COMMAND", "INFO", name) != b"*1\r\n*-1\r\n"
    finally:
        client.close()


@pytest.fixture
def other_type(server):
    """A command that makes a non-string key ``o`` (for WRONGTYPE paths), if this build has one."""
    for argv in (["RPUSH", "o", "x"], ["SADD", "o", "x"], ["HSET", "o", "f", "v"]):
        if _has(server.port, argv[0].lower()):
            return argv
    pytest.skip("no collection type implemented yet")


# ----------------------------------------------------------------------------- SET family

def test_set_options(pair):
    pair.check(_cmds(
        "SET k v", "SET k v2 NX", "GET k", "SET k v3 XX", "GET k", "SET n v XX", "GET n",
        "SET k v4 GET", "SET n v5 GET", "SET n v6 NX GET", "SET m v7 NX GET", "SET k v8 xx get",
        "SET k v KEEPTTL", "SET k v KEEPTTL GET", "SET k v EX 1000000", "SET k v PX 1000000000",
        "SET k v EXAT 99999999999", "SET k v PXAT 99999999999999", "SET k v pxat 1", "GET k",
        "SET k v EXAT 1 GET", "GET k", "SET k v EX 100000 EX 200000", "SET k v NX NX", "SET k v GET GET",
        "SET k v EX 100000 NX", "SET k v2 EX 100000 NX", "GET k",
    ))


def test_set_option_errors(pair):
    pair.check(_cmds(
        "SET k", "SET k v NX XX", "SET k v XX NX", "SET k v EX", "SET k v PX", "SET k v EXAT",
        "SET k v KEEPTTL EX 10", "SET k v EX 10 KEEPTTL", "SET k v EX 10 PX 10", "SET k v PX 10 EXAT 10",
        "SET k v EXAT 10 PXAT 10", "SET k v PXAT 10 EX 10", "SET k v PERSIST", "SET k v FOO",
        "SET k v EX NX", "SET k v EX 0", "SET k v EX -1", "SET k v PX 0", "SET k v EXAT 0", "SET k v PXAT -5",
        "SET k v EX 1.5", "SET k v EX abc", "SET k v EX 9223372036854775", "SET k v EX 9223372036854776",
        "SET k v PX 9223372036854775807", "SET k v EXAT 9223372036854775", "SET k v EX 99999999999999999999",
        "SET k v EX 007", "SET k v EX +5", "GET k",
    ))


def test_set_get_on_wrong_type(pair, other_type):
    pair.check([other_type] + _cmds("SET o v GET", "SET o v EX abc GET", "SET o v NX GET", "SET o v", "GET o"))


def test_setnx_setex_psetex_getset(pair):
    pair.check(_cmds(
        "SETNX k 1", "SETNX k 2", "GET k", "SETEX k 100000 v", "GET k", "SETEX k 0 v", "SETEX k -1 v",
        "SETEX k abc v", "SETEX k 9223372036854775 v", "PSETEX k 100000000 w", "GET k", "PSETEX k 0 v",
        "PSETEX k 9223372036854775807 v", "GETSET k x", "GETSET nokey y", "GET nokey", "SETEX k 1",
        "GETSET k",
    ))


def test_getex_options(pair):
    pair.check(_cmds(
        "SET k v", "GETEX k", "GETEX k EX 100000", "GETEX k PX 100000000", "GETEX k EXAT 99999999999",
        "GETEX k PXAT 99999999999999", "GETEX k PERSIST", "GETEX k PERSIST", "GETEX k EX 10 PERSIST",
        "GETEX k PERSIST EX 10", "GETEX k KEEPTTL", "GETEX k NX", "GETEX k XX", "GETEX k GET", "GETEX k EX",
        "GETEX k EX 0", "GETEX k EX -3", "GETEX k EX abc", "GETEX k PX 9223372036854775807",
        "GETEX nokey EX abc", "GETEX nokey FOO", "GETEX k FOO", "GETEX k PXAT 1", "GET k", "SET k v",
        "GETEX k EXAT 1", "GET k",
    ))


def test_getex_getdel_on_wrong_type(pair, other_type):
    pair.check([other_type] + _cmds("GETEX o", "GETEX o EX abc", "GETEX o FOO", "GETDEL o", "GETSET o v"))


def test_getdel_mget_mset_msetnx(pair):
    pair.check(_cmds(
        "SET k v", "GETDEL k", "GETDEL k", "GET k", "MSET a 1 b 2 c 3", "MGET a b c nokey", "MSET a",
        "MSET a 1 b", "MSETNX a 1 d 4", "MGET d", "MSETNX d 4 e 5", "MGET d e", "MSETNX d", "MSET a 1 a 2",
        "GET a", "MGET", "MGET a",
    ))


def test_mget_other_type_is_nil(pair, other_type):
    pair.check([other_type] + _cmds("SET a 1", "MGET a o nokey"))


# ----------------------------------------------------------------------------- counters

def test_incr_decr_family(pair):
    pair.check(_cmds(
        "INCR n", "INCR n", "DECR n", "INCRBY n 10", "DECRBY n 100", "INCRBY n -5", "DECRBY n -5", "GET n",
        "INCRBY n abc", "INCRBY n 1.5", "INCRBY n 99999999999999999999", "DECRBY n 9223372036854775808",
        "DECRBY n -9223372036854775808", "SET n 9223372036854775807", "INCR n", "INCRBY n 0", "DECR n",
        "SET n -9223372036854775808", "DECR n", "INCRBY n -1", "DECRBY n 1", "INCR n",
        "SET n 007", "INCR n", "SET n +1", "INCR n", "SET n -0", "INCR n", "SET n 1.0", "INCR n",
        "SET n abc", "INCR n", "DECR n", "INCRBY n 1", "SET n 0", "INCR n", "SET n -1", "INCR n", "GET n",
        "INCR n x",
    ))


def test_incr_on_wrong_type(pair, other_type):
    pair.check([other_type] + _cmds("INCR o", "INCRBY o abc", "INCRBY o 1", "DECRBY o x", "INCRBYFLOAT o 1",
                                    "INCRBYFLOAT o x", "APPEND o x", "STRLEN o", "GETRANGE o 0 1",
                                    "GETRANGE o x 1", "SETRANGE o 0 x", "SETRANGE o -1 x", "SETRANGE o 0 "))


def test_incrbyfloat_formatting(pair):
    pair.check(_cmds(
        "INCRBYFLOAT f 0.1", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f -0.3", "GET f",
        "SET f 3.0e3", "INCRBYFLOAT f 1.1", "SET f 5.0e3", "INCRBYFLOAT f 2.0e2", "INCRBYFLOAT g 1e400",
        "INCRBYFLOAT g -1e400", "INCRBYFLOAT h -1e-19", "INCRBYFLOAT h 0x1p3", "INCRBYFLOAT h 0X1.8P-2",
        "INCRBYFLOAT h 5.", "INCRBYFLOAT h .5", "INCRBYFLOAT h +2", "INCRBYFLOAT h 1E2",
        "INCRBYFLOAT i 0.000003814697265625", "INCRBYFLOAT i 1.7976931348623157e308",
        "INCRBYFLOAT i 1.7976931348623157e308", "INCRBYFLOAT j 1e-300", "INCRBYFLOAT j 1e-4940",
        "INCRBYFLOAT k 12345678901234567890", "INCRBYFLOAT k 0.00000000000000001",
        "INCRBYFLOAT k -12345678901234567890.123", "INCRBYFLOAT l 1e-4950", "INCRBYFLOAT l 1e-4951",
        "INCRBYFLOAT l 0x1p-16446", "INCRBYFLOAT l 0x1.8p-16446", "INCRBYFLOAT l 1.18973149535723176509e+4932",
        "INCRBYFLOAT l 1.18973149535723176502e+4932", "INCRBYFLOAT m 0e99999999999999999999999",
        "INCRBYFLOAT m -0.0", "INCRBYFLOAT m 0x.8", "INCRBYFLOAT m -.5e1", "INCRBYFLOAT m 00001",
    ))


def test_incrbyfloat_errors(pair):
    pair.check(_cmds(
        "INCRBYFLOAT f inf", "INCRBYFLOAT f -inf", "INCRBYFLOAT f infinity", "INCRBYFLOAT f nan",
        "INCRBYFLOAT f 1e5000", "INCRBYFLOAT f 1e-5000", "INCRBYFLOAT f abc", "INCRBYFLOAT f 1.5x",
        "INCRBYFLOAT f 1e", "INCRBYFLOAT f 0x", "INCRBYFLOAT f .", "INCRBYFLOAT f 1_0", "INCRBYFLOAT f 1/3",
        "SET f 1e4932", "INCRBYFLOAT f 1e4932", "SET f inf", "INCRBYFLOAT f 1", "INCRBYFLOAT f x",
        "SET f abc", "INCRBYFLOAT f 1", "SET f 1", "INCRBYFLOAT f 1.1e4932", "GET f",
    ) + [["INCRBYFLOAT", "f", " 1"], ["INCRBYFLOAT", "f", "1 "], ["INCRBYFLOAT", "f", ""],
         ["SET", "g", " 2"], ["INCRBYFLOAT", "g", "1"]])


# ----------------------------------------------------------------------------- ranges

def test_append_strlen(pair):
    pair.check(_cmds("APPEND s hello", "APPEND s _world", "STRLEN s", "STRLEN nokey", "GET s", "SET n 10",
                     "APPEND n 5", "INCR n") + [["APPEND", "e", ""], ["GET", "e"], ["STRLEN", "e"],
                                                ["APPEND", "s", ""]])


def test_getrange_substr(pair):
    seq = ["SET s Hello_World"]
    for start, end in ((0, 4), (-5, -1), (0, -1), (0, 100), (-100, 3), (5, 3), (-1, -5), (-3, -1), (100, 200),
                       (-100, -50), (0, 0), (-1, -1), (10, 10), (11, 11), (-11, 0), (-12, -12), (3, -100)):
        seq += [f"GETRANGE s {start} {end}", f"SUBSTR s {start} {end}"]
    seq += ["GETRANGE nokey 0 -1", "GETRANGE s a 1", "GETRANGE s 0 b", "GETRANGE s 0 99999999999999999999",
            "SET e x", "GETRANGE nokey a b", "GETRANGE s 1"]
    pair.check(_cmds(*seq) + [["SET", "e", ""], ["GETRANGE", "e", "0", "-1"], ["GETRANGE", "e", "-1", "0"]])


def test_setrange(pair):
    pair.check(_cmds(
        "SETRANGE s 0 Hello", "SETRANGE s 6 World", "GET s", "SETRANGE s 2 XX", "GET s", "SETRANGE s -1 x",
        "SETRANGE s abc x", "SETRANGE n 3 ab", "GET n", "SETRANGE s 536870912 x", "SETRANGE s 99999999999 x",
        "SETRANGE s 99999999999999999999 x", "SET i 123", "SETRANGE i 1 9", "INCR i",
    ) + [["SETRANGE", "nokey", "5", ""], ["EXISTS", "nokey"], ["SETRANGE", "s", "100", ""],
         ["SETRANGE", "nokey", "999999999999", ""], ["GET", "s"]])


def test_proto_max_bulk_len_limits_growth(pair):
    """At a 1 MB limit (the smallest CONFIG SET allows) so that nothing big is allocated."""
    limit = 1024 * 1024
    pair.check([["CONFIG", "SET", "proto-max-bulk-len", str(limit)]], flush=False)
    try:
        pair.check(_cmds(
            f"SETRANGE s {limit - 1} x", f"SETRANGE s {limit} x", f"SETRANGE n {limit} x", "STRLEN s",
            "APPEND s y", "SET a x", f"SETRANGE a {limit - 2} y", "APPEND a z", "APPEND a zz",
            f"SETBIT b {limit * 8 - 1} 1", f"SETBIT b {limit * 8} 1", f"GETBIT b {limit * 8}",
            f"BITFIELD c SET u8 {limit * 8 - 8} 1", f"BITFIELD c SET u8 {limit * 8 - 7} 1",
            f"BITFIELD c GET u8 {limit * 8}", f"BITFIELD c SET u8 #{limit - 1} 1", f"BITFIELD c GET i8 #{limit}",
            "STRLEN c",
        ))
    finally:
        pair.check([["CONFIG", "SET", "proto-max-bulk-len", str(512 * 1024 * 1024)]], flush=False)
        pair.check([["FLUSHALL"]], flush=False)


def test_lcs(pair):
    pair.check(_cmds(
        "MSET a ohmytext b mynewtext", "LCS a b", "LCS a b LEN", "LCS a b IDX", "LCS a b IDX WITHMATCHLEN",
        "LCS a b IDX MINMATCHLEN 4", "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN", "LCS a b idx minmatchlen -3",
        "LCS a b LEN IDX", "LCS a b IDX LEN", "LCS a b MINMATCHLEN", "LCS a b MINMATCHLEN x", "LCS a b FOO",
        "LCS a nokey", "LCS nokey nokey2 IDX", "LCS nokey nokey2 LEN", "LCS a a IDX WITHMATCHLEN",
        "MSET c abcabcabc d cbacbacba", "LCS c d", "LCS c d IDX WITHMATCHLEN", "LCS d c IDX", "LCS a",
        "LCS a b LEN WITHMATCHLEN",
    ))


def test_lcs_wrong_type(pair, other_type):
    pair.check([other_type] + _cmds("SET a x", "LCS a o", "LCS o a FOO", "LCS o nokey LEN IDX"))


def test_lcs_resp3(pair3):
    pair3.check(_cmds("MSET a ohmytext b mynewtext", "LCS a b IDX WITHMATCHLEN", "LCS a b", "LCS a b LEN"))


# ----------------------------------------------------------------------------- bitmaps

def test_setbit_getbit(pair):
    pair.check(_cmds(
        "SETBIT b 7 1", "SETBIT b 7 1", "SETBIT b 7 0", "GET b", "SETBIT b 100 1", "GET b", "GETBIT b 100",
        "GETBIT b 101", "GETBIT b 99999", "GETBIT nokey 0", "SETBIT b -1 1", "SETBIT b abc 1", "SETBIT b 0 2",
        "SETBIT b 0 -1", "SETBIT b 0 x", "SETBIT b 4294967296 1", "SETBIT b 4294967295 x", "GETBIT b -1",
        "GETBIT b 4294967296", "GETBIT b x", "SET i 5", "SETBIT i 0 1", "GET i", "GETBIT i 6",
        "SETBIT b 3 1 1", "GETBIT nokey x",
    ))


def test_bit_commands_on_wrong_type(pair, other_type):
    pair.check([other_type] + _cmds(
        "SETBIT o 0 1", "SETBIT o x 1", "GETBIT o 0", "BITCOUNT o", "BITCOUNT o x y", "BITPOS o 1",
        "BITPOS o 2", "BITOP AND d o", "BITOP NOT d o", "BITFIELD o GET u8 0", "BITFIELD o SET u8 0 1",
        "BITFIELD_RO o GET u8 0", "BITFIELD o GET u99 0",
    ))


def test_bitcount(pair):
    seq = ["SET s foobar"]
    for args in ("", "0 0", "1 1", "0 -1", "-2 -1", "-1 -2", "5 100", "100 200", "-100 -50", "-100 100",
                 "5 30 BIT", "0 -1 BIT", "-5 -1 bit", "7 7 BIT", "8 15 BIT", "3 2 BIT", "-1 -3 BIT", "0 47 BIT",
                 "40 100 BIT", "0 0 BYTE", "0", "0 1 2", "0 1 FOO", "a b", "0 b", "0 1 BIT x", "-3 -1"):
        seq.append(f"BITCOUNT s {args}".strip())
    seq += ["BITCOUNT nokey", "BITCOUNT nokey a b", "BITCOUNT nokey 0", "BITCOUNT nokey 0 1 FOO"]
    pair.check(_cmds(*seq) + [["SET", "e", ""], ["BITCOUNT", "e"], ["BITCOUNT", "e", "0", "-1"],
                              ["BITCOUNT", "e", "0", "-1", "BIT"]])


def test_bitpos(pair):
    seq = ["SET a \xff\xf0\x00", "SET z \x00\x00\x00", "SET f \xff\xff\xff", "SET m \x00\x0f\x80"]
    for key in ("a", "z", "f", "m"):
        for args in ("1", "0", "1 0", "0 0", "1 1", "0 1", "1 2", "0 2", "1 -1", "0 -1", "1 0 -1", "0 0 -1",
                     "1 1 1", "0 1 1", "0 0 0", "1 5 3", "1 -1 -2", "1 7 15 BIT", "0 7 15 BIT", "1 0 -1 BIT",
                     "0 0 -1 BIT", "0 9 9 BIT", "1 12 12 BIT", "1 16 23 bit", "0 16 23 BIT", "1 4 5 BIT",
                     "0 3 20 BIT", "0 -5 -1 BIT", "1 -20 -10 BIT", "0 1 1 BYTE", "1 0 100", "0 100",
                     "0 0 100", "1 30 40 BIT"):
            seq.append(f"BITPOS {key} {args}")
    seq += ["BITPOS a 2", "BITPOS a -1", "BITPOS a x", "BITPOS a 1 x", "BITPOS a 1 0 x", "BITPOS a 1 0 1 FOO",
            "BITPOS a 1 0 1 BIT x", "BITPOS nokey 1", "BITPOS nokey 0", "BITPOS nokey 0 x", "BITPOS nokey 2",
            "BITPOS nokey 0 1 2 FOO"]
    cmds = [line.split(" ") for line in seq]
    for cmd in cmds[:4]:
        cmd[2] = cmd[2].encode("latin-1")
    pair.check(cmds + [["SET", "e", ""], ["BITPOS", "e", "0"], ["BITPOS", "e", "1"], ["BITPOS", "e", "0", "0"]])


def test_bitop(pair):
    pair.check([["SET", "a", b"\xf0\x0f\xaa"], ["SET", "b", b"\xff"], ["SET", "c", b""]] + _cmds(
        "BITOP AND d a b", "GET d", "BITOP OR d a b", "GET d", "BITOP XOR d a b c", "GET d", "BITOP NOT d a",
        "GET d", "BITOP and d a nokey", "GET d", "BITOP NOT d nokey", "GET d", "BITOP OR d nokey nokey2",
        "BITOP NOT d a b", "BITOP FOO d a", "BITOP d a", "BITOP AND d", "BITOP OR d c", "GET d",
        "SETEX d 100000 x", "BITOP OR d a", "TTL d", "BITOP AND a a b", "GET a",
    ))


def test_bitfield(pair):
    pair.check(_cmds(
        "BITFIELD bf", "BITFIELD bf GET u8 0", "EXISTS bf", "BITFIELD bf SET u8 0 255", "BITFIELD bf GET u8 0",
        "BITFIELD bf GET i8 0", "BITFIELD bf GET u4 4", "BITFIELD bf GET i64 0", "BITFIELD bf GET u63 1",
        "BITFIELD bf INCRBY u8 0 10", "BITFIELD bf OVERFLOW SAT INCRBY u8 0 1000 INCRBY u8 0 -1000",
        "BITFIELD bf OVERFLOW FAIL INCRBY u8 0 1000 GET u8 0 OVERFLOW WRAP INCRBY u8 0 1000",
        "BITFIELD bf SET i8 #1 127 INCRBY i8 #1 1 GET i8 #1 GET u8 #1",
        "BITFIELD bf OVERFLOW SAT SET i8 #2 200 SET i8 #2 -200 GET i8 #2",
        "BITFIELD bf OVERFLOW FAIL SET i8 #3 200 SET u8 #3 -1 SET u8 #3 255 GET u8 #3",
        "BITFIELD bf SET u8 #4 -1 GET u8 #4 SET u2 100 5 GET u2 100 SET i5 3 -17",
        "BITFIELD bf SET i64 0 -9223372036854775808 INCRBY i64 0 -1 OVERFLOW SAT INCRBY i64 0 -1",
        "BITFIELD bf OVERFLOW SAT INCRBY i64 0 9223372036854775807 INCRBY i64 0 9223372036854775807",
        "BITFIELD bf OVERFLOW WRAP INCRBY u63 0 9223372036854775807 INCRBY u63 0 9223372036854775807",
        "BITFIELD bf OVERFLOW SAT SET u63 0 -1 OVERFLOW FAIL SET u63 0 -1 INCRBY u1 0 -2",
        "GET bf", "BITFIELD bf GET u8 1000", "BITFIELD bf SET u8 #1000 1", "STRLEN bf",
        "BITFIELD nb OVERFLOW FAIL INCRBY u2 0 10", "EXISTS nb", "GET nb",
        "BITFIELD bf GET u64 0", "BITFIELD bf GET i65 0", "BITFIELD bf GET u0 0", "BITFIELD bf GET x8 0",
        "BITFIELD bf GET I8 0", "BITFIELD bf GET u8 -1", "BITFIELD bf GET u8 x", "BITFIELD bf GET u8 #x",
        "BITFIELD bf GET u8 ##1", "BITFIELD bf SET u8 0 x", "BITFIELD bf SET u8 0 1.5",
        "BITFIELD bf OVERFLOW FOO", "BITFIELD bf OVERFLOW", "BITFIELD bf GET u8", "BITFIELD bf SET u8 0",
        "BITFIELD bf INCRBY u8 0", "BITFIELD bf FOO", "BITFIELD bf GET u8 0 FOO",
        "BITFIELD bf SET u8 0 1 GET u99 0", "BITFIELD bf GET u8 4294967296", "BITFIELD bf GET u8 #536870912",
        "BITFIELD bf get u8 0 set u8 0 7 incrby u8 0 1 overflow fail", "BITFIELD_RO bf GET u8 0 GET i4 #1",
        "BITFIELD_RO bf SET u8 0 1", "BITFIELD_RO bf INCRBY u8 0 1", "BITFIELD_RO bf OVERFLOW SAT GET u8 0",
        "BITFIELD_RO nokey GET u8 0", "BITFIELD_RO bf", "BITFIELD_RO bf FOO", "EXISTS nokey",
    ))


def test_bitfield_resp3_null(pair3):
    pair3.check(_cmds("BITFIELD bf OVERFLOW FAIL INCRBY u2 0 10 GET u2 0", "GET nokey", "MGET nokey",
                      "GETEX nokey", "GETDEL nokey", "SET k v NX GET", "SET k w XX GET", "SET n v XX"))


# ----------------------------------------------------------------------------- random sequences

_KEYS = st.sampled_from(["k1", "k2", "k3"])
_VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "10", "007", "+1", " 1", "1.5", "-0.5", "abc", "inf", "0x10", "1e3",
                     "9223372036854775807", "-9223372036854775808", "3.0e3", "\xff\x00"]),
    st.integers(-2**64, 2**64).map(str),
    st.text(alphabet="ab01.-e\x00\xff", max_size=8),
)
_INTS = st.one_of(st.integers(-20, 40).map(str), st.integers(-2**64, 2**64).map(str),
                  st.sampled_from(["abc", "1.5", "", "-0", "007", "9223372036854775807", "-9223372036854775808"]))
_SMALL = st.one_of(st.integers(-12, 30).map(str), st.sampled_from(["x", "-100", "99999999999"]))
_FLOATS = st.one_of(st.sampled_from(["0.1", "-0.1", "1e3", "1.5", "3.0e3", "abc", "inf", "0x1p-3", "1e400",
                                     "-1e400", "5", "-7", "1e-20", "0"]),
                    st.floats(allow_nan=False, allow_infinity=False).map(repr))
_SET_OPTS = st.lists(st.sampled_from(["NX", "XX", "GET", "KEEPTTL", "EX 1000000", "PX 1000000000",
                                      "EXAT 99999999999", "PXAT 1", "EXAT 1", "EX 0", "PX abc", "FOO"]),
                     max_size=3).map(lambda opts: " ".join(opts).split())
_GETEX_OPTS = st.sampled_from([[], ["PERSIST"], ["EX", "1000000"], ["PXAT", "1"], ["EXAT", "99999999999"],
                               ["PX"], ["EX", "-1"], ["PERSIST", "EX", "5"], ["NX"]])
_BF_TYPES = st.sampled_from(["u1", "u3", "u8", "u16", "u63", "i1", "i4", "i8", "i13", "i64", "u64", "i0"])
_BF_OFFS = st.one_of(st.integers(0, 40).map(str), st.integers(0, 6).map(lambda n: f"#{n}"),
                     st.sampled_from(["-1", "x"]))


def _bf_ops(draw_ops: list) -> list[str]:
    out: list[str] = []
    for op in draw_ops:
        out += op
    return out


_BF_OP = st.one_of(
    st.tuples(st.just("GET"), _BF_TYPES, _BF_OFFS).map(list),
    st.tuples(st.sampled_from(["SET", "INCRBY"]), _BF_TYPES, _BF_OFFS, _INTS).map(list),
    st.tuples(st.just("OVERFLOW"), st.sampled_from(["WRAP", "SAT", "FAIL", "BAD"])).map(list),
)

_COMMAND = st.one_of(
    st.tuples(st.just("SET"), _KEYS, _VALUES, _SET_OPTS).map(lambda t: [t[0], t[1], t[2], *t[3]]),
    st.tuples(st.sampled_from(["GET", "GETDEL", "STRLEN", "INCR", "DECR"]), _KEYS).map(list),
    st.tuples(st.just("GETEX"), _KEYS, _GETEX_OPTS).map(lambda t: [t[0], t[1], *t[2]]),
    st.tuples(st.sampled_from(["GETSET", "SETNX", "APPEND"]), _KEYS, _VALUES).map(list),
    st.tuples(st.sampled_from(["SETEX", "PSETEX"]), _KEYS, st.sampled_from(["100000000", "0", "-1", "x"]),
              _VALUES).map(list),
    st.lists(_KEYS, min_size=1, max_size=4).map(lambda ks: ["MGET", *ks]),
    st.lists(st.tuples(_KEYS, _VALUES), min_size=1, max_size=3).map(
        lambda kv: ["MSET"] + [x for pair in kv for x in pair]),
    st.lists(st.tuples(_KEYS, _VALUES), min_size=1, max_size=3).map(
        lambda kv: ["MSETNX"] + [x for pair in kv for x in pair]),
    st.tuples(st.sampled_from(["INCRBY", "DECRBY"]), _KEYS, _INTS).map(list),
    st.tuples(st.just("INCRBYFLOAT"), _KEYS, _FLOATS).map(list),
    st.tuples(st.sampled_from(["GETRANGE", "SUBSTR"]), _KEYS, _SMALL, _SMALL).map(list),
    st.tuples(st.just("SETRANGE"), _KEYS, _SMALL.filter(lambda s: s != "99999999999"), _VALUES).map(list),
    st.tuples(st.just("LCS"), _KEYS, _KEYS, st.sampled_from([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"],
                                                              ["IDX", "MINMATCHLEN", "2"]])).map(
        lambda t: [t[0], t[1], t[2], *t[3]]),
    st.tuples(st.just("SETBIT"), _KEYS, st.integers(0, 70).map(str), st.sampled_from(["0", "1", "2"])).map(list),
    st.tuples(st.just("GETBIT"), _KEYS, st.integers(-1, 70).map(str)).map(list),
    st.tuples(st.just("BITCOUNT"), _KEYS, st.sampled_from([[], ["0", "-1"], ["1", "3"], ["-3", "-1"],
                                                          ["2", "20", "BIT"], ["-9", "-2", "BIT"], ["0"]])).map(
        lambda t: [t[0], t[1], *t[2]]),
    st.tuples(st.just("BITPOS"), _KEYS, st.sampled_from(["0", "1"]),
              st.sampled_from([[], ["1"], ["-2"], ["0", "-1"], ["1", "2"], ["3", "30", "BIT"],
                               ["-10", "-1", "BIT"], ["0", "0", "BYTE"]])).map(lambda t: [t[0], t[1], t[2], *t[3]]),
    st.tuples(st.just("BITOP"), st.sampled_from(["AND", "OR", "XOR", "NOT"]), _KEYS,
              st.lists(_KEYS, min_size=1, max_size=3)).map(lambda t: [t[0], t[1], t[2], *t[3]]),
    st.tuples(st.sampled_from(["BITFIELD", "BITFIELD_RO"]), _KEYS, st.lists(_BF_OP, max_size=4)).map(
        lambda t: [t[0], t[1], *_bf_ops(t[2])]),
    st.tuples(st.sampled_from(["TTL", "DEL"]), _KEYS).map(list),
    st.tuples(st.just("RPUSH"), _KEYS, st.just("x")).map(list),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(_COMMAND, min_size=1, max_size=25))
def test_random_string_sequences_match_redis(server, real_server, commands):
    for name in ("TTL", "RPUSH"):      # other families' commands, used when this build has them
        if not _has(server.port, name.lower()):
            commands = [c for c in commands if c[0] != name]
    pair = Pair(server.port, real_server.port)
    try:
        pair.check(commands)
    finally:
        pair.close()


_RANGE_ARGS = st.one_of(
    st.just([]),
    st.tuples(st.integers(-30, 30)).map(lambda t: [str(t[0])]),
    st.tuples(st.integers(-30, 30), st.integers(-30, 30)).map(lambda t: [str(t[0]), str(t[1])]),
    st.tuples(st.integers(-60, 60), st.integers(-60, 60), st.sampled_from(["BIT", "BYTE"])).map(
        lambda t: [str(t[0]), str(t[1]), t[2]]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=6), st.lists(st.tuples(st.sampled_from(["BITPOS 0", "BITPOS 1", "BITCOUNT", "GETRANGE",
                                                                  "BITFIELD"]), _RANGE_ARGS), max_size=12))
def test_random_bit_ranges_match_redis(server, real_server, value, queries):
    commands: list[list] = [["SET", "s", value]]
    for name, args in queries:
        if name == "GETRANGE":
            commands.append(["GETRANGE", "s", *(args + ["0", "-1"])[:2]])
        elif name == "BITFIELD":
            offs = [a for a in args if a.lstrip("-").isdigit()] or ["0"]
            commands.append(["BITFIELD_RO", "s", "GET", f"i{abs(int(offs[-1])) % 64 + 1}", str(abs(int(offs[0])))])
        else:
            cmd, *bit = name.split()
            commands.append([cmd, "s", *bit, *args])
    pair = Pair(server.port, real_server.port)
    try:
        pair.check(commands)
    finally:
        pair.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="abc", max_size=40), st.text(alphabet="abc", max_size=40), st.integers(0, 4))
def test_random_lcs_matches_redis(server, real_server, a, b, minlen):
    pair = Pair(server.port, real_server.port)
    try:
        pair.check([["MSET", "a", a, "b", b], ["LCS", "a", "b"], ["LCS", "b", "a", "LEN"],
                    ["LCS", "a", "b", "IDX", "MINMATCHLEN", str(minlen), "WITHMATCHLEN"], ["LCS", "b", "a", "IDX"]])
    finally:
        pair.close()


# ----------------------------------------------------------------------------- propagation


class ReplicaLink:
    """A raw ``SYNC`` connection to a server: the commands it propagates, in order."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock.sendall(b"SYNC\r\n")
        buf = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed during SYNC")
            buf += chunk
            while buf.startswith(b"\n"):           # keepalive newlines while the RDB is produced
                buf = buf[1:]
            if buf.startswith(b"+") and b"\r\n" in buf:
                buf = buf.split(b"\r\n", 1)[1]
            if buf.startswith(b"$") and b"\r\n" in buf:
                head, rest = buf.split(b"\r\n", 1)
                size = int(head[1:])
                while len(rest) < size:
                    rest += self.sock.recv(65536)
                buf = rest[size:]
                break
        self.reader = hiredis.Reader()
        self.reader.feed(buf)

    def read_until(self, marker: bytes) -> list[list[bytes]]:
        out: list[list[bytes]] = []
        while True:
            item = self.reader.gets()
            if item is False:
                self.reader.feed(self.sock.recv(65536))
                continue
            if item[0].upper() in (b"PING", b"SELECT"):
                continue
            if item[0].upper() == b"SET" and item[1] == marker:
                return out
            out.append(item)

    def close(self) -> None:
        self.sock.close()


_PROPAGATION_SCRIPT = _cmds(
    "SET a 1 EX 1000000", "SET a 2 PX 100000000 NX", "SET a 3 PXAT 99999999999999 XX GET",
    "SET a 4 EXAT 9999999999 GET", "SET a 5 GET", "SET a 6 KEEPTTL GET", "SET a 7 NX", "SET b 1 EXAT 1", "GET b",
    "SETEX c 100000 v", "PSETEX d 100000000 v", "GETEX a EX 1000000", "GETEX a PERSIST", "GETEX a PERSIST",
    "GETEX a", "GETEX a PXAT 1", "GETEX a EX 5", "SET a 1", "GETDEL a", "GETDEL a", "INCRBYFLOAT f 1.5",
    "SET g 1 EX 1000000", "INCRBYFLOAT g 2", "GETSET g 5", "SETNX h 1", "SETNX h 2", "MSET i 1 j 2",
    "MSETNX k 1 l 2", "MSETNX k 1 m 2", "SET m x", "GETEX m EXAT 1", "SET n 1 NX GET", "INCR in", "INCRBY in 5",
    "DECR in", "DECRBY in 2", "INCRBYFLOAT in 0", "APPEND p x", "APPEND p ''", "SETRANGE o 2 xy",
    "SETBIT sb 3 1", "SETBIT sb 3 1", "SETBIT sb 3 0", "SETBIT sb 20 0",
    "BITFIELD q INCRBY u2 0 1 GET u2 0", "BITFIELD q GET u2 0", "BITFIELD_RO q GET u2 0",
    "BITFIELD q OVERFLOW FAIL INCRBY u2 0 100", "BITOP AND dest nokey", "SET x ab", "BITOP NOT dest x",
    "BITOP AND dest nokey", "SET zz 1 PX 100000000 GET", "SETRANGE zz 0 ''", "INCR zz",
)


_ABSOLUTE_MS = {b"1000", b"9999999999000", b"99999999999999"}   # the script's EXAT/PXAT deadlines


def _normalise_times(cmds: list[list[bytes]]) -> list[list[bytes]]:
    """Deadlines computed from "now" differ between the servers; the script's absolute ones don't."""
    out = []
    for c in cmds:
        c = [c[0].upper(), *c[1:]]
        if c[0] == b"SET" and len(c) == 5 and c[4] not in _ABSOLUTE_MS:
            c[4] = b"<now+ttl>"
        elif c[0] == b"PEXPIREAT" and c[2] not in _ABSOLUTE_MS:
            c[2] = b"<now+ttl>"
        out.append(c)
    return out


def test_writes_propagate_like_redis(server, real_server):
    real = RawClient(real_server.port)
    real.call("CONFIG", "SET", "repl-diskless-sync", "no")
    real.close()
    links = []
    try:
        for port in (server.port, real_server.port):
            c = RawClient(port)
            c.call("FLUSHALL")
            c.close()
            links.append(ReplicaLink(port))
        assert_same(server.port, real_server.port, _PROPAGATION_SCRIPT + [["SET", "__end__", "1"]], reset=False)
        ours, theirs = (_normalise_times(link.read_until(b"__end__")) for link in links)
        assert ours == theirs
    finally:
        for link in links:
            link.close()
