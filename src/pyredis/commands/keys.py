"""Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME(NX), COPY, MOVE, SWAPDB,
FLUSHDB/FLUSHALL, DBSIZE, KEYS, SCAN, RANDOMKEY, OBJECT, and the expiry family (EXPIRE, PEXPIRE,
EXPIREAT, PEXPIREAT with NX/XX/GT/LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST).

Each handler follows its Redis 7.0 counterpart in ``db.c``/``expire.c``/``object.c`` step by step,
so replies, error texts and the order in which errors are detected match. Commands Redis looks
up with LOOKUP_NOTOUCH (TYPE, EXISTS, TTL, OBJECT...) read with ``db.peek`` so they do not count
as accesses for LRU/LFU. Expiry is propagated as PEXPIREAT with the absolute time (options kept),
or as DEL/UNLINK when the time is already past, as ``expireGenericCommand`` does.
"""

from ..config import NOTIFY_GENERIC
from ..engine import blocking
from ..engine.glob import compile_pattern
from ..engine.keyspace import TRACK_LFU, TRACK_LRU
from ..engine.values import SHARED_INTEGERS, SHARED_REFCOUNT, ListValue, as_int64, encoding, type_name
from ..protocol import resp
from ..protocol.errors import (
    DB_INDEX_ERR,
    INVALID_EXPIRE_ERR_FMT,
    NO_SUCH_KEY_ERR,
    NOT_INTEGER_ERR,
    SYNTAX_ERR,
    CommandError,
)
from .dispatch import touch_all_watched, touch_watched
from .notify import notify
from .registry import TABLE, command, container, subcommand

SAME_OBJECT_ERR = b"ERR source and destination objects are the same"
INVALID_CURSOR_ERR = b"ERR invalid cursor"
NX_XX_GT_LT_ERR = b"ERR NX and XX, GT or LT options at the same time are not compatible"
GT_LT_ERR = b"ERR GT and LT options at the same time are not compatible"
NO_LFU_ERR = (b"ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
              b"when switching between policies at runtime LRU and LFU data will take some time to adjust.")
NO_LRU_ERR = (b"ERR An LRU maxmemory policy is not selected, access time not tracked. Please note that "
              b"when switching between policies at runtime LRU and LFU data will take some time to adjust.")
LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
INT_MIN = -(1 << 31)
INT_MAX = (1 << 31) - 1
INT_RANGE_ERR = b"ERR value is out of range, value must between -2147483648 and 2147483647"


def _int(arg: bytes, lo: int = LLONG_MIN, hi: int = LLONG_MAX, err: bytes = NOT_INTEGER_ERR) -> int:
    """Redis's string2ll (getLongLongFromObject / getIntFromObject for a 32-bit range)."""
    value = as_int64(arg)
    if value is None or not lo <= value <= hi:
        raise CommandError(err)
    return value


def _int32(arg: bytes, err: bytes | None = None) -> int:
    """Redis's getIntFromObjectOrReply: its own message for a 64-bit value outside 32 bits."""
    value = as_int64(arg)
    if value is None:
        raise CommandError(err or NOT_INTEGER_ERR)
    if not INT_MIN <= value <= INT_MAX:
        raise CommandError(err or INT_RANGE_ERR)
    return value


def _signal(client, db, key: bytes) -> None:
    ready = getattr(client.node, "ready_keys", None)
    if ready is not None and db.blocked:
        blocking.signal_key(ready, db, key)


def _db_index(client, arg: bytes):
    index = _int32(arg)
    dbs = client.node.keyspace.dbs
    if not 0 <= index < len(dbs):
        raise CommandError(DB_INDEX_ERR)
    return dbs[index]


# ----- deletion and existence
@command("del", -2, "write", 1, -1, 1, group="generic", categories="@keyspace", summary="Delete a key",
         complexity="O(N) where N is the number of keys that will be removed. When a key to remove holds a value "
         "other than a string, the individual complexity for this key is O(M) where M is the number of elements "
         "in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).", tips="request_policy:multi_shard response_policy:agg_sum")
