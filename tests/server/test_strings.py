"""The string family against a running pyredis-server, through redis-py (and a raw replica link
for propagation and a pub/sub connection for keyspace events)."""

import socket

import hiredis
import pytest
import redis

from ..support import wait_for

# ----------------------------------------------------------------------------- helpers


class ReplicaLink:
    """A raw SYNC connection: skips the full-resync payload, then yields the propagated commands."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"SYNC\r\n")
        buf = b""
        while True:
            buf += self.sock.recv(65536)
            if buf.startswith(b"+") and b"\r\n" in buf:
                buf = buf.split(b"\r\n", 1)[1]      # +FULLRESYNC line
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
        """Commands received up to (not including) ``SET <marker> ...``; PING and SELECT dropped."""
        out: list[list[bytes]] = []
        while True:
            item = self.reader.gets()
            if item is False:
                self.sock.settimeout(10)
                self.reader.feed(self.sock.recv(65536))
                continue
            if item[0].upper() in (b"PING", b"SELECT"):
                continue
            if item[0].upper() == b"SET" and item[1] == marker:
                return out
            out.append(item)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def link(server, r):
    """A replica link opened after the test's FLUSHALL; the test ends its commands with SET __end__ 1."""
    replica = ReplicaLink(server.port)
    yield replica
    replica.close()


def _propagated(link, r) -> list[list[bytes]]:
    r.set("__end__", 1)
    return link.read_until(b"__end__")


def _other_type_key(r, key: str) -> None:
    """Create a non-string key with whatever collection command this build already has."""
    for argv in (("RPUSH", key, "x"), ("SADD", key, "x"), ("HSET", key, "f", "v"), ("ZADD", key, "1", "x")):
        try:
            r.execute_command(*argv)
            return
        except redis.ResponseError as exc:
            if "unknown command" not in str(exc):
                raise
    pytest.skip("no collection type implemented yet")


# ----------------------------------------------------------------------------- GET / SET

def test_set_then_get_returns_value(r):
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"


def test_get_missing_key_is_none(r):
    assert r.get("nope") is None


def test_get_on_other_type_is_wrongtype(r):
    _other_type_key(r, "l")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.get("l")


def test_set_nx_only_sets_missing_key(r):
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.get("k") == b"1"


def test_set_xx_only_sets_existing_key(r):
    assert r.set("k", "1", xx=True) is None
    assert r.get("k") is None
    r.set("k", "0")
    assert r.set("k", "1", xx=True) is True
    assert r.get("k") == b"1"


def test_set_get_returns_old_value(r):
    assert r.set("k", "1", get=True) is None
    assert r.set("k", "2", get=True) == b"1"
    assert r.get("k") == b"2"


def test_set_nx_get_on_existing_key_returns_old_and_keeps_it(r):
    r.set("k", "old")
    assert r.set("k", "new", nx=True, get=True) == b"old"
    assert r.get("k") == b"old"


def test_set_pxat_in_the_past_expires_at_once(r):
    assert r.set("k", "v", pxat=1) is True
    assert r.get("k") is None


def test_set_nx_and_xx_together_is_syntax_error(r):
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("SET", "k", "v", "NX", "XX")


def test_set_keepttl_with_ex_is_syntax_error(r):
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("SET", "k", "v", "KEEPTTL", "EX", "10")


def test_set_zero_expire_is_invalid_expire_time(r):
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'set' command$"):
        r.execute_command("SET", "k", "v", "EX", "0")


def test_set_non_integer_expire_is_not_an_integer(r):
    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        r.execute_command("SET", "k", "v", "PX", "1.5")


def test_setex_zero_is_invalid_expire_time_in_setex(r):
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'setex' command$"):
        r.execute_command("SETEX", "k", "0", "v")


def test_psetex_past_value_then_get(r):
    assert r.psetex("k", 100000, "v") is True
    assert r.get("k") == b"v"


