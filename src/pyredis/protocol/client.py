"""A small asyncio RESP client for node-to-node links (sentinel → instances, tools).

Requests are matched to replies in order (a FIFO of tags). A link subscribed to channels
delivers ``message`` pushes to ``on_message`` instead. Errors arrive as ``ReplyError`` strings
so callers can tell ``-LOADING`` from ``+PONG`` without exceptions.
"""

import asyncio
from collections import deque
from collections.abc import Callable

import hiredis

from . import resp


class ReplyError(str):
    """An error reply's text (without the leading '-')."""


class RespLink(asyncio.Protocol):
    def __init__(self, on_reply: Callable[[str, object], None] | None = None,
                 on_message: Callable[[bytes, bytes], None] | None = None,
                 on_lost: Callable[[], None] | None = None) -> None:
        self.transport: asyncio.Transport | None = None
        self.reader = hiredis.Reader(replyError=ReplyError)
        self.tags: deque = deque()
        self.on_reply = on_reply
        self.on_message = on_message
        self.on_lost = on_lost
        self.subscribed = False
        self.closed = False

    @property
    def connected(self) -> bool:
        return self.transport is not None and not self.closed

    def local_ip(self) -> str:
        if self.transport is None:
            return ""
        name = self.transport.get_extra_info("sockname")
        return name[0] if name else ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, argv: list[bytes], tag: str = "") -> None:
        if self.transport is None or self.closed:
            return
        self.tags.append(tag)
        self.transport.write(resp.command(argv))

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while True:
            try:
                reply = self.reader.gets()
            except hiredis.ProtocolError:
                self.close()
                return
            if reply is False:
                return
            if (self.subscribed and isinstance(reply, list) and len(reply) == 3
                    and reply[0] == b"message"):
                if self.on_message is not None:
                    self.on_message(reply[1], reply[2])
                continue
            tag = self.tags.popleft() if self.tags else ""
            if self.on_reply is not None:
                self.on_reply(tag, reply)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.closed = True
        if self.on_lost is not None:
            self.on_lost()


async def open_link(host: str, port: int, timeout: float = 2.0, **callbacks) -> RespLink:
    loop = asyncio.get_running_loop()
    _, link = await asyncio.wait_for(loop.create_connection(lambda: RespLink(**callbacks), host, port), timeout)
    return link  # type: ignore[return-value]
