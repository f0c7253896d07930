"""Starting and always reaping real server processes for the tests.

``ServerProcess`` runs ``pyredis-server`` (or, for the differential tests, Debian's
``redis-server``) on a free 127.0.0.1 port with its own temporary directory, waits until it
answers PING, and stops it by PID (SIGTERM, then SIGKILL) — also when the test failed.
``wait_for`` is the only way tests wait: a bounded poll of a predicate, never a fixed sleep.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import redis

PYREDIS_SERVER = [sys.executable, "-m", "pyredis.cli.server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.02,
             message: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 (keep polling; report the last error)
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}" + (f" (last error: {last_exc})" if last_exc else ""))


class ServerProcess:
    def __init__(self, args: list[str] | None = None, real: bool = False, port: int | None = None,
                 config_text: str | None = None) -> None:
        self.real = real
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="pyredis-test-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.args = list(args or [])
        self.config_text = config_text
        self.proc: subprocess.Popen | None = None
        self._stderr = b""      # what was read from the stderr pipe, kept once stop() closed it

    @property
    def cmdline(self) -> list[str]:
        base = ["redis-server"] if self.real else list(PYREDIS_SERVER)
        if self.config_text is not None:
            path = os.path.join(self.dir, "redis.conf")
            with open(path, "w") as fh:
                fh.write(self.config_text)
            base.append(path)
        opts = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, "--save", "",
                "--logfile", self.log_path]
        if self.real:
            opts += ["--enable-debug-command", "yes", "--appendonly", "no"]
        return base + opts + self.args

    def start(self, timeout: float = 15.0) -> "ServerProcess":
        env = dict(os.environ)
        self._stderr = b""
        self.proc = subprocess.Popen(self.cmdline, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     cwd=self.dir, env=env, start_new_session=True)
        proc = self.proc
        try:
            # an exited server ends the wait at once, and is reported below with its stderr
            wait_for(lambda: proc.poll() is not None or self._ready(), timeout,
                     message=f"server on port {self.port}")
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}")
        except AssertionError as exc:
            self.stop()                 # keeps what the server wrote to stderr
            raise AssertionError(f"server did not start ({exc}); log:\n{self.log()}\n"
                                 f"stderr:\n{self.stderr_text()}") from None
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"server exited with {self.proc.returncode}")
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            data = s.recv(64)
            # -LOADING is not ready: tests read the dataset (and the load's log lines) right away
            return data.startswith((b"+PONG", b"-NOAUTH"))

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=30, **kwargs)

    def log(self) -> str:
        try:
            with open(self.log_path, errors="replace") as fh:
                return fh.read()
        except OSError:
            return ""

    def stderr_text(self) -> str:
        """What the server wrote to stderr so far; still there after stop() closed the pipe."""
        self._drain_stderr()
        return self._stderr.decode(errors="replace")

    def _drain_stderr(self) -> None:
        """Read what the pipe holds now without blocking (a live server may write more later)."""
        proc = self.proc
        if proc is None or proc.stderr is None or proc.stderr.closed:
            return
        fd = proc.stderr.fileno()
        os.set_blocking(fd, False)
        try:
            while chunk := os.read(fd, 65536):
                self._stderr += chunk
        except BlockingIOError:
            pass

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            os.kill(self.proc.pid, sig)  # type: ignore[union-attr]

    def stop(self, timeout: float = 10.0) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(5)
            except ProcessLookupError:
                pass
        if proc.stderr is not None and not proc.stderr.closed:
            self._drain_stderr()
            proc.stderr.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis_cli(port: int, *args: str, input_text: str | None = None, timeout: float = 20) -> str:
    """Run the real ``redis-cli`` against a port and return what it printed."""
    out = subprocess.run(["redis-cli", "-p", str(port), *args], input=input_text, capture_output=True,
                         text=True, timeout=timeout)
    return out.stdout


def have_real_redis() -> bool:
    return shutil.which("redis-server") is not None