def del_(client, argv: list[bytes]) -> bytes:
    db = client.db
    node = client.node
    deleted = 0
    for key in argv[1:]:
        if db.delete(key):
            deleted += 1
            if node.notify_flags:
                notify(node, NOTIFY_GENERIC, b"del", key, db.id)
    return resp.integer(deleted)


@command("unlink", -2, "write fast", 1, -1, 1, group="generic", categories="@keyspace",
         summary="Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
         since="4.0.0", complexity="O(1) for each key removed regardless of its size. Then the command does O(N) "
         "work in a different thread in order to reclaim memory, where N is the number of allocations the deleted "
         "objects where composed of.", tips="request_policy:multi_shard response_policy:agg_sum")
def unlink(client, argv: list[bytes]) -> bytes:
    return del_(client, argv)


@command("exists", -2, "readonly fast", 1, -1, 1, group="generic", categories="@keyspace",
         summary="Determine if a key exists", complexity="O(N) where N is the number of keys to check.",
         tips="request_policy:multi_shard response_policy:agg_sum")
def exists(client, argv: list[bytes]) -> bytes:
    peek = client.db.peek
    return resp.integer(sum(1 for key in argv[1:] if peek(key) is not None))


@command("touch", -2, "readonly fast", 1, -1, 1, group="generic", categories="@keyspace", since="3.2.1",
         summary="Alters the last access time of a key(s). Returns the number of existing keys specified.",
         complexity="O(N) where N is the number of keys that will be touched.",
         tips="request_policy:multi_shard response_policy:agg_sum")
def touch(client, argv: list[bytes]) -> bytes:
    lookup = client.db.lookup
    return resp.integer(sum(1 for key in argv[1:] if lookup(key) is not None))


@command("type", 2, "readonly fast", 1, 1, 1, group="generic", categories="@keyspace",
         summary="Determine the type stored at key", complexity="O(1)")
def type_(client, argv: list[bytes]) -> bytes:
    value = client.db.peek(argv[1])
    return resp.simple(b"none" if value is None else type_name(value))


# ----- renaming, copying, moving
def _rename(client, argv: list[bytes], nx: bool) -> bytes:
    db = client.db
    src, dst = argv[1], argv[2]
    if db.lookup(src) is None:
        raise CommandError(NO_SUCH_KEY_ERR)
    if src == dst:
        return resp.ZERO if nx else resp.OK
    if db.lookup(dst) is not None:
        if nx:
            return resp.ZERO
    db.rename(src, dst)
    _signal(client, db, dst)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"rename_from", src, db.id)
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"rename_to", dst, db.id)
    return resp.ONE if nx else resp.OK


@command("rename", 3, "write", 1, 2, 1, group="generic", categories="@keyspace", summary="Rename a key",
         complexity="O(1)")
def rename(client, argv: list[bytes]) -> bytes:
    return _rename(client, argv, False)


@command("renamenx", 3, "write fast", 1, 2, 1, group="generic", categories="@keyspace",
         summary="Rename a key, only if the new key does not exist", complexity="O(1)")
def renamenx(client, argv: list[bytes]) -> bytes:
    return _rename(client, argv, True)


def copy_value(value: object) -> object:
    """An independent copy of a value (COPY): strings are immutable and shared."""
    t = type(value)
    if t is bytes:
        return value
    if t is ListValue:
        return ListValue(value)  # type: ignore[call-overload]
    if t is dict or t is set:
        return value.copy()  # type: ignore[attr-defined]
    dup = getattr(value, "copy", None)
    if dup is not None:
        return dup()
    if hasattr(value, "scores") and hasattr(value, "index"):      # engine.zset.ZSet
        new = t()
        new.scores = dict(value.scores)  # type: ignore[attr-defined]
        new.index = value.index.copy()  # type: ignore[attr-defined]
        return new
    raise CommandError(b"ERR COPY is not supported for this type yet")


