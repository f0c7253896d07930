"""Keyspace notifications: ``__keyspace@<db>__:<key>`` and ``__keyevent@<db>__:<event>``.

Handlers call ``notify(node, NOTIFY_<class>, event, key, dbid)`` after a change; it costs one
integer test when notify-keyspace-events is empty (the default).
"""

from ..config import NOTIFY_KEY_MISS, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE


def notify(node, kind: int, event: bytes, key: bytes, dbid: int) -> None:
    flags = node.notify_flags
    if not flags & kind:
        return
    from .pubsub import publish  # noqa: PLC0415 (pubsub imports this module's users)
    if flags & NOTIFY_KEYSPACE and not (kind == NOTIFY_KEY_MISS and not flags & NOTIFY_KEY_MISS):
        publish(node, b"__keyspace@%d__:%s" % (dbid, key), event)
    if flags & NOTIFY_KEYEVENT:
        publish(node, b"__keyevent@%d__:%s" % (dbid, event), key)
