"""TIME, ROLE, SHUTDOWN, MONITOR, SLOWLOG, MEMORY, DEBUG and LATENCY, as Redis 7.0 answers them."""

import re
import time

import pytest
import redis

from ..compat.harness import RawClient, assert_same
from ..support import redis_cli, wait_for

DEBUG_DENIED = ("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run "
                "it from a local connection, otherwise you need to set this option in the configuration file, "
                "and then restart the server.")
MONITOR_LINE = re.compile(rb'^\+\d+\.\d{6} \[(\d+) ([^\]]+)\] (.*)\r\n$')


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as info:
        r.execute_command(*args)
    return str(info.value)


# ----- TIME, ROLE

def test_time_is_seconds_and_microseconds(r):
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 5
    assert 0 <= micros < 1_000_000


def test_role_of_a_master(server):
    c = RawClient(server.port)
    assert c.call("ROLE") == b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"
    c.close()


# ----- SHUTDOWN

def test_shutdown_nosave_stops_the_server(make_server):
    srv = make_server()
    c = RawClient(srv.port)
    c.send_raw(b"SHUTDOWN NOSAVE\r\n")
    with pytest.raises((ConnectionError, OSError)):
        c.read_reply()
    wait_for(lambda: not srv.alive(), message="server exit")
    assert srv.proc.returncode == 0
    assert "Redis is now ready to exit, bye bye..." in srv.log()


def test_shutdown_argument_errors(r):
    assert err(r, "SHUTDOWN", "foo") == "syntax error"
    assert err(r, "SHUTDOWN", "NOSAVE", "SAVE") == "syntax error"
    assert err(r, "SHUTDOWN", "ABORT", "NOW") == "syntax error"
    assert err(r, "SHUTDOWN", "ABORT") == "No shutdown in progress."


def test_shutdown_not_allowed_in_multi(r):
    pipe = r.pipeline(transaction=True)
    pipe.execute_command("SHUTDOWN")
    with pytest.raises(redis.ResponseError):
        pipe.execute()
    assert r.ping() is True


# ----- MONITOR

def _monitor(port: int) -> RawClient:
    m = RawClient(port, timeout=5)
    assert m.call("MONITOR") == b"+OK\r\n"
    return m


def test_monitor_line_format(r, server):
    m = _monitor(server.port)
    c = RawClient(server.port)
    c.call("SELECT", "3")
    c.call("SET", 'q"x', "a b\n\x01")
    line = m.read_reply()
    db, origin, body = MONITOR_LINE.match(line).groups()
    assert (db, body) == (b"3", b'"SELECT" "3"')
    db, origin, body = MONITOR_LINE.match(m.read_reply()).groups()
    assert db == b"3" and origin.startswith(b"127.0.0.1:")
    assert body == b'"SET" "q\\"x" "a b\\n\\x01"'
    m.close()
    c.close()


def test_monitor_hides_admin_commands_and_shows_its_own(server):
    m = _monitor(server.port)
    c = RawClient(server.port)
    c.call("CONFIG", "GET", "port")
    c.call("ECHO", "after-config")
    assert m.read_reply().endswith(b'"ECHO" "after-config"\r\n')
    m.send_raw(b"*2\r\n$4\r\nECHO\r\n$4\r\nmine\r\n")
    got = [m.read_reply(), m.read_reply()]
    assert b"$4\r\nmine\r\n" in got and any(g.endswith(b'"ECHO" "mine"\r\n') for g in got)
    m.close()
    c.close()


def test_monitor_shows_transactions_in_execution_order(server):
    m = _monitor(server.port)
    c = RawClient(server.port)
    c.call("MULTI")
    c.call("SET", "a", "1")
    c.call("EXEC")
    bodies = [MONITOR_LINE.match(m.read_reply()).group(3) for _ in range(3)]
    assert bodies == [b'"MULTI"', b'"SET" "a" "1"', b'"EXEC"']
    m.close()
    c.close()


def test_monitor_client_is_listed_with_flag_o(r, server):
    m = _monitor(server.port)
    wait_for(lambda: "flags=O" in r.execute_command("CLIENT", "LIST").decode())
    m.close()


