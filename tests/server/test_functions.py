"""Redis 7 functions through redis-py: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL
and FCALL/FCALL_RO."""

import threading

import pytest
import redis

from tests.support import wait_for

LIB = """#!lua name=mylib
local function set_get(keys, args)
  redis.call('set', keys[1], args[1])
  return redis.call('get', keys[1])
end
local function echo(keys, args) return args[1] end
redis.register_function('set_get', set_get)
redis.register_function{function_name='echo', callback=echo, flags={'no-writes'}, description='echoes'}
"""

SPIN_LIB = """#!lua name=spin
redis.register_function{function_name='spin', callback=function() local i = 0 while true do i = i + 1 end end,
                        flags={'no-writes'}}
"""


def _map(flat: list) -> dict:
    """A RESP2 map reply (flat list) as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


@pytest.fixture
def f(r):
    r.function_flush()
    yield r
    r.function_flush()


def test_load_returns_library_name_and_fcall_runs(f):
    assert f.function_load(LIB) == b"mylib"
    assert f.fcall("set_get", 1, "k", "v") == b"v"
    assert f.fcall_ro("echo", 0, "hi") == b"hi"


def test_fcall_ro_refuses_function_without_no_writes(f):
    f.function_load(LIB)
    with pytest.raises(redis.exceptions.ResponseError, match=r"Can not execute a script with write flag using \*_ro"):
        f.fcall_ro("set_get", 1, "k", "v")


def test_load_twice_needs_replace(f):
    f.function_load(LIB)
    with pytest.raises(redis.exceptions.ResponseError, match="Library 'mylib' already exists"):
        f.function_load(LIB)
    assert f.function_load(LIB.replace("args[1] end", "'new' end"), replace=True) == b"mylib"
    assert f.fcall("echo", 0, "x") == b"new"


def test_list_shows_flags_description_and_code(f):
    f.function_load(LIB)
    [lib] = [_map(x) for x in f.function_list(withcode=True)]
    assert lib[b"library_name"] == b"mylib"
    assert lib[b"library_code"] == LIB.encode()
    funcs = {fn[b"name"]: fn for fn in (_map(x) for x in lib[b"functions"])}
    assert funcs[b"echo"][b"flags"] == [b"no-writes"]
    assert funcs[b"echo"][b"description"] == b"echoes"
    assert funcs[b"set_get"][b"description"] is None


def test_delete_removes_the_library(f):
    f.function_load(LIB)
    f.function_delete("mylib")
    with pytest.raises(redis.exceptions.ResponseError, match="Function not found"):
        f.fcall("echo", 0, "x")


def test_dump_and_restore_round_trip(f):
    f.function_load(LIB)
    payload = f.function_dump()
    f.function_flush()
    assert f.function_restore(payload)
    assert f.fcall("echo", 0, "back") == b"back"
    with pytest.raises(redis.exceptions.ResponseError, match="Library mylib already exists"):
        f.function_restore(payload)
    assert f.function_restore(payload, "REPLACE")


def test_functions_survive_script_flush(f):
    f.function_load(LIB)
    f.script_flush()
    assert f.fcall("echo", 0, "still") == b"still"


def test_stats_counts_libraries_and_functions(f):
    f.function_load(LIB)
    stats = f.function_stats()     # redis-py turns the nested maps into dicts
    assert stats[b"running_script"] is None
    assert stats[b"engines"][b"LUA"] == {b"libraries_count": 1, b"functions_count": 2}


def test_function_kill_stops_a_busy_function(server, f):
    f.function_load(SPIN_LIB)
    f.config_set("lua-time-limit", 100)
    other = server.client()
    other.ping()
    errors = []

    def run() -> None:
        c = server.client()
        try:
            c.fcall("spin", 0)
        except redis.exceptions.ResponseError as exc:
            errors.append(str(exc))
        finally:
            c.close()

    runner = threading.Thread(target=run)
    runner.start()
    try:
        def running() -> bool:
            running = other.function_stats()[b"running_script"]
            return running is not None and running[b"name"] == b"spin"
        wait_for(running, message="FUNCTION STATS showing the running function")
        with pytest.raises(redis.exceptions.ResponseError, match="You can only call FUNCTION KILL"):
            other.get("x")
        with pytest.raises(redis.exceptions.ResponseError, match="You can only call FUNCTION KILL"):
            other.script_kill()
        assert other.function_kill()
        runner.join(10)
        assert errors and "Script killed by user with SCRIPT KILL..." in errors[0]
        assert errors[0].endswith("script: spin, on @user_function:2.")
    finally:
        while runner.is_alive():
            try:
                other.function_kill()
            except redis.exceptions.ResponseError:
                pass
            runner.join(0.2)
        f.config_set("lua-time-limit", 5000)
        other.close()


def test_library_load_cannot_call_commands(f):
    with pytest.raises(redis.exceptions.ResponseError,
                       match="Error registering functions: ERR user_function:2: Script attempted to access "
                             "nonexistent global variable 'call'"):
        f.function_load("#!lua name=bad\nredis.call('ping')")
    assert f.function_list() == []
