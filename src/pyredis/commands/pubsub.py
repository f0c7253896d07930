"""Pub/Sub (filled in by the pub/sub work): PUBLISH delivery used by notifications."""

from ..engine.glob import compile_pattern
from ..protocol import resp


def publish(node, channel: bytes, message: bytes) -> int:
    receivers = 0
    subs = node.channels.get(channel)
    if subs:
        for client in list(subs):
            client.push(resp.push([resp.bulk(b"message"), resp.bulk(channel), resp.bulk(message)], client.resp))
            receivers += 1
    for pattern, clients in list(node.patterns.items()):
        if compile_pattern(pattern)(channel) is not None:
            for client in list(clients):
                client.push(resp.push([resp.bulk(b"pmessage"), resp.bulk(pattern), resp.bulk(channel),
                                       resp.bulk(message)], client.resp))
                receivers += 1
    return receivers
