"""The value types of the keyspace, their Redis names, encodings and approximate sizes.

- string:     ``bytes``
- list:       ``ListValue`` (a ``collections.deque`` of bytes)
- hash:       ``dict`` of bytes → bytes
- set:        ``set`` of bytes
- sorted set: ``engine.zset.ZSet`` (registered by that module; its ``scores`` dict maps member → score)

Commands test a value's type with ``type(value) is <class>`` (fast, exact). An emptied
collection is always deleted from the keyspace, as Redis does.

``encoding`` answers OBJECT ENCODING with the name Redis 7.0 would use for the same content,
from the same directives and thresholds. Redis converts one way only (a set that once held a
non-integer stays a hashtable), while we derive the name from the current content, so a value
that shrank back under a threshold reports the compact encoding where Redis would not; and a
string modified by APPEND/SETRANGE reports embstr/int where Redis says raw.

``approx_size`` is the O(1) estimate of a collection's memory that the keyspace charges for it
(see ``engine.keyspace``): the container's own table plus, per element, a bytes object of the
length of one sampled element.
"""

from collections import deque
from sys import getsizeof

from ..protocol.parser import string2ll as as_int64  # one string2ll for the whole project


class ListValue(deque):
    """A Redis list. deque gives O(1) pushes and pops at both ends."""

    __slots__ = ()


TYPE_NAMES: dict[type, bytes] = {bytes: b"string", ListValue: b"list", dict: b"hash", set: b"set"}

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
EMBSTR_SIZE_LIMIT = 44
SHARED_INTEGERS = 10000
SHARED_REFCOUNT = 2147483647


def register_type(cls: type, name: bytes) -> None:
    TYPE_NAMES[cls] = name


def type_name(value: object) -> bytes:
    return TYPE_NAMES.get(type(value), b"none")


def encoding(value: object, config) -> bytes:
    """OBJECT ENCODING's answer for ``value`` under ``config`` (anything indexable by directive)."""
    t = type(value)
    if t is bytes:
        if as_int64(value) is not None:  # type: ignore[arg-type]
            return b"int"
        return b"embstr" if len(value) <= EMBSTR_SIZE_LIMIT else b"raw"  # type: ignore[arg-type]
    if t is ListValue:
        return b"quicklist"      # Redis 7.0 keeps every list in a quicklist (listpack lists are 7.2)
    if t is set:
        if len(value) > int(config["set-max-intset-entries"]):  # type: ignore[arg-type]
            return b"hashtable"
        return b"intset" if all(as_int64(m) is not None for m in value) else b"hashtable"  # type: ignore[attr-defined]
    if t is dict:
        if len(value) > int(config["hash-max-listpack-entries"]):  # type: ignore[arg-type]
            return b"hashtable"
        limit = int(config["hash-max-listpack-value"])
        for f, v in value.items():  # type: ignore[attr-defined]
            if len(f) > limit or len(v) > limit:
                return b"hashtable"
        return b"listpack"
    name = TYPE_NAMES.get(t)
    if name == b"zset":
        scores = value.scores  # type: ignore[attr-defined]
        if len(scores) > int(config["zset-max-listpack-entries"]):
            return b"skiplist"
        limit = int(config["zset-max-listpack-value"])
        return b"skiplist" if any(len(m) > limit for m in scores) else b"listpack"
    if name == b"stream":
        return b"stream"
    return b"unknown"


def approx_size(value: object) -> int:
    """Estimated bytes held by a value, in O(1) (strings: the keyspace's own formula)."""
    t = type(value)
    if t is bytes:
        return len(value) + 64  # type: ignore[arg-type]
    if t is dict:
        n = len(value)  # type: ignore[arg-type]
        if not n:
            return 96 + getsizeof(value)
        f, v = next(iter(value.items()))  # type: ignore[attr-defined]
        return 96 + getsizeof(value) + n * (len(f) + len(v) + 96)
    if t is set or t is ListValue:
        n = len(value)  # type: ignore[arg-type]
        if not n:
            return 96 + getsizeof(value)
        m = value[0] if t is ListValue else next(iter(value))  # type: ignore[index]
        return 96 + getsizeof(value) + n * (len(m) + (48 if t is ListValue else 56))
    scores = getattr(value, "scores", None)
    if scores is not None:
        n = len(scores)
        if not n:
            return 96
        m = next(iter(scores))
        return 96 + getsizeof(scores) + n * (len(m) + 160)
    return 96 + getsizeof(value)
