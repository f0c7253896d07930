"""The Sentinel state machine (``pyredis.sentinel.machine``), one Redis 7.0 sentinel.c rule per
test, in the style of etcd raft's paper tests: each test sets up the smallest state, feeds the
machine a tick, a reply, a hello or a vote request at a chosen virtual time, and checks the
actions it returns (commands to send, events, Persist).

``Cluster`` is a tiny synchronous driver for the multi-step rules (failover, conversion of an old
master): it answers the machine's commands at once, the way Redis instances would, and plays
the peer sentinels' votes.
"""

import random

import pytest

from pyredis.sentinel import config as sconfig
from pyredis.sentinel.machine import (
    HELLO_CHANNEL,
    INFO_PERIOD,
    Event,
    Persist,
    ReplyError,
    Send,
    Sentinel,
)
from pyredis.sentinel.model import RECONF_SLAVES, WAIT_START

ME = "a" * 40
PEER_B = "b" * 40
PEER_C = "c" * 40
T0 = 1_000_000


# ---------------------------------------------------------------- helpers

def sends(actions: list, tag: str | None = None) -> list[Send]:
    return [a for a in actions if isinstance(a, Send) and (tag is None or a.tag == tag)]


def names(actions: list) -> list[str]:
    return [a.name for a in actions if isinstance(a, Event)]


def event(actions: list, name: str) -> Event:
    found = [a for a in actions if isinstance(a, Event) and a.name == name]
    assert found, (name, names(actions))
    return found[0]


def master_info(runid: str = "m" * 40, replicas: tuple = ()) -> bytes:
    lines = [f"run_id:{runid}", "role:master", f"connected_slaves:{len(replicas)}"]
    for i, (ip, port) in enumerate(replicas):
        lines.append(f"slave{i}:ip={ip},port={port},state=online,offset=100,lag=0")
    return ("\r\n".join(lines) + "\r\n").encode()


def replica_info(host: str = "127.0.0.1", port: int = 6379, link: str = "up", offset: int = 100,
                 priority: int = 100, runid: str = "r" * 40, down_since: int | None = None) -> bytes:
    lines = [f"run_id:{runid}", "role:slave", f"master_host:{host}", f"master_port:{port}",
             f"master_link_status:{link}", f"slave_repl_offset:{offset}", f"slave_priority:{priority}",
             "replica_announced:1"]
    if down_since is not None:
        lines.append(f"master_link_down_since_seconds:{down_since}")
    return ("\r\n".join(lines) + "\r\n").encode()


def new_sentinel(down_after: int = 5000, failover_timeout: int = 60000, quorum: int = 2,
                 now: int = T0) -> tuple[Sentinel, object]:
    s = Sentinel(ME, 26379, rng=random.Random(1))
    s.monitor("mymaster", "127.0.0.1", 6379, quorum, now)
    master = s.masters["mymaster"]
    master.down_after_period = down_after
    master.failover_timeout = failover_timeout
    s.tick(now)
    return s, master


def ticks(s: Sentinel, start: int, end: int, step: int = 100) -> list:
    """Tick every ``step`` ms from ``start`` (exclusive) to ``end`` (inclusive)."""
    out: list = []
    t = start
    while t < end:
        t = min(t + step, end)
        out += s.tick(t)
    return out


def add_peers(s: Sentinel, master, runids=(PEER_B, PEER_C), now: int = T0) -> list:
    peers = []
    for i, runid in enumerate(runids):
        peer = s.add_sentinel(master, "127.0.0.1", 26380 + i, runid, now)
        s.link_up(peer, now)
        s.reply(peer, "ping", b"PONG", now)
        peers.append(peer)
    return peers


def connected(s: Sentinel, inst, now: int) -> None:
    s.link_up(inst, now)
    s.link_up(inst, now, pubsub=True)
    s.reply(inst, "ping", b"PONG", now)


# ---------------------------------------------------------------- periodic commands

def test_ping_every_second():
    s, master = new_sentinel()
    connected(s, master, T0)
    assert not sends(ticks(s, T0, T0 + 1000), "ping")
    assert len(sends(s.tick(T0 + 1001), "ping")) == 1


def test_ping_period_is_down_after_when_smaller():
    s, master = new_sentinel(down_after=400)
    connected(s, master, T0)
    assert not sends(ticks(s, T0, T0 + 400), "ping")
    assert sends(s.tick(T0 + 401), "ping")


def test_info_every_10_seconds():
    s, master = new_sentinel()
    connected(s, master, T0)
    assert [a.argv for a in sends(s.tick(T0 + 1), "info")] == [[b"INFO"]]
    s.reply(master, "info", master_info(), T0 + 2)
    assert not sends(ticks(s, T0 + 2, T0 + 2 + INFO_PERIOD), "info")
    assert sends(s.tick(T0 + 3 + INFO_PERIOD), "info")


