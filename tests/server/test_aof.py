"""The append-only file through a real pyredis-server: the multi-part layout on disk, restart,
BGREWRITEAOF, turning the AOF on at run time, truncated tails, write errors and redis-check-aof."""

import os
import re
import shutil
import signal
import subprocess

import pytest
import redis

from pyredis.persistence.aof import Manifest, iter_commands

from ..support import ServerProcess, redis_cli, wait_for

AOF = ["--appendonly", "yes"]


def aof_dir(srv) -> str:
    return os.path.join(srv.dir, "appendonlydir")


def manifest(srv) -> Manifest:
    with open(os.path.join(aof_dir(srv), "appendonly.aof.manifest"), "rb") as fh:
        return Manifest.parse(fh.read())


def incr_commands(srv) -> list[list[bytes]]:
    with open(os.path.join(aof_dir(srv), manifest(srv).incr[-1].name), "rb") as fh:
        return [argv for argv, _ in iter_commands(fh.read())]


def restart(srv) -> None:
    srv.stop()
    srv.start()


def rewrite_done(c) -> bool:
    info = c.info("persistence")
    return info["aof_rewrite_in_progress"] == 0 and info["aof_rewrite_scheduled"] == 0


def rewrite_pid(srv) -> int:
    found = wait_for(lambda: re.findall(r"Background append only file rewriting started by pid (\d+)", srv.log()),
                     message="rewrite child pid in the log")
    return int(found[-1])  # type: ignore[index]


def fill(c) -> None:
    c.set("s", "v")
    c.set("ttl", "t", px=500000)
    c.rpush("l", *[str(i) for i in range(200)])
    c.hset("h", mapping={"f1": "1", "f2": "x" * 100})
    c.sadd("set", 1, 2, 3)
    c.zadd("z", {"a": 1.5, "b": -2})
    c2 = redis.Redis(port=c.connection_pool.connection_kwargs["port"], db=5)
    c2.set("other-db", "5")
    c2.close()


def check_filled(c) -> None:
    assert c.get("s") == b"v"
    assert 0 < c.pttl("ttl") <= 500000
    assert c.lrange("l", 0, -1) == [b"%d" % i for i in range(200)]
    assert c.hgetall("h") == {b"f1": b"1", b"f2": b"x" * 100}
    assert c.smembers("set") == {b"1", b"2", b"3"}
    assert c.zrange("z", 0, -1, withscores=True) == [(b"b", -2.0), (b"a", 1.5)]
    c2 = redis.Redis(port=c.connection_pool.connection_kwargs["port"], db=5)
    assert c2.get("other-db") == b"5"
    c2.close()


# ----- the layout

def test_appendonly_yes_creates_base_incr_and_manifest(make_server):
    srv = make_server(args=AOF)
    am = manifest(srv)
    assert am.base.name == "appendonly.aof.1.base.rdb"
    assert [i.name for i in am.incr] == ["appendonly.aof.1.incr.aof"]
    assert sorted(os.listdir(aof_dir(srv))) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                                                "appendonly.aof.manifest"]
    assert srv.client().info("persistence")["aof_enabled"] == 1


def test_writes_are_appended_in_effect_form_with_select(make_server):
    srv = make_server(args=AOF)
    c = srv.client()
    c.set("k", "v", ex=100)
    c.execute_command("SELECT", 3)
    c.incrbyfloat("f", 1.5)
    cmds = incr_commands(srv)
    assert cmds[0] == [b"SELECT", b"0"]
    assert cmds[1][:4] == [b"SET", b"k", b"v", b"PXAT"]
    assert cmds[2:] == [[b"SELECT", b"3"], [b"SET", b"f", b"1.5", b"KEEPTTL"]]


def test_multi_exec_is_kept_together(make_server):
    srv = make_server(args=AOF)
    c = srv.client()
    with c.pipeline(transaction=True) as p:
        p.set("a", 1)
        p.incr("b")
        p.execute()
    assert [cmd[0].upper() for cmd in incr_commands(srv)] == [b"SELECT", b"MULTI", b"SET", b"INCRBY", b"EXEC"]


def test_restart_loads_every_type_ttl_and_db(make_server):
    srv = make_server(args=AOF)
    fill(srv.client())
    restart(srv)
    check_filled(srv.client())
    assert "DB loaded from append only file" in srv.log()


def test_appendonly_yes_ignores_dump_rdb_at_startup(make_server):
    srv = make_server()
    c = srv.client()
    c.set("from-rdb", 1)
    c.save()
    srv.args += AOF
    restart(srv)
    assert srv.client().get("from-rdb") is None


def test_without_rdb_preamble_the_base_is_commands(make_server):
    srv = make_server(args=AOF + ["--aof-use-rdb-preamble", "no"])
    c = srv.client()
    fill(c)
    assert redis_cli(srv.port, "BGREWRITEAOF") == "Background append only file rewriting started\n"
    wait_for(lambda: rewrite_done(c), message="rewrite")
    base = manifest(srv).base.name
    assert base == "appendonly.aof.2.base.aof"
    with open(os.path.join(aof_dir(srv), base), "rb") as fh:
        assert fh.read(14) == b"*2\r\n$6\r\nSELECT"
    restart(srv)
    check_filled(srv.client())


