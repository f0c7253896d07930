"""Crash safety of the AOF with real processes: a bounded write load, ``kill -9`` of the server
in the middle of it, then a restart on the same directory.

- ``appendfsync always``: every acknowledged write is there after the restart (also when the
  kill lands during a BGREWRITEAOF).
- ``appendfsync everysec``: only writes acknowledged in the last ~2 seconds may be missing.
- a torn last command (the crash cut a write in half) is cut off with ``aof-load-truncated
  yes``, and stops the server with Redis's message and exit code 1 with ``no``.
"""

import os
import re
import signal
import subprocess
import threading
import time

import redis

from pyredis.persistence.aof import Manifest

from ..support import ServerProcess, wait_for

MAX_OPS = 200_000         # the load is bounded in count (more than a fast server takes before the kill)...
MAX_SECONDS = 6.0         # ...and in time


def write_until_killed(srv: ServerProcess, kill_after: float, during=None,
                       also_kill: list[int] | None = None) -> tuple[list[tuple[int, float]], float]:
    """SET key:i while a timer kills the server (and ``also_kill``, its children) with
    SIGKILL; returns the acknowledged (i, ack time) pairs and the kill time."""
    c = srv.client()
    acked: list[tuple[int, float]] = []
    killed_at = [0.0]

    def kill() -> None:
        killed_at[0] = time.monotonic()
        srv.kill(signal.SIGKILL)
        for pid in also_kill or ():
            try:
                os.kill(pid, signal.SIGKILL)    # a child holds copies of the client sockets
            except ProcessLookupError:
                pass

    timer = threading.Timer(kill_after, kill)
    timer.start()
    deadline = time.monotonic() + MAX_SECONDS
    try:
        for i in range(MAX_OPS):
            if time.monotonic() > deadline:
                break
            if during is not None and i == 200:
                during(c)
            try:
                c.set(f"key:{i}", i)
            except (redis.ConnectionError, redis.TimeoutError):
                break
            acked.append((i, time.monotonic()))
    finally:
        timer.join()        # the kill comes on schedule even if the load ended first
        c.close()
    srv.proc.wait(10)  # type: ignore[union-attr]
    assert killed_at[0], "the server was not killed during the load"
    return acked, killed_at[0]


def present(srv: ServerProcess, count: int) -> set[int]:
    c = srv.client()
    # start() returns as soon as the server answers, -LOADING included
    wait_for(lambda: c.info("persistence")["loading"] == 0, message="the AOF loaded")
    with c.pipeline(transaction=False) as p:
        for i in range(count):
            p.exists(f"key:{i}")
        return {i for i, found in enumerate(p.execute()) if found}


def test_always_keeps_every_acknowledged_write():
    srv = ServerProcess(["--appendonly", "yes", "--appendfsync", "always"]).start()
    try:
        acked, _ = write_until_killed(srv, kill_after=0.8)
        assert len(acked) > 50
        srv.start()
        missing = {i for i, _ in acked} - present(srv, len(acked))
        assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        srv.cleanup()


def test_always_kill_during_rewrite_keeps_every_acknowledged_write():
    srv = ServerProcess(["--appendonly", "yes", "--appendfsync", "always"]).start()
    stopped: list[int] = []

    def rewrite_and_freeze_child(c) -> None:
        c.execute_command("BGREWRITEAOF")
        found = wait_for(lambda: re.findall(r"rewriting started by pid (\d+)", srv.log()), message="child pid")
        stopped.append(int(found[-1]))  # type: ignore[index]
        try:
            os.kill(stopped[0], signal.SIGSTOP)   # the kill must land while the rewrite runs
        except ProcessLookupError:
            pass

    try:
        acked, _ = write_until_killed(srv, kill_after=0.8, during=rewrite_and_freeze_child, also_kill=stopped)
        assert len(acked) > 200
        srv.start()
        missing = {i for i, _ in acked} - present(srv, len(acked))
        assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        srv.cleanup()


def test_everysec_loses_at_most_the_last_two_seconds():
    srv = ServerProcess(["--appendonly", "yes", "--appendfsync", "everysec"]).start()
    try:
        acked, killed = write_until_killed(srv, kill_after=1.5)
        srv.start()
        found = present(srv, len(acked))
        lost_times = [t for i, t in acked if i not in found]
        assert all(t >= killed - 2.0 for t in lost_times), "a write older than 2 s was lost"
    finally:
        srv.cleanup()


def _tear_last_command(srv: ServerProcess) -> None:
    aof_dir = os.path.join(srv.dir, "appendonlydir")
    with open(os.path.join(aof_dir, "appendonly.aof.manifest"), "rb") as fh:
        name = Manifest.parse(fh.read()).incr[-1].name
    with open(os.path.join(aof_dir, name), "ab") as fh:
        fh.write(b"*3\r\n$3\r\nSET\r\n$7\r\nkey:tor")


def test_torn_tail_after_a_crash_is_recovered_per_aof_load_truncated():
    srv = ServerProcess(["--appendonly", "yes", "--appendfsync", "always"]).start()
    try:
        acked, _ = write_until_killed(srv, kill_after=0.5)
        _tear_last_command(srv)
        srv.args += ["--aof-load-truncated", "no"]
        proc = subprocess.run(srv.cmdline, cwd=srv.dir, capture_output=True, timeout=60)
        assert proc.returncode == 1
        assert "Unexpected end of file reading the append only file" in srv.log()
        srv.args += ["--aof-load-truncated", "yes"]
        srv.start()         # ready once it answers, -LOADING included: the load may still run
        wait_for(lambda: "loaded anyway because aof-load-truncated is enabled" in srv.log(),
                 message="the truncated AOF loaded")
        missing = {i for i, _ in acked} - present(srv, len(acked))
        assert not missing
    finally:
        srv.cleanup()
