"""Replication state of a node and its master side: ids, offsets, backlog, attached replicas.

``Replication`` is created by the node. As a master it is a propagation feed
(``node.feeds``): every executed write arrives as ``(dbid, [argv...])``, is encoded once (with a
SELECT when the database changes); at the end of the loop turn what the turn wrote is appended to
the backlog and written to every online replica in one piece (``flush_stream``).
A replica that PSYNCs either continues from the backlog (``+CONTINUE``) or gets a full resync:
the node forks, the child writes an RDB of the dataset at the fork into a pipe, and the parent
forwards it to the replicas as a diskless ``$EOF:<mark>`` payload (or, for a replica without
``capa eof``, as a ``$<len>`` bulk). Writes made while the snapshot is in flight are kept per
replica and sent once the payload is through, so the replica sees exactly the stream that
follows the fork's offset.

As a replica (see ``replica.py`` for the link), the node applies its master's stream and
forwards the same bytes to its own replicas and backlog, so offsets agree along a chain.
"""

import gc
import os
import signal

from ..protocol import resp
from .backlog import Backlog, new_replid

ZERO_ID = "0" * 40
RDB_CHUNK = 256 * 1024


class ReplicaLink:
    """A replica attached to this node (the client connection it came in on, plus its state)."""

    __slots__ = ("client", "state", "ack_offset", "ack_time_ms", "port", "ip", "capa_eof", "capa_psync2",
                 "pending", "pending_size", "sync_offset", "waiting_since_ms", "pre_psync", "rdb_only")

    def __init__(self, client) -> None:
        self.client = client
        self.state = "wait_bgsave"          # wait_bgsave | send_bulk | online
        self.ack_offset = 0
        self.ack_time_ms = 0
        self.port = 0
        self.ip = ""
        self.capa_eof = False
        self.capa_psync2 = False
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.sync_offset = 0
        self.waiting_since_ms = 0
        self.pre_psync = False              # came with SYNC: no +FULLRESYNC line before the payload
        self.rdb_only = False               # REPLCONF rdb-only 1 (redis-cli --rdb): no stream after it

    @property
    def addr(self) -> str:
        # replicationGetSlaveName: a client that never said its port (SYNC, redis-cli) has none
        port = str(self.port) if self.port else "<unknown-replica-port>"
        return f"{self.ip or self.client.addr.rsplit(':', 1)[0]}:{port}"