def test_info_every_second_for_replicas_of_odown_master():
    s, master = new_sentinel()
    connected(s, master, T0)
    replica = s.add_replica(master, "127.0.0.1", 6380, T0)
    connected(s, replica, T0)
    assert sends(s.tick(T0 + 1), "info")
    s.reply(replica, "info", replica_info(), T0 + 1)
    assert not [a for a in sends(ticks(s, T0 + 1, T0 + 1200), "info") if a.inst is replica]
    master.flags.add("o_down")
    assert [a for a in sends(s.tick(T0 + 1300), "info") if a.inst is replica]


def test_info_every_second_for_replicas_with_master_link_down():
    s, master = new_sentinel()
    replica = s.add_replica(master, "127.0.0.1", 6380, T0)
    connected(s, replica, T0)
    s.tick(T0 + 1)
    s.reply(replica, "info", replica_info(link="down", down_since=3), T0 + 1)
    assert [a for a in sends(ticks(s, T0 + 1, T0 + 1200), "info") if a.inst is replica]


def test_hello_every_2_seconds_with_8_token_payload():
    s, master = new_sentinel()
    connected(s, master, T0)
    s.current_epoch = 7
    master.config_epoch = 5
    first = sends(s.tick(T0 + 1), "hello")
    assert len(first) == 1
    assert first[0].argv[:2] == [b"PUBLISH", HELLO_CHANNEL]
    assert first[0].argv[2].decode().split(",") == [
        "127.0.0.1", "26379", ME, "7", "mymaster", "127.0.0.1", "6379", "5"]
    assert not sends(ticks(s, T0 + 1, T0 + 2001), "hello")
    assert sends(s.tick(T0 + 2002), "hello")


def test_hello_announce_ip_and_port_replace_the_local_address():
    s, master = new_sentinel()
    s.announce_ip, s.announce_port = "10.9.9.9", 5000
    assert s.hello_payload(master).split(",")[:2] == ["10.9.9.9", "5000"]


def test_hello_published_to_replicas_and_sentinels_too():
    s, master = new_sentinel()
    replica = s.add_replica(master, "127.0.0.1", 6380, T0)
    connected(s, replica, T0)
    (peer,) = add_peers(s, master, (PEER_B,))
    targets = {a.inst.kind for a in sends(s.tick(T0 + 1), "hello")}
    assert targets == {"slave", "sentinel"}
    assert peer.last_pub_time == T0 + 1


# ---------------------------------------------------------------- subjective down

def test_sdown_after_down_after_milliseconds_without_valid_reply():
    s, master = new_sentinel(down_after=5000)
    s.link_up(master, T0)                      # the PING it sends is never answered
    assert "+sdown" not in names(ticks(s, T0, T0 + 5000))
    ev = event(s.tick(T0 + 5001), "+sdown")
    assert ev.text == "master mymaster 127.0.0.1 6379"
    assert "s_down" in master.flags


@pytest.mark.parametrize("reply", [b"PONG", ReplyError("LOADING Redis is loading the dataset in memory"),
                                   ReplyError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data "
                                              "is set to 'no'.")])
def test_pong_loading_and_masterdown_are_valid_ping_replies(reply):
    s, master = new_sentinel(down_after=5000)
    s.link_up(master, T0)
    s.reply(master, "ping", reply, T0 + 4000)
    assert master.last_avail_time == T0 + 4000
    assert "+sdown" not in names(ticks(s, T0, T0 + 6000))


def test_other_error_replies_are_not_valid():
    s, master = new_sentinel(down_after=5000)
    s.link_up(master, T0)
    s.reply(master, "ping", ReplyError("BUSY Redis is busy running a script."), T0 + 100)
    assert master.last_pong_time == T0 + 100 and master.last_avail_time == T0
    assert "+sdown" in names(ticks(s, T0, T0 + 5100))


def test_valid_reply_clears_sdown():
    s, master = new_sentinel(down_after=1000)
    s.link_up(master, T0)
    assert "+sdown" in names(ticks(s, T0, T0 + 1200))
    s.reply(master, "ping", b"PONG", T0 + 1250)
    ev = event(s.tick(T0 + 1300), "-sdown")
    assert ev.text == "master mymaster 127.0.0.1 6379"
    assert "s_down" not in master.flags


def test_unreachable_instance_goes_sdown():
    s, master = new_sentinel(down_after=1000)
    connected(s, master, T0)
    s.link_down(master, T0 + 500)
    assert "+sdown" in names(ticks(s, T0, T0 + 1600))


def test_sdown_is_not_postponed_by_link_reconnection():
    """A frozen instance accepts connections but never answers; the link is reconnected every
    15 s, and its unanswered PING keeps counting (with the default 30 s down-after)."""
    s, master = new_sentinel(down_after=30000)
    connected(s, master, T0)
    out = []
    t = T0
    while t < T0 + 40000:
        t += 100
        actions = s.tick(t)
        out += actions
        if any(type(a).__name__ == "Reconnect" and a.inst is master for a in actions):
            s.link_down(master, t)
            s.link_down(master, t, pubsub=True)
            s.link_up(master, t + 1)
    assert "+sdown" in names(out)


