"""Sentinel with real processes: the seed's story (three sentinels, quorum 2, a master and two
replicas on 127.0.0.1), the SENTINEL command against a running group, and a full failover after
SIGKILL of the master — the event sequence in the logs and on pub/sub, the new master taking
writes, the other replica following it, redis-py's Sentinel client following the switch, the
rewritten sentinel.conf, a restarted sentinel resuming, and the old master coming back as a replica.

The failover is done once per module (``failed_over``) and its tests read what it left; the last
tests restart processes and so come last in the file.
"""

import re

import pytest
import redis
from redis.sentinel import Sentinel

from ..support import wait_for
from .topology import (
    FAILOVER_EVENTS,
    MASTER_NAME,
    Topology,
    have_redis_sentinel,
    link_up,
    raw_command,
    role,
    sentinel_info_line,
    wait_failover,
)


@pytest.fixture(scope="module")
def seed():
    """The seed's sentinel topology, left running (no failover) for the SENTINEL command tests."""
    topo = Topology().start()
    yield topo
    topo.cleanup()


@pytest.fixture(scope="module")
def real_seed():
    """The same topology of Debian's redis-server and redis-sentinel, the referee for field names."""
    if not have_redis_sentinel():
        pytest.skip("redis-sentinel is not installed (.ci/run installs it)")
    topo = Topology(real_servers=True, real_sentinels=(True, True, True)).start()
    yield topo
    topo.cleanup()


class FailedOver:
    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.old = topo.master
        self.old_addr = topo.master.addr
        self.subscriber = topo.sentinels[0].client().pubsub()
        self.subscriber.subscribe("+switch-master")
        self.py_sentinel = Sentinel([s.addr for s in topo.sentinels], socket_timeout=2, socket_connect_timeout=1)
        self.py_master = self.py_sentinel.master_for(MASTER_NAME, socket_timeout=2, socket_connect_timeout=1)
        self.py_master.set("before", "1")  # the pool is now bound to the old master
        self.old.kill()
        self.new = wait_failover(topo, self.old_addr)
        self.other = next(r for r in topo.replicas if r is not self.new)
        self.leader = wait_for(self._leader, 40, interval=0.1, message="a sentinel to log +failover-end")

    def _leader(self):
        return next((s for s in self.topo.sentinels if s.has_event("+failover-end")), None)


@pytest.fixture(scope="module")
def failed_over():
    topo = Topology().start()
    try:
        yield FailedOver(topo)
    finally:
        topo.cleanup()


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(name == w for name in it) for w in wanted)


# ----- the group before anything fails


def test_monitor_and_slave_lines_in_every_sentinel_log(seed):
    m = seed.master
    for s in seed.sentinels:
        events = s.events()
        assert ("#", "+monitor", f"master {MASTER_NAME} 127.0.0.1 {m.port} quorum 2") in events
        for r in seed.replicas:
            line = f"slave 127.0.0.1:{r.port} 127.0.0.1 {r.port} @ {MASTER_NAME} 127.0.0.1 {m.port}"
            assert ("*", "+slave", line) in events


def test_info_sentinel_master_line(seed):
    for s in seed.sentinels:
        assert sentinel_info_line(s) == \
            f"name={MASTER_NAME},status=ok,address=127.0.0.1:{seed.master.port},slaves=2,sentinels=3"


def test_info_sentinel_section_fields(seed):
    text = raw_command(seed.sentinels[0], "INFO", "sentinel").decode()
    keys = [line.split(":", 1)[0] for line in text.splitlines()[1:] if line]
    assert text.startswith("# Sentinel\r\n")
    assert keys == ["sentinel_masters", "sentinel_tilt", "sentinel_tilt_since_seconds", "sentinel_running_scripts",
                    "sentinel_scripts_queue_length", "sentinel_simulate_failure_flags", "master0"]


def test_role_of_a_sentinel(seed):
    assert raw_command(seed.sentinels[0], "ROLE") == [b"sentinel", [MASTER_NAME.encode()]]


