"""INFO: sections, field names and order as Redis 7.0, and the counters behind them."""

import os

import pytest
import redis

from ..compat.harness import RawClient
from ..support import redis_cli, wait_for


def raw_info(port: int, *sections: str) -> dict[str, list[tuple[str, str]]]:
    """INFO parsed into {section title: [(field, value), ...]} from the raw reply."""
    c = RawClient(port)
    try:
        reply = c.call("INFO", *sections)
    finally:
        c.close()
    text = reply.split(b"\r\n", 1)[1].decode()
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            current = line[2:]
            out[current] = []
        elif line:
            field, _, value = line.partition(":")
            out[current].append((field, value))  # type: ignore[index]
    return out


def test_default_info_has_sentinel_sections(r, server):
    info = raw_info(server.port)
    assert list(info) == ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                          "Modules", "Errorstats", "Cluster", "Keyspace"]
    server_fields = dict(info["Server"])
    assert server_fields["tcp_port"] == str(server.port)
    assert len(server_fields["run_id"]) == 40
    assert server_fields["process_id"] == str(server.proc.pid)
    repl = dict(info["Replication"])
    assert repl["role"] == "master"
    assert repl["connected_slaves"] == "0"
    assert len(repl["master_replid"]) == 40 and repl["master_replid2"] == "0" * 40


def test_sections_follow_redis_order_not_argument_order(r, server):
    info = raw_info(server.port, "keyspace", "CLIENTS", "server")
    assert list(info) == ["Server", "Clients", "Keyspace"]


def test_unknown_section_is_empty(server):
    c = RawClient(server.port)
    assert c.call("INFO", "nosuchsection") == b"$0\r\n\r\n"
    c.close()


def test_all_and_everything_add_commandstats_and_latencystats(r, server):
    for word in ("all", "everything"):
        info = raw_info(server.port, word)
        assert "Commandstats" in info and "Latencystats" in info and "Keyspace" in info


def test_info_is_a_verbatim_string_under_resp3(server):
    c = RawClient(server.port)
    c.call("HELLO", "3")
    reply = c.call("INFO", "server")
    c.close()
    assert reply.startswith(b"=") and b"\r\ntxt:# Server\r\n" in reply


def test_keyspace_counts_keys_and_expires(r, server):
    r.set("a", 1)
    r.set("b", 1, ex=100)
    c = server.client(db=2)
    c.set("x", 1)
    c.close()
    ks = dict(raw_info(server.port, "keyspace")["Keyspace"])
    assert ks["db0"].startswith("keys=2,expires=1,avg_ttl=")
    avg = int(ks["db0"].rsplit("=", 1)[1])
    assert 0 < avg <= 100_000
    assert ks["db2"] == "keys=1,expires=0,avg_ttl=0"


def test_commandstats_counts_subcommands_separately(r, server):
    r.config_resetstat()
    r.config_get("port")
    r.config_get("maxmemory")
    r.set("k", "v")
    stats = dict(raw_info(server.port, "commandstats")["Commandstats"])
    assert stats["cmdstat_config|get"].startswith("calls=2,usec=")
    assert stats["cmdstat_set"].startswith("calls=1,")
    assert "cmdstat_config" not in stats
    # as in Redis, the call counter of RESETSTAT itself is bumped after it cleared the table
    assert stats["cmdstat_config|resetstat"].startswith("calls=1,")


def test_commandstats_rejected_and_failed_calls(r, server):
    r.config_resetstat()
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")                        # arity: rejected before running
    with pytest.raises(redis.ResponseError):
        r.execute_command("CONFIG", "SET", "port", "x")  # ran and failed
    stats = dict(raw_info(server.port, "commandstats")["Commandstats"])
    assert stats["cmdstat_get"] == "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"
    assert stats["cmdstat_config|set"].startswith("calls=1,")
    assert stats["cmdstat_config|set"].endswith(",rejected_calls=0,failed_calls=1")


