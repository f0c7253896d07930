"""CLIENT subcommands: introspection, kill, names, pause, reply modes — Redis 7.0's replies."""

import socket
import time

import pytest
import redis

from ..compat.harness import RawClient
from ..support import redis_cli, wait_for


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as info:
        r.execute_command(*args)
    return str(info.value)


def fields(line: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in line.split(" "))


def own_line(r) -> dict[str, str]:
    return fields(r.execute_command("CLIENT", "INFO").decode().rstrip("\n"))


def test_client_id_is_unique_and_increasing(r, server):
    other = server.client()
    a, b = r.client_id(), other.client_id()
    other.close()
    assert a != b and b > a


def test_setname_getname(r):
    assert r.client_getname() is None
    assert r.client_setname("worker-1") is True
    assert r.client_getname() == "worker-1"
    assert own_line(r)["name"] == "worker-1"
    r.execute_command("CLIENT", "SETNAME", "")
    assert r.client_getname() is None


def test_setname_rejects_spaces_and_control_chars(r):
    for bad in ("a b", "a\nb", "caf\xe9"):
        assert err(r, "CLIENT", "SETNAME", bad) == (
            "Client names cannot contain spaces, newlines or special characters.")


def test_info_line_describes_this_connection(server):
    c = RawClient(server.port)
    me = int(c.call("CLIENT", "ID")[1:-2])
    reply = c.call("CLIENT", "INFO")
    c.close()
    line = fields(reply.split(b"\r\n", 1)[1].decode().rstrip("\r\n"))
    assert line["id"] == str(me)
    assert line["cmd"] == "client|info"
    assert line["flags"] == "N" and line["db"] == "0" and line["resp"] == "2"


def test_list_has_one_line_per_client_ending_in_newline(r, server):
    other = server.client()
    other.client_setname("other")
    text = r.execute_command("CLIENT", "LIST").decode()
    assert text.endswith("\n")
    names = [fields(line)["name"] for line in text.strip("\n").split("\n")]
    assert "other" in names
    other.close()


def test_list_by_type_and_id(r, server):
    sub = server.client()
    pubsub = sub.pubsub()
    pubsub.subscribe("chan")
    wait_for(lambda: "sub=1" in r.execute_command("CLIENT", "LIST", "TYPE", "pubsub").decode())
    lines = r.execute_command("CLIENT", "LIST", "TYPE", "pubsub").decode().strip("\n").split("\n")
    assert len(lines) == 1 and fields(lines[0])["flags"] == "P"
    normal = r.execute_command("CLIENT", "LIST", "TYPE", "normal").decode()
    assert f"id={r.client_id()} " in normal
    assert r.execute_command("CLIENT", "LIST", "TYPE", "master") == b""
    me = r.client_id()
    by_id = r.execute_command("CLIENT", "LIST", "ID", str(me), "999999").decode()
    assert by_id.startswith(f"id={me} ") and by_id.count("\n") == 1
    pubsub.close()
    sub.close()


def test_list_errors(r):
    assert err(r, "CLIENT", "LIST", "TYPE", "foo") == "Unknown client type 'foo'"
    assert err(r, "CLIENT", "LIST", "ID", "abc") == "Invalid client ID"
    assert err(r, "CLIENT", "LIST", "foo") == "syntax error"


def test_kill_by_address_old_form(r, server):
    victim = RawClient(server.port)
    victim.call("CLIENT", "SETNAME", "victim")
    addr = next(fields(line)["addr"] for line in r.execute_command("CLIENT", "LIST").decode().split("\n")
                if "name=victim" in line)
    assert r.execute_command("CLIENT", "KILL", addr) == b"OK"
    with pytest.raises((ConnectionError, OSError)):
        victim.call("PING")
    assert err(r, "CLIENT", "KILL", addr) == "No such client"


def test_kill_filters_return_a_count(r, server):
    victims = [server.client() for _ in range(2)]
    ids = [v.client_id() for v in victims]
    assert r.execute_command("CLIENT", "KILL", "ID", str(ids[0])) == 1
    assert r.execute_command("CLIENT", "KILL", "ID", "999999") == 0
    wait_for(lambda: f"id={ids[0]} " not in r.execute_command("CLIENT", "LIST").decode())
    # SKIPME yes is the default: killing normal clients spares the caller
    assert r.execute_command("CLIENT", "KILL", "TYPE", "normal") >= 1
    assert r.ping() is True
    for v in victims:
        v.close()


def test_kill_skipme_no_closes_the_caller(server):
    c = RawClient(server.port)
    me = c.call("CLIENT", "ID")[1:-2]
    assert c.call("CLIENT", "KILL", "ID", me, "SKIPME", "no") == b":1\r\n"
    with pytest.raises((ConnectionError, OSError)):
        c.call("PING")


