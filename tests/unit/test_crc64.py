"""CRC-64/Jones as Redis computes it (crc64.c): check value, incremental use, both implementations."""

import os

from pyredis.persistence.crc64 import CHECK_VALUE, crc64, crc64_py


def test_check_value_of_123456789():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA == CHECK_VALUE
    assert crc64_py(b"123456789") == CHECK_VALUE


def test_empty_input_is_zero():
    assert crc64(b"") == 0


def test_incremental_equals_whole_at_every_split():
    data = os.urandom(100)
    whole = crc64_py(data)
    for i in range(len(data) + 1):
        assert crc64_py(data[i:], crc64_py(data[:i])) == whole


def test_word_path_matches_byte_path():
    from pyredis.persistence.crc64 import _crc64_bytes
    for n in (7, 8, 9, 63, 64, 65, 1000):
        data = os.urandom(n)
        assert crc64_py(data) == _crc64_bytes(data, 0)


def test_accepts_memoryview_and_bytearray():
    data = bytearray(b"123456789")
    assert crc64(memoryview(data)) == CHECK_VALUE
    assert crc64(data) == CHECK_VALUE
