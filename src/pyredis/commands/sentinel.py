"""Sentinel mode's commands: SENTINEL <subcommand>, and the Sentinel flavours of INFO, ROLE and
PUBLISH. ``restrict_table()`` trims the command table to what a Redis 7.0 sentinel serves.

Handlers read and change the ``Sentinel`` machine through ``client.node.sentinel`` (the runner)
and hand any resulting actions back to it, so events are logged and published as usual.
"""

from ..protocol import resp
from ..protocol.errors import CommandError
from .registry import ONLY_SENTINEL, TABLE, container, help_reply, keep_only, subcommand

SENTINEL_COMMANDS = {b"ping", b"sentinel", b"subscribe", b"unsubscribe", b"psubscribe", b"punsubscribe",
                     b"publish", b"info", b"role", b"client", b"shutdown", b"auth", b"hello", b"command",
                     b"acl", b"reset", b"quit"}

NO_SUCH_MASTER = b"ERR No such master with that name"


def restrict_table() -> None:
    """Keep only the commands a sentinel serves, and swap in the sentinel versions."""
    from . import load_all  # noqa: PLC0415
    load_all()
    keep_only(SENTINEL_COMMANDS)
    TABLE[b"info"].handler = sentinel_info
    TABLE[b"role"].handler = sentinel_role
    TABLE[b"publish"].handler = sentinel_publish


def _runner(client):
    runner = getattr(client.node, "sentinel", None)
    if runner is None:
        raise CommandError(b"ERR This instance has sentinel support disabled.")
    return runner


def _master(client, name: bytes):
    master = _runner(client).machine.masters.get(name.decode(errors="replace"))
    if master is None:
        raise CommandError(NO_SUCH_MASTER)
    return master


def instance_fields(inst, now: int, hostnames: bool = False) -> list[tuple[str, object]]:
    """The field/value pairs of SENTINEL MASTERS / REPLICAS / SENTINELS, in Redis's order
    (``ip`` is the host name with announce-hostnames yes)."""
    fields: list[tuple[str, object]] = [
        ("name", inst.name), ("ip", inst.announced(hostnames)), ("port", inst.port), ("runid", inst.runid),
        ("flags", inst.flags_string()), ("link-pending-commands", inst.pending_commands),
        ("link-refcount", 1),
    ]
    if inst.failover_state != "none":
        fields.append(("failover-state", inst.failover_state))
    fields += [
        ("last-ping-sent", now - inst.act_ping_time if inst.act_ping_time else 0),
        ("last-ok-ping-reply", now - inst.last_avail_time),
        ("last-ping-reply", now - inst.last_pong_time),
    ]
    if "s_down" in inst.flags:
        fields.append(("s-down-time", now - inst.s_down_since_time))
    if "o_down" in inst.flags:
        fields.append(("o-down-time", now - inst.o_down_since_time))
    fields.append(("down-after-milliseconds", inst.down_after_period))
    if inst.kind in ("master", "slave"):
        fields += [("info-refresh", now - inst.info_refresh if inst.info_refresh else 0),
                   ("role-reported", inst.role_reported),
                   ("role-reported-time", now - inst.role_reported_time)]
    if inst.kind == "master":
        fields += [("config-epoch", inst.config_epoch), ("num-slaves", len(inst.replicas)),
                   ("num-other-sentinels", len(inst.sentinels)), ("quorum", inst.quorum),
                   ("failover-timeout", inst.failover_timeout), ("parallel-syncs", inst.parallel_syncs)]
        if inst.notification_script:
            fields.append(("notification-script", inst.notification_script))
        if inst.client_reconfig_script:
            fields.append(("client-reconfig-script", inst.client_reconfig_script))
    if inst.kind == "slave":
        fields += [("master-link-down-time", inst.master_link_down_time),
                   ("master-link-status", "ok" if inst.slave_master_link_status == "up" else "err"),
                   ("master-host", inst.slave_master_host or "?"), ("master-port", inst.slave_master_port),
                   ("slave-priority", inst.slave_priority), ("slave-repl-offset", inst.slave_repl_offset),
                   ("replica-announced", inst.replica_announced)]
    if inst.kind == "sentinel":
        fields += [("last-hello-message", now - inst.last_hello_time if inst.last_hello_time else 0),
                   ("voted-leader", inst.leader or "?"), ("voted-leader-epoch", inst.leader_epoch)]
    return fields


