"""Sentinel with host names (``resolve-hostnames`` / ``announce-hostnames``), the machine and
sentinel.conf without a network: names resolve through an injected table, as the runner's
getaddrinfo resolver would answer. Rules from Redis 7.0's sentinel.c: a name is accepted only with
resolve-hostnames yes (else only IPs, ANET_IP_ONLY); an instance keeps the name it was given and
is compared by the IP it resolves to (sentinelAddrEqualsHostname); with announce-hostnames yes the
name is what events, hellos, SLAVEOF and the rewritten config say.
"""

import os
import random
import stat

import pytest

from pyredis.sentinel import config as sconfig
from pyredis.sentinel.machine import Send, Sentinel

from .test_sentinel_machine import ME, PEER_B, T0, connected, event, hello, master_info, names, replica_info

NAMES = {"db-master": "10.0.0.1", "db-replica": "10.0.0.2", "elsewhere": "10.0.0.9"}


def named_sentinel(announce: bool = True) -> tuple[Sentinel, object]:
    s = Sentinel(ME, 26379, rng=random.Random(1), resolver=NAMES.get)
    s.resolve_hostnames = True
    s.announce_hostnames = announce
    s.monitor("mymaster", "db-master", 6379, 2, T0)
    master = s.masters["mymaster"]
    master.failover_timeout = 60000
    s.tick(T0)
    return s, master


def test_names_are_refused_without_resolve_hostnames():
    s = Sentinel(ME, 26379, resolver=NAMES.get)
    assert not s.accepts("db-master") and s.accepts("10.0.0.1")
    s.resolve_hostnames = True
    assert s.accepts("db-master") and s.accepts("not-in-dns")   # kept, resolved again later


def test_monitored_master_keeps_its_name_and_resolved_ip():
    s, master = named_sentinel()
    assert (master.hostname, master.ip, master.port) == ("db-master", "10.0.0.1", 6379)


def test_announce_hostnames_puts_the_name_in_events_and_hello():
    s, master = named_sentinel()
    actions = s.monitor("other", "db-replica", 7000, 1, T0)
    assert event(actions, "+monitor").text == "master other db-replica 7000 quorum 1"
    assert s.hello_payload(master).split(",")[4:7] == ["mymaster", "db-master", "6379"]
    assert s.announced_master_address(master) == ("db-master", 6379)


def test_without_announce_hostnames_the_ip_is_announced():
    s, master = named_sentinel(announce=False)
    assert s.at(master) == "master mymaster 10.0.0.1 6379"
    assert s.announced_master_address(master) == ("10.0.0.1", 6379)


def test_replica_reported_by_name_is_named_by_it():
    s, master = named_sentinel()
    connected(s, master, T0)
    actions = s.reply(master, "info", master_info(replicas=(("db-replica", 6380),)), T0)
    assert event(actions, "+slave").text == "slave db-replica:6380 db-replica 6380 @ mymaster db-master 6379"
    assert master.replicas["db-replica:6380"].ip == "10.0.0.2"
    assert "+slave" not in names(s.reply(master, "info", master_info(replicas=(("db-replica", 6380),)), T0 + 1))


def test_replica_named_by_a_name_is_ignored_without_resolve_hostnames():
    s = Sentinel(ME, 26379, resolver=NAMES.get)
    s.monitor("mymaster", "10.0.0.1", 6379, 2, T0)
    master = s.masters["mymaster"]
    connected(s, master, T0)
    s.reply(master, "info", master_info(replicas=(("db-replica", 6380),)), T0)
    assert master.replicas == {}


def replica_following(s: Sentinel, master, host: str) -> list:
    """A replica reporting ``master_host:<host>``, seen again after failover-timeout."""
    connected(s, master, T0)
    s.reply(master, "info", master_info(replicas=(("10.0.0.2", 6380),)), T0)
    replica = master.replicas["10.0.0.2:6380"]
    connected(s, replica, T0)
    s.reply(replica, "info", replica_info(host=host, port=6379), T0)
    later = T0 + master.failover_timeout + 1000
    s.reply(master, "info", master_info(replicas=(("10.0.0.2", 6380),)), later)
    return s.reply(replica, "info", replica_info(host=host, port=6379), later)


def test_replica_following_the_master_by_name_is_well_configured():
    s, master = named_sentinel()
    assert "+fix-slave-config" not in names(replica_following(s, master, "db-master"))
    s2, master2 = named_sentinel()
    assert "+fix-slave-config" not in names(replica_following(s2, master2, "10.0.0.1"))


def test_replica_following_another_host_is_repointed_by_name():
    s, master = named_sentinel()
    actions = replica_following(s, master, "elsewhere")
    assert "+fix-slave-config" in names(actions)
    slaveof = [a.argv for a in actions if isinstance(a, Send) and a.tag == "slaveof"]
    assert slaveof == [[b"SLAVEOF", b"db-master", b"6379"]]


