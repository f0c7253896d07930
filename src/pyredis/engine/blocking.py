"""The blocking-key registry: which clients wait on which keys, and which keys became ready.

Pure bookkeeping, no I/O and no timers (``node/blocking.py`` drives it). The state lives on the
databases so that it follows Redis's ``db->blocking_keys`` / ``db->ready_keys``:

- ``Database.blocked[key]`` is the list of clients waiting on ``key``, in arrival order: the first
  client that blocked is the first served, which is Redis's fairness rule;
- ``Database.ready_keys`` holds the keys signalled since the last serving pass, and the node keeps
  the same ``(db, key)`` pairs in signal order in a plain list, so the dispatcher's hot-path test is
  one truthiness check of that list.

A key is signalled when a command creates or grows a value that a waiter may consume (a push, a
value stored at the key by RENAME/RESTORE/SORT STORE/ZADD...). Signalling a key nobody waits on
costs one dict look-up; signalling a key whose value cannot serve anyone is harmless (the serving
pass re-checks the value).
"""

from collections.abc import Callable


class Blocked:
    """What a blocked client waits for: its keys in ``db``, a deadline, and how to serve it.

    ``serve(client, db, key) -> bytes | None`` runs when ``key`` was signalled: it performs the
    command's effect (pop, move...) and returns the reply, or None when ``key`` holds nothing this
    client can take (it stays blocked). It may raise ``CommandError`` (reply with the error and
    unblock, as BLMOVE does when the destination has the wrong type). ``timeout_reply(resp)`` gives
    the reply when the deadline passes or CLIENT UNBLOCK ... TIMEOUT is used.
    """

    __slots__ = ("db", "keys", "serve", "timeout_reply", "deadline_ms", "timer", "argv")

    def __init__(self, db, keys: list[bytes], serve: Callable, timeout_reply: Callable[[int], bytes],
                 deadline_ms: int, argv: list[bytes]) -> None:
        self.db = db
        self.keys = keys
        self.serve = serve
        self.timeout_reply = timeout_reply
        self.deadline_ms = deadline_ms      # 0: wait forever
        self.timer = None                   # the node's timer handle, cancelled on unblock
        self.argv = argv


def register(db, client, keys: list[bytes]) -> None:
    """Queue ``client`` behind the clients already waiting on each of ``keys``."""
    blocked = db.blocked
    for key in keys:
        waiters = blocked.get(key)
        if waiters is None:
            blocked[key] = [client]
        else:
            waiters.append(client)


def unregister(db, client, keys: list[bytes]) -> None:
    blocked = db.blocked
    for key in keys:
        waiters = blocked.get(key)
        if waiters is None:
            continue
        try:
            waiters.remove(client)
        except ValueError:
            pass
        if not waiters:
            del blocked[key]
            db.ready_keys.discard(key)


def signal_key(ready: list, db, key: bytes) -> None:
    """Mark ``key`` ready if a client waits on it (Redis's ``signalKeyAsReady``). ``ready`` is
    the node's list of ``(db, key)`` pairs that the next serving pass drains."""
    if key in db.blocked and key not in db.ready_keys:
        db.ready_keys.add(key)
        ready.append((db, key))


def signal_existing(ready: list, db) -> None:
    """Signal every waited-on key that holds a value (after SWAPDB / a load: Redis's
    ``scanDatabaseForReadyKeys``)."""
    data = db.data
    for key in list(db.blocked):
        if key in data:
            signal_key(ready, db, key)


def dedupe_keys(keys: list[bytes]) -> list[bytes]:
    """The keys in order without repeats (``BLPOP k k 0`` waits on ``k`` once)."""
    if len(keys) == 1:
        return keys
    return list(dict.fromkeys(keys))