def _encode_fields(fields: list[tuple[str, object]], proto: int) -> bytes:
    pairs = [(resp.bulk(k.encode()), resp.bulk(str(v).encode())) for k, v in fields]
    return resp.map_(pairs, proto)


def _now(client) -> int:
    return client.node.clock.monotonic_ms()


container("sentinel", group="sentinel", summary="A container for Sentinel commands", since="2.8.4",
          flags="admin sentinel only_sentinel")


def drop_sentinel_only() -> None:
    """A plain server does not know SENTINEL (Redis answers 'unknown command')."""
    from . import load_all  # noqa: PLC0415
    load_all()
    for name, cmd in list(TABLE.items()):
        if cmd.flags & ONLY_SENTINEL:
            del TABLE[name]


def _sub(name: str, arity: int):
    return subcommand("sentinel", name, arity, "admin sentinel only_sentinel")


@_sub("masters", 2)
def sentinel_masters(client, argv: list[bytes]) -> bytes:
    machine = _runner(client).machine
    now = _now(client)
    hostnames = machine.announce_hostnames
    return resp.array([_encode_fields(instance_fields(m, now, hostnames), client.resp)
                       for m in machine.masters.values()])


@_sub("master", 3)
def sentinel_master(client, argv: list[bytes]) -> bytes:
    hostnames = _runner(client).machine.announce_hostnames
    return _encode_fields(instance_fields(_master(client, argv[2]), _now(client), hostnames), client.resp)


def _replicas(client, argv: list[bytes]) -> bytes:
    master = _master(client, argv[2])
    now = _now(client)
    hostnames = _runner(client).machine.announce_hostnames
    return resp.array([_encode_fields(instance_fields(r, now, hostnames), client.resp)
                       for r in master.replicas.values()])


@_sub("replicas", 3)
def sentinel_replicas(client, argv: list[bytes]) -> bytes:
    return _replicas(client, argv)


@_sub("slaves", 3)
def sentinel_slaves(client, argv: list[bytes]) -> bytes:
    return _replicas(client, argv)


@_sub("sentinels", 3)
def sentinel_sentinels(client, argv: list[bytes]) -> bytes:
    master = _master(client, argv[2])
    now = _now(client)
    hostnames = _runner(client).machine.announce_hostnames
    return resp.array([_encode_fields(instance_fields(s, now, hostnames), client.resp)
                       for s in master.sentinels.values()])


@_sub("get-master-addr-by-name", 3)
def sentinel_get_master_addr(client, argv: list[bytes]) -> bytes:
    master = _runner(client).machine.masters.get(argv[2].decode(errors="replace"))
    if master is None:
        return resp.null_array(client.resp)
    # during a failover that reached reconf-slaves the promoted replica is the answer
    host, port = _runner(client).machine.announced_master_address(master)
    return resp.bulk_array([host.encode(), b"%d" % port])