def _field_names(topo: Topology) -> dict[str, set[bytes]]:
    s = topo.sentinels[0]
    wait_for(lambda: all(b"disconnected" not in x[b"flags"]
                         for x in raw_command(s, "SENTINEL", "SENTINELS", MASTER_NAME)), 10)
    return {
        "masters": set(raw_command(s, "SENTINEL", "MASTERS")[0]),
        "master": set(raw_command(s, "SENTINEL", "MASTER", MASTER_NAME)),
        "replicas": set(raw_command(s, "SENTINEL", "REPLICAS", MASTER_NAME)[0]),
        "slaves": set(raw_command(s, "SENTINEL", "SLAVES", MASTER_NAME)[0]),
        "sentinels": set(raw_command(s, "SENTINEL", "SENTINELS", MASTER_NAME)[0]),
    }


def test_instance_field_names_match_real_sentinel(seed, real_seed):
    assert _field_names(seed) == _field_names(real_seed)


def test_masters_replicas_sentinels_describe_the_group(seed):
    s = seed.sentinels[0]
    master = raw_command(s, "SENTINEL", "MASTER", MASTER_NAME)
    assert master[b"name"] == MASTER_NAME.encode()
    assert (master[b"ip"], int(master[b"port"])) == (b"127.0.0.1", seed.master.port)
    assert master[b"flags"] == b"master"
    assert (master[b"num-slaves"], master[b"num-other-sentinels"], master[b"quorum"]) == (b"2", b"2", b"2")
    assert (master[b"down-after-milliseconds"], master[b"failover-timeout"]) == (b"1000", b"10000")
    replicas = raw_command(s, "SENTINEL", "REPLICAS", MASTER_NAME)
    assert sorted(int(r[b"port"]) for r in replicas) == sorted(r.port for r in seed.replicas)
    assert {r[b"master-port"] for r in replicas} == {str(seed.master.port).encode()}
    assert {r[b"master-link-status"] for r in replicas} == {b"ok"}
    assert raw_command(s, "SENTINEL", "SLAVES", MASTER_NAME) is not None
    peers = raw_command(s, "SENTINEL", "SENTINELS", MASTER_NAME)
    assert sorted(int(p[b"port"]) for p in peers) == sorted(x.port for x in seed.sentinels[1:])
    myids = {raw_command(x, "SENTINEL", "MYID") for x in seed.sentinels[1:]}
    assert {p[b"runid"] for p in peers} == myids


def test_sentinel_instances_are_named_by_run_id(seed):
    peers = raw_command(seed.sentinels[0], "SENTINEL", "SENTINELS", MASTER_NAME)
    assert all(p[b"name"] == p[b"runid"] for p in peers)
    runid = peers[0][b"runid"].decode()
    assert any(text.startswith(f"sentinel {runid} ") for _, _, text in seed.sentinels[0].events("+sentinel"))