# ----- BGREWRITEAOF

def test_bgrewriteaof_swaps_the_manifest_and_deletes_history(make_server):
    srv = make_server(args=AOF)
    c = srv.client()
    fill(c)
    assert redis_cli(srv.port, "BGREWRITEAOF") == "Background append only file rewriting started\n"
    c.set("after-fork", 1)
    wait_for(lambda: rewrite_done(c), message="rewrite")
    am = manifest(srv)
    assert (am.base.name, [i.name for i in am.incr], am.history) == (
        "appendonly.aof.2.base.rdb", ["appendonly.aof.2.incr.aof"], [])
    assert sorted(os.listdir(aof_dir(srv))) == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                                                "appendonly.aof.manifest"]
    info = c.info("persistence")
    assert info["aof_rewrites"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    restart(srv)
    c = srv.client()
    check_filled(c)
    assert c.get("after-fork") == b"1"


def test_bgrewriteaof_while_one_runs_is_an_error(make_server):
    srv = make_server(args=AOF + ["--aof-use-rdb-preamble", "no"])
    c = srv.client()
    c.set("big", os.urandom(1 << 20) * 32)
    c.execute_command("BGREWRITEAOF")
    pid = rewrite_pid(srv)
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(redis.ResponseError, match="^Background append only file rewriting already in progress$"):
            c.execute_command("BGREWRITEAOF")
        with pytest.raises(redis.ResponseError, match="Another child process is active"):
            c.execute_command("BGSAVE")
        c.set("during", 1)
        assert c.info("persistence")["aof_rewrite_in_progress"] == 1
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: rewrite_done(c), message="rewrite")
    restart(srv)
    assert srv.client().get("during") == b"1"


def test_bgrewriteaof_during_bgsave_is_scheduled(make_server):
    srv = make_server(args=AOF)
    c = srv.client()
    c.set("k", "v")
    c.execute_command("BGSAVE")
    pid = int(wait_for(lambda: re.findall(r"Background saving started by pid (\d+)", srv.log()))[-1])
    os.kill(pid, signal.SIGSTOP)
    try:
        assert redis_cli(srv.port, "BGREWRITEAOF") == "Background append only file rewriting scheduled\n"
        assert c.info("persistence")["aof_rewrite_scheduled"] == 1
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: c.info("persistence")["aof_rewrites"] == 1 and rewrite_done(c), message="scheduled rewrite")
    assert manifest(srv).base.seq == 2


def test_bgrewriteaof_with_aof_off_writes_a_base(make_server):
    srv = make_server()
    c = srv.client()
    c.set("k", "v")
    c.execute_command("BGREWRITEAOF")
    wait_for(lambda: rewrite_done(c), message="rewrite")
    am = manifest(srv)
    assert am.base.name == "appendonly.aof.1.base.rdb" and am.incr == []


def test_auto_rewrite_on_growth(make_server):
    srv = make_server(args=AOF + ["--auto-aof-rewrite-min-size", "1000", "--auto-aof-rewrite-percentage", "100"])
    c = srv.client()
    for i in range(40):
        c.set(f"key{i}", "x" * 50)
    wait_for(lambda: c.info("persistence")["aof_rewrites"] >= 1 and rewrite_done(c), message="auto rewrite")
    assert "Starting automatic rewriting of AOF on" in srv.log()


# ----- turning it on and off

def test_config_set_appendonly_yes_rewrites_the_existing_data(make_server):
    srv = make_server()
    c = srv.client()
    c.set("before", 1)
    assert c.config_set("appendonly", "yes")
    c.set("after", 2)
    wait_for(lambda: c.info("persistence")["aof_enabled"] == 1 and rewrite_done(c), message="initial rewrite")
    c.set("later", 3)
    am = manifest(srv)
    assert am.base.name == "appendonly.aof.1.base.rdb" and [i.name for i in am.incr] == ["appendonly.aof.1.incr.aof"]
    srv.args += AOF
    restart(srv)
    c = srv.client()
    assert (c.get("before"), c.get("after"), c.get("later")) == (b"1", b"2", b"3")


def test_config_set_appendonly_no_stops_appending(make_server):
    srv = make_server(args=AOF)
    c = srv.client()
    c.set("a", 1)
    c.config_set("appendonly", "no")
    c.set("b", 2)
    assert [cmd[1] for cmd in incr_commands(srv) if cmd[0].lower() == b"set"] == [b"a"]
    assert c.info("persistence")["aof_enabled"] == 0


