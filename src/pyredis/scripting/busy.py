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
Left out on purpose: the client running the script (Redis "protects" it), replicas and the master
link, blocked or paused clients (their input waits, as Redis stops parsing them), and new
connections — the listening socket belongs to the loop, so a client connecting during the busy
period is accepted when the script ends. Reading a socket behind the loop's back is safe: when
the loop later wakes up for it, its read finds nothing (EAGAIN) and waits again.
"""

import os
import select

from ..commands import dispatch
from ..commands.registry import ALLOW_BUSY, TABLE
from ..protocol import resp
from ..protocol.errors import ProtocolError, unknown_command, wrong_arity
from .runtime import BUSY_EVAL_ERR, BUSY_FUNCTION_ERR, Run

_READ_SIZE = 65536


def serve(scripting, run: Run) -> None:
    """Answer every request other clients have sent so far (never waits)."""
    node = scripting.node
    by_fd = {}
    poller = select.poll()
    for client in list(node.clients.values()):
        if (client is run.caller or client.closing or client.fd < 0 or client.is_master or client.is_replica
                or client.blocked is not None or client.pending or client.transport is None):
            continue
        by_fd[client.fd] = client
        poller.register(client.fd, select.POLLIN)
    if not by_fd:
        return
    try:
        events = poller.poll(0)
    except OSError:
        return
    for fd, _mask in events:
        client = by_fd[fd]
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            continue
        except OSError:
            client.close()
            continue
        if not data:
            client.close()
            continue
        node.stat_net_input_bytes += len(data)
        try:
            requests = client.parser.feed(data)
        except ProtocolError as exc:
            client.protocol_error(exc.message)
            continue
        out = []
        for argv in requests:
            reply = answer(scripting, run, client, argv)
            if reply:
                out.append(reply)
            if client.close_after_reply:
                break
        if out:
            client.write(b"".join(out))
        if client.close_after_reply:
            client.close()


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
    """After a timed-out script: a SHUTDOWN NOSAVE received meanwhile takes effect now."""
    if run.shutdown:
        node = scripting.node
        node.loop.call_soon(lambda: node.loop.create_task(node.shutdown(False)))
