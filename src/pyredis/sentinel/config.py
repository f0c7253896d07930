"""sentinel.conf: reading the ``sentinel ...`` directives and rewriting the file with what the
sentinel learned (myid, epochs, known replicas and sentinels, the current master address), so a
restarted sentinel resumes where it was. The rewrite replaces every ``sentinel`` line and keeps
all other lines as they were; the file is replaced atomically and fsynced.
"""

import os

from .machine import Sentinel


class SentinelConfigError(Exception):
    pass


# applied before the monitor lines, whatever their place in the file (Redis's preMonitorCfgName):
# resolve-hostnames decides whether a monitor line may name a host
PRE_MONITOR = ("announce-ip", "announce-port", "deny-scripts-reconfig", "sentinel-user", "sentinel-pass",
               "current-epoch", "myid", "resolve-hostnames", "announce-hostnames")
YES_NO = {"deny-scripts-reconfig": "Please specify yes or no for the deny-scripts-reconfig options.",
          "resolve-hostnames": "Please specify yes or no for the resolve-hostnames option.",
          "announce-hostnames": "Please specify yes or no for the announce-hostnames option."}
CANT_RESOLVE = "Can't resolve instance hostname."


def script_error(option: str, path: str) -> str | None:
    """Redis checks a script path when it is configured: it must exist and be executable."""
    if os.access(path, os.X_OK):
        return None
    if option == "notification-script":
        return "Notification script seems non existing or non executable"
    return "Client reconfiguration script seems non existing or non executable"


def apply_lines(machine: Sentinel, lines: list[list[str]], now: int) -> dict[str, str]:
    """Apply ``sentinel`` directives; returns the global options (announce-ip, ...)."""
    options: dict[str, str] = {}
    for args in lines:
        if not args:
            raise SentinelConfigError("Unrecognized sentinel configuration statement.")
    pre = [a for a in lines if a[0].lower() in PRE_MONITOR]
    monitors = [a for a in lines if a[0].lower() == "monitor"]
    post = [a for a in lines if a[0].lower() not in PRE_MONITOR and a[0].lower() != "monitor"]
    for args in pre:
        word = args[0].lower()
        if len(args) != 2:
            raise SentinelConfigError("Unrecognized sentinel configuration statement.")
        value = args[1]
        if word == "myid":
            if len(value) != 40:
                raise SentinelConfigError("Malformed Sentinel id in myid option.")
            machine.myid = value
        elif word == "current-epoch":
            machine.current_epoch = max(machine.current_epoch, int(value) if value.isdigit() else 0)
        elif word in YES_NO:
            if value.lower() not in ("yes", "no"):
                raise SentinelConfigError(YES_NO[word])
            value = value.lower()
            if word == "resolve-hostnames":
                machine.resolve_hostnames = value == "yes"
            elif word == "announce-hostnames":
                machine.announce_hostnames = value == "yes"
        options[word] = value
    for args in monitors:
        if len(args) != 5:
            raise SentinelConfigError("Wrong number of arguments for 'sentinel monitor'")
        try:
            port, quorum = int(args[3]), int(args[4])
        except ValueError:
            raise SentinelConfigError("Invalid port or quorum") from None
        if quorum <= 0:
            raise SentinelConfigError("Quorum must be 1 or greater.")
        if not 0 <= port <= 65535:
            raise SentinelConfigError("Invalid port number.")
        if not machine.accepts(args[2]):
            raise SentinelConfigError(CANT_RESOLVE)
        if args[1] in machine.masters:
            raise SentinelConfigError("Duplicate master name.")
        machine.monitor(args[1], args[2], port, quorum, now, quiet=True)
    for args in post:
        word = args[0].lower()
        if len(args) < 2:
            raise SentinelConfigError("Unrecognized sentinel configuration statement.")
        master = machine.masters.get(args[1])
        if master is None:
            raise SentinelConfigError("No such master with specified name.")
        try:
            if word == "down-after-milliseconds" and len(args) == 3:
                master.down_after_period = int(args[2])
                if master.down_after_period <= 0:
                    raise SentinelConfigError("Negative or zero time parameter.")
            elif word == "failover-timeout" and len(args) == 3:
                master.failover_timeout = int(args[2])
                if master.failover_timeout <= 0:
                    raise SentinelConfigError("Negative or zero time parameter.")
            elif word == "parallel-syncs" and len(args) == 3:
                master.parallel_syncs = int(args[2])
            elif word == "auth-pass" and len(args) == 3:
                master.auth_pass = args[2]
            elif word == "auth-user" and len(args) == 3:
                master.auth_user = args[2]
            elif word in ("notification-script", "client-reconfig-script") and len(args) == 3:
                error = script_error(word, args[2])
                if error:
                    raise SentinelConfigError(error + ".")
                setattr(master, word.replace("-", "_"), args[2])
            elif word == "config-epoch" and len(args) == 3:
                master.config_epoch = int(args[2])
                machine.current_epoch = max(machine.current_epoch, master.config_epoch)
            elif word == "leader-epoch" and len(args) == 3:
                master.leader_epoch = int(args[2])
                machine.current_epoch = max(machine.current_epoch, master.leader_epoch)
            elif word in ("known-slave", "known-replica") and len(args) == 4:
                if machine.accepts(args[2]) and machine.replica_key(args[2], int(args[3])) in master.replicas:
                    raise SentinelConfigError("Duplicate hostname and port for replica.")
                if machine.add_replica(master, args[2], int(args[3]), now) is None:
                    raise SentinelConfigError(CANT_RESOLVE)
            elif word == "known-sentinel" and len(args) == 5:
                if machine.add_sentinel(master, args[2], int(args[3]), args[4], now) is None:
                    raise SentinelConfigError(CANT_RESOLVE)
            elif word in ("rename-command", "master-reboot-down-after-period") and len(args) >= 3:
                pass
            else:
                raise SentinelConfigError("Unrecognized sentinel configuration statement.")
        except ValueError:
            raise SentinelConfigError("Invalid argument in sentinel configuration statement.") from None
    for master in machine.masters.values():
        for inst in (*master.replicas.values(), *master.sentinels.values()):
            inst.down_after_period = master.down_after_period
    return options


