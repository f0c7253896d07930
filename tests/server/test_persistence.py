"""RDB persistence through a real pyredis-server: SAVE, BGSAVE, save points, start-up load,
shutdown saves, MISCONF, DUMP/RESTORE and DEBUG RELOAD."""

import os
import re
import signal
import subprocess
import time

import pytest
import redis

from pyredis.engine.keyspace import Keyspace
from pyredis.persistence import rdb

from ..support import redis_cli, wait_for


def dump_path(server) -> str:
    return os.path.join(server.dir, "dump.rdb")


def file_keys(server) -> dict:
    with open(dump_path(server), "rb") as fh:
        events = rdb.decode(fh.read())
    out = {}
    for e in events:
        if e[0] == "key":
            value = e[3]
            if hasattr(value, "scores"):
                value = dict(value.scores)
            elif type(value) is not bytes and not isinstance(value, (set, dict)):
                value = list(value)
            out[(e[1], e[2])] = (value, e[4])
    return out


def bgsave_done(r) -> bool:
    info = r.info("persistence")
    return info["rdb_bgsave_in_progress"] == 0


def child_pid(server) -> int:
    found = wait_for(lambda: re.findall(r"Background saving started by pid (\d+)", server.log()),
                     message="bgsave child pid in the log")
    return int(found[-1])  # type: ignore[index]


# ----- SAVE / LASTSAVE

def test_save_writes_dump_rdb_with_every_key(r, server):
    r.set("s", "v")
    r.rpush("l", "a", "b")
    r.sadd("set", "m")
    r.hset("h", "f", "v")
    r.zadd("z", {"m": 1.5})
    r.set("t", "x", px=100000)
    r.execute_command("SELECT", 0)
    assert r.save() in (True, b"OK")
    keys = file_keys(server)
    assert keys[(0, b"s")] == (b"v", None)
    assert keys[(0, b"l")] == ([b"a", b"b"], None)
    assert keys[(0, b"set")] == ({b"m"}, None)
    assert keys[(0, b"h")] == ({b"f": b"v"}, None)
    assert keys[(0, b"z")] == ({b"m": 1.5}, None)
    assert keys[(0, b"t")][1] > 0


def test_save_updates_lastsave_and_resets_changes(r):
    r.set("a", "1")
    assert r.info("persistence")["rdb_changes_since_last_save"] > 0
    before = r.lastsave()
    r.save()
    assert r.lastsave() >= before
    info = r.info("persistence")
    assert info["rdb_changes_since_last_save"] == 0
    assert info["rdb_last_bgsave_status"] == "ok"


def test_file_written_by_save_passes_redis_check_rdb(r, server):
    import shutil
    if shutil.which("redis-check-rdb") is None:
        pytest.skip("redis-check-rdb is not installed")
    r.set("k", "v" * 100)
    r.hset("h", mapping={f"f{i}": i for i in range(100)})
    r.save()
    out = subprocess.run(["redis-check-rdb", dump_path(server)], capture_output=True, text=True, timeout=30)
    assert "RDB looks OK" in out.stdout, out.stdout


# ----- BGSAVE

def test_bgsave_replies_and_logs_like_redis(r, server):
    r.set("k", "v")
    assert redis_cli(server.port, "BGSAVE").strip() == "Background saving started"
    wait_for(lambda: bgsave_done(r), message="bgsave to finish")
    wait_for(lambda: "Background saving terminated with success" in server.log(), message="success log line")
    log = server.log()
    assert "DB saved on disk" in log
    assert file_keys(server)[(0, b"k")] == (b"v", None)
    info = r.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok"
    assert info["rdb_changes_since_last_save"] == 0


def test_bgsave_while_one_runs_is_an_error(r, server):
    r.set("k", "v")
    r.execute_command("BGSAVE")
    pid = child_pid(server)
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(redis.ResponseError, match="Background save already in progress"):
            r.execute_command("BGSAVE")
        with pytest.raises(redis.ResponseError, match="Background save already in progress"):
            r.execute_command("SAVE")
        assert r.info("persistence")["rdb_bgsave_in_progress"] == 1
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: bgsave_done(r), message="bgsave to finish")


def test_bgsave_syntax_error(r):
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("BGSAVE", "foo")