def test_get_master_addr_by_name(seed):
    s = seed.sentinels[1]
    assert raw_command(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME) == \
        [b"127.0.0.1", str(seed.master.port).encode()]
    assert raw_command(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch") is None


def test_ckquorum(seed):
    assert raw_command(seed.sentinels[0], "SENTINEL", "CKQUORUM", MASTER_NAME) == \
        b"OK 3 usable Sentinels. Quorum and failover authorization can be reached"


def test_myid_is_the_one_in_the_config_file(seed):
    for s in seed.sentinels:
        myid = raw_command(s, "SENTINEL", "MYID").decode()
        assert re.fullmatch(r"[0-9a-f]{40}", myid)
        assert f"sentinel myid {myid}\n" in s.conf()


def test_config_get_and_set(seed):
    s = seed.sentinels[2]
    assert raw_command(s, "SENTINEL", "CONFIG", "GET", "*") == {
        b"resolve-hostnames": b"no", b"announce-hostnames": b"no", b"announce-ip": b"", b"announce-port": b"0",
        b"sentinel-user": b"", b"sentinel-pass": b""}
    assert raw_command(s, "SENTINEL", "CONFIG", "SET", "announce-hostnames", "yes") == b"OK"
    assert raw_command(s, "SENTINEL", "CONFIG", "GET", "announce-hostnames") == {b"announce-hostnames": b"yes"}
    assert "sentinel announce-hostnames yes" in s.conf()
    assert raw_command(s, "SENTINEL", "CONFIG", "SET", "announce-hostnames", "no") == b"OK"


def test_config_set_errors(seed):
    s = seed.sentinels[2]
    with pytest.raises(redis.ResponseError, match=r"^Invalid argument 'foo' to SENTINEL CONFIG SET$"):
        raw_command(s, "SENTINEL", "CONFIG", "SET", "foo", "1")
    with pytest.raises(redis.ResponseError, match=r"^Invalid value 'abc' to SENTINEL CONFIG SET 'announce-port'$"):
        raw_command(s, "SENTINEL", "CONFIG", "SET", "announce-port", "abc")


def test_info_cache_holds_the_last_info_of_master_and_replicas(seed):
    reply = raw_command(seed.sentinels[0], "SENTINEL", "INFO-CACHE", MASTER_NAME)
    assert reply[0] == MASTER_NAME.encode()
    entries = reply[1]
    assert len(entries) == 3
    roles = sorted(re.search(rb"role:(\w+)", info).group(1) for _, info in entries)
    assert roles == [b"master", b"slave", b"slave"]
    assert all(isinstance(age, int) and age >= 0 for age, _ in entries)
    assert raw_command(seed.sentinels[0], "SENTINEL", "INFO-CACHE", "nosuch") == []


@pytest.mark.parametrize("args", [("MASTER", "nosuch"), ("REPLICAS", "nosuch"), ("SLAVES", "nosuch"),
                                  ("SENTINELS", "nosuch"), ("CKQUORUM", "nosuch"), ("FAILOVER", "nosuch"),
                                  ("REMOVE", "nosuch"), ("SET", "nosuch", "quorum", "1")])
def test_no_such_master(seed, args):
    with pytest.raises(redis.ResponseError, match=r"^No such master with that name$"):
        raw_command(seed.sentinels[0], "SENTINEL", *args)


def test_unknown_subcommand(seed):
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand 'FOO'. Try SENTINEL HELP.$"):
        raw_command(seed.sentinels[0], "SENTINEL", "FOO")


def test_plain_commands_are_unknown_to_a_sentinel(seed):
    with pytest.raises(redis.ResponseError, match=r"^unknown command 'GET', with args beginning with: 'x' $"):
        raw_command(seed.sentinels[0], "GET", "x")


@pytest.mark.parametrize("args, error", [
    (("MONITOR", MASTER_NAME, "127.0.0.1", "1", "2"), "Duplicate master name."),
    (("MONITOR", "other", "127.0.0.1", "1", "0"), "Quorum must be 1 or greater."),
    (("MONITOR", "other", "127.0.0.1", "abc", "abc"), "Invalid quorum"),
    (("MONITOR", "other", "127.0.0.1", "abc", "2"), "Invalid port"),
    (("MONITOR", "other", "127.0.0.1", "70000", "2"), "Invalid port number."),
    (("MONITOR", "other", "localhost", "1", "2"), "Invalid IP address or hostname specified"),
    (("SET", MASTER_NAME, "foo", "1"), "Unknown option or number of arguments for SENTINEL SET 'foo'"),
    (("SET", MASTER_NAME, "quorum", "2", "parallel-syncs"),
     "Unknown option or number of arguments for SENTINEL SET 'parallel-syncs'"),
    (("SET", MASTER_NAME, "quorum", "0"), "Invalid argument '0' for SENTINEL SET 'quorum'"),
    (("SET", MASTER_NAME, "down-after-milliseconds", "abc"),
     "Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'"),
    (("SET", MASTER_NAME, "notification-script", "/bin/true"),
     "Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig "
     "configuration directive in your Sentinel configuration"),
])
def test_monitor_and_set_errors(seed, args, error):
    with pytest.raises(redis.ResponseError) as info:
        raw_command(seed.sentinels[1], "SENTINEL", *args)
    assert str(info.value) == error


def test_monitor_set_remove_another_master(seed):
    s = seed.sentinels[1]
    target = seed.replicas[0]
    assert raw_command(s, "SENTINEL", "MONITOR", "other", "127.0.0.1", str(target.port), "3") == b"OK"
    assert s.has_event("+monitor", f"master other 127.0.0.1 {target.port} quorum 3")
    assert f"sentinel monitor other 127.0.0.1 {target.port} 3" in s.conf()
    assert raw_command(s, "SENTINEL", "SET", "other", "down-after-milliseconds", "4321", "quorum", "4") == b"OK"
    master = raw_command(s, "SENTINEL", "MASTER", "other")
    assert (master[b"down-after-milliseconds"], master[b"quorum"]) == (b"4321", b"4")
    assert "sentinel down-after-milliseconds other 4321" in s.conf()
    assert raw_command(s, "ROLE") == [b"sentinel", [MASTER_NAME.encode(), b"other"]]
    assert raw_command(s, "SENTINEL", "REMOVE", "other") == b"OK"
    assert s.has_event("-monitor", f"master other 127.0.0.1 {target.port}")
    assert " other " not in s.conf()
    assert [m[b"name"] for m in raw_command(s, "SENTINEL", "MASTERS")] == [MASTER_NAME.encode()]


def test_reset_forgets_and_rediscovers_replicas_and_sentinels(seed):
    s = seed.sentinels[2]
    assert raw_command(s, "SENTINEL", "RESET", "my*") == 1
    assert s.has_event("+reset-master", f"master {MASTER_NAME} 127.0.0.1 {seed.master.port}")
    assert raw_command(s, "SENTINEL", "RESET", "nomatch*") == 0
    want = f"name={MASTER_NAME},status=ok,address=127.0.0.1:{seed.master.port},slaves=2,sentinels=3"
    wait_for(lambda: sentinel_info_line(s) == want, 15, interval=0.1, message="rediscovery after RESET")


def test_forced_failover_promotes_a_replica(seed):
    """Last on ``seed``: SENTINEL FAILOVER moves the master although it is healthy."""
    s = seed.sentinels[0]
    old = seed.master.addr
    assert raw_command(s, "SENTINEL", "FAILOVER", MASTER_NAME) == b"OK"
    with pytest.raises(redis.ResponseError, match="^INPROG Failover already in progress$"):
        raw_command(s, "SENTINEL", "FAILOVER", MASTER_NAME)
    new = wait_failover(seed, old, 30)
    assert new in seed.replicas
    switch = f"{MASTER_NAME} {old[0]} {old[1]} {new.host} {new.port}"
    wait_for(lambda: s.has_event("+switch-master", switch), 20, message="+switch-master on the forcing sentinel")
    assert not s.has_event("+odown")
    wait_for(lambda: role(new) == "master", 10)
    assert new.client().set("after-forced", "1")


# ----- SIGKILL of the master and everything that follows


def test_failover_event_sequence_in_the_leader_log(failed_over):
    leader = failed_over.leader
    names = [name for _, name, _ in leader.events()]
    assert is_subsequence(FAILOVER_EVENTS, names), names


def test_every_failover_event_appears_across_the_logs(failed_over):
    seen = {name for s in failed_over.topo.sentinels for _, name, _ in s.events()}
    assert set(FAILOVER_EVENTS) <= seen


def test_failover_lines_have_redis_format(failed_over):
    old_ip, old_port = failed_over.old_addr
    new, other = failed_over.new, failed_over.other
    at_old = f"@ {MASTER_NAME} {old_ip} {old_port}"
    leader = failed_over.leader.events()
    assert ("#", "+sdown", f"master {MASTER_NAME} {old_ip} {old_port}") in leader
    assert any(level == "#" and name == "+odown" and re.fullmatch(
        rf"master {MASTER_NAME} {old_ip} {old_port} #quorum [23]/2", text) for level, name, text in leader)
    assert ("#", "+selected-slave", f"slave {new.host}:{new.port} {new.host} {new.port} {at_old}") in leader
    assert ("*", "+failover-state-send-slaveof-noone",
            f"slave {new.host}:{new.port} {new.host} {new.port} {at_old}") in leader
    assert ("*", "+slave-reconf-sent", f"slave {other.host}:{other.port} {other.host} {other.port} {at_old}") in leader
    assert ("#", "+failover-end", f"master {MASTER_NAME} {old_ip} {old_port}") in leader
    switch = f"{MASTER_NAME} {old_ip} {old_port} {new.host} {new.port}"
    for s in failed_over.topo.sentinels:
        assert ("#", "+switch-master", switch) in s.events()
        at_new = f"@ {MASTER_NAME} {new.host} {new.port}"
        assert ("*", "+slave", f"slave {old_ip}:{old_port} {old_ip} {old_port} {at_new}") in s.events()


def test_switch_master_is_published(failed_over):
    new = failed_over.new
    want = f"{MASTER_NAME} {failed_over.old_addr[0]} {failed_over.old_addr[1]} {new.host} {new.port}".encode()

    def published():
        msg = failed_over.subscriber.get_message(timeout=0.5)
        return msg is not None and msg["type"] == "message" and msg["channel"] == b"+switch-master" \
            and msg["data"] == want
    wait_for(published, 10, message="+switch-master on pub/sub")


def test_new_master_takes_writes(failed_over):
    new = failed_over.new
    wait_for(lambda: role(new) == "master", 10)
    assert new.client().set("k1", "v1")
    assert new.client().get("k1") == b"v1"


def test_other_replica_follows_the_new_master(failed_over):
    new, other = failed_over.new, failed_over.other
    wait_for(lambda: other.client().info("replication")["master_port"] == new.port and link_up(other), 20,
             message="other replica on the new master")
    new.client().set("follow", "yes")
    wait_for(lambda: other.client().get("follow") == b"yes", 10)


def test_redis_py_sentinel_client_follows_the_failover(failed_over):
    new = failed_over.new
    assert failed_over.py_sentinel.discover_master(MASTER_NAME) == new.addr
    wait_for(lambda: failed_over.py_master.set("via-sentinel", "1"), 15, message="write through master_for")
    assert new.client().get("via-sentinel") == b"1"
    replica = failed_over.py_sentinel.slave_for(MASTER_NAME, socket_timeout=2)
    wait_for(lambda: replica.get("via-sentinel") == b"1", 15, message="read through slave_for")


def test_config_files_rewritten_with_the_new_state(failed_over):
    topo, new, other = failed_over.topo, failed_over.new, failed_over.other
    ids = {s: raw_command(s, "SENTINEL", "MYID").decode() for s in topo.sentinels}
    for s in topo.sentinels:
        wait_for(lambda s=s: f"sentinel monitor {MASTER_NAME} {new.host} {new.port} 2\n" in s.conf(), 10)
        conf = s.conf()
        assert f"sentinel myid {ids[s]}\n" in conf
        assert f"sentinel known-replica {MASTER_NAME} {other.host} {other.port}\n" in conf
        assert f"sentinel known-replica {MASTER_NAME} {failed_over.old_addr[0]} {failed_over.old_addr[1]}\n" in conf
        for peer in topo.sentinels:
            if peer is not s:
                assert f"sentinel known-sentinel {MASTER_NAME} {peer.host} {peer.port} {ids[peer]}\n" in conf
        epoch = int(re.search(r"^sentinel current-epoch (\d+)$", conf, re.M).group(1))
        config_epoch = int(re.search(rf"^sentinel config-epoch {MASTER_NAME} (\d+)$", conf, re.M).group(1))
        assert 1 <= config_epoch <= epoch


def test_restarted_sentinel_resumes_with_same_id_and_new_master(failed_over):
    topo, new = failed_over.topo, failed_over.new
    s = topo.sentinels[2]
    myid = raw_command(s, "SENTINEL", "MYID")
    s.stop()
    s.start()
    assert raw_command(s, "SENTINEL", "MYID") == myid
    assert s.master_addr() == new.addr
    want = f"name={MASTER_NAME},status=ok,address={new.host}:{new.port},slaves=2,sentinels=3"
    wait_for(lambda: sentinel_info_line(s) == want, 15, interval=0.1, message=want)


def test_old_master_returns_as_a_replica(failed_over):
    """Last: the SIGKILLed master restarts empty as a master; a sentinel converts it."""
    old, new = failed_over.old, failed_over.new
    old.start()
    old_ip, old_port = failed_over.old_addr
    line = f"slave {old_ip}:{old_port} {old_ip} {old_port} @ {MASTER_NAME} {new.host} {new.port}"
    wait_for(lambda: any(s.has_event("+convert-to-slave", line) for s in failed_over.topo.sentinels), 30,
             interval=0.2, message="+convert-to-slave")
    wait_for(lambda: role(old) == "slave" and link_up(old), 20, message="old master replicating")
    assert old.client().info("replication")["master_port"] == new.port
    new.client().set("back", "again")
    wait_for(lambda: old.client().get("back") == b"again", 10)
    assert old.client().get("k1") == b"v1"
