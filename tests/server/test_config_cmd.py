"""CONFIG GET / SET / RESETSTAT / REWRITE / HELP with Redis 7.0's replies and errors."""

import os
import socket

import pytest
import redis

from ..compat.harness import RawClient
from ..support import free_port, redis_cli, wait_for

UNKNOWN = "Unknown option or number of arguments for CONFIG SET - 'foo'"


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as info:
        r.execute_command(*args)
    return str(info.value)


def test_get_one_directive(r, server):
    assert r.config_get("port") == {"port": str(server.port)}


def test_get_several_patterns_and_names(r):
    got = r.execute_command("CONFIG", "GET", "maxmemory", "hz", "*policy")
    assert got == {b"maxmemory": b"0", b"hz": b"10", b"maxmemory-policy": b"noeviction"}


def test_get_glob_includes_aliases(r):
    got = r.config_get("*ziplist*")
    assert got == {"hash-max-ziplist-entries": "512", "hash-max-ziplist-value": "64", "list-max-ziplist-size": "-2",
                   "zset-max-ziplist-entries": "128", "zset-max-ziplist-value": "64"}


def test_get_alias_answers_with_the_name_asked(r):
    assert r.config_get("slaveof") == {"slaveof": ""}
    assert r.config_get("slave-read-only") == {"slave-read-only": "yes"}


def test_get_exact_name_keeps_its_case(server):
    c = RawClient(server.port)
    assert c.call("CONFIG", "GET", "PORT") == b"*2\r\n$4\r\nPORT\r\n$%d\r\n%d\r\n" % (len(str(server.port)), server.port)
    c.close()


def test_get_unknown_is_empty(r):
    assert r.config_get("no-such-directive") == {}


def test_get_is_a_map_under_resp3(server):
    c = RawClient(server.port)
    c.call("HELLO", "3")
    assert c.call("CONFIG", "GET", "hz") == b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    c.close()


def test_get_dir_is_absolute(r, server):
    assert r.config_get("dir") == {"dir": os.path.realpath(server.dir)}


def test_set_several_pairs(r):
    try:
        assert r.execute_command("CONFIG", "SET", "hz", "20", "maxmemory", "1mb") == b"OK"
        assert r.config_get("hz") == {"hz": "20"}
        assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
    finally:
        r.execute_command("CONFIG", "SET", "hz", "10", "maxmemory", "0")


def test_set_is_all_or_nothing(r):
    assert err(r, "CONFIG", "SET", "hz", "20", "port", "abc") == (
        "CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer")
    assert r.config_get("hz") == {"hz": "10"}


def test_set_unknown_option(r):
    assert err(r, "CONFIG", "SET", "foo", "bar") == UNKNOWN


def test_set_immutable(r):
    assert err(r, "CONFIG", "SET", "daemonize", "yes") == (
        "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")


def test_set_protected_config_refused_by_default(r):
    assert err(r, "CONFIG", "SET", "dir", "/tmp") == (
        "CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")


def test_set_protected_config_allowed_when_enabled(make_server, tmp_path):
    srv = make_server(["--enable-protected-configs", "yes"])
    c = srv.client()
    assert c.config_set("dir", str(tmp_path)) is True
    assert c.config_get("dir") == {"dir": str(tmp_path)}
    with pytest.raises(redis.ResponseError) as info:
        c.config_set("dir", str(tmp_path / "missing"))
    assert str(info.value) == ("CONFIG SET failed (possibly related to argument 'dir') - "
                               "No such file or directory")
    c.close()


def test_set_duplicate_parameter(r):
    assert err(r, "CONFIG", "SET", "maxmemory", "10", "maxmemory", "20") == (
        "CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter")


def test_set_odd_arguments_is_a_syntax_error(r):
    assert err(r, "CONFIG", "SET", "a", "b", "c") == "syntax error"
    assert err(r, "CONFIG", "SET", "port") == "wrong number of arguments for 'config|set' command"


def test_set_bad_enum_and_bool_reasons(r):
    assert err(r, "CONFIG", "SET", "appendfsync", "sometimes").endswith(
        "argument(s) must be one of the following: everysec, always, no")
    assert err(r, "CONFIG", "SET", "activerehashing", "maybe").endswith("argument must be 'yes' or 'no'")


def test_set_save_and_client_output_buffer_limit(r):
    try:
        assert r.config_set("save", "100 1 200 2") is True
        assert r.config_get("save") == {"save": "100 1 200 2"}
        assert err(r, "CONFIG", "SET", "save", "100 1 200") == (
            "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")
        assert r.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 30") is True
        assert r.config_get("client-output-buffer-limit") == {
            "client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 30"}
    finally:
        r.config_set("save", "")
        r.config_set("client-output-buffer-limit", "pubsub 32mb 8mb 60")


def test_set_notify_keyspace_events_round_trip(r):
    try:
        r.config_set("notify-keyspace-events", "KEA")
        assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
    finally:
        r.config_set("notify-keyspace-events", "")


def test_set_applies_through_hooks(r):
    try:
        r.config_set("slowlog-log-slower-than", "0")
        r.slowlog_reset()
        r.set("slow", "1")
        assert any(e["command"] == b"SET slow 1" for e in r.slowlog_get(5))
    finally:
        r.config_set("slowlog-log-slower-than", "10000")


def test_set_sensitive_value_is_redacted_in_slowlog(r):
    try:
        r.config_set("slowlog-log-slower-than", "0")
        r.execute_command("CONFIG", "SET", "masterauth", "sekret")
        entries = r.slowlog_get(10)
        logged = [e["command"] for e in entries if e["command"].startswith(b"CONFIG SET masterauth")]
        assert logged == [b"CONFIG SET masterauth (redacted)"]
    finally:
        r.config_set("masterauth", "")
        r.config_set("slowlog-log-slower-than", "10000")


