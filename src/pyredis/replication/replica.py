"""The replica's link to its master: connect, handshake, receive the snapshot, apply the stream.

The handshake itself is the sans-IO ``Handshake``; this ``asyncio.Protocol`` moves its bytes,
then reads the payload of a full resync (``$EOF:<mark>`` or ``$<len>``), loads it, and applies
the command stream through the normal dispatcher as the master client (``client.is_master``:
read-only checks are skipped, no replies are sent back). Every applied command advances the
replication offset by its size on the wire and is forwarded verbatim to our own replicas and
backlog. An ACK (``REPLCONF ACK <offset>``) goes to the master every second and on GETACK.

A lost link keeps the replication id and offset (Redis's cached master), so the next
connection asks ``PSYNC <replid> <offset+1>`` and usually continues where it stopped.
"""

import asyncio
import os

from ..commands.dispatch import run_batch
from ..protocol import resp
from ..protocol.errors import ProtocolError
from ..protocol.parser import RequestParser, canonical_len
from .backlog import Backlog
from .handshake import Handshake, Outcome
from .master import ZERO_ID


class MasterLink(asyncio.Protocol):
    def __init__(self, repl, host: str, port: int) -> None:
        self.repl = repl
        self.node = repl.node
        self.host = host
        self.port = port
        self.transport: asyncio.Transport | None = None
        self.state = "connect"          # connect | connecting | handshake | transfer | connected
        self.buf = bytearray()
        self.handshake: Handshake | None = None
        self.pending_outcome: Outcome | None = None
        self.parser = RequestParser(1 << 62, 1 << 62)
        self.raw_tail = b""              # bytes of a partial request from the master, not yet applied
        self.master_client = None
        self.payload = bytearray()
        self.eof_mark = b""
        self.transfer_size = -1
        self.transfer_read = 0
        self.last_io_ms = 0
        self.state_since_ms = self.node.clock.monotonic_ms()
        self.down_since_ms = self.node.clock.monotonic_ms()
        self.last_ack_ms = 0
        self.stopped = False
        self._retry: asyncio.TimerHandle | None = None

    # ----- state for INFO / ROLE
    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def transferring(self) -> bool:
        return self.state == "transfer"

    @property
    def reploff(self) -> int:
        return self.repl.master_repl_offset

    def role_state(self) -> str:
        return {"connect": "connect", "connecting": "connecting", "handshake": "handshake",
                "transfer": "sync", "connected": "connected"}[self.state]

    # ----- life cycle
    def start(self) -> None:
        self.node.log.notice(f"Connecting to MASTER {self.host}:{self.port}")
        self.node.log.notice("MASTER <-> REPLICA sync started")
        self.state = "connecting"
        self.state_since_ms = self.node.clock.monotonic_ms()
        self.node.loop.create_task(self._connect())

    async def _connect(self) -> None:
        loop = self.node.loop
        try:
            await asyncio.wait_for(loop.create_connection(lambda: self, self.host, self.port), 10)
        except (TimeoutError, OSError) as exc:
            if self.stopped:
                return
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "timeout"
            self.node.log.warning(f"Error condition on socket for SYNC: {reason}")
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        self.state = "connect"
        if self.stopped or self._retry is not None:
            return

        def retry() -> None:
            self._retry = None
            if not self.stopped:
                self.start()

        self._retry = self.node.loop.call_later(1.0, retry)

    def stop(self) -> None:
        """REPLICAOF NO ONE or a new master: drop this link for good."""
        self.stopped = True
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        if self.transport is not None:
            self.transport.close()
        self.node.master_link_up = False

    # ----- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.stopped:
            transport.close()
            return
        self.transport = transport  # type: ignore[assignment]
        self.node.log.notice("Non blocking connect for SYNC fired the event.")
        config = self.node.config
        repl = self.repl
        port = int(config["replica-announce-port"]) or int(config["port"])  # type: ignore[arg-type]
        cached = repl.replid if repl.master_repl_offset or repl.replid_from_master else None
        self.handshake = Handshake(port, cached, repl.master_repl_offset, str(config["masterauth"]),
                                   str(config["masteruser"]), str(config["replica-announce-ip"]))
        self.state = "handshake"
        self.state_since_ms = self.last_io_ms = self.node.clock.monotonic_ms()
        self.buf.clear()
        self._send(self.handshake.start())

    def _send(self, argv: list[bytes]) -> None:
        if self.transport is not None:
            self.transport.write(resp.command(argv))

    def data_received(self, data: bytes) -> None:
        self.last_io_ms = self.node.clock.monotonic_ms()
        if self.state == "connected":
            self._apply(data)
            return
        self.buf += data
        while self.buf and not self.stopped:
            if self.state == "handshake":
                if not self._step_handshake():
                    return
            elif self.state == "transfer":
                if not self._step_transfer():
                    return
            elif self.state == "connected":
                rest = bytes(self.buf)
                self.buf.clear()
                self._apply(rest)
                return
            else:
                return

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._unregister_master_client()
        was = self.state
        self.node.master_link_up = False
        self.node.update_guard()
        self.down_since_ms = self.node.clock.monotonic_ms()
        if self.stopped:
            return
        if was == "connected":
            self.node.log.notice("Connection with master lost.")
            self.node.log.notice("* Caching the disconnected master state.".lstrip("* "))
        elif was == "transfer":
            self.node.log.warning("I/O error trying to sync with MASTER: connection lost")
        self.payload = bytearray()
        self._schedule_retry()

    # ----- handshake
    def _step_handshake(self) -> bool:
        eol = self.buf.find(b"\r\n")
        if eol < 0:
            return False
        line = bytes(self.buf[:eol])
        del self.buf[:eol + 2]
        assert self.handshake is not None
        if self.handshake.state == "receive_ping_reply" and not line.startswith(b"-"):
            self.node.log.notice("Master replied to PING, replication can continue...")
        if self.handshake.state == "receive_capa_reply":
            cached = self.handshake.cached_replid
            if cached:
                self.node.log.notice(f"Trying a partial resynchronization (request {cached}:"
                                     f"{self.handshake.cached_offset + 1}).")
            else:
                self.node.log.notice("Partial resynchronization not possible (no cached master)")
        nxt = self.handshake.step(line)
        if isinstance(nxt, list):
            self._send(nxt)
            return True
        return self._handshake_done(nxt)

    def _handshake_done(self, outcome: Outcome) -> bool:
        node = self.node
        repl = self.repl
        if outcome.kind == "fullresync":
            node.log.notice(f"Full resync from master: {outcome.replid}:{outcome.offset}")
            self.pending_outcome = outcome
            self.state = "transfer"
            self.state_since_ms = node.clock.monotonic_ms()
            self.transfer_size = -1
            self.transfer_read = 0
            self.eof_mark = b""
            self.payload = bytearray()
            return True
        if outcome.kind == "continue":
            node.log.notice("Successful partial resynchronization with master.")
            if outcome.replid and outcome.replid != repl.replid:
                repl.replid2 = repl.replid
                repl.second_replid_offset = repl.master_repl_offset + 1
                repl.replid = outcome.replid
                node.log.notice(f"Master replication ID changed to {outcome.replid}")
                repl.disconnect_replicas()
            node.log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
            self._go_connected()
            return True
        if outcome.kind == "retry":
            node.log.notice(f"Master is currently unable to PSYNC but should be in the future: {outcome.message}")
        else:
            node.log.warning(outcome.message)
        if self.transport is not None:
            self.transport.close()
        return False

    # ----- snapshot transfer
    def _step_transfer(self) -> bool:
        buf = self.buf
        if self.transfer_size < 0 and not self.eof_mark:
            while buf[:1] == b"\n":        # keep-alive newlines while the master prepares the RDB
                del buf[:1]
            eol = buf.find(b"\r\n")
            if eol < 0:
                return False
            line = bytes(buf[:eol])
            del buf[:eol + 2]
            if line.startswith(b"-"):
                self.node.log.warning(f"MASTER aborted replication with an error: {line[1:].decode(errors='replace')}")
                if self.transport is not None:
                    self.transport.close()
                return False
            if line.startswith(b"$EOF:"):
                self.eof_mark = line[5:]
                self.transfer_size = 0
                self.node.log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk")
            elif line.startswith(b"$"):
                self.transfer_size = int(line[1:])
                self.node.log.notice(f"MASTER <-> REPLICA sync: receiving {self.transfer_size} bytes from master "
                                     "to disk")
            else:
                self.node.log.warning(f"Bad protocol from MASTER, the first byte is not '$' (we received "
                                      f"'{line[:64].decode(errors='replace')}'), are you sure the host and port "
                                      "are right?")
                if self.transport is not None:
                    self.transport.close()
                return False
        if self.eof_mark:
            self.payload += buf
            self.transfer_read += len(buf)
            buf.clear()
            mark = self.eof_mark
            if len(self.payload) >= len(mark) and self.payload[-len(mark):] == mark:
                del self.payload[-len(mark):]
                self._load_snapshot()
            return False
        need = self.transfer_size - len(self.payload)
        self.payload += buf[:need]
        self.transfer_read = len(self.payload)
        del buf[:need]
        if len(self.payload) >= self.transfer_size:
            self._load_snapshot()
            return True
        return False

    def _load_snapshot(self) -> None:
        node = self.node
        repl = self.repl
        outcome = self.pending_outcome
        assert outcome is not None
        node.log.notice("MASTER <-> REPLICA sync: Flushing old data")
        for db in node.keyspace.dbs:
            db.clear()
        node.log.notice("MASTER <-> REPLICA sync: Loading DB in memory")
        payload = bytes(self.payload)
        self.payload = bytearray()
        try:
            loaded, expired = load_snapshot(node.keyspace, payload, node)
        except Exception as exc:  # noqa: BLE001 (a bad payload drops the link, as Redis does)
            node.log.warning(f"Failed trying to load the MASTER synchronization DB from socket: {exc}")
            if self.transport is not None:
                self.transport.close()
            return
        node.log.notice(f"Done loading RDB, keys loaded: {loaded}, keys expired: {expired}.")
        repl.flush_stream()         # the old history's tail goes to the old backlog, then both go
        repl.disconnect_replicas()
        repl.replid = outcome.replid
        repl.replid_from_master = True
        repl.master_repl_offset = outcome.offset
        repl.replid2 = ZERO_ID
        repl.second_replid_offset = -1
        repl.backlog = Backlog(int(node.config["repl-backlog-size"]), outcome.offset + 1)  # type: ignore[arg-type]
        repl.sync_feed()
        self.master_client = None
        node.log.notice("MASTER <-> REPLICA sync: Finished with success")
        aof = getattr(node, "aof", None)
        if aof is not None:
            aof.restart_after_sync()   # the old AOF no longer describes the dataset
        self._go_connected()
        self.send_ack()

    # ----- streaming
    def _go_connected(self) -> None:
        node = self.node
        self.state = "connected"
        self.state_since_ms = node.clock.monotonic_ms()
        self.parser = RequestParser(1 << 62, 1 << 62)
        self.raw_tail = b""
        if self.master_client is None:
            from ..node.connection import ClientConnection  # noqa: PLC0415
            client = ClientConnection(node)
            client.is_master = True
            client.authenticated = True
            client.guard_update()
            client.addr = f"{self.host}:{self.port}"
            self.master_client = client
        else:
            self.master_client.closing = False
        self._register_master_client()
        node.master_link_up = True
        node.update_guard()

    def _register_master_client(self) -> None:
        """List the master's link among the clients (CLIENT LIST flag M, CLIENT KILL TYPE master):
        closing that client closes the link, which then reconnects and PSYNCs."""
        client = self.master_client
        transport = self.transport
        if client is None or transport is None:
            return
        client.transport = transport
        sock = transport.get_extra_info("socket")
        client.fd = sock.fileno() if sock is not None else -1
        local = transport.get_extra_info("sockname")
        if local:
            client.laddr = f"{local[0]}:{local[1]}"
        self.node.clients[client.id] = client

    def _unregister_master_client(self) -> None:
        client = self.master_client
        if client is not None:
            self.node.clients.pop(client.id, None)
            client.transport = None

    def _apply(self, data: bytes) -> None:
        parser = self.parser
        raw = self.raw_tail + data if self.raw_tail else data
        try:
            requests = parser.feed(data)
        except ProtocolError as exc:
            self.node.log.warning(f"Protocol error from master: {exc.message!r}")
            if self.transport is not None:
                self.transport.close()
            return
        # What we applied is forwarded verbatim (backlog, our replicas) and advances the offset,
        # as Redis's replicationFeedStreamFromMasterStream: the whole read when the parser holds
        # no partial request, else the completed requests' bytes (a master's stream is canonical
        # multibulk, the one encoding whose length canonical_len gives).
        if parser.idle():
            end = len(raw)
            self.raw_tail = b""
        else:
            end = sum(map(canonical_len, requests))
            self.raw_tail = raw[end:]
        client = self.master_client
        repl = self.repl
        node = self.node
        keyspace = node.keyspace
        keyspace.now_ms = node.clock.wall_ms()
        # the master's commands see keys whose TTL passed here: their DEL is on its way (expireIfNeeded)
        keyspace.master_view = True
        fed = 0
        try:
            if raw.lower().find(b"getack") < 0:
                _run_all(client, requests)
            else:
                done = 0
                for i, argv in enumerate(requests):
                    if (len(argv) > 1 and len(argv[0]) == 8 and argv[0].lower() == b"replconf"
                            and argv[1].lower() == b"getack"):
                        _run_all(client, requests[done:i])
                        done = i + 1
                        # the ACK counts everything before the GETACK, not the GETACK itself
                        # (raw starts with requests[0]: the tail kept is a partial request's bytes)
                        upto = sum(map(canonical_len, requests[:i]))
                        if upto > fed:
                            repl.feed_raw(raw[fed:upto])
                            fed = upto
                        self.send_ack()
                _run_all(client, requests[done:])
        finally:
            keyspace.master_view = False
            if end > fed:
                repl.feed_raw(raw[fed:end] if fed or end != len(raw) else raw)

    def send_ack(self) -> None:
        if self.transport is not None and self.state == "connected":
            self.last_ack_ms = self.node.clock.monotonic_ms()
            self._send([b"REPLCONF", b"ACK", b"%d" % self.repl.master_repl_offset])

    def cron(self, now_ms: int) -> None:
        timeout = int(self.node.config["repl-timeout"]) * 1000  # type: ignore[arg-type]
        if self.state == "connected":
            if now_ms - self.last_ack_ms >= 1000:
                self.send_ack()
            if now_ms - self.last_io_ms > timeout:
                self.node.log.warning("MASTER timeout: no data nor PING received...")
                if self.transport is not None:
                    self.transport.close()
        elif self.state in ("handshake", "transfer") and now_ms - max(self.state_since_ms, self.last_io_ms) > timeout:
            self.node.log.warning("Timeout connecting to the MASTER..." if self.state == "handshake"
                                  else "Timeout receiving bulk data from MASTER... If the problem persists try to "
                                  "set the 'repl-timeout' parameter in redis.conf to a larger value.")
            if self.transport is not None:
                self.transport.close()


