"""Pub/Sub: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, as Redis 7.0 replies.

Subscriptions are kept twice, as Redis does: the node maps each channel (``node.channels``),
pattern (``node.patterns``) and shard channel (``node.shard_channels``) to the set of clients
subscribed to it, so PUBLISH costs the receivers; each client keeps its own sets
(``subscriptions``, ``psubscriptions``, ``ssubscriptions``), so unsubscribe-all, RESET and a
disconnect cost the client's own subscriptions. Empty entries are removed from the node's maps:
PUBSUB CHANNELS and NUMPAT read their keys.

Replies: every (un)subscription gets its own ``[kind, channel, count]`` reply, a push (``>``)
under RESP3. The count is channels + patterns for the classic commands and shard channels alone
for the S-variants. A message is delivered through ``client.push``, which enforces the pubsub
class of ``client-output-buffer-limit`` on subscribers that do not read.

Shard channels behave as in a non-cluster Redis 7.0: a namespace of their own, and SSUBSCRIBE is
refused inside EXEC ("DENY BLOCKING", as ``ssubscribeCommand`` does), while SUBSCRIBE is not.
"""

from ..engine.glob import compile_pattern
from ..protocol import resp
from ..protocol.errors import CommandError
from .registry import TABLE, command, container, subcommand

_SHARD_KEYS = ({"flags": "not_key", "bs": ("index", 1), "fk": ("range", -1, 1, 0)},)


def _confirm(kind: bytes, channel: bytes | None, count: int, proto: int) -> bytes:
    """One subscribe/unsubscribe confirmation: ``[kind, channel, count]`` (null channel when none)."""
    return resp.push([resp.bulk(kind), resp.bulk_or_null(channel, proto), resp.integer(count)], proto)


def publish(node, channel: bytes, message: bytes) -> int:
    """Deliver ``message`` to the subscribers of ``channel`` and of matching patterns."""
    receivers = 0
    encoded: list[bytes | None] = [None, None]   # the message, built once per protocol version
    subs = node.channels.get(channel)
    if subs:
        for client in tuple(subs):   # a push may drop a slow subscriber
            i = client.resp == 3
            data = encoded[i]
            if data is None:
                data = encoded[i] = resp.push([b"$7\r\nmessage\r\n", resp.bulk(channel), resp.bulk(message)],
                                              client.resp)
            client.push(data)
            receivers += 1
    if node.patterns:
        for pattern, clients in tuple(node.patterns.items()):
            if compile_pattern(pattern)(channel) is None:
                continue
            pencoded: list[bytes | None] = [None, None]
            for client in tuple(clients):
                i = client.resp == 3
                data = pencoded[i]
                if data is None:
                    data = pencoded[i] = resp.push([b"$8\r\npmessage\r\n", resp.bulk(pattern), resp.bulk(channel),
                                                    resp.bulk(message)], client.resp)
                client.push(data)
                receivers += 1
    return receivers


def shard_publish(node, channel: bytes, message: bytes) -> int:
    subs = node.shard_channels.get(channel)
    if not subs:
        return 0
    receivers = 0
    encoded: list[bytes | None] = [None, None]
    for client in tuple(subs):
        i = client.resp == 3
        data = encoded[i]
        if data is None:
            data = encoded[i] = resp.push([b"$8\r\nsmessage\r\n", resp.bulk(channel), resp.bulk(message)],
                                          client.resp)
        client.push(data)
        receivers += 1
    return receivers


# ----- subscribing

def _subscribe(client, names: list[bytes], mine: set, registry: dict, kind: bytes, shard: bool) -> bytes:
    proto = client.resp
    out = []
    for name in names:
        if name not in mine:
            mine.add(name)
            clients = registry.get(name)
            if clients is None:
                registry[name] = {client}
            else:
                clients.add(client)
        count = len(client.ssubscriptions) if shard else len(client.subscriptions) + len(client.psubscriptions)
        out.append(_confirm(kind, name, count, proto))
    client.guard_update()
    return b"".join(out)


def _unsubscribe(client, names: list[bytes], mine: set, registry: dict, kind: bytes, shard: bool) -> bytes:
    proto = client.resp
    if not names:
        names = list(mine)
    out = []
    for name in names:
        if name in mine:
            mine.discard(name)
            clients = registry.get(name)
            if clients is not None:
                clients.discard(client)
                if not clients:
                    del registry[name]
        count = len(client.ssubscriptions) if shard else len(client.subscriptions) + len(client.psubscriptions)
        out.append(_confirm(kind, name, count, proto))
    if not out:
        # unsubscribing from everything while subscribed to nothing still gets a reply
        count = len(client.ssubscriptions) if shard else len(client.subscriptions) + len(client.psubscriptions)
        out.append(_confirm(kind, None, count, proto))
    client.guard_update()
    return b"".join(out)


