"""CLIENT: connection introspection and control, with Redis 7.0's replies and error texts.

The per-client state lives on the connection (``node/connection.py``) and the CLIENT LIST line is
built by ``node.client_info`` so that log lines and CLIENT LIST agree. Client types follow
Redis's ``getClientType``: a MONITOR client counts as normal, a subscribed client as pubsub, the
link from our master as master, an attached replica as replica.

CLIENT PAUSE sets the node's pause (``paused_until`` in monotonic ms, ``pause_type``): the
dispatcher asks ``node.pause_blocks`` before every command while a pause is on and parks the
commands it must hold (``node.defer_paused``); ``node.unpause`` — CLIENT UNPAUSE or the cron at
the deadline — runs them in arrival order. CLIENT UNBLOCK is declared with the blocking commands
(the registry merges subcommands of one container across modules).
"""

from ..protocol import resp
from ..protocol.errors import SYNTAX_ERR, CommandError
from .registry import TABLE, container, subcommand

container("client", group="connection", summary="A container for client connection commands", since="2.4.0")
TABLE[b"client"].complexity = "Depends on subcommand."

TYPE_NORMAL, TYPE_REPLICA, TYPE_PUBSUB, TYPE_MASTER = 0, 1, 2, 3
_TYPE_NAMES = {b"normal": TYPE_NORMAL, b"slave": TYPE_REPLICA, b"replica": TYPE_REPLICA,
               b"pubsub": TYPE_PUBSUB, b"master": TYPE_MASTER}
NAME_CHARSET_ERR = b"ERR Client names cannot contain spaces, newlines or special characters."
LONG_MAX = (1 << 63) - 1

_CLIENT_HELP = [
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
]


def client_type(c) -> int:
    """Redis's ``getClientType``: MONITOR clients are shown as normal ones."""
    if c.is_master:
        return TYPE_MASTER
    if c.is_replica and not c.is_monitor:
        return TYPE_REPLICA
    if c.subscriptions or c.psubscriptions or getattr(c, "ssubscriptions", None):
        return TYPE_PUBSUB
    return TYPE_NORMAL


def _parse_type(name: bytes) -> int:
    t = _TYPE_NAMES.get(name.lower())
    if t is None:
        raise CommandError(b"ERR Unknown client type '%s'" % name)
    return t


def _parse_id(arg: bytes, message: bytes) -> int:
    try:
        value = int(arg)
    except ValueError:
        raise CommandError(message) from None
    if not 1 <= value <= LONG_MAX:
        raise CommandError(message)
    return value


def _syntax(argv: list[bytes]) -> CommandError:
    return CommandError(b"ERR unknown subcommand or wrong number of arguments for '%s'. Try CLIENT HELP."
                        % argv[1][:128])


def _line(client) -> bytes:
    return client.node.client_info(client).encode("utf-8", "replace") + b"\n"


@subcommand("client", "help", 2, "loading stale", categories="@connection",
            summary="Show helpful text about the different subcommands", since="5.0.0", complexity="O(1)")
def client_help(client, argv: list[bytes]) -> bytes:
    body = ["CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", *_CLIENT_HELP, "HELP",
            "    Prints this help."]
    return resp.array([resp.simple(line.encode()) for line in body])


@subcommand("client", "id", 2, "noscript loading stale", categories="@connection",
            summary="Returns the client ID for the current connection", since="5.0.0", complexity="O(1)")
def client_id(client, argv: list[bytes]) -> bytes:
    return resp.integer(client.id)


@subcommand("client", "info", 2, "noscript loading stale", categories="@connection",
            summary="Returns information about the current client connection.", since="6.2.0",
            complexity="O(1)", tips="nondeterministic_output")
def client_info(client, argv: list[bytes]) -> bytes:
    return resp.verbatim(_line(client), client.resp)


@subcommand("client", "list", -2, "admin noscript loading stale", categories="@connection",
            summary="Get the list of client connections", since="2.4.0",
            complexity="O(N) where N is the number of client connections", tips="nondeterministic_output")
def client_list(client, argv: list[bytes]) -> bytes:
    node = client.node
    n = len(argv)
    if n == 4 and argv[2].lower() == b"type":
        wanted = _parse_type(argv[3])
        chosen = [c for c in node.clients.values() if client_type(c) == wanted]
    elif n > 3 and argv[2].lower() == b"id":
        ids = []
        for a in argv[3:]:
            try:
                ids.append(int(a))
            except ValueError:
                raise CommandError(b"ERR Invalid client ID") from None
        chosen = [node.clients[i] for i in ids if i in node.clients]
    elif n != 2:
        raise CommandError(SYNTAX_ERR)
    else:
        chosen = list(node.clients.values())
    return resp.verbatim(b"".join(_line(c) for c in chosen), client.resp)


@subcommand("client", "kill", -3, "admin noscript loading stale", categories="@connection",
            summary="Kill the connection of a client", since="2.4.0",
            complexity="O(N) where N is the number of client connections")
