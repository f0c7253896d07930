"""A client connection: an ``asyncio.Protocol`` that moves bytes, and the per-client state.

``data_received`` feeds the parser, runs every complete request through the dispatcher and
writes all replies of the read batch with one ``transport.write``. The object is also the
``client`` every handler receives: current database, RESP version, MULTI queue, WATCHed keys,
subscriptions, name, flags.

Flow control, in one place: when the socket's send buffer fills (the peer does not read its
replies), reading from the peer pauses until it drains, so a client can't make us buffer
without bound. Pub/sub pushes written on behalf of other clients can't pause anyone; they are
checked against ``client-output-buffer-limit`` and the subscriber is dropped past the limit.
A blocked client (BLPOP...) and a paused one stop running requests; the rest of their batch
waits in ``pending`` until they are served.
"""

import asyncio
from collections import deque

from ..commands import dispatch
from ..protocol import resp
from ..protocol.errors import ProtocolError
from ..protocol.parser import RequestParser

# client flags shown in CLIENT LIST
FLAG_MASTER = "M"
FLAG_REPLICA = "S"


class ClientConnection(asyncio.Protocol):
    __slots__ = (
        "node", "transport", "parser", "id", "db", "resp", "name", "authenticated", "multi",
        "multi_error", "watched", "dirty_cas", "subscriptions", "psubscriptions", "propagate",
        "guard", "closing", "close_after_reply", "reply_mode", "pending", "blocked", "is_master",
        "is_replica", "is_monitor", "addr", "laddr", "fd", "created_ms", "last_interaction_ms",
        "last_cmd", "reading_paused", "obuf_soft_since", "no_evict", "lib_name", "lib_ver",
        "unix", "kill_reason", "user", "woff", "ssubscriptions", "watched_expired", "batch_out",
        "__weakref__",
    )

    def __init__(self, node, unix: bool = False) -> None:
        self.node = node
        self.transport: asyncio.Transport | None = None
        self.parser = RequestParser(node.proto_max_bulk_len, node.query_buffer_limit)
        self.id = node.next_client_id()
        self.db = node.keyspace[0]
        self.resp = 2
        self.name = b""
        self.authenticated = not node.requirepass
        self.multi: list | None = None
        self.multi_error = False
        self.watched: list = []
        self.dirty_cas = False
        self.subscriptions: set[bytes] = set()
        self.psubscriptions: set[bytes] = set()
        self.ssubscriptions: set[bytes] = set()     # shard channels (SSUBSCRIBE)
        self.watched_expired: set = set()           # (db, key) WATCHed while already expired
        self.batch_out: list | None = None          # replies of the batch being run (see push)
        self.propagate: list | None = None
        self.guard = not self.authenticated
        self.parser.auth_required = not self.authenticated
        self.closing = False
        self.close_after_reply = False
        self.reply_mode = 0          # 0 on, 1 off, 2 skip next
        self.pending: deque = deque()
        self.blocked = None
        self.is_master = False       # the link from our master (replication)
        self.is_replica = False      # a replica attached to us
        self.is_monitor = False
        self.addr = "?"
        self.laddr = "?"
        self.fd = -1
        self.unix = unix
        self.created_ms = node.clock.wall_ms()
        self.last_interaction_ms = self.created_ms
        self.last_cmd = b"NULL"
        self.reading_paused = False
        self.obuf_soft_since = 0
        self.no_evict = False
        self.lib_name = b""
        self.lib_ver = b""
        self.kill_reason = ""
        self.user = b"default"
        self.woff = 0                # replication offset after this client's last write (WAIT)

    # ----- state that decides whether the dispatcher's slow checks run
    def guard_update(self) -> None:
        # before AUTH, Redis refuses a request of more than 10 elements or a bulk over 16 KB
        self.parser.auth_required = not self.authenticated
        self.guard = (not self.authenticated or self.multi is not None
                      or (self.resp == 2 and bool(self.subscriptions or self.psubscriptions
                                                   or self.ssubscriptions)))

    # ----- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self.fd = sock.fileno()
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        if self.unix:
            self.addr = f"{local}:0" if local else "/unix:0"
            self.laddr = self.addr
        else:
            self.addr = _format_addr(peer)
            self.laddr = _format_addr(local)
        if not self.node.accept_client(self):
            self.closing = True

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        node = self.node
        node.keyspace.now_ms = node.clock.wall_ms()
        self.last_interaction_ms = node.keyspace.now_ms
        node.stat_net_input_bytes += len(data)
        try:
            requests = self.parser.feed(data)
        except ProtocolError as exc:
            earlier = getattr(exc, "requests", None)   # requests before the bad one run first
            if earlier and self.blocked is None and not self.pending:
                self.run(earlier)
            self.protocol_error(exc.message)
            return
        if self.blocked is not None or self.pending:
            self.pending.extend(requests)
            return
        self.run(requests)

    def run(self, requests: list) -> None:
        """Execute requests in order, one write for all their replies."""
        out: list = []
        self.batch_out = out
        ran = dispatch.run_batch(self, requests, out)
        if ran < len(requests):         # blocked or closing: the rest waits (or is dropped)
            self.pending.extend(requests[ran:])
        self.batch_out = None
        if out:
            self.write(b"".join(out) if len(out) > 1 else out[0])
        if self.close_after_reply:
            self.close()

    def resume(self) -> None:
        """Run requests that waited while the client was blocked or paused."""
        while self.pending and self.blocked is None and not self.closing:
            batch = list(self.pending)
            self.pending.clear()
            self.run(batch)

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or self.closing:
            return
        node = self.node
        aof = node.aof
        if aof.buf and aof.last_write_ok:
            # as Redis's beforeSleep: the AOF is written before a reply can acknowledge a write
            aof.flush()
        node.stat_net_output_bytes += len(data)
        transport.write(data)

    def push(self, data: bytes) -> None:
        """Write on behalf of another client (pub/sub, MONITOR): enforce the output-buffer limit."""
        transport = self.transport
        if transport is None or self.closing:
            return
        if self.batch_out is not None:
            # a client publishing to itself: keep the push after the replies it already produced
            self.batch_out.append(data)
            return
        self.node.stat_net_output_bytes += len(data)
        transport.write(data)
        size = transport.get_write_buffer_size()
        if size > 65536:
            self.node.check_output_limit(self, size)

    def protocol_error(self, message: bytes) -> None:
        node = self.node
        if message:
            node.count_error(message)
            self.write(resp.error(message))
            node.log.verbose(f"Protocol error ({message.decode(errors='replace')}) from client: {self.describe()}")
        else:
            node.log.warning(f"Closing client that reached max query buffer length: {self.describe()}")
        self.close()

    def close(self) -> None:
        if self.closing:
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()
            return
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.node.client_gone(self)
        self.transport = None

    def pause_writing(self) -> None:
        if self.transport is not None and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and self.reading_paused:
            self.reading_paused = False
            self.transport.resume_reading()

    # ----- introspection (CLIENT LIST / INFO)
    def flags_string(self) -> str:
        f = ""
        if self.is_monitor:
            f += "O"
        elif self.is_replica:
            f += "S"
        if self.is_master:
            f += "M"
        if self.subscriptions or self.psubscriptions or self.ssubscriptions:
            f += "P"
        if self.multi is not None:
            f += "x"
        if self.blocked is not None:
            f += "b"
        if self.dirty_cas:
            f += "d"
        if self.close_after_reply:
            f += "c"
        if self.unix:
            f += "U"
        if self.no_evict:
            f += "e"
        return f or "N"

    def describe(self) -> str:
        return self.node.client_info(self)

    def output_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() if self.transport is not None else 0


def _format_addr(addr) -> str:
    if not addr:
        return "?"
    host, port = addr[0], addr[1]
    return f"{host}:{port}"