@_sub("is-master-down-by-addr", 6)
def sentinel_is_master_down(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    try:
        port = int(argv[3])
        epoch = int(argv[4])
    except ValueError:
        raise CommandError(b"ERR value is not an integer or out of range") from None
    (down, leader, leader_epoch), actions = runner.machine.vote_request(
        argv[2].decode(errors="replace"), port, epoch, argv[5].decode(errors="replace"), _now(client))
    runner.perform(actions)   # a vote is persisted before this reply leaves
    return resp.array([resp.integer(down), resp.bulk(leader.encode()), resp.integer(leader_epoch)])


@_sub("failover", 3)
def sentinel_failover(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    master = _master(client, argv[2])
    if "failover_in_progress" in master.flags:
        raise CommandError(b"INPROG Failover already in progress")
    if runner.machine.select_slave(master, _now(client)) is None:
        raise CommandError(b"NOGOODSLAVE No suitable replica to promote")
    runner.node.log.warning(f"Executing user requested FAILOVER of '{master.name}'")
    runner.perform(runner.machine.force_failover(master, _now(client)))
    return resp.OK


@_sub("reset", 3)
def sentinel_reset(client, argv: list[bytes]) -> bytes:
    from ..engine.glob import match  # noqa: PLC0415
    runner = _runner(client)
    count = 0
    for master in list(runner.machine.masters.values()):
        if match(argv[2], master.name.encode()):
            runner.perform(runner.machine.reset(master, _now(client)))
            count += 1
    return resp.integer(count)


def _monitor_address(runner, host: str) -> str:
    """The address to monitor, kept as given: an IP, or with resolve-hostnames yes a name that
    resolves now (Redis checks it with anetResolve before it makes the instance)."""
    if not runner.machine.resolve(host):
        raise CommandError(b"ERR Invalid IP address or hostname specified")
    return host


@_sub("monitor", 6)
def sentinel_monitor(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    name = argv[2].decode(errors="replace")
    # Redis parses the quorum first, then the port, each with its own message
    try:
        quorum = int(argv[5])
    except ValueError:
        raise CommandError(b"ERR Invalid quorum") from None
    try:
        port = int(argv[4])
    except ValueError:
        raise CommandError(b"ERR Invalid port") from None
    if quorum <= 0:
        raise CommandError(b"ERR Quorum must be 1 or greater.")
    ip = _monitor_address(runner, argv[3].decode(errors="replace"))
    if name in runner.machine.masters:
        raise CommandError(b"ERR Duplicate master name.")
    if not 0 <= port <= 65535:
        raise CommandError(b"ERR Invalid port number.")
    runner.perform(runner.machine.monitor(name, ip, port, quorum, _now(client)))
    runner.flush_config()
    return resp.OK


@_sub("remove", 3)
def sentinel_remove(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    _master(client, argv[2])
    runner.perform(runner.machine.remove(argv[2].decode(errors="replace")))
    runner.flush_config()
    return resp.OK


_SET_OPTIONS = {"down-after-milliseconds", "failover-timeout", "parallel-syncs", "quorum", "auth-pass",
                "auth-user", "notification-script", "client-reconfig-script", "master-reboot-down-after-period"}
_SET_POSITIVE = {"down-after-milliseconds", "failover-timeout", "parallel-syncs", "quorum"}
SCRIPTS_DENIED = (b"ERR Reconfiguration of scripts path is denied for security reasons. Check the "
                  b"deny-scripts-reconfig configuration directive in your Sentinel configuration")


def _set_option(runner, master, opt: str, raw: bytes) -> None:
    val = raw.decode(errors="replace")
    if opt in _SET_POSITIVE or opt == "master-reboot-down-after-period":
        try:
            number = int(val)
        except ValueError:
            number = -1
        if number < 0 or (number == 0 and opt in _SET_POSITIVE):
            raise CommandError(b"ERR Invalid argument '%s' for SENTINEL SET '%s'" % (raw, opt.encode()))
        if opt == "down-after-milliseconds":
            master.down_after_period = number
            for inst in (*master.replicas.values(), *master.sentinels.values()):
                inst.down_after_period = number
        elif opt == "failover-timeout":
            master.failover_timeout = number
        elif opt == "parallel-syncs":
            master.parallel_syncs = number
        elif opt == "quorum":
            master.quorum = number
        else:
            raise CommandError(b"ERR SENTINEL SET master-reboot-down-after-period is not supported yet")
    elif opt in ("notification-script", "client-reconfig-script"):
        from ..sentinel.config import script_error  # noqa: PLC0415
        if runner.options.get("deny-scripts-reconfig", "yes") != "no":
            raise CommandError(SCRIPTS_DENIED)
        error = script_error(opt, val) if val else None
        if error:
            raise CommandError(b"ERR " + error.encode())
        setattr(master, opt.replace("-", "_"), val)   # an empty path removes the script
    elif opt == "auth-pass":
        master.auth_pass = val
    elif opt == "auth-user":
        master.auth_user = val


@_sub("set", -3)
def sentinel_set(client, argv: list[bytes]) -> bytes:
    from ..sentinel.machine import Event  # noqa: PLC0415
    runner = _runner(client)
    master = _master(client, argv[2])
    changes = 0
    try:
        for i in range(3, len(argv), 2):
            opt = argv[i].decode(errors="replace").lower()
            if opt == "rename-command":
                raise CommandError(b"ERR SENTINEL SET rename-command is not supported yet")
            if opt not in _SET_OPTIONS or i + 1 >= len(argv):
                raise CommandError(b"ERR Unknown option or number of arguments for SENTINEL SET '%s'" % argv[i])
            _set_option(runner, master, opt, argv[i + 1])
            changes += 1
            shown = "******" if opt in ("auth-pass", "auth-user") else argv[i + 1].decode(errors="replace")
            runner.perform([Event("#", "+set", f"{runner.machine.at(master)} {opt} {shown}", master)])
    finally:
        # options set before a bad one stay set, and are saved, as in Redis
        if changes:
            runner.flush_config()
    return resp.OK


@_sub("ckquorum", 3)
def sentinel_ckquorum(client, argv: list[bytes]) -> bytes:
    master = _master(client, argv[2])
    usable = 1 + sum(1 for s in master.sentinels.values() if "s_down" not in s.flags and s.link_connected)
    voters = len(master.sentinels) + 1
    if usable < master.quorum:
        raise CommandError(b"NOQUORUM %d usable Sentinels. Not enough available Sentinels to reach the specified "
                           b"quorum for this master" % usable)
    if usable < voters // 2 + 1:
        raise CommandError(b"NOQUORUM %d usable Sentinels. Not enough available Sentinels to reach the majority "
                           b"and authorize a failover" % usable)
    return resp.simple(b"OK %d usable Sentinels. Quorum and failover authorization can be reached" % usable)


@_sub("flushconfig", 2)
def sentinel_flushconfig(client, argv: list[bytes]) -> bytes:
    _runner(client).flush_config()
    return resp.OK


@_sub("myid", 2)
def sentinel_myid(client, argv: list[bytes]) -> bytes:
    return resp.bulk(_runner(client).machine.myid.encode())


@_sub("info-cache", -3)
def sentinel_info_cache(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    now = _now(client)
    out = []
    for name in argv[2:]:
        master = runner.machine.masters.get(name.decode(errors="replace"))
        if master is None:
            continue
        entries = []
        for inst in (master, *master.replicas.values()):
            entries.append(resp.array([resp.integer(now - inst.info_time if inst.info_time else 0),
                                       resp.bulk(inst.info_text.encode())]))
        out += [resp.bulk(name), resp.array(entries)]
    return resp.array(out)


@_sub("pending-scripts", 2)
def sentinel_pending_scripts(client, argv: list[bytes]) -> bytes:
    out = []
    for job in _runner(client).scripts.pending(_now(client)):
        pairs = []
        for key, value in job.items():
            if key == "argv":
                encoded = resp.bulk_array([a.encode() for a in value])  # type: ignore[attr-defined]
            else:
                encoded = resp.bulk(str(value).encode())
            pairs.append((resp.bulk(key.encode()), encoded))
        out.append(resp.map_(pairs, client.resp))
    return resp.array(out)


DEBUG_SCRIPT_KNOBS = {"script-max-runtime": "max_runtime", "script-retry-delay": "retry_delay"}


@_sub("debug", -2)
def sentinel_debug(client, argv: list[bytes]) -> bytes:
    """Sentinel's timing knobs, in milliseconds: listed, or set in pairs (for tests)."""
    from ..sentinel.machine import TIMING_DEFAULTS  # noqa: PLC0415
    runner = _runner(client)
    machine, scripts = runner.machine, runner.scripts

    def target(name: str) -> tuple[object, str]:
        if name in DEBUG_SCRIPT_KNOBS:
            return scripts, DEBUG_SCRIPT_KNOBS[name]
        return machine, name.replace("-", "_")

    names = [*TIMING_DEFAULTS, *DEBUG_SCRIPT_KNOBS]
    if len(argv) == 2:
        pairs = []
        for name in names:
            obj, attr = target(name)
            pairs.append((resp.bulk(name.upper().encode()), resp.bulk(b"%d" % getattr(obj, attr))))
        return resp.map_(pairs, client.resp)
    j = 2
    while j < len(argv):
        option = argv[j]
        name = option.decode(errors="replace").lower()
        if name not in names or j + 1 >= len(argv):
            raise CommandError(b"ERR Unknown option or number of arguments for SENTINEL DEBUG '%s'" % option)
        try:
            value = int(argv[j + 1])
        except ValueError:
            value = 0
        if value <= 0:
            raise CommandError(b"ERR Invalid argument '%s' for SENTINEL DEBUG '%s'" % (argv[j + 1], option))
        obj, attr = target(name)
        setattr(obj, attr, value)
        j += 2
    return resp.OK


@_sub("simulate-failure", -3)
def sentinel_simulate_failure(client, argv: list[bytes]) -> bytes:
    machine = _runner(client).machine
    for arg in argv[2:]:
        word = arg.lower()
        if word == b"crash-after-election":
            machine.simulate_failure_flags |= 1
        elif word == b"crash-after-promotion":
            machine.simulate_failure_flags |= 2
        elif word == b"help":
            return resp.bulk_array([b"crash-after-election", b"crash-after-promotion"])
        else:
            raise CommandError(b"ERR Unknown failure simulation specified")
    return resp.OK


@_sub("config", -3)
def sentinel_config(client, argv: list[bytes]) -> bytes:
    runner = _runner(client)
    action = argv[2].lower()
    keys = ("resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user",
            "sentinel-pass")
    if action == b"get" and len(argv) == 4:
        from ..engine.glob import match  # noqa: PLC0415
        pairs = []
        for key in keys:
            if match(argv[3], key.encode()):
                default = {"resolve-hostnames": "no", "announce-hostnames": "no", "announce-port": "0"}.get(key, "")
                pairs.append((resp.bulk(key.encode()), resp.bulk(runner.options.get(key, default).encode())))
        return resp.map_(pairs, client.resp)
    if action == b"set" and len(argv) == 5:
        key = argv[3].decode(errors="replace").lower()
        value = argv[4].decode(errors="replace")
        if key not in keys:
            raise CommandError(b"ERR Invalid argument '%s' to SENTINEL CONFIG SET" % argv[3])
        bad_bool = key in ("resolve-hostnames", "announce-hostnames") and value.lower() not in ("yes", "no")
        bad_port = key == "announce-port" and not (value.isdigit() and int(value) <= 65535)
        if bad_bool or bad_port:
            raise CommandError(b"ERR Invalid value '%s' to SENTINEL CONFIG SET '%s'" % (argv[4], argv[3]))
        runner.options[key] = value.lower() if key.endswith("hostnames") else value
        runner.machine.resolve_hostnames = runner.options.get("resolve-hostnames", "no") == "yes"
        runner.machine.announce_hostnames = runner.options.get("announce-hostnames", "no") == "yes"
        runner.machine.announce_ip = runner.options.get("announce-ip", "")
        runner.machine.announce_port = int(runner.options.get("announce-port", "0") or 0)
        runner.flush_config()
        return resp.OK
    raise CommandError(b"ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.")


@_sub("help", 2)
def sentinel_help(client, argv: list[bytes]) -> bytes:
    return help_reply("sentinel", [
        "CKQUORUM <master-name>",
        "    Check if the current Sentinel configuration is able to reach the quorum",
        "    needed to failover a master and the majority needed to authorize the",
        "    failover.",
        "CONFIG SET <param> <value>",
        "    Set a global Sentinel configuration parameter.",
        "CONFIG GET <param>",
        "    Get global Sentinel configuration parameter.",
        "DEBUG [<param> <value> ...]",
        "    Show a list of configurable time parameters and their values (milliseconds).",
        "    Or update current configurable parameters values (one or more).",
        "GET-MASTER-ADDR-BY-NAME <master-name>",
        "    Return the ip and port number of the master with that name.",
        "FAILOVER <master-name>",
        "    Manually failover a master node without asking for agreement from other",
        "    Sentinels",
        "FLUSHCONFIG",
        "    Force Sentinel to rewrite its configuration on disk, including the current",
        "    Sentinel state.",
        "INFO-CACHE <master-name>",
        "    Return last cached INFO output from masters and all its replicas.",
        "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
        "    Check if the master specified by ip:port is down from current Sentinel's",
        "    point of view.",
        "MASTER <master-name>",
        "    Show the state and info of the specified master.",
        "MASTERS",
        "    Show a list of monitored masters and their state.",
        "MONITOR <name> <ip> <port> <quorum>",
        "    Start monitoring a new master with the specified name, ip, port and quorum.",
        "MYID",
        "    Return the ID of the Sentinel instance.",
        "PENDING-SCRIPTS",
        "    Get pending scripts information.",
        "REMOVE <master-name>",
        "    Remove master from Sentinel's monitor list.",
        "REPLICAS <master-name>",
        "    Show a list of replicas for this master and their state.",
        "RESET <pattern>",
        "    Reset masters for specific master name matching this pattern.",
        "SENTINELS <master-name>",
        "    Show a list of Sentinel instances for this master and their state.",
        "SET <master-name> <option> <value> [<option> <value> ...]",
        "    Set configuration parameters for certain masters.",
        "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
        "    Simulate a Sentinel crash."])


def sentinel_info_fields(node) -> list[tuple[str, object]]:
    runner = node.sentinel
    machine = runner.machine
    fields: list[tuple[str, object]] = [
        ("sentinel_masters", len(machine.masters)), ("sentinel_tilt", int(machine.tilt)),
        ("sentinel_tilt_since_seconds", (node.clock.monotonic_ms() - machine.tilt_start_time) // 1000
         if machine.tilt else -1),
        ("sentinel_running_scripts", runner.scripts.running), ("sentinel_scripts_queue_length", len(runner.scripts)),
        ("sentinel_simulate_failure_flags", machine.simulate_failure_flags),
    ]
    for i, m in enumerate(machine.masters.values()):
        status = "odown" if "o_down" in m.flags else ("sdown" if "s_down" in m.flags else "ok")
        fields.append((f"master{i}", f"name={m.name},status={status},address={machine.announce(m)}:{m.port},"
                                     f"slaves={len(m.replicas)},sentinels={len(m.sentinels) + 1}"))
    return fields


def sentinel_info(client, argv: list[bytes]) -> bytes:
    from .server import section_fields  # noqa: PLC0415
    node = client.node
    wanted = [a.decode(errors="replace").lower() for a in argv[1:]] or ["default"]
    order = ["server", "clients", "stats", "cpu", "sentinel"]
    if not any(w in ("default", "all", "everything") for w in wanted):
        order = [s for s in order if s in wanted]
    blocks = []
    for name in order:
        fields = sentinel_info_fields(node) if name == "sentinel" else section_fields(node, name)
        if name == "server":
            fields = [(k, "sentinel" if k == "redis_mode" else v) for k, v in fields]
        body = "".join(f"{k}:{v}\r\n" for k, v in fields)
        blocks.append(f"# {name.capitalize() if name != 'cpu' else 'CPU'}\r\n{body}")
    return resp.verbatim("\r\n".join(blocks).encode(), client.resp)


def sentinel_role(client, argv: list[bytes]) -> bytes:
    machine = _runner(client).machine
    return resp.array([resp.bulk(b"sentinel"), resp.bulk_array([n.encode() for n in machine.masters])])


def sentinel_publish(client, argv: list[bytes]) -> bytes:
    from ..sentinel.machine import HELLO_CHANNEL  # noqa: PLC0415
    if argv[1] != HELLO_CHANNEL:
        raise CommandError(b"ERR Only HELLO messages are accepted by Sentinel instances.")
    runner = _runner(client)
    runner.perform(runner.machine.hello(argv[2].decode(errors="replace"), _now(client)))
    return resp.integer(1)