def test_master_reporting_replica_role_goes_sdown():
    s, master = new_sentinel(down_after=1000)
    connected(s, master, T0)
    s.tick(T0 + 1)
    s.reply(master, "info", replica_info(host="127.0.0.1", port=7000), T0 + 2)
    out = []
    t = T0 + 2
    while t < T0 + 2 + 1000 + 2 * INFO_PERIOD + 500:
        t += 100
        out += s.tick(t)
        for a in sends(out[-20:], "ping"):
            s.reply(a.inst, "ping", b"PONG", t)
        for a in sends(out[-20:], "info"):
            s.reply(a.inst, "info", replica_info(host="127.0.0.1", port=7000), t)
    assert "+sdown" in names(out)


# ---------------------------------------------------------------- objective down

def sdown_master_with_peers(quorum: int = 2, now: int = T0) -> tuple[Sentinel, object, list]:
    s, master = new_sentinel(down_after=1000, quorum=quorum, now=now)
    peers = add_peers(s, master, now=now)
    s.link_up(master, now)
    ticks(s, now, now + 1100)
    assert "s_down" in master.flags
    return s, master, peers


def test_sdown_master_asks_peers_every_second():
    s, master = new_sentinel(down_after=1000)
    b, c = add_peers(s, master)
    s.link_up(master, T0)
    asks = []
    t = T0
    while t < T0 + 3500:
        t += 100
        out = s.tick(t)
        for a in sends(out):
            if a.inst.kind == "sentinel":           # peers answer everything at once
                reply = [0, b"*", 0] if a.tag == "is-master-down" else b"PONG" if a.tag == "ping" else 1
                s.reply(a.inst, a.tag, reply, t)
        asks += [(t, a) for a in sends(out, "is-master-down") if a.inst is b]
    assert asks[0][1].argv == [b"SENTINEL", b"is-master-down-by-addr", b"127.0.0.1", b"6379", b"0", b"*"]
    assert asks[0][0] == master.s_down_since_time            # asked in the tick it went down
    gaps = [later[0] - earlier[0] for earlier, later in zip(asks, asks[1:], strict=False)]
    assert len(asks) >= 2 and all(1000 <= g <= 1100 for g in gaps)


def test_odown_when_quorum_agrees():
    s, master, (b, c) = sdown_master_with_peers(quorum=2)
    assert "+odown" not in names(s.tick(T0 + 1200))
    s.reply(b, "is-master-down", [1, b"*", 0], T0 + 1210)
    ev = event(s.tick(T0 + 1300), "+odown")
    assert ev.text == "master mymaster 127.0.0.1 6379 #quorum 2/2"


def test_odown_needs_every_vote_of_the_quorum():
    s, master, (b, c) = sdown_master_with_peers(quorum=3)
    s.reply(b, "is-master-down", [1, b"*", 0], T0 + 1210)
    assert "+odown" not in names(s.tick(T0 + 1300))
    s.reply(c, "is-master-down", [1, b"*", 0], T0 + 1310)
    assert event(s.tick(T0 + 1400), "+odown").text.endswith("#quorum 3/3")


def test_peer_opinions_expire_after_5_seconds():
    s, master, (b, c) = sdown_master_with_peers(quorum=2)
    master.failover_timeout = 10**9            # keep the failover out of the way
    master.failover_start_time = T0
    s.reply(b, "is-master-down", [1, b"*", 0], T0 + 1210)
    assert "+odown" in names(s.tick(T0 + 1300))
    b.pending_commands = c.pending_commands = 1   # no more replies from here on
    out = ticks(s, T0 + 1300, T0 + 1210 + 5000)
    assert "-odown" not in names(out)
    out = ticks(s, T0 + 1210 + 5000, T0 + 1210 + 5200)
    assert "-odown" in names(out) and "master_down" not in b.flags


# ---------------------------------------------------------------- votes

def test_one_vote_per_epoch():
    s, master = new_sentinel()
    (down, leader, epoch), actions = s.vote_request("127.0.0.1", 6379, 1, PEER_B, T0)
    assert (leader, epoch) == (PEER_B, 1)
    assert event(actions, "+vote-for-leader").text == f"{PEER_B} 1"
    (down, leader, epoch), actions = s.vote_request("127.0.0.1", 6379, 1, PEER_C, T0 + 10)
    assert (leader, epoch) == (PEER_B, 1)
    assert "+vote-for-leader" not in names(actions)


