"""The replica's apply path (MasterLink._apply) without sockets: the master's stream, however
the reads split it, is applied once per command and forwarded verbatim to the backlog with the
offset advanced by exactly the bytes applied; a GETACK is answered with the offset before it."""

import asyncio
import random

import pytest

from pyredis.config import Config
from pyredis.node.server import Node
from pyredis.protocol import resp
from pyredis.replication.replica import MasterLink


class FakeTransport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def get_extra_info(self, name):
        return None

    def close(self) -> None:
        pass

    def is_closing(self) -> bool:
        return False


@pytest.fixture
def link():
    loop = asyncio.new_event_loop()
    node = Node(Config())
    node.loop = loop
    node.is_replica = True          # what REPLICAOF sets before the link starts
    node.update_guard()
    link = MasterLink(node.repl, "127.0.0.1", 1)
    link.transport = FakeTransport()
    link._go_connected()
    node.repl.create_backlog()
    yield link
    loop.close()


def stream(commands: list[list[bytes]]) -> bytes:
    return b"".join(resp.command(argv) for argv in commands)


def backlog_bytes(link) -> bytes:
    repl = link.repl
    repl.flush_stream()         # the stream reaches the backlog once per loop turn
    return repl.backlog.read_from(1)


def test_a_stream_split_anywhere_is_applied_and_forwarded_verbatim(link):
    commands = [[b"SET", b"k%d" % i, b"v" * (i % 7)] for i in range(200)]
    commands += [[b"RPUSH", b"list", b"a", b"b"], [b"SELECT", b"3"], [b"INCR", b"n"], [b"PING"]]
    data = stream(commands)
    rng = random.Random(7)
    pos = 0
    while pos < len(data):
        step = rng.randint(1, 40)
        link._apply(data[pos:pos + step])
        pos += step
    node = link.node
    assert node.repl.master_repl_offset == len(data)
    assert backlog_bytes(link) == data
    assert node.keyspace[0].data[b"k199"] == b"v" * (199 % 7)
    assert node.keyspace[3].data[b"n"] == b"1"


def test_getack_reports_the_offset_before_it(link):
    before = stream([[b"SET", b"a", b"1"], [b"SET", b"b", b"2"]])
    getack = resp.command([b"REPLCONF", b"GETACK", b"*"])
    after = stream([[b"SET", b"c", b"3"]])
    link.transport.sent.clear()
    link._apply(before + getack + after[:5])
    assert link.transport.sent == [resp.command([b"REPLCONF", b"ACK", b"%d" % len(before)])]
    link._apply(after[5:])
    assert link.repl.master_repl_offset == len(before + getack + after)
    assert backlog_bytes(link) == before + getack + after


def test_a_command_split_across_reads_runs_once(link):
    data = stream([[b"INCR", b"counter"]] * 3)
    for i in range(len(data)):
        link._apply(data[i:i + 1])
    assert link.node.keyspace[0].data[b"counter"] == b"3"
    assert link.repl.master_repl_offset == len(data)
