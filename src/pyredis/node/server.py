"""The node: one process's server state and its asyncio edge.

``Node`` owns the config, the keyspace, the connected clients, pub/sub subscriptions, the
statistics INFO reports, the slowlog, and the server cron (active expiry, client timeouts,
instantaneous metrics). It opens the listeners and hands each connection a ``ClientConnection``.
Propagation of writes (to replicas and the AOF) goes through ``propagate``: subsystems register
a feed in ``self.feeds`` and receive ``(dbid, [argv, ...])`` in execution order, transactions
wrapped in MULTI/EXEC.
"""

import asyncio
import os
import random
import signal
import socket
import sys
import time
import traceback
from collections import deque

from .. import REDIS_VERSION
from ..clock import Clock, RealClock
from ..commands import load_all
from ..commands.registry import WRITE
from ..config import NOTIFY_KEY_MISS, Config
from ..engine.keyspace import Keyspace
from ..protocol import resp
from ..protocol.sdsrepr import sds_repr
from . import blocking
from .connection import ClientConnection
from .log import Logger

DENIED_PROTECTED = (
    b"DENIED Redis is running in protected mode because protected mode is enabled and no password is "
    b"set for the default user. In this mode connections are only accepted from the loopback "
    b"interface. If you want to connect from external computers to Redis you may adopt one of the "
    b"following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    b"protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    b"server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    b"so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the "
    b"protected mode by editing the Redis configuration file, and setting the protected mode option "
    b"to 'no', and then restarting the server. 3) If you started the server manually just for "
    b"testing, restart it with the '--protected-mode no' option. 4) Set up an authentication "
    b"password for the default user. NOTE: You only need to do one of the above things in order for "
    b"the server to start accepting connections from the outside."
)