def test_vote_adopts_higher_epoch():
    s, master = new_sentinel()
    (down, leader, epoch), actions = s.vote_request("127.0.0.1", 6379, 5, PEER_B, T0)
    assert s.current_epoch == 5 and (leader, epoch) == (PEER_B, 5)
    assert names(actions) == ["+new-epoch", "+vote-for-leader"]
    assert event(actions, "+new-epoch").text == "5"


def test_no_vote_in_an_epoch_older_than_ours():
    s, master = new_sentinel()
    s.current_epoch = 5
    (down, leader, epoch), actions = s.vote_request("127.0.0.1", 6379, 3, PEER_B, T0)
    assert leader == "*" and not names(actions)


def test_new_epoch_gets_a_new_vote():
    s, master = new_sentinel()
    s.vote_request("127.0.0.1", 6379, 1, PEER_B, T0)
    (down, leader, epoch), _ = s.vote_request("127.0.0.1", 6379, 2, PEER_C, T0 + 10)
    assert (leader, epoch) == (PEER_C, 2)


def test_persist_emitted_before_the_vote_reply():
    s, master = new_sentinel()
    reply, actions = s.vote_request("127.0.0.1", 6379, 1, PEER_B, T0)
    assert any(isinstance(a, Persist) for a in actions)
    # the persisted state carries the vote's epoch: a restart cannot vote again in epoch 1
    restarted = Sentinel(ME, 26379)
    sconfig.apply_lines(restarted, [line.split()[1:] for line in sconfig.render(s, {})], T0)
    _, leader, _ = restarted.vote_request("127.0.0.1", 6379, 1, PEER_C, T0 + 5)[0]
    assert leader != PEER_C


def test_star_runid_asks_without_voting():
    s, master = new_sentinel()
    (down, leader, epoch), actions = s.vote_request("127.0.0.1", 6379, 3, "*", T0)
    assert (leader, epoch) == ("*", 0) and master.leader == "" and s.current_epoch == 0


def test_vote_reply_says_down_only_for_sdown_master():
    s, master = new_sentinel(down_after=1000)
    assert s.vote_request("127.0.0.1", 6379, 0, "*", T0)[0][0] == 0
    s.link_up(master, T0)
    ticks(s, T0, T0 + 1100)
    assert s.vote_request("127.0.0.1", 6379, 0, "*", T0 + 1100)[0][0] == 1
    assert s.vote_request("127.0.0.1", 9999, 0, "*", T0 + 1100)[0] == (0, "*", 0)


def test_voting_for_another_sentinel_delays_own_failover():
    s, master = new_sentinel()
    s.vote_request("127.0.0.1", 6379, 1, PEER_B, T0)
    assert T0 <= master.failover_start_time < T0 + 1000


# ---------------------------------------------------------------- leader election

def elect(voters: int, quorum: int, yes: int) -> str:
    """This sentinel in failover epoch 1 with ``voters - 1`` peers, ``yes`` of which voted for it."""
    s, master = new_sentinel(quorum=quorum)
    peers = [s.add_sentinel(master, "127.0.0.1", 26380 + i, f"{i:x}" * 40, T0) for i in range(voters - 1)]
    s.current_epoch = 1
    for p in peers[:yes]:
        p.leader, p.leader_epoch = ME, 1
    return s.get_leader(master, 1, T0, [])


def test_leader_needs_majority_and_quorum():
    assert elect(voters=5, quorum=2, yes=1) == ""        # 2 votes: quorum, no majority of 5
    assert elect(voters=5, quorum=2, yes=2) == ME        # 3 votes
    assert elect(voters=3, quorum=3, yes=1) == ""        # 2 votes: majority, not the quorum of 3
    assert elect(voters=3, quorum=3, yes=2) == ME


def test_only_votes_of_the_current_epoch_count():
    s, master = new_sentinel()
    b, c = (s.add_sentinel(master, "127.0.0.1", 26380 + i, r, T0) for i, r in enumerate((PEER_B, PEER_C)))
    s.current_epoch = 2
    b.leader, b.leader_epoch = ME, 1
    assert s.get_leader(master, 2, T0, []) == ""
    b.leader_epoch = 2
    assert s.get_leader(master, 2, T0, []) == ME


def test_own_vote_follows_the_most_voted_peer():
    s, master = new_sentinel()
    b, c = (s.add_sentinel(master, "127.0.0.1", 26380 + i, r, T0) for i, r in enumerate((PEER_B, PEER_C)))
    s.current_epoch = 1
    b.leader, b.leader_epoch = PEER_C, 1
    assert s.get_leader(master, 1, T0, []) == PEER_C
    assert master.leader == PEER_C


# ---------------------------------------------------------------- failover start

def odown_master(failover_timeout: int = 60000, now: int = T0):
    s, master, (b, c) = sdown_master_with_peers(now=now)
    master.failover_timeout = failover_timeout
    s.reply(b, "is-master-down", [1, b"*", 0], now + 1110)
    return s, master, b, c


