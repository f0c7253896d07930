"""EVAL and friends as applications use them through redis-py: Lock, register_script, atomic
scripts, the sandbox, the busy-script limit with SCRIPT KILL, and replication of script effects."""

import threading

import pytest
import redis
from redis.lock import Lock

from tests.support import wait_for

SPIN = "local i = 0 while true do i = i + 1 end"


def test_eval_returns_keys_and_argv(r):
    assert r.eval("return {KEYS[1], KEYS[2], ARGV[1]}", 2, "a", "b", "c") == [b"a", b"b", b"c"]


def test_redis_call_writes_are_visible(r):
    r.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', 'counter')", 1, "k", "v")
    assert r.get("k") == b"v"
    assert r.get("counter") == b"1"


def test_register_script_reloads_after_script_flush(r):
    incr_by = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert incr_by(keys=["n"], args=[5]) == 5
    r.script_flush()
    assert incr_by(keys=["n"], args=[2]) == 7
    assert r.script_exists(incr_by.sha) == [True]


def test_evalsha_of_unknown_script_is_noscript(r):
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("a" * 40, 0)


def test_lock_acquire_release_and_extend(r):
    lock = Lock(r, "resource", timeout=5)
    assert lock.acquire(blocking=False)
    assert not Lock(r, "resource", timeout=5).acquire(blocking=False)
    assert lock.extend(10)
    assert 5000 < r.pttl("resource") <= 15000
    assert lock.reacquire()
    assert lock.owned()
    lock.release()
    assert r.get("resource") is None


def test_lock_release_by_another_owner_fails(r):
    lock = Lock(r, "resource", timeout=5)
    lock.acquire()
    r.set("resource", "someone-else")
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        lock.release()


def test_lock_waiter_gets_it_after_release(server, r):
    holder = Lock(r, "resource", timeout=10)
    holder.acquire()
    other = server.client()
    got = []
    t = threading.Thread(target=lambda: got.append(Lock(other, "resource", timeout=10, sleep=0.01)
                                                   .acquire(blocking_timeout=5)))
    t.start()
    holder.release()
    t.join(10)
    assert got == [True]
    other.close()


def test_script_errors_name_the_script_and_line(r):
    with pytest.raises(redis.exceptions.ResponseError) as info:
        r.eval("local a = 1\nerror('boom')", 0)
    assert str(info.value).startswith("user_script:2: boom script: ")
    assert str(info.value).endswith(", on @user_script:2.")


def test_sandbox_refuses_globals_and_os(r):
    with pytest.raises(redis.exceptions.ResponseError, match="Attempt to modify a readonly table"):
        r.eval("x = 1", 0)
    with pytest.raises(redis.exceptions.ResponseError, match="nonexistent global variable 'os'"):
        r.eval("return os.time()", 0)


def test_noscript_command_is_refused(r):
    with pytest.raises(redis.exceptions.ResponseError, match="This Redis command is not allowed from script"):
        r.eval("return redis.call('multi')", 0)


def test_eval_ro_refuses_writes(r):
    with pytest.raises(redis.exceptions.ResponseError, match="Write commands are not allowed from read-only"):
        r.eval_ro("return redis.call('set', KEYS[1], 'x')", 1, "k")
    assert r.get("k") is None


def test_blocking_command_in_script_does_not_block(r):
    # BLMPOP/BZMPOP are the blocking commands Redis 7.0 lets scripts call (the others are noscript)
    assert r.eval("return redis.call('blmpop', 0, 1, 'empty', 'LEFT')", 0) is None
    assert r.eval("return redis.call('bzmpop', 0, 1, 'emptyz', 'MIN')", 0) is None
    r.rpush("list", "x")
    assert r.eval("return redis.call('blmpop', 0, 1, 'list', 'LEFT')", 0) == [b"list", [b"x"]]


def test_select_inside_script_does_not_change_caller_db(r):
    r.eval("redis.call('select', 9); redis.call('set', 'in9', 'x')", 0)
    assert r.get("in9") is None
    assert r.execute_command("SELECT", 9) and r.get("in9") == b"x"
    r.execute_command("SELECT", 0)


