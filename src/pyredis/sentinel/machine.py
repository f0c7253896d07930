"""Sentinel's monitoring and failover logic as a sans-IO state machine.

Inputs: ``tick(now)`` (10 times a second), link changes, replies to the commands it asked to
send, hello messages and vote requests from peers. Outputs: a list of actions — send a command
on an instance's link, publish/log an event, persist the config, reconnect a link. Nothing here
reads a clock, a socket or a file; ``now`` is monotonic milliseconds and randomness comes from
an injected ``random.Random``, so ``tests/sim`` runs many sentinels over a simulated network.

It follows Redis 7.0's sentinel.c rule by rule: PING every second, INFO every 10 s (1 s while a
failover or ODOWN concerns the master), hello every 2 s; SDOWN after down-after-milliseconds
without a valid PING reply; ODOWN when the quorum agrees (SENTINEL is-master-down-by-addr);
one vote per epoch; the leader needs a majority of the known sentinels and at least the quorum;
then the failover states select-slave → send-slaveof-noone → wait-promotion → reconf-slaves →
update-config (``+switch-master``). Persistence comes before the reply that depends on it: the
driver carries out actions in order, and ``Persist`` is emitted before a vote leaves.

Scripts: an ``Event`` carries the instance it is about, so the driver can run the master's
notification-script for warning-level events as Redis's ``sentinelEvent`` does; the
client-reconfig-script is asked for with ``RunScript`` when this sentinel, as leader, sees the
promotion succeed or, as observer, learns of a new master from a hello. The queue, limits and
retries live in ``scripts.py``; running processes is the driver's business.

Hostnames: the driver injects ``resolver`` (name -> IP, "" when it does not resolve), used only
with ``resolve-hostnames yes``; otherwise only IP addresses are accepted, like Redis's
``anetResolve(..., ANET_IP_ONLY)``. Instances keep the name they were given (see model.py).
"""

import ipaddress
import random
from collections.abc import Callable
from dataclasses import dataclass

from .model import (
    FAILOVER_NONE,
    RECONF_SLAVES,
    SELECT_SLAVE,
    SEND_SLAVEOF_NOONE,
    UPDATE_CONFIG,
    WAIT_PROMOTION,
    WAIT_START,
    Instance,
    addr_key,
)

PING_PERIOD = 1000
INFO_PERIOD = 10000
PUBLISH_PERIOD = 2000
ASK_PERIOD = 1000
DEFAULT_DOWN_AFTER = 30000
DEFAULT_FAILOVER_TIMEOUT = 180000
TILT_TRIGGER = 2000
TILT_PERIOD = PING_PERIOD * 30
SLAVE_RECONF_TIMEOUT = 10000
ELECTION_TIMEOUT = 10000
MAX_DESYNC = 1000
MIN_LINK_RECONNECT_PERIOD = 15000
HELLO_CHANNEL = b"__sentinel__:hello"

WARNING, NOTICE, VERBOSE = "#", "*", "-"


@dataclass
class Send:
    inst: Instance
    argv: list[bytes]
    tag: str


@dataclass
class Event:
    level: str        # "#" warning, "*" notice, "-" verbose, "." debug (logged, not published)
    name: str
    text: str
    inst: Instance | None = None     # what the event is about: its master's notification-script runs


@dataclass
class RunScript:
    path: str
    args: list[str]


@dataclass
class Log:
    level: str
    text: str


@dataclass
class Persist:
    pass


@dataclass
class Reconnect:
    inst: Instance


@dataclass
class Forget:
    inst: Instance


class ReplyError(str):
    """An error reply ('-ERR ...') as the driver hands it to ``reply``."""


