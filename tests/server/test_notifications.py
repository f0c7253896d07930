"""Keyspace notifications: the rules of ``notify`` checked on a stand-in node (classes, the 'A'
alias, K/E channels), then end to end with a subscriber on a server started with
``--notify-keyspace-events KEA``."""

import pytest

from pyredis.commands.notify import notify
from pyredis.config import (
    NOTIFY_EXPIRED,
    NOTIFY_GENERIC,
    NOTIFY_KEY_MISS,
    NOTIFY_NEW,
    NOTIFY_STRING,
    notify_string_to_flags,
)

from ..compat.harness import RawClient
from ..support import ServerProcess


class _Subscriber:
    resp = 3

    def __init__(self) -> None:
        self.pushed: list[bytes] = []

    def push(self, data: bytes) -> None:
        self.pushed.append(data)


class _Node:
    def __init__(self, classes: str) -> None:
        self.notify_flags = notify_string_to_flags(classes)
        self.sub = _Subscriber()
        self.channels: dict = {}
        self.patterns = {b"*": {self.sub}}


def _published(classes: str, kind: int, event: bytes = b"set", key: bytes = b"k", dbid: int = 0) -> list[bytes]:
    node = _Node(classes)
    notify(node, kind, event, key, dbid)
    return node.sub.pushed


def _pmessage(channel: bytes, data: bytes) -> bytes:
    parts = [b"pmessage", b"*", channel, data]
    return b">4\r\n" + b"".join(b"$%d\r\n%b\r\n" % (len(p), p) for p in parts)


def test_disabled_class_publishes_nothing():
    assert _published("Kg", NOTIFY_STRING) == []


def test_keyspace_channel_carries_the_event():
    assert _published("K$", NOTIFY_STRING, b"set", b"k", 3) == [_pmessage(b"__keyspace@3__:k", b"set")]


def test_keyevent_channel_carries_the_key():
    assert _published("E$", NOTIFY_STRING, b"set", b"k", 0) == [_pmessage(b"__keyevent@0__:set", b"k")]


def test_class_without_K_or_E_publishes_nothing():
    assert _published("A", NOTIFY_GENERIC) == []


def test_A_alias_does_not_include_key_miss_or_new():
    assert _published("KEA", NOTIFY_KEY_MISS, b"keymiss") == []
    assert _published("KEA", NOTIFY_NEW, b"new") == []
    assert _published("KA", NOTIFY_EXPIRED, b"expired") == [_pmessage(b"__keyspace@0__:k", b"expired")]


def test_key_miss_and_new_are_sent_when_named():
    assert _published("Km", NOTIFY_KEY_MISS, b"keymiss") == [_pmessage(b"__keyspace@0__:k", b"keymiss")]
    assert _published("En", NOTIFY_NEW, b"new") == [_pmessage(b"__keyevent@0__:new", b"k")]


# ----- end to end

@pytest.fixture(scope="module")
def kea_server():
    proc = ServerProcess(["--notify-keyspace-events", "KEA"]).start()
    yield proc
    proc.cleanup()


@pytest.fixture
def events(kea_server):
    """A RESP2 subscriber to every keyspace and keyevent channel, on a flushed server."""
    admin = kea_server.client()
    admin.flushall()
    sub = RawClient(kea_server.port)
    assert sub.call("PSUBSCRIBE", "__key*__:*").endswith(b":1\r\n")
    yield sub, admin
    sub.close()
    admin.close()


def _next_event(sub: RawClient) -> tuple[bytes, bytes]:
    reply = sub.read_reply()
    parts = reply.split(b"\r\n")
    assert parts[2] == b"pmessage", reply
    return parts[6], parts[8]


def test_set_publishes_keyspace_and_keyevent(events):
    sub, admin = events
    admin.set("k1", "v")
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"set")
    assert _next_event(sub) == (b"__keyevent@0__:set", b"k1")


def test_del_publishes_del(events):
    sub, admin = events
    admin.set("k1", "v")
    _next_event(sub)
    _next_event(sub)
    admin.delete("k1")
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"del")
    assert _next_event(sub) == (b"__keyevent@0__:del", b"k1")


def test_expire_publishes_expire(events):
    sub, admin = events
    admin.set("k1", "v")
    _next_event(sub)
    _next_event(sub)
    admin.expire("k1", 100)
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"expire")
    assert _next_event(sub) == (b"__keyevent@0__:expire", b"k1")


def test_expired_key_publishes_expired(events):
    sub, admin = events
    admin.set("k1", "v", px=50)
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"set")
    assert _next_event(sub) == (b"__keyevent@0__:set", b"k1")
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"expire")
    assert _next_event(sub) == (b"__keyevent@0__:expire", b"k1")
    # no read of the key: the server's expiry cycle finds it (read_reply waits with a 10 s bound)
    assert _next_event(sub) == (b"__keyspace@0__:k1", b"expired")
    assert _next_event(sub) == (b"__keyevent@0__:expired", b"k1")


def test_selected_database_is_in_the_channel(events):
    sub, admin = events
    admin.execute_command("SELECT", 5)
    admin.set("k5", "v")
    assert _next_event(sub) == (b"__keyspace@5__:k5", b"set")
    admin.execute_command("SELECT", 0)


def test_key_miss_is_not_sent_under_A(events):
    sub, admin = events
    assert admin.get("missing") is None
    admin.set("marker", "v")
    assert _next_event(sub) == (b"__keyspace@0__:marker", b"set")
