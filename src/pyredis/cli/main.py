"""``pyredis``: the umbrella command. ``pyredis up [single|replication|sentinel]`` runs the seed's
topology on localhost, the way ``docker-compose up`` runs the seed's containers: every process's
log streamed with a name prefix, Ctrl-C stops every process it started.

Topologies (ports as in the seed):
- single:      redis-master on 6379
- replication: redis-master 6379, redis-slave1 6380 and redis-slave2 6381 replicating it
- sentinel:    the above plus redis-sentinel1..3 on 26379-26381 watching ``mymaster``, quorum 2

A topology whose parts are not built yet is refused with a clear message; with no argument the
richest built topology runs.
"""

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time

COLORS = ["\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[31m", "\033[96m"]
RESET = "\033[0m"


def built(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def available_topologies() -> list[str]:
    out = ["single"]
    if built("pyredis.replication.replica"):
        out.append("replication")
        if built("pyredis.sentinel.runner"):
            out.append("sentinel")
    return out


def plan(topology: str, base_dir: str, host: str = "127.0.0.1") -> list[tuple[str, list[str]]]:
    server = [sys.executable, "-m", "pyredis.cli.server"]
    procs: list[tuple[str, list[str]]] = [
        ("redis-master", server + ["--port", "6379", "--bind", host, "--dir", _mkdir(base_dir, "master")]),
    ]
    if topology in ("replication", "sentinel"):
        for i, port in ((1, 6380), (2, 6381)):
            procs.append((f"redis-slave{i}", server + [
                "--port", str(port), "--bind", host, "--dir", _mkdir(base_dir, f"slave{i}"),
                "--replicaof", host, "6379"]))
    if topology == "sentinel":
        for i, port in ((1, 26379), (2, 26380), (3, 26381)):
            d = _mkdir(base_dir, f"sentinel{i}")
            conf = os.path.join(d, "sentinel.conf")
            with open(conf, "w") as fh:
                fh.write(f"port {port}\nbind {host}\ndir {d}\n"
                         f"sentinel monitor mymaster {host} 6379 2\n"
                         "sentinel down-after-milliseconds mymaster 5000\n"
                         "sentinel failover-timeout mymaster 60000\n"
                         "sentinel parallel-syncs mymaster 1\n")
            procs.append((f"redis-sentinel{i}", server + [conf, "--sentinel"]))
    return procs


def _mkdir(base: str, name: str) -> str:
    path = os.path.abspath(os.path.join(base, name))
    os.makedirs(path, exist_ok=True)
    return path


def _pump(name: str, width: int, color: str, stream, lock: threading.Lock) -> None:
    prefix = f"{color}{name.ljust(width)} |{RESET} " if sys.stdout.isatty() else f"{name.ljust(width)} | "
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        with lock:
            print(prefix + line, flush=True)


def up(topology: str, base_dir: str) -> int:
    procs = plan(topology, base_dir)
    width = max(len(n) for n, _ in procs)
    lock = threading.Lock()
    children: list[tuple[str, subprocess.Popen]] = []
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for i, (name, cmd) in enumerate(procs):
            child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
            children.append((name, child))
            threading.Thread(target=_pump, args=(name, width, COLORS[i % len(COLORS)], child.stdout, lock),
                             daemon=True).start()
            if name == "redis-master":
                time.sleep(0.5)   # let the master listen before replicas dial it
        while not stopping:
            time.sleep(0.2)
            # a stopped process stays stopped, as a stopped container does; `up` keeps the others
    finally:
        with lock:
            print(f"Stopping {len(children)} processes...", flush=True)
        for _, child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyredis", description="pyredis tools")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="run the seed's topology on localhost (Ctrl-C stops it)")
    p_up.add_argument("topology", nargs="?", choices=["single", "replication", "sentinel"])
    p_up.add_argument("--dir", default="run", help="working directory for the processes (default ./run)")
    args = parser.parse_args(argv)
    if args.cmd == "up":
        have = available_topologies()
        topology = args.topology or have[-1]
        if topology not in have:
            print(f"pyredis up {topology}: not built yet in this version (built: {', '.join(have)}). "
                  f"Run `pyredis up {have[-1]}`.", file=sys.stderr)
            if args.topology is not None and topology != "sentinel":
                return 1
            print(f"Falling back to `{have[-1]}`.", file=sys.stderr)
            topology = have[-1]
        print(f"pyredis up: starting the {topology} topology (Ctrl-C stops every process)", flush=True)
        return up(topology, args.dir)
    return 2


if __name__ == "__main__":
    sys.exit(main())