def test_bgsave_schedule_without_a_child_starts_now(r, server):
    assert redis_cli(server.port, "BGSAVE", "SCHEDULE").strip() == "Background saving started"
    wait_for(lambda: bgsave_done(r), message="bgsave to finish")


def test_bgsave_inside_multi_is_scheduled(r, server):
    saves = r.info("persistence")["rdb_saves"]
    pipe = r.pipeline(transaction=True)
    pipe.set("k", "v")
    pipe.execute_command("BGSAVE")
    assert pipe.execute()[1] in (b"Background saving scheduled", True)
    wait_for(lambda: r.info("persistence")["rdb_saves"] > saves, message="the scheduled bgsave")
    assert file_keys(server)[(0, b"k")] == (b"v", None)


def test_bgsave_snapshot_is_the_dataset_at_the_fork(r, server):
    pipe = r.pipeline(transaction=False)
    for i in range(3000):
        pipe.set(f"key:{i}", f"value:{i}")
    pipe.hset("h", mapping={f"f{i}": i for i in range(500)})
    pipe.execute()
    expected = {(0, f"key:{i}".encode()): (f"value:{i}".encode(), None) for i in range(3000)}
    expected[(0, b"h")] = ({f"f{i}".encode(): str(i).encode() for i in range(500)}, None)
    # the writes after BGSAVE's reply happen after the fork: none may reach the file
    pipe = r.pipeline(transaction=False)
    pipe.execute_command("BGSAVE")
    for i in range(0, 3000, 3):
        pipe.set(f"key:{i}", "changed")
    for i in range(100):
        pipe.delete(f"key:{i * 7 + 1}")
        pipe.set(f"new:{i}", "new")
    pipe.hset("h", "f1", "changed")
    pipe.execute()
    wait_for(lambda: bgsave_done(r), message="bgsave to finish")
    assert r.info("persistence")["rdb_last_bgsave_status"] == "ok"
    assert file_keys(server) == expected
    assert r.get("key:0") == b"changed"


def test_changes_after_the_fork_still_count_as_unsaved(r):
    r.set("a", "1")
    r.execute_command("BGSAVE")
    r.set("b", "2")
    r.set("c", "3")
    wait_for(lambda: bgsave_done(r), message="bgsave to finish")
    assert r.info("persistence")["rdb_changes_since_last_save"] == 2


# ----- DUMP / RESTORE

@pytest.mark.parametrize("fill", [
    lambda r: r.set("src", "plain string"),
    lambda r: r.set("src", "12345"),
    lambda r: r.set("src", "z" * 500),
    lambda r: r.rpush("src", "a", "b", "3"),
    lambda r: r.sadd("src", "1", "2", "x"),
    lambda r: r.hset("src", mapping={"f": "v", "g": "w"}),
    lambda r: r.zadd("src", {"a": 1, "b": 2.5}),
])
def test_dump_restore_round_trip(r, fill):
    fill(r)
    payload = r.dump("src")
    assert r.restore("dst", 0, payload) in (True, b"OK")
    assert r.type("dst") == r.type("src")
    assert _contents(r, "dst") == _contents(r, "src")
    if r.type("src") != b"set":
        # A set's members are serialized in hash-table order, which depends on the
        # order they were inserted; every other type round-trips byte for byte.
        assert r.dump("dst") == payload


def _contents(r, key):
    kind = r.type(key)
    if kind == b"string":
        return r.get(key)
    if kind == b"list":
        return r.lrange(key, 0, -1)
    if kind == b"set":
        return sorted(r.smembers(key))
    if kind == b"hash":
        return sorted(r.hgetall(key).items())
    if kind == b"zset":
        return r.zrange(key, 0, -1, withscores=True)
    raise AssertionError(f"unexpected type {kind!r}")


def test_dump_of_a_missing_key_is_nil(r):
    assert r.dump("nothing") is None


def test_restore_existing_key_is_busykey_unless_replace(r):
    r.set("k", "old")
    payload = r.dump("k")
    with pytest.raises(redis.ResponseError, match="^BUSYKEY Target key name already exists.$"):
        r.restore("k", 0, payload)
    r.set("other", "new")
    assert r.restore("k", 0, r.dump("other"), replace=True) in (True, b"OK")
    assert r.get("k") == b"new"