@command("copy", -3, "write denyoom", 1, 2, 1, group="generic", categories="@keyspace", since="6.2.0",
         summary="Copy a key", complexity="O(N) worst case for collections, where N is the number of nested "
         "items. O(1) for string values.")
def copy(client, argv: list[bytes]) -> bytes:
    src_db = dst_db = client.db
    replace = False
    i = 3
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and i + 1 < n:
            dst_db = _db_index(client, argv[i + 1])
            i += 1
        else:
            raise CommandError(SYNTAX_ERR)
        i += 1
    if client.node.config["cluster-enabled"] and (src_db.id != 0 or dst_db.id != 0):
        raise CommandError(b"ERR Copying to another database is not allowed in cluster mode")
    key, newkey = argv[1], argv[2]
    if src_db is dst_db and key == newkey:
        raise CommandError(SAME_OBJECT_ERR)
    value = src_db.lookup_read(key)     # lookupKeyRead: a keyspace hit or miss
    if value is None:
        return resp.ZERO
    when = src_db.expires.get(key)
    if dst_db.lookup(newkey) is not None:
        if not replace:
            return resp.ZERO
        dst_db.delete(newkey)
    dst_db.add(newkey, copy_value(value))
    if when is not None:
        dst_db.set_expire(newkey, when)
    if dst_db is not src_db and dst_db.watched:
        touch_watched(dst_db, [newkey])
    _signal(client, dst_db, newkey)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_GENERIC, b"copy_to", newkey, dst_db.id)
    return resp.ONE


@command("move", 3, "write fast", 1, 1, 1, group="generic", categories="@keyspace",
         summary="Move a key to another database", complexity="O(1)")
def move(client, argv: list[bytes]) -> bytes:
    node = client.node
    if node.config["cluster-enabled"]:
        raise CommandError(b"ERR MOVE is not allowed in cluster mode")
    src = client.db
    dst = _db_index(client, argv[2])
    if src is dst:
        raise CommandError(SAME_OBJECT_ERR)
    key = argv[1]
    if src.lookup(key) is None or dst.lookup(key) is not None:
        return resp.ZERO
    src.move_to(key, dst)
    if dst.watched:
        touch_watched(dst, [key])
    _signal(client, dst, key)
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"move_from", key, src.id)
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"move_to", key, dst.id)
    return resp.ONE


@command("swapdb", 3, "write fast", group="server", categories="@keyspace @dangerous", since="4.0.0",
         summary="Swaps two Redis databases", complexity="O(N) where N is the count of clients watching or "
         "blocking on keys from both databases.")
def swapdb(client, argv: list[bytes]) -> bytes:
    node = client.node
    if node.config["cluster-enabled"]:
        raise CommandError(b"ERR SWAPDB is not allowed in cluster mode")
    a = _int32(argv[1], b"ERR invalid first DB index")
    b = _int32(argv[2], b"ERR invalid second DB index")
    keyspace = node.keyspace
    if not (0 <= a < len(keyspace) and 0 <= b < len(keyspace)):
        raise CommandError(DB_INDEX_ERR)
    if a != b:
        da, db = keyspace[a], keyspace[b]
        touch_all_watched(da, db)
        touch_all_watched(db, da)
        keyspace.swap(a, b)
        ready = getattr(node, "ready_keys", None)
        if ready is not None:
            blocking.signal_existing(ready, da)
            blocking.signal_existing(ready, db)
    else:
        keyspace.dirty += 1
    return resp.OK


# ----- whole databases
def _flush_mode(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"async", b"sync")):
        raise CommandError(SYNTAX_ERR)


@command("flushdb", -1, "write", group="server", categories="@keyspace @dangerous", since="1.0.0",
         summary="Remove all keys from the current database", complexity="O(N) where N is the number of keys "
         "in the selected database", tips="request_policy:all_shards response_policy:all_succeeded")
