"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.

The queue itself lives in the dispatcher: while ``client.multi`` is a list, ``dispatch._checks``
appends every command except EXEC/DISCARD/MULTI/WATCH/QUIT/RESET to it and answers QUEUED; a
command rejected while queueing (unknown, wrong arity, OOM...) sets ``client.multi_error`` and EXEC
then answers EXECABORT. ``dispatch.exec_transaction`` runs the queue back to back, inside
``node.begin_transaction``/``end_transaction`` so replicas and the AOF get it as MULTI ... EXEC.

WATCH (optimistic locking): a watched key is recorded twice, ``(db, key)`` in ``client.watched``
and the client in ``db.watched[key]``; any change to the key sets ``client.dirty_cas`` (see
``dispatch.touch_watched``) and EXEC then answers a null array. Redis 7.0's expiry rules:
- a key that was not expired when WATCHed and has expired by EXEC time aborts the transaction,
  whether or not it was removed yet (``isWatchedKeyExpired``);
- a key already expired (but not yet removed) when WATCHed is remembered in
  ``client.watched_expired``: removing it (lazy or active expiry, DEL, FLUSHDB) is no logical
  change, while writing a new value to it is.
"""

from ..protocol import resp
from ..protocol.errors import (
    DISCARD_WITHOUT_MULTI_ERR,
    EXEC_WITHOUT_MULTI_ERR,
    NESTED_MULTI_ERR,
    WATCH_IN_MULTI_ERR,
    CommandError,
)
from .dispatch import exec_transaction, is_stale, unwatch_all
from .registry import command


@command("multi", 1, "noscript loading stale fast allow_busy", group="transactions", categories="@transaction",
         summary="Mark the start of a transaction block", since="1.2.0", complexity="O(1)")
def multi(client, argv: list[bytes]) -> bytes:
    if client.multi is not None:
        raise CommandError(NESTED_MULTI_ERR)
    client.multi = []
    client.multi_error = False
    client.guard_update()
    return resp.OK


@command("exec", 1, "noscript loading stale skip_slowlog", group="transactions", categories="@transaction",
         summary="Execute all commands issued after MULTI", since="1.2.0",
         complexity="Depends on commands in the transaction")
def exec_(client, argv: list[bytes]) -> bytes:
    if client.multi is None:
        raise CommandError(EXEC_WITHOUT_MULTI_ERR)
    if client.watched and not client.dirty_cas and watched_key_expired(client):
        client.dirty_cas = True
    return exec_transaction(client)


@command("discard", 1, "noscript loading stale fast allow_busy", group="transactions", categories="@transaction",
         summary="Discard all commands issued after MULTI", since="2.0.0",
         complexity="O(N), when N is the number of queued commands")
def discard(client, argv: list[bytes]) -> bytes:
    if client.multi is None:
        raise CommandError(DISCARD_WITHOUT_MULTI_ERR)
    client.multi = None
    client.multi_error = False
    unwatch_all(client)
    client.guard_update()
    return resp.OK


@command("watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, group="transactions",
         categories="@transaction", summary="Watch the given keys to determine execution of the MULTI/EXEC block",
         since="2.2.0", complexity="O(1) for every key.")
def watch(client, argv: list[bytes]) -> bytes:
    if client.multi is not None:
        raise CommandError(WATCH_IN_MULTI_ERR)
    if client.dirty_cas:
        return resp.OK   # the next EXEC fails anyway
    db = client.db
    for key in argv[1:]:
        watch_key(client, db, key)
    return resp.OK


@command("unwatch", 1, "noscript loading stale fast allow_busy", group="transactions", categories="@transaction",
         summary="Forget about all watched keys", since="2.2.0", complexity="O(1)")
def unwatch(client, argv: list[bytes]) -> bytes:
    unwatch_all(client)
    return resp.OK


def watch_key(client, db, key: bytes) -> None:
    """Start watching ``key`` in ``db`` (a key watched twice is recorded once)."""
    clients = db.watched.get(key)
    if clients is None:
        db.watched[key] = {client}
    elif client in clients:
        return
    else:
        clients.add(client)
    client.watched.append((db, key))
    if key in db.data and is_stale(db, key):
        client.watched_expired.add((db, key))


def watched_key_expired(client) -> bool:
    """A key that was alive when WATCHed has logically expired since (Redis 7.0 aborts EXEC)."""
    already = client.watched_expired
    for db, key in client.watched:
        if is_stale(db, key) and (db, key) not in already:
            return True
    return False
