"""Sentinel interop with Debian's Redis 7.0: pyredis sentinels failing over real redis-servers,
real redis-sentinels failing over pyredis servers, and a mixed group (two pyredis sentinels, one
real) that discovers itself through hellos, elects a leader and fails over together."""

import pytest

from ..support import wait_for
from .topology import (
    FAILOVER_EVENTS,
    MASTER_NAME,
    Topology,
    link_up,
    raw_command,
    role,
    topology_factory,
    wait_failover,
)


@pytest.fixture
def make_topology():
    yield from topology_factory()


def fail_over(topo: Topology):
    """SIGKILL the master; check the switch everyone agrees on, and that the group works after it."""
    old = topo.master.addr
    topo.master.kill()
    new = wait_failover(topo, old)
    leader = wait_for(lambda: next((s for s in topo.sentinels if s.has_event("+failover-end")), None), 40,
                      interval=0.1, message="+failover-end")
    names = [name for _, name, _ in leader.events()]
    it = iter(names)
    assert all(any(n == w for n in it) for w in FAILOVER_EVENTS), names
    switch = f"{MASTER_NAME} {old[0]} {old[1]} {new.host} {new.port}"
    for s in topo.sentinels:
        wait_for(lambda s=s: s.has_event("+switch-master", switch), 20, message=f"+switch-master on {s.port}")
    wait_for(lambda: role(new) == "master", 10)
    assert new.client().set("after", "failover")
    other = next(r for r in topo.replicas if r is not new)
    wait_for(lambda: other.client().info("replication")["master_port"] == new.port and link_up(other), 20,
             message="the other replica on the new master")
    wait_for(lambda: other.client().get("after") == b"failover", 10)
    return leader, new


def test_pyredis_sentinels_fail_over_real_servers(make_topology):
    topo = make_topology(real_servers=True)
    leader, new = fail_over(topo)
    assert not leader.real and new.real


def test_real_sentinels_fail_over_pyredis_servers(make_topology):
    topo = make_topology(real_sentinels=(True, True, True))
    leader, new = fail_over(topo)
    assert leader.real and not new.real


def test_mixed_group_elects_and_fails_over(make_topology):
    topo = make_topology(real_sentinels=(False, False, True))
    real = topo.sentinels[2]
    peers = raw_command(real, "SENTINEL", "SENTINELS", MASTER_NAME)
    assert sorted(int(p[b"port"]) for p in peers) == sorted(s.port for s in topo.sentinels[:2])
    leader, _ = fail_over(topo)
    leader_id = raw_command(leader, "SENTINEL", "MYID").decode()
    # the leader needed a second vote; whoever gave it logged +vote-for-leader for the leader's id
    voters = [s for s in topo.sentinels if s is not leader
              and any(text.startswith(leader_id) for _, _, text in s.events("+vote-for-leader"))]
    assert voters
    epochs = {raw_command(s, "SENTINEL", "MASTER", MASTER_NAME)[b"config-epoch"] for s in topo.sentinels}
    assert len(epochs) == 1 and epochs != {b"0"}