class Node:
    def __init__(self, config: Config, clock: Clock | None = None, log: Logger | None = None) -> None:
        self.config = config
        self.clock = clock or RealClock()
        self.log = log or Logger(str(config["loglevel"]), str(config["logfile"]), role="M")
        self.rng = random.Random()
        self.table = load_all()
        self.keyspace = Keyspace(int(config["databases"]))  # type: ignore[arg-type]
        self.keyspace.now_ms = self.clock.wall_ms()
        self.keyspace.on_expired = self.on_key_expired
        self.run_id = f"{random.getrandbits(160):040x}"
        self.pid = os.getpid()
        self.start_wall_ms = self.clock.wall_ms()
        self.start_mono_ms = self.clock.monotonic_ms()
        self.clients: dict[int, ClientConnection] = {}
        self._next_client_id = 0
        self.channels: dict[bytes, set] = {}
        self.patterns: dict[bytes, set] = {}
        self.shard_channels: dict[bytes, set] = {}   # SSUBSCRIBE
        self.monitors: list[ClientConnection] = []
        self.slowlog: deque = deque()
        self.slowlog_next_id = 0
        self.errorstats: dict[bytes, int] = {}
        self.feeds: list = []                 # propagation targets: fn(dbid, argvs); see set_feed
        # while the replication stream is the only feed: its one-write shortcut, fn(client, argv)
        self.stream_feed = None
        self._tx_depth = 0
        self._tx_buffer: list = []
        self.servers: list[asyncio.AbstractServer] = []
        self.listening: list[str] = []
        self.shutdown_hooks: list = []
        self.startup_hooks: list = []         # fn() once before accepting clients (dataset load)
        self.disconnect_hooks: list = []      # fn(client) when a client goes away
        self.reset_hooks: list = []           # fn(client) on RESET (pub/sub, blocking...)
        blocking.install(self)                # ready_keys, serve_blocked, blocked_count (node/blocking.py)
        from ..commands import pubsub  # noqa: PLC0415
        pubsub.install(self)                  # subscriptions dropped on disconnect and RESET
        self.cron_hooks: list = []            # fn(now_ms) every cron tick
        self.info_sections: dict[str, object] = {}   # extra INFO sections from subsystems
        self.stopping = False
        self.exit_code = 0
        self.mode = "standalone"
        # replication state the dispatcher reads (the replication subsystem maintains them)
        self.is_replica = False
        self.master_link_up = False
        self.loading = False
        self.disk_error: bytes | None = None  # MISCONF text while persistence is failing (persistence/)
        self.write_refusal: bytes | None = None   # set by a feed that could not persist the write (AOF always)
        self.paused_until = 0
        self.pause_type = ""
        self.paused_clients: list = []
        self.active_expire_enabled = True     # DEBUG SET-ACTIVE-EXPIRE 0 turns the cron's expiry off
        # stats
        self.stat_connections = 0
        self.stat_rejected_conn = 0
        self.stat_net_input_bytes = 0
        self.stat_net_output_bytes = 0
        self.stat_evicted_keys = 0
        self.stat_total_errors = 0
        self.stat_expire_cycle_ms = 0
        self.stat_client_qbuf_limit_disconnections = 0
        self.stat_client_outbuf_limit_disconnections = 0
        self.ops_samples: deque = deque(maxlen=16)
        from ..replication.master import Replication  # noqa: PLC0415
        self.repl = Replication(self)
        self._ops_last = (self.clock.monotonic_ms(), 0)
        self.apply_config()
        for name in ("maxmemory", "requirepass", "replica-read-only", "replica-serve-stale-data",
                     "min-replicas-to-write", "proto-max-bulk-len", "client-query-buffer-limit",
                     "slowlog-log-slower-than", "slowlog-max-len", "notify-keyspace-events", "hz"):
            config.hooks[name] = self._config_changed
        config.hooks["loglevel"] = lambda old, new: self.log.set_level(str(new))
        from ..commands.notify import notify  # noqa: PLC0415
        from ..engine import eviction  # noqa: PLC0415
        eviction.install(self, notify)        # node.evictor: maxmemory policies, used_memory
        from ..persistence import snapshot  # noqa: PLC0415
        snapshot.install(self)                # node.rdb: SAVE/BGSAVE, save points, load at start-up
        from ..persistence import aof  # noqa: PLC0415
        aof.install(self)                     # node.aof: the append-only file (a propagation feed when on)

    # ----- configuration mirrored in plain attributes for the hot path
    def apply_config(self) -> None:
        c = self.config
        self.requirepass = str(c["requirepass"]).encode()
        self.maxmemory = int(c["maxmemory"])  # type: ignore[arg-type]
        self.keyspace.mem_precise = bool(self.maxmemory)
        self.replica_read_only = bool(c["replica-read-only"])
        self.serve_stale_data = bool(c["replica-serve-stale-data"])
        self.min_replicas_to_write = int(c["min-replicas-to-write"])  # type: ignore[arg-type]
        self.proto_max_bulk_len = int(c["proto-max-bulk-len"])  # type: ignore[arg-type]
        self.query_buffer_limit = int(c["client-query-buffer-limit"])  # type: ignore[arg-type]
        slower = int(c["slowlog-log-slower-than"])  # type: ignore[arg-type]
        self.slowlog_threshold_ns = slower * 1000 if slower >= 0 else 1 << 62
        self.slowlog_max_len = int(c["slowlog-max-len"])  # type: ignore[arg-type]
        self.notify_flags = int(c["notify-keyspace-events"])  # type: ignore[arg-type]
        self.keyspace.keymiss = self._keymiss if self.notify_flags & NOTIFY_KEY_MISS else None
        self.hz = max(1, min(500, int(c["hz"])))  # type: ignore[arg-type]
        self.update_guard()

    def _config_changed(self, old: object, new: object) -> None:
        self.apply_config()
        for client in self.clients.values():
            client.parser.max_bulk_len = self.proto_max_bulk_len
            client.parser.query_buffer_limit = self.query_buffer_limit
        while len(self.slowlog) > self.slowlog_max_len:
            self.slowlog.pop()

    def update_guard(self) -> None:
        """``guard`` is true when the dispatcher must run its slower checks for every client."""
        self.guard = bool(self.is_replica or self.loading or self.maxmemory or self.min_replicas_to_write
                          or self.paused_until or self.disk_error is not None)

    # ----- clients
    def next_client_id(self) -> int:
        self._next_client_id += 1
        return self._next_client_id

    def accept_client(self, client: ClientConnection) -> bool:
        self.stat_connections += 1
        if len(self.clients) >= int(self.config["maxclients"]):  # type: ignore[arg-type]
            self.stat_rejected_conn += 1
            client.write(resp.error(b"ERR max number of clients reached"))
            client.transport.close()  # type: ignore[union-attr]
            return False
        if (self.config["protected-mode"] and not self.requirepass and not client.unix
                and not _is_loopback(client.addr)):
            self.stat_rejected_conn += 1
            client.write(resp.error(DENIED_PROTECTED))
            client.transport.close()  # type: ignore[union-attr]
            return False
        self.clients[client.id] = client
        return True

    def client_gone(self, client: ClientConnection) -> None:
        if self.clients.pop(client.id, None) is None:
            return
        from ..commands.dispatch import unwatch_all  # noqa: PLC0415
        unwatch_all(client)
        for hook in self.disconnect_hooks:
            hook(client)
        if client.is_monitor and client in self.monitors:
            self.monitors.remove(client)

    def client_info(self, c: ClientConnection) -> str:
        now = self.clock.wall_ms()
        multi = len(c.multi) if c.multi is not None else -1
        return (
            f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd} name={c.name.decode(errors='replace')} "
            f"age={(now - c.created_ms) // 1000} idle={(now - c.last_interaction_ms) // 1000} "
            f"flags={c.flags_string()} db={c.db.id} sub={len(c.subscriptions)} psub={len(c.psubscriptions)} "
            f"ssub={len(c.ssubscriptions)} multi={multi} qbuf={c.parser.pending()} qbuf-free=0 argv-mem=0 multi-mem=0 "
            f"rbs=16384 rbp=16384 obl=0 oll=0 omem={c.output_buffer_size()} tot-mem={22000 + c.output_buffer_size()} "
            f"events=r cmd={getattr(c.last_cmd, 'name', 'NULL')} user={c.user.decode()} redir=-1 resp={c.resp}"
        )

    def check_output_limit(self, client: ClientConnection, size: int) -> None:
        """Drop a client whose pending output passed its class's client-output-buffer-limit."""
        limits = self.config["client-output-buffer-limit"]
        cls = "replica" if client.is_replica else ("pubsub" if (client.subscriptions or client.psubscriptions
                                                                 or client.ssubscriptions) else "normal")
        hard, soft, secs = limits[cls]  # type: ignore[index]
        now = self.clock.monotonic_ms()
        over = False
        if hard and size >= hard:
            over = True
        elif soft and size >= soft:
            if not client.obuf_soft_since:
                client.obuf_soft_since = now
            elif now - client.obuf_soft_since >= secs * 1000:
                over = True
        else:
            client.obuf_soft_since = 0
        if over:
            self.stat_client_outbuf_limit_disconnections += 1
            self.log.warning(f"Client {self.client_info(client)} scheduled to be closed ASAP for overcoming "
                             f"of output buffer limits.")
            if client.transport is not None:
                client.closing = True
                client.transport.abort()

    # ----- bookkeeping the dispatcher calls
    def count_error(self, message: bytes) -> None:
        self.stat_total_errors += 1
        code = message.split(b" ", 1)[0]
        if len(self.errorstats) >= 128 and code not in self.errorstats:
            code = b"ERRORSTATS_OVERFLOW"
        self.errorstats[code] = self.errorstats.get(code, 0) + 1

    def internal_error(self, client: ClientConnection, argv: list, exc: Exception) -> bytes:
        if any(type(a) is not bytes for a in argv):
            client.close_after_reply = True
            return resp.error(b"ERR Protocol error: expected '$', got something else")
        self.log.warning(f"Internal error running command {argv[0][:64]!r}: {exc}\n{traceback.format_exc()}")
        self.count_error(b"ERR")
        return resp.error(b"ERR internal error: " + type(exc).__name__.encode())

    def slowlog_push(self, client: ClientConnection, argv: list[bytes], usec: int) -> None:
        args = [a if len(a) <= 128 else a[:128] + b"... (%d more bytes)" % (len(a) - 128) for a in argv[:31]]
        if len(argv) > 32:
            args[-1] = b"... (%d more arguments)" % (len(argv) - 31)
        entry = (self.slowlog_next_id, self.clock.wall_ms() // 1000, usec, args,
                 client.addr.encode(), client.name)
        self.slowlog_next_id += 1
        self.slowlog.appendleft(entry)
        while len(self.slowlog) > self.slowlog_max_len:
            self.slowlog.pop()

    def feed_monitors(self, client: ClientConnection, argv: list[bytes], cmd=None) -> None:
        """Send ``+<unix time> [<db> <origin>] "arg" ...`` to MONITOR clients, as replicationFeedMonitors;
        admin and skip_monitor commands are not shown (Redis 7.0's call())."""
        if cmd is None:
            cmd = self.table.get(argv[0].lower())
        if cmd is not None and cmd.flags & ((1 << 9) | (1 << 3)):  # skip_monitor, admin
            return
        now = time.time()
        if getattr(client, "is_script", False):
            origin = "lua"
        elif client.unix:
            origin = "unix:" + str(self.config["unixsocket"])
        else:
            origin = client.addr
        body = " ".join(sds_repr(a) for a in argv)
        line = f"+{now:.6f} [{client.db.id} {origin}] {body}\r\n".encode()
        for m in list(self.monitors):
            m.push(line)

    def propagate(self, client: ClientConnection, argv: list[bytes]) -> None:
        """Hand a write to the propagation feeds (replicas, AOF), in Redis 7's effect form."""
        argvs = client.propagate
        client.propagate = None
        if not self.feeds:
            return
        if argvs is None:
            argvs = [argv]
        if self._tx_depth:
            self._tx_buffer.append((client.db.id, argvs))
        else:
            for feed in self.feeds:
                feed(client.db.id, argvs)
        client.woff = self.repl.master_repl_offset

    def set_feed(self, feed, wanted: bool) -> None:
        """Add or remove a propagation feed (the AOF's, the replication stream's)."""
        feeds = self.feeds
        if wanted and feed not in feeds:
            feeds.append(feed)
        elif not wanted and feed in feeds:
            feeds.remove(feed)
        self.stream_feed = self.repl.feed_write if feeds == [self.repl.feed] else None

    def propagate_internal(self, dbid: int, argvs: list[list[bytes]]) -> None:
        """Propagate commands the server issues itself (expired/evicted keys as DEL)."""
        if not self.feeds:
            return
        if self._tx_depth:
            self._tx_buffer.append((dbid, argvs))
            return
        for feed in self.feeds:
            feed(dbid, argvs)

    @property
    def in_transaction(self) -> bool:
        return self._tx_depth > 0

    def begin_transaction(self, client: ClientConnection) -> None:
        self._tx_depth += 1

    def end_transaction(self, client: ClientConnection) -> None:
        self._tx_depth -= 1
        if self._tx_depth or not self._tx_buffer:
            return
        items = self._tx_buffer
        self._tx_buffer = []
        count = sum(len(a) for _, a in items)
        if count > 1:
            first_db = items[0][0]
            items = [(first_db, [[b"MULTI"]])] + items + [(items[-1][0], [[b"EXEC"]])]
        for feed in self.feeds:
            for dbid, argvs in items:
                feed(dbid, argvs)
        client.woff = self.repl.master_repl_offset

    def _keymiss(self, db, key: bytes) -> None:
        from ..commands.notify import notify  # noqa: PLC0415
        notify(self, NOTIFY_KEY_MISS, b"keymiss", key, db.id)

    def on_key_expired(self, db, key: bytes) -> None:
        if db.watched:
            from ..commands.dispatch import touch_watched  # noqa: PLC0415
            touch_watched(db, [key])
        lazy = self.config["lazyfree-lazy-expire"]
        self.propagate_internal(db.id, [[b"UNLINK" if lazy else b"DEL", key]])
        if self.notify_flags:
            from ..commands.notify import notify  # noqa: PLC0415
            from ..config import NOTIFY_EXPIRED  # noqa: PLC0415
            notify(self, NOTIFY_EXPIRED, b"expired", key, db.id)

    # ----- hooks other subsystems fill in (maxmemory, replicas, pause)
    def ensure_memory(self) -> bool:
        """Evict per maxmemory-policy until under maxmemory; False if the write must be refused."""
        from ..engine import eviction  # noqa: PLC0415
        return eviction.ensure_memory(self)

    def enough_good_replicas(self) -> bool:
        return self.repl.good_replicas >= self.min_replicas_to_write

    def replicas_acked(self) -> None:
        self.repl.replicas_acked()

    def pause_blocks(self, client: ClientConnection, cmd) -> bool:
        if self.paused_until <= self.clock.monotonic_ms():
            self.unpause()
            return False
        if client.is_master or client.is_replica:
            return False
        if self.pause_type == "all":
            return True
        return bool(cmd.flags & WRITE) or cmd.name in ("eval", "evalsha", "fcall", "publish")

    def defer_paused(self, client: ClientConnection, argv: list[bytes]) -> None:
        client.blocked = ("pause", argv)
        client.pending.appendleft(argv)
        if client not in self.paused_clients:
            self.paused_clients.append(client)
        return None

    def unpause(self) -> None:
        self.paused_until = 0
        self.pause_type = ""
        self.update_guard()
        waiting = self.paused_clients
        self.paused_clients = []
        for client in waiting:
            if client.blocked and client.blocked[0] == "pause":
                client.blocked = None
                client.resume()

    # ----- cron
    async def cron(self) -> None:
        while not self.stopping:
            await asyncio.sleep(1.0 / self.hz)
            try:
                self.cron_tick()
            except Exception:  # noqa: BLE001 (the cron must keep running)
                self.log.warning("cron error:\n" + traceback.format_exc())

    def cron_tick(self) -> None:
        now_wall = self.clock.wall_ms()
        now = self.clock.monotonic_ms()
        self.keyspace.now_ms = now_wall
        # active expiry: up to 25% of the tick, earliest deadlines first
        budget_end = time.perf_counter() + 0.25 / self.hz
        start = time.perf_counter()

        def out_of_time() -> bool:
            return time.perf_counter() > budget_end

        if self.keyspace.expire_on_access and self.active_expire_enabled:
            for db in self.keyspace.dbs:
                if db.expires:
                    db.active_expire(now_wall, out_of_time)
                    if out_of_time():
                        break
        self.stat_expire_cycle_ms += int((time.perf_counter() - start) * 1000)
        # client timeouts
        timeout = int(self.config["timeout"])  # type: ignore[arg-type]
        if timeout:
            for client in list(self.clients.values()):
                if (not client.is_master and not client.is_replica and client.blocked is None
                        and not client.subscriptions and not client.psubscriptions and not client.ssubscriptions
                        and now_wall - client.last_interaction_ms > timeout * 1000):
                    self.log.verbose("Closing idle client")
                    client.close()
        # blocked clients' timeouts and pause expiry
        if self.paused_until and self.paused_until <= now:
            self.unpause()
        # instantaneous ops/sec
        last_t, last_calls = self._ops_last
        if now - last_t >= 100:
            calls = sum(c.calls for c in self.table.values()) + sum(
                s.calls for c in self.table.values() for s in c.subcommands.values())
            self.ops_samples.append((calls - last_calls) * 1000 // max(1, now - last_t))
            self._ops_last = (now, calls)
        for hook in self.cron_hooks:
            hook(now)

    # ----- start-up and shutdown
    async def start(self) -> None:
        self.loop = loop = asyncio.get_running_loop()
        port = int(self.config["port"])  # type: ignore[arg-type]
        backlog = int(self.config["tcp-backlog"])  # type: ignore[arg-type]
        if port:
            for addr in self._bind_addresses():
                optional = addr.startswith("-")
                host = addr.lstrip("-")
                host = None if host == "*" else ("::" if host == "::*" else host)
                family = socket.AF_INET6 if host and ":" in host else socket.AF_INET
                if host is None:
                    host = "0.0.0.0"
                try:
                    server = await loop.create_server(
                        lambda: ClientConnection(self), host, port, family=family, backlog=backlog,
                        reuse_address=True, start_serving=True)
                except OSError as exc:
                    if optional:
                        continue
                    self.log.warning(f"Warning: Could not create server TCP listening socket {addr}:{port}: "
                                     f"{exc.strerror}")
                    raise SystemExit(1) from None
                self.servers.append(server)
                self.listening.append(f"{host}:{port}")
        path = str(self.config["unixsocket"])
        if path:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            server = await loop.create_unix_server(lambda: ClientConnection(self, unix=True), path, backlog=backlog)
            perm = int(self.config["unixsocketperm"])  # type: ignore[arg-type]
            if perm:
                os.chmod(path, perm)
            self.servers.append(server)
        self._cron_task = loop.create_task(self.cron())
        master = self.config["replicaof"]
        if master is not None:
            self.repl.set_master(master[0], master[1])  # type: ignore[index]

    def _bind_addresses(self) -> list[str]:
        addrs = list(self.config["bind"])  # type: ignore[arg-type]
        return addrs or ["*"]

    def request_shutdown(self, reason: str = "") -> None:
        if self.stopping:
            return
        if reason:
            self.log.warning(reason)
        self.loop.create_task(self.shutdown())

    async def shutdown(self, save: bool | None = None) -> bool:
        self.log.warning("User requested shutdown...")
        for hook in self.shutdown_hooks:
            if hook(save) is False:
                self.log.warning("Errors trying to shut down the server. Check the logs for more information.")
                return False
        self.stopping = True
        pidfile = str(self.config["pidfile"])
        if pidfile:
            self.log.notice("Removing the pid file.")
            try:
                os.unlink(pidfile)
            except OSError:
                pass
        path = str(self.config["unixsocket"])
        if path:
            try:
                os.unlink(path)
            except OSError:
                pass
        for server in self.servers:
            server.close()
        for client in list(self.clients.values()):
            client.close()
        self.log.warning("Redis is now ready to exit, bye bye...")
        self.loop.stop()
        return True

    def install_signal_handlers(self) -> None:
        loop = self.loop
        for signum, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
            loop.add_signal_handler(
                signum, lambda n=name: self.request_shutdown(f"Received {n} scheduling shutdown..."))

    def uptime_seconds(self) -> int:
        return (self.clock.monotonic_ms() - self.start_mono_ms) // 1000


def _is_loopback(addr: str) -> bool:
    host = addr.rsplit(":", 1)[0]
    return host.startswith("127.") or host in ("::1", "localhost") or host.startswith("::ffff:127.")


def version_banner() -> str:
    return f"Redis version={REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid={os.getpid()}, just started"


__all__ = ["Node", "version_banner", "sys"]