def test_restore_ttl_relative_and_absolute(r):
    r.set("k", "v")
    payload = r.dump("k")
    r.restore("a", 100000, payload)
    assert 90000 < r.pttl("a") <= 100000
    deadline = int(r.time()[0]) * 1000 + 50000
    r.restore("b", deadline, payload, absttl=True)
    assert 40000 < r.pttl("b") <= 51000


def test_restore_with_a_past_absttl_creates_nothing(r):
    r.set("k", "v")
    assert r.restore("gone", 1, r.dump("k"), absttl=True) in (True, b"OK")
    assert r.exists("gone") == 0


@pytest.mark.parametrize("args, error", [
    (["-1"], "Invalid TTL value, must be >= 0"),
    (["abc"], "value is not an integer or out of range"),
    (["0", "IDLETIME", "-1"], "Invalid IDLETIME value, must be >= 0"),
    (["0", "FREQ", "256"], "Invalid FREQ value, must be >= 0 and <= 255"),
    (["0", "IDLETIME", "1", "FREQ", "1"], "syntax error"),
    (["0", "BOGUS"], "syntax error"),
])
def test_restore_argument_errors(r, args, error):
    r.set("k", "v")
    payload = r.dump("k")
    ttl, *rest = args
    rest = [payload if a == "P" else a for a in rest]
    with pytest.raises(redis.ResponseError, match=re.escape(error)):
        r.execute_command("RESTORE", "new", ttl, payload, *rest)


def test_restore_rejects_a_corrupt_payload(r):
    r.set("k", "v")
    payload = bytearray(r.dump("k"))
    payload[1] ^= 0xFF
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        r.restore("new", 0, bytes(payload))


def test_restore_accepts_idletime_and_freq(r):
    r.set("k", "v")
    payload = r.dump("k")
    assert r.restore("a", 0, payload, idletime=10) in (True, b"OK")
    assert r.restore("b", 0, payload, frequency=5) in (True, b"OK")


# ----- DEBUG RELOAD

def test_debug_reload_keeps_the_dataset(r):
    r.set("s", "v")
    r.set("t", "x", px=100000)
    r.zadd("z", {"a": 1})
    assert r.execute_command("DEBUG", "RELOAD") == b"OK"
    assert r.get("s") == b"v"
    assert 0 < r.pttl("t") <= 100000
    assert r.zscore("z", "a") == 1.0


def test_debug_reload_bad_option(r):
    with pytest.raises(redis.ResponseError, match="DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."):
        r.execute_command("DEBUG", "RELOAD", "FOO")


# ----- processes with their own configuration

def test_restart_loads_dump_rdb_with_ttls(make_server):
    srv = make_server()
    c = srv.client()
    c.set("a", "1")
    c.rpush("l", *range(10))
    c.set("t", "v", px=500000)
    c.select(3)
    c.set("in3", "x")
    c.save()
    srv.stop()
    srv.start()
    c = srv.client()
    assert c.get("a") == b"1"
    assert c.lrange("l", 0, -1) == [str(i).encode() for i in range(10)]
    assert 0 < c.pttl("t") <= 500000
    assert srv.client(db=3).get("in3") == b"x"
    log = srv.log()
    assert "DB loaded from disk:" in log
    assert "Done loading RDB, keys loaded: 4, keys expired: 0." in log
    assert c.info("persistence")["rdb_last_load_keys_loaded"] == 4


def test_expired_keys_are_skipped_at_load(make_server):
    srv = make_server()
    c = srv.client()
    c.set("short", "v", px=300)
    c.set("long", "v")
    c.save()
    srv.stop()
    deadline = time.time() + 0.4
    wait_for(lambda: time.time() > deadline, message="the TTL to pass")
    srv.start()
    c = srv.client()
    assert c.exists("short") == 0 and c.exists("long") == 1


def test_sigterm_saves_when_save_points_are_configured(make_server):
    srv = make_server(args=["--save", "3600 1"])
    srv.client().set("k", "v")
    srv.stop()
    assert "Saving the final RDB snapshot before exiting." in srv.log()
    srv.start()
    assert srv.client().get("k") == b"v"


def test_no_save_points_no_final_save(make_server):
    srv = make_server()
    srv.client().set("k", "v")
    srv.stop()
    assert not os.path.exists(os.path.join(srv.dir, "dump.rdb"))


