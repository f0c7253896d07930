"""One dispatcher for every command, in the order of Redis's ``processCommand``.

``run_batch(client, requests, out)`` is the hot path (``process`` runs one request through it):
for each request one table look-up, the arity test, and — only when
the client or the node is in a special state (``client.guard`` / ``node.guard``) — the slower
checks: AUTH, MULTI queueing, pub/sub context, read-only replica, stale data, OOM, min-replicas,
client pause. ``call(client, cmd, argv)`` executes a handler and does the bookkeeping that follows
every command: error stats, commandstats, keyspace hits/misses, slowlog, WATCH invalidation and
propagation (a write is propagated when it changed the dataset, i.e. bumped ``keyspace.dirty``,
as ``call()`` in Redis). ``run_batch`` runs the same steps inline — a Python call costs as much as
the bookkeeping — with the rare ones in ``_observe`` and ``_after_write``, shared by both.
"""

from time import perf_counter_ns

from ..protocol import resp
from ..protocol.errors import (
    EXECABORT_ERR,
    NOAUTH_ERR,
    OOM_ERR,
    READONLY_ERR,
    CommandError,
    unknown_command,
    wrong_arity,
)
from .registry import (
    DENYOOM,
    LOADING,
    NO_AUTH,
    NO_MULTI,
    READONLY,
    SPELLINGS,
    STALE,
    TABLE,
    WRITE,
    Command,
)

# commands a client in MULTI runs at once instead of queueing
_MULTI_IMMEDIATE = {b"exec", b"discard", b"multi", b"watch", b"quit", b"reset"}
# commands a RESP2 client may send while subscribed
_PUBSUB_ALLOWED = {b"subscribe", b"ssubscribe", b"unsubscribe", b"sunsubscribe", b"psubscribe",
                   b"punsubscribe", b"ping", b"quit", b"reset"}


# _checks' answer for a command held by CLIENT PAUSE: no reply now, the command runs at unpause
_HELD = b"<held>"


# registry.SPELLINGS stays bounded: a client may send any mix of cases
_SPELLINGS_MAX = 4096


def run_batch(client, requests, out: list) -> int:
    """Run ``requests`` (a read's worth) in order and append their encoded replies to ``out``;
    return how many ran. It stops after a request that blocks the client or asks to close it.

    This is the hot path, ``call()`` inlined: a Python call costs as much as the bookkeeping, so
    what a batch shares (node, keyspace, the spellings table, the clock) is looked up once and
    the rare steps stay in ``_resolve``, ``_checks``, ``_observe`` and ``_after_write``. One clock
    read per command: a command's start is the previous one's end.
    """
    node = client.node
    keyspace = node.keyspace
    spelled = SPELLINGS.get
    append = out.append
    clock = perf_counter_ns()
    ran = 0
    for argv in requests:
        ran += 1
        try:
            cmd = spelled(argv[0])
            n = len(argv)
            if cmd is None or (cmd.subcommands and n > 1):
                cmd = _resolve(cmd, argv)
            if cmd is None:
                reply = _reject(client, None, unknown_command(argv[0], argv[1:]))
            else:
                client.last_cmd = cmd
                arity = cmd.arity
                if (arity > 0 and n != arity) or n < -arity:
                    reply = _reject(client, cmd, wrong_arity(argv[0] if cmd.parent is None else cmd.name.encode()))
                elif (client.guard or (node.guard and not client.is_master)) and (  # (our master: no checks)
                        reply := _checks(client, cmd, argv[0].lower(), argv)) is not None:
                    if reply is _HELD:
                        reply = None
                else:
                    dirty = keyspace.dirty
                    keyspace.reading = cmd.flags & READONLY     # lookups count as keyspace hits/misses
                    try:
                        reply = cmd.handler(client, argv)
                    except CommandError as exc:
                        reply = _failed(node, cmd, exc)
                    keyspace.reading = 0
                    end = perf_counter_ns()
                    elapsed = end - clock
                    clock = end
                    cmd.calls += 1
                    cmd.usec += elapsed
                    if node.monitors or elapsed > node.slowlog_threshold_ns:
                        _observe(client, cmd, argv, elapsed)
                    if keyspace.dirty != dirty:
                        stream = node.stream_feed
                        if (stream is not None and client.propagate is None and cmd.flags & WRITE
                                and not client.db.watched):
                            stream(client, argv)        # (_after_write's usual case, in one call)
                        elif client.db.watched or node.feeds or node.write_refusal is not None:
                            reply = _after_write(client, cmd, argv, reply)
                        else:
                            client.propagate = None
                    elif client.propagate is not None:
                        node.propagate(client, argv)
                    if node.ready_keys:             # a write woke keys that blocked clients wait on
                        node.serve_blocked()
        except Exception as exc:  # a bug must not take the server down
            keyspace.reading = 0
            reply = node.internal_error(client, argv, exc)
        if reply is not None:
            if client.reply_mode:
                if client.reply_mode == 2:      # CLIENT REPLY SKIP: this one only
                    client.reply_mode = 0
            else:
                append(reply)
        if client.blocked is not None or client.close_after_reply:
            break
    return ran


