"""COMMAND introspection against a real Redis 7.0: our table's rows must be Redis's rows.

The main test walks every command and subcommand pyredis declares that the real server also
has, compares the first seven COMMAND INFO fields (name, arity, flags, first, last, step, ACL
categories) and fails once with the whole list of mismatches, so one run tells the table's
owners everything to fix. The other tests pin the reply shapes (RESP2 and RESP3) and the error
texts of the COMMAND subcommands, byte for byte, and check that redis-py's parsers accept them.
"""

import hiredis
import pytest
import redis

from .harness import RawClient, assert_same, encode

FIELDS = ("name", "arity", "flags", "first", "last", "step", "categories")


def _fetch(port: int, *argv, resp3: bool = False):
    client = RawClient(port)
    try:
        if resp3:
            client.call("HELLO", "3")
        raw = client.call(*argv)
    finally:
        client.close()
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets(), raw


def _rows(port: int) -> dict[bytes, list]:
    """Every COMMAND row, subcommand rows included, by full name."""
    reply, _ = _fetch(port, "COMMAND")
    rows: dict[bytes, list] = {}
    for row in reply:
        rows[row[0]] = row
        for sub in row[9]:
            rows[sub[0]] = sub
    return rows


def test_command_info_rows_match_real_redis(server, real_server):
    ours = _rows(server.port)
    theirs = _rows(real_server.port)
    mismatches = []
    for name in sorted(ours):
        if name not in theirs:
            continue
        a, b = ours[name][:7], theirs[name][:7]
        for field, x, y in zip(FIELDS, a, b, strict=True):
            if x != y:
                mismatches.append(f"{name.decode()}: {field} pyredis={x!r} redis={y!r}")
    assert not mismatches, f"{len(mismatches)} COMMAND INFO mismatches:\n" + "\n".join(mismatches)


def test_every_subcommand_of_a_shared_container_is_known_to_real_redis(server, real_server):
    ours = _rows(server.port)
    theirs = _rows(real_server.port)
    extra = sorted(n.decode() for n in ours if b"|" in n and n.split(b"|")[0] in theirs and n not in theirs)
    assert not extra, f"subcommands real Redis 7.0 does not have: {extra}"


def test_command_count_counts_top_level_commands(server):
    count, _ = _fetch(server.port, "COMMAND", "COUNT")
    rows, _ = _fetch(server.port, "COMMAND")
    assert count == len(rows)


def test_command_list_includes_subcommands(server):
    names, _ = _fetch(server.port, "COMMAND", "LIST")
    assert b"command" in names and b"command|info" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("argv", [
    ["COMMAND", "HELP"],
    ["COMMAND", "INFO", "get", "nosuchcommand"],
    ["COMMAND", "INFO", "command|count"],
    ["COMMAND", "DOCS", "nosuchcommand"],
    ["COMMAND", "GETKEYS", "get", "k"],
    ["COMMAND", "GETKEYS", "nosuchcommand", "k"],
    ["COMMAND", "GETKEYS", "echo", "x"],
    ["COMMAND", "GETKEYS", "ping", "x", "y"],
    ["COMMAND", "GETKEYS", "set", "k"],
    ["COMMAND", "GETKEYS", "get"],
    ["COMMAND", "GETKEYSANDFLAGS", "get", "k"],
    ["COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule"],
    ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory"],
    ["COMMAND", "LIST", "FILTERBY", "nosuchfilter", "x"],
    ["COMMAND", "LIST", "extra"],
    ["COMMAND", "COUNT", "extra"],
    ["COMMAND", "NOSUCHSUBCOMMAND"],
], ids=lambda a: " ".join(a))
def test_command_subcommand_reply_matches_real_redis(server, real_server, argv):
    assert_same(server.port, real_server.port, [argv], reset=False)


def test_command_info_resp3_shape_matches_real_redis(server, real_server):
    _, ours = _fetch(server.port, "COMMAND", "INFO", "get", "command|help", "nosuchcommand", resp3=True)
    _, theirs = _fetch(real_server.port, "COMMAND", "INFO", "get", "command|help", "nosuchcommand", resp3=True)
    assert ours == theirs