@command("subscribe", -2, "pubsub noscript loading stale", group="pubsub",
         summary="Listen for messages published to the given channels", since="2.0.0",
         complexity="O(N) where N is the number of channels to subscribe to.")
def subscribe(client, argv: list[bytes]) -> bytes:
    return _subscribe(client, argv[1:], client.subscriptions, client.node.channels, b"subscribe", False)


@command("psubscribe", -2, "pubsub noscript loading stale", group="pubsub",
         summary="Listen for messages published to channels matching the given patterns", since="2.0.0",
         complexity="O(N) where N is the number of patterns the client is already subscribed to.")
def psubscribe(client, argv: list[bytes]) -> bytes:
    return _subscribe(client, argv[1:], client.psubscriptions, client.node.patterns, b"psubscribe", False)


@command("ssubscribe", -2, "pubsub noscript loading stale", 1, -1, 1, group="pubsub",
         summary="Listen for messages published to the given shard channels", since="7.0.0",
         complexity="O(N) where N is the number of shard channels to subscribe to.", key_specs=_SHARD_KEYS)
def ssubscribe(client, argv: list[bytes]) -> bytes:
    if client.node._tx_depth:
        # inside EXEC the client must get exactly one reply per command (CLIENT_DENY_BLOCKING)
        raise CommandError(b"ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
    return _subscribe(client, argv[1:], client.ssubscriptions, client.node.shard_channels, b"ssubscribe", True)


@command("unsubscribe", -1, "pubsub noscript loading stale", group="pubsub",
         summary="Stop listening for messages posted to the given channels", since="2.0.0",
         complexity="O(N) where N is the number of clients already subscribed to a channel.")
def unsubscribe(client, argv: list[bytes]) -> bytes:
    return _unsubscribe(client, argv[1:], client.subscriptions, client.node.channels, b"unsubscribe", False)


@command("punsubscribe", -1, "pubsub noscript loading stale", group="pubsub",
         summary="Stop listening for messages posted to channels matching the given patterns", since="2.0.0",
         complexity="O(N+M) where N is the number of patterns the client is already subscribed and M is the "
                    "number of total patterns subscribed in the system (by any client).")
def punsubscribe(client, argv: list[bytes]) -> bytes:
    return _unsubscribe(client, argv[1:], client.psubscriptions, client.node.patterns, b"punsubscribe", False)


@command("sunsubscribe", -1, "pubsub noscript loading stale", 1, -1, 1, group="pubsub",
         summary="Stop listening for messages posted to the given shard channels", since="7.0.0",
         complexity="O(N) where N is the number of clients already subscribed to a shard channel.",
         key_specs=_SHARD_KEYS)
def sunsubscribe(client, argv: list[bytes]) -> bytes:
    return _unsubscribe(client, argv[1:], client.ssubscriptions, client.node.shard_channels, b"sunsubscribe", True)


def drop_subscriptions(client) -> None:
    """Forget every subscription of ``client`` without replying (disconnect, RESET)."""
    node = client.node
    for mine, registry in ((client.subscriptions, node.channels), (client.psubscriptions, node.patterns),
                           (client.ssubscriptions, node.shard_channels)):
        for name in mine:
            clients = registry.get(name)
            if clients is not None:
                clients.discard(client)
                if not clients:
                    del registry[name]
        mine.clear()
    client.guard_update()


def install(node) -> None:
    """Register the clean-up hooks on a node (called once per node, from its start-up)."""
    if drop_subscriptions not in node.disconnect_hooks:
        node.disconnect_hooks.append(drop_subscriptions)
    if drop_subscriptions not in node.reset_hooks:
        node.reset_hooks.append(drop_subscriptions)


# ----- publishing

@command("publish", 3, "pubsub loading stale fast", group="pubsub", summary="Post a message to a channel",
         since="2.0.0", complexity="O(N+M) where N is the number of clients subscribed to the receiving channel "
                                   "and M is the total number of subscribed patterns (by any client).")
def publish_command(client, argv: list[bytes]) -> bytes:
    receivers = publish(client.node, argv[1], argv[2])
    if not client.node.config["cluster-enabled"]:
        client.propagate = [argv]      # Redis 7.0 replicates PUBLISH (forceCommandPropagation)
    return resp.integer(receivers)


@command("spublish", 3, "pubsub loading stale fast", 1, 1, 1, group="pubsub",
         summary="Post a message to a shard channel", since="7.0.0",
         complexity="O(N) where N is the number of clients subscribed to the receiving shard channel.",
         key_specs=({"flags": "not_key", "bs": ("index", 1), "fk": ("range", 0, 1, 0)},))
def spublish(client, argv: list[bytes]) -> bytes:
    receivers = shard_publish(client.node, argv[1], argv[2])
    if not client.node.config["cluster-enabled"]:
        client.propagate = [argv]
    return resp.integer(receivers)


# ----- PUBSUB introspection

container("pubsub", group="pubsub", summary="A container for Pub/Sub commands", since="2.8.0")
TABLE[b"pubsub"].complexity = "Depends on subcommand."

_HELP = [
    b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"CHANNELS [<pattern>]",
    b"    Return the currently active channels matching a <pattern> (default: '*').",
    b"NUMPAT",
    b"    Return number of subscriptions to patterns.",
    b"NUMSUB [<channel> ...]",
    b"    Return the number of subscribers for the specified channels, excluding",
    b"    pattern subscriptions(default: no channels).",
    b"SHARDCHANNELS [<pattern>]",
    b"    Return the currently active shard level channels matching a <pattern> (default: '*').",
    b"SHARDNUMSUB [<shardchannel> ...]",
    b"    Return the number of subscribers for the specified shard level channel(s)",
    b"HELP",
    b"    Prints this help.",
]


def _channels(argv: list[bytes], registry: dict) -> bytes:
    if len(argv) > 3:
        raise CommandError(b"ERR unknown subcommand or wrong number of arguments for '%s'. Try PUBSUB HELP."
                           % argv[1][:128])
    if len(argv) == 3:
        match = compile_pattern(argv[2])
        return resp.bulk_array([name for name in registry if match(name) is not None])
    return resp.bulk_array(list(registry))


def _numsub(argv: list[bytes], registry: dict) -> bytes:
    out = []
    for name in argv[2:]:
        clients = registry.get(name)
        out.append(resp.bulk(name))
        out.append(resp.integer(len(clients) if clients else 0))
    return resp.array(out)


@subcommand("pubsub", "channels", -2, "pubsub loading stale", summary="List active channels", since="2.8.0",
            complexity="O(N) where N is the number of active channels, and assuming constant time pattern "
                       "matching (relatively short channels and patterns)")
def pubsub_channels(client, argv: list[bytes]) -> bytes:
    return _channels(argv, client.node.channels)


@subcommand("pubsub", "shardchannels", -2, "pubsub loading stale", summary="List active shard channels",
            since="7.0.0", complexity="O(N) where N is the number of active shard channels, and assuming "
                                      "constant time pattern matching (relatively short shard channels).")
def pubsub_shardchannels(client, argv: list[bytes]) -> bytes:
    return _channels(argv, client.node.shard_channels)


@subcommand("pubsub", "numsub", -2, "pubsub loading stale", summary="Get the count of subscribers for channels",
            since="2.8.0", complexity="O(N) for the NUMSUB subcommand, where N is the number of requested channels")
def pubsub_numsub(client, argv: list[bytes]) -> bytes:
    return _numsub(argv, client.node.channels)


@subcommand("pubsub", "shardnumsub", -2, "pubsub loading stale",
            summary="Get the count of subscribers for shard channels", since="7.0.0",
            complexity="O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels")
def pubsub_shardnumsub(client, argv: list[bytes]) -> bytes:
    return _numsub(argv, client.node.shard_channels)


@subcommand("pubsub", "numpat", 2, "pubsub loading stale",
            summary="Get the count of unique patterns pattern subscriptions", since="2.8.0", complexity="O(1)")
def pubsub_numpat(client, argv: list[bytes]) -> bytes:
    return resp.integer(len(client.node.patterns))


@subcommand("pubsub", "help", 2, "loading stale", summary="Show helpful text about the different subcommands",
            since="6.2.0", complexity="O(1)")
def pubsub_help(client, argv: list[bytes]) -> bytes:
    return resp.array([resp.simple(line) for line in _HELP])
