"""The RDB codec: what the encoder writes, every encoding the decoder reads, streaming, corruption."""

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyredis.engine.keyspace import Keyspace
from pyredis.engine.values import ListValue
from pyredis.engine.zset import ZSet
from pyredis.persistence import rdb
from pyredis.persistence.crc64 import crc64
from pyredis.persistence.encodings import (
    intset_encode,
    listpack_encode,
    listpack_entries,
    ziplist_encode,
    ziplist_entries,
    zipmap_encode,
)

AUX = {"redis-ver": "7.0.15", "redis-bits": 64, "ctime": 1700000000, "used-mem": 1000, "aof-base": 0}


def zset(pairs: dict) -> ZSet:
    z = ZSet()
    for m, s in pairs.items():
        z.add(m, s)
    return z


def plain(value):
    """A comparable form of a decoded value."""
    if type(value) is ZSet:
        return ("zset", dict(value.scores))
    if type(value) is ListValue:
        return ("list", list(value))
    return value


def file_of(body: bytes, version: int = 10) -> bytes:
    """A complete RDB file around ``body`` (records after the header), with its checksum."""
    data = b"REDIS%04d" % version + body + b"\xff"
    return data + crc64(data).to_bytes(8, "little")


def s(text: bytes) -> bytes:
    return rdb.encode_string(text)


def keys_of(events) -> dict:
    return {(e[1], e[2]): (plain(e[3]), e[4]) for e in events if e[0] == "key"}


def one_value(rtype: int, payload: bytes):
    events = rdb.decode(file_of(b"\xfe\x00" + bytes((rtype,)) + s(b"k") + payload))
    (value, expire), = keys_of(events).values()
    return value


def sample_keyspace() -> Keyspace:
    ks = Keyspace(16)
    db0 = ks[0]
    db0.data.update({
        b"str": b"hello",
        b"int": b"12345",
        b"neg": b"-100000",
        b"notint": b"007",
        b"bin": bytes(range(256)),
        b"long": b"abc" * 100,
        b"list": ListValue([b"a", b"1", b"x" * 70]),
        b"set": {b"m1", b"2", b"\x00\xff"},
        b"hash": {b"f": b"v", b"n": b"42", b"": b"empty"},
        b"zset": zset({b"a": 1.5, b"b": -3.0, b"c": float("inf"), b"d": float("-inf")}),
        b"\xffkey": b"binary key",
    })
    db0.set_expire(b"str", 1_900_000_000_123)
    ks[5].data[b"other"] = b"db five"
    ks[15].data[b"bigset"] = {b"%d" % i for i in range(2000)}
    ks[15].set_expire(b"bigset", 1_800_000_000_000)
    return ks


def dataset_of(ks: Keyspace) -> dict:
    return {(db.id, k): (plain(v), db.expires.get(k)) for db in ks.dbs for k, v in db.data.items()}


# ----- the encoder

@pytest.mark.parametrize("compress", [False, True])
def test_keyspace_round_trip(compress):
    ks = sample_keyspace()
    events = rdb.decode(rdb.encode(ks, AUX, compress=compress))
    assert keys_of(events) == dataset_of(ks)


def test_file_layout_header_aux_select_resize_eof_checksum():
    ks = Keyspace(2)
    ks[1].data[b"k"] = b"v"
    ks[1].set_expire(b"k", 5)
    data = rdb.encode(ks, {"redis-ver": "7.0.15", "redis-bits": 64})
    assert data.startswith(b"REDIS0010\xfa\x09redis-ver\x067.0.15\xfa\x0aredis-bits\xc0\x40")
    assert b"\xfe\x01\xfb\x01\x01\xfc" + (5).to_bytes(8, "little") + b"\x00\x01k\x01v\xff" in data
    assert data[-8:] == crc64(data[:-8]).to_bytes(8, "little")


def test_checksum_off_writes_eight_zero_bytes_and_still_loads():
    data = rdb.encode(sample_keyspace(), AUX, checksum=False)
    assert data[-9:] == b"\xff" + bytes(8)
    assert keys_of(rdb.decode(data)) == dataset_of(sample_keyspace())


def test_aux_fields_are_events():
    events = rdb.decode(rdb.encode(Keyspace(1), AUX))
    assert [e for e in events if e[0] == "aux"] == [
        ("aux", b"redis-ver", b"7.0.15"), ("aux", b"redis-bits", b"64"), ("aux", b"ctime", b"1700000000"),
        ("aux", b"used-mem", b"1000"), ("aux", b"aof-base", b"0")]
    assert events[-1][0] == "end"