def test_monitor_lines_match_real_redis(server, real_server):
    shapes = []
    for port in (server.port, real_server.port):
        m = _monitor(port)
        c = RawClient(port)
        c.call("SET", "k", "v\t\\")
        c.call("CONFIG", "GET", "hz")
        c.call("GET", "k")
        shapes.append([MONITOR_LINE.match(m.read_reply()).group(1, 3) for _ in range(2)])
        m.close()
        c.close()
    assert shapes[0] == shapes[1]


# ----- SLOWLOG

def test_slowlog_records_entries_in_redis_shape(r, server):
    r.config_set("slowlog-log-slower-than", "0")
    try:
        r.slowlog_reset()
        r.client_setname("slowpoke")
        r.set("key", "x" * 200)
        c = RawClient(server.port)
        reply = c.call("SLOWLOG", "GET", "1")
        c.close()
        assert reply.startswith(b"*1\r\n*6\r\n:")
        entry = r.slowlog_get(10)
        sets = [e for e in entry if e["command"].startswith(b"SET key")]
        assert sets and sets[0]["client_name"] == b"slowpoke"
        assert sets[0]["command"].endswith(b"... (72 more bytes)")
        assert r.slowlog_len() >= 2
    finally:
        r.config_set("slowlog-log-slower-than", "10000")
        r.slowlog_reset()
    assert r.slowlog_len() == 0


def test_slowlog_get_count(r):
    r.config_set("slowlog-log-slower-than", "0")
    try:
        r.slowlog_reset()
        for _ in range(15):
            r.ping()
        assert len(r.slowlog_get()) == 10
        assert len(r.slowlog_get(3)) == 3
        # GET -1 returns what was logged before it; LEN then also counts the GET itself
        assert len(r.slowlog_get(-1)) == r.slowlog_len() - 1
    finally:
        r.config_set("slowlog-log-slower-than", "10000")
        r.slowlog_reset()


def test_slowlog_errors_and_help(r):
    assert err(r, "SLOWLOG", "GET", "-2") == "count should be greater than or equal to -1"
    assert err(r, "SLOWLOG", "GET", "abc") == "count should be greater than or equal to -1"
    assert err(r, "SLOWLOG", "GET", "1", "2") == (
        "unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.")
    assert r.execute_command("SLOWLOG", "HELP")[1] == b"GET [<count>]"


# ----- MEMORY

def test_memory_usage_missing_key_is_null(r):
    assert r.memory_usage("nokey") is None


def test_memory_usage_grows_with_the_value(r):
    r.set("small", "x")
    r.set("big", "x" * 10_000)
    assert 16 < r.memory_usage("small") < r.memory_usage("big")
    assert r.memory_usage("big") >= 10_000
    r.execute_command("HSET", "h", *[x for i in range(100) for x in (f"f{i}", "v" * 50)])
    r.execute_command("HSET", "h2", "f", "v")
    assert r.memory_usage("h") > 100 * 50 > r.memory_usage("h2")


def test_memory_usage_samples_option(r):
    r.execute_command("SADD", "s", *[str(i) for i in range(50)])
    assert r.execute_command("MEMORY", "USAGE", "s", "SAMPLES", "0") > 0
    assert err(r, "MEMORY", "USAGE", "s", "SAMPLES", "abc") == "value is not an integer or out of range"
    assert err(r, "MEMORY", "USAGE", "s", "SAMPLES", "-1") == "syntax error"
    assert err(r, "MEMORY", "USAGE", "s", "foo") == "syntax error"


def test_memory_stats_keys_match_real_redis(server, real_server):
    def keys(port: int) -> list[bytes]:
        c = RawClient(port)
        c.call("FLUSHALL")
        c.call("SET", "k", "v")
        reply = redis.Redis(port=port, protocol=2).execute_command("MEMORY", "STATS")
        c.close()
        return reply[::2]
    assert keys(server.port) == keys(real_server.port)


def test_memory_doctor_and_help(r, server):
    assert redis_cli(server.port, "memory", "doctor").startswith("Hi Sam")
    assert r.execute_command("MEMORY", "HELP")[-1] == b"    Prints this help."


# ----- DEBUG

def test_debug_refused_by_default(make_server):
    srv = make_server()
    assert redis_cli(srv.port, "debug", "sleep", "0").strip() == "ERR " + DEBUG_DENIED


def test_debug_local_allows_loopback(make_server):
    srv = make_server(["--enable-debug-command", "local"])
    assert redis_cli(srv.port, "debug", "sleep", "0").strip() == "OK"


