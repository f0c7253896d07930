"""A network partition with real processes: every server and sentinel has a 127.x.y.z address of
its own (sentinels leave from it with bind-source-addr, pyredis replicas announce it), and the
links between the two sides are cut with iptables rules in a chain of this test's own
(PYREDIS-TEST-<pid>, jumped to from INPUT), removed in a ``finally`` even when the test fails.

The minority side is the master with one sentinel; the majority is both replicas and the other two
sentinels. The majority fails over (quorum 2 and a majority of the 3 known sentinels), the minority
does not; when the partition heals every sentinel converges on the majority's master and the old
master is turned into its replica, so one master remains.

Needs root and the ``iptables`` command (Debian package ``iptables``); skipped otherwise.
"""

import os
import shutil
import subprocess

import pytest

from ..integration.topology import MASTER_NAME, Topology, link_up, role, wait_failover
from ..support import wait_for

CHAIN = f"PYREDIS-TEST-{os.getpid()}"


def iptables(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["iptables", "-w", "5", *args], capture_output=True, text=True, timeout=30, check=check)


def iptables_unusable() -> str:
    if shutil.which("iptables") is None:
        return "the iptables command is not installed (Debian package 'iptables')"
    if os.geteuid() != 0:
        return "iptables needs root"
    try:
        out = iptables("-L", "INPUT", "-n", check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"iptables failed: {exc}"
    if out.returncode != 0:
        return f"iptables -L failed: {out.stderr.strip()}"
    return ""


class Partition:
    """Rules in our own chain: addresses of one side talk only among themselves."""

    def __init__(self) -> None:
        self.remove()  # a chain left by a killed run with the same pid
        iptables("-N", CHAIN)
        iptables("-I", "INPUT", "1", "-j", CHAIN)

    def isolate(self, side: list[str]) -> None:
        # loopback packets pass INPUT once, so one chain cuts both directions; anything from an
        # address outside the side (including 127.0.0.1, where pyredis replication connects from)
        # to the side is dropped, and so is anything from the side to the outside
        for dst in side:
            for src in side:
                iptables("-A", CHAIN, "-s", src, "-d", dst, "-j", "RETURN")
        for addr in side:
            iptables("-A", CHAIN, "-d", addr, "-j", "DROP")
            iptables("-A", CHAIN, "-s", addr, "-j", "DROP")

    def heal(self) -> None:
        iptables("-F", CHAIN)

    @staticmethod
    def remove() -> None:
        iptables("-D", "INPUT", "-j", CHAIN, check=False)
        iptables("-F", CHAIN, check=False)
        iptables("-X", CHAIN, check=False)


@pytest.fixture
def partition():
    reason = iptables_unusable()
    if reason:
        pytest.skip(f"partition tests need a usable iptables: {reason}")
    try:
        yield Partition()
    finally:
        Partition.remove()


def hosts_for_this_run() -> dict[str, str]:
    """Addresses no other run of this test uses at the same time."""
    pid = os.getpid()
    net = f"127.{100 + pid % 100}.{(pid // 100) % 250}"
    return {"master": f"{net}.2", "replica0": f"{net}.3", "replica1": f"{net}.4",
            "sentinel0": f"{net}.11", "sentinel1": f"{net}.12", "sentinel2": f"{net}.13"}


@pytest.fixture
def topology():
    topo = Topology(hosts=hosts_for_this_run()).start()
    try:
        yield topo
    finally:
        topo.cleanup()


FAILOVER_STEPS = ("+try-failover", "+elected-leader", "+switch-master")


def test_majority_fails_over_minority_does_not_and_heal_leaves_one_master(partition, topology):
    topo = topology
    old = topo.master
    lonely = topo.sentinels[0]
    majority = topo.sentinels[1:]
    partition.isolate([old.host, lonely.host])

    new = wait_failover_on(majority, topo, old.addr)
    assert new in topo.replicas
    wait_for(lambda: role(new) == "master", 10)
    # the minority sentinel still sees its master up, and never tried to fail over
    assert not lonely.has_event("+sdown", f"master {MASTER_NAME} {old.host} {old.port}")
    assert not any(lonely.has_event(step) for step in FAILOVER_STEPS)
    assert old.alive()

    partition.heal()
    wait_failover(topo, old.addr, 40)  # all three sentinels, the lonely one included, name the new master
    assert lonely.has_event("+switch-master", f"{MASTER_NAME} {old.host} {old.port} {new.host} {new.port}")
    assert not any(lonely.has_event(step) for step in FAILOVER_STEPS[:2])
    wait_for(lambda: role(old) == "slave" and link_up(old), 60, interval=0.2, message="old master as a replica")
    masters = [s for s in topo.servers if role(s) == "master"]
    assert masters == [new]
    new.client().set("healed", "1")
    for server in topo.servers:
        if server is not new:
            wait_for(lambda server=server: server.client().get("healed") == b"1", 20,
                     message=f"write reaches {server.host}")


def wait_failover_on(sentinels, topo: Topology, old_addr):
    def switched():
        addrs = {s.master_addr() for s in sentinels}
        addr = addrs.pop() if len(addrs) == 1 else None
        return addr if addr is not None and addr != old_addr else None
    addr = wait_for(switched, 60, interval=0.2, message="the majority to switch master")
    return topo.by_addr(addr)