def flushdb(client, argv: list[bytes]) -> bytes:
    _flush_mode(argv)
    db = client.db
    touch_all_watched(db)
    db.clear()
    db.keyspace.dirty += 1
    return resp.OK


@command("flushall", -1, "write", group="server", categories="@keyspace @dangerous",
         summary="Remove all keys from all databases", complexity="O(N) where N is the total number of keys "
         "in all databases", tips="request_policy:all_shards response_policy:all_succeeded")
def flushall(client, argv: list[bytes]) -> bytes:
    _flush_mode(argv)
    keyspace = client.node.keyspace
    for db in keyspace.dbs:
        touch_all_watched(db)
        db.clear()
    rdb = getattr(client.node, "rdb", None)
    if rdb is not None:
        rdb.after_flushall()   # kill a stale BGSAVE; with save points, save the empty dataset
    keyspace.dirty += 1        # after the save: FLUSHALL is always propagated
    return resp.OK


@command("dbsize", 1, "readonly fast", group="server", categories="@keyspace",
         summary="Return the number of keys in the selected database", complexity="O(1)",
         tips="request_policy:all_shards response_policy:agg_sum")
def dbsize(client, argv: list[bytes]) -> bytes:
    return resp.integer(len(client.db.data))


# ----- enumeration
@command("keys", 2, "readonly", group="generic", categories="@keyspace @dangerous",
         summary="Find all keys matching the given pattern", complexity="O(N) with N being the number of keys "
         "in the database, under the assumption that the key names in the database and the given pattern have "
         "limited length.", tips="request_policy:all_shards nondeterministic_output_order")
def keys(client, argv: list[bytes]) -> bytes:
    db = client.db
    pattern = argv[1]
    if pattern == b"*":
        found = list(db.data)
    else:
        matcher = compile_pattern(pattern)
        found = [k for k in db.data if matcher(k) is not None]
    if db.expires:
        expires = db.expires
        now = db.keyspace.now_ms
        found = [k for k in found if (w := expires.get(k)) is None or w > now]
    return resp.bulk_array(found)


@command("scan", -2, "readonly", group="generic", categories="@keyspace", since="2.8.0",
         summary="Incrementally iterate the keys space", complexity="O(1) for every call. O(N) for a complete "
         "iteration, including enough command calls for the cursor to return back to 0. N is the number of "
         "elements inside the collection.", tips="nondeterministic_output request_policy:special")
def scan(client, argv: list[bytes]) -> bytes:
    cursor = parse_cursor(argv[1])
    count, matcher, type_filter = parse_scan_options(argv, 2, allow_type=True)
    db = client.db
    cursor, found = db.scan(cursor, count)
    if matcher is not None:
        found = [k for k in found if matcher(k) is not None]
    if type_filter is not None:
        # Redis reads the type through a lookup (LOOKUP_NOTOUCH): a keyspace hit per key that
        # passed MATCH. (Expired keys were dropped by db.scan already, so the misses Redis counts
        # for expired keys matching the pattern are not counted here.)
        peek = db.peek
        found = [k for k in found if type_name(peek(k)).lower() == type_filter]
    return resp.array([resp.bulk(b"%d" % cursor), resp.bulk_array(found)])


def parse_cursor(arg: bytes) -> int:
    """A SCAN-family cursor: an unsigned 64-bit decimal, else Redis's "invalid cursor" error."""
    try:
        value = int(arg)
    except ValueError:
        raise CommandError(INVALID_CURSOR_ERR) from None
    if not arg.strip(b"-+").isdigit() or not LLONG_MIN <= value < (1 << 64):
        raise CommandError(INVALID_CURSOR_ERR)
    return value & 0xFFFFFFFFFFFFFFFF


