"""Sentinel's user scripts and host names with real processes.

Scripts are small shell scripts that append their arguments (one line per run, ``|``-separated)
to a file of the test's own. The sentinels run them as Redis 7.0 does: notification-script on
every warning event about the master, client-reconfig-script when the leader sees the promotion
(``<name> leader start <from-ip> <from-port> <to-ip> <to-port>``), exit 1 retried after the
retry delay, a run past the maximum run time killed (``-script-timeout``) and retried; SENTINEL
DEBUG shortens those times as Redis's own tests do. Host names: with ``resolve-hostnames yes``
and ``announce-hostnames yes`` a sentinel monitors ``localhost`` (127.0.0.1 here) and says
``localhost`` wherever Redis would.
"""

import os
import stat

import pytest

from ..support import wait_for
from .topology import (
    MASTER_NAME,
    SentinelProcess,
    Server,
    have_redis_sentinel,
    link_up,
    raw_command,
    role,
    sentinel_info_line,
)

SCRIPT_TIMEOUT = 15


@pytest.fixture
def procs():
    """Processes a test starts, always reaped."""
    made: list = []
    yield made
    for p in made:
        p.cleanup()


@pytest.fixture(scope="module")
def master():
    server = Server().start()
    yield server
    server.cleanup()


def write_script(directory, name: str, body: str = "", exit_code: int = 0) -> tuple[str, str]:
    """An executable script recording its arguments in ``<name>.out``; returns (script, out)."""
    out = os.path.join(str(directory), f"{name}.out")
    path = os.path.join(str(directory), f"{name}.sh")
    with open(path, "w") as fh:
        fh.write(f"#!/bin/sh\nprintf '%s|' \"$@\" >> {out}\necho >> {out}\n{body}\nexit {exit_code}\n")
    os.chmod(path, stat.S_IRWXU)
    return path, out


def runs(out: str) -> list[list[str]]:
    try:
        with open(out) as fh:
            return [line.rstrip("\n").split("|")[:-1] for line in fh if line.strip()]
    except FileNotFoundError:
        return []


def start_sentinel(procs: list, master: Server, extra: list[str], quorum: int = 1) -> SentinelProcess:
    s = SentinelProcess(master.addr, quorum=quorum, extra=extra)
    procs.append(s)
    return s.start()  # type: ignore[return-value]


def pending(s: SentinelProcess) -> list[dict[bytes, object]]:
    return [dict(zip(entry[::2], entry[1::2], strict=True)) if isinstance(entry, list) else entry
            for entry in raw_command(s, "SENTINEL", "PENDING-SCRIPTS")]  # type: ignore[union-attr]


# ---------------------------------------------------------------- notification-script


def test_notification_script_gets_event_type_and_description(procs, master, tmp_path):
    script, out = write_script(tmp_path, "notify")
    s = start_sentinel(procs, master, [f"sentinel notification-script {MASTER_NAME} {script}"])
    want = ["+monitor", f"master {MASTER_NAME} 127.0.0.1 {master.port} quorum 1"]
    wait_for(lambda: want in runs(out), SCRIPT_TIMEOUT, message="the +monitor notification")
    wait_for(lambda: raw_command(s, "SENTINEL", "PENDING-SCRIPTS") == [], SCRIPT_TIMEOUT,
             message="the queue to empty")


def test_script_paths_cannot_be_set_at_runtime_by_default(procs, master, tmp_path):
    script, _ = write_script(tmp_path, "notify")
    s = start_sentinel(procs, master, [])
    with pytest.raises(Exception, match="^Reconfiguration of scripts path is denied for security reasons. "
                                        "Check the deny-scripts-reconfig configuration directive in your "
                                        "Sentinel configuration$"):
        s.client().execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", script)


def test_sentinel_set_checks_the_script_and_its_own_event_runs_it(procs, master, tmp_path):
    script, out = write_script(tmp_path, "notify")
    s = start_sentinel(procs, master, ["sentinel deny-scripts-reconfig no"])
    c = s.client()
    with pytest.raises(Exception, match="^Notification script seems non existing or non executable$"):
        c.execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", str(tmp_path / "missing"))
    with pytest.raises(Exception, match="^Client reconfiguration script seems non existing or non executable$"):
        c.execute_command("SENTINEL", "SET", MASTER_NAME, "client-reconfig-script", str(tmp_path / "missing"))
    assert c.execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", script)
    assert raw_command(s, "SENTINEL", "MASTER", MASTER_NAME)[b"notification-script"] == script.encode()
    want = ["+set", f"master {MASTER_NAME} 127.0.0.1 {master.port} notification-script {script}"]
    wait_for(lambda: want in runs(out), SCRIPT_TIMEOUT, message="the +set notification")
    assert f"sentinel notification-script {MASTER_NAME} {script}" in s.conf()