def parse_info(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        fields[k] = v
    return fields


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# SENTINEL DEBUG's names for the timing knobs, in the order it lists them, and their defaults
TIMING_DEFAULTS = {"info-period": INFO_PERIOD, "ping-period": PING_PERIOD, "ask-period": ASK_PERIOD,
                   "publish-period": PUBLISH_PERIOD, "default-down-after": DEFAULT_DOWN_AFTER,
                   "default-failover-timeout": DEFAULT_FAILOVER_TIMEOUT, "tilt-trigger": TILT_TRIGGER,
                   "tilt-period": TILT_PERIOD, "slave-reconf-timeout": SLAVE_RECONF_TIMEOUT,
                   "min-link-reconnect-period": MIN_LINK_RECONNECT_PERIOD, "election-timeout": ELECTION_TIMEOUT}


class Sentinel:
    def __init__(self, myid: str, port: int, announce_ip: str = "", announce_port: int = 0,
                 rng: random.Random | None = None, resolver: Callable[[str], str] | None = None) -> None:
        self.myid = myid
        self.resolver = resolver
        self.resolve_hostnames = False
        self.announce_hostnames = False
        # the timing knobs SENTINEL DEBUG changes (Redis's sentinel_info_period & co.)
        self.info_period = INFO_PERIOD
        self.ping_period = PING_PERIOD
        self.ask_period = ASK_PERIOD
        self.publish_period = PUBLISH_PERIOD
        self.default_down_after = DEFAULT_DOWN_AFTER
        self.default_failover_timeout = DEFAULT_FAILOVER_TIMEOUT
        self.tilt_trigger = TILT_TRIGGER
        self.tilt_period = TILT_PERIOD
        self.slave_reconf_timeout = SLAVE_RECONF_TIMEOUT
        self.min_link_reconnect_period = MIN_LINK_RECONNECT_PERIOD
        self.election_timeout = ELECTION_TIMEOUT
        self.port = port
        self.announce_ip = announce_ip
        self.announce_port = announce_port
        self.rng = rng or random.Random()
        self.current_epoch = 0
        self.masters: dict[str, Instance] = {}
        self.tilt = False
        self.tilt_start_time = 0
        self.previous_time = 0
        self.local_ip = "127.0.0.1"      # the driver updates it from its links (hello's address)
        self.simulate_failure_flags = 0

    # ----- addresses (sentinelAddr: createSentinelAddr, sentinelAddrEqualsHostname, ...)
    def resolve(self, host: str) -> str:
        """The IP ``host`` stands for: itself when it is one; with resolve-hostnames yes what the
        resolver says; "" when it does not resolve (or is a name and names are not accepted)."""
        if is_ip(host):
            return host
        if self.resolve_hostnames and self.resolver is not None:
            return self.resolver(host) or ""
        return ""

    def accepts(self, host: str) -> bool:
        """Can an instance be made for ``host``? A name that does not resolve is kept (to be
        resolved again on reconnection) only with resolve-hostnames yes."""
        return bool(self.resolve(host)) or self.resolve_hostnames

    def announce(self, inst: Instance) -> str:
        return inst.announced(self.announce_hostnames)

    def addr_equals_host(self, inst: Instance, host: str) -> bool:
        """Does ``host`` (an IP or a name, as INFO or a hello gives it) resolve to inst's IP?"""
        ip = self.resolve(host)
        return bool(ip) and ip.lower() == inst.ip.lower()

    def addr_matches(self, inst: Instance, host: str, port: int) -> bool:
        """Same port and the same IP, or the same name (sentinelAddrOrHostnameEqual)."""
        return inst.port == port and (self.resolve(host) == inst.ip or inst.hostname.lower() == host.lower())

    def replica_key(self, host: str, port: int) -> str:
        ip = self.resolve(host)
        return addr_key(host if self.announce_hostnames else ip, port)

    # ----- configuration
    def monitor(self, name: str, host: str, port: int, quorum: int, now: int, quiet: bool = False) -> list:
        """Watch a new master; the caller checked ``accepts(host)``."""
        master = Instance("master", name, self.resolve(host), port, quorum=quorum, hostname=host,
                          down_after_period=self.default_down_after,
                          failover_timeout=self.default_failover_timeout)
        master.flags.add("master")
        master.role_reported_time = now
        master.last_avail_time = now
        master.last_pong_time = now
        self.masters[name] = master
        if quiet:
            return []
        return [Event(WARNING, "+monitor", f"{self.at(master)} quorum {quorum}", master)]

    def remove(self, name: str) -> list:
        master = self.masters.pop(name)
        actions: list = [Event(WARNING, "-monitor", self.at(master), master)]
        for inst in self.instances_of(master):
            actions.append(Forget(inst))
        return actions

    def add_replica(self, master: Instance, host: str, port: int, now: int) -> Instance | None:
        """A replica named ``host:port`` (the announced form); None if ``host`` is not accepted."""
        if not self.accepts(host):
            return None
        replica = Instance("slave", self.replica_key(host, port), self.resolve(host), port, master=master,
                           hostname=host, down_after_period=master.down_after_period)
        replica.flags.add("slave")
        replica.last_avail_time = now
        replica.last_pong_time = now
        replica.role_reported = "slave"
        replica.role_reported_time = now
        replica.slave_conf_change_time = now
        master.replicas[replica.name] = replica
        return replica

    def add_sentinel(self, master: Instance, host: str, port: int, runid: str, now: int) -> Instance | None:
        if not self.accepts(host):
            return None
        # a peer sentinel is named by its run id (sentinelProcessHelloMessage)
        peer = Instance("sentinel", runid or addr_key(host, port), self.resolve(host), port, master=master,
                        runid=runid, hostname=host, down_after_period=master.down_after_period)
        peer.flags.add("sentinel")
        peer.last_avail_time = now
        peer.last_pong_time = now
        master.sentinels[runid or peer.addr] = peer
        return peer

    def instances_of(self, master: Instance) -> list[Instance]:
        return [master, *master.replicas.values(), *master.sentinels.values()]

    def all_instances(self) -> list[Instance]:
        out: list[Instance] = []
        for m in self.masters.values():
            out += self.instances_of(m)
        return out

    # ----- links
    def link_up(self, inst: Instance, now: int, pubsub: bool = False) -> list:
        if pubsub:
            inst.pubsub_connected = True
            return []
        inst.link_connected = True
        inst.link_since = now
        inst.flags.discard("disconnected")
        # a PING goes out at once (sentinelSendPing); a PING still unanswered from the previous
        # link keeps its time, so an instance that accepts connections but never answers still
        # reaches SDOWN even though the link is reconnected every 15 s
        inst.last_ping_time = now
        if not inst.act_ping_time:
            inst.act_ping_time = now
        inst.pending_commands += 1
        return [Send(inst, [b"PING"], "ping")]

    def link_down(self, inst: Instance, now: int, pubsub: bool = False) -> list:
        if pubsub:
            inst.pubsub_connected = False
            return []
        inst.link_connected = False
        inst.pending_commands = 0
        inst.info_pending = False
        inst.flags.add("disconnected")
        # Redis reconnects at once and PINGs on the new link: down-time counts from that PING,
        # not from the last reply before the link broke
        if not inst.act_ping_time:
            inst.act_ping_time = now
        return []

    # ----- the periodic work (sentinelTimer / sentinelHandleRedisInstance)
    def tick(self, now: int) -> list:
        actions: list = []
        self._check_tilt(now, actions)
        for master in list(self.masters.values()):
            for inst in self.instances_of(master):
                self._periodic_commands(inst, now, actions)
                if not self.tilt:
                    self._check_sdown(inst, now, actions)
            if self.tilt:
                continue
            self._check_odown(master, now, actions)
            if self._start_failover_if_needed(master, now, actions):
                self._ask_peers(master, now, actions, force=True)
            self._failover_state_machine(master, now, actions)
            self._ask_peers(master, now, actions)
            if master.failover_state == UPDATE_CONFIG:
                self._switch_to_promoted(master, now, actions)
        return actions

    def _check_tilt(self, now: int, actions: list) -> None:
        delta = now - self.previous_time
        if self.previous_time and (delta < 0 or delta > self.tilt_trigger):
            if not self.tilt:
                self.tilt = True
                actions.append(Event(WARNING, "+tilt", "#tilt mode entered"))
            self.tilt_start_time = now
        elif self.tilt and now - self.tilt_start_time > self.tilt_period:
            self.tilt = False
            actions.append(Event(WARNING, "-tilt", "#tilt mode exited"))
        self.previous_time = now

    def _periodic_commands(self, inst: Instance, now: int, actions: list) -> None:
        if not inst.link_connected:
            return
        # don't pile up commands on a link that is not answering
        if inst.pending_commands >= 100:
            return
        master = inst.master
        info_period = self.info_period
        if inst.kind == "slave" and master is not None and (
                master.flags & {"o_down", "failover_in_progress"} or inst.master_link_down_time):
            info_period = 1000
        ping_period = min(inst.down_after_period, self.ping_period)
        if (inst.kind != "sentinel" and not inst.info_pending
                and (not inst.info_refresh or now - inst.info_refresh > info_period)):
            self._send(inst, [b"INFO"], "info", actions)
            inst.info_pending = True
        if now - inst.last_pong_time > ping_period and now - inst.last_ping_time > ping_period // 2:
            self._send(inst, [b"PING"], "ping", actions)
            inst.last_ping_time = now
            if not inst.act_ping_time:
                inst.act_ping_time = now
        if now - inst.last_pub_time > self.publish_period:
            self._send_hello(inst, now, actions)
        # a link that answers nothing for half the down-after period is reconnected
        if (inst.act_ping_time and now - inst.link_since > self.min_link_reconnect_period
                and now - inst.act_ping_time > inst.down_after_period // 2
                and now - inst.last_pong_time > inst.down_after_period // 2):
            actions.append(Reconnect(inst))

    def _send(self, inst: Instance, argv: list[bytes], tag: str, actions: list) -> None:
        inst.pending_commands += 1
        actions.append(Send(inst, argv, tag))

    @staticmethod
    def current_master(master: Instance) -> Instance:
        """Once the promoted replica accepted its role (reconf-slaves and later), it is the master
        we announce, together with the new config epoch (sentinelGetCurrentMasterAddress)."""
        promoted = master.promoted_slave
        if promoted is not None and master.failover_state in (RECONF_SLAVES, UPDATE_CONFIG):
            return promoted
        return master

    @staticmethod
    def current_master_address(master: Instance) -> tuple[str, int]:
        current = Sentinel.current_master(master)
        return current.ip, current.port

    def announced_master_address(self, master: Instance) -> tuple[str, int]:
        """What GET-MASTER-ADDR-BY-NAME and hello messages say: a name with announce-hostnames."""
        current = self.current_master(master)
        return self.announce(current), current.port

    def hello_payload(self, master: Instance) -> str:
        ip = self.announce_ip or self.local_ip
        port = self.announce_port or self.port
        mip, mport = self.announced_master_address(master)
        return (f"{ip},{port},{self.myid},{self.current_epoch},{master.name},{mip},{mport},"
                f"{master.config_epoch}")

    def _force_hello(self, master: Instance) -> None:
        """Announce a new configuration at the next tick (sentinelForceHelloUpdateForMaster)."""
        for inst in self.instances_of(master):
            if inst.last_pub_time >= self.publish_period + 1:
                inst.last_pub_time -= self.publish_period + 1

    def _send_hello(self, inst: Instance, now: int, actions: list) -> None:
        master = inst if inst.kind == "master" else inst.master
        assert master is not None
        inst.last_pub_time = now
        payload = self.hello_payload(master).encode()
        self._send(inst, [b"PUBLISH", HELLO_CHANNEL, payload], "hello", actions)

    # ----- replies
    def reply(self, inst: Instance, tag: str, reply: object, now: int) -> list:
        actions: list = []
        inst.pending_commands = max(0, inst.pending_commands - 1)
        if tag == "ping":
            inst.last_pong_time = now
            text = reply.decode() if isinstance(reply, bytes) else str(reply)
            valid = text == "PONG" or (isinstance(reply, ReplyError) and text.startswith(("LOADING", "MASTERDOWN")))
            if valid:
                inst.last_avail_time = now
                inst.act_ping_time = 0
        elif tag == "info":
            inst.info_pending = False
            if isinstance(reply, bytes):
                self._refresh_info(inst, reply.decode(errors="replace"), now, actions)
        elif tag == "is-master-down":
            self._is_master_down_reply(inst, reply, now, actions)
        elif tag in ("slaveof", "hello", "exec"):
            pass
        return actions

    def _refresh_info(self, inst: Instance, text: str, now: int, actions: list) -> None:
        fields = parse_info(text)
        inst.info_refresh = now
        inst.info_text = text
        inst.info_time = now
        master = inst if inst.kind == "master" else inst.master
        assert master is not None
        runid = fields.get("run_id", "")
        if runid and runid != inst.runid:
            if inst.runid:
                actions.append(Event(NOTICE, "+reboot", self.at(inst), inst))
            inst.runid = runid
        if inst.kind == "master" and fields.get("role") == "master":
            for key, value in fields.items():
                if not key.startswith("slave") or not key[5:].isdigit():
                    continue
                parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
                ip = parts.get("ip", "")
                try:
                    port = int(parts.get("port", "0"))
                except ValueError:
                    continue
                # the lookup needs the address to resolve (sentinelRedisInstanceLookupSlave)
                if not ip or not port or not self.resolve(ip) or self.replica_key(ip, port) in master.replicas:
                    continue
                replica = self.add_replica(master, ip, port, now)
                if replica is not None:
                    actions.append(Event(NOTICE, "+slave", self.at(replica), replica))
                    actions.append(Persist())
        if "master_link_down_since_seconds" in fields:
            try:
                inst.master_link_down_time = int(fields["master_link_down_since_seconds"]) * 1000
            except ValueError:
                pass
        else:
            inst.master_link_down_time = 0
        role = fields.get("role")
        if role == "slave":
            host = fields.get("master_host", "")
            try:
                port = int(fields.get("master_port", "0"))
            except ValueError:
                port = 0
            if host != inst.slave_master_host or port != inst.slave_master_port:
                inst.slave_conf_change_time = now
            inst.slave_master_host, inst.slave_master_port = host, port
            inst.slave_master_link_status = fields.get("master_link_status", "down")
            inst.slave_priority = int(fields.get("slave_priority", "100") or 100)
            inst.slave_repl_offset = int(fields.get("slave_repl_offset", "0") or 0)
            inst.replica_announced = int(fields.get("replica_announced", "1") or 1)
        if role in ("master", "slave") and role != inst.role_reported:
            inst.role_reported = role
            inst.role_reported_time = now
            inst.slave_conf_change_time = now
            suffix = "new reported role is " + role
            kind = "+role-change" if role == inst.kind else "-role-change"
            actions.append(Event(VERBOSE, kind, f"{self.at(inst)} {suffix}", inst))
        if self.tilt:
            return
        # a replica we are promoting reports itself as master: the promotion worked
        if inst.kind == "slave" and role == "master":
            if "promoted" in inst.flags and master.failover_state == WAIT_PROMOTION and \
                    master.promoted_slave is inst:
                master.config_epoch = master.failover_epoch
                master.failover_state = RECONF_SLAVES
                master.failover_state_change_time = now
                actions.append(Persist())
                actions.append(Event(WARNING, "+promoted-slave", self.at(inst), inst))
                actions.append(Event(WARNING, "+failover-state-reconf-slaves", self.at(master), master))
                self._client_reconfig(master, "leader", "start", master, inst, actions)
                for r in master.replicas.values():   # refresh the others quickly
                    r.info_refresh = 0
                self._force_hello(master)
            elif "promoted" not in inst.flags:
                # an instance that should be our replica says it is a master (the old master back)
                wait = self.publish_period * 4
                if (self._master_looks_sane(master, now) and self._no_down_for(inst, wait, now)
                        and now - inst.role_reported_time > wait):
                    self._send_slaveof(inst, master, actions)
                    actions.append(Event(NOTICE, "+convert-to-slave", self.at(inst), inst))
        # a replica following the wrong master is fixed after failover-timeout
        if (inst.kind == "slave" and role == "slave"
                and (inst.slave_master_port != master.port
                     or not self.addr_equals_host(master, inst.slave_master_host))
                and master.failover_state == FAILOVER_NONE):
            wait = master.failover_timeout
            if (self._master_looks_sane(master, now) and self._no_down_for(inst, wait, now)
                    and now - inst.slave_conf_change_time > wait):
                self._send_slaveof(inst, master, actions)
                actions.append(Event(NOTICE, "+fix-slave-config", self.at(inst), inst))
        # replicas being reconfigured during a failover
        if inst.kind == "slave" and role == "slave" and inst.flags & {"reconf_sent", "reconf_inprog"}:
            promoted = master.promoted_slave
            if promoted is not None:
                if ("reconf_sent" in inst.flags and self.addr_equals_host(promoted, inst.slave_master_host)
                        and inst.slave_master_port == promoted.port):
                    inst.flags.discard("reconf_sent")
                    inst.flags.add("reconf_inprog")
                    actions.append(Event(NOTICE, "+slave-reconf-inprog", self.at(inst), inst))
                if "reconf_inprog" in inst.flags and inst.slave_master_link_status == "up":
                    inst.flags.discard("reconf_inprog")
                    inst.flags.add("reconf_done")
                    actions.append(Event(NOTICE, "+slave-reconf-done", self.at(inst), inst))

    def _master_looks_sane(self, master: Instance, now: int) -> bool:
        return ("master" in master.flags and master.role_reported == "master"
                and not master.flags & {"s_down", "o_down"}
                and master.info_refresh > 0 and now - master.info_refresh < self.info_period * 2)

    def _no_down_for(self, inst: Instance, ms: int, now: int) -> bool:
        most_recent = max(inst.s_down_since_time, inst.o_down_since_time)
        return most_recent == 0 or now - most_recent > ms

    def at(self, inst: Instance) -> str:
        """Redis's ``%@`` for an event about ``inst``."""
        return inst.describe(self.announce_hostnames)

    def _client_reconfig(self, master: Instance, role: str, state: str, old: Instance, new: Instance,
                         actions: list) -> None:
        """``<master-name> <leader|observer> <state> <from-ip> <from-port> <to-ip> <to-port>``
        (sentinelCallClientReconfScript)."""
        if master.client_reconfig_script:
            actions.append(RunScript(master.client_reconfig_script, [
                master.name, role, state, self.announce(old), str(old.port), self.announce(new), str(new.port)]))

    def _send_slaveof(self, inst: Instance, target: Instance | None, actions: list) -> None:
        """SLAVEOF <target> (NO ONE for None), sent with the address we announce for it."""
        if target is None:
            slaveof = [b"SLAVEOF", b"NO", b"ONE"]
        else:
            slaveof = [b"SLAVEOF", self.announce(target).encode(), b"%d" % target.port]
        for argv, tag in (([b"MULTI"], "multi"), (slaveof, "slaveof"), ([b"CONFIG", b"REWRITE"], "rewrite"),
                          ([b"CLIENT", b"KILL", b"TYPE", b"normal"], "kill"),
                          ([b"CLIENT", b"KILL", b"TYPE", b"pubsub"], "kill"), ([b"EXEC"], "exec")):
            self._send(inst, argv, tag, actions)

    # ----- subjective and objective down
    def _check_sdown(self, inst: Instance, now: int, actions: list) -> None:
        if inst.act_ping_time:
            elapsed = now - inst.act_ping_time
        elif not inst.link_connected:
            elapsed = now - inst.last_avail_time
        else:
            elapsed = 0
        master_as_replica = (inst.kind == "master" and inst.role_reported == "slave"
                             and now - inst.role_reported_time > inst.down_after_period + self.info_period * 2)
        if elapsed > inst.down_after_period or master_as_replica:
            if "s_down" not in inst.flags:
                inst.flags.add("s_down")
                inst.s_down_since_time = now
                actions.append(Event(WARNING, "+sdown", self.at(inst), inst))
        elif "s_down" in inst.flags:
            inst.flags.discard("s_down")
            inst.flags.discard("script_kill_sent")
            actions.append(Event(WARNING, "-sdown", self.at(inst), inst))

    def _check_odown(self, master: Instance, now: int, actions: list) -> None:
        quorum = 0
        if "s_down" in master.flags:
            quorum = 1
            quorum += sum(1 for s in master.sentinels.values() if "master_down" in s.flags)
        if quorum and quorum >= master.quorum:
            if "o_down" not in master.flags:
                master.flags.add("o_down")
                master.o_down_since_time = now
                actions.append(Event(WARNING, "+odown", f"{self.at(master)} #quorum {quorum}/{master.quorum}",
                                     master))
        elif "o_down" in master.flags:
            master.flags.discard("o_down")
            actions.append(Event(WARNING, "-odown", self.at(master), master))

    def _ask_peers(self, master: Instance, now: int, actions: list, force: bool = False) -> None:
        for peer in master.sentinels.values():
            elapsed = now - peer.last_master_down_reply_time
            if elapsed > self.ask_period * 5:
                peer.flags.discard("master_down")
                peer.leader = ""
            if "s_down" not in master.flags or not peer.link_connected:
                continue
            if not force and elapsed < self.ask_period:
                continue
            # Redis asks whatever else is in flight on the link (a hello sent this very tick must
            # not delay the question); only a link that stopped answering is spared the pile-up
            if peer.pending_commands >= 100 and not force:
                continue
            runid = self.myid if master.failover_state != FAILOVER_NONE else "*"
            self._send(peer, [b"SENTINEL", b"is-master-down-by-addr", self.announce(master).encode(), b"%d" % master.port,
                              b"%d" % self.current_epoch, runid.encode()], "is-master-down", actions)

    def _is_master_down_reply(self, peer: Instance, reply: object, now: int, actions: list) -> None:
        if not isinstance(reply, list) or len(reply) != 3:
            return
        down, leader, epoch = reply
        if not isinstance(down, int) or not isinstance(epoch, int) or not isinstance(leader, bytes):
            return
        peer.last_master_down_reply_time = now
        if down == 1:
            peer.flags.add("master_down")
        else:
            peer.flags.discard("master_down")
        leader_s = leader.decode()
        if leader_s != "*":
            if peer.leader != leader_s or peer.leader_epoch != epoch:
                actions.append(Log(WARNING, f"{peer.runid} voted for {leader_s} {epoch}"))
            peer.leader = leader_s
            peer.leader_epoch = epoch

    # ----- votes (SENTINEL is-master-down-by-addr from a peer)
    def vote_request(self, ip: str, port: int, req_epoch: int, runid: str, now: int) -> tuple[tuple, list]:
        """Answer a peer's question, and vote when it asks for our vote (runid != '*')."""
        actions: list = []
        master = next((m for m in self.masters.values() if self.addr_matches(m, ip, port)), None)
        down = 1 if (master is not None and not self.tilt and "s_down" in master.flags) else 0
        leader, leader_epoch = "*", 0
        if master is not None and runid != "*":
            leader, leader_epoch = self.vote_leader(master, req_epoch, runid, now, actions)
        return (down, leader or "*", leader_epoch), actions

    def vote_leader(self, master: Instance, req_epoch: int, runid: str, now: int, actions: list) -> tuple[str, int]:
        if req_epoch > self.current_epoch:
            self.current_epoch = req_epoch
            actions.append(Persist())
            actions.append(Event(WARNING, "+new-epoch", str(self.current_epoch), master))
        if master.leader_epoch < req_epoch and self.current_epoch <= req_epoch:
            master.leader = runid
            master.leader_epoch = self.current_epoch
            actions.append(Persist())
            actions.append(Event(WARNING, "+vote-for-leader", f"{runid} {master.leader_epoch}", master))
            # voting for another sentinel: don't start our own failover for a while
            if runid != self.myid:
                master.failover_start_time = now + self.rng.randrange(MAX_DESYNC)
        return master.leader, master.leader_epoch

    def get_leader(self, master: Instance, epoch: int, now: int, actions: list) -> str:
        counters: dict[str, int] = {}
        voters = len(master.sentinels) + 1
        for peer in master.sentinels.values():
            if peer.leader and peer.leader_epoch == self.current_epoch:
                counters[peer.leader] = counters.get(peer.leader, 0) + 1
        winner, max_votes = "", 0
        for candidate, votes in counters.items():
            if votes > max_votes or (votes == max_votes and candidate > winner):
                winner, max_votes = candidate, votes
        myvote, leader_epoch = self.vote_leader(master, epoch, winner or self.myid, now, actions)
        if myvote and leader_epoch == epoch:
            votes = counters.get(myvote, 0) + 1
            if votes > max_votes:
                winner, max_votes = myvote, votes
        if winner and (max_votes < voters // 2 + 1 or max_votes < master.quorum):
            winner = ""
        return winner

    # ----- failover
    def _start_failover_if_needed(self, master: Instance, now: int, actions: list) -> bool:
        if "o_down" not in master.flags or "failover_in_progress" in master.flags:
            return False
        # failover_start_time 0 means "never tried" (Redis's 0 is 1970 in its wall clock; our
        # monotonic clock may start near 0, which must not delay the first failover)
        if master.failover_start_time and now - master.failover_start_time < master.failover_timeout * 2:
            if master.failover_delay_logged != master.failover_start_time:
                master.failover_delay_logged = master.failover_start_time
                actions.append(Log(WARNING, "Next failover delay: I will not start a failover before "
                                   f"{master.failover_start_time + master.failover_timeout * 2} (monotonic ms)"))
            return False
        self.start_failover(master, now, actions)
        return True

    def start_failover(self, master: Instance, now: int, actions: list) -> None:
        master.failover_state = WAIT_START
        master.flags.add("failover_in_progress")
        self.current_epoch += 1
        master.failover_epoch = self.current_epoch
        actions.append(Event(WARNING, "+new-epoch", str(self.current_epoch), master))
        actions.append(Event(WARNING, "+try-failover", self.at(master), master))
        master.failover_start_time = now + self.rng.randrange(MAX_DESYNC)
        master.failover_state_change_time = now

    def _failover_state_machine(self, master: Instance, now: int, actions: list) -> None:
        if "failover_in_progress" not in master.flags:
            return
        state = master.failover_state
        if state == WAIT_START:
            self._failover_wait_start(master, now, actions)
        elif state == SELECT_SLAVE:
            self._failover_select_slave(master, now, actions)
        elif state == SEND_SLAVEOF_NOONE:
            self._failover_send_slaveof_noone(master, now, actions)
        elif state == WAIT_PROMOTION:
            if now - master.failover_state_change_time > master.failover_timeout:
                actions.append(Event(WARNING, "-failover-abort-slave-timeout", self.at(master), master))
                self.abort_failover(master)
        elif state == RECONF_SLAVES:
            self._failover_reconf_next_slave(master, now, actions)

    def _failover_wait_start(self, master: Instance, now: int, actions: list) -> None:
        leader = self.get_leader(master, master.failover_epoch, now, actions)
        is_leader = leader == self.myid
        if not is_leader and "force_failover" not in master.flags:
            election_timeout = min(self.election_timeout, master.failover_timeout)
            if now - master.failover_start_time > election_timeout:
                actions.append(Event(WARNING, "-failover-abort-not-elected", self.at(master), master))
                self.abort_failover(master)
            return
        actions.append(Event(WARNING, "+elected-leader", self.at(master), master))
        master.failover_state = SELECT_SLAVE
        master.failover_state_change_time = now
        actions.append(Event(WARNING, "+failover-state-select-slave", self.at(master), master))

    def select_slave(self, master: Instance, now: int) -> Instance | None:
        max_master_down_time = 0
        if "s_down" in master.flags:
            max_master_down_time += now - master.s_down_since_time
        max_master_down_time += master.down_after_period * 10
        info_validity = self.ping_period * 5 if "s_down" in master.flags else self.info_period * 3
        candidates = []
        for r in master.replicas.values():
            if r.flags & {"s_down", "o_down"} or not r.link_connected:
                continue
            if now - r.last_avail_time > self.ping_period * 5:
                continue
            if r.slave_priority == 0:
                continue
            if not r.info_time or now - r.info_time > info_validity:
                continue
            if r.master_link_down_time > max_master_down_time:
                continue
            candidates.append(r)
        if not candidates:
            return None
        candidates.sort(key=lambda r: (r.slave_priority, -r.slave_repl_offset, r.runid or "\xff"))
        return candidates[0]

    def _failover_select_slave(self, master: Instance, now: int, actions: list) -> None:
        replica = self.select_slave(master, now)
        if replica is None:
            actions.append(Event(WARNING, "-failover-abort-no-good-slave", self.at(master), master))
            self.abort_failover(master)
            return
        actions.append(Event(WARNING, "+selected-slave", self.at(replica), replica))
        replica.flags.add("promoted")
        master.promoted_slave = replica
        master.failover_state = SEND_SLAVEOF_NOONE
        master.failover_state_change_time = now
        actions.append(Event(NOTICE, "+failover-state-send-slaveof-noone", self.at(replica), replica))

    def _failover_send_slaveof_noone(self, master: Instance, now: int, actions: list) -> None:
        replica = master.promoted_slave
        assert replica is not None
        if not replica.link_connected:
            if now - master.failover_state_change_time > master.failover_timeout:
                actions.append(Event(WARNING, "-failover-abort-slave-timeout", self.at(master), master))
                self.abort_failover(master)
            return
        self._send_slaveof(replica, None, actions)
        # ask for INFO on the next tick, not a whole INFO period later: the reply, queued after the
        # transaction on the same link, shows the promotion as soon as it happened
        replica.info_refresh = 0
        actions.append(Event(NOTICE, "+failover-state-wait-promotion", self.at(replica), replica))
        master.failover_state = WAIT_PROMOTION
        master.failover_state_change_time = now

    def _failover_reconf_next_slave(self, master: Instance, now: int, actions: list) -> None:
        promoted = master.promoted_slave
        assert promoted is not None
        in_progress = sum(1 for r in master.replicas.values() if r.flags & {"reconf_sent", "reconf_inprog"})
        for r in master.replicas.values():
            if in_progress >= master.parallel_syncs:
                break
            if r.flags & {"promoted", "reconf_done"}:
                continue
            if "reconf_sent" in r.flags and now - r.slave_reconf_sent_time > self.slave_reconf_timeout:
                actions.append(Event(NOTICE, "-slave-reconf-sent-timeout", self.at(r), r))
                r.flags.discard("reconf_sent")
                r.flags.add("reconf_done")
            if r.flags & {"reconf_sent", "reconf_inprog", "reconf_done"}:
                continue
            if not r.link_connected:
                continue
            self._send_slaveof(r, promoted, actions)
            r.flags.add("reconf_sent")
            r.slave_reconf_sent_time = now
            actions.append(Event(NOTICE, "+slave-reconf-sent", self.at(r), r))
            in_progress += 1
        self._failover_detect_end(master, now, actions)

    def _failover_detect_end(self, master: Instance, now: int, actions: list) -> None:
        promoted = master.promoted_slave
        if promoted is None or "s_down" in promoted.flags:
            return
        not_reconfigured = sum(1 for r in master.replicas.values()
                               if not r.flags & {"promoted", "reconf_done"} and "s_down" not in r.flags)
        timeout = False
        if now - master.failover_state_change_time > master.failover_timeout:
            not_reconfigured = 0
            timeout = True
            actions.append(Event(WARNING, "+failover-end-for-timeout", self.at(master), master))
        if not_reconfigured:
            return
        actions.append(Event(WARNING, "+failover-end", self.at(master), master))
        master.failover_state = UPDATE_CONFIG
        master.failover_state_change_time = now
        if timeout:
            for r in master.replicas.values():
                if r.flags & {"promoted", "reconf_done", "reconf_sent"} or not r.link_connected:
                    continue
                self._send_slaveof(r, promoted, actions)
                r.flags.add("reconf_sent")
                actions.append(Event(NOTICE, "+slave-reconf-sent-be", self.at(r), r))

    def abort_failover(self, master: Instance) -> None:
        master.flags -= {"failover_in_progress", "force_failover"}
        master.failover_state = FAILOVER_NONE
        if master.promoted_slave is not None:
            master.promoted_slave.flags.discard("promoted")
            master.promoted_slave = None

    def _switch_to_promoted(self, master: Instance, now: int, actions: list) -> None:
        promoted = master.promoted_slave
        assert promoted is not None
        actions.append(Event(WARNING, "+switch-master", f"{master.name} {self.announce(master)} {master.port} "
                             f"{self.announce(promoted)} {promoted.port}", master))
        self.reset_master_and_change_address(master, promoted.hostname, promoted.port, now, actions)

    def reset_master_and_change_address(self, master: Instance, host: str, port: int, now: int,
                                        actions: list) -> bool:
        """The master moved: the old master and the other replicas become its replicas. False
        (nothing changed) when ``host`` does not resolve, as in sentinelResetMasterAndChangeAddress."""
        ip = self.resolve(host)
        if not ip:
            return False

        def same(inst: Instance) -> bool:
            return inst.port == port and inst.ip.lower() == ip.lower()

        addrs = [(r.hostname, r.port) for r in master.replicas.values() if not same(r)]
        if not same(master):
            addrs.append((master.hostname, master.port))
        for inst in [master, *master.replicas.values()]:
            actions.append(Forget(inst))
        master.replicas = {}
        master.ip, master.hostname, master.port = ip, host, port
        master.flags = {"master"}
        master.failover_state = FAILOVER_NONE
        master.promoted_slave = None
        master.runid = ""
        master.link_connected = master.pubsub_connected = False
        master.flags.add("disconnected")
        # its links are dropped (Forget) without link_down: replies in flight never arrive, so
        # forget them here or INFO would never be asked of the new master
        master.pending_commands = 0
        master.info_pending = False
        master.act_ping_time = 0
        master.last_avail_time = master.last_pong_time = now
        master.s_down_since_time = master.o_down_since_time = 0
        master.role_reported = "master"
        master.role_reported_time = now
        master.info_refresh = 0
        master.leader = ""
        master.failover_start_time = 0       # "we can failover again ASAP" (sentinelResetMaster)
        for peer in master.sentinels.values():
            peer.flags.discard("master_down")
            peer.leader = ""
        for rhost, rport in addrs:
            replica = self.add_replica(master, rhost, rport, now)
            if replica is not None:
                replica.flags.add("disconnected")
                actions.append(Event(NOTICE, "+slave", self.at(replica), replica))
        actions.append(Persist())
        return True

    # ----- hello messages
    def hello(self, payload: str, now: int) -> list:
        actions: list = []
        parts = payload.split(",")
        if len(parts) != 8:
            return actions
        ip, port_s, runid, epoch_s, name, mip, mport_s, mepoch_s = parts
        try:
            port, epoch, mport, mepoch = int(port_s), int(epoch_s), int(mport_s), int(mepoch_s)
        except ValueError:
            return actions
        if runid == self.myid:
            return actions
        master = self.masters.get(name)
        if master is None:
            return actions
        peer = master.sentinels.get(runid)
        if peer is None or not self.addr_matches(peer, ip, port):
            # the same address under another runid is a restarted sentinel: forget the old one
            for key, other in list(master.sentinels.items()):
                if self.addr_matches(other, ip, port) and key != runid:
                    del master.sentinels[key]
                    actions.append(Forget(other))
                    actions.append(Event(NOTICE, "+sentinel-invalid-addr", self.at(other), other))
            if peer is not None:
                actions.append(Forget(peer))
                peer.ip, peer.hostname, peer.port = self.resolve(ip), ip, port
                peer.name = runid
                actions.append(Event(NOTICE, "+sentinel-address-switch", f"{self.at(master)} ip {ip} port {port} "
                                     f"for {runid}", master))
            else:
                peer = self.add_sentinel(master, ip, port, runid, now)
                if peer is not None:
                    actions.append(Event(NOTICE, "+sentinel", self.at(peer), peer))
            if peer is not None:
                actions.append(Persist())
        if epoch > self.current_epoch:
            self.current_epoch = epoch
            actions.append(Persist())
            actions.append(Event(WARNING, "+new-epoch", str(self.current_epoch), master))
        if peer is None:
            return actions
        if mepoch > master.config_epoch:
            master.config_epoch = mepoch
            if mport != master.port or not self.addr_equals_host(master, mip):
                actions.append(Event(WARNING, "+config-update-from", self.at(peer), peer))
                actions.append(Event(WARNING, "+switch-master", f"{master.name} {self.announce(master)} "
                                     f"{master.port} {mip} {mport}", master))
                old = Instance("master", master.name, master.ip, master.port, hostname=master.hostname)
                if self.reset_master_and_change_address(master, mip, mport, now, actions):
                    self._client_reconfig(master, "observer", "start", old, master, actions)
            else:
                actions.append(Persist())
        peer.last_hello_time = now
        return actions

    # ----- operator commands
    def force_failover(self, master: Instance, now: int) -> list:
        actions: list = []
        self.start_failover(master, now, actions)
        master.flags.add("force_failover")
        return actions

    def reset(self, master: Instance, now: int) -> list:
        actions: list = []
        for inst in self.instances_of(master):
            if inst is not master:
                actions.append(Forget(inst))
        master.replicas = {}
        master.sentinels = {}
        self.abort_failover(master)
        master.flags = {"master"}
        master.leader = ""
        actions.append(Event(WARNING, "+reset-master", self.at(master), master))
        actions.append(Persist())
        return actions