def test_odown_starts_a_failover_in_a_new_epoch():
    s, master, b, c = odown_master()
    out = s.tick(T0 + 1200)
    assert names(out)[:4] == ["+odown", "+new-epoch", "+try-failover", "+vote-for-leader"]
    assert master.failover_state == WAIT_START and master.failover_epoch == s.current_epoch == 1
    asks = sends(out, "is-master-down")
    assert asks and all(a.argv[4:] == [b"1", ME.encode()] for a in asks)


def test_first_failover_not_delayed_by_a_clock_near_zero():
    s, master, b, c = odown_master(now=1000)
    assert "+try-failover" in names(s.tick(1000 + 1200))


def test_not_elected_aborts_after_election_timeout():
    s, master, b, c = odown_master(failover_timeout=5000)   # election timeout = min(10 s, 5 s)
    s.tick(T0 + 1200)
    start = master.failover_start_time
    for p in (b, c):
        p.last_master_down_reply_time = 10**12             # keep their (absent) votes from expiring
    out = ticks(s, T0 + 1200, start + 5000)
    assert "-failover-abort-not-elected" not in names(out)
    out = ticks(s, start + 5000, start + 5200)
    assert "-failover-abort-not-elected" in names(out)
    assert "failover_in_progress" not in master.flags


def test_failover_waits_2x_failover_timeout_between_attempts():
    s, master, b, c = odown_master(failover_timeout=3000)
    s.tick(T0 + 1200)
    start = master.failover_start_time
    for p in (b, c):
        p.last_master_down_reply_time = 10**12
        p.flags.add("master_down")
    out = ticks(s, T0 + 1200, start + 5999)
    assert names(out).count("+try-failover") == 0 and "-failover-abort-not-elected" in names(out)
    out = ticks(s, start + 5999, start + 6100)
    assert names(out).count("+try-failover") == 1
    assert master.failover_epoch == 2


# ---------------------------------------------------------------- replica selection

def selectable(s: Sentinel, master, port: int, now: int, **info) -> object:
    r = s.add_replica(master, "127.0.0.1", port, now)
    connected(s, r, now)
    s.reply(r, "info", replica_info(**info), now)
    return r


def test_select_prefers_lower_priority():
    s, master = new_sentinel()
    selectable(s, master, 6380, T0, priority=100, offset=500)
    best = selectable(s, master, 6381, T0, priority=10, offset=1)
    assert s.select_slave(master, T0) is best


def test_select_prefers_higher_offset_at_equal_priority():
    s, master = new_sentinel()
    selectable(s, master, 6380, T0, offset=500, runid="0" * 40)
    best = selectable(s, master, 6381, T0, offset=900, runid="f" * 40)
    assert s.select_slave(master, T0) is best


def test_select_prefers_smaller_runid_at_equal_offset():
    s, master = new_sentinel()
    selectable(s, master, 6380, T0, runid="9" * 40)
    best = selectable(s, master, 6381, T0, runid="1" * 40)
    assert s.select_slave(master, T0) is best


def test_priority_zero_is_never_selected():
    s, master = new_sentinel()
    selectable(s, master, 6380, T0, priority=0, offset=10**6)
    assert s.select_slave(master, T0) is None


def test_replica_with_stale_info_is_not_selected():
    s, master = new_sentinel()
    r = selectable(s, master, 6380, T0)
    late = T0 + 3 * INFO_PERIOD
    s.reply(r, "ping", b"PONG", late)
    assert s.select_slave(master, late) is not None          # INFO 30 s old: still valid
    assert s.select_slave(master, late + 1) is None
    s.reply(r, "info", replica_info(), late)
    master.flags.add("s_down")                                # master down: at most 5 s old
    master.s_down_since_time = late
    s.reply(r, "ping", b"PONG", late + 5001)
    assert s.select_slave(master, late + 5000) is not None
    assert s.select_slave(master, late + 5001) is None


def test_disconnected_or_down_replicas_are_not_selected():
    s, master = new_sentinel()
    r = selectable(s, master, 6380, T0)
    r.flags.add("s_down")
    assert s.select_slave(master, T0) is None
    r.flags.discard("s_down")
    s.link_down(r, T0)
    assert s.select_slave(master, T0) is None


def test_replica_disconnected_from_master_too_long_is_not_selected():
    s, master = new_sentinel(down_after=1000)
    selectable(s, master, 6380, T0, link="down", down_since=11)   # > 10 x down-after
    assert s.select_slave(master, T0) is None
    s2, master2 = new_sentinel(down_after=1000)
    selectable(s2, master2, 6380, T0, link="down", down_since=9)
    assert s2.select_slave(master2, T0) is not None


# ---------------------------------------------------------------- the whole failover