def test_debug_sleep_blocks_the_server(r, server):
    other = server.client()
    start = time.monotonic()
    assert r.execute_command("DEBUG", "SLEEP", "0.2") == b"OK"
    other.ping()
    assert time.monotonic() - start >= 0.2
    other.close()


def test_debug_set_active_expire_stops_background_expiry(r, server):
    try:
        assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
        r.set("tmp", "1", px=20)
        time.sleep(0.3)             # several cron ticks: the key must still be counted
        assert r.dbsize() == 1
        assert r.get("tmp") is None      # lazy expiry still works
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    r.set("tmp2", "1", px=20)
    wait_for(lambda: r.dbsize() == 0, message="active expiry")


def test_debug_object(r):
    r.set("n", "123")
    r.set("s", "hello")
    n = r.execute_command("DEBUG", "OBJECT", "n").decode()
    assert re.match(r"^Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:\d+ "
                    r"lru_seconds_idle:\d+$", n)
    s = r.execute_command("DEBUG", "OBJECT", "s").decode()
    assert "refcount:1 encoding:embstr serializedlength:6 " in s
    assert err(r, "DEBUG", "OBJECT", "nokey") == "no such key"


def test_debug_change_repl_id(r):
    before = r.info("replication")["master_replid"]
    assert r.execute_command("DEBUG", "CHANGE-REPL-ID") == b"OK"
    after = r.info("replication")
    assert after["master_replid"] != before and len(after["master_replid"]) == 40
    assert str(after["master_replid2"]) in ("0", "0" * 40)      # redis-py reads the zeros as a number


def test_debug_unknown_subcommand_and_help(r):
    assert err(r, "DEBUG", "FOO") == "unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP."
    assert err(r, "DEBUG", "SLEEP") == "unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP."
    assert r.execute_command("DEBUG", "HELP")[0].startswith(b"DEBUG <subcommand>")


# ----- LATENCY

def test_latency_monitor_empty_while_disabled(r, server):
    assert r.execute_command("LATENCY", "LATEST") == []
    assert r.execute_command("LATENCY", "HISTORY", "command") == []
    assert r.execute_command("LATENCY", "RESET") == 0
    assert redis_cli(server.port, "latency", "doctor").startswith("I'm sorry, Dave, I can't do that.")
    assert err(r, "LATENCY", "GRAPH", "command") == "No samples available for event 'command'"


# ----- the same raw replies as a real redis-server

def test_replies_match_real_redis(server, real_server):
    assert_same(server.port, real_server.port, [
        ["ROLE"], ["SHUTDOWN", "bogus"], ["SHUTDOWN", "ABORT"], ["SHUTDOWN", "SAVE", "NOSAVE"],
        ["SLOWLOG", "RESET"], ["SLOWLOG", "LEN"], ["SLOWLOG", "GET", "-3"], ["SLOWLOG", "GET", "1", "2"],
        ["SLOWLOG", "HELP"], ["SLOWLOG", "BOGUS"],
        ["MEMORY", "USAGE", "missing"], ["MEMORY", "USAGE", "x", "SAMPLES"], ["MEMORY", "HELP"],
        ["MEMORY", "BOGUS"], ["MEMORY", "DOCTOR"],
        ["LATENCY", "LATEST"], ["LATENCY", "HISTORY", "x"], ["LATENCY", "RESET"], ["LATENCY", "RESET", "a"],
        ["LATENCY", "DOCTOR"], ["LATENCY", "GRAPH", "x"], ["LATENCY", "HELP"],
        ["DEBUG", "BOGUS"], ["DEBUG", "OBJECT", "missing"], ["DEBUG", "SLEEP", "0"],
        ["DEBUG", "SET-ACTIVE-EXPIRE", "1"], ["DEBUG", "ERROR", "CUSTOM failure"], ["MONITOR", "x"], ["TIME", "x"],
        ["INFO", "bogus"],
    ])
    c = RawClient(server.port)
    c.call("HELLO", "3")
    d = RawClient(real_server.port)
    d.call("HELLO", "3")
    for cmd in (["MEMORY", "USAGE", "missing"], ["LATENCY", "DOCTOR"], ["ROLE"]):
        assert c.call(*cmd) == d.call(*cmd), cmd
    c.close()
    d.close()
