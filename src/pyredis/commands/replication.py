"""Replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC, SYNC, ROLE, WAIT.

The state machine lives in ``pyredis.replication``; these handlers parse and answer.
"""

from ..protocol import resp
from ..protocol.errors import NOT_INTEGER_ERR, CommandError
from .registry import command


def _replicaof(client, argv: list[bytes]) -> bytes:
    node = client.node
    if node.config["cluster-enabled"]:
        raise CommandError(b"ERR REPLICAOF not allowed in cluster mode.")
    repl = node.repl
    if repl.failover_state != "no-failover":
        raise CommandError(b"ERR REPLICAOF not allowed while failing over.")
    who = f"user request from 'id={client.id} addr={client.addr} laddr={client.laddr} fd={client.fd} " \
          f"name={client.name.decode(errors='replace')} age=0 idle=0'"
    if argv[1].lower() == b"no" and argv[2].lower() == b"one":
        if node.is_replica:
            repl.unset_master(who)
        return resp.OK
    if client.is_replica:
        raise CommandError(b"ERR Command is not valid when client is a replica.")
    try:
        port = int(argv[2])
    except ValueError:
        raise CommandError(NOT_INTEGER_ERR) from None
    if not 0 <= port <= 65535:
        raise CommandError(b"ERR Invalid master port")
    host = argv[1].decode(errors="replace")
    if node.is_replica and repl.master_host == host and repl.master_port == port:
        node.log.notice("REPLICAOF would result into synchronization with the master we are already "
                        "connected with. No operation performed.")
        return resp.simple(b"OK Already connected to specified master")
    repl.set_master(host, port, who)
    return resp.OK


@command("replicaof", 3, "admin noscript stale no_async_loading", group="server", since="5.0.0",
         summary="Make the server a replica of another instance, or promote it as master.", complexity="O(1)")
def replicaof(client, argv: list[bytes]) -> bytes:
    return _replicaof(client, argv)


@command("slaveof", 3, "admin noscript stale no_async_loading", group="server",
         summary="Make the server a replica of another instance, or promote it as master.", complexity="O(1)")
def slaveof(client, argv: list[bytes]) -> bytes:
    return _replicaof(client, argv)


@command("replconf", -1, "admin noscript loading stale allow_busy", group="server", since="3.0.0",
         summary="An internal command for configuring the replication stream", complexity="O(1)")
def replconf(client, argv: list[bytes]) -> bytes | None:
    if len(argv) % 2 == 0:
        raise CommandError(b"ERR syntax error")
    return client.node.repl.replconf(client, argv[1:])


@command("psync", -3, "admin noscript no_async_loading no_multi", group="server", since="2.8.0",
         summary="Internal command used for replication")
def psync(client, argv: list[bytes]) -> bytes | None:
    return _sync(client, argv[1], argv[2])


@command("sync", 1, "admin noscript no_async_loading no_multi", group="server",
         summary="Internal command used for replication")
def sync(client, argv: list[bytes]) -> bytes | None:
    return _sync(client, b"?", b"-1", pre_psync=True)


def _sync(client, replid: bytes, offset: bytes, pre_psync: bool = False) -> bytes | None:
    node = client.node
    if client.is_replica:
        return None
    if node.is_replica and not node.master_link_up:
        raise CommandError(b"NOMASTERLINK Can't SYNC while not connected with my master")
    return node.repl.psync(client, replid, offset, pre_psync)


@command("role", 1, "noscript loading stale fast", group="server", categories="@admin @dangerous",
         since="2.8.12", summary="Return the role of the instance in the context of replication", complexity="O(1)")
def role(client, argv: list[bytes]) -> bytes:
    return client.node.repl.role_reply()


@command("wait", 3, "noscript", group="generic", categories="@connection", since="3.0.0",
         summary="Wait for the synchronous replication of all the write commands sent in the context of the "
                 "current connection", complexity="O(1)")
def wait(client, argv: list[bytes]) -> bytes | None:
    node = client.node
    if node.is_replica:
        raise CommandError(b"ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
                           b"if a replica is configured to be writable (which is not the default) writes to "
                           b"replicas are just local and are not propagated.")
    try:
        numreplicas = int(argv[1])
        timeout = int(argv[2])
    except ValueError:
        raise CommandError(NOT_INTEGER_ERR) from None
    if timeout < 0:
        raise CommandError(b"ERR timeout is negative")
    repl = node.repl
    target = client.woff
    count = repl.acked_count(target)
    if count >= numreplicas or client.multi is not None or node.in_transaction:
        return resp.integer(count)
    repl.add_waiter(client, target, numreplicas, timeout)
    return None
