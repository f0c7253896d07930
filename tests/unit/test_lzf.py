"""LZF as Redis uses it for RDB strings: round trips, format limits, and corrupt input."""

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyredis.persistence import lzf


@pytest.mark.parametrize("data", [
    b"a" * 100,
    b"abc" * 500,
    b"hello world " * 1000,
    bytes(range(256)) * 40,
    b"x" * 20000,           # back references past the 8 KB window
])
def test_round_trip_of_compressible_data(data):
    packed = lzf.compress(data)
    assert packed is not None and len(packed) < len(data)
    assert lzf.decompress(packed, len(data)) == data


def test_random_bytes_do_not_compress():
    assert lzf.compress(os.urandom(200)) is None


def test_max_out_limit_gives_up():
    data = b"abcd" * 10
    packed = lzf.compress(data)
    assert packed is not None
    assert lzf.compress(data, len(packed) - 1) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b"ab", b"xyz", b"\x00", b"\xff" * 3]), max_size=400))
def test_round_trip_of_generated_data(parts):
    data = b"".join(parts)
    packed = lzf.compress(data, len(data) + 64)
    if packed is not None:
        assert lzf.decompress(packed, len(data)) == data


def test_decompress_known_stream():
    # literal "ab" then a back reference of 6 bytes at distance 2: "abababab"
    stream = bytes([1]) + b"ab" + bytes([(4 << 5) | 0, 1])
    assert lzf.decompress(stream, 8) == b"abababab"


@pytest.mark.parametrize("stream, length", [
    (bytes([5]) + b"ab", 6),                  # literal run past the end
    (bytes([(1 << 5), 10]), 3),               # reference before the start
    (bytes([0]) + b"a", 5),                   # shorter than announced
    (bytes([0]) + b"a" + bytes([0xE0]), 50),  # truncated long reference
])
def test_corrupt_streams_raise_lzf_error(stream, length):
    with pytest.raises(lzf.LZFError):
        lzf.decompress(stream, length)


def test_random_garbage_never_raises_anything_else():
    rng = random.Random(7)
    for _ in range(500):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        try:
            lzf.decompress(blob, rng.randrange(0, 200))
        except lzf.LZFError:
            pass