def _docs(port: int, *names) -> dict[bytes, dict]:
    reply, _ = _fetch(port, "COMMAND", "DOCS", *names)
    out = {}
    for name, fields in zip(reply[::2], reply[1::2], strict=True):
        out[name] = dict(zip(fields[::2], fields[1::2], strict=True))
    return out


def test_command_docs_of_command_subcommands_match_real_redis(server, real_server):
    names = ["command|count", "command|getkeys", "command|info", "command|help"]
    ours, theirs = _docs(server.port, *names), _docs(real_server.port, *names)
    for name in names:
        mine, ref = ours[name.encode()], theirs[name.encode()]
        for field in (b"summary", b"since", b"group", b"complexity"):
            assert mine.get(field) == ref[field], (name, field)


def test_command_docs_fields_match_real_redis(server, real_server):
    ours, theirs = _docs(server.port), _docs(real_server.port)
    mismatches = []
    for name in sorted(ours):
        if name not in theirs:
            continue
        for field in (b"summary", b"since", b"group", b"complexity"):
            if ours[name].get(field) != theirs[name].get(field):
                mismatches.append(f"{name.decode()}: {field.decode()} pyredis={ours[name].get(field)!r} "
                                  f"redis={theirs[name].get(field)!r}")
    assert not mismatches, f"{len(mismatches)} COMMAND DOCS mismatches:\n" + "\n".join(mismatches)


def test_command_info_of_command_matches_real_redis_up_to_subcommand_order(server, real_server):
    ours, _ = _fetch(server.port, "COMMAND", "INFO", "command")
    theirs, _ = _fetch(real_server.port, "COMMAND", "INFO", "command")
    assert ours[0][:9] == theirs[0][:9]
    assert sorted(ours[0][9]) == sorted(theirs[0][9])


def test_command_docs_resp3_is_a_map_of_maps(server):
    reply, raw = _fetch(server.port, "COMMAND", "DOCS", "command", resp3=True)
    assert raw.startswith(b"%1\r\n$7\r\ncommand\r\n%")
    assert set(reply[b"command"][b"subcommands"]) >= {b"command|info", b"command|docs"}


def test_command_list_filterby_pattern_matches_subcommands(server):
    names, _ = _fetch(server.port, "COMMAND", "LIST", "FILTERBY", "PATTERN", "command|get*")
    assert sorted(names) == [b"command|getkeys", b"command|getkeysandflags"]


def test_command_list_filterby_aclcat_agrees_with_info(server):
    names, _ = _fetch(server.port, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection")
    rows = _rows(server.port)
    expected = {n for n, row in rows.items() if b"@connection" in row[6]}
    assert set(names) == expected and b"command|help" in expected


def test_derived_key_spec_of_mset_is_index_and_range(server, real_server):
    _, ours = _fetch(server.port, "COMMAND", "INFO", "get")
    _, theirs = _fetch(real_server.port, "COMMAND", "INFO", "get")
    assert ours == theirs


def test_redis_py_command_parses_every_row(server):
    client = redis.Redis(port=server.port)
    table = client.command()
    assert table["get"]["arity"] == 2 and table["get"]["first_key_pos"] == 1
    assert "readonly" in table["get"]["flags"]
    assert "@read" in table["get"]["acl_categories"]
    assert table["command"]["subcommands"]
    client.close()


def test_redis_py_cluster_commands_parser_finds_keys(server):
    from redis._parsers.commands import CommandsParser

    client = redis.Redis(port=server.port)
    parser = CommandsParser(client)
    assert parser.get_keys(client, "GET", "k1") == ["k1"]
    assert parser.get_keys(client, "COMMAND", "COUNT") is None
    client.close()


def test_getkeys_on_raw_socket_uses_the_table(server):
    client = RawClient(server.port)
    try:
        client.send_raw(encode(["COMMAND", "GETKEYS", "set", "key1", "value"]))
        assert client.read_reply() == b"*1\r\n$4\r\nkey1\r\n"
    finally:
        client.close()