def test_errorstats_count_error_codes(r, server):
    r.config_resetstat()
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.ResponseError):
        r.execute_command("DEBUG", "ERROR", "MYCODE something failed")
    errs = dict(raw_info(server.port, "errorstats")["Errorstats"])
    assert errs == {"errorstat_ERR": "count=1", "errorstat_MYCODE": "count=1"}
    stats = dict(raw_info(server.port, "stats")["Stats"])
    assert stats["total_error_replies"] == "2"


def test_total_commands_processed_counts_every_call(r, server):
    r.config_resetstat()
    for _ in range(5):
        r.ping()
    stats = dict(raw_info(server.port, "stats")["Stats"])
    # RESETSTAT counts itself once it returns, then the 5 PINGs (INFO reports before its own count)
    assert stats["total_commands_processed"] == "6"


def test_connections_and_expired_keys_are_counted(r, server):
    r.config_resetstat()
    c = server.client()
    c.ping()
    c.close()
    r.set("gone", 1, px=1)
    wait_for(lambda: r.get("gone") is None and not r.exists("gone"))
    stats = dict(raw_info(server.port, "stats")["Stats"])
    assert int(stats["total_connections_received"]) >= 1
    assert stats["expired_keys"] == "1"


def test_memory_section_reports_process_memory(r, server):
    mem = dict(raw_info(server.port, "memory")["Memory"])
    assert int(mem["used_memory"]) > 0 and int(mem["used_memory_rss"]) > 0
    assert mem["maxmemory_policy"] == "noeviction"
    assert mem["used_memory_human"][-1] in "BKMG"


def test_config_file_and_executable_in_server_section(make_server):
    srv = make_server(config_text="# empty\n")
    fields = dict(raw_info(srv.port, "server")["Server"])
    assert fields["config_file"] == os.path.join(srv.dir, "redis.conf")
    assert os.path.isabs(fields["executable"])


def test_subsystems_can_replace_or_add_a_section():
    """The section registry, in process: node.info_sections overrides a standard section (patching
    the built-in fields) and adds new ones after the standard sections."""
    from pyredis.commands.server import default_section, info_text  # noqa: PLC0415
    from pyredis.config import Config  # noqa: PLC0415
    from pyredis.node.server import Node  # noqa: PLC0415
    node = Node(Config())
    node.info_sections["replication"] = lambda n: [("role", "slave")] + default_section(n, "replication")[1:2]
    node.info_sections["sentinel"] = lambda n: [("sentinel_masters", 1)]
    assert info_text(node, [b"replication"]) == "# Replication\r\nrole:slave\r\nconnected_slaves:0\r\n"
    default = info_text(node, [])
    assert default.index("# Keyspace") < default.index("# Sentinel")
    assert "# Sentinel" in info_text(node, [b"sentinel"])


def test_redis_cli_reads_info(server):
    out = redis_cli(server.port, "info", "replication")
    assert "role:master" in out


def test_redis_py_parses_info(r):
    info = r.info()
    assert info["redis_version"] == "7.0.15"
    assert info["role"] == "master"
    assert "db0" not in info


# ----- against a real redis-server: the same fields per section, in the same order

COMPARED = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "cluster"]


@pytest.mark.parametrize("section", COMPARED)
def test_section_fields_match_real_redis(server, real_server, section):
    ours = raw_info(server.port, section)
    theirs = raw_info(real_server.port, section)
    assert list(ours) == list(theirs)
    title = list(theirs)[0]
    our_fields = [f for f, _ in ours[title]]
    their_fields = [f for f, _ in theirs[title]]
    missing = [f for f in their_fields if f not in our_fields]
    assert not missing, f"fields we lack in {title}: {missing}"
    assert our_fields == their_fields


def test_default_and_all_section_lists_match_real_redis(server, real_server):
    for args in ((), ("all",), ("everything",), ("default",)):
        assert list(raw_info(server.port, *args)) == list(raw_info(real_server.port, *args)), args