def test_vote_request_finds_the_master_by_name_or_ip():
    s, master = named_sentinel()
    master.flags.add("s_down")
    assert s.vote_request("db-master", 6379, 0, "*", T0)[0][0] == 1
    assert s.vote_request("10.0.0.1", 6379, 0, "*", T0)[0][0] == 1
    assert s.vote_request("db-replica", 6379, 0, "*", T0)[0][0] == 0


def test_hello_naming_the_same_master_differently_does_not_switch():
    s, master = named_sentinel()
    actions = s.hello(hello(mip="10.0.0.1", mport=6379, mepoch=1, ip="10.0.0.5"), T0)
    assert "+switch-master" not in names(actions) and master.config_epoch == 1


def test_hello_switch_to_a_named_master():
    s, master = named_sentinel()
    actions = s.hello(hello(mip="db-replica", mport=6380, mepoch=1, ip="10.0.0.5"), T0)
    assert event(actions, "+switch-master").text == "mymaster db-master 6379 db-replica 6380"
    assert (master.hostname, master.ip, master.port) == ("db-replica", "10.0.0.2", 6380)
    assert set(master.replicas) == {"db-master:6379"}
    assert PEER_B in master.sentinels


def test_switch_to_a_name_that_does_not_resolve_keeps_the_master():
    s, master = named_sentinel()
    s.hello(hello(mip="gone", mport=6380, mepoch=1, ip="10.0.0.5"), T0)
    assert (master.hostname, master.port) == ("db-master", 6379)


# ---------------------------------------------------------------- sentinel.conf


def test_resolve_hostnames_applies_to_monitor_lines_above_it():
    s = Sentinel(ME, 26379, resolver=NAMES.get)
    options = sconfig.apply_lines(s, [["monitor", "mymaster", "db-master", "6379", "2"],
                                      ["known-replica", "mymaster", "db-replica", "6380"],
                                      ["resolve-hostnames", "yes"], ["announce-hostnames", "YES"]], T0)
    master = s.masters["mymaster"]
    assert (master.hostname, master.ip) == ("db-master", "10.0.0.1")
    assert s.announce_hostnames and options["announce-hostnames"] == "yes"
    assert list(master.replicas) == ["db-replica:6380"]


def test_monitor_by_name_without_resolve_hostnames_is_a_config_error():
    s = Sentinel(ME, 26379, resolver=NAMES.get)
    with pytest.raises(sconfig.SentinelConfigError, match="^Can't resolve instance hostname.$"):
        sconfig.apply_lines(s, [["monitor", "mymaster", "db-master", "6379", "2"]], T0)


@pytest.mark.parametrize("option,text", [
    ("resolve-hostnames", "Please specify yes or no for the resolve-hostnames option."),
    ("announce-hostnames", "Please specify yes or no for the announce-hostnames option."),
    ("deny-scripts-reconfig", "Please specify yes or no for the deny-scripts-reconfig options."),
])
def test_yes_no_options_refuse_other_values(option, text):
    with pytest.raises(sconfig.SentinelConfigError) as err:
        sconfig.apply_lines(Sentinel(ME, 26379), [[option, "maybe"]], T0)
    assert str(err.value) == text


def test_rewrite_keeps_names_and_puts_resolve_hostnames_first():
    s = Sentinel(ME, 26379, resolver=NAMES.get)
    options = sconfig.apply_lines(s, [["resolve-hostnames", "yes"], ["announce-hostnames", "yes"],
                                      ["monitor", "mymaster", "db-master", "6379", "2"],
                                      ["known-replica", "mymaster", "db-replica", "6380"]], T0)
    lines = sconfig.render(s, options)
    assert lines.index("sentinel resolve-hostnames yes") < lines.index("sentinel monitor mymaster db-master 6379 2")
    assert "sentinel known-replica mymaster db-replica 6380" in lines
    assert "sentinel announce-hostnames yes" in lines


@pytest.mark.parametrize("option,text", [
    ("notification-script", "Notification script seems non existing or non executable."),
    ("client-reconfig-script", "Client reconfiguration script seems non existing or non executable."),
])
def test_script_paths_must_be_executable(tmp_path, option, text):
    path = tmp_path / "script.sh"
    path.write_text("#!/bin/sh\n")
    lines = [["monitor", "mymaster", "127.0.0.1", "6379", "2"], [option, "mymaster", str(path)]]
    with pytest.raises(sconfig.SentinelConfigError) as err:
        sconfig.apply_lines(Sentinel(ME, 26379), lines, T0)
    assert str(err.value) == text
    os.chmod(path, stat.S_IRWXU)
    s = Sentinel(ME, 26379)
    sconfig.apply_lines(s, lines, T0)
    assert getattr(s.masters["mymaster"], option.replace("-", "_")) == str(path)
