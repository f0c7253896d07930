"""`make bench`: pyredis against a real redis-server, side by side, on this machine.

Starts both servers on free 127.0.0.1 ports (no persistence), runs the same redis-benchmark
commands against each at pipeline depths 1 and 16, then loads the same random keyspace into both
and compares their resident memory (VmRSS). Prints one table and writes it, with the date and the
machine, to bench/RESULTS.md. Both servers are always stopped, whatever happens.

    .venv/bin/python bench/run.py [--quick] [--tests ping,set,get,incr,mset] [--no-memory]
"""

import argparse
import csv
import datetime
import io
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
PIPELINES = (1, 16)
# targets from issue 2: pyredis/redis throughput ratio per pipeline depth, and the RSS ratio
TARGET_RATIO = {1: 0.8, 16: 0.5}
TARGET_TESTS = {"SET", "GET", "INCR"}
TARGET_RSS_RATIO = 1.6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process on a free port, in its own directory and process group."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.argv = argv + ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--dir", self.dir,
                            "--logfile", os.path.join(self.dir, "server.log")]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.proc = subprocess.Popen(self.argv, cwd=self.dir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {err}")
            try:
                if self.call(b"PING") == b"+PONG\r\n":
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer PING on port {self.port}")

    def call(self, *argv: bytes) -> bytes:
        req = b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in argv)
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(req)
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data

    def rss_kb(self) -> int:
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
            except ProcessLookupError:
                pass
        if proc is not None and proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def benchmark(port: int, tests: str, requests: int, pipeline: int) -> dict[str, float]:
    """redis-benchmark's CSV rows as {test name: requests per second}."""
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-q", "-n", str(requests), "-c", "50",
         "-t", tests, "-P", str(pipeline), "--csv"],
        capture_output=True, text=True, timeout=3600, check=True).stdout
    rows = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] != "test":
            rows[row[0]] = float(row[1])
    return rows


def load_keys(port: int, keyspace: int, requests: int) -> None:
    subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-q", "-t", "set", "-r", str(keyspace),
                    "-n", str(requests), "-P", "64", "-c", "50"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600, check=True)


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small request counts (a smoke run; numbers mean little)")
    ap.add_argument("--tests", default="ping,set,get,incr,mset", help="redis-benchmark -t list")
    ap.add_argument("--no-memory", action="store_true", help="skip the 1,000,000-key memory comparison")
    args = ap.parse_args(argv)
    if shutil.which("redis-benchmark") is None or shutil.which("redis-server") is None:
        print("redis-server and redis-benchmark are needed (apt-get install redis-server)", file=sys.stderr)
        return 2
    requests = 10_000 if args.quick else 200_000
    keyspace, load_requests = (50_000, 150_000) if args.quick else (1_000_000, 3_000_000)

    servers = {"redis": Server("redis", ["redis-server", "--daemonize", "no"]),
               "pyredis": Server("pyredis", [sys.executable, "-m", "pyredis.cli.server"])}
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows: list[tuple[str, int, float, float]] = []
    memory: dict[str, tuple[int, int]] = {}
    try:
        for srv in servers.values():
            srv.start()
        for pipeline in PIPELINES:
            results = {name: benchmark(srv.port, args.tests, requests, pipeline) for name, srv in servers.items()}
            for test, real_rps in results["redis"].items():
                rows.append((test, pipeline, real_rps, results["pyredis"].get(test, 0.0)))
        if not args.no_memory:
            for name, srv in servers.items():
                srv.call(b"FLUSHALL")
                load_keys(srv.port, keyspace, load_requests)
                keys = int(srv.call(b"DBSIZE")[1:].strip())
                memory[name] = (keys, srv.rss_kb())
    finally:
        for srv in servers.values():
            srv.stop()
        signal.signal(signal.SIGTERM, previous)

    table = render(rows, memory, requests, keyspace, load_requests, args.quick)
    print(table)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    with open(RESULTS, "w") as fh:
        fh.write(f"# Benchmark results\n\n{stamp} — {machine()}\n\n"
                 f"Produced by `make bench` (bench/run.py{' --quick' if args.quick else ''}).\n\n{table}\n")
    return 0


def render(rows, memory, requests, keyspace, load_requests, quick) -> str:
    lines = [f"redis-benchmark -q -n {requests} -c 50 --csv, at -P 1 and -P 16"
             + (" (--quick: too few requests for the numbers to mean much)" if quick else ""), "",
             "| test | P | redis ops/s | pyredis ops/s | pyredis/redis | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for test, pipeline, real_rps, py_rps in rows:
        ratio = py_rps / real_rps if real_rps else 0.0
        target = f">= {TARGET_RATIO[pipeline]}" if test in TARGET_TESTS else ""
        lines.append(f"| {test} | {pipeline} | {real_rps:,.0f} | {py_rps:,.0f} | {ratio:.2f} | {target} |")
    if memory:
        (real_keys, real_rss), (py_keys, py_rss) = memory["redis"], memory["pyredis"]
        ratio = py_rss / real_rss if real_rss else 0.0
        lines += ["", f"Memory after `redis-benchmark -t set -r {keyspace} -n {load_requests} -P 64`:", "",
                  "| server | keys | VmRSS (MB) |", "| --- | ---: | ---: |",
                  f"| redis | {real_keys:,} | {real_rss / 1024:,.1f} |",
                  f"| pyredis | {py_keys:,} | {py_rss / 1024:,.1f} |",
                  "", f"RSS ratio pyredis/redis: {ratio:.2f} (target <= {TARGET_RSS_RATIO})"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