@pytest.mark.parametrize("text, encoded", [
    (b"0", b"\xc0\x00"),
    (b"-128", b"\xc0\x80"),
    (b"127", b"\xc0\x7f"),
    (b"128", b"\xc1\x80\x00"),
    (b"-32768", b"\xc1\x00\x80"),
    (b"32768", b"\xc2\x00\x80\x00\x00"),
    (b"2147483647", b"\xc2\xff\xff\xff\x7f"),
    (b"2147483648", b"\x0a2147483648"),     # beyond 32 bits: raw
    (b"007", b"\x03007"),                   # not canonical: raw
    (b"+1", b"\x02+1"),
    (b"", b"\x00"),
])
def test_strings_are_integer_encoded_like_redis(text, encoded):
    assert rdb.encode_string(text) == encoded


def test_long_strings_are_lzf_compressed_only_when_asked_and_worth_it():
    text = b"a" * 100
    packed = rdb.encode_string(text, compress=True)
    assert packed[0] == 0xC3
    assert rdb.encode_string(text, compress=False) == b"\x40\x64" + text
    assert rdb.encode_string(b"a" * 20, compress=True)[0] == 20          # 20 bytes: never compressed
    incompressible = bytes(range(100))
    assert rdb.encode_string(incompressible, compress=True) == b"\x40\x64" + incompressible


@pytest.mark.parametrize("n, encoded", [
    (63, b"\x3f"), (64, b"\x40\x40"), (16383, b"\x7f\xff"), (16384, b"\x80\x00\x00\x40\x00"),
    (1 << 32, b"\x81\x00\x00\x00\x01\x00\x00\x00\x00"),
])
def test_length_encoding(n, encoded):
    assert rdb.encode_len(n) == encoded


def test_value_types_written():
    assert rdb.value_type(b"x") == rdb.TYPE_STRING
    assert rdb.value_type(ListValue()) == rdb.TYPE_LIST
    assert rdb.value_type(set()) == rdb.TYPE_SET
    assert rdb.value_type({}) == rdb.TYPE_HASH
    assert rdb.value_type(ZSet()) == rdb.TYPE_ZSET_2


# ----- every encoding the decoder must read

def test_string_encodings_int8_int16_int32_lzf():
    assert one_value(0, b"\xc0\xfe") == b"-2"
    assert one_value(0, b"\xc1\x39\x30") == b"12345"
    assert one_value(0, b"\xc2\x00\x00\x00\x80") == b"-2147483648"
    assert one_value(0, rdb.encode_string(b"xyz" * 50, compress=True)) == b"xyz" * 50


def test_list_legacy_linked_list():
    assert one_value(1, b"\x02" + s(b"a") + s(b"7")) == ("list", [b"a", b"7"])


def test_list_ziplist():
    blob = ziplist_encode([b"a", b"12", b"-5", b"300000", b"x" * 70, b"9999999999"])
    assert one_value(10, s(blob)) == ("list", [b"a", b"12", b"-5", b"300000", b"x" * 70, b"9999999999"])


def test_list_quicklist_with_ziplist_nodes():
    nodes = [ziplist_encode([b"a", b"b"]), ziplist_encode([b"1", b"c"])]
    assert one_value(14, b"\x02" + b"".join(s(n) for n in nodes)) == ("list", [b"a", b"b", b"1", b"c"])


def test_list_quicklist_2_packed_and_plain_nodes():
    packed = listpack_encode([b"a", b"100", b"-7"])
    body = b"\x02" + b"\x02" + s(packed) + b"\x01" + s(b"P" * 5000)
    assert one_value(18, body) == ("list", [b"a", b"100", b"-7", b"P" * 5000])


def test_set_plain_intset_and_listpack():
    assert one_value(2, b"\x02" + s(b"a") + s(b"b")) == {b"a", b"b"}
    assert one_value(11, s(intset_encode([1, -5, 70000]))) == {b"1", b"-5", b"70000"}
    assert one_value(11, s(intset_encode([1, 1 << 40]))) == {b"1", b"%d" % (1 << 40)}
    assert one_value(20, s(listpack_encode([b"x", b"5"]))) == {b"x", b"5"}


def test_hash_plain_zipmap_ziplist_listpack():
    pairs = {b"f": b"v", b"n": b"12"}
    assert one_value(4, b"\x02" + s(b"f") + s(b"v") + s(b"n") + s(b"12")) == pairs
    assert one_value(9, s(zipmap_encode(list(pairs.items())))) == pairs
    assert one_value(13, s(ziplist_encode([b"f", b"v", b"n", b"12"]))) == pairs
    assert one_value(16, s(listpack_encode([b"f", b"v", b"n", b"12"]))) == pairs


def test_zset_legacy_with_text_scores_and_infinities():
    body = b"\x03" + s(b"a") + b"\x031.5" + s(b"b") + b"\xfe" + s(b"c") + b"\xff"
    assert one_value(3, body) == ("zset", {b"a": 1.5, b"b": float("inf"), b"c": float("-inf")})


