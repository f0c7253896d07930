"""Seeded schedules of the Sentinel simulator (``sentinel_sim.py``): crashes, restarts, partitions,
delays and connection resets against 3 or 5 sentinels and a master with replicas.

Safety invariants are checked after every simulation step (see ``Invariants``): one vote per
sentinel per epoch, at most one leader per epoch and only with a majority and the quorum, no
promotion by a sentinel that was not elected, epochs never going back. Liveness is checked at
the end of each schedule: once the network heals, the sentinels converge on one master that is up,
and with the master dead and a majority able to reach a replica, the failover completes.

A failure names the seed and prints the last events; replay it with ``replay(kind, seed)``.
``SENTINEL_SIM_SCALE=10`` runs ten times as many schedules.
"""

import os
import random

import pytest

from .sentinel_sim import Sim

SCALE = float(os.environ.get("SENTINEL_SIM_SCALE", "1"))


def count(n: int) -> int:
    return max(1, int(n * SCALE))


def make_sim(seed: int, rng: random.Random, **overrides) -> Sim:
    n = rng.choice((3, 3, 5))
    params = dict(
        sentinels=n,
        replicas=rng.randint(1, 3),
        quorum=rng.randint(2, n // 2 + 1),
        max_delay=rng.choice((1, 5, 20)),
        jitter=rng.choice((0, 3, 15)),
        loss=rng.choice((0.0, 0.0, 0.002, 0.01)),
        preseed=rng.random() < 0.7,
        down_after=rng.choice((500, 1000, 2000)),
        failover_timeout=rng.choice((3000, 6000)),
        parallel_syncs=rng.choice((1, 2)),
    )
    params.update(overrides)
    return Sim(seed, **params)


def random_faults(seed: int) -> Sim:
    """Random crashes, restarts and partitions for ~15 s; then heal, restart everything, and
    require convergence on one master, followed by every replica."""
    rng = random.Random(seed ^ 0x5EED)
    sim = make_sim(seed, rng)
    names = list(sim.nodes)
    sim.run_for(3000 + rng.randint(0, 2000))
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        if op < 0.3:
            sim.crash(rng.choice(names))
        elif op < 0.45:
            sim.restart(rng.choice(names))
        elif op < 0.5:
            name = rng.choice(names)
            sim.pause(name)
            sim.at(sim.now + rng.randint(100, 20_000), sim.resume, name)
        elif op < 0.8:
            shuffled = rng.sample(names, len(names))
            cuts = sorted(rng.sample(range(1, len(names)), rng.randint(1, 2)))
            sim.partition([shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(names)], strict=True)])
        else:
            sim.heal()
        sim.run_for(rng.randint(100, 6000))
    sim.heal()
    for name in names:
        sim.restart(name)
        sim.resume(name)
    took = sim.run_until_converged(120_000, replicas_follow=True)
    if took is None:
        sim.fail(f"no convergence after the heal: {sim.master_addresses()}; redis "
                 f"{[(r.name, r.role, r.master_addr, r.link_up) for r in sim.redis]}")
    return sim


def failover_with_majority(seed: int) -> Sim:
    """The master dies while a majority of sentinels can reach the replicas (a minority may be
    cut off): a failover must complete and the majority must name a live replica."""
    rng = random.Random(seed ^ 0xFA11)
    sim = make_sim(seed, rng, replicas=rng.randint(1, 3), loss=rng.choice((0.0, 0.002)))
    sim.run_for(3000 + rng.randint(0, 3000))
    n = len(sim.sentinels)
    minority = rng.sample(sim.sentinels, rng.randint(0, (n - 1) // 2))
    majority = [s for s in sim.sentinels if s not in minority]
    if len(majority) < sim.quorum:
        minority, majority = [], sim.sentinels
    if minority:
        sim.partition([[s.name for s in minority]])
    old = sim.redis[0]
    sim.crash(old.name)
    took = sim.run_until_converged(90_000, hosts=majority)
    if took is None:
        sim.fail(f"no failover by the majority: {sim.master_addresses()}")
    if sim.inv.switches == 0:
        sim.fail("converged without +switch-master")
    # after the heal the minority follows, and the old master rejoins as a replica
    sim.heal()
    sim.restart(old.name)
    if sim.run_until_converged(90_000, replicas_follow=True) is None:
        sim.fail(f"no convergence after the heal: {sim.master_addresses()}")
    return sim


def replay(kind: str, seed: int) -> Sim:
    return {"faults": random_faults, "failover": failover_with_majority}[kind](seed)


def test_seed_scenario_event_sequence():
    """The seed's story: the master dies, one failover with the seed's events, every sentinel
    switches, the old master comes back as a replica of the new one."""
    sim = Sim(7, sentinels=3, replicas=2, quorum=2, max_delay=2, jitter=1)
    events: list[tuple[str, str]] = []
    original = sim.on_event
    sim.on_event = lambda host, ev: (events.append((host.name, ev.name)), original(host, ev))  # type: ignore
    sim.run_for(3000)
    sim.crash("redis0")
    assert sim.run_until_converged(60_000, replicas_follow=True) is not None
    sim.run_for(5000)        # the others may switch (hello) before the leader ends its failover
    leader = next(h for h, name in events if name == "+elected-leader")
    seq = [name for h, name in events if h == leader]
    expected = ["+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
                "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
                "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
                "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end",
                "+switch-master"]
    it = iter(seq)
    missing = [name for name in expected if name not in it]
    assert not missing, (missing, seq)
    others = {h for h, name in events if name == "+switch-master"}
    assert others == {s.name for s in sim.sentinels}
    sim.restart("redis0")
    assert sim.run_until_converged(60_000, replicas_follow=True) is not None
    assert any(name == "+convert-to-slave" for _, name in events)


def test_minority_side_never_fails_over():
    """Two of five sentinels cut off with the master: they see it down but cannot be elected."""
    for seed in range(count(20)):
        sim = Sim(seed, sentinels=5, replicas=2, quorum=2, max_delay=3)
        sim.run_for(3000)
        minority = ["sentinel0", "sentinel1"]
        sim.partition([minority + ["redis1"]])
        sim.run_for(30_000)
        for s in sim.sentinels[:2]:
            assert s.machine is not None
            assert s.myid not in sim.inv.elected_ever, sim.trace
        sim.heal()
        assert sim.run_until_converged(60_000, replicas_follow=True) is not None


@pytest.mark.parametrize("block", range(8))
def test_random_fault_schedules(block):
    for seed in range(block * count(100), (block + 1) * count(100)):
        random_faults(seed)


@pytest.mark.parametrize("block", range(4))
def test_failover_completes_with_a_majority(block):
    for seed in range(block * count(60), (block + 1) * count(60)):
        failover_with_majority(seed + 100_000)


def test_all_schedules_elect_someone_sometimes():
    """Guard against a vacuous pass: the schedules above do elect leaders and switch masters."""
    elections = switches = 0
    for seed in range(count(20)):
        sim = failover_with_majority(seed + 200_000)
        elections += sim.inv.elections
        switches += sim.inv.switches
    assert elections >= count(20) and switches >= count(20)
