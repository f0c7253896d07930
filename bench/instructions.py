"""CPU instructions per command on pyredis's real request path, counted by valgrind (callgrind).

Wall-clock micro-benchmarks on a shared 2-core VM move by ±50%; instruction counts do not, so this
is the tool for comparing hot-path changes (``make bench`` stays the judge of throughput):

    .venv/bin/python bench/instructions.py 'SET key:{i} xxx'                 # pipelined, 16 per read
    .venv/bin/python bench/instructions.py 'GET key:{i}' --batch 1           # one request per read (-P 1)
    .venv/bin/python bench/instructions.py 'LPOP l' --setup 'RPUSH l a b c'  # commands run first
    .venv/bin/python bench/instructions.py 'SET k{i} v' --replicas 2         # a master with 2 replicas
    .venv/bin/python bench/instructions.py 'SET k{i} v' --replica            # a replica applying its master's stream

The requests (``{i}`` becomes 0..1023, cycled) are encoded once and fed, ``--batch`` at a time, to
``ClientConnection.data_received`` of a node with a fake transport: parser, dispatcher, handler,
reply and propagation run as in the server, without sockets or the event loop (so the replicas'
stream is queued, never flushed). With ``--replica`` the chunks are a master's stream fed to a
connected replica's ``MasterLink._apply`` instead (the replica's own backlog is kept, as when it
has sub-replicas or may be promoted). The script runs itself under valgrind for N and 2N requests and
prints (instructions(2N) - instructions(N)) / N: start-up and imports cancel out. The hash seed is
fixed so dict layouts repeat.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys

DISTINCT = 1024


class _Transport:
    def write(self, data: bytes) -> None:
        pass

    def get_extra_info(self, name: str) -> None:
        return None

    def close(self) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0


def run_requests(template: str, count: int, batch: int, setup: str, replicas: int, replica: bool = False) -> None:
    """The measured workload: ``count`` requests of ``template`` through one client connection."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    from pyredis.config import Config  # noqa: PLC0415
    from pyredis.node.connection import ClientConnection  # noqa: PLC0415
    from pyredis.node.server import Node  # noqa: PLC0415
    from pyredis.protocol.resp import command  # noqa: PLC0415
    from pyredis.replication.master import ReplicaLink  # noqa: PLC0415

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    node = Node(Config())
    node.loop = loop
    client = ClientConnection(node)
    client.transport = _Transport()  # type: ignore[assignment]
    for _ in range(replicas):
        peer = ClientConnection(node)
        peer.transport = _Transport()  # type: ignore[assignment]
        peer.is_replica = True
        link = ReplicaLink(peer)
        link.state = "online"
        node.repl.replicas.append(link)
        if node.repl.backlog is None:
            node.repl.create_backlog()
    for line in filter(None, (part.strip() for part in setup.split(";"))):
        client.run([[word.encode() for word in line.split()]])
    words = template.split()
    encoded = [command([w.replace("{i}", str(i)).encode() for w in words]) for i in range(DISTINCT)]
    chunks = [b"".join(encoded[i:i + batch]) for i in range(0, DISTINCT, batch)]
    receive = client.data_received
    if replica:
        from pyredis.replication.replica import MasterLink  # noqa: PLC0415
        node.is_replica = True
        node.update_guard()
        link = MasterLink(node.repl, "127.0.0.1", 1)
        link.transport = _Transport()  # type: ignore[assignment]
        link._go_connected()
        node.repl.link = link
        node.repl.create_backlog()
        receive = link._apply
    for _ in range(count // DISTINCT):
        for chunk in chunks:
            receive(chunk)


def _collected(args: argparse.Namespace, count: int) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
           os.path.abspath(__file__), args.template, "--batch", str(args.batch), "--setup", args.setup,
           "--replicas", str(args.replicas), "--run", str(count)] + (["--replica"] if args.replica else [])
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("template", help="the command, with {i} for 0..1023")
    ap.add_argument("--batch", type=int, default=16, help="requests per read (default 16, like -P 16)")
    ap.add_argument("--setup", default="", help="';'-separated commands run before the measurement")
    ap.add_argument("--replicas", type=int, default=0, help="online replicas attached to the node")
    ap.add_argument("--replica", action="store_true", help="feed the requests to a replica as its master's stream")
    ap.add_argument("-n", type=int, default=4096, help="requests in the smaller run (a multiple of 1024)")
    ap.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)   # the measured child
    args = ap.parse_args()
    if args.run:
        run_requests(args.template, args.run, args.batch, args.setup, args.replicas, args.replica)
        return 0
    n = max(DISTINCT, args.n // DISTINCT * DISTINCT)
    small, large = _collected(args, n), _collected(args, 2 * n)
    where = "applied by a replica" if args.replica else f"replicas {args.replicas}"
    print(f"{args.template} (batch {args.batch}, {where}): "
          f"{(large - small) // n} instructions per command")
    return 0


if __name__ == "__main__":
    sys.exit(main())