def test_zset_2_binary_scores():
    body = b"\x02" + s(b"a") + struct.pack("<d", 0.1) + s(b"b") + struct.pack("<d", -2e300)
    assert one_value(5, body) == ("zset", {b"a": 0.1, b"b": -2e300})


def test_zset_ziplist_and_listpack():
    entries = [b"a", b"1", b"b", b"2.5", b"c", b"-3"]
    expected = ("zset", {b"a": 1.0, b"b": 2.5, b"c": -3.0})
    assert one_value(12, s(ziplist_encode(entries))) == expected
    assert one_value(17, s(listpack_encode(entries))) == expected


def test_expiretime_seconds_idle_and_freq_opcodes():
    body = (b"\xfe\x00" + b"\xfd" + (1_700_000_000).to_bytes(4, "little") + b"\xf8\x05\x00" + s(b"a") + s(b"1")
            + b"\xf9\x07\x00" + s(b"b") + s(b"2"))
    assert keys_of(rdb.decode(file_of(body))) == {(0, b"a"): (b"1", 1_700_000_000_000), (0, b"b"): (b"2", None)}


def test_function2_payload_is_kept_as_an_event():
    events = rdb.decode(file_of(b"\xf5" + s(b"#!lua name=lib\nredis.register_function('f', function() end)")))
    assert events[0] == ("function", b"#!lua name=lib\nredis.register_function('f', function() end)")


def test_module_aux_is_skipped():
    # module id, when_opcode, when, then module opcodes: uint 5, string "x", double, EOF
    body = b"\xf7\x81" + (12345).to_bytes(8, "big") + b"\x02\x02" + b"\x02\x05" + b"\x05" + s(b"x") + b"\x04" + \
        struct.pack("<d", 1.0) + b"\x00" + b"\xfe\x00\x00" + s(b"k") + s(b"v")
    events = rdb.decode(file_of(body))
    assert ("module_aux", 12345) in events
    assert keys_of(events) == {(0, b"k"): (b"v", None)}


@pytest.mark.parametrize("rtype", [15, 19, 21])
def test_stream_types_give_a_clear_error(rtype):
    with pytest.raises(rdb.RDBError, match="Can't load stream type: not supported by pyredis yet"):
        rdb.decode(file_of(b"\xfe\x00" + bytes((rtype,)) + s(b"k") + s(b"whatever")))


@pytest.mark.parametrize("rtype", [6, 7])
def test_module_types_give_a_clear_error(rtype):
    with pytest.raises(rdb.RDBError, match="Can't load module type"):
        rdb.decode(file_of(b"\xfe\x00" + bytes((rtype,)) + s(b"k") + b"\x01"))


def test_unknown_type_is_an_error():
    with pytest.raises(rdb.RDBError, match="Unknown RDB encoding type 30"):
        rdb.decode(file_of(b"\x1e" + s(b"k") + s(b"v")))


def test_version_and_signature_checks():
    with pytest.raises(rdb.RDBError, match="Can't handle RDB format version 12"):
        rdb.decode(file_of(b"", version=12))
    with pytest.raises(rdb.RDBError, match="Wrong signature"):
        rdb.decode(b"REDIX0010\xff" + bytes(8))
    assert rdb.decode(file_of(b"", version=9))[-1][0] == "end"


def test_old_versions_without_checksum():
    assert rdb.decode(b"REDIS0004\xfe\x00\x00\x01k\x01v\xff") == [("key", 0, b"k", b"v", None), ("end", 0)]


def test_encoding_helpers_round_trip():
    entries = [b"", b"a", b"x" * 100, b"y" * 5000, 0, 127, 128, -1, -4096, 4095, 32767, -32768, 1 << 22,
               -(1 << 23), 1 << 30, -(1 << 31), 1 << 40, -(1 << 63), b"12", b"-0"]
    norm = [e if type(e) is bytes else b"%d" % e for e in entries]

    def as_text(values):
        return [v if type(v) is bytes else b"%d" % v for v in values]

    assert as_text(listpack_entries(listpack_encode(entries))) == norm
    assert as_text(ziplist_entries(ziplist_encode(entries))) == norm


# ----- streaming

def test_byte_by_byte_feeding_gives_the_same_events():
    data = rdb.encode(sample_keyspace(), AUX, compress=True)
    whole = rdb.decode(data)
    dec = rdb.Decoder()
    got = []
    for i in range(len(data)):
        got += dec.feed(data[i:i + 1])
    assert dec.done
    assert [(e[0], *map(plain, e[1:])) for e in got] == [(e[0], *map(plain, e[1:])) for e in whole]


def test_large_collection_in_small_chunks():
    ks = Keyspace(1)
    ks[0].data[b"h"] = {b"field%d" % i: b"value%d" % i for i in range(20000)}
    data = rdb.encode(ks, {})
    dec = rdb.Decoder()
    events = []
    for i in range(0, len(data), 100):
        events += dec.feed(data[i:i + 100])
    assert dec.done and keys_of(events)[(0, b"h")][0] == ks[0].data[b"h"]