class Replication:
    def __init__(self, node) -> None:
        self.node = node
        self.replid = new_replid(node.rng)
        self.replid2 = ZERO_ID
        self.second_replid_offset = -1
        self.master_repl_offset = 0
        self.backlog: Backlog | None = None
        self.backlog_idle_since_ms = 0
        self.replicas: list[ReplicaLink] = []
        self._flush_scheduled = False
        self._unsent: list[bytes] = []       # stream bytes the replicas have not been handed yet
        self.by_client: dict[int, ReplicaLink] = {}
        self.seldb = -1
        self.sync_child: int = 0
        self.sync_fd = -1
        self.sync_targets: list[ReplicaLink] = []
        self.sync_mark = b""
        self.sync_started = False
        self.sync_disk_buffer: bytearray | None = None
        self.last_ping_ms = 0
        self.stat_sync_full = 0
        self.stat_sync_partial_ok = 0
        self.stat_sync_partial_err = 0
        self.link = None                     # replica.MasterLink when we are a replica
        self.master_host = ""
        self.master_port = 0
        self.failover_state = "no-failover"
        self.replid_from_master = False
        self.waiters: list = []              # WAIT: (client, target offset, numreplicas, timer)
        self.good_replicas = 0
        node.cron_hooks.append(self.cron)
        node.disconnect_hooks.append(self.client_gone)

    # ----- the stream
    def feed(self, dbid: int | None, argvs: list[list[bytes]]) -> None:
        """Propagation feed: encode, append to the backlog, write to replicas. A replica never
        propagates what it executes: it forwards its master's stream verbatim (``feed_raw``)."""
        if self.backlog is None or self.node.is_replica:
            return
        if len(argvs) == 1 and (dbid is None or dbid == self.seldb):
            self.feed_raw(resp.command(argvs[0]))       # the usual case: one write, same db
            return
        parts = []
        if dbid is not None and dbid != self.seldb:
            parts.append(resp.command([b"SELECT", b"%d" % dbid]))
            self.seldb = dbid
        for argv in argvs:
            parts.append(resp.command(argv))
        self.feed_raw(b"".join(parts))

    def feed_write(self, client, argv: list[bytes]) -> None:
        """The dispatcher's shortcut while the stream is the only feed (``node.stream_feed``): a
        client's write propagated as itself, i.e. ``node.propagate`` → ``feed`` → ``feed_raw`` in
        one call (a Python call costs as much as each of their steps)."""
        if self.node._tx_depth or client.db.id != self.seldb:
            self.node.propagate(client, argv)
            return
        parser = client.parser
        # a request that came alone in its read is sent as it came (the parser checked that
        # those bytes are its canonical encoding, which resp.command would rebuild)
        self.feed_raw(parser.one_raw if parser.one is argv else resp.command(argv))
        client.woff = self.master_repl_offset

    def feed_raw(self, data: bytes) -> None:
        """Add stream bytes (ours, or our master's when we are a replica). The offset moves now;
        the bytes reach the backlog and the replicas at the end of the loop turn (``flush_stream``),
        one append and one send for everything the turn wrote."""
        if self.backlog is None:
            if not self.replicas:
                self.master_repl_offset += len(data)
                return
            self.create_backlog()
        self.master_repl_offset += len(data)
        self._unsent.append(data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.node.loop.call_soon(self.flush_stream)

    def flush_stream(self) -> None:
        """Append the stream written since the last flush to the backlog and hand it to each
        replica, by its state now: an online replica gets it on the wire, one receiving its
        snapshot keeps it for later. Called at the end of a loop turn, and before anything that
        reads or replaces the backlog, adds a replica or forks for one (PSYNC, INFO, a new
        transfer), so the backlog is whole when read and no byte reaches a replica twice."""
        self._flush_scheduled = False
        if not self._unsent:
            return
        data = b"".join(self._unsent) if len(self._unsent) > 1 else self._unsent[0]
        self._unsent = []
        if self.backlog is not None:
            self.backlog.append(data)
        for link in tuple(self.replicas):       # a replica over its output limit is dropped here
            if link.state == "online":
                link.client.push(data)
            elif link.state == "send_bulk":
                link.pending.append(data)
                link.pending_size += len(data)
                self._check_pending_limit(link)

    def _check_pending_limit(self, link: ReplicaLink) -> None:
        hard, _soft, _secs = self.node.config["client-output-buffer-limit"]["replica"]  # type: ignore[index]
        if hard and link.pending_size > hard:
            self.node.log.warning(f"Client {link.addr} scheduled to be closed ASAP for overcoming of output "
                                  "buffer limits.")
            self.drop_replica(link)

    def sync_feed(self) -> None:
        """Keep ``feed`` among the node's propagation feeds exactly while it has work to do (a
        master with a backlog), so the dispatcher skips propagation entirely otherwise."""
        self.node.set_feed(self.feed, self.backlog is not None and not self.node.is_replica)

    def create_backlog(self) -> None:
        size = int(self.node.config["repl-backlog-size"])  # type: ignore[arg-type]
        self.backlog = Backlog(size, self.master_repl_offset + 1)
        self.sync_feed()
        # a new backlog starts a new history unless we are a replica following our master's
        if not self.node.is_replica and self.master_repl_offset == 0:
            pass
        self.node.log.notice(f"Replication backlog created, my new replication IDs are '{self.replid}' and "
                             f"'{self.replid2}'")

    def shift_replid(self) -> None:
        """Start a new history, remembering the old one (PSYNC2): used on promotion."""
        self.replid2 = self.replid
        self.second_replid_offset = self.master_repl_offset + 1
        self.replid = new_replid(self.node.rng)
        self.node.log.notice(f"Setting secondary replication ID to {self.replid2}, valid up to offset: "
                             f"{self.second_replid_offset}. New replication ID is {self.replid}")

    # ----- commands from replicas
    def replconf(self, client, args: list[bytes]) -> bytes | None:
        link = self.by_client.get(client.id)
        i = 0
        while i + 1 < len(args):
            opt, val = args[i].lower(), args[i + 1]
            if opt == b"listening-port":
                link = link or self._link_for(client)
                link.port = int(val)
            elif opt == b"ip-address":
                link = link or self._link_for(client)
                link.ip = val.decode(errors="replace")
            elif opt == b"capa":
                link = link or self._link_for(client)
                if val.lower() == b"eof":
                    link.capa_eof = True
                elif val.lower() == b"psync2":
                    link.capa_psync2 = True
            elif opt == b"ack":
                if link is not None and client.is_replica:
                    offset = int(val)
                    if offset > link.ack_offset:
                        link.ack_offset = offset
                    link.ack_time_ms = self.node.clock.monotonic_ms()
                    if link.state == "send_bulk" and link.sync_offset == -1:
                        self._put_online(link)
                    self.node.replicas_acked()
                return None
            elif opt == b"getack":
                if self.link is not None:
                    self.link.send_ack()
                return None
            elif opt == b"rdb-only":
                link = link or self._link_for(client)
                link.rdb_only = val == b"1"
            elif opt == b"rdb-filter-only":
                pass
            else:
                from ..protocol.errors import CommandError  # noqa: PLC0415
                raise CommandError(b"ERR Unrecognized REPLCONF option: %s" % args[i])
            i += 2
        return resp.OK

    def _link_for(self, client) -> ReplicaLink:
        link = self.by_client.get(client.id)
        if link is None:
            link = ReplicaLink(client)
            self.by_client[client.id] = link
        return link

    def psync(self, client, replid: bytes, offset_arg: bytes, pre_psync: bool = False) -> bytes | None:
        """PSYNC/SYNC: continue from the backlog or start a full resync. Returns the immediate reply."""
        node = self.node
        self.flush_stream()
        link = self._link_for(client)
        link.pre_psync = pre_psync
        addr = link.addr
        node.log.notice(f"Replica {addr} asks for synchronization")
        try:
            offset = int(offset_arg)
        except ValueError:
            offset = -1
        rid = replid.decode(errors="replace")
        client.is_replica = True
        client.guard_update()
        if self._can_continue(rid, offset):
            return self._continue(link, rid, offset)
        if rid != "?":
            self.stat_sync_partial_err += 1
            if rid != self.replid and rid != self.replid2:
                node.log.notice(f"Partial resynchronization not accepted: Replication ID mismatch (Replica asked for "
                                f"'{rid}', my replication IDs are '{self.replid}' and '{self.replid2}')")
            else:
                node.log.notice("Unable to partial resync with replica " + addr + " for lack of backlog (Replica "
                                f"request was: {offset}).")
        else:
            node.log.notice(f"Full resync requested by replica {addr}")
        self.stat_sync_full += 1
        if self.backlog is None:
            self.create_backlog()
        if link not in self.replicas:
            self.replicas.append(link)
        link.state = "wait_bgsave"
        link.waiting_since_ms = node.clock.monotonic_ms()
        self._maybe_start_sync()
        return None

    def _can_continue(self, rid: str, offset: int) -> bool:
        if self.backlog is None or rid == "?":
            return False
        if rid == self.replid:
            pass
        elif rid == self.replid2 and offset <= self.second_replid_offset:
            pass
        else:
            return False
        if self.node.is_replica and (self.link is None or not self.link.connected):
            return False
        return self.backlog.covers(offset)

    def _continue(self, link: ReplicaLink, rid: str, offset: int) -> bytes | None:
        node = self.node
        client = link.client
        reply = b"+CONTINUE %s\r\n" % self.replid.encode() if link.capa_psync2 else b"+CONTINUE\r\n"
        data = self.backlog.read_from(offset)  # type: ignore[union-attr]
        client.write(reply + data)
        link.state = "online"
        link.ack_offset = offset - 1
        link.ack_time_ms = node.clock.monotonic_ms()
        if link not in self.replicas:
            self.replicas.append(link)
        self.stat_sync_partial_ok += 1
        node.log.notice(f"Partial resynchronization request from {link.addr} accepted. Sending {len(data)} bytes "
                        f"of backlog starting from offset {offset}.")
        return None

    # ----- full resync
    def _maybe_start_sync(self) -> None:
        if self.sync_child:
            return  # the running transfer can't take more replicas; they wait for the next one
        waiting = [r for r in self.replicas if r.state == "wait_bgsave"]
        if not waiting:
            return
        config = self.node.config
        diskless = bool(config["repl-diskless-sync"]) and all(r.capa_eof for r in waiting)
        delay = int(config["repl-diskless-sync-delay"]) * 1000 if diskless else 0  # type: ignore[arg-type]
        max_replicas = int(config["repl-diskless-sync-max-replicas"])  # type: ignore[arg-type]
        now = self.node.clock.monotonic_ms()
        oldest = min(r.waiting_since_ms for r in waiting)
        if delay and now - oldest < delay and not (max_replicas and len(waiting) >= max_replicas):
            self.node.loop.call_later((delay - (now - oldest)) / 1000 + 0.001, self._maybe_start_sync)
            return
        self._start_sync(waiting, diskless)

    def _start_sync(self, targets: list[ReplicaLink], diskless: bool) -> None:
        from ..persistence.rdb import iter_encode  # noqa: PLC0415
        from ..persistence.snapshot import _function_codes as function_codes  # noqa: PLC0415
        node = self.node
        self.flush_stream()                 # what precedes the fork is in the snapshot
        functions = function_codes(node)      # FUNCTION libraries travel in the snapshot
        self.seldb = -1
        offset = self.master_repl_offset
        for link in targets:
            if not link.pre_psync:
                link.client.write(b"+FULLRESYNC %s %d\r\n" % (self.replid.encode(), offset))
            link.state = "send_bulk"
            link.sync_offset = offset
            link.pending = []
            link.pending_size = 0
        aux = self.rdb_aux()
        if not diskless:
            node.log.notice("Starting BGSAVE for SYNC with target: replicas (in-process, $<len> payload)")
            payload = b"".join(iter_encode(node.keyspace, aux, functions=function_codes(node)))
            for link in targets:
                link.client.write(b"$%d\r\n" % len(payload) + payload)
                self._sent_payload(link, wait_ack=False)
            return
        node.log.notice("Starting BGSAVE for SYNC with target: replicas sockets")
        rfd, wfd = os.pipe()
        gc.collect()
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # child: write the snapshot into the pipe and leave
            try:
                os.close(rfd)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                for chunk in iter_encode(node.keyspace, aux, functions=functions):
                    view = memoryview(chunk)
                    while view:
                        n = os.write(wfd, view)
                        view = view[n:]
                os.close(wfd)
                os._exit(0)
            except BaseException:  # noqa: BLE001 (a child never returns into the parent's code)
                os._exit(1)
        gc.unfreeze()
        os.close(wfd)
        os.set_blocking(rfd, False)
        self.sync_child = pid
        self.sync_fd = rfd
        self.sync_targets = list(targets)
        self.sync_mark = (f"{node.rng.getrandbits(160):040x}").encode()
        self.sync_started = False
        node.log.notice(f"Background RDB transfer started by pid {pid}")
        node.loop.add_reader(rfd, self._pipe_readable)

    def rdb_aux(self) -> dict[bytes, bytes]:
        return {b"repl-stream-db": b"0", b"repl-id": self.replid.encode(),
                b"repl-offset": b"%d" % self.master_repl_offset}

    def _pipe_readable(self) -> None:
        targets = [t for t in self.sync_targets if not t.client.closing]
        if targets and max(t.client.output_buffer_size() for t in targets) > 8 * 1024 * 1024:
            # the replicas read slower than the child writes: wait instead of buffering the RDB
            self.node.loop.remove_reader(self.sync_fd)
            self.node.loop.call_later(0.01, self._resume_pipe)
            return
        try:
            chunk = os.read(self.sync_fd, RDB_CHUNK)
        except BlockingIOError:
            return
        out = chunk
        if not self.sync_started:
            self.sync_started = True
            out = b"$EOF:" + self.sync_mark + b"\r\n" + chunk
        if out:
            for link in targets:
                link.client.write(out)
        if not chunk:
            self._finish_pipe(targets)

    def _resume_pipe(self) -> None:
        if self.sync_fd >= 0:
            self.node.loop.add_reader(self.sync_fd, self._pipe_readable)

    def _finish_pipe(self, targets: list[ReplicaLink]) -> None:
        node = self.node
        node.loop.remove_reader(self.sync_fd)
        os.close(self.sync_fd)
        self.sync_fd = -1
        _pid, status = os.waitpid(self.sync_child, 0)
        self.sync_child = 0
        ok = os.waitstatus_to_exitcode(status) == 0
        node.log.warning(f"Diskless rdb transfer, done reading from pipe, {len(targets)} replicas still up.")
        if ok:
            node.log.notice("Background RDB transfer terminated with success")
            for link in targets:
                link.client.write(self.sync_mark)
                node.log.notice(f"Streamed RDB transfer with replica {link.addr} succeeded (socket). Waiting for "
                                "REPLCONF ACK from slave to enable streaming")
                self._sent_payload(link, wait_ack=True)
        else:
            node.log.warning("Background transfer error")
            for link in targets:
                self.drop_replica(link)
        self.sync_targets = []
        self._maybe_start_sync()

    def _sent_payload(self, link: ReplicaLink, wait_ack: bool) -> None:
        if link.rdb_only:
            # an RDB-only replica (redis-cli --rdb) wanted the snapshot alone: no stream follows it
            link.client.close()
            return
        if wait_ack:
            # a replica reading an $EOF: payload finds its end by the trailing mark, so nothing may
            # follow it until the replica says it loaded the snapshot (its first REPLCONF ACK)
            link.sync_offset = -1
            link.ack_time_ms = self.node.clock.monotonic_ms()
        else:
            self._put_online(link)

    def _put_online(self, link: ReplicaLink) -> None:
        for chunk in link.pending:
            link.client.write(chunk)
        link.pending = []
        link.pending_size = 0
        link.state = "online"
        link.sync_offset = 0
        link.ack_time_ms = self.node.clock.monotonic_ms()
        self.node.log.notice(f"Synchronization with replica {link.addr} succeeded")

    def drop_replica(self, link: ReplicaLink) -> None:
        # like freeClient: what is still buffered for a timed-out or overflowing replica is dropped,
        # so a frozen peer can't keep the link (and its output) alive
        client = link.client
        if client.transport is not None:
            client.closing = True
            client.transport.abort()
        else:
            client.close()

    def client_gone(self, client) -> None:
        for waiter in list(self.waiters):
            if waiter[0] is client:
                self.waiters.remove(waiter)
                if waiter[3] is not None:
                    waiter[3].cancel()
        link = self.by_client.pop(client.id, None)
        if link is None:
            return
        if link in self.replicas:
            self.replicas.remove(link)
            self.node.log.notice(f"Connection with replica {link.addr} lost.")
        if link in self.sync_targets:
            self.sync_targets.remove(link)
        if not self.replicas:
            self.backlog_idle_since_ms = self.node.clock.monotonic_ms()

    def disconnect_replicas(self) -> None:
        for link in list(self.replicas):
            link.client.close()

    # ----- periodic work
    def cron(self, now_ms: int) -> None:
        node = self.node
        config = node.config
        period = int(config["repl-ping-replica-period"]) * 1000  # type: ignore[arg-type]
        if self.replicas and not node.is_replica and now_ms - self.last_ping_ms >= period:
            self.last_ping_ms = now_ms
            self.feed(None, [[b"PING"]])
        timeout = int(config["repl-timeout"]) * 1000  # type: ignore[arg-type]
        for link in list(self.replicas):
            if link.state == "online" and link.sync_offset == 0 and link.ack_time_ms and \
                    now_ms - link.ack_time_ms > timeout:
                node.log.warning(f"Disconnecting timedout replica (streaming sync): {link.addr}")
                self.drop_replica(link)
        # backlog TTL: free it when no replica has been attached for repl-backlog-ttl seconds
        ttl = int(config["repl-backlog-ttl"]) * 1000  # type: ignore[arg-type]
        if (self.backlog is not None and not self.replicas and not node.is_replica and ttl
                and self.backlog_idle_since_ms and now_ms - self.backlog_idle_since_ms > ttl):
            self.flush_stream()
            self.backlog = None
            self.sync_feed()
            self.shift_replid()
            node.log.notice(f"Replication backlog freed after {ttl // 1000} seconds without connected replicas.")
        if self.link is not None:
            self.link.cron(now_ms)
        self.refresh_good_replicas(now_ms)
        if self.backlog is not None:
            size = int(config["repl-backlog-size"])  # type: ignore[arg-type]
            if size != self.backlog.size:
                self.flush_stream()
                self.backlog.resize(size)

    def refresh_good_replicas(self, now_ms: int) -> None:
        max_lag = int(self.node.config["min-replicas-max-lag"]) * 1000  # type: ignore[arg-type]
        self.good_replicas = sum(1 for r in self.replicas
                                 if r.state == "online" and now_ms - r.ack_time_ms <= max_lag)

    # ----- role changes
    def set_master(self, host: str, port: int, reason: str = "") -> None:
        """Become (or re-point) a replica of host:port, keeping the dataset; PSYNC will try to
        continue our own history with the new master (PSYNC2)."""
        from .replica import MasterLink  # noqa: PLC0415
        node = self.node
        was_master = not node.is_replica
        if self.link is not None:
            self.link.stop()
            self.link = None
        self.master_host, self.master_port = host, port
        node.is_replica = True
        node.master_link_up = False
        node.keyspace.expire_on_access = False
        node.log.role = "S"
        node.update_guard()
        self.sync_feed()
        self.disconnect_replicas()
        self.cancel_waiters()
        if was_master:
            self.replid_from_master = self.master_repl_offset > 0
        if reason:
            node.log.notice(f"REPLICAOF {host}:{port} enabled ({reason})")
        self.link = MasterLink(self, host, port)
        self.link.start()

    def unset_master(self, reason: str = "") -> None:
        """REPLICAOF NO ONE: stop replicating, keep the data, start a new history (PSYNC2 keeps the
        old id as replid2 so former siblings can continue partially with us)."""
        node = self.node
        if not node.is_replica:
            return
        if self.link is not None:
            self.link.stop()
            self.link = None
        self.shift_replid()
        self.master_host, self.master_port = "", 0
        node.is_replica = False
        node.master_link_up = False
        node.keyspace.expire_on_access = True
        node.log.role = "M"
        node.update_guard()
        # our replicas reconnect and continue with the new id
        self.disconnect_replicas()
        self.seldb = -1
        if self.backlog is None:
            self.create_backlog()
        self.sync_feed()
        node.log.notice(f"MASTER MODE enabled ({reason})" if reason else "MASTER MODE enabled")

    # ----- WAIT
    def replicas_acked(self) -> None:
        if not self.waiters:
            return
        for waiter in list(self.waiters):
            client, target, numreplicas, _timer = waiter
            count = self.acked_count(target)
            if count >= numreplicas:
                self._finish_wait(waiter, count)

    def acked_count(self, target: int) -> int:
        return sum(1 for r in self.replicas if r.state == "online" and r.ack_offset >= target)

    def add_waiter(self, client, target: int, numreplicas: int, timeout_ms: int) -> None:
        loop = self.node.loop
        waiter = [client, target, numreplicas, None]
        if timeout_ms:
            waiter[3] = loop.call_later(timeout_ms / 1000, lambda: self._finish_wait(waiter, None))
        self.waiters.append(waiter)
        client.blocked = ("wait", waiter)
        # ask the replicas for an ACK now, as Redis does before the client sleeps
        self.feed(None, [[b"REPLCONF", b"GETACK", b"*"]])

    def _finish_wait(self, waiter: list, count: int | None) -> None:
        if waiter not in self.waiters:
            return
        self.waiters.remove(waiter)
        client, target, _n, timer = waiter
        if timer is not None:
            timer.cancel()
        if count is None:
            count = self.acked_count(target)
        if client.blocked is not None and client.blocked[0] == "wait":
            client.blocked = None
            client.write(resp.integer(count))
            client.resume()

    def cancel_waiters(self) -> None:
        for waiter in list(self.waiters):
            self._finish_wait(waiter, None)

    # ----- INFO and ROLE
    def info_fields(self) -> list[tuple[str, object]]:
        node = self.node
        now = node.clock.monotonic_ms()
        fields: list[tuple[str, object]] = [("role", "slave" if node.is_replica else "master")]
        link = self.link
        if node.is_replica:
            fields += [("master_host", self.master_host), ("master_port", self.master_port)]
            up = link is not None and link.connected
            fields.append(("master_link_status", "up" if up else "down"))
            last_io = (now - link.last_io_ms) // 1000 if (link is not None and link.last_io_ms) else -1
            fields.append(("master_last_io_seconds_ago", last_io if up else -1))
            fields.append(("master_sync_in_progress", 1 if link is not None and link.transferring else 0))
            reploff = link.reploff if link is not None else self.master_repl_offset
            fields.append(("slave_read_repl_offset", reploff))
            fields.append(("slave_repl_offset", reploff))
            if link is not None and link.transferring:
                total = link.transfer_size
                read = link.transfer_read
                fields += [("master_sync_total_bytes", total), ("master_sync_read_bytes", read),
                           ("master_sync_left_bytes", max(0, total - read) if total >= 0 else -1),
                           ("master_sync_perc", "%.2f" % (100.0 * read / total) if total > 0 else "0.00"),
                           ("master_sync_last_io_seconds_ago", (now - link.last_io_ms) // 1000)]
            if not up:
                down = link.down_since_ms if link is not None and link.down_since_ms else now
                fields.append(("master_link_down_since_seconds", (now - down) // 1000 if link else -1))
            fields += [("slave_priority", node.config["replica-priority"]),
                       ("slave_read_only", int(bool(node.config["replica-read-only"]))),
                       ("replica_announced", int(bool(node.config["replica-announced"])))]
        fields.append(("connected_slaves", len(self.replicas)))
        if node.min_replicas_to_write and int(node.config["min-replicas-max-lag"]):  # type: ignore[arg-type]
            fields.append(("min_slaves_good_slaves", self.good_replicas))
        for i, r in enumerate(self.replicas):
            state = {"wait_bgsave": "wait_bgsave", "send_bulk": "send_bulk", "online": "online"}[r.state]
            lag = (now - r.ack_time_ms) // 1000 if r.ack_time_ms else 0
            ip = r.ip or r.client.addr.rsplit(":", 1)[0]
            fields.append((f"slave{i}", f"ip={ip},port={r.port},state={state},offset={r.ack_offset},lag={lag}"))
        self.flush_stream()                     # histlen and first offset count the whole stream
        backlog = self.backlog
        fields += [
            ("master_failover_state", self.failover_state),
            ("master_replid", self.replid),
            ("master_replid2", self.replid2),
            ("master_repl_offset", self.current_offset()),
            ("second_repl_offset", self.second_replid_offset),
            ("repl_backlog_active", 1 if backlog is not None else 0),
            ("repl_backlog_size", int(node.config["repl-backlog-size"])),  # type: ignore[arg-type]
            ("repl_backlog_first_byte_offset", backlog.real_first_offset() if backlog is not None else 0),
            ("repl_backlog_histlen", backlog.histlen if backlog is not None else 0),
        ]
        return fields

    def current_offset(self) -> int:
        if self.node.is_replica and self.link is not None:
            return self.link.reploff
        return self.master_repl_offset

    def role_reply(self) -> bytes:
        node = self.node
        if node.is_replica:
            link = self.link
            state = link.role_state() if link is not None else "connect"
            reploff = link.reploff if link is not None and link.connected else -1
            return resp.array([resp.bulk(b"slave"), resp.bulk(self.master_host.encode()),
                               resp.integer(self.master_port), resp.bulk(state.encode()), resp.integer(reploff)])
        rows = []
        for r in self.replicas:
            if r.state != "online":
                continue
            ip = r.ip or r.client.addr.rsplit(":", 1)[0]
            rows.append(resp.bulk_array([ip.encode(), b"%d" % r.port, b"%d" % r.ack_offset]))
        return resp.array([resp.bulk(b"master"), resp.integer(self.master_repl_offset), resp.array(rows)])