def test_unknown_subcommand_and_help(r):
    assert err(r, "CONFIG", "FOO") == "unknown subcommand 'FOO'. Try CONFIG HELP."
    lines = r.execute_command("CONFIG", "HELP")
    assert lines[0] == b"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-2:] == [b"HELP", b"    Prints this help."]


def test_resetstat_clears_stats(r):
    r.ping()
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCH")
    assert r.config_resetstat() is True
    info = r.info("all")
    assert info["total_error_replies"] == 0
    assert not any(k.startswith("errorstat_") for k in info)
    assert "cmdstat_ping" not in info


def test_rewrite_without_config_file(r):
    assert err(r, "CONFIG", "REWRITE") == "The server is running without a config file"


CONF = """# top comment
port {port}

# save points
save 900 1
save 300 10
slave-read-only yes
maxmemory 1mb
loglevel notice
"""
CHANGES = [("maxmemory", "2000000"), ("hz", "20"), ("notify-keyspace-events", "KEA"),
           ("client-output-buffer-limit", "normal 1mb 2000 3"), ("maxmemory-policy", "allkeys-lru"),
           ("slave-read-only", "no")]


def _rewrite(srv) -> list[str]:
    c = srv.client()
    for name, value in CHANGES:
        c.config_set(name, value)
    assert c.execute_command("CONFIG", "REWRITE") == b"OK"
    c.close()
    with open(os.path.join(srv.dir, "redis.conf")) as fh:
        return fh.read().split("\n")


def test_rewrite_updates_the_file_in_place(make_server):
    port = free_port()
    srv = make_server(port=port, config_text=CONF.format(port=port))
    lines = _rewrite(srv)
    sig = lines.index("# Generated by CONFIG REWRITE")
    assert lines[:sig] == ["# top comment", f"port {port}", "", "# save points", 'save ""', "",
                           "replica-read-only no", "maxmemory 2000000", "loglevel notice", ""]
    appended = set(lines[sig + 1:]) - {""}
    assert {"hz 20", 'notify-keyspace-events "AKE"', "maxmemory-policy allkeys-lru",
            "client-output-buffer-limit normal 1mb 2000 3", "bind 127.0.0.1",
            f'dir "{os.path.realpath(srv.dir)}"'} <= appended


def test_rewrite_is_stable_and_reloadable(make_server):
    port = free_port()
    srv = make_server(port=port, config_text=CONF.format(port=port))
    first = _rewrite(srv)
    c = srv.client()
    assert c.execute_command("CONFIG", "REWRITE") == b"OK"
    c.close()
    with open(os.path.join(srv.dir, "redis.conf")) as fh:
        second = fh.read().split("\n")
    assert [x for x in second if x] == [x for x in first if x]
    srv.stop()
    srv.config_text = "\n".join(second)     # start() writes config_text: keep the rewritten file
    srv.start()
    c = srv.client()
    assert c.config_get("hz") == {"hz": "20"}
    assert c.config_get("replica-read-only") == {"replica-read-only": "no"}
    c.close()


def test_rewrite_matches_real_redis(make_server):
    """The lines before the signature are identical; what we append is what Redis appends for the
    directives we know (Redis also writes directives we do not have, e.g. user, latency-tracking...)."""
    from pyredis.config import TABLE  # noqa: PLC0415
    results = []
    for real in (False, True):
        port = free_port()
        args = [] if real else ["--enable-debug-command", "yes"]   # the harness gives it to redis-server
        srv = make_server(args, port=port, config_text=CONF.format(port=port), real=real)
        lines = [line.replace(str(port), "PORT").replace(os.path.realpath(srv.dir), "DIR")
                 .replace(srv.dir, "DIR") for line in _rewrite(srv)]
        results.append(lines)
    ours, theirs = results
    sig_o, sig_t = ours.index("# Generated by CONFIG REWRITE"), theirs.index("# Generated by CONFIG REWRITE")
    assert ours[:sig_o] == theirs[:sig_t]
    known = {line for line in theirs[sig_t + 1:] if line and line.split()[0] in TABLE}
    assert set(ours[sig_o + 1:]) - {""} == known


def test_set_port_rebinds(make_server):
    srv = make_server()
    new_port = free_port()
    c = srv.client()
    assert c.config_set("port", str(new_port)) is True
    c.close()
    wait_for(lambda: redis_cli(new_port, "ping").strip() == "PONG")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    assert redis_cli(new_port, "config", "get", "port").split() == ["port", str(new_port)]
    srv.port = new_port   # so that the fixture stops it cleanly


def test_set_port_in_use_fails_and_keeps_the_old_port(r, server):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        taken = busy.getsockname()[1]
        assert err(r, "CONFIG", "SET", "port", str(taken)) == (
            "CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port")
    assert r.config_get("port") == {"port": str(server.port)}
    assert r.ping() is True


def test_config_get_values_match_real_redis(server, real_server):
    names = ["maxmemory", "maxmemory-policy", "save", "appendonly", "client-output-buffer-limit",
             "notify-keyspace-events", "slave-read-only", "replicaof", "hz", "timeout", "databases",
             "list-max-ziplist-size", "repl-backlog-size", "hash-max-listpack-entries", "loglevel"]
    for name in names:
        a, b = RawClient(server.port), RawClient(real_server.port)
        assert a.call("CONFIG", "GET", name) == b.call("CONFIG", "GET", name), name
        a.close()
        b.close()


def test_config_names_are_a_subset_of_real_redis(server, real_server):
    ours = set(redis.Redis(port=server.port).config_get("*"))
    theirs = set(redis.Redis(port=real_server.port).config_get("*"))
    assert ours <= theirs, sorted(ours - theirs)
