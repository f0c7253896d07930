"""Generic keyspace commands (DEL, FLUSHALL, ...)."""

from ..protocol import resp
from ..protocol.errors import SYNTAX_ERR, CommandError
from .dispatch import touch_all_watched
from .registry import command


@command("del", -2, "write", 1, -1, 1, group="generic", categories="@keyspace", summary="Delete a key")
def del_(client, argv: list[bytes]) -> bytes:
    db = client.db
    return resp.integer(sum(1 for key in argv[1:] if db.delete(key)))


def _flush_mode(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"async", b"sync")):
        raise CommandError(SYNTAX_ERR)


@command("flushdb", -1, "write", group="server", categories="@keyspace @dangerous",
         summary="Remove all keys from the current database")
def flushdb(client, argv: list[bytes]) -> bytes:
    _flush_mode(argv)
    db = client.db
    touch_all_watched(db)
    db.clear()
    db.keyspace.dirty += 1
    return resp.OK


@command("flushall", -1, "write", group="server", categories="@keyspace @dangerous",
         summary="Remove all keys from all databases")
def flushall(client, argv: list[bytes]) -> bytes:
    _flush_mode(argv)
    keyspace = client.node.keyspace
    for db in keyspace.dbs:
        touch_all_watched(db)
        db.clear()
    keyspace.dirty += 1
    return resp.OK


@command("dbsize", 1, "readonly fast", group="server", categories="@keyspace",
         summary="Return the number of keys in the selected database")
def dbsize(client, argv: list[bytes]) -> bytes:
    return resp.integer(len(client.db.data))
