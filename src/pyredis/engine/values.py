"""The value types of the keyspace and their Redis names.

- string:     ``bytes``
- list:       ``ListValue`` (a ``collections.deque`` of bytes)
- hash:       ``dict`` of bytes → bytes
- set:        ``set`` of bytes
- sorted set: ``engine.zset.ZSet``

Commands test a value's type with ``type(value) is <class>`` (fast, exact). An emptied
collection is always deleted from the keyspace, as Redis does.
"""

from collections import deque


class ListValue(deque):
    """A Redis list. deque gives O(1) pushes and pops at both ends."""

    __slots__ = ()


TYPE_NAMES: dict[type, bytes] = {bytes: b"string", ListValue: b"list", dict: b"hash", set: b"set"}


def register_type(cls: type, name: bytes) -> None:
    TYPE_NAMES[cls] = name


def type_name(value: object) -> bytes:
    return TYPE_NAMES.get(type(value), b"none")
