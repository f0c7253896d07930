"""pyredis-server's start-up, side by side with redis-server: config errors, options, logs, files.

A bad config file or option must stop both binaries with the same ``*** FATAL CONFIG FILE ERROR ***``
report on stderr and the same exit code. The rest checks what an operator sees: ``--version``,
Redis's log line format, the pidfile's life, the unix socket and an IPv6 loopback listener.
"""

import os
import re
import signal
import socket
import subprocess

import pytest
import redis

from ..support import PYREDIS_SERVER, ServerProcess, free_port, have_real_redis, wait_for

needs_real = pytest.mark.skipif(not have_real_redis(), reason="redis-server is not installed")


def run_both(tmp_path, args: list[str], config_text: str | None = None) -> tuple:
    """Run both binaries to completion; return ((rc, stderr) of pyredis, (rc, stderr) of redis)."""
    results = []
    for binary in (list(PYREDIS_SERVER), ["redis-server"]):
        argv = list(binary)
        if config_text is not None:
            path = tmp_path / "bad.conf"
            path.write_text(config_text)
            argv.append("bad.conf")
        proc = subprocess.run(argv + args, cwd=tmp_path, capture_output=True, timeout=30)
        results.append((proc.returncode, proc.stderr.decode(errors="replace")))
    return results[0], results[1]


BAD_FILES = [
    "port abc\n",
    "nosuchdirective yes\n",
    "port 7000\n\n# comment\nappendonly maybe\n",
    "maxmemory 10xb\n",
    "loglevel loud\n",
    "save 10\n",
    'bind "127.0.0.1\n',
    "hz 1 2\n",
    "client-output-buffer-limit foo 1 2 3\n",
]


@needs_real
@pytest.mark.parametrize("text", BAD_FILES, ids=lambda t: t.strip().splitlines()[-1])
def test_bad_config_file_report_matches_redis(tmp_path, text):
    ours, theirs = run_both(tmp_path, ["--port", "0"], config_text=text)
    assert theirs[0] == 1 and "FATAL CONFIG FILE ERROR" in theirs[1]
    assert ours == theirs


BAD_OPTIONS = [
    ["--port", "abc"],
    ["--nosuchdirective", "bar", "--port", "1"],
    ["--port", "1", "2"],
    ["--maxmemory", "lots"],
]


@needs_real
@pytest.mark.parametrize("args", BAD_OPTIONS, ids=" ".join)
def test_bad_option_report_matches_redis(tmp_path, args):
    ours, theirs = run_both(tmp_path, args)
    assert theirs[0] == 1
    assert ours == theirs


@needs_real
def test_bad_option_after_config_file_counts_file_lines(tmp_path):
    ours, theirs = run_both(tmp_path, ["--save", "10"], config_text="port 0\n")
    assert ours == theirs


def test_missing_config_file_exits_with_1(tmp_path):
    proc = subprocess.run([*PYREDIS_SERVER, str(tmp_path / "nope.conf")], capture_output=True, timeout=30)
    assert proc.returncode == 1
    assert "Fatal error, can't open config file" in (proc.stdout + proc.stderr).decode()


def test_version_flag():
    out = subprocess.run([*PYREDIS_SERVER, "--version"], capture_output=True, timeout=30).stdout.decode()
    assert re.match(r"Redis server v=7\.0\.\d+ sha=\S+ malloc=\S+ bits=64 build=\S+$", out.strip())


def test_options_override_config_file(make_server):
    srv = make_server(["--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"],
                      config_text="maxmemory 1mb\nmaxmemory-policy volatile-lru\n")
    client = srv.client()
    assert client.config_get("maxmemory") == {"maxmemory": str(2 * 1024 * 1024)}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    client.close()


LOG_LINE = re.compile(r"^(\d+):([MSCX]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) "
                      r"(\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) (.*)$")


def test_log_lines_have_redis_format(make_server):
    srv = make_server()
    wait_for(lambda: "Ready to accept connections" in srv.log(), message="ready line")
    lines = [line for line in srv.log().splitlines() if line]
    for line in lines:
        assert LOG_LINE.match(line), line
    # redis-server 7.0.15 logs "Ready to accept connections"; 7.2 added " tcp"
    ready = [m for m in map(LOG_LINE.match, lines) if m and m.group(11).startswith("Ready to accept connections")]
    assert ready and ready[0].group(2) == "M" and ready[0].group(10) == "*"
    assert int(ready[0].group(1)) == srv.proc.pid


def test_pidfile_written_and_removed_on_sigterm(tmp_path):
    pidfile = tmp_path / "pyredis.pid"
    srv = ServerProcess(["--pidfile", str(pidfile)])
    try:
        srv.start()
        wait_for(pidfile.exists, message="pidfile")
        assert int(pidfile.read_text().strip()) == srv.proc.pid
        os.kill(srv.proc.pid, signal.SIGTERM)
        assert srv.proc.wait(15) == 0
        assert not pidfile.exists()
    finally:
        srv.cleanup()


def test_unixsocket_serves_clients(tmp_path):
    path = str(tmp_path / "pyredis.sock")
    srv = ServerProcess(["--unixsocket", path])
    try:
        srv.start()
        client = redis.Redis(unix_socket_path=path, socket_timeout=10)
        assert client.ping() is True
        assert client.set("k", "v") and client.get("k") == b"v"
        client.close()
    finally:
        srv.cleanup()
    assert not os.path.exists(path)


def test_unixsocketperm_is_octal_like_redis(tmp_path):
    path = str(tmp_path / "pyredis.sock")
    srv = ServerProcess(["--unixsocket", path, "--unixsocketperm", "700"])
    try:
        srv.start()
        assert os.stat(path).st_mode & 0o777 == 0o700
    finally:
        srv.cleanup()


def _ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_bind_ipv6_loopback(make_server):
    port = free_port()
    srv = make_server(["--bind", "::1", "127.0.0.1"], port=port)
    client = redis.Redis(host="::1", port=port, socket_timeout=10)
    assert client.ping() is True
    client.close()
    assert srv.alive()
