"""What every benchmark group shares: server processes, redis-benchmark, loading data, RESULTS.md.

A group (core, types, persistence, replication, failover) starts its servers through ``Server``:
each on a free 127.0.0.1 port, in its own temporary directory and process group, with its log and
stderr in files there (a pipe nobody reads could fill and stall a server). ``Servers`` is the
group's registry: whatever it started is stopped in its ``finally``, also after a failure or
Ctrl-C. Every wait is bounded by a deadline.

The same code drives pyredis and the real redis-server, so the two are measured by the same
client, the same data and the same clock; only ``KINDS`` tells them apart.
"""

import csv
import datetime
import io
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
KINDS = ("redis", "pyredis")
SERVER_ARGV = {"redis": ["redis-server"], "pyredis": [sys.executable, "-m", "pyredis.cli.server"]}


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.02) -> object:
    """Poll ``predicate`` until it returns something truthy; BenchError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (OSError, ValueError, BenchError):
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def encode(argv: Iterable[bytes]) -> bytes:
    argv = list(argv)
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in argv)


class Server:
    """One server (or sentinel) process on a free port, in its own directory and process group."""

    def __init__(self, name: str, argv: list[str], port: int | None = None, directory: str | None = None) -> None:
        self.name = name
        self.port = port or free_port()
        self.dir = directory or tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.argv = argv
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    @classmethod
    def data(cls, kind: str, name: str, *options: str) -> "Server":
        """A redis-server or pyredis-server without persistence unless ``options`` say otherwise."""
        srv = cls(name, [])
        srv.argv = SERVER_ARGV[kind] + [
            "--port", str(srv.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", srv.dir, "--logfile", srv.logfile, *options]
        return srv

    @classmethod
    def sentinel(cls, kind: str, name: str, conf_lines: list[str]) -> "Server":
        srv = cls(name, [])
        conf = os.path.join(srv.dir, "sentinel.conf")
        with open(conf, "w") as fh:
            fh.write("\n".join([f"port {srv.port}", "bind 127.0.0.1", "daemonize no", f"dir {srv.dir}",
                                f"logfile {srv.logfile}", *conf_lines]) + "\n")
        srv.argv = SERVER_ARGV[kind] + [conf, "--sentinel"]
        return srv

    @property
    def logfile(self) -> str:
        return os.path.join(self.dir, "server.log")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60) -> float:
        """Start and wait until PING answers +PONG (not -LOADING); returns the seconds that took."""
        with open(os.path.join(self.dir, "stderr.log"), "ab") as err:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(self.argv, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=err,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                if self.call(b"PING", timeout=5) == b"+PONG\r\n":
                    return time.monotonic() - self.started_at
            except OSError:
                pass
            time.sleep(0.005)
        raise BenchError(f"{self.name} did not answer PING on port {self.port} within {timeout:.0f} s")

    def tail(self, lines: int = 8) -> str:
        text = []
        for fname in ("stderr.log", "server.log"):
            try:
                with open(os.path.join(self.dir, fname), errors="replace") as fh:
                    text += fh.read().splitlines()[-lines:]
            except OSError:
                pass
        return " | ".join(text)

    def call(self, *argv: bytes, timeout: float = 600) -> bytes:
        """One command on a fresh connection; the raw first reply line (enough for status/int/error)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(encode(argv))
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data

    def client(self, **kwargs):
        import redis  # noqa: PLC0415  (redis-py: a dev dependency, only some groups need it)
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=kwargs.pop("socket_timeout", 600),
                           **kwargs)

    def info(self, section: str) -> dict[str, str]:
        """INFO <section> as {field: value} (strings), from the raw reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(encode([b"INFO", section.encode()]))
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if data.startswith(b"-"):
                    raise BenchError(data.decode(errors="replace").strip())
                head, _, rest = data.partition(b"\r\n")
                if head.startswith(b"$") and len(rest) >= int(head[1:]) + 2:
                    break
        fields = {}
        for line in data.decode(errors="replace").splitlines()[1:]:
            if ":" in line and not line.startswith("#"):
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return fields

    def dbsize(self) -> int:
        reply = self.call(b"DBSIZE")
        if not reply.startswith(b":"):
            raise BenchError(f"{self.name}: DBSIZE answered {reply!r}")
        return int(reply[1:])

    def rss_kb(self) -> int:
        return proc_status_kb(self.pid, "VmRSS")

    def log_text(self) -> str:
        try:
            with open(self.logfile, errors="replace") as fh:
                return fh.read()
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process (the directory stays, so the server can be started again in it)."""
        proc = self.proc
        if proc is None:
            return
        forked = children(proc.pid)
        if proc.poll() is None:
            try:
                os.kill(proc.pid, sig)
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
            except ProcessLookupError:
                pass
        for child in forked:
            # a BGSAVE / full-sync child can outlive a SIGKILLed parent; it is ours if still in its group
            if process_group(child) == proc.pid:
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Servers:
    """The processes a group started; ``with Servers() as s:`` stops and removes them all at the end."""

    def __init__(self) -> None:
        self.all: list[Server] = []

    def add(self, srv: Server) -> Server:
        self.all.append(srv)
        return srv

    def data(self, kind: str, name: str, *options: str) -> Server:
        return self.add(Server.data(kind, name, *options))

    def sentinel(self, kind: str, name: str, conf_lines: list[str]) -> Server:
        return self.add(Server.sentinel(kind, name, conf_lines))

    def __enter__(self) -> "Servers":
        self._previous = signal.signal(signal.SIGTERM, _terminate)
        return self

    def __exit__(self, *exc) -> None:
        try:
            for srv in reversed(self.all):
                srv.cleanup()
        finally:
            signal.signal(signal.SIGTERM, self._previous)


