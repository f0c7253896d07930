"""Persistence commands: SAVE, BGSAVE, LASTSAVE, DUMP, RESTORE, and DEBUG RELOAD.

The snapshot machinery (fork, save points, loading) lives in ``persistence.snapshot`` as
``node.rdb``; the byte format in ``persistence.rdb``. These handlers only parse arguments, pick
Redis's reply or error, and call into them. DUMP and RESTORE use the same value codec as the
RDB file, so a payload from a real Redis 7.0 restores here and ours restores there.
"""

from ..config import NOTIFY_GENERIC
from ..persistence import rdb
from ..protocol import resp
from ..protocol.errors import SYNTAX_ERR, CommandError
from .dispatch import touch_all_watched
from .notify import notify
from .registry import command
from .server import debug_subcommand
from .strings import ll_arg

BGSAVE_IN_PROGRESS_ERR = b"ERR Background save already in progress"
OTHER_CHILD_ERR = (b"ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
                   b"order to schedule a BGSAVE whenever possible.")
BUSYKEY_ERR = b"BUSYKEY Target key name already exists."
BAD_PAYLOAD_ERR = b"ERR DUMP payload version or checksum are wrong"
BAD_DATA_ERR = b"ERR Bad data format"
INVALID_TTL_ERR = b"ERR Invalid TTL value, must be >= 0"
INVALID_IDLETIME_ERR = b"ERR Invalid IDLETIME value, must be >= 0"
INVALID_FREQ_ERR = b"ERR Invalid FREQ value, must be >= 0 and <= 255"
SAVE_FAILED_ERR = b"ERR"
RELOAD_OPTIONS_ERR = b"ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
RELOAD_FAILED_ERR = b"ERR Error trying to load the RDB dump"


@command("save", 1, "admin noscript no_async_loading no_multi", group="server",
         summary="Synchronously save the dataset to disk", since="1.0.0", complexity="O(N) where N is the total number of keys in all databases")
def save(client, argv: list[bytes]) -> bytes:
    snapshots = client.node.rdb
    if snapshots.child_pid > 0 and snapshots.child_type == "rdb":
        raise CommandError(BGSAVE_IN_PROGRESS_ERR)
    if not snapshots.save():
        raise CommandError(SAVE_FAILED_ERR)
    return resp.OK


@command("bgsave", -1, "admin noscript no_async_loading", group="server",
         summary="Asynchronously save the dataset to disk", since="1.0.0", complexity="O(1)")
def bgsave(client, argv: list[bytes]) -> bytes:
    schedule = False
    if len(argv) > 1:
        if len(argv) == 2 and argv[1].lower() == b"schedule":
            schedule = True
        else:
            raise CommandError(SYNTAX_ERR)
    node = client.node
    snapshots = node.rdb
    if snapshots.child_pid > 0:
        if snapshots.child_type == "rdb":
            raise CommandError(BGSAVE_IN_PROGRESS_ERR)
        if not schedule:
            raise CommandError(OTHER_CHILD_ERR)
        snapshots.scheduled = True
        return resp.simple(b"Background saving scheduled")
    if node.in_transaction:
        # a fork inside EXEC is deferred to the cron, as Redis does for MULTI/EXEC
        snapshots.scheduled = True
        return resp.simple(b"Background saving scheduled")
    if not snapshots.bgsave():
        raise CommandError(SAVE_FAILED_ERR)
    return resp.simple(b"Background saving started")


@command("lastsave", 1, "loading stale fast", group="server", categories="@admin @dangerous",
         summary="Get the UNIX time stamp of the last successful save to disk", since="1.0.0",
         complexity="O(1)", tips="nondeterministic_output")
def lastsave(client, argv: list[bytes]) -> bytes:
    return resp.integer(client.node.rdb.lastsave)


@command("dump", 2, "readonly", 1, 1, 1, group="generic", categories="@keyspace",
         summary="Return a serialized version of the value stored at the specified key.", since="2.6.0",
         complexity="O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis "
                    "objects composing the value and M their average size. For small string values the time "
                    "complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
         tips="nondeterministic_output")