def process(client, argv: list[bytes]) -> bytes | None:
    """Run one request from a client and return its encoded reply (None: no reply)."""
    out: list = []
    run_batch(client, (argv,), out)
    return out[0] if out else None


def _resolve(cmd: Command | None, argv: list[bytes]) -> Command | None:
    """The command a request names when its spelling is not cached (None: unknown), or a
    subcommand's entry (CONFIG GET, CLIENT LIST...: checks, flags and commandstats belong to the
    subcommand)."""
    if cmd is None:
        cmd = TABLE.get(argv[0].lower())
        if cmd is None:
            return None
        if len(SPELLINGS) < _SPELLINGS_MAX:
            SPELLINGS[argv[0]] = cmd
    if cmd.subcommands and len(argv) > 1:
        cmd = cmd.subcommands.get(argv[1].lower(), cmd)
    return cmd


def _reject(client, cmd: Command | None, message: bytes) -> bytes:
    """An error before execution: counted as rejected, and it aborts an open MULTI."""
    if cmd is not None:
        cmd.rejected_calls += 1
    client.node.count_error(message)
    if client.multi is not None:
        client.multi_error = True
    return resp.error(message)


def _checks(client, cmd: Command, name: bytes, argv: list[bytes]) -> bytes | None:
    node = client.node
    flags = cmd.flags
    if not client.authenticated and not flags & NO_AUTH:
        return _reject(client, cmd, NOAUTH_ERR)
    if client.multi is not None and name not in _MULTI_IMMEDIATE:
        if flags & NO_MULTI:
            return _reject(client, cmd, b"ERR Command not allowed inside a transaction")
        client.multi.append((cmd, argv))
        return resp.QUEUED
    if client.is_master:
        # our master's stream: no context, read-only, OOM, MISCONF, min-replicas or pause checks
        return None
    if (client.resp == 2 and (client.subscriptions or client.psubscriptions or client.ssubscriptions)
            and name not in _PUBSUB_ALLOWED):
        return _reject(client, cmd, b"ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                       b"PING / QUIT / RESET are allowed in this context" % cmd.name.encode())
    if node.loading and not flags & LOADING:
        return _reject(client, cmd, b"LOADING Redis is loading the dataset in memory")
    if node.is_replica and not client.is_master:
        if flags & WRITE and node.replica_read_only:
            return _reject(client, cmd, READONLY_ERR)
        if not flags & STALE and not node.master_link_up and not node.serve_stale_data:
            return _reject(client, cmd, b"MASTERDOWN Link with MASTER is down and "
                           b"replica-serve-stale-data is set to 'no'.")
    if flags & DENYOOM and node.maxmemory and not client.is_master:
        if not node.ensure_memory():
            return _reject(client, cmd, OOM_ERR)
    if node.disk_error is not None and (flags & WRITE or name == b"ping") and not client.is_master:
        return _reject(client, cmd, node.disk_error)
    if flags & WRITE and node.min_replicas_to_write and not node.enough_good_replicas():
        return _reject(client, cmd, b"NOREPLICAS Not enough good replicas to write.")
    if node.paused_until and node.pause_blocks(client, cmd):
        node.defer_paused(client, argv)
        return _HELD
    return None


def call(client, cmd: Command, argv: list[bytes]) -> bytes | None:
    """Execute ``cmd`` and do the bookkeeping every command gets (EXEC, scripts; ``run_batch``
    has the same steps inlined)."""
    node = client.node
    keyspace = node.keyspace
    dirty = keyspace.dirty
    keyspace.reading = cmd.flags & READONLY
    start = perf_counter_ns()
    try:
        reply = cmd.handler(client, argv)
    except CommandError as exc:
        reply = _failed(node, cmd, exc)
    keyspace.reading = 0
    elapsed = perf_counter_ns() - start
    cmd.calls += 1
    cmd.usec += elapsed
    if node.monitors or elapsed > node.slowlog_threshold_ns:
        _observe(client, cmd, argv, elapsed)
    if keyspace.dirty != dirty:
        reply = _after_write(client, cmd, argv, reply)
    elif client.propagate is not None:
        node.propagate(client, argv)
    return reply


def _failed(node, cmd: Command, exc: CommandError) -> bytes:
    cmd.failed_calls += 1
    node.count_error(exc.message)
    return resp.error(exc.message)


def _observe(client, cmd: Command, argv: list[bytes], elapsed: int) -> None:
    """MONITOR and SLOWLOG, after execution as in Redis 7's call(): the MONITOR line shows the
    db the command ended in."""
    node = client.node
    if node.monitors:
        node.feed_monitors(client, argv, cmd)
    if elapsed > node.slowlog_threshold_ns:
        node.slowlog_push(client, argv, elapsed // 1000)


def _after_write(client, cmd: Command, argv: list[bytes], reply: bytes | None) -> bytes | None:
    """The command changed the dataset: invalidate WATCHes, propagate it (a write is propagated
    when it bumped ``keyspace.dirty``, as ``call()`` in Redis), refuse the ack if the AOF failed."""
    node = client.node
    db = client.db
    if db.watched:
        touch_watched(db, [argv[i] for i in cmd.keys(argv)])
    if node.feeds and (cmd.flags & WRITE or client.propagate is not None):
        node.propagate(client, argv)
    else:
        client.propagate = None
    if node.write_refusal is not None:
        # the AOF (appendfsync always) could not persist it: it must not be acknowledged
        reply = resp.error(node.write_refusal)
        node.count_error(node.write_refusal)
        node.write_refusal = None
    return reply


def exec_transaction(client) -> bytes:
    """EXEC: run the queued commands back to back (nothing else runs in between)."""
    queued = client.multi
    client.multi = None
    aborted = client.multi_error
    client.multi_error = False
    client.guard_update()
    dirty_cas = client.dirty_cas
    unwatch_all(client)
    if aborted:
        raise CommandError(EXECABORT_ERR)
    if dirty_cas:
        return resp.null_array(client.resp)
    node = client.node
    node.begin_transaction(client)
    replies = []
    try:
        for cmd, argv in queued:
            # a replica's state may have changed while commands were queued
            if node.is_replica and cmd.flags & WRITE and node.replica_read_only and not client.is_master:
                replies.append(resp.error(READONLY_ERR))
                continue
            reply = call(client, cmd, argv)
            replies.append(reply if reply is not None else resp.NULL_BULK)
    finally:
        node.end_transaction(client)
    return resp.array(replies)


def touch_watched(db, keys: list[bytes]) -> None:
    """Invalidate the transactions of clients WATCHing any of ``keys`` in ``db``."""
    watched = db.watched
    for key in keys:
        clients = watched.get(key)
        if clients:
            for c in clients:
                if c.watched_expired and (db, key) in c.watched_expired:
                    # WATCHed while already expired (Redis 7.0): its removal is no logical change
                    if key not in db.data:
                        c.watched_expired.discard((db, key))
                        continue
                    if is_stale(db, key):
                        continue
                c.dirty_cas = True


def is_stale(db, key: bytes) -> bool:
    """The key is logically expired but not removed yet (``keyIsExpired``)."""
    when = db.expires.get(key)
    return when is not None and when <= db.keyspace.now_ms


def touch_all_watched(db, other=None) -> None:
    """FLUSHDB/FLUSHALL/SWAPDB: WATCHes on ``db`` of keys that exist there (or in ``other``, the
    database swapped with it) are invalidated, as ``touchAllWatchedKeysInDb`` does."""
    for key, clients in db.watched.items():
        exists = key in db.data
        if exists or (other is not None and key in other.data):
            for c in clients:
                if c.watched_expired and (db, key) in c.watched_expired:
                    if other is None or key not in other.data:
                        c.watched_expired.discard((db, key))
                        continue
                    if is_stale(other, key):
                        continue
                elif not exists and is_stale(other, key):
                    c.watched_expired.add((db, key))
                    continue
                c.dirty_cas = True


def unwatch_all(client) -> None:
    for db, key in client.watched:
        clients = db.watched.get(key)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del db.watched[key]
    client.watched = []
    if client.watched_expired:
        client.watched_expired = set()
    client.dirty_cas = False