def _terminate(*_: object) -> None:
    sys.exit(143)


def proc_status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def process_group(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return -1


def smaps_rollup_kb(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup as {field: kB}; empty once the process is gone (or a zombie)."""
    fields = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "kB":
                    fields[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        pass
    return fields


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def benchmark(port: int, requests: int, pipeline: int, tests: str | None = None,
              command: list[str] | None = None, keyspace: int | None = None, clients: int = 50,
              timeout: float = 3600) -> dict[str, float]:
    """redis-benchmark's CSV rows as {test name: requests per second}: ``-t tests`` or a custom command."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-q", "-n", str(requests), "-c", str(clients),
            "-P", str(pipeline), "--csv"]
    if keyspace:
        argv += ["-r", str(keyspace)]
    argv += ["-t", tests] if tests else list(command or [])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"redis-benchmark failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
    rows = {}
    for row in csv.reader(io.StringIO(proc.stdout)):
        if len(row) >= 2 and row[0] != "test":
            rows[row[0]] = float(row[1])
    return rows


def best_of_rounds(servers: dict, rounds: int, requests: int, pipeline: int, **kwargs) -> dict[str, dict[str, float]]:
    """The same ``benchmark`` against each server, ``rounds`` times, interleaved (the order flips
    every round) and each test's best figure kept, per server. The VM's neighbours only ever slow a
    run down, so the best of a few interleaved runs is the figure least skewed against either
    server; one run of each moves a ratio by ±0.2 here. Each run starts from an empty dataset."""
    best: dict[str, dict[str, float]] = {kind: {} for kind in servers}
    order = list(servers)
    for _ in range(max(1, rounds)):
        for kind in order:
            srv = servers[kind]
            srv.call(b"FLUSHALL")
            for test, rps in benchmark(srv.port, requests, pipeline, **kwargs).items():
                if rps > best[kind].get(test, 0.0):
                    best[kind][test] = rps
        order.reverse()
    return best


def rounds_text(rounds: int) -> str:
    """How a table built by ``best_of_rounds`` was measured, for its heading."""
    if rounds <= 1:
        return "one run per server"
    return f"best of {rounds} runs per server, the two servers' runs interleaved"


def fill_strings(srv: Server, count: int, batch: int = 1000) -> None:
    """``count`` small string keys (``key:<n>`` → ``value:<n>``), MSET in pipelined batches."""
    def commands():
        for start in range(0, count, batch):
            argv = [b"MSET"]
            for i in range(start, min(start + batch, count)):
                argv += [b"key:%d" % i, b"value:%d" % i]
            yield encode(argv)
    pipelined(srv, commands())


def fill_zset(srv: Server, key: bytes, members: int, batch: int = 1000) -> None:
    """A sorted set of ``members`` members named as redis-benchmark's ``m:__rand_int__`` expands them."""
    def commands():
        for start in range(0, members, batch):
            argv = [b"ZADD", key]
            for i in range(start, min(start + batch, members)):
                argv += [b"%d" % i, b"m:%012d" % i]
            yield encode(argv)
    pipelined(srv, commands())


def pipelined(srv: Server, requests: Iterable[bytes], window: int = 32) -> None:
    """Send requests with at most ``window`` in flight; each must answer a non-error single-line reply."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=600) as s:
        buf = b""
        in_flight = 0

        def read_one() -> None:
            nonlocal buf
            while b"\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise BenchError(f"{srv.name} closed the connection while loading data")
                buf += chunk
            line, _, buf = buf.partition(b"\r\n")
            if line.startswith(b"-"):
                raise BenchError(f"{srv.name}: {line.decode(errors='replace')}")

        for req in requests:
            s.sendall(req)
            in_flight += 1
            if in_flight >= window:
                read_one()
                in_flight -= 1
        while in_flight:
            read_one()
            in_flight -= 1


def machine() -> str:
    uname = platform.uname()
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{uname.system} {uname.release} {uname.machine}, {cpu}, nproc={os.cpu_count()}"


def ratio(num: float | None, den: float | None) -> str:
    return f"{num / den:.2f}" if num and den else "n/a"


def fmt(value: float | None, spec: str = ",.0f", suffix: str = "") -> str:
    return "failed" if value is None else format(value, spec) + suffix


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", "| " + " | ".join("---" if a == "l" else "---:" for a in align) + " |",
            *("| " + " | ".join(row) + " |" for row in rows)]


# RESULTS.md: one "## <group> — ..." section per group; a run rewrites the sections of the groups it ran
SECTION_RE = re.compile(r"^## (\w+)", re.MULTILINE)
RESULTS_HEAD = ("# Benchmark results\n\nProduced by `make bench` (bench/run.py; see bench/README.md). Each run "
                "rewrites the sections of the groups it ran and keeps the others, so sections may come from "
                "different runs: each carries its own date and machine.\n")


def read_sections(path: str = RESULTS) -> dict[str, str]:
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError:
        return {}
    matches = list(SECTION_RE.finditer(text))
    if not matches:
        # the single-table file of the first bench/run.py: it was the core group's result
        body = text.split("\n", 1)[1].strip() if text.startswith("# ") and "\n" in text else text.strip()
        return {"core": "## core — throughput and memory (issue 2)\n\n" + body + "\n"} if body else {}
    sections = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections[m.group(1)] = text[m.start():end].rstrip() + "\n"
    return sections


def write_sections(new: dict[str, str], order: list[str], path: str = RESULTS) -> None:
    sections = read_sections(path)
    sections.update(new)
    names = [g for g in order if g in sections] + [g for g in sections if g not in order]
    with open(path, "w") as fh:
        fh.write(RESULTS_HEAD + "".join("\n" + sections[g] for g in names))


def section(group: str, title: str, command: str, body: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"## {group} — {title}\n\n{stamp} — {machine()}\n\n`{command}`\n\n{body.rstrip()}\n"