class Cluster:
    """One sentinel (ME) plus two peers that vote for whoever asks first, a master and replicas
    that answer at once; ``dead`` instances answer nothing."""

    def __init__(self, replicas=((6380, 100, 200), (6381, 100, 100)), quorum: int = 2,
                 down_after: int = 1000, failover_timeout: int = 60000) -> None:
        self.s, self.master = new_sentinel(down_after=down_after, failover_timeout=failover_timeout,
                                           quorum=quorum)
        self.now = T0
        self.log: list[Event] = []
        self.persists = 0
        self.peer_votes: dict[tuple[str, int], str] = {}
        self.dead: set[int] = set()
        self.roles: dict[int, tuple] = {6379: ("master",)}
        self.offsets = {port: off for port, _, off in replicas}
        self.priorities = {port: prio for port, prio, _ in replicas}
        self.slaveof_log: list[tuple[int, list[bytes]]] = []
        for port, _, _ in replicas:
            self.roles[port] = ("slave", 6379)
        add_peers(self.s, self.master, now=T0)
        self.connect(self.master)

    def connect(self, inst) -> None:
        self.run(self.s.link_up(inst, self.now))
        self.s.link_up(inst, self.now, pubsub=True)

    def info(self, port: int) -> bytes:
        role = self.roles[port]
        if role[0] == "master":
            reps = [("127.0.0.1", p) for p, r in self.roles.items() if r == ("slave", port) and p not in self.dead]
            return master_info(runid=f"{port:040d}", replicas=tuple(reps))
        return replica_info(port=role[1], offset=self.offsets.get(port, 0),
                            priority=self.priorities.get(port, 100), runid=f"{port:040d}")

    def answer(self, a: Send) -> object:
        inst, argv = a.inst, a.argv
        if inst.kind == "sentinel":
            if a.tag == "is-master-down":
                epoch, runid = int(argv[4]), argv[5].decode()
                down = 1 if self.master.port in self.dead or self.master.port != 6379 else 0
                if runid == "*":
                    return [down, b"*", 0]
                vote = self.peer_votes.setdefault((inst.runid, epoch), runid)
                return [down, vote.encode(), epoch]
            return b"PONG" if a.tag == "ping" else 1
        if argv[0] == b"SLAVEOF":
            self.slaveof_log.append((inst.port, argv))
            self.roles[inst.port] = ("master",) if argv[1] == b"NO" else ("slave", int(argv[2]))
        if a.tag == "ping":
            return b"PONG"
        if a.tag == "info":
            return self.info(inst.port)
        return b"OK"

    def run(self, actions: list) -> None:
        for a in actions:
            if isinstance(a, Event):
                self.log.append(a)
            elif isinstance(a, Persist):
                self.persists += 1
            elif isinstance(a, Send):
                if a.inst.kind != "sentinel" and a.inst.port in self.dead:
                    continue
                self.run(self.s.reply(a.inst, a.tag, self.answer(a), self.now))
            elif type(a).__name__ == "Forget":
                pass

    def advance(self, ms: int) -> None:
        end = self.now + ms
        while self.now < end:
            self.now = min(self.now + 100, end)
            for inst in self.s.all_instances():
                if not inst.link_connected and (inst.kind == "sentinel" or inst.port not in self.dead):
                    self.connect(inst)
            self.run(self.s.tick(self.now))

    def names(self) -> list[str]:
        return [e.name for e in self.log]


SEED_SEQUENCE = ["+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
                 "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
                 "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
                 "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end",
                 "+switch-master"]


def test_failover_state_sequence_and_events():
    c = Cluster()
    c.advance(1000)
    assert len(c.master.replicas) == 2
    c.dead.add(6379)
    c.advance(15000)
    important = [n for n in c.names() if n in SEED_SEQUENCE]
    first = important.index("+sdown")
    assert important[first:first + len(SEED_SEQUENCE)] == SEED_SEQUENCE
    texts = {e.name: e.text for e in c.log}
    assert texts["+selected-slave"] == "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"
    assert texts["+failover-state-wait-promotion"] == texts["+selected-slave"]
    assert texts["+switch-master"] == "mymaster 127.0.0.1 6379 127.0.0.1 6380"
    assert texts["+failover-end"] == "master mymaster 127.0.0.1 6379"
    assert (c.master.ip, c.master.port) == ("127.0.0.1", 6380)
    assert set(c.master.replicas) == {"127.0.0.1:6381", "127.0.0.1:6379"}
    assert c.master.config_epoch == 1


def test_slaveof_is_sent_as_a_transaction():
    c = Cluster()
    c.advance(1000)
    c.dead.add(6379)
    sent: list = []
    original = c.run

    def spy(actions):
        sent.extend(a.argv for a in sends(actions) if a.inst.port == 6380)
        original(actions)
    c.run = spy  # type: ignore[method-assign]
    c.advance(4000)
    start = sent.index([b"MULTI"])
    assert sent[start:start + 6] == [[b"MULTI"], [b"SLAVEOF", b"NO", b"ONE"], [b"CONFIG", b"REWRITE"],
                                     [b"CLIENT", b"KILL", b"TYPE", b"normal"],
                                     [b"CLIENT", b"KILL", b"TYPE", b"pubsub"], [b"EXEC"]]


