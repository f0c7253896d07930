"""The server starts, answers redis-py and redis-cli, and pipelines."""

from ..support import redis_cli


def test_ping_set_get(r):
    assert r.ping() is True
    assert r.set("k1", "v1") is True
    assert r.get("k1") == b"v1"


def test_unknown_command_error_text(r, server):
    out = redis_cli(server.port, "foo", "x", "y")
    assert out.strip() == "ERR unknown command 'foo', with args beginning with: 'x' 'y'"


def test_pipeline_of_thousand_commands(r):
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set(f"k{i}", i)
    assert pipe.execute() == [True] * 1000
    assert r.dbsize() == 1000


def test_inline_commands(server):
    import socket
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"PING\r\nECHO \"a b\"\r\n")
        data = b""
        while data.count(b"\r\n") < 3:
            data += s.recv(100)
        assert data == b"+PONG\r\n$3\r\na b\r\n"
