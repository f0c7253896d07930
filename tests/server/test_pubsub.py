"""Pub/Sub against a real pyredis-server: redis-py PubSub objects, raw RESP2/RESP3 replies,
clean-up on disconnect and RESET, and a slow subscriber dropped at its output-buffer limit."""

import socket
import time

import pytest
import redis

from ..compat.harness import RawClient
from ..support import wait_for


def next_message(ps, timeout: float = 5.0) -> dict:
    """The next non-confirmation message of a redis-py PubSub, waited for with a bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if msg is not None:
            return msg
    raise AssertionError("no message received")


def numsub(r, channel: str) -> int:
    return dict(r.pubsub_numsub(channel))[channel.encode()]


def test_subscriber_receives_published_message(r, server):
    ps = server.client().pubsub()
    ps.subscribe("news")
    assert r.publish("news", "hello") == 1
    assert next_message(ps) == {"type": "message", "pattern": None, "channel": b"news", "data": b"hello"}
    ps.close()


def test_pattern_subscriber_receives_pmessage(r, server):
    ps = server.client().pubsub()
    ps.psubscribe("n*")
    assert r.publish("news", "hi") == 1
    assert next_message(ps) == {"type": "pmessage", "pattern": b"n*", "channel": b"news", "data": b"hi"}
    ps.close()


def test_publish_counts_channel_and_pattern_receivers(r, server):
    a, b = server.client().pubsub(), server.client().pubsub()
    a.subscribe("c1")
    b.psubscribe("c*", "*1")
    assert r.publish("c1", "m") == 3
    assert r.publish("nobody", "m") == 0
    a.close()
    b.close()


def test_subscribe_confirmations_one_per_channel_with_count(server):
    c = RawClient(server.port)
    assert c.call("SUBSCRIBE", "a", "b", "a") == b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert c.read_reply() == b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
    assert c.read_reply() == b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n"
    assert c.call("PSUBSCRIBE", "p*") == b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n"
    c.close()


def test_unsubscribe_without_arguments_leaves_every_channel(server):
    c = RawClient(server.port)
    c.call("SUBSCRIBE", "a")
    c.call("PSUBSCRIBE", "p*")
    assert c.call("UNSUBSCRIBE") == b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert c.call("PUNSUBSCRIBE") == b"*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n"
    assert c.call("PING") == b"+PONG\r\n"
    c.close()


def test_unsubscribe_when_subscribed_to_nothing_replies_null_channel(server):
    c = RawClient(server.port)
    assert c.call("UNSUBSCRIBE") == b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    assert c.call("PUNSUBSCRIBE") == b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"
    assert c.call("SUNSUBSCRIBE") == b"*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n"
    assert c.call("UNSUBSCRIBE", "x") == b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n"
    c.close()


def test_subscribed_resp2_client_may_only_run_pubsub_commands(server):
    c = RawClient(server.port)
    c.call("SUBSCRIBE", "a")
    assert c.call("GET", "x") == (b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                                  b"QUIT / RESET are allowed in this context\r\n")
    assert c.call("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert c.call("PING", "hi") == b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"
    c.close()


def test_shard_subscription_alone_enters_subscribed_context(server):
    c = RawClient(server.port)
    assert c.call("SSUBSCRIBE", "s") == b"*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"
    assert c.call("GET", "x").startswith(b"-ERR Can't execute 'get'")
    assert c.call("SUNSUBSCRIBE", "s") == b"*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n"
    assert c.call("GET", "x") == b"$-1\r\n"
    c.close()


def test_shard_channels_are_a_namespace_of_their_own(r, server):
    c = RawClient(server.port)
    c.call("SUBSCRIBE", "ch")
    assert c.call("SSUBSCRIBE", "ch") == b"*3\r\n$10\r\nssubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert r.execute_command("SPUBLISH", "ch", "x") == 1
    assert c.read_reply() == b"*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"
    assert r.execute_command("PUBSUB", "SHARDCHANNELS") == [b"ch"]
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "ch", "no") == [b"ch", 1, b"no", 0]
    assert r.execute_command("SPUBLISH", "other", "x") == 0
    c.close()


def test_pubsub_channels_numsub_numpat(r, server):
    ps = server.client().pubsub()
    ps.subscribe("alpha", "beta")
    ps.psubscribe("a*", "b*")
    ps2 = server.client().pubsub()
    ps2.psubscribe("a*")
    assert sorted(r.pubsub_channels()) == [b"alpha", b"beta"]
    assert r.pubsub_channels("a*") == [b"alpha"]
    assert r.pubsub_numsub("alpha", "zzz") == [(b"alpha", 1), (b"zzz", 0)]
    assert r.pubsub_numpat() == 2
    ps.close()
    ps2.close()


def test_pubsub_channels_with_two_patterns_is_an_error(r):
    with pytest.raises(redis.ResponseError, match="unknown subcommand or wrong number of arguments for 'CHANNELS'"):
        r.execute_command("PUBSUB", "CHANNELS", "a", "b")


def test_pubsub_help_lists_subcommands(r):
    lines = r.execute_command("PUBSUB", "HELP")
    assert lines[0] == b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"SHARDNUMSUB [<shardchannel> ...]" in lines


def test_disconnect_removes_subscriptions(r, server):
    c = RawClient(server.port)
    c.call("SUBSCRIBE", "gone")
    c.call("PSUBSCRIBE", "gone*")
    c.call("SSUBSCRIBE", "sgone")
    assert numsub(r, "gone") == 1
    c.close()
    wait_for(lambda: numsub(r, "gone") == 0, message="subscription removed")
    wait_for(lambda: r.pubsub_numpat() == 0, message="pattern removed")
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "sgone") == [b"sgone", 0]


def test_reset_drops_subscriptions_without_replies(r, server):
    c = RawClient(server.port)
    c.call("SUBSCRIBE", "rs")
    assert c.call("RESET") == b"+RESET\r\n"
    assert numsub(r, "rs") == 0
    assert c.call("PING") == b"+PONG\r\n"
    c.close()


def test_resp3_confirmations_and_messages_are_pushes(r, server):
    c = RawClient(server.port)
    c.call("HELLO", "3")
    assert c.call("UNSUBSCRIBE") == b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"
    assert c.call("SUBSCRIBE", "a") == b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert c.call("GET", "x") == b"_\r\n"          # RESP3 has no subscribed context
    assert c.call("PING") == b"+PONG\r\n"
    r.publish("a", "m")
    assert c.read_reply() == b">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"
    c.close()


def test_resp3_self_publish_keeps_reply_order_in_a_pipeline(server):
    c = RawClient(server.port)
    c.call("HELLO", "3")
    c.send_raw(b"*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$2\r\nhi\r\n")
    assert c.read_reply() == b">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"
    assert c.read_reply() == b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n"
    assert c.read_reply() == b":1\r\n"
    c.close()


def test_subscribe_inside_multi_is_queued_and_run_by_exec(server):
    c = RawClient(server.port)
    c.call("MULTI")
    assert c.call("SUBSCRIBE", "q") == b"+QUEUED\r\n"
    assert c.call("SSUBSCRIBE", "s") == b"+QUEUED\r\n"
    assert c.call("EXEC") == (b"*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nq\r\n:1\r\n"
                              b"-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n")
    assert c.call("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    c.close()


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_slow_subscriber_is_dropped_at_output_buffer_limit(make_server):
    srv = make_server(["--client-output-buffer-limit", "pubsub", "1mb", "256kb", "1"])
    pub = srv.client()
    base_rss = _rss_kb(srv.proc.pid)
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # a subscriber that never reads
    slow.connect(("127.0.0.1", srv.port))
    slow.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
    wait_for(lambda: dict(pub.pubsub_numsub("feed"))[b"feed"] == 1, message="subscribed")
    payload = b"x" * 65536
    dropped = False
    for _ in range(400):                      # at most 400 * 8 * 64 KiB = 200 MiB offered
        pipe = pub.pipeline(transaction=False)
        for _ in range(8):
            pipe.publish("feed", payload)
        pipe.execute()
        if dict(pub.pubsub_numsub("feed"))[b"feed"] == 0:
            dropped = True
            break
    assert dropped, "the slow subscriber was never disconnected"
    assert "scheduled to be closed ASAP for overcoming of output buffer limits" in srv.log()
    assert _rss_kb(srv.proc.pid) - base_rss < 100 * 1024
    other = srv.client()
    assert other.ping() is True
    assert other.publish("feed", "x") == 0
    slow.close()
