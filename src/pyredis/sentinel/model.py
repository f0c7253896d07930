"""What a sentinel knows about the instances it watches: masters, their replicas, peer sentinels.

Field names follow ``sentinelRedisInstance`` in Redis's sentinel.c, because SENTINEL MASTERS /
REPLICAS / SENTINELS print them and clients (redis-py) parse those replies by name.

An address is kept twice, as Redis's ``sentinelAddr`` does: ``hostname`` as it was given (config,
INFO, hello; the IP itself when an IP was given) and ``ip``, what it resolved to ("" while a name
does not resolve). Links and address comparisons use ``ip``; with ``announce-hostnames yes`` what
the sentinel says to others (events, hello, replies, SLAVEOF) uses ``hostname``.
"""

from dataclasses import dataclass, field

# failover states, named as Redis logs them (+failover-state-<name>)
FAILOVER_NONE = "none"
WAIT_START = "wait_start"
SELECT_SLAVE = "select_slave"
SEND_SLAVEOF_NOONE = "send_slaveof_noone"
WAIT_PROMOTION = "wait_promotion"
RECONF_SLAVES = "reconf_slaves"
UPDATE_CONFIG = "update_config"

FLAG_ORDER = ("s_down", "o_down", "master", "slave", "sentinel", "disconnected", "master_down",
              "failover_in_progress", "promoted", "reconf_sent", "reconf_inprog", "reconf_done",
              "force_failover", "script_kill_sent")


@dataclass(eq=False)
class Instance:
    kind: str                         # "master" | "slave" | "sentinel"
    name: str                         # master name, or "ip:port" for replicas and sentinels
    ip: str
    port: int
    master: "Instance | None" = None  # the master a replica or sentinel belongs to
    runid: str = ""
    flags: set[str] = field(default_factory=set)
    # links, as the runner reports them
    link_connected: bool = False
    pubsub_connected: bool = False
    link_since: int = 0               # when the command link was (re)connected
    pending_commands: int = 0
    # liveness
    act_ping_time: int = 0            # when the oldest unanswered PING was sent (0: none pending)
    last_ping_time: int = 0           # when the last PING was sent
    last_pong_time: int = 0           # last reply of any kind to PING
    last_avail_time: int = 0          # last valid PING reply (+PONG, -LOADING, -MASTERDOWN)
    last_pub_time: int = 0            # last hello published through this instance
    last_hello_time: int = 0          # sentinels: last hello received from it
    last_master_down_reply_time: int = 0
    s_down_since_time: int = 0
    o_down_since_time: int = 0
    down_after_period: int = 30000
    info_refresh: int = 0
    info_pending: bool = False
    role_reported: str = "master"
    role_reported_time: int = 0
    slave_conf_change_time: int = 0
    # INFO fields of a replica
    master_link_down_time: int = 0
    slave_master_host: str = ""
    slave_master_port: int = 0
    slave_master_link_status: str = "down"
    slave_priority: int = 100
    slave_repl_offset: int = 0
    replica_announced: int = 1
    slave_reconf_sent_time: int = 0
    # masters: configuration
    quorum: int = 2
    failover_timeout: int = 180000
    parallel_syncs: int = 1
    auth_pass: str = ""
    auth_user: str = ""
    notification_script: str = ""
    client_reconfig_script: str = ""
    config_epoch: int = 0
    # masters: who we voted for, and the failover in progress
    leader: str = ""
    leader_epoch: int = 0
    failover_epoch: int = 0
    failover_state: str = FAILOVER_NONE
    failover_state_change_time: int = 0
    failover_start_time: int = 0
    failover_delay_logged: int = 0
    promoted_slave: "Instance | None" = None
    replicas: dict[str, "Instance"] = field(default_factory=dict)    # "ip:port" -> replica
    sentinels: dict[str, "Instance"] = field(default_factory=dict)   # runid -> peer sentinel
    info_text: str = ""
    info_time: int = 0
    hostname: str = ""                # the address as given; "" means the same as ip

    def __post_init__(self) -> None:
        if not self.hostname:
            self.hostname = self.ip

    @property
    def addr(self) -> str:
        return f"{self.ip}:{self.port}"

    def flags_string(self) -> str:
        return ",".join(f for f in FLAG_ORDER if f in self.flags)

    def announced(self, hostnames: bool = False) -> str:
        """The address this sentinel shows others (Redis's ``announceSentinelAddr``)."""
        return self.hostname if hostnames else self.ip

    def describe(self, hostnames: bool = False) -> str:
        """Redis's ``%@``: ``<type> <name> <ip> <port>`` plus `` @ <master> <ip> <port>``."""
        text = f"{self.kind} {self.name} {self.announced(hostnames)} {self.port}"
        if self.master is not None:
            m = self.master
            text += f" @ {m.name} {m.announced(hostnames)} {m.port}"
        return text


def addr_key(host: str, port: int) -> str:
    """``host:port``, IPv6 bracketed (``announceSentinelAddrAndPort``): replicas' names and keys."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
