"""The AOF's pure parts: the manifest (Redis 7.0's line format and its errors), the command
stream reader (annotations, truncated tails, format errors) and the command-form rewrite."""

import pytest

from pyredis.engine.keyspace import Keyspace
from pyredis.engine.values import ListValue
from pyredis.engine.zset import ZSet
from pyredis.persistence.aof import (
    AofInfo,
    FormatError,
    Manifest,
    ManifestError,
    ShortRead,
    encode_command,
    iter_commands,
    iter_rewrite,
)

REDIS_MANIFEST = (b"file appendonly.aof.2.base.rdb seq 2 type b\n"
                  b"file appendonly.aof.1.incr.aof seq 1 type h\n"
                  b"file appendonly.aof.2.incr.aof seq 2 type i\n"
                  b"file appendonly.aof.3.incr.aof seq 3 type i\n")


# ----- manifest

def test_manifest_parse_reads_base_history_and_incr():
    am = Manifest.parse(REDIS_MANIFEST)
    assert am.base == AofInfo("appendonly.aof.2.base.rdb", 2, "b")
    assert am.history == [AofInfo("appendonly.aof.1.incr.aof", 1, "h")]
    assert [i.name for i in am.incr] == ["appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof"]
    assert (am.base_seq, am.incr_seq) == (2, 3)


def test_manifest_format_round_trips_redis_lines():
    assert Manifest.parse(REDIS_MANIFEST).format() == REDIS_MANIFEST


def test_manifest_skips_comments_and_accepts_extra_pairs():
    text = b"# a comment\nfile a.1.base.rdb seq 1 type b future 1\nfile a.1.incr.aof seq 1 type i\n"
    am = Manifest.parse(text)
    assert am.base.name == "a.1.base.rdb" and am.incr[0].name == "a.1.incr.aof"


def test_manifest_quotes_names_that_need_it():
    am = Manifest()
    am.base = AofInfo("my file.1.base.rdb", 1, "b")
    text = am.format()
    assert text == b'file "my file.1.base.rdb" seq 1 type b\n'
    assert Manifest.parse(text).base.name == "my file.1.base.rdb"


@pytest.mark.parametrize("text, reason", [
    (b"", "Found an empty AOF manifest"),
    (b"file a seq 1 type b\n\n", "Invalid AOF manifest file format"),
    (b"file a seq 1 type\n", "Invalid AOF manifest file format"),
    (b"file a seq 0 type b\n", "Invalid AOF manifest file format"),
    (b"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"),
    (b"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number"),
    (b"file a seq 1 type x\n", "Unknown AOF file type"),
    (b"file dir/a seq 1 type b\n", "File can't be a path, just a filename"),
    (b"file a seq 1 type b", "The AOF manifest file contains too long line"),
    (b"file " + b"a" * 1100 + b" seq 1 type b\n", "The AOF manifest file contains too long line"),
])
def test_manifest_errors_have_redis_reasons(text, reason):
    with pytest.raises(ManifestError) as info:
        Manifest.parse(text)
    assert info.value.reason == reason


def test_new_base_turns_the_old_one_into_history():
    am = Manifest.parse(b"file x.1.base.rdb seq 1 type b\nfile x.1.incr.aof seq 1 type i\n")
    assert am.new_base("x", rdb_preamble=False) == "x.2.base.aof"
    assert am.history == [AofInfo("x.1.base.rdb", 1, "h")]
    assert am.dirty


def test_rewrite_marks_all_but_the_open_incr_as_history():
    am = Manifest.parse(b"file x.1.base.rdb seq 1 type b\nfile x.1.incr.aof seq 1 type i\n")
    assert am.new_incr("x") == "x.2.incr.aof"
    am.new_base("x", rdb_preamble=True)
    am.mark_rewritten_incr_as_history(keep_last=True)
    assert am.format() == (b"file x.2.base.rdb seq 2 type b\nfile x.1.incr.aof seq 1 type h\n"
                           b"file x.1.base.rdb seq 1 type h\nfile x.2.incr.aof seq 2 type i\n")


def test_without_an_open_incr_every_incr_becomes_history():
    am = Manifest.parse(b"file x.1.incr.aof seq 1 type i\nfile x.2.incr.aof seq 2 type i\n")
    am.mark_rewritten_incr_as_history(keep_last=False)
    assert am.incr == [] and [i.name for i in am.history] == ["x.1.incr.aof", "x.2.incr.aof"]
    assert am.last_incr("x") == "x.3.incr.aof"


# ----- the command stream

def test_iter_commands_reads_commands_and_skips_annotations():
    data = b"#TS:1700000000\r\n" + encode_command([b"SET", b"k", b"a\r\nb"]) + encode_command([b"DEL", b"k"])
    got = list(iter_commands(data))
    assert [argv for argv, _ in got] == [[b"SET", b"k", b"a\r\nb"], [b"DEL", b"k"]]
    assert got[-1][1] == len(data)


@pytest.mark.parametrize("cut", [1, 3, 8, 20, 28])
def test_truncated_tail_is_a_short_read_after_the_valid_commands(cut):
    first = encode_command([b"SET", b"a", b"1"])
    data = first + encode_command([b"SET", b"bb", b"22"])[:cut]
    seen = []
    with pytest.raises(ShortRead):
        for _argv, end in iter_commands(data):
            seen.append(end)
    assert seen == [len(first)]


@pytest.mark.parametrize("data", [b"SET a b\r\n", b"*0\r\n", b"*1\r\nfoo\r\n"])
def test_bad_bytes_are_a_format_error(data):
    with pytest.raises(FormatError):
        list(iter_commands(data))


def test_rewrite_as_commands_rebuilds_every_type_in_batches():
    ks = Keyspace(4)
    db = ks[2]
    db.data[b"s"] = b"v"
    db.data[b"l"] = ListValue([b"%d" % i for i in range(130)])
    db.data[b"h"] = {b"f": b"1", b"g": b"2"}
    db.data[b"set"] = {b"a", b"b"}
    z = ZSet()
    z.add(b"m", 1.5)
    z.add(b"n", float("-inf"))
    db.data[b"z"] = z
    db.expires[b"s"] = 1234567890123
    cmds = [argv for chunk in iter_rewrite(ks) for argv, _ in iter_commands(chunk)]
    assert cmds[0] == [b"SELECT", b"2"]
    rpush = [c for c in cmds if c[0] == b"RPUSH"]
    assert [len(c) - 2 for c in rpush] == [64, 64, 2]
    assert [x for c in rpush for x in c[2:]] == [b"%d" % i for i in range(130)]
    assert [b"PEXPIREAT", b"s", b"1234567890123"] in cmds
    zadd = next(c for c in cmds if c[0] == b"ZADD")
    assert dict(zip(zadd[3::2], zadd[2::2], strict=True)) == {b"m": b"1.5", b"n": b"-inf"}
    assert sorted(next(c for c in cmds if c[0] == b"SADD")[2:]) == [b"a", b"b"]
    assert next(c for c in cmds if c[0] == b"HMSET")[2:] == [b"f", b"1", b"g", b"2"]