def render(machine: Sentinel, options: dict[str, str]) -> list[str]:
    lines = [f"sentinel myid {machine.myid}"]
    # only what differs from the defaults, as Redis's rewrite does; resolve-hostnames comes
    # before the monitor lines so a restarted sentinel reads them with it in effect
    if options.get("deny-scripts-reconfig", "yes") == "no":
        lines.append("sentinel deny-scripts-reconfig no")
    if machine.resolve_hostnames:
        lines.append("sentinel resolve-hostnames yes")
    if machine.announce_hostnames:
        lines.append("sentinel announce-hostnames yes")
    for key in ("announce-ip", "announce-port", "sentinel-user", "sentinel-pass"):
        if options.get(key, "") not in ("", "0"):
            lines.append(f"sentinel {key} {options[key]}")
    for m in machine.masters.values():
        # once the promoted replica accepted its role, it is the master this sentinel restarts
        # with, and the old master becomes a known replica (sentinelGetCurrentMasterAddress)
        current = machine.current_master(m)
        lines.append(f"sentinel monitor {m.name} {machine.announce(current)} {current.port} {m.quorum}")
        if m.down_after_period != machine.default_down_after:
            lines.append(f"sentinel down-after-milliseconds {m.name} {m.down_after_period}")
        if m.failover_timeout != machine.default_failover_timeout:
            lines.append(f"sentinel failover-timeout {m.name} {m.failover_timeout}")
        if m.parallel_syncs != 1:
            lines.append(f"sentinel parallel-syncs {m.name} {m.parallel_syncs}")
        for key, value in (("auth-pass", m.auth_pass), ("auth-user", m.auth_user),
                           ("notification-script", m.notification_script),
                           ("client-reconfig-script", m.client_reconfig_script)):
            if value:
                lines.append(f"sentinel {key} {m.name} {value}")
        lines.append(f"sentinel config-epoch {m.name} {m.config_epoch}")
        lines.append(f"sentinel leader-epoch {m.name} {m.leader_epoch}")
        for r in m.replicas.values():
            ref = m if (r.ip, r.port) == (current.ip, current.port) else r
            lines.append(f"sentinel known-replica {m.name} {machine.announce(ref)} {ref.port}")
        for s in m.sentinels.values():
            if s.runid:
                lines.append(f"sentinel known-sentinel {m.name} {machine.announce(s)} {s.port} {s.runid}")
    lines.append(f"sentinel current-epoch {machine.current_epoch}")
    return lines


def rewrite(path: str, machine: Sentinel, options: dict[str, str]) -> None:
    """Replace the sentinel lines of ``path`` with the current state (atomic, fsynced)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            old = fh.read().split("\n")
    except FileNotFoundError:
        old = []
    kept = [line for line in old if not line.strip().lower().startswith("sentinel ")
            and line.strip() != "# Generated by CONFIG REWRITE"]
    while kept and not kept[-1].strip():
        kept.pop()
    text = "\n".join(kept + ["# Generated by CONFIG REWRITE"] + render(machine, options)) + "\n"
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