def test_setnx_reply_is_integer(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == b"1"


def test_getset_returns_old_value(r):
    assert r.getset("k", "1") is None
    assert r.getset("k", "2") == b"1"


def test_getdel_returns_value_and_deletes(r):
    r.set("k", "v")
    assert r.getdel("k") == b"v"
    assert r.get("k") is None
    assert r.getdel("k") is None


def test_getex_pxat_in_past_deletes_key(r):
    r.set("k", "v")
    assert r.getex("k", pxat=1) == b"v"
    assert r.get("k") is None


def test_getex_persist_with_ex_is_syntax_error(r):
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("GETEX", "k", "PERSIST", "EX", "10")


def test_getex_missing_key_skips_expire_validation(r):
    assert r.execute_command("GETEX", "nokey", "EX", "abc") is None


def test_mget_gives_none_for_missing_and_other_types(r):
    r.mset({"a": "1", "b": "2"})
    _other_type_key(r, "l")
    assert r.mget("a", "nokey", "l", "b") == [b"1", None, None, b"2"]


def test_mset_odd_arguments_is_arity_error(r):
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'mset' command"):
        r.execute_command("MSET", "a", "1", "b")


def test_msetnx_sets_nothing_if_one_key_exists(r):
    r.set("b", "x")
    assert r.msetnx({"a": "1", "b": "2"}) is False
    assert r.get("a") is None
    assert r.msetnx({"a": "1", "c": "2"}) is True
    assert r.mget("a", "c") == [b"1", b"2"]


# ----------------------------------------------------------------------------- counters

def test_incr_creates_and_counts(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 20) == -10
    assert r.get("n") == b"-10"


def test_incr_overflow_error(r):
    r.set("n", str(2**63 - 1))
    with pytest.raises(redis.ResponseError, match="^increment or decrement would overflow$"):
        r.incr("n")


def test_incr_non_canonical_integer_is_error(r):
    for bad in ("007", "+1", " 1", "1.0", ""):
        r.set("n", bad)
        with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
            r.incr("n")


def test_decrby_llong_min_is_decrement_overflow(r):
    with pytest.raises(redis.ResponseError, match="^decrement would overflow$"):
        r.decrby("n", -(2**63))


def test_incrbyfloat_uses_long_double_precision(r):
    for _ in range(3):
        r.incrbyfloat("f", "0.1")
    assert r.get("f") == b"0.3"


def test_incrbyfloat_trims_trailing_zeros(r):
    r.set("f", "5.0e3")
    assert r.incrbyfloat("f", "2.0e2") == 5200.0
    assert r.get("f") == b"5200"


def test_incrbyfloat_infinity_is_error(r):
    with pytest.raises(redis.ResponseError, match="^increment would produce NaN or Infinity$"):
        r.incrbyfloat("f", "inf")


def test_incrbyfloat_invalid_float_is_error(r):
    with pytest.raises(redis.ResponseError, match="^value is not a valid float$"):
        r.incrbyfloat("f", "1.5x")


def test_incr_keeps_ttl(r):
    r.set("n", "1", ex=1000)
    r.incr("n")
    r.incrbyfloat("n", "1.5")
    r.append("n", "0")
    assert r.get("n") == b"3.50"
    try:
        assert 0 < r.ttl("n") <= 1000
    except redis.ResponseError:
        pytest.skip("TTL not implemented yet")


# ----------------------------------------------------------------------------- ranges

def test_append_and_strlen(r):
    assert r.append("s", "hello") == 5
    assert r.append("s", " world") == 11
    assert r.strlen("s") == 11
    assert r.strlen("nokey") == 0


def test_append_empty_creates_empty_key(r):
    assert r.append("s", "") == 0
    assert r.get("s") == b""


def test_getrange_negative_indexes(r):
    r.set("s", "Hello World")
    assert r.getrange("s", -5, -1) == b"World"
    assert r.getrange("s", 0, 100) == b"Hello World"
    assert r.getrange("s", -1, -5) == b""
    assert r.substr("s", 0, 4) == b"Hello"


def test_setrange_pads_with_zero_bytes(r):
    assert r.setrange("s", 3, "ab") == 5
    assert r.get("s") == b"\x00\x00\x00ab"


def test_setrange_negative_offset_is_error(r):
    with pytest.raises(redis.ResponseError, match="^offset is out of range$"):
        r.setrange("s", -1, "x")


def test_string_growth_limited_by_proto_max_bulk_len(r):
    with pytest.raises(redis.ResponseError, match=r"^string exceeds maximum allowed size \(proto-max-bulk-len\)$"):
        r.setrange("s", 512 * 1024 * 1024, "x")
    r.set("s", "x")
    original = r.config_get("proto-max-bulk-len")["proto-max-bulk-len"]
    r.config_set("proto-max-bulk-len", 1024 * 1024)
    try:
        r.setrange("s", 1024 * 1024 - 2, "a")
        with pytest.raises(redis.ResponseError, match="proto-max-bulk-len"):
            r.append("s", "bc")
    finally:
        r.config_set("proto-max-bulk-len", original)


def test_lcs_string_len_and_idx(r):
    r.mset({"a": "ohmytext", "b": "mynewtext"})
    assert r.lcs("a", "b") == b"mytext"
    assert r.lcs("a", "b", len=True) == 6
    reply = r.execute_command("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    assert reply == [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]


def test_lcs_len_and_idx_together_is_error(r):
    with pytest.raises(redis.ResponseError, match="please just use IDX"):
        r.execute_command("LCS", "a", "b", "LEN", "IDX")


# ----------------------------------------------------------------------------- bitmaps

def test_setbit_getbit(r):
    assert r.setbit("b", 7, 1) == 0
    assert r.setbit("b", 7, 1) == 1
    assert r.get("b") == b"\x01"
    assert r.getbit("b", 7) == 1
    assert r.getbit("b", 100) == 0


def test_setbit_bad_value_is_error(r):
    with pytest.raises(redis.ResponseError, match="^bit is not an integer or out of range$"):
        r.execute_command("SETBIT", "b", "0", "2")


def test_setbit_offset_past_limit_is_error(r):
    with pytest.raises(redis.ResponseError, match="^bit offset is not an integer or out of range$"):
        r.setbit("b", 4 * 1024 * 1024 * 1024, 1)


def test_bitcount_byte_and_bit_ranges(r):
    r.set("s", "foobar")
    assert r.bitcount("s") == 26
    assert r.bitcount("s", 1, 1) == 6
    assert r.bitcount("s", 5, 30, "BIT") == 17


def test_bitpos_finds_first_set_and_clear(r):
    r.set("s", b"\xff\xf0\x00")
    assert r.bitpos("s", 0) == 12
    assert r.bitpos("s", 1, 2) == -1
    r.set("s", b"\xff\xff")
    assert r.bitpos("s", 0) == 16
    assert r.bitpos("s", 0, 0, -1) == -1


def test_bitop_and_or_xor_not(r):
    r.set("a", b"\xf0\x0f")
    r.set("b", b"\xff")
    assert r.bitop("AND", "d", "a", "b") == 2
    assert r.get("d") == b"\xf0\x00"
    r.bitop("OR", "d", "a", "b")
    assert r.get("d") == b"\xff\x0f"
    r.bitop("XOR", "d", "a", "b")
    assert r.get("d") == b"\x0f\x0f"
    r.bitop("NOT", "d", "a")
    assert r.get("d") == b"\x0f\xf0"


def test_bitop_of_missing_keys_deletes_destination(r):
    r.set("d", "x")
    assert r.bitop("AND", "d", "nokey") == 0
    assert r.get("d") is None


def test_bitfield_set_get_incrby_overflow(r):
    bf = r.bitfield("bf")
    bf.set("u8", 0, 255).get("u8", 0).incrby("u8", 0, 10)
    bf.overflow("SAT").incrby("u8", 0, 1000).overflow("FAIL").incrby("u8", 0, 1)
    assert bf.execute() == [0, 255, 9, 255, None]


def test_bitfield_signed_wraps(r):
    assert r.execute_command("BITFIELD", "bf", "SET", "i8", "#0", "127", "INCRBY", "i8", "#0", "1") == [0, -128]


def test_bitfield_ro_rejects_writes(r):
    with pytest.raises(redis.ResponseError, match="^BITFIELD_RO only supports the GET subcommand$"):
        r.execute_command("BITFIELD_RO", "bf", "SET", "u8", "0", "1")


def test_bitfield_bad_type_is_error(r):
    with pytest.raises(redis.ResponseError, match="^Invalid bitfield type"):
        r.execute_command("BITFIELD", "bf", "GET", "u64", "0")


# ----------------------------------------------------------------------------- RESP3

def test_resp3_null_and_lcs_map(server):
    client = server.client(protocol=3)
    try:
        client.flushall()
        assert client.get("nokey") is None
        client.mset({"a": "ohmytext", "b": "mynewtext"})
        reply = client.execute_command("LCS", "a", "b", "IDX")
        assert reply[b"len"] == 6
    finally:
        client.close()


# ----------------------------------------------------------------------------- propagation

def test_set_with_expire_propagates_as_pxat(r, link):
    r.set("a", "1", ex=100)
    r.set("b", "2", px=100000, get=True)
    r.execute_command("SETEX", "c", "100", "3")
    r.psetex("d", 100000, "4")
    cmds = _propagated(link, r)
    assert [c[:4] for c in cmds] == [[b"SET", k, v, b"PXAT"] for k, v in
                                     ((b"a", b"1"), (b"b", b"2"), (b"c", b"3"), (b"d", b"4"))]
    assert all(int(c[4]) > 1_600_000_000_000 for c in cmds)


def test_set_get_propagates_without_get(r, link):
    r.execute_command("SET", "a", "1", "GET", "NX")
    cmds = _propagated(link, r)
    assert cmds == [[b"SET", b"a", b"1", b"NX"]]


def test_failed_set_nx_is_not_propagated(r, link):
    r.set("a", "1")
    r.set("a", "2", nx=True)
    assert _propagated(link, r) == [[b"SET", b"a", b"1"]]


def test_getex_and_getdel_propagate_effects(r, link):
    r.set("a", "1")
    r.getex("a", ex=100)
    r.getex("a", persist=True)
    r.getex("a", persist=True)
    r.getex("a")
    r.getdel("a")
    cmds = _propagated(link, r)
    assert cmds[0] == [b"SET", b"a", b"1"]
    assert cmds[1][:2] == [b"PEXPIREAT", b"a"]
    assert cmds[2:] == [[b"PERSIST", b"a"], [b"DEL", b"a"]]


def test_incrbyfloat_and_getset_propagate_as_set(r, link):
    r.incrbyfloat("f", "1.5")
    r.getset("f", "2")
    assert _propagated(link, r) == [[b"SET", b"f", b"1.5", b"KEEPTTL"], [b"SET", b"f", b"2"]]


def test_setbit_without_change_is_not_propagated(r, link):
    r.setbit("b", 3, 1)
    r.setbit("b", 3, 1)
    assert _propagated(link, r) == [[b"SETBIT", b"b", b"3", b"1"]]


# ----------------------------------------------------------------------------- keyspace events

def test_keyspace_events_use_redis_names(r, server):
    r.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    try:
        sub.psubscribe("__keyevent@0__:*")
        wait_for(lambda: sub.get_message(timeout=0.1), message="psubscribe confirmation")
        r.set("k", "1", ex=100)
        r.incr("k")
        r.incrbyfloat("k", "0.5")
        r.append("k", "0")
        r.setrange("k", 0, "9")
        r.setbit("k", 0, 1)
        r.getex("k", persist=True)
        r.getdel("k")
        expected = [b"set", b"expire", b"incrby", b"incrbyfloat", b"append", b"setrange", b"setbit",
                    b"persist", b"del"]
        events: list[bytes] = []

        def collect() -> bool:
            msg = sub.get_message(timeout=0.1)
            if msg and msg["type"] == "pmessage":
                events.append(msg["channel"].split(b":", 1)[1])
            return len(events) >= len(expected)

        wait_for(collect, message="keyspace events")
        assert events == expected
    finally:
        r.config_set("notify-keyspace-events", "")
        sub.close()


def test_read_miss_fires_keymiss_event(r, server):
    r.config_set("notify-keyspace-events", "Em")
    sub = server.client().pubsub()
    try:
        sub.subscribe("__keyevent@0__:keymiss")
        wait_for(lambda: sub.get_message(timeout=0.1), message="subscribe confirmation")
        r.get("missing1")
        r.mget("missing2")
        r.incr("written")      # a write lookup: no keymiss
        r.strlen("missing3")
        keys: list[bytes] = []

        def collect() -> bool:
            msg = sub.get_message(timeout=0.1)
            if msg and msg["type"] == "message":
                keys.append(msg["data"])
            return len(keys) >= 3

        wait_for(collect, message="keymiss events")
        assert keys == [b"missing1", b"missing2", b"missing3"]
    finally:
        r.config_set("notify-keyspace-events", "")
        sub.close()
