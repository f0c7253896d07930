"""The replication backlog: stream offsets (1-based), trimming to its size, which PSYNC offsets
it covers, and what it hands back from an offset."""

import random

from pyredis.replication.backlog import Backlog, new_replid


def test_new_replid_is_40_hex_chars_and_seedable():
    a = new_replid(random.Random(1))
    assert len(a) == 40 and int(a, 16) >= 0
    assert a == new_replid(random.Random(1))
    assert a != new_replid(random.Random(2))


def test_empty_backlog_covers_only_its_next_offset():
    b = Backlog(100, 1)
    assert b.histlen == 0
    assert b.covers(1)
    assert not b.covers(2)
    assert not b.covers(0)
    assert b.read_from(1) == b""


def test_backlog_started_mid_stream_keeps_that_offset():
    b = Backlog(100, 501)
    b.append(b"hello")
    assert b.real_first_offset() == 501
    assert b.covers(501) and b.covers(506)
    assert not b.covers(500) and not b.covers(507)
    assert b.read_from(503) == b"llo"


def test_append_within_size_keeps_everything():
    b = Backlog(100, 1)
    b.append(b"abc")
    b.append(b"def")
    assert b.histlen == 6
    assert b.read_from(1) == b"abcdef"
    assert b.read_from(4) == b"def"
    assert b.read_from(7) == b""


def test_wrap_trims_to_the_last_size_bytes():
    b = Backlog(10, 1)
    data = bytes(range(65, 65 + 26))          # A..Z: offsets 1..26
    for i in range(0, 26, 3):
        b.append(data[i:i + 3])
    assert b.histlen == 10
    assert b.real_first_offset() == 17
    assert b.read_from(17) == data[16:]
    assert b.covers(17) and b.covers(27)
    assert not b.covers(16)


def test_lazy_trim_never_exposes_more_than_size():
    b = Backlog(8, 1)
    for i in range(1, 101):
        b.append(b"x" * 3)
        assert b.histlen == min(8, i * 3)
        assert b.real_first_offset() == 1 + max(0, i * 3 - 8)
    end = 1 + 300
    assert b.real_first_offset() == end - 8
    assert len(b.read_from(b.real_first_offset())) == 8


def test_one_append_bigger_than_size_keeps_its_tail():
    b = Backlog(4, 1)
    b.append(b"0123456789")
    assert b.histlen == 4
    assert b.real_first_offset() == 7
    assert b.read_from(7) == b"6789"
    assert not b.covers(6)


def test_resize_smaller_drops_the_oldest_bytes():
    b = Backlog(100, 1)
    b.append(b"abcdefghij")
    b.resize(4)
    assert b.size == 4 and b.histlen == 4
    assert b.real_first_offset() == 7
    assert b.read_from(7) == b"ghij"


def test_resize_bigger_keeps_history_and_grows_later():
    b = Backlog(4, 1)
    b.append(b"abcdef")
    first = b.real_first_offset()
    b.resize(100)
    # bytes still held from before the lazy trim are genuine stream bytes: serving them is fine
    assert b.real_first_offset() <= first and b.covers(first)
    b.append(b"X" * 50)
    assert b.read_from(first) == b"cdef" + b"X" * 50


def test_covers_the_whole_contiguous_range_and_read_from_matches_the_stream():
    rng = random.Random(7)
    stream = bytearray()
    b = Backlog(64, 1)
    for _ in range(200):
        chunk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
        b.append(chunk)
        stream += chunk
        end = len(stream) + 1
        first = b.real_first_offset()
        assert first == max(1, end - 64)
        for off in (first, (first + end) // 2, end):
            assert b.covers(off)
            assert b.read_from(off) == bytes(stream[off - 1:])
        assert not b.covers(end + 1)
        if first > 1:
            assert not b.covers(first - 1)
