"""sentinel.conf: reading the ``sentinel ...`` directives and rewriting the file with what the
sentinel learned (myid, epochs, known replicas and sentinels, the current master address), so a
restarted sentinel resumes where it was. The rewrite replaces every ``sentinel`` line and keeps
all other lines as they were; the file is replaced atomically and fsynced.
"""

import os

from .machine import DEFAULT_DOWN_AFTER, DEFAULT_FAILOVER_TIMEOUT, Sentinel


class SentinelConfigError(Exception):
    pass


def apply_lines(machine: Sentinel, lines: list[list[str]], now: int) -> dict[str, str]:
    """Apply ``sentinel`` directives; returns the global options (announce-ip, ...)."""
    options: dict[str, str] = {}
    pending: list[list[str]] = []
    for args in lines:
        if not args:
            raise SentinelConfigError("Unrecognized sentinel configuration statement.")
        word = args[0].lower()
        if word == "monitor":
            if len(args) != 5:
                raise SentinelConfigError("Wrong number of arguments for 'sentinel monitor'")
            try:
                port, quorum = int(args[3]), int(args[4])
            except ValueError:
                raise SentinelConfigError("Invalid port or quorum") from None
            if quorum <= 0:
                raise SentinelConfigError("Quorum must be 1 or greater.")
            machine.monitor(args[1], args[2], port, quorum, now, quiet=True)
        else:
            pending.append(args)
    for args in pending:
        word = args[0].lower()
        if word in ("myid", "current-epoch", "announce-ip", "announce-port", "resolve-hostnames",
                    "announce-hostnames", "deny-scripts-reconfig", "sentinel-user", "sentinel-pass"):
            if len(args) != 2:
                raise SentinelConfigError("Unrecognized sentinel configuration statement.")
            if word == "myid":
                if len(args[1]) != 40:
                    raise SentinelConfigError("Malformed Sentinel id in myid option.")
                machine.myid = args[1]
            elif word == "current-epoch":
                machine.current_epoch = max(machine.current_epoch, int(args[1]))
            options[word] = args[1]
            continue
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
            elif word == "notification-script" and len(args) == 3:
                master.notification_script = args[2]
            elif word == "client-reconfig-script" and len(args) == 3:
                master.client_reconfig_script = args[2]
            elif word == "config-epoch" and len(args) == 3:
                master.config_epoch = int(args[2])
                machine.current_epoch = max(machine.current_epoch, master.config_epoch)
            elif word == "leader-epoch" and len(args) == 3:
                master.leader_epoch = int(args[2])
                machine.current_epoch = max(machine.current_epoch, master.leader_epoch)
            elif word in ("known-slave", "known-replica") and len(args) == 4:
                machine.add_replica(master, args[2], int(args[3]), now)
            elif word == "known-sentinel" and len(args) == 5:
                machine.add_sentinel(master, args[2], int(args[3]), args[4], now)
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
    for key in ("announce-ip", "announce-port", "resolve-hostnames", "announce-hostnames",
                "deny-scripts-reconfig", "sentinel-user", "sentinel-pass"):
        if key in options:
            lines.append(f"sentinel {key} {options[key]}")
    for m in machine.masters.values():
        # once the promoted replica accepted its role, it is the master this sentinel restarts
        # with, and the old master becomes a known replica (sentinelGetCurrentMasterAddress)
        mip, mport = machine.current_master_address(m)
        lines.append(f"sentinel monitor {m.name} {mip} {mport} {m.quorum}")
        if m.down_after_period != DEFAULT_DOWN_AFTER:
            lines.append(f"sentinel down-after-milliseconds {m.name} {m.down_after_period}")
        if m.failover_timeout != DEFAULT_FAILOVER_TIMEOUT:
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
        replicas = [(r.ip, r.port) for r in m.replicas.values() if (r.ip, r.port) != (mip, mport)]
        if (mip, mport) != (m.ip, m.port):
            replicas.append((m.ip, m.port))
        for rip, rport in replicas:
            lines.append(f"sentinel known-replica {m.name} {rip} {rport}")
        for s in m.sentinels.values():
            if s.runid:
                lines.append(f"sentinel known-sentinel {m.name} {s.ip} {s.port} {s.runid}")
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