def test_promotion_sets_config_epoch_persists_and_announces_at_once():
    c = Cluster(replicas=((6380, 100, 100),))
    c.advance(1000)
    c.dead.add(6379)
    while "+promoted-slave" not in c.names():
        c.advance(100)
    assert c.master.failover_state == RECONF_SLAVES and c.master.config_epoch == c.master.failover_epoch
    assert c.persists
    hello_due = min(i.last_pub_time for i in c.s.instances_of(c.master))
    assert c.now - hello_due > 2000           # the next tick publishes the new configuration
    assert c.s.hello_payload(c.master).split(",")[5:] == ["127.0.0.1", "6380", str(c.master.config_epoch)]


def test_parallel_syncs_limits_replicas_reconfigured_at_once():
    c = Cluster(replicas=((6380, 100, 300), (6381, 100, 200), (6382, 100, 100)))
    c.advance(1000)
    c.dead.update({6379, 6382})      # 6382 unreachable: stays unconfigured until it is sdown
    c.master.parallel_syncs = 1
    while "+failover-state-reconf-slaves" not in c.names():
        c.advance(100)
    in_flight = [r for r in c.master.replicas.values() if r.flags & {"reconf_sent", "reconf_inprog"}]
    assert len(in_flight) <= 1


def test_replica_never_reconfigured_times_out_as_done():
    c = Cluster()
    c.master.parallel_syncs = 2     # as in Redis, a full parallel-syncs quota skips the timeout check
    c.advance(1000)
    c.dead.add(6379)
    while "+slave-reconf-sent" not in c.names():
        c.advance(100)
    (r,) = [r for r in c.master.replicas.values() if "reconf_sent" in r.flags]
    r.slave_reconf_sent_time -= 10_001      # SLAVE_RECONF_TIMEOUT passed without progress
    r.flags.discard("reconf_sent")
    r.flags.add("reconf_sent")
    c.roles[r.port] = ("slave", 6379)       # it ignored the SLAVEOF
    c.run(c.s.tick(c.now + 1))
    assert "-slave-reconf-sent-timeout" in c.names()


# ---------------------------------------------------------------- configuration from hellos

def hello(runid=PEER_B, epoch=1, mip="127.0.0.1", mport=6380, mepoch=1, ip="127.0.0.1", port=26380) -> str:
    return f"{ip},{port},{runid},{epoch},mymaster,{mip},{mport},{mepoch}"


def test_hello_from_unknown_sentinel_adds_it():
    s, master = new_sentinel()
    actions = s.hello(hello(mport=6379, mepoch=0, epoch=0), T0)
    assert event(actions, "+sentinel").text == f"sentinel {PEER_B} 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"
    assert any(isinstance(a, Persist) for a in actions)
    assert PEER_B in master.sentinels


def test_hello_with_higher_current_epoch_is_adopted():
    s, master = new_sentinel()
    actions = s.hello(hello(epoch=4, mport=6379, mepoch=0), T0)
    assert s.current_epoch == 4 and event(actions, "+new-epoch").text == "4"
    assert any(isinstance(a, Persist) for a in actions)


def test_hello_with_higher_config_epoch_switches_master():
    s, master = new_sentinel()
    s.add_replica(master, "127.0.0.1", 6380, T0)
    s.add_replica(master, "127.0.0.1", 6381, T0)
    actions = s.hello(hello(mport=6380, mepoch=1), T0)
    assert names(actions) == ["+sentinel", "+new-epoch", "+config-update-from", "+switch-master", "+slave", "+slave"]
    assert event(actions, "+config-update-from").text.startswith(f"sentinel {PEER_B} 127.0.0.1 26380")
    assert event(actions, "+switch-master").text == "mymaster 127.0.0.1 6379 127.0.0.1 6380"
    assert (master.ip, master.port, master.config_epoch) == ("127.0.0.1", 6380, 1)
    assert set(master.replicas) == {"127.0.0.1:6381", "127.0.0.1:6379"}
    assert any(isinstance(a, Persist) for a in actions)


def test_hello_with_same_or_lower_config_epoch_is_ignored():
    s, master = new_sentinel()
    master.config_epoch = 3
    actions = s.hello(hello(mport=6380, mepoch=3), T0)
    assert "+switch-master" not in names(actions) and master.port == 6379
    actions = s.hello(hello(mport=6380, mepoch=2), T0)
    assert "+switch-master" not in names(actions) and master.config_epoch == 3


def test_own_hello_is_ignored():
    s, master = new_sentinel()
    assert s.hello(hello(runid=ME, mport=6380, mepoch=9), T0) == []