def parse_scan_options(argv: list[bytes], start: int, allow_type: bool = False):
    """COUNT / MATCH (/ TYPE for SCAN) as ``scanGenericCommand`` parses them:
    returns ``(count, matcher or None, lower-case type name or None)``."""
    count = 10
    matcher = None
    type_filter = None
    i = start
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"count" and i + 1 < n:
            count = _int(argv[i + 1])
            if count < 1:
                raise CommandError(SYNTAX_ERR)
        elif opt == b"match" and i + 1 < n:
            pattern = argv[i + 1]
            matcher = None if pattern == b"*" else compile_pattern(pattern)
        elif opt == b"type" and allow_type and i + 1 < n:
            type_filter = argv[i + 1].lower()
        else:
            raise CommandError(SYNTAX_ERR)
        i += 2
    return count, matcher, type_filter


@command("randomkey", 1, "readonly", group="generic", categories="@keyspace",
         summary="Return a random key from the keyspace", complexity="O(1)",
         tips="request_policy:all_shards nondeterministic_output")
def randomkey(client, argv: list[bytes]) -> bytes:
    db = client.db
    keyspace = db.keyspace
    rng = keyspace.rng
    tries = 0
    while db.data:
        keys = db.sample_keys(1, rng)
        if not keys:
            continue
        key = keys[0]
        when = db.expires.get(key)
        if when is not None and when <= keyspace.now_ms:
            tries += 1
            if not keyspace.expire_on_access:
                # a replica keeps expired keys: after enough tries return one rather than loop
                if len(db.expires) == len(db.data) and tries > 100:
                    return resp.bulk(key)
                continue
            # removes it (and propagates the DEL); expireIfNeeded in Redis: no keyspace miss
            reading = keyspace.reading
            keyspace.reading = 0
            db.peek(key)
            keyspace.reading = reading
            continue
        return resp.bulk(key)
    return resp.null(client.resp)


# ----- OBJECT
container("object", group="generic", summary="A container for object introspection commands",
          since="2.2.3")
TABLE[b"object"].complexity = "Depends on subcommand."

_OBJECT_HELP = [
    b"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"ENCODING <key>",
    b"    Return the kind of internal representation used in order to store the value",
    b"    associated with a <key>.",
    b"FREQ <key>",
    b"    Return the access frequency index of the <key>. The returned integer is",
    b"    proportional to the logarithm of the recent access frequency of the key.",
    b"IDLETIME <key>",
    b"    Return the idle time of the <key>, that is the approximated number of",
    b"    seconds elapsed since the last access to the key.",
    b"REFCOUNT <key>",
    b"    Return the number of references of the value associated with the specified",
    b"    <key>.",
    b"HELP",
    b"    Prints this help.",
]


def _object_lookup(db, key: bytes) -> object | None:
    """Redis's objectCommandLookup: no access recorded, a keyspace hit or miss counted, but no
    keymiss event (LOOKUP_NOTOUCH | LOOKUP_NONOTIFY)."""
    keyspace = db.keyspace
    keymiss = keyspace.keymiss
    keyspace.keymiss = None
    value = db.peek(key)
    keyspace.keymiss = keymiss
    return value


@subcommand("object", "help", 2, "loading stale", categories="@keyspace", since="6.2.0",
            summary="Show helpful text about the different subcommands", complexity="O(1)")
def object_help(client, argv: list[bytes]) -> bytes:
    return resp.array([resp.simple(line) for line in _OBJECT_HELP])


@subcommand("object", "encoding", 3, "readonly", 2, 2, 1, categories="@keyspace", since="2.2.3",
            summary="Inspect the internal encoding of a Redis object", complexity="O(1)",
            tips="nondeterministic_output")
def object_encoding(client, argv: list[bytes]) -> bytes:
    value = _object_lookup(client.db, argv[2])
    if value is None:
        return resp.null(client.resp)
    return resp.bulk(encoding(value, client.node.config))