def _run_all(client, requests: list) -> None:
    """Apply the master's commands (their replies are not sent: a master reads none)."""
    ran = 0
    while ran < len(requests):
        ran += run_batch(client, requests[ran:] if ran else requests, [])


def load_snapshot(keyspace, payload: bytes, node=None) -> tuple[int, int]:
    """Load a full-resync payload into an emptied keyspace. A replica keeps keys whose TTL has
    passed: its master will send their DEL (Redis's replicas never expire keys themselves)."""
    from ..persistence.rdb import Decoder, RDBError, is_empty  # noqa: PLC0415
    decoder = Decoder(verify_checksum=True)
    loaded = 0
    dbs = keyspace.dbs
    dirty = keyspace.dirty
    functions: list[bytes] = []
    for ev in decoder.feed(payload):
        if ev[0] == "function":
            functions.append(ev[1])
            continue
        if ev[0] != "key":
            continue
        _, dbid, key, value, expire = ev
        if dbid >= len(dbs):
            raise RDBError(f"the master's snapshot uses database {dbid}; this server has {len(dbs)}")
        if is_empty(value):
            continue
        db = dbs[dbid]
        db.data[key] = value
        if expire is not None:
            db.set_expire(key, expire)
        loaded += 1
    keyspace.dirty = dirty
    if not decoder.done:
        raise RDBError("Unexpected EOF reading RDB file")
    if node is not None:
        from ..persistence.snapshot import load_functions  # noqa: PLC0415
        load_functions(node, functions, flush=True)
    return loaded, 0


__all__ = ["MasterLink", "load_snapshot", "os"]