def client_kill(client, argv: list[bytes]) -> bytes:
    node = client.node
    addr = laddr = user = None
    ctype = -1
    cid = 0
    skipme = True
    n = len(argv)
    if n == 3:
        addr = argv[2].decode(errors="replace")
        skipme = False                  # with the old form a client may kill itself
    elif n > 3 and n % 2 == 0:
        for i in range(2, n, 2):
            opt = argv[i].lower()
            val = argv[i + 1]
            if opt == b"id":
                cid = _parse_id(val, b"ERR client-id should be greater than 0")
            elif opt == b"type":
                ctype = _parse_type(val)
            elif opt == b"addr":
                addr = val.decode(errors="replace")
            elif opt == b"laddr":
                laddr = val.decode(errors="replace")
            elif opt == b"user":
                if val != b"default" and val not in getattr(node, "acl_users", ()):
                    raise CommandError(b"ERR No such user '%s'" % val)
                user = val
            elif opt == b"skipme":
                low = val.lower()
                if low == b"yes":
                    skipme = True
                elif low == b"no":
                    skipme = False
                else:
                    raise CommandError(SYNTAX_ERR)
            else:
                raise CommandError(SYNTAX_ERR)
    else:
        raise CommandError(SYNTAX_ERR)
    killed = 0
    for c in list(node.clients.values()):
        if addr is not None and c.addr != addr:
            continue
        if laddr is not None and c.laddr != laddr:
            continue
        if ctype != -1 and client_type(c) != ctype:
            continue
        if cid and c.id != cid:
            continue
        if user is not None and c.user != user:
            continue
        if c is client and skipme:
            continue
        if c is client:
            client.close_after_reply = True
        else:
            c.close()
        killed += 1
    if n == 3:
        if not killed:
            raise CommandError(b"ERR No such client")
        return resp.OK
    return resp.integer(killed)


@subcommand("client", "setname", 3, "noscript loading stale", categories="@connection",
            summary="Set the current connection name", since="2.6.9", complexity="O(1)")
def client_setname(client, argv: list[bytes]) -> bytes:
    name = argv[2]
    for b in name:
        if b < 0x21 or b > 0x7E:
            raise CommandError(NAME_CHARSET_ERR)
    client.name = name
    return resp.OK


@subcommand("client", "getname", 2, "noscript loading stale", categories="@connection",
            summary="Get the current connection name", since="2.6.9", complexity="O(1)")
def client_getname(client, argv: list[bytes]) -> bytes:
    if not client.name:
        return resp.null(client.resp)
    return resp.bulk(client.name)


@subcommand("client", "pause", -3, "admin noscript loading stale", categories="@connection",
            summary="Stop processing commands from clients for some time", since="2.9.50", complexity="O(1)")
def client_pause(client, argv: list[bytes]) -> bytes:
    if len(argv) > 4:
        raise _syntax(argv)
    mode = "all"
    if len(argv) == 4:
        low = argv[3].lower()
        if low == b"write":
            mode = "write"
        elif low != b"all":
            raise CommandError(b"ERR CLIENT PAUSE mode must be WRITE or ALL")
    try:
        timeout = int(argv[2])
    except ValueError:
        raise CommandError(b"ERR timeout is not an integer or out of range") from None
    if timeout < 0:
        raise CommandError(b"ERR timeout is negative")
    node = client.node
    node.paused_until = node.clock.monotonic_ms() + timeout
    node.pause_type = mode
    node.update_guard()
    return resp.OK


@subcommand("client", "unpause", 2, "admin noscript loading stale", categories="@connection",
            summary="Resume processing of clients that were paused", since="6.2.0",
            complexity="O(N) Where N is the number of paused clients")
def client_unpause(client, argv: list[bytes]) -> bytes:
    client.node.unpause()
    return resp.OK


@subcommand("client", "reply", 3, "noscript loading stale", categories="@connection",
            summary="Instruct the server whether to reply to commands", since="3.2.0", complexity="O(1)")
def client_reply(client, argv: list[bytes]) -> bytes | None:
    mode = argv[2].lower()
    if mode == b"on":
        client.reply_mode = 0
        return resp.OK
    if mode == b"off":
        client.reply_mode = 1
        return None
    if mode == b"skip":
        if client.reply_mode != 1:
            client.reply_mode = 2       # the connection drops the next reply, then turns back on
        return None
    raise CommandError(SYNTAX_ERR)


@subcommand("client", "no-evict", 3, "admin noscript loading stale", categories="@connection",
            summary="Set client eviction mode for the current connection", since="7.0.0", complexity="O(1)")
def client_no_evict(client, argv: list[bytes]) -> bytes:
    mode = argv[2].lower()
    if mode == b"on":
        client.no_evict = True
    elif mode == b"off":
        client.no_evict = False
    else:
        raise CommandError(SYNTAX_ERR)
    return resp.OK