def test_script_write_invalidates_watch(server, r):
    r.set("w", "1")
    pipe = r.pipeline()
    pipe.watch("w")
    other = server.client()
    other.eval("redis.call('set', 'w', '2')", 0)
    pipe.multi()
    pipe.set("w", "3")
    with pytest.raises(redis.exceptions.WatchError):
        pipe.execute()
    other.close()


def test_eval_inside_multi(r):
    pipe = r.pipeline()
    pipe.eval("return redis.call('incr', 'c')", 0)
    pipe.eval("return redis.call('incr', 'c')", 0)
    assert pipe.execute() == [1, 2]


def test_commands_from_scripts_count_in_commandstats(r):
    r.config_resetstat()
    r.eval("redis.call('set', 'a', 1); redis.call('set', 'b', 2)", 0)
    assert r.info("commandstats")["cmdstat_set"]["calls"] == 2


def test_script_cache_counts_in_info(r):
    r.script_flush()
    r.script_load("return 1")
    r.eval("return 2", 0)
    assert r.info("memory")["number_of_cached_scripts"] == 2


def test_busy_script_answers_busy_and_script_kill_stops_it(server, r):
    r.config_set("lua-time-limit", 100)
    other = server.client()
    other.ping()
    errors = []
    runner = threading.Thread(target=lambda: _run_catching(server, SPIN, errors))
    runner.start()
    try:
        def busy() -> bool:
            try:
                other.ping()
            except redis.exceptions.ResponseError as exc:
                return str(exc).startswith("BUSY Redis is busy running a script. You can only call SCRIPT KILL")
            return False
        wait_for(busy, message="BUSY reply")
        newcomer = server.client()   # a connection made while the script runs is served too
        assert newcomer.script_kill()
        runner.join(10)
        assert errors and "Script killed by user with SCRIPT KILL" in errors[0]
        assert other.ping()
        newcomer.close()
    finally:
        _kill_until_done(other, runner)
        r.config_set("lua-time-limit", 5000)
        other.close()


def _kill_until_done(client, runner) -> None:
    """Never leave a spinning script behind for the next test."""
    while runner.is_alive():
        try:
            client.script_kill()
        except redis.exceptions.ResponseError:
            pass
        runner.join(0.2)


def test_script_that_wrote_is_unkillable(server, r):
    r.config_set("lua-time-limit", 100)
    other = server.client()
    other.ping()
    errors = []
    # writes, then spins for 1.5 s of server time, so it ends by itself
    script = ("redis.call('set', 'x', 1) local t = redis.call('time') local start = t[1] * 1e6 + t[2] "
              "while true do t = redis.call('time') if t[1] * 1e6 + t[2] - start > 1.5e6 then break end end "
              "return 1")
    runner = threading.Thread(target=lambda: _run_catching(server, script, errors))
    runner.start()
    try:
        def unkillable() -> bool:
            try:
                other.script_kill()
            except redis.exceptions.ResponseError as exc:
                return str(exc).startswith("UNKILLABLE Sorry the script already executed write commands")
            return False
        wait_for(unkillable, message="UNKILLABLE")
        runner.join(10)
        assert errors == []
        assert r.get("x") == b"1"
    finally:
        r.config_set("lua-time-limit", 5000)
        other.close()


def _run_catching(server, script: str, errors: list) -> None:
    c = server.client()
    try:
        c.eval(script, 0)
    except redis.exceptions.ResponseError as exc:
        errors.append(str(exc))
    except redis.exceptions.ConnectionError as exc:
        errors.append("connection: " + str(exc))
    finally:
        c.close()


def test_script_effects_replicate_to_a_real_replica(server, make_server, r):
    replica = make_server(real=True)
    rc = replica.client()
    rc.replicaof("127.0.0.1", server.port)
    wait_for(lambda: rc.info("replication").get("master_link_status") == "up", timeout=20,
             message="replica link")
    r.eval("redis.call('set', 'a', 1); redis.call('lpush', 'l', 'x', 'y'); redis.call('expire', 'a', 100)", 0)
    r.eval("redis.call('set', 'single', 'write')", 0)
    wait_for(lambda: rc.get("single") == b"write", message="replicated single write")
    assert rc.get("a") == b"1"
    assert rc.lrange("l", 0, -1) == [b"y", b"x"]
    assert 0 < rc.ttl("a") <= 100
    rc.close()