@subcommand("object", "refcount", 3, "readonly", 2, 2, 1, categories="@keyspace", since="2.2.3",
            summary="Get the number of references to the value of the key", complexity="O(1)",
            tips="nondeterministic_output")
def object_refcount(client, argv: list[bytes]) -> bytes:
    value = _object_lookup(client.db, argv[2])
    if value is None:
        return resp.null(client.resp)
    if type(value) is bytes:
        number = as_int64(value)
        # Redis shares the objects of small integers unless an LRU/LFU policy needs per-key clocks
        if number is not None and 0 <= number < SHARED_INTEGERS:
            node = client.node
            if not node.maxmemory or not str(node.config["maxmemory-policy"]).endswith(("lru", "lfu")):
                return resp.integer(SHARED_REFCOUNT)
    return resp.ONE


@subcommand("object", "idletime", 3, "readonly", 2, 2, 1, categories="@keyspace", since="2.2.3",
            summary="Get the time since a Redis object was last accessed", complexity="O(1)",
            tips="nondeterministic_output")
def object_idletime(client, argv: list[bytes]) -> bytes:
    db = client.db
    if _object_lookup(db, argv[2]) is None:
        return resp.null(client.resp)
    keyspace = db.keyspace
    if keyspace.track == TRACK_LFU:
        raise CommandError(NO_LRU_ERR)
    if keyspace.track == 0:
        # Access clocks cost memory per key, so they are kept only once someone asks: from now
        # on accesses are recorded; until a key is accessed its idle time counts from the
        # server's start, an upper bound of the truth.
        evictor = getattr(client.node, "evictor", None)
        if evictor is not None:
            evictor.idle_requested = True
        keyspace.set_tracking(TRACK_LRU)
        keyspace.lru_epoch_s = client.node.start_wall_ms // 1000
    return resp.integer(keyspace.idle_seconds(db, argv[2]))


@subcommand("object", "freq", 3, "readonly", 2, 2, 1, categories="@keyspace", since="4.0.0",
            summary="Get the logarithmic access frequency counter of a Redis object", complexity="O(1)",
            tips="nondeterministic_output")
def object_freq(client, argv: list[bytes]) -> bytes:
    db = client.db
    if _object_lookup(db, argv[2]) is None:
        return resp.null(client.resp)
    keyspace = db.keyspace
    if keyspace.track != TRACK_LFU:
        raise CommandError(NO_LFU_ERR)
    return resp.integer(keyspace.lfu_counter(db.access.get(argv[2]) if db.access is not None else None))


# ----- expiry
def _expire(client, argv: list[bytes], basetime: int, seconds: bool) -> bytes:
    nx = xx = gt = lt = False
    for opt in argv[3:]:
        o = opt.lower()
        if o == b"nx":
            nx = True
        elif o == b"xx":
            xx = True
        elif o == b"gt":
            gt = True
        elif o == b"lt":
            lt = True
        else:
            raise CommandError(b"ERR Unsupported option " + opt)
    if nx and (xx or gt or lt):
        raise CommandError(NX_XX_GT_LT_ERR)
    if gt and lt:
        raise CommandError(GT_LT_ERR)
    when = _int(argv[2])
    name = argv[0].lower()
    if seconds:
        if when > LLONG_MAX // 1000 or when < -(LLONG_MAX // 1000):
            raise CommandError(INVALID_EXPIRE_ERR_FMT % name)
        when *= 1000
    if when > LLONG_MAX - basetime:
        raise CommandError(INVALID_EXPIRE_ERR_FMT % name)
    when += basetime
    db = client.db
    key = argv[1]
    if db.lookup(key) is None:
        return resp.ZERO
    if nx or xx or gt or lt:
        current = db.expires.get(key, -1)
        if nx and current != -1:
            return resp.ZERO
        if xx and current == -1:
            return resp.ZERO
        if gt and (when <= current or current == -1):
            return resp.ZERO
        if lt and current != -1 and when >= current:
            return resp.ZERO
    node = client.node
    if when <= db.keyspace.now_ms and not node.is_replica and not node.loading:
        db.delete(key)
        client.propagate = [[b"UNLINK" if node.config["lazyfree-lazy-expire"] else b"DEL", key]]
        if node.notify_flags:
            notify(node, NOTIFY_GENERIC, b"del", key, db.id)
        return resp.ONE
    db.set_expire(key, when)
    if name != b"pexpireat":
        client.propagate = [[b"PEXPIREAT", key, b"%d" % when, *argv[3:]]]
    if node.notify_flags:
        notify(node, NOTIFY_GENERIC, b"expire", key, db.id)
    return resp.ONE