def test_script_exiting_1_is_retried(procs, master, tmp_path):
    script, out = write_script(tmp_path, "retry", exit_code=1)
    s = start_sentinel(procs, master, ["sentinel deny-scripts-reconfig no"])
    c = s.client()
    c.execute_command("SENTINEL", "DEBUG", "script-retry-delay", "100")
    c.execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", script)
    wait_for(lambda: len(runs(out)) >= 3, SCRIPT_TIMEOUT, message="three runs of the failing script")
    first, second, third = runs(out)[:3]
    assert first == second == third and first[0] == "+set"
    entry = pending(s)[0]
    assert entry[b"argv"][0] == script.encode() and int(entry[b"retry-num"]) >= 3


def test_script_exiting_2_is_not_retried_and_reports_script_error(procs, master, tmp_path):
    script, out = write_script(tmp_path, "fatal", exit_code=2)
    s = start_sentinel(procs, master, ["sentinel deny-scripts-reconfig no"])
    s.client().execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", script)
    wait_for(lambda: s.has_event("-script-error", f"{script} 0 2"), SCRIPT_TIMEOUT, message="-script-error")
    assert len(runs(out)) == 1 and raw_command(s, "SENTINEL", "PENDING-SCRIPTS") == []


def test_script_running_too_long_is_killed_and_retried(procs, master, tmp_path):
    script, out = write_script(tmp_path, "slow", body="exec sleep 60")
    s = start_sentinel(procs, master, ["sentinel deny-scripts-reconfig no"])
    c = s.client()
    c.execute_command("SENTINEL", "DEBUG", "script-max-runtime", "2000")
    c.execute_command("SENTINEL", "SET", MASTER_NAME, "notification-script", script)

    def running():
        info = c.info("sentinel")
        return (info["sentinel_running_scripts"], info["sentinel_scripts_queue_length"]) == (1, 1)
    wait_for(running, SCRIPT_TIMEOUT, message="INFO to count the running script")
    wait_for(lambda: s.events("-script-timeout"), SCRIPT_TIMEOUT, message="-script-timeout")
    path, pid = s.events("-script-timeout")[0][2].split(" ")
    assert path == script and int(pid) > 0
    # killed by a signal: scheduled again after the 30 s retry delay
    entry = wait_for(lambda: next((e for e in pending(s) if e[b"flags"] == b"scheduled"), None), SCRIPT_TIMEOUT,
                     message="the script scheduled again")
    assert entry[b"pid"] == b"0" and entry[b"retry-num"] == b"1" and 20000 < int(entry[b"run-delay"]) <= 30000
    assert len(runs(out)) == 1


def test_sentinel_debug_lists_and_checks_its_knobs(procs, master):
    s = start_sentinel(procs, master, [])
    knobs = raw_command(s, "SENTINEL", "DEBUG")
    assert list(knobs)[-2:] == [b"SCRIPT-MAX-RUNTIME", b"SCRIPT-RETRY-DELAY"]
    assert knobs[b"SCRIPT-MAX-RUNTIME"] == b"60000" and knobs[b"SCRIPT-RETRY-DELAY"] == b"30000"
    with pytest.raises(Exception, match="^Invalid argument '0' for SENTINEL DEBUG 'script-max-runtime'$"):
        s.client().execute_command("SENTINEL", "DEBUG", "script-max-runtime", "0")
    with pytest.raises(Exception, match="^Unknown option or number of arguments for SENTINEL DEBUG 'nope'$"):
        s.client().execute_command("SENTINEL", "DEBUG", "nope", "1")


# ---------------------------------------------------------------- client-reconfig-script


@pytest.fixture
def pair(procs):
    """A master and its replica, for a failover of their own."""
    m = Server().start()
    procs.append(m)
    r = Server(["--replicaof", "127.0.0.1", str(m.port)])
    procs.append(r)
    r.start()
    wait_for(lambda: link_up(r), 20, message="the replica linked")
    return m, r