def test_kill_errors(r):
    assert err(r, "CLIENT", "KILL", "foo", "bar") == "syntax error"
    assert err(r, "CLIENT", "KILL", "SKIPME", "maybe") == "syntax error"
    assert err(r, "CLIENT", "KILL", "TYPE", "foo") == "Unknown client type 'foo'"
    assert err(r, "CLIENT", "KILL", "ID", "abc") == "client-id should be greater than 0"
    assert err(r, "CLIENT", "KILL", "USER", "nobody") == "No such user 'nobody'"
    assert err(r, "CLIENT", "KILL", "a", "b", "c") == "syntax error"


def test_reply_off_skip_on(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nECHO a\r\n"
                  b"CLIENT REPLY SKIP\r\nECHO b\r\nECHO c\r\n")
        data = b""
        while not data.endswith(b"$1\r\nc\r\n"):
            chunk = s.recv(100)
            assert chunk
            data += chunk
    assert data == b"+OK\r\n$1\r\na\r\n$1\r\nc\r\n"


def test_reply_bad_mode(r):
    assert err(r, "CLIENT", "REPLY", "foo") == "syntax error"


def test_no_evict_flag(r):
    assert r.execute_command("CLIENT", "NO-EVICT", "on") == b"OK"
    assert "e" in own_line(r)["flags"]
    assert r.execute_command("CLIENT", "NO-EVICT", "off") == b"OK"
    assert own_line(r)["flags"] == "N"
    assert err(r, "CLIENT", "NO-EVICT", "maybe") == "syntax error"


def test_pause_errors(r):
    assert err(r, "CLIENT", "PAUSE", "abc") == "timeout is not an integer or out of range"
    assert err(r, "CLIENT", "PAUSE", "-1") == "timeout is negative"
    assert err(r, "CLIENT", "PAUSE", "10", "foo") == "CLIENT PAUSE mode must be WRITE or ALL"


def test_write_pause_holds_writes_and_runs_reads(r, server):
    r.set("k", "before")
    try:
        assert r.execute_command("CLIENT", "PAUSE", "20000", "WRITE") == b"OK"
        writer = RawClient(server.port, timeout=5)
        writer.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nafter\r\n")
        reader = RawClient(server.port, timeout=5)
        assert reader.call("GET", "k") == b"$6\r\nbefore\r\n"      # reads run during a WRITE pause
        writer.sock.settimeout(0.3)
        with pytest.raises(socket.timeout):
            writer.read_reply()                                    # the write is held
        writer.sock.settimeout(5)
        assert r.execute_command("CLIENT", "UNPAUSE") == b"OK"
        assert writer.read_reply() == b"+OK\r\n"
        assert reader.call("GET", "k") == b"$5\r\nafter\r\n"
        writer.close()
        reader.close()
    finally:
        r.execute_command("CLIENT", "UNPAUSE")


def test_all_pause_holds_reads_until_it_expires(r, server):
    r.set("k", "v")
    start = time.monotonic()
    assert r.execute_command("CLIENT", "PAUSE", "300", "ALL") == b"OK"
    reader = RawClient(server.port, timeout=10)
    assert reader.call("GET", "k") == b"$1\r\nv\r\n"
    assert time.monotonic() - start >= 0.25
    reader.close()


def test_help_lists_subcommands(r):
    lines = r.execute_command("CLIENT", "HELP")
    assert lines[0] == b"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"PAUSE <timeout> [WRITE|ALL]" in lines
    assert lines[-1] == b"    Prints this help."


def test_unknown_subcommand(r):
    assert err(r, "CLIENT", "FOO") == "unknown subcommand 'FOO'. Try CLIENT HELP."


def test_redis_cli_client_list(r, server):
    out = redis_cli(server.port, "client", "list")
    assert out.startswith("id=") and "cmd=client|list" in out


def test_list_fields_match_real_redis(server, real_server):
    def names(port: int) -> list[str]:
        c = RawClient(port)
        reply = c.call("CLIENT", "LIST", "ID", c.call("CLIENT", "ID")[1:-2])
        c.close()
        line = reply.split(b"\r\n", 1)[1].decode().strip()
        return [item.split("=", 1)[0] for item in line.split(" ")]
    assert names(server.port) == names(real_server.port)


def test_replies_match_real_redis(server, real_server):
    from ..compat.harness import assert_same  # noqa: PLC0415
    assert_same(server.port, real_server.port, [
        ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "x y"], ["CLIENT", "SETNAME", "n1"], ["CLIENT", "GETNAME"],
        ["CLIENT", "LIST", "TYPE", "bogus"], ["CLIENT", "LIST", "ID", "x"], ["CLIENT", "LIST", "ID", "0"],
        ["CLIENT", "KILL", "9.9.9.9:1"], ["CLIENT", "KILL", "ID", "987654"], ["CLIENT", "KILL", "MAXAGE", "1"],
        ["CLIENT", "REPLY", "bogus"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "1", "x"],
        ["CLIENT", "NO-EVICT", "x"], ["CLIENT", "HELP"], ["CLIENT", "BOGUS"], ["CLIENT"],
    ])