_EXPIRE_DOC = dict(group="generic", categories="@keyspace", complexity="O(1)")


@command("expire", -3, "write fast", 1, 1, 1, summary="Set a key's time to live in seconds", **_EXPIRE_DOC)
def expire(client, argv: list[bytes]) -> bytes:
    return _expire(client, argv, client.db.keyspace.now_ms, True)


@command("pexpire", -3, "write fast", 1, 1, 1, since="2.6.0", summary="Set a key's time to live in milliseconds",
         **_EXPIRE_DOC)
def pexpire(client, argv: list[bytes]) -> bytes:
    return _expire(client, argv, client.db.keyspace.now_ms, False)


@command("expireat", -3, "write fast", 1, 1, 1, since="1.2.0",
         summary="Set the expiration for a key as a UNIX timestamp", **_EXPIRE_DOC)
def expireat(client, argv: list[bytes]) -> bytes:
    return _expire(client, argv, 0, True)


@command("pexpireat", -3, "write fast", 1, 1, 1, since="2.6.0",
         summary="Set the expiration for a key as a UNIX timestamp specified in milliseconds", **_EXPIRE_DOC)
def pexpireat(client, argv: list[bytes]) -> bytes:
    return _expire(client, argv, 0, False)


def _ttl(client, key: bytes, ms: bool, absolute: bool) -> bytes:
    db = client.db
    if db.peek(key) is None:
        return resp.integer(-2)
    when = db.expires.get(key)
    if when is None:
        return resp.integer(-1)
    left = max(0, when if absolute else when - db.keyspace.now_ms)
    return resp.integer(left if ms else (left + 500) // 1000)


@command("ttl", 2, "readonly fast", 1, 1, 1, summary="Get the time to live for a key in seconds",
         tips="nondeterministic_output", **_EXPIRE_DOC)
def ttl(client, argv: list[bytes]) -> bytes:
    return _ttl(client, argv[1], False, False)


@command("pttl", 2, "readonly fast", 1, 1, 1, since="2.6.0", summary="Get the time to live for a key in milliseconds",
         tips="nondeterministic_output", **_EXPIRE_DOC)
def pttl(client, argv: list[bytes]) -> bytes:
    return _ttl(client, argv[1], True, False)


@command("expiretime", 2, "readonly fast", 1, 1, 1, since="7.0.0",
         summary="Get the expiration Unix timestamp for a key", **_EXPIRE_DOC)
def expiretime(client, argv: list[bytes]) -> bytes:
    return _ttl(client, argv[1], False, True)


@command("pexpiretime", 2, "readonly fast", 1, 1, 1, since="7.0.0",
         summary="Get the expiration Unix timestamp for a key in milliseconds", **_EXPIRE_DOC)
def pexpiretime(client, argv: list[bytes]) -> bytes:
    return _ttl(client, argv[1], True, True)


@command("persist", 2, "write fast", 1, 1, 1, since="2.2.0", summary="Remove the expiration from a key",
         **_EXPIRE_DOC)
def persist(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    if db.lookup(key) is None or not db.persist(key):
        return resp.ZERO
    if client.node.notify_flags:
        notify(client.node, NOTIFY_GENERIC, b"persist", key, db.id)
    return resp.ONE
