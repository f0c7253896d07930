"""The seed's Sentinel topology with real processes: a master, its replicas and sentinels.

Every process gets a free port (or a 127.0.0.x address of its own, for the partition tests), its
own temporary directory and log file, and is always reaped at teardown (``ServerProcess``'s
SIGTERM-then-SIGKILL by PID). A sentinel's config file is written once, when the process object is
made, so restarting it runs the file the sentinel rewrote — exactly what a restarted sentinel sees.

Servers and sentinels can each be pyredis or Debian's real Redis (``real=True``), for the interop
tests. Times are short (down-after 1 s, failover-timeout 10 s) so a failover takes a few seconds.
"""

import os
import re
import shutil
import socket

import pytest
import redis

from ..support import PYREDIS_SERVER, ServerProcess, free_port, wait_for

MASTER_NAME = "mymaster"
DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 10000
FAST_SYNC = ["--repl-diskless-sync-delay", "0"]

# the seed's failover story, in the order one leader's log tells it
FAILOVER_EVENTS = ["+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
                   "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
                   "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
                   "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end",
                   "+switch-master"]

# "<pid>:X 26 Nov 2026 10:19:22.190 # +sdown master mymaster 127.0.0.1 6379"
_EVENT_LINE = re.compile(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ ([#*.-]) ([+-][\w-]+) ?(.*)$")


def have_redis_sentinel() -> bool:
    return shutil.which("redis-sentinel") is not None


class Server(ServerProcess):
    """A pyredis-server or redis-server on ``host`` (default 127.0.0.1)."""

    def __init__(self, args: list[str] | None = None, real: bool = False, host: str = "127.0.0.1",
                 port: int | None = None) -> None:
        self.host = host
        super().__init__(args, real=real, port=port or free_port_on(host))

    @property
    def cmdline(self) -> list[str]:
        base = ["redis-server"] if self.real else list(PYREDIS_SERVER)
        opts = ["--port", str(self.port), "--bind", self.host, "--dir", self.dir, "--save", "",
                "--logfile", self.log_path, "--repl-diskless-sync-delay", "0"]
        if self.real:
            opts += ["--appendonly", "no", "--protected-mode", "no"]
            if self.host != "127.0.0.1":
                opts += ["--bind-source-addr", self.host]
        return base + opts + self.args

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"{self.host}:{self.port} exited with {self.proc.returncode}")
        with socket.create_connection((self.host, self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH", b"-LOADING"))

    def client(self, **kwargs) -> redis.Redis:
        kwargs.setdefault("socket_timeout", 5)
        kwargs.setdefault("socket_connect_timeout", 2)
        return redis.Redis(host=self.host, port=self.port, **kwargs)

    @property
    def addr(self) -> tuple[str, int]:
        return self.host, self.port

    def restart(self) -> "Server":
        self.stop()
        return self.start()  # type: ignore[return-value]


class SentinelProcess(Server):
    """A pyredis sentinel (``pyredis-sentinel sentinel.conf``) or Debian's ``redis-sentinel``."""

    def __init__(self, master: tuple[str, int], quorum: int = 2, real: bool = False, host: str = "127.0.0.1",
                 down_after: int = DOWN_AFTER, failover_timeout: int = FAILOVER_TIMEOUT,
                 extra: list[str] | None = None, name: str = MASTER_NAME) -> None:
        super().__init__(real=real, host=host)
        self.conf_path = os.path.join(self.dir, "sentinel.conf")
        lines = [f"port {self.port}", f"bind {host}", f"dir {self.dir}", f"logfile {self.log_path}",
                 "protected-mode no", "daemonize no"]
        if host != "127.0.0.1":
            lines.append(f"bind-source-addr {host}")  # links leave from our own address, as Redis does
        if master is not None:
            lines += [f"sentinel monitor {name} {master[0]} {master[1]} {quorum}",
                      f"sentinel down-after-milliseconds {name} {down_after}",
                      f"sentinel failover-timeout {name} {failover_timeout}",
                      f"sentinel parallel-syncs {name} 1"]
        lines += list(extra or [])
        with open(self.conf_path, "w") as fh:
            fh.write("\n".join(lines) + "\n")

    @property
    def cmdline(self) -> list[str]:
        if self.real:
            return ["redis-sentinel", self.conf_path]
        return [*PYREDIS_SERVER[:2], "pyredis.cli.sentinel", self.conf_path]

    def conf(self) -> str:
        with open(self.conf_path) as fh:
            return fh.read()

    def events(self, name: str | None = None) -> list[tuple[str, str, str]]:
        """(level, event, text) for each event line of the log, in order ("#" warning, "*" notice)."""
        out = []
        for line in self.log().splitlines():
            m = _EVENT_LINE.match(line)
            if m and (name is None or m.group(2) == name):
                out.append((m.group(1), m.group(2), m.group(3)))
        return out

    def has_event(self, name: str, text: str | None = None) -> bool:
        return any(text is None or t == text for _, _, t in self.events(name))

    def master_addr(self, name: str = MASTER_NAME) -> tuple[str, int] | None:
        reply = self.client().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
        if not reply:
            return None
        return reply[0].decode(), int(reply[1])


def free_port_on(host: str) -> int:
    if host == "127.0.0.1":
        return free_port()
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def link_up(server: Server) -> bool:
    return server.client().info("replication").get("master_link_status") == "up"


def role(server: Server) -> str:
    return server.client().info("replication")["role"]


class Topology:
    """Master + replicas + sentinels; ``start()`` waits until every sentinel sees the whole group."""

    def __init__(self, replicas: int = 2, sentinels: int = 3, quorum: int = 2, real_servers: bool = False,
                 real_sentinels: tuple[bool, ...] | None = None, hosts: dict[str, str] | None = None,
                 down_after: int = DOWN_AFTER, failover_timeout: int = FAILOVER_TIMEOUT) -> None:
        hosts = hosts or {}
        real_sentinels = real_sentinels or (False,) * sentinels
        self.processes: list[Server] = []
        self.master = self._track(Server(real=real_servers, host=hosts.get("master", "127.0.0.1")))
        self.replicas = []
        for i in range(replicas):
            host = hosts.get(f"replica{i}", "127.0.0.1")
            args = ["--replicaof", self.master.host, str(self.master.port)]
            if not real_servers and host != "127.0.0.1":
                args += ["--replica-announce-ip", host]  # pyredis connects from 127.0.0.1
            self.replicas.append(self._track(Server(args, real=real_servers, host=host)))
        self.sentinels = [
            self._track(SentinelProcess(self.master.addr, quorum, real=real_sentinels[i],
                                        host=hosts.get(f"sentinel{i}", "127.0.0.1"), down_after=down_after,
                                        failover_timeout=failover_timeout))
            for i in range(sentinels)]

    def _track(self, proc: Server) -> Server:
        self.processes.append(proc)
        return proc

    @property
    def servers(self) -> list[Server]:
        return [self.master, *self.replicas]

    def start(self, timeout: float = 30.0) -> "Topology":
        try:
            self.master.start()
            for r in self.replicas:
                r.start()
            for r in self.replicas:
                wait_for(lambda r=r: link_up(r), 20, message=f"replica {r.port} linked")
            for s in self.sentinels:
                s.start()
            n_rep, n_sen = len(self.replicas), len(self.sentinels)
            want = f"status=ok,address={self.master.host}:{self.master.port},slaves={n_rep},sentinels={n_sen}"
            for s in self.sentinels:
                wait_for(lambda s=s: want in sentinel_info_line(s), timeout, interval=0.1,
                         message=f"sentinel {s.port} to see {want}")
        except BaseException:
            self.cleanup()
            raise
        return self

    def by_addr(self, addr: tuple[str, int]) -> Server:
        return next(p for p in self.servers if p.addr == addr)

    def cleanup(self) -> None:
        for proc in self.processes:
            proc.cleanup()


def raw_command(server: Server, *args: str) -> object:
    """One command's reply as redis-py's parser gives it, without the client's reply callbacks."""
    conn = redis.Connection(host=server.host, port=server.port, socket_timeout=5, socket_connect_timeout=2)
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        conn.disconnect()


def sentinel_info_line(s: SentinelProcess, index: int = 0) -> str:
    """The raw ``master<index>:`` line of INFO sentinel (redis-py would split it into a dict)."""
    text = raw_command(s, "INFO", "sentinel")
    for line in bytes(text).decode().splitlines():  # type: ignore[arg-type]
        if line.startswith(f"master{index}:"):
            return line.split(":", 1)[1]
    return ""


def wait_failover(topo: Topology, old: tuple[str, int], timeout: float = 60.0) -> Server:
    """Wait until every live sentinel names a new master; returns it."""
    def switched():
        addrs = {s.master_addr() for s in topo.sentinels if s.alive()}
        if len(addrs) == 1:
            addr = addrs.pop()
            if addr is not None and addr != old:
                return addr
        return None
    addr = wait_for(switched, timeout, interval=0.1, message="all sentinels to switch master")
    return topo.by_addr(addr)  # type: ignore[arg-type]


def topology_factory():
    """For a fixture (``yield from topology_factory()``): yields ``factory(**kwargs)``, which builds
    and starts a ``Topology``; every topology it made is reaped when the fixture ends."""
    made: list[Topology] = []

    def factory(**kwargs) -> Topology:
        if kwargs.get("real_servers") and not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed (.ci/run installs it)")
        if any(kwargs.get("real_sentinels") or ()) and not have_redis_sentinel():
            pytest.skip("redis-sentinel is not installed (.ci/run installs it)")
        topo = Topology(**kwargs)
        made.append(topo)
        return topo.start()

    yield factory
    for topo in made:
        topo.cleanup()
