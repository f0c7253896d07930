"""Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET."""

from .. import REDIS_VERSION
from ..protocol import resp
from ..protocol.errors import DB_INDEX_ERR, NOT_INTEGER_ERR, SYNTAX_ERR, WRONGPASS_ERR, CommandError
from .registry import command


@command("ping", -1, "fast sentinel", group="connection", categories="@connection",
         summary="Ping the server", since="1.0.0", complexity="O(1)",
         tips="request_policy:all_shards response_policy:all_succeeded")
def ping(client, argv: list[bytes]) -> bytes:
    if len(argv) > 2:
        raise CommandError(b"ERR wrong number of arguments for 'ping' command")
    if client.resp == 2 and (client.subscriptions or client.psubscriptions or client.ssubscriptions):
        return resp.bulk_array([b"pong", argv[1] if len(argv) > 1 else b""])
    if len(argv) == 2:
        return resp.bulk(argv[1])
    return resp.PONG


@command("echo", 2, "loading stale fast", group="connection", categories="@connection",
         summary="Echo the given string", since="1.0.0", complexity="O(1)")
def echo(client, argv: list[bytes]) -> bytes:
    return resp.bulk(argv[1])


@command("quit", -1, "allow_busy noscript loading stale fast no_auth", group="connection",
         categories="@connection", summary="Close the connection", since="1.0.0", complexity="O(1)")
def quit_(client, argv: list[bytes]) -> bytes:
    client.close_after_reply = True
    return resp.OK


@command("select", 2, "loading stale fast", group="connection", categories="@connection",
         summary="Change the selected database for the current connection", since="1.0.0",
         complexity="O(1)")
def select(client, argv: list[bytes]) -> bytes:
    try:
        index = int(argv[1])
    except ValueError:
        raise CommandError(NOT_INTEGER_ERR) from None
    node = client.node
    if node.config["cluster-enabled"] and index != 0:
        raise CommandError(b"ERR SELECT is not allowed in cluster mode")
    if not 0 <= index < len(node.keyspace):
        raise CommandError(DB_INDEX_ERR)
    client.db = node.keyspace[index]
    return resp.OK


def _check_password(client, user: bytes | None, password: bytes) -> None:
    node = client.node
    if user is not None and user != b"default":
        raise CommandError(WRONGPASS_ERR)
    if not node.requirepass:
        if user is None:
            raise CommandError(b"ERR AUTH <password> called without any password configured for the default user. "
                               b"Are you sure your configuration is correct?")
        return
    if password != node.requirepass:
        raise CommandError(WRONGPASS_ERR)


@command("auth", -2, "noscript loading stale fast no_auth allow_busy", group="connection",
         categories="@connection", summary="Authenticate to the server", since="1.0.0",
         complexity="O(N) where N is the number of passwords defined for the user")
def auth(client, argv: list[bytes]) -> bytes:
    if len(argv) > 3:
        raise CommandError(SYNTAX_ERR)
    user, password = (None, argv[1]) if len(argv) == 2 else (argv[1], argv[2])
    _check_password(client, user, password)
    client.authenticated = True
    client.user = user or b"default"
    client.guard_update()
    return resp.OK


@command("hello", -1, "noscript loading stale fast no_auth allow_busy", group="connection",
         categories="@connection", summary="Handshake with Redis", since="6.0.0", complexity="O(1)")
def hello(client, argv: list[bytes]) -> bytes:
    version = client.resp
    i = 1
    if len(argv) > 1:
        try:
            version = int(argv[1])
        except ValueError:
            raise CommandError(b"ERR Protocol version is not an integer or out of range") from None
        if version not in (2, 3):
            raise CommandError(b"NOPROTO unsupported protocol version")
        i = 2
    name = None
    while i < len(argv):
        opt = argv[i].lower()
        if opt == b"auth" and i + 2 < len(argv):
            _check_password(client, argv[i + 1], argv[i + 2])
            client.authenticated = True
            client.user = argv[i + 1]
            i += 3
        elif opt == b"setname" and i + 1 < len(argv):
            name = argv[i + 1]
            if b" " in name or b"\n" in name:
                raise CommandError(b"ERR Client names cannot contain spaces, newlines or special characters.")
            i += 2
        else:
            raise CommandError(b"ERR Syntax error in HELLO option '%s'" % argv[i])
    if not client.authenticated:
        raise CommandError(b"NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                           b"HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                           b"select the RESP protocol version at the same time")
    if name is not None:
        client.name = name
    client.resp = version
    client.guard_update()
    node = client.node
    role = b"replica" if node.is_replica else b"master"
    fields = [
        (resp.bulk(b"server"), resp.bulk(b"redis")),
        (resp.bulk(b"version"), resp.bulk(REDIS_VERSION.encode())),
        (resp.bulk(b"proto"), resp.integer(version)),
        (resp.bulk(b"id"), resp.integer(client.id)),
        (resp.bulk(b"mode"), resp.bulk(node.mode.encode())),
        (resp.bulk(b"role"), resp.bulk(role)),
        (resp.bulk(b"modules"), resp.EMPTY_ARRAY),
    ]
    return resp.map_(fields, version)


@command("reset", 1, "noscript loading stale fast no_auth allow_busy", group="connection",
         categories="@connection", summary="Reset the connection", since="6.2.0", complexity="O(1)")
def reset(client, argv: list[bytes]) -> bytes:
    from .dispatch import unwatch_all  # noqa: PLC0415
    node = client.node
    client.multi = None
    client.multi_error = False
    unwatch_all(client)
    for hook in node.reset_hooks:
        hook(client)
    if client.is_monitor:
        client.is_monitor = False
        if client in node.monitors:
            node.monitors.remove(client)
    client.db = node.keyspace[0]
    client.resp = 2
    client.name = b""
    client.reply_mode = 0
    client.no_evict = False
    client.authenticated = not node.requirepass
    client.guard_update()
    return resp.simple(b"RESET")