def wait_replica_seen(s: SentinelProcess, r: Server) -> None:
    def seen():
        replicas = raw_command(s, "SENTINEL", "REPLICAS", MASTER_NAME)
        return any(int(x[b"port"]) == r.port and b"disconnected" not in x[b"flags"]
                   and x[b"master-link-status"] == b"ok" for x in replicas)
    wait_for(seen, 20, interval=0.1, message="the sentinel to see the replica")


def test_client_reconfig_script_runs_for_the_leader_at_failover(procs, pair, tmp_path):
    m, r = pair
    script, out = write_script(tmp_path, "reconfig")
    s = start_sentinel(procs, m, [f"sentinel client-reconfig-script {MASTER_NAME} {script}"])
    wait_replica_seen(s, r)
    assert s.client().execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
    want = [MASTER_NAME, "leader", "start", "127.0.0.1", str(m.port), "127.0.0.1", str(r.port)]
    wait_for(lambda: want in runs(out), SCRIPT_TIMEOUT, message="the client-reconfig-script")
    wait_for(lambda: s.master_addr() == ("127.0.0.1", r.port), 20, message="+switch-master")
    assert runs(out) == [want]


# ---------------------------------------------------------------- host names


def test_monitor_by_hostname_needs_resolve_hostnames(procs, master):
    s = start_sentinel(procs, master, [])
    c = s.client()
    with pytest.raises(Exception, match="^Invalid IP address or hostname specified$"):
        c.execute_command("SENTINEL", "MONITOR", "other", "localhost", str(master.port), "1")
    assert c.execute_command("SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes")
    assert c.execute_command("SENTINEL", "MONITOR", "other", "localhost", str(master.port), "1")
    assert raw_command(s, "SENTINEL", "MASTER", "other")[b"ip"] == b"127.0.0.1"   # announce-hostnames no
    assert c.execute_command("SENTINEL", "CONFIG", "SET", "announce-hostnames", "yes")
    assert raw_command(s, "SENTINEL", "MASTER", "other")[b"ip"] == b"localhost"


def test_sentinel_announces_hostnames_and_fails_over_by_them(procs, tmp_path):
    m = Server().start()
    procs.append(m)
    r = Server(["--replicaof", "localhost", str(m.port)])
    procs.append(r)
    r.start()
    wait_for(lambda: link_up(r), 20, message="the replica linked through localhost")
    s = SentinelProcess(("localhost", m.port), quorum=1,
                        extra=["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes"])
    procs.append(s)
    s.start()
    assert ("#", "+monitor", f"master {MASTER_NAME} localhost {m.port} quorum 1") in s.events()
    assert s.master_addr() == ("localhost", m.port)
    wait_for(lambda: f"address=localhost:{m.port},slaves=1" in sentinel_info_line(s), 10,
             message="INFO sentinel to name localhost")
    wait_replica_seen(s, r)
    assert s.client().execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
    switch = f"{MASTER_NAME} localhost {m.port} 127.0.0.1 {r.port}"
    wait_for(lambda: s.has_event("+switch-master", switch), 20, message="+switch-master")
    assert s.master_addr() == ("127.0.0.1", r.port)
    wait_for(lambda: role(m) == "slave", 20, message="the old master to follow the new one")
    conf = s.conf()
    assert "sentinel resolve-hostnames yes" in conf and "sentinel announce-hostnames yes" in conf
    assert f"sentinel known-replica {MASTER_NAME} localhost {m.port}" in conf


def test_hostname_errors_match_real_sentinel(procs, master):
    if not have_redis_sentinel():
        pytest.skip("redis-sentinel is not installed")
    ours = start_sentinel(procs, master, [])
    real = SentinelProcess(master.addr, quorum=1, real=True)
    procs.append(real)
    real.start()
    for args in (("SENTINEL", "MONITOR", "x", "localhost", "6379", "1"),
                 ("SENTINEL", "SET", MASTER_NAME, "notification-script", "/nonexistent"),
                 ("SENTINEL", "DEBUG", "script-retry-delay", "-1"),
                 ("SENTINEL", "CONFIG", "GET", "*hostnames")):
        replies = []
        for s in (ours, real):
            try:
                replies.append(raw_command(s, *args))
            except Exception as exc:  # noqa: BLE001 (the error text is what is compared)
                replies.append(str(exc))
        assert replies[0] == replies[1], args
