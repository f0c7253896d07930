"""Blocked clients: parking a client on keys, serving it when a key is ready, timeouts, unblocking.

A blocking command (BLPOP, BLMOVE, BZPOPMIN, ...) never waits inside its handler: handlers are
synchronous and run to completion. When there is nothing to take, the handler *parks* the client
and returns None (no reply yet). The connection stops running that client's later requests while
``client.blocked`` is set (they wait in ``client.pending``, as Redis stops ``processInputBuffer``),
and runs them once the client is served, timed out or unblocked.

API (installed on the node by ``install(node)``, reached from handlers as ``client.node.blocking``):

``blocking.can_block(client) -> bool``
    False inside EXEC or a script (``node._tx_depth``), or for a client with ``deny_blocking``:
    there the command answers at once as if it timed out (Redis's CLIENT_DENY_BLOCKING).
``blocking.block(client, keys, timeout_ms, serve, timeout_reply=None, argv=None) -> None``
    Park ``client`` on ``keys`` of ``client.db`` (repeats are dropped). ``timeout_ms`` 0 waits
    forever. ``serve(client, db, key) -> bytes | None`` is called when ``key`` was signalled:
    perform the effect (pop, move; propagate it with ``node.propagate_internal(db.id, [argv])``,
    notify, ``db.changed``) and return the reply, or None if the key holds nothing for this
    client (it keeps waiting). It may raise ``CommandError``: the client gets the error and is
    unblocked. ``timeout_reply(resp) -> bytes`` defaults to the null array (Redis's reply for a
    timed-out list/zset pop); ``argv`` is the command, for its error stats. The handler returns
    None right after calling ``block``.
``engine.blocking.signal_key(node.ready_keys, db, key)``
    Call after creating or growing a value at ``key`` (LPUSH, LMOVE's push, ZADD, RENAME,
    RESTORE, SORT STORE...). Cheap when nobody waits on the key.
``engine.blocking.signal_existing(node.ready_keys, db)``
    After SWAPDB or a load: signal every waited-on key that now holds a value.
``node.serve_blocked()``
    The dispatcher calls it after each top-level command when ``node.ready_keys`` is non-empty,
    so a transaction or a script is served after it completes (Redis's
    ``handleClientsBlockedOnKeys``). Clients waiting on a key are served in arrival order while
    the key can serve them.
``blocking.unblock(client, reply=None)``
    CLIENT UNBLOCK: end the wait with ``reply`` (or the timeout reply) and resume the client.
``node.blocked_count``
    Number of clients parked here (INFO ``blocked_clients``).

Timeouts use the event loop's timer (``loop.call_later``), so a 0.1 s BLPOP answers after
0.1 s, not at the next cron tick. A served client's queued requests run on the next loop
iteration, like Redis's ``processUnblockedClients`` in ``beforeSleep``.
"""

from ..commands.registry import TABLE
from ..engine.blocking import Blocked, dedupe_keys, register, unregister
from ..protocol import resp
from ..protocol.errors import CommandError

# past this a timeout is "forever" for practical purposes (and the loop's timer can't hold it)
_MAX_TIMER_MS = 10 * 365 * 86400 * 1000


def _null_array(r: int) -> bytes:
    return resp.NULL3 if r == 3 else resp.NULL_ARRAY


class BlockingManager:
    """The node's blocked clients and ready keys."""

    def __init__(self, node) -> None:
        self.node = node
        self.ready: list = []          # (db, key) pairs in signal order; shared as node.ready_keys

    # ----- parking
    def can_block(self, client) -> bool:
        return not self.node._tx_depth and not getattr(client, "deny_blocking", False)

    def block(self, client, keys: list[bytes], timeout_ms: int, serve, timeout_reply=None,
              argv: list[bytes] | None = None) -> None:
        node = self.node
        db = client.db
        keys = dedupe_keys(keys)
        deadline = node.keyspace.now_ms + timeout_ms if timeout_ms else 0
        blocked = Blocked(db, keys, serve, timeout_reply or _null_array, deadline, argv or [])
        register(db, client, keys)
        client.blocked = blocked
        node.blocked_count += 1
        if timeout_ms and timeout_ms < _MAX_TIMER_MS:
            blocked.timer = node.loop.call_later(timeout_ms / 1000.0, self._timed_out, client, blocked)

    def _release(self, client) -> Blocked | None:
        """Forget ``client``'s wait without replying; returns what it was waiting for."""
        blocked = client.blocked
        if type(blocked) is not Blocked:
            return None
        unregister(blocked.db, client, blocked.keys)
        if blocked.timer is not None:
            blocked.timer.cancel()
            blocked.timer = None
        client.blocked = None
        self.node.blocked_count -= 1
        return blocked

    def _finish(self, client, reply: bytes) -> None:
        """Reply to a parked client and let its queued requests run (on the next loop pass)."""
        if self._release(client) is None:
            return
        client.write(reply)
        if client.pending:
            self.node.loop.call_soon(self._resume, client)

    def _resume(self, client) -> None:
        if client.blocked is None and not client.closing:
            node = self.node
            node.keyspace.now_ms = node.clock.wall_ms()
            client.resume()

    # ----- the ways a wait ends
    def _timed_out(self, client, blocked: Blocked) -> None:
        if client.blocked is not blocked:
            return
        blocked.timer = None
        self._finish(client, blocked.timeout_reply(client.resp))

    def unblock(self, client, error: bytes | None = None) -> bool:
        """CLIENT UNBLOCK: True if ``client`` was parked here (paused clients are not)."""
        blocked = client.blocked
        if type(blocked) is not Blocked:
            return False
        if error is None:
            reply = blocked.timeout_reply(client.resp)
        else:
            reply = resp.error(error)
            self.node.count_error(error)
            cmd = TABLE.get(blocked.argv[0].lower()) if blocked.argv else None
            if cmd is not None:
                cmd.failed_calls += 1
        self._finish(client, reply)
        return True

    def drop(self, client) -> None:
        """Disconnect or RESET: the wait ends without a reply."""
        self._release(client)

    # ----- serving
    def serve(self) -> None:
        """Serve clients parked on the signalled keys, oldest first, until no key is ready."""
        node = self.node
        if node._tx_depth:      # inside EXEC or a script: serve once the whole thing ran
            return
        ready = self.ready
        while ready:
            batch = ready[:]
            ready.clear()
            for db, key in batch:
                db.ready_keys.discard(key)
                waiters = db.blocked.get(key)
                if not waiters:
                    continue
                node.keyspace.now_ms = node.clock.wall_ms()
                for client in list(waiters):
                    blocked = client.blocked
                    if type(blocked) is not Blocked or blocked.db is not db or client.closing:
                        continue
                    try:
                        reply = blocked.serve(client, db, key)
                    except CommandError as exc:
                        node.count_error(exc.message)
                        reply = resp.error(exc.message)
                    if reply is not None:
                        self._finish(client, reply)
                    if key not in db.data:
                        break


def install(node) -> BlockingManager:
    """Give ``node`` its blocking machinery (called once from ``Node.__init__``)."""
    manager = BlockingManager(node)
    node.blocking = manager
    node.ready_keys = manager.ready
    node.blocked_count = 0
    node.serve_blocked = manager.serve
    node.disconnect_hooks.append(manager.drop)
    node.reset_hooks.append(manager.drop)
    return manager
