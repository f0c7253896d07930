"""Keyspace notifications: ``__keyspace@<db>__:<key>`` and ``__keyevent@<db>__:<event>``.

Handlers call ``notify(node, NOTIFY_<class>, event, key, dbid)`` after a change, with the event
names Redis uses. The rules are those of Redis's ``notifyKeyspaceEvent``:
- an event is published only when its class bit is enabled in notify-keyspace-events. The 'A'
  alias covers the classes g$lshzxetd but not 'm' (key-miss) and 'n' (new key), which are sent
  only when named explicitly;
- 'K' publishes ``<event>`` on ``__keyspace@<db>__:<key>``, 'E' publishes ``<key>`` on
  ``__keyevent@<db>__:<event>``; a class with neither K nor E sends nothing.
It costs one integer test when notify-keyspace-events is empty (the default).
"""

from ..config import NOTIFY_KEYEVENT, NOTIFY_KEYSPACE
from .pubsub import publish


def notify(node, kind: int, event: bytes, key: bytes, dbid: int) -> None:
    flags = node.notify_flags
    if not flags & kind:
        return
    if flags & NOTIFY_KEYSPACE:
        publish(node, b"__keyspace@%d__:%s" % (dbid, key), event)
    if flags & NOTIFY_KEYEVENT:
        publish(node, b"__keyevent@%d__:%s" % (dbid, event), key)