def test_shutdown_save_and_nosave(make_server):
    srv = make_server()
    c = srv.client()
    c.set("k", "v")
    try:
        c.shutdown(save=True)
    except redis.ConnectionError:
        pass
    wait_for(lambda: not srv.alive(), message="server exit")
    assert os.path.exists(os.path.join(srv.dir, "dump.rdb"))
    srv.start()
    c = srv.client()
    assert c.get("k") == b"v"
    c.set("k", "changed")
    c.config_set("save", "3600 1")
    try:
        c.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    wait_for(lambda: not srv.alive(), message="server exit")
    srv.start()
    assert srv.client().get("k") == b"v"


def test_save_point_triggers_a_background_save(make_server):
    srv = make_server(args=["--save", "1 1", "--hz", "50"])
    srv.client().set("k", "v")
    wait_for(lambda: "1 changes in 1 seconds. Saving..." in srv.log(), timeout=10, message="save point")
    wait_for(lambda: "Background saving terminated with success" in srv.log(), message="bgsave done")
    assert srv.client().info("persistence")["rdb_saves"] >= 1


def run_with_dump(content: bytes) -> tuple[int, str, str]:
    """Start pyredis-server on a directory holding ``content`` as dump.rdb; it must exit by itself."""
    from ..support import ServerProcess
    proc = ServerProcess()
    try:
        with open(os.path.join(proc.dir, "dump.rdb"), "wb") as fh:
            fh.write(content)
        done = subprocess.run(proc.cmdline, cwd=proc.dir, capture_output=True, text=True, timeout=60)
        return done.returncode, proc.log(), done.stderr
    finally:
        proc.cleanup()


@pytest.mark.parametrize("content, expected", [
    (b"REDIS0010\xfa", "Short read or OOM loading DB. Unrecoverable error, aborting now."),
    (b"REDIS0099", "Can't handle RDB format version 99"),
    (b"GARBAGE00", "Wrong signature trying to load DB from file"),
    (b"REDIS0010\xfe\x00\x1e\x01k\x01v\xff" + bytes(8), "Unknown RDB encoding type 30"),
])
def test_bad_file_at_startup_exits_with_redis_message(content, expected):
    code, log, stderr = run_with_dump(content)
    assert code == 1
    assert expected in log
    assert "Traceback" not in log + stderr


def test_corrupt_checksum_at_startup_exits():
    ks = Keyspace(1)
    ks[0].data[b"k"] = b"v"
    data = bytearray(rdb.encode(ks, {}))
    data[-1] ^= 1
    code, log, stderr = run_with_dump(bytes(data))
    assert code == 1
    assert "Wrong RDB checksum expected:" in log
    assert "Traceback" not in log + stderr


def test_failed_bgsave_gives_misconf_until_a_save_succeeds(make_server):
    srv = make_server(args=["--save", "3600 1000"])
    c = srv.client()
    c.set("k", "v")
    # a directory where the file should go makes the final rename fail
    os.mkdir(os.path.join(srv.dir, "dump.rdb"))
    c.execute_command("BGSAVE")
    wait_for(lambda: c.info("persistence")["rdb_last_bgsave_status"] == "err", message="bgsave failure")
    assert "Background saving error" in srv.log()
    with pytest.raises(redis.ResponseError, match="^MISCONF Redis is configured to save RDB snapshots, but it's currently "
                                                   "unable to persist to disk."):
        c.set("k", "w")
    with pytest.raises(redis.ResponseError, match="MISCONF|Redis is configured to save RDB snapshots"):
        c.ping()
    assert c.get("k") == b"v"
    os.rmdir(os.path.join(srv.dir, "dump.rdb"))
    c.execute_command("BGSAVE")
    wait_for(lambda: c.info("persistence")["rdb_last_bgsave_status"] == "ok", message="bgsave success")
    assert c.set("k", "w") in (True, b"OK")


def test_misconf_needs_stop_writes_on_bgsave_error(make_server):
    srv = make_server(args=["--save", "3600 1000", "--stop-writes-on-bgsave-error", "no"])
    c = srv.client()
    os.mkdir(os.path.join(srv.dir, "dump.rdb"))
    c.execute_command("BGSAVE")
    wait_for(lambda: c.info("persistence")["rdb_last_bgsave_status"] == "err", message="bgsave failure")
    assert c.set("k", "v") in (True, b"OK")