def test_bytes_after_the_end_are_trailing():
    data = rdb.encode(sample_keyspace(), AUX)
    dec = rdb.Decoder()
    dec.feed(data + b"+PING")
    dec.feed(b"\r\n")
    assert dec.done and dec.trailing == b"+PING\r\n"


# ----- corrupt and truncated input

def test_every_truncation_is_incomplete_and_never_raises():
    data = rdb.encode(sample_keyspace(), AUX, compress=True)
    for cut in range(0, len(data), 7):
        dec = rdb.Decoder()
        dec.feed(data[:cut])
        assert not dec.done
        with pytest.raises(rdb.RDBError, match="Unexpected EOF"):
            rdb.decode(data[:cut])


def test_checksum_mismatch_is_detected():
    data = bytearray(rdb.encode(sample_keyspace(), AUX))
    data[-1] ^= 0x40
    with pytest.raises(rdb.RDBError, match=r"Wrong RDB checksum expected: \([0-9a-f]+\) but got"):
        rdb.decode(bytes(data))


def test_checksum_verification_can_be_turned_off():
    data = bytearray(rdb.encode(sample_keyspace(), AUX))
    data[-1] ^= 0x40
    assert rdb.decode(bytes(data), verify_checksum=False)[-1][0] == "end"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_corruption_gives_rdb_error_or_events(data):
    blob = bytearray(rdb.encode(sample_keyspace(), AUX, compress=True, checksum=False))
    for _ in range(data.draw(st.integers(1, 4))):
        blob[data.draw(st.integers(9, len(blob) - 1))] = data.draw(st.integers(0, 255))
    try:
        rdb.decode(bytes(blob))
    except rdb.RDBError:
        pass


def test_corrupt_ziplist_inside_a_record_is_an_rdb_error():
    blob = bytearray(ziplist_encode([b"a", b"b"]))
    blob[0] += 1
    with pytest.raises(rdb.RDBError, match="ziplist"):
        rdb.decode(file_of(b"\x0a" + s(b"k") + s(bytes(blob))))


def test_duplicate_members_are_corruption():
    with pytest.raises(rdb.RDBError, match="Duplicate"):
        rdb.decode(file_of(b"\x02" + s(b"k") + b"\x02" + s(b"a") + s(b"a")))


# ----- DUMP / RESTORE payloads

@pytest.mark.parametrize("value", [b"v", b"123", b"x" * 1000, ListValue([b"a", b"b"]), {b"a", b"b"},
                                   {b"f": b"v"}, zset({b"m": 2.0})])
def test_dump_payload_round_trip(value):
    payload = rdb.dump_payload(value)
    assert payload[-10:-8] == b"\x0a\x00"
    assert rdb.check_payload(payload)
    assert plain(rdb.load_payload(payload)) == plain(value)


def test_payload_footer_checks():
    payload = bytearray(rdb.dump_payload(b"value"))
    assert not rdb.check_payload(b"short")
    bad_crc = bytes(payload[:-1]) + bytes([payload[-1] ^ 1])
    assert not rdb.check_payload(bad_crc)
    newer = bytes(payload[:-10]) + (12).to_bytes(2, "little")
    assert not rdb.check_payload(newer + crc64(newer).to_bytes(8, "little"))


def test_payload_with_trailing_bytes_or_empty_collection_is_bad_data():
    body = b"\x00" + s(b"v") + b"junk" + b"\x0a\x00"
    with pytest.raises(rdb.RDBError, match="Bad data format"):
        rdb.load_payload(body + crc64(body).to_bytes(8, "little"))
    body = b"\x02\x00" + b"\x0a\x00"
    with pytest.raises(rdb.RDBError, match="Bad data format"):
        rdb.load_payload(body + crc64(body).to_bytes(8, "little"))


def test_real_redis_dump_payload_of_a_listpack_hash():
    # what Redis 7.0.15 answers to DUMP of HSET h f v: HASH_LISTPACK
    blob = listpack_encode([b"f", b"v"])
    body = b"\x10" + s(blob) + b"\x0a\x00"
    payload = body + crc64(body).to_bytes(8, "little")
    assert rdb.load_payload(payload) == {b"f": b"v"}


def test_random_payload_garbage_never_escapes():
    rng = random.Random(3)
    for _ in range(300):
        body = bytes([rng.choice([0, 1, 2, 4, 5, 10, 11, 12, 13, 14, 16, 17, 18, 20])]) + bytes(
            rng.randrange(256) for _ in range(rng.randrange(0, 30))) + b"\x0a\x00"
        try:
            rdb.load_payload(body + crc64(body).to_bytes(8, "little"))
        except rdb.RDBError:
            pass