def test_appendfsync_always_keeps_working(make_server):
    srv = make_server(args=AOF + ["--appendfsync", "always"])
    c = srv.client()
    for _ in range(20):
        c.execute_command("INCR", "n")
    assert incr_commands(srv)[-1] == [b"INCR", b"n"]


# ----- loading problems

def _truncate_last_incr(srv, extra: bytes) -> None:
    path = os.path.join(aof_dir(srv), manifest(srv).incr[-1].name)
    with open(path, "ab") as fh:
        fh.write(extra)


def test_truncated_tail_is_cut_with_aof_load_truncated(make_server):
    srv = make_server(args=AOF)
    srv.client().set("kept", 1)
    srv.stop()
    _truncate_last_incr(srv, b"*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1")
    srv.start()
    assert srv.client().get("kept") == b"1"
    log = srv.log()
    assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled" in log
    assert "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset" in log


def test_incomplete_multi_is_reverted(make_server):
    srv = make_server(args=AOF)
    srv.client().set("kept", 1)
    srv.stop()
    _truncate_last_incr(srv, b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n1\r\n")
    srv.start()
    c = srv.client()
    assert c.get("kept") == b"1" and c.get("lost") is None
    assert "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof" in srv.log()


def test_truncated_tail_is_fatal_without_aof_load_truncated(make_server):
    srv = make_server(args=AOF + ["--aof-load-truncated", "no"])
    srv.client().set("kept", 1)
    srv.stop()
    _truncate_last_incr(srv, b"*3\r\n$3\r\nSET")
    proc = subprocess.run(srv.cmdline, cwd=srv.dir, capture_output=True, timeout=30)
    assert proc.returncode == 1
    log = srv.log()
    assert ("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a "
            "backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>.") in log
    assert "Traceback" not in log + proc.stderr.decode()


def test_bad_manifest_stops_the_server(make_server):
    srv = make_server(args=AOF)
    srv.stop()
    with open(os.path.join(aof_dir(srv), "appendonly.aof.manifest"), "wb") as fh:
        fh.write(b"file appendonly.aof.1.base.rdb seq 1 type z\n")
    proc = subprocess.run(srv.cmdline, cwd=srv.dir, capture_output=True, timeout=30)
    assert proc.returncode == 1
    assert "*** FATAL AOF MANIFEST FILE ERROR ***" in srv.log() and "Unknown AOF file type" in srv.log()


def test_debug_loadaof_reloads_the_dataset(make_server):
    srv = make_server(args=AOF + ["--enable-debug-command", "yes"])
    c = srv.client()
    fill(c)
    assert c.execute_command("DEBUG", "LOADAOF") == b"OK"
    check_filled(c)


# ----- write errors: nothing acknowledged is lost

def _start_on_full_disk(policy: str) -> ServerProcess:
    srv = ServerProcess(AOF + ["--appendfsync", policy])
    os.mkdir(aof_dir(srv))
    with open(os.path.join(aof_dir(srv), "appendonly.aof.manifest"), "wb") as fh:
        fh.write(b"file appendonly.aof.1.incr.aof seq 1 type i\n")
    os.symlink("/dev/full", os.path.join(aof_dir(srv), "appendonly.aof.1.incr.aof"))
    return srv.start()


def test_write_error_with_always_refuses_the_write():
    srv = _start_on_full_disk("always")
    try:
        c = srv.client()
        with pytest.raises(redis.ResponseError, match="^MISCONF Errors writing to the AOF file: No space left on device$"):
            c.set("k", "v")
        with pytest.raises(redis.ResponseError, match="^MISCONF Errors writing to the AOF file"):
            c.set("k2", "v")
        info = c.info("persistence")
        assert info["aof_last_write_status"] == "err"
        assert "Error writing to the AOF file: No space left on device" in srv.log()
    finally:
        srv.cleanup()


def test_write_error_with_everysec_refuses_later_writes():
    srv = _start_on_full_disk("everysec")
    try:
        c = srv.client()
        c.set("k", "v")
        wait_for(lambda: c.info("persistence")["aof_last_write_status"] == "err", message="write error")
        with pytest.raises(redis.ResponseError, match="^MISCONF Errors writing to the AOF file: No space left on device$"):
            c.set("k2", "v")
    finally:
        srv.cleanup()


# ----- the real tools accept our files

@pytest.mark.skipif(shutil.which("redis-check-aof") is None, reason="redis-check-aof is not installed")
@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_check_aof_accepts_our_files(make_server, preamble):
    srv = make_server(args=AOF + ["--aof-use-rdb-preamble", preamble])
    c = srv.client()
    fill(c)
    c.execute_command("BGREWRITEAOF")
    wait_for(lambda: rewrite_done(c), message="rewrite")
    c.set("after", 1)
    with c.pipeline(transaction=True) as p:
        p.incr("x")
        p.delete("s")
        p.execute()
    srv.stop()
    out = subprocess.run(["redis-check-aof", os.path.join(aof_dir(srv), "appendonly.aof.manifest")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All AOF files and manifest are valid" in out.stdout
