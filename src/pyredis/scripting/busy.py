"""Serving other clients while a script runs past ``busy-reply-threshold`` (``lua-time-limit``).

Handlers are synchronous, so a long script blocks the event loop. Redis keeps answering from
inside its Lua hook (``processEventsWhileBlocked``); we do the same from ``Scripting.busy_check``:
``serve`` polls the sockets of the connected clients without waiting (``select.poll`` with a
zero timeout), reads what they sent straight from the file descriptor into their own request
parser (so a request split across reads is kept), and answers each complete request:

- commands flagged ``allow_busy`` run through the normal dispatcher (SCRIPT KILL, FUNCTION KILL,
  FUNCTION STATS, AUTH, HELLO, MULTI/DISCARD/WATCH/UNWATCH, QUIT, RESET); SHUTDOWN is allowed
  only with NOSAVE, which kills the script and shuts the server down once it unwound;
- unknown commands and wrong arities get their usual errors;
- everything else gets ``-BUSY Redis is busy running a script. You can only call SCRIPT KILL or
  SHUTDOWN NOSAVE.`` (FUNCTION KILL for a function), counted as a rejected call and flagging an
  open MULTI, as ``rejectCommand`` does.

Replies are written with the connection's transport, which sends at once when its buffer is empty.
New connections (someone starting ``redis-cli SCRIPT KILL`` while the script runs) are accepted
here too, from the listening sockets: until the script ends they are served through the raw
socket, then handed to the loop (``connect_accepted_socket``) with the same ``ClientConnection``,
so a request split across the two phases is kept. Left out on purpose: the client running the
script (Redis "protects" it), replicas and the master link, and blocked or paused clients (their
input waits, as Redis stops parsing them). Reading a socket behind the loop's back is safe: when
the loop later wakes up for it, its read finds nothing (EAGAIN) and waits again. Signals (SIGTERM)
are delivered through the loop, so they take effect when the script ends.
"""

import os
import select
import socket

from ..commands import dispatch
from ..commands.registry import ALLOW_BUSY, TABLE
from ..node.connection import ClientConnection
from ..protocol import resp
from ..protocol.errors import ProtocolError, unknown_command, wrong_arity
from .runtime import BUSY_EVAL_ERR, BUSY_FUNCTION_ERR, Run

_READ_SIZE = 65536


def serve(scripting, run: Run) -> None:
    """Answer every request other clients have sent so far (never waits)."""
    node = scripting.node
    by_fd: dict = {}
    poller = select.poll()
    for client in list(node.clients.values()):
        if (client is run.caller or client.closing or client.fd < 0 or client.is_master or client.is_replica
                or client.blocked is not None or client.pending or client.transport is None):
            continue
        by_fd[client.fd] = (client, None)
    for sock, client in scripting.busy_accepted:
        by_fd[sock.fileno()] = (client, sock)
    listeners = set()
    for server in node.servers:
        for lsock in server.sockets or ():
            listeners.add(lsock.fileno())
    for fd in (*by_fd, *listeners):
        poller.register(fd, select.POLLIN)
    try:
        events = poller.poll(0)
    except OSError:
        return
    for fd, _mask in events:
        if fd in listeners:
            _accept(scripting, fd)
            continue
        client, sock = by_fd[fd]
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            _drop(scripting, client, sock)
            continue
        node.stat_net_input_bytes += len(data)
        try:
            requests = client.parser.feed(data)
        except ProtocolError as exc:
            if sock is None:
                client.protocol_error(exc.message)
            else:
                _send(sock, resp.error(exc.message))
                _drop(scripting, client, sock)
            continue
        out = []
        for argv in requests:
            reply = answer(scripting, run, client, argv)
            if reply:
                out.append(reply)
            if client.close_after_reply:
                break
        if out:
            if sock is None:
                client.write(b"".join(out))
            else:
                _send(sock, b"".join(out))
        if client.close_after_reply:
            _drop(scripting, client, sock)


def _accept(scripting, listen_fd: int) -> None:
    """Accept a connection made while the loop is blocked; it joins the loop when the script ends."""
    lsock = socket.socket(fileno=os.dup(listen_fd))
    try:
        sock, _addr = lsock.accept()
    except OSError:
        return
    finally:
        lsock.close()
    sock.setblocking(False)
    client = ClientConnection(scripting.node, unix=sock.family == socket.AF_UNIX)
    client.fd = sock.fileno()
    scripting.busy_accepted.append((sock, client))


def _send(sock, data: bytes) -> None:
    try:
        sock.settimeout(1.0)
        sock.sendall(data)
    except OSError:
        pass
    finally:
        sock.setblocking(False)


def _drop(scripting, client, sock) -> None:
    if sock is None:
        client.close()
        return
    scripting.busy_accepted = [(s, c) for s, c in scripting.busy_accepted if s is not sock]
    sock.close()


def answer(scripting, run: Run, client, argv: list[bytes]) -> bytes | None:
    """One request received while the script is busy."""
    node = scripting.node
    cmd = TABLE.get(argv[0].lower())
    if cmd is None:
        return _reject(node, client, None, unknown_command(argv[0], argv[1:]))
    n = len(argv)
    if cmd.subcommands and n > 1:
        cmd = cmd.subcommands.get(argv[1].lower(), cmd)
    if (cmd.arity > 0 and n != cmd.arity) or n < -cmd.arity:
        return _reject(node, client, cmd, wrong_arity(argv[0] if cmd.parent is None else cmd.name.encode()))
    busy_err = BUSY_EVAL_ERR if run.eval_mode else BUSY_FUNCTION_ERR
    if not cmd.flags & ALLOW_BUSY:
        return _reject(node, client, cmd, busy_err)
    if cmd.name == "shutdown":
        if not any(a.lower() == b"nosave" for a in argv[1:]):
            return _reject(node, client, cmd, busy_err)
        node.log.warning("User requested shutdown while a script is busy: killing the script.")
        run.killed = True
        run.shutdown = True
        return None
    return dispatch.process(client, argv)


def _reject(node, client, cmd, message: bytes) -> bytes:
    if cmd is not None:
        cmd.rejected_calls += 1
    node.count_error(message)
    if client.multi is not None:
        client.multi_error = True
    return resp.error(message)


def script_ended(scripting, run: Run) -> None:
    """After a timed-out script: connections accepted meanwhile join the loop, and a SHUTDOWN
    NOSAVE received meanwhile takes effect."""
    node = scripting.node
    accepted = scripting.busy_accepted
    scripting.busy_accepted = []
    for sock, client in accepted:
        node.loop.create_task(node.loop.connect_accepted_socket(lambda c=client: c, sock=sock))
    if run.shutdown:
        node.loop.call_soon(lambda: node.loop.create_task(node.shutdown(False)))