def test_switch_master_allows_an_immediate_failover_of_the_new_master():
    s, master = new_sentinel()
    master.failover_start_time = T0
    s.hello(hello(mport=6380, mepoch=1), T0)
    assert master.failover_start_time == 0


def test_new_master_is_asked_for_info_even_if_a_reply_was_in_flight():
    s, master = new_sentinel()
    connected(s, master, T0)
    assert sends(s.tick(T0 + 1), "info")      # the reply never comes: the link is dropped
    s.hello(hello(mport=6380, mepoch=1), T0 + 2)
    s.link_up(master, T0 + 3)
    assert sends(s.tick(T0 + 100), "info")


# ---------------------------------------------------------------- the old master comes back

def switched_cluster() -> Cluster:
    c = Cluster()
    c.advance(1000)
    c.dead.add(6379)
    while "+switch-master" not in c.names():
        c.advance(100)
    c.advance(3000)
    return c


def test_old_master_back_as_master_is_converted_after_8_seconds():
    c = switched_cluster()
    c.roles[6379] = ("master",)
    c.dead.discard(6379)
    old = c.master.replicas["127.0.0.1:6379"]
    c.advance(2000)
    assert old.role_reported == "master"
    reported = old.role_reported_time
    c.slaveof_log.clear()
    while c.now < reported + 8000:
        c.advance(100)
        if c.now < reported + 8000 - 100:
            assert "+convert-to-slave" not in c.names()
    c.advance(12000)
    ev = [e for e in c.log if e.name == "+convert-to-slave"]
    assert ev and ev[0].text == "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380"
    assert (6379, [b"SLAVEOF", b"127.0.0.1", b"6380"]) in c.slaveof_log
    assert c.roles[6379] == ("slave", 6380)


def test_old_master_not_converted_while_the_master_info_is_stale():
    c = switched_cluster()
    c.roles[6379] = ("master",)
    c.dead.discard(6379)
    c.master.info_refresh = c.now - 2 * INFO_PERIOD - 1
    c.master.info_pending = True                  # and no fresh INFO arrives
    old = c.master.replicas["127.0.0.1:6379"]
    old.role_reported, old.role_reported_time = "master", c.now - 9000
    c.run(c.s.reply(old, "info", c.info(6379), c.now))
    assert "+convert-to-slave" not in c.names()


def test_replica_of_the_wrong_master_is_fixed_after_failover_timeout():
    c = Cluster(failover_timeout=5000)
    c.advance(1000)
    c.roles[6381] = ("slave", 7777)
    (r,) = [r for r in c.master.replicas.values() if r.port == 6381]
    c.advance(INFO_PERIOD + 200)
    changed = r.slave_conf_change_time
    assert "+fix-slave-config" not in c.names()
    c.advance(changed + 5000 + INFO_PERIOD + 200 - c.now)
    assert "+fix-slave-config" in c.names()
    assert c.roles[6381] == ("slave", 6379)


def test_replica_reboot_is_reported():
    s, master = new_sentinel()
    r = selectable(s, master, 6380, T0, runid="1" * 40)
    actions = s.reply(r, "info", replica_info(runid="2" * 40), T0 + 10)
    assert event(actions, "+reboot").text == "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"


# ---------------------------------------------------------------- TILT

def test_tilt_when_the_clock_jumps_forward():
    s, master = new_sentinel(down_after=1000)
    s.link_up(master, T0)
    s.tick(T0 + 100)
    out = s.tick(T0 + 100 + 2001)
    assert event(out, "+tilt").text == "#tilt mode entered"
    assert "+sdown" not in names(out)            # no acting in TILT
    assert s.vote_request("127.0.0.1", 6379, 0, "*", T0 + 2200)[0][0] == 0


def test_tilt_when_the_clock_goes_backwards():
    s, master = new_sentinel()
    s.tick(T0 + 500)
    assert "+tilt" in names(s.tick(T0 + 400))


def test_no_tilt_for_normal_ticks():
    s, master = new_sentinel()
    assert "+tilt" not in names(ticks(s, T0, T0 + 10000, step=2000))


def test_tilt_exits_after_30_seconds_of_normal_ticks():
    s, master = new_sentinel()
    s.tick(T0 + 3000)
    out = ticks(s, T0 + 3000, T0 + 3000 + 30000)
    assert "-tilt" not in names(out)
    out = ticks(s, T0 + 33000, T0 + 33200)
    assert event(out, "-tilt").text == "#tilt mode exited"


# ---------------------------------------------------------------- persistence

def test_config_written_in_reconf_slaves_names_the_promoted_replica():
    c = Cluster(replicas=((6380, 100, 100),))
    c.advance(1000)
    c.dead.add(6379)
    while "+promoted-slave" not in c.names():
        c.advance(100)
    lines = sconfig.render(c.s, {})
    assert "sentinel monitor mymaster 127.0.0.1 6380 2" in lines
    assert "sentinel known-replica mymaster 127.0.0.1 6379" in lines