def dump(client, argv: list[bytes]) -> bytes:
    value = client.db.lookup(argv[1])
    if value is None:
        return resp.null(client.resp)
    try:
        payload = rdb.dump_payload(value, compress=bool(client.node.config["rdbcompression"]))
    except rdb.RDBError as exc:
        raise CommandError(b"ERR " + str(exc).encode()) from None
    return resp.bulk(payload)


@command("restore", -4, "write denyoom", 1, 1, 1, group="generic", categories="@keyspace @dangerous",
         summary="Create a key using the provided serialized value, previously obtained using DUMP.",
         since="2.6.0",
         complexity="O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N "
                    "is the number of Redis objects composing the value and M their average size. For small string "
                    "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for "
                    "sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is "
                    "O(log(N)).",
         key_specs=({"flags": "OW update", "bs": ("index", 1), "fk": ("range", 0, 1, 0)},))
def restore(client, argv: list[bytes]) -> bytes:
    replace = absttl = False
    idle = freq = -1
    j = 4
    n = len(argv)
    while j < n:
        opt = argv[j].lower()
        more = n - j - 1
        if opt == b"replace":
            replace = True
        elif opt == b"absttl":
            absttl = True
        elif opt == b"idletime" and more >= 1 and freq == -1:
            idle = ll_arg(argv[j + 1])
            if idle < 0:
                raise CommandError(INVALID_IDLETIME_ERR)
            j += 1
        elif opt == b"freq" and more >= 1 and idle == -1:
            freq = ll_arg(argv[j + 1])
            if not 0 <= freq <= 255:
                raise CommandError(INVALID_FREQ_ERR)
            j += 1
        else:
            raise CommandError(SYNTAX_ERR)
        j += 1
    db = client.db
    key = argv[1]
    if not replace and db.lookup(key) is not None:
        raise CommandError(BUSYKEY_ERR)
    ttl = ll_arg(argv[2])
    if ttl < 0:
        raise CommandError(INVALID_TTL_ERR)
    node = client.node
    payload = argv[3]
    if not rdb.check_payload(payload):
        raise CommandError(BAD_PAYLOAD_ERR)
    try:
        value = rdb.load_payload(payload)
    except rdb.RDBError:
        raise CommandError(BAD_DATA_ERR) from None
    deleted = db.delete(key) if replace else False
    now = db.keyspace.now_ms
    if ttl and not absttl:
        ttl += now
    if ttl and ttl <= now and not node.is_replica and not node.loading:
        if deleted:
            client.propagate = [[b"DEL", key]]
            if node.notify_flags:
                notify(node, NOTIFY_GENERIC, b"del", key, db.id)
        return resp.OK
    db.add(key, value)
    if ttl:
        db.set_expire(key, ttl)
        if not absttl:   # replicas and the AOF get the absolute deadline
            client.propagate = [[b"RESTORE", key, b"%d" % ttl, *argv[3:], b"ABSTTL"]]
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"restore", key, db.id)
    return resp.OK


@debug_subcommand("reload", -2)
def debug_reload(client, argv: list[bytes]) -> bytes:
    """DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset, load the file back."""
    merge = False
    flush = save_first = True
    for opt in argv[2:]:
        low = opt.lower()
        if low == b"merge":
            merge = True
        elif low == b"noflush":
            flush = False
        elif low == b"nosave":
            save_first = False
        else:
            raise CommandError(RELOAD_OPTIONS_ERR)
    node = client.node
    snapshots = node.rdb
    if save_first and not snapshots.save():
        raise CommandError(SAVE_FAILED_ERR)
    if flush:
        for db in node.keyspace.dbs:
            touch_all_watched(db)
            db.clear()
    try:
        loaded = snapshots.load_file(snapshots.filename, replace_existing=merge)
    except snapshots.LoadError:
        loaded = False
    if not loaded:
        raise CommandError(RELOAD_FAILED_ERR)
    node.log.warning("DB reloaded by DEBUG RELOAD")
    return resp.OK
