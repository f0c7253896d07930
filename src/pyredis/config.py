"""The directive table: every redis.conf directive pyredis knows, declared once.

A ``Directive`` has a name, a kind (bool, int, memory, enum, string, or a custom parser), a
default, whether CONFIG SET may change it at run time, and an optional ``apply`` hook the node
registers to react to a change (port rebinding, maxmemory, loglevel...). The config file parser,
the command-line options, CONFIG GET/SET/REWRITE all read this table, so a directive is never
spelled twice. Errors carry Redis's exact texts (``argument must be 'yes' or 'no'``...), which
the file loader wraps in the ``*** FATAL CONFIG FILE ERROR ***`` report and CONFIG SET in its own.
"""

import glob as _glob
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from .protocol.errors import ProtocolError
from .protocol.parser import split_inline
from .protocol.sdsrepr import sds_repr

LLONG_MAX = (1 << 63) - 1
INT_MAX = (1 << 31) - 1
UINT_MAX = (1 << 32) - 1
_STRTOLL_DEC = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")
_STRTOLL_OCT = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-7]+)")


class ConfigError(Exception):
    """A bad value or directive; ``str(exc)`` is Redis's reason text."""


def parse_bool(text: str) -> bool:
    low = text.lower()
    if low == "yes":
        return True
    if low == "no":
        return False
    raise ConfigError("argument must be 'yes' or 'no'")


def parse_memory(text: str) -> int:
    """``1k`` = 1000, ``1kb`` = 1024 ... as Redis's ``memtoull``; plain numbers are bytes."""
    low = text.lower()
    units = (("gb", 1024 ** 3), ("mb", 1024 ** 2), ("kb", 1024), ("g", 1000 ** 3), ("m", 1000 ** 2),
             ("k", 1000), ("b", 1))
    mul = 1
    for suffix, m in units:
        if low.endswith(suffix):
            low = low[: -len(suffix)]
            mul = m
            break
    if not low or not (low.isdigit() or (low[0] == "-" and low[1:].isdigit())):
        raise ConfigError("argument must be a memory value")
    return int(low) * mul


def format_memory(value: int) -> str:
    return str(value)


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError("argument couldn't be parsed into an integer") from None


def parse_octal(text: str) -> int:
    """``strtoll(text, &end, 8)`` with Redis's checks (``*end`` must be the end, no ERANGE): so
    ``700``, ``0700``, ``+700`` and even ``""`` parse, ``800`` or ``0o700`` do not."""
    if text == "":
        return 0
    m = _STRTOLL_OCT.fullmatch(text)
    if m is None:
        raise ConfigError("argument couldn't be parsed as an octal number")
    value = int(m.group(2), 8)
    if value > LLONG_MAX + (m.group(1) == "-"):
        raise ConfigError("argument couldn't be parsed as an octal number")
    return -value if m.group(1) == "-" else value


@dataclass
class Directive:
    name: str
    kind: str                      # bool | int | octal | memory | enum | string | special
    default: object
    mutable: bool = True
    lo: int = 0
    hi: int = LLONG_MAX
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    multi_arg: bool = False         # takes several arguments (save, client-output-buffer-limit...)
    parser: Callable[[list[str]], object] | None = None
    formatter: Callable[[object], str] | None = None
    hidden: bool = False

    def parse(self, args: list[str]) -> object:
        if self.parser is not None:
            return self.parser(args)
        if len(args) != 1:
            raise ConfigError("wrong number of arguments")
        text = args[0]
        kind = self.kind
        if kind == "bool":
            return parse_bool(text)
        if kind == "octal":     # unixsocketperm: parsed and reported in octal, as Redis's OCTAL_CONFIG
            value = parse_octal(text)
            if not self.lo <= value <= self.hi:
                raise ConfigError(f"argument must be between {self.lo:o} and {self.hi:o} inclusive")
            return value
        if kind in ("int", "memory"):
            value = parse_memory(text) if kind == "memory" else parse_int(text)
            if not self.lo <= value <= self.hi:
                raise ConfigError(f"argument must be between {self.lo} and {self.hi} inclusive")
            return value
        if kind == "enum":
            low = text.lower()
            if low not in self.choices:
                raise ConfigError("argument(s) must be one of the following: " + ", ".join(self.choices))
            return low
        return text

    def format(self, value: object) -> str:
        if self.formatter is not None:
            return self.formatter(value)
        if self.kind == "bool":
            return "yes" if value else "no"
        if self.kind == "octal":
            return format(value, "o")
        return str(value)


# ----- parsers for the directives with several arguments

def _parse_save(args: list[str]) -> list[tuple[int, int]]:
    if len(args) == 1 and args[0] == "":
        return []
    if len(args) % 2:
        raise ConfigError("Invalid save parameters")
    points = []
    for i in range(0, len(args), 2):
        try:
            seconds, changes = int(args[i]), int(args[i + 1])
        except ValueError:
            raise ConfigError("Invalid save parameters") from None
        if seconds < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        points.append((seconds, changes))
    return points


def _format_save(points: object) -> str:
    return " ".join(f"{s} {c}" for s, c in points)  # type: ignore[union-attr]


CLIENT_CLASSES = ("normal", "replica", "pubsub")


def _parse_obuf(args: list[str]) -> dict[str, tuple[int, int, int]]:
    if len(args) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    limits: dict[str, tuple[int, int, int]] = {}
    for i in range(0, len(args), 4):
        cls = args[i].lower()
        if cls == "slave":
            cls = "replica"
        if cls not in CLIENT_CLASSES:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        try:
            hard, soft = parse_memory(args[i + 1]), parse_memory(args[i + 2])
        except ConfigError:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.") from None
        if _STRTOLL_DEC.fullmatch(args[i + 3]) is None:     # strtoll: no "1.5", "0x10" or "1_0"
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        secs = int(args[i + 3])
        if hard < 0 or soft < 0 or secs < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        limits[cls] = (hard, soft, secs)
    return limits


def _format_obuf(limits: object) -> str:
    names = {"normal": "normal", "replica": "slave", "pubsub": "pubsub"}
    return " ".join(f"{names[c]} {h} {s} {t}" for c, (h, s, t) in limits.items())  # type: ignore


def _parse_list(args: list[str]) -> list[str]:
    return list(args)


def _parse_bind(args: list[str]) -> list[str]:
    return [] if args == [""] else list(args)   # a single empty argument means no address, as Redis


def _format_list(value: object) -> str:
    return " ".join(value)  # type: ignore[arg-type]


# keyspace notification classes, as Redis's NOTIFY_* bits
NOTIFY_KEYSPACE, NOTIFY_KEYEVENT, NOTIFY_GENERIC, NOTIFY_STRING = 1, 2, 4, 8
NOTIFY_LIST, NOTIFY_SET, NOTIFY_HASH, NOTIFY_ZSET = 16, 32, 64, 128
NOTIFY_EXPIRED, NOTIFY_EVICTED, NOTIFY_STREAM, NOTIFY_KEY_MISS = 256, 512, 1024, 2048
NOTIFY_MODULE, NOTIFY_NEW = 8192, 16384
_NOTIFY_CHARS = [("g", NOTIFY_GENERIC), ("$", NOTIFY_STRING), ("l", NOTIFY_LIST), ("s", NOTIFY_SET),
                 ("h", NOTIFY_HASH), ("z", NOTIFY_ZSET), ("x", NOTIFY_EXPIRED), ("e", NOTIFY_EVICTED),
                 ("t", NOTIFY_STREAM), ("d", NOTIFY_MODULE)]
NOTIFY_ALL = sum(bit for _, bit in _NOTIFY_CHARS)


def notify_string_to_flags(text: str) -> int:
    flags = 0
    for ch in text:
        if ch == "A":
            flags |= NOTIFY_ALL
        elif ch == "K":
            flags |= NOTIFY_KEYSPACE
        elif ch == "E":
            flags |= NOTIFY_KEYEVENT
        elif ch == "m":
            flags |= NOTIFY_KEY_MISS
        elif ch == "n":
            flags |= NOTIFY_NEW
        else:
            for c, bit in _NOTIFY_CHARS:
                if c == ch:
                    flags |= bit
                    break
            else:
                raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return flags


def notify_flags_to_string(flags: int) -> str:
    out = "A" if flags & NOTIFY_ALL == NOTIFY_ALL else "".join(c for c, bit in _NOTIFY_CHARS if flags & bit)
    for c, bit in (("K", NOTIFY_KEYSPACE), ("E", NOTIFY_KEYEVENT), ("m", NOTIFY_KEY_MISS), ("n", NOTIFY_NEW)):
        if flags & bit:
            out += c
    return out


def _parse_notify(args: list[str]) -> int:
    if len(args) != 1:
        raise ConfigError("wrong number of arguments")
    return notify_string_to_flags(args[0])


def _format_notify(value: object) -> str:
    return notify_flags_to_string(value)  # type: ignore[arg-type]


def _parse_replicaof(args: list[str]) -> tuple[str, int] | None:
    if len(args) != 2:
        raise ConfigError("wrong number of arguments")
    if args[0].lower() == "no" and args[1].lower() == "one":
        return None
    port = parse_int(args[1])
    if not 0 <= port <= 65535:
        raise ConfigError("Invalid master port")
    return (args[0], port)


def _format_replicaof(value: object) -> str:
    return "" if value is None else f"{value[0]} {value[1]}"  # type: ignore[index]


EVICTION_POLICIES = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                     "allkeys-lfu", "allkeys-random", "noeviction")

_D = Directive
DIRECTIVES: list[Directive] = [
    _D("port", "int", 6379, hi=65535),
    _D("bind", "special", ["*", "-::*"], multi_arg=True, parser=_parse_bind, formatter=_format_list),
    _D("bind-source-addr", "string", ""),
    _D("unixsocket", "string", "", mutable=False),
    _D("unixsocketperm", "octal", 0, mutable=False, hi=0o777),
    _D("protected-mode", "bool", True),
    _D("requirepass", "string", ""),
    _D("masterauth", "string", ""),
    _D("masteruser", "string", ""),
    _D("databases", "int", 16, mutable=False, lo=1, hi=INT_MAX),
    _D("maxclients", "int", 10000, lo=1, hi=UINT_MAX),
    _D("timeout", "int", 0, hi=INT_MAX),
    _D("tcp-keepalive", "int", 300, hi=INT_MAX),
    _D("tcp-backlog", "int", 511, mutable=False, hi=INT_MAX),
    _D("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _D("logfile", "string", "", mutable=False),
    _D("pidfile", "string", ""),
    _D("dir", "special", "", parser=lambda a: a[0] if len(a) == 1 else _bad_args()),
    _D("daemonize", "bool", False, mutable=False),
    _D("supervised", "enum", "no", mutable=False, choices=("upstart", "systemd", "auto", "no")),
    _D("syslog-enabled", "bool", False, mutable=False),
    _D("syslog-ident", "string", "redis", mutable=False),
    _D("syslog-facility", "string", "local0", mutable=False),
    _D("always-show-logo", "bool", False, mutable=False),
    _D("set-proc-title", "bool", True, mutable=False),
    _D("proc-title-template", "string", "{title} {listen-addr} {server-mode}"),
    _D("hz", "int", 10, lo=0, hi=INT_MAX),
    _D("dynamic-hz", "bool", True),
    _D("maxmemory", "memory", 0),
    _D("maxmemory-policy", "enum", "noeviction", choices=EVICTION_POLICIES),
    _D("maxmemory-samples", "int", 5, lo=1, hi=64),
    _D("maxmemory-eviction-tenacity", "int", 10, hi=100),
    _D("maxmemory-clients", "memory", 0),
    _D("lfu-log-factor", "int", 10, hi=INT_MAX),
    _D("lfu-decay-time", "int", 1, hi=INT_MAX),
    _D("proto-max-bulk-len", "memory", 512 * 1024 * 1024, lo=1024 * 1024),
    _D("client-query-buffer-limit", "memory", 1024 ** 3, lo=1024 * 1024, hi=LLONG_MAX),
    _D("client-output-buffer-limit", "special",
       {"normal": (0, 0, 0), "replica": (256 * 1024 ** 2, 64 * 1024 ** 2, 60), "pubsub": (32 * 1024 ** 2, 8 * 1024 ** 2, 60)},
       multi_arg=True, parser=_parse_obuf, formatter=_format_obuf),
    _D("notify-keyspace-events", "special", 0, parser=_parse_notify, formatter=_format_notify),
    _D("slowlog-log-slower-than", "int", 10000, lo=-1),
    _D("slowlog-max-len", "int", 128, hi=LLONG_MAX),
    _D("latency-monitor-threshold", "int", 0),
    _D("latency-tracking", "bool", True),
    _D("enable-debug-command", "enum", "no", mutable=False, choices=("no", "yes", "local")),
    _D("enable-protected-configs", "enum", "no", mutable=False, choices=("no", "yes", "local")),
    _D("enable-module-command", "enum", "no", mutable=False, choices=("no", "yes", "local")),
    _D("active-expire-effort", "int", 1, lo=1, hi=10),
    _D("lazyfree-lazy-eviction", "bool", False),
    _D("lazyfree-lazy-expire", "bool", False),
    _D("lazyfree-lazy-server-del", "bool", False),
    _D("lazyfree-lazy-user-del", "bool", False),
    _D("lazyfree-lazy-user-flush", "bool", False),
    _D("io-threads", "int", 1, mutable=False, lo=1, hi=128),
    _D("io-threads-do-reads", "bool", False, mutable=False),
    _D("activerehashing", "bool", True),
    _D("activedefrag", "bool", False),
    _D("jemalloc-bg-thread", "bool", True),
    _D("oom-score-adj", "enum", "no", choices=("no", "yes", "relative", "absolute")),
    _D("crash-log-enabled", "bool", True),
    _D("crash-memcheck-enabled", "bool", True),
    _D("disable-thp", "bool", True, mutable=False),
    _D("acllog-max-len", "int", 128),
    _D("aclfile", "string", "", mutable=False),
    _D("rename-command", "special", [], mutable=False, multi_arg=True, parser=_parse_list, formatter=_format_list, hidden=True),
    # persistence (the persistence issue builds the behaviour; the directives are read here)
    _D("save", "special", [(3600, 1), (300, 100), (60, 10000)], multi_arg=True, parser=_parse_save, formatter=_format_save),
    _D("dbfilename", "string", "dump.rdb"),
    _D("rdbcompression", "bool", True),
    _D("rdbchecksum", "bool", True),
    _D("rdb-del-sync-files", "bool", False),
    _D("rdb-save-incremental-fsync", "bool", True),
    _D("stop-writes-on-bgsave-error", "bool", True),
    _D("sanitize-dump-payload", "enum", "no", choices=("no", "yes", "clients")),
    _D("appendonly", "bool", False),
    _D("appendfilename", "string", "appendonly.aof", mutable=False),
    _D("appenddirname", "string", "appendonlydir", mutable=False),
    _D("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _D("no-appendfsync-on-rewrite", "bool", False),
    _D("auto-aof-rewrite-percentage", "int", 100),
    _D("auto-aof-rewrite-min-size", "memory", 64 * 1024 * 1024),
    _D("aof-load-truncated", "bool", True),
    _D("aof-use-rdb-preamble", "bool", True),
    _D("aof-rewrite-incremental-fsync", "bool", True),
    _D("aof-timestamp-enabled", "bool", False),
    # data type encodings
    _D("hash-max-listpack-entries", "int", 512, aliases=("hash-max-ziplist-entries",)),
    _D("hash-max-listpack-value", "int", 64, aliases=("hash-max-ziplist-value",)),
    _D("list-max-listpack-size", "int", -2, lo=-(1 << 31), aliases=("list-max-ziplist-size",)),
    _D("list-compress-depth", "int", 0),
    _D("set-max-intset-entries", "int", 512),
    _D("zset-max-listpack-entries", "int", 128, aliases=("zset-max-ziplist-entries",)),
    _D("zset-max-listpack-value", "int", 64, aliases=("zset-max-ziplist-value",)),
    _D("hll-sparse-max-bytes", "memory", 3000),
    _D("stream-node-max-bytes", "memory", 4096),
    _D("stream-node-max-entries", "int", 100),
    _D("lua-time-limit", "int", 5000, aliases=("busy-reply-threshold",)),
    # replication (the replication issue builds the behaviour)
    _D("replicaof", "special", None, aliases=("slaveof",), parser=_parse_replicaof, formatter=_format_replicaof,
       mutable=False, hidden=True),
    _D("replica-read-only", "bool", True, aliases=("slave-read-only",)),
    _D("replica-serve-stale-data", "bool", True, aliases=("slave-serve-stale-data",)),
    _D("replica-priority", "int", 100, aliases=("slave-priority",)),
    _D("replica-announced", "bool", True),
    _D("replica-announce-ip", "string", "", aliases=("slave-announce-ip",)),
    _D("replica-announce-port", "int", 0, hi=65535, aliases=("slave-announce-port",)),
    _D("replica-lazy-flush", "bool", False, aliases=("slave-lazy-flush",)),
    _D("replica-ignore-maxmemory", "bool", True, aliases=("slave-ignore-maxmemory",)),
    _D("repl-backlog-size", "memory", 1024 * 1024, lo=1),
    _D("repl-backlog-ttl", "int", 3600),
    _D("repl-timeout", "int", 60, lo=1),
    _D("repl-ping-replica-period", "int", 10, lo=1, aliases=("repl-ping-slave-period",)),
    _D("repl-diskless-sync", "bool", True),
    _D("repl-diskless-sync-delay", "int", 5),
    _D("repl-diskless-sync-max-replicas", "int", 0),
    _D("repl-diskless-load", "enum", "disabled", choices=("disabled", "on-empty-db", "swapdb")),
    _D("repl-disable-tcp-nodelay", "bool", False),
    _D("min-replicas-to-write", "int", 0, aliases=("min-slaves-to-write",)),
    _D("min-replicas-max-lag", "int", 10, aliases=("min-slaves-max-lag",)),
    # cluster (the cluster issue builds the behaviour)
    _D("cluster-enabled", "bool", False, mutable=False),
    _D("cluster-config-file", "string", "nodes.conf", mutable=False),
    _D("cluster-node-timeout", "int", 15000),
    _D("cluster-port", "int", 0, mutable=False, hi=65535),
    _D("cluster-announce-ip", "string", ""),
    _D("cluster-announce-port", "int", 0, hi=65535),
    _D("cluster-announce-bus-port", "int", 0, hi=65535),
    _D("cluster-announce-hostname", "string", ""),
    _D("cluster-replica-validity-factor", "int", 10, aliases=("cluster-slave-validity-factor",)),
    _D("cluster-migration-barrier", "int", 1),
    _D("cluster-allow-replica-migration", "bool", True),
    _D("cluster-require-full-coverage", "bool", True),
    _D("cluster-replica-no-failover", "bool", False, aliases=("cluster-slave-no-failover",)),
    _D("cluster-allow-reads-when-down", "bool", False),
    _D("cluster-allow-pubsubshard-when-down", "bool", True),
    _D("cluster-preferred-endpoint-type", "enum", "ip", choices=("ip", "hostname", "unknown-endpoint")),
]


def _bad_args() -> object:
    raise ConfigError("wrong number of arguments")


TABLE: dict[str, Directive] = {}
for _d in DIRECTIVES:
    TABLE[_d.name] = _d
    for _a in _d.aliases:
        TABLE[_a] = _d


class Config:
    """The values in force, keyed by canonical directive name, plus change hooks."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {d.name: _copy(d.default) for d in DIRECTIVES}
        self.hooks: dict[str, Callable[[object, object], None]] = {}
        self.config_file: str | None = None
        self.sentinel_lines: list[list[str]] = []   # `sentinel ...` lines, for sentinel mode
        self.rename_commands: list[tuple[str, str]] = []
        self.seen: set[str] = set()                 # directives given in the file or command line

    def __getitem__(self, name: str) -> object:
        return self.values[name]

    def get(self, name: str, default: object = None) -> object:
        return self.values.get(name, default)

    def set(self, name: str, args: list[str], from_file: bool = False) -> None:
        """Parse and store one directive given as a config line's arguments (loadServerConfigFromString);
        raises ConfigError with Redis's reason."""
        d = TABLE.get(name.lower())
        if d is None:
            raise ConfigError("Bad directive or wrong number of arguments")
        if d.name == "rename-command":     # a statement of the file, not a config: any other count is "bad"
            if len(args) != 2:
                raise ConfigError("Bad directive or wrong number of arguments")
            self.rename_commands.append((args[0], args[1]))
            return
        if not d.multi_arg and len(args) != 1 and d.parser is None:
            raise ConfigError("wrong number of arguments")
        if d.multi_arg and len(args) == 1 and args[0]:
            # `save "900 1"`, `client-output-buffer-limit "pubsub 1mb 256kb 60"`: one non-empty
            # argument is split again (sdssplitargs), so `--save "900 1"` works too
            try:
                args = _split_line(args[0])
            except ConfigError:
                args = []
        value = d.parse(args)
        if d.name == "save" and from_file and "save" in self.seen:
            if not args:
                return                          # a bare `save` after others adds nothing
            if value:
                value = list(self.values["save"]) + value  # repeated `save` lines add points
        elif d.name == "client-output-buffer-limit":
            merged = dict(self.values[d.name])  # type: ignore[call-overload]
            merged.update(value)                # only the classes named change
            value = merged
        old = self.values[d.name]
        self.values[d.name] = value
        self.seen.add(d.name)
        hook = self.hooks.get(d.name)
        if hook is not None and not from_file:
            hook(old, value)

    def format(self, name: str) -> str:
        d = TABLE[name]
        return d.format(self.values[d.name])


def _copy(value: object) -> object:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _split_line(line: str) -> list[str]:
    try:
        return [a.decode("utf-8", "surrogateescape") for a in split_inline(line.encode("utf-8", "surrogateescape"))]
    except ProtocolError:
        raise ConfigError("Unbalanced quotes in configuration line") from None


_TRIM = " \t\r\n"     # what sdstrim removes around each config line


class FatalConfigError(Exception):
    """Start-up stops: ``str(exc)`` is Redis's whole ``*** FATAL CONFIG FILE ERROR ***`` report."""


def fatal_report(lineno: int, line: str, reason: str) -> str:
    from . import REDIS_VERSION  # noqa: PLC0415
    return (f"\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n"
            f"Reading the configuration file, at line {lineno}\n>>> '{line.strip(_TRIM)}'\n{reason}\n")


def load_text(config: Config, text: str, base_dir: str = ".", depth: int = 0) -> None:
    """Apply config text (a file's contents plus the command-line options) as Redis does:
    one directive per line, the last occurrence wins (``save`` accumulates), ``include`` inlines."""
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(_TRIM)
        if not line or line.startswith("#"):
            continue
        try:
            argv = _split_line(line)
        except ConfigError as exc:
            raise FatalConfigError(fatal_report(lineno, raw, str(exc))) from None
        if not argv:
            continue
        name = argv[0].lower()
        args = argv[1:]
        try:
            if name == "include":
                if len(args) != 1:
                    raise ConfigError("Bad directive or wrong number of arguments")
                if depth > 16:
                    raise ConfigError("include nesting too deep")
                pattern = args[0] if os.path.isabs(args[0]) else os.path.join(base_dir, args[0])
                paths = sorted(_glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
                for path in paths:
                    try:
                        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                            load_text(config, fh.read(), base_dir, depth + 1)
                    except OSError as exc:
                        raise ConfigError(f"Fatal error, can't open config file '{path}': {exc.strerror}") from None
                continue
            if name == "sentinel":
                config.sentinel_lines.append(args)
                continue
            if name in ("user", "loadmodule") :
                raise ConfigError(f"'{name}' is not supported by pyredis")
            config.set(name, args, from_file=True)
        except ConfigError as exc:
            raise FatalConfigError(fatal_report(lineno, raw, str(exc))) from None


def options_to_text(options: list[str]) -> str:
    """The command-line options as the config lines redis-server's ``main`` builds from them.

    ``--name`` starts a line with the bare name; each argument is appended quoted by ``sdscatrepr``
    (``--port 7000`` → ``port "7000"``), so the FATAL report shows ``'port "abc"'`` as Redis does.
    After a bare ``--name`` the next word is taken as its argument even if it starts with ``--``
    (``--masterauth --secret``), except after ``--save``/``--sentinel``, and ``--save`` with nothing
    after it means ``save ""``. A ``--"name value"`` word carries its value already. Redis leaves a
    space after each word; the lines are trimmed when read, so we leave it out.
    """
    lines: list[str] = []
    handled_last = True     # the previous option got its argument (or none is due)
    last = len(options) - 1
    for j, opt in enumerate(options):
        if handled_last and opt.startswith("--"):
            words = [opt[2:]]
            try:
                bare = len(_split_line(opt)) == 1
            except ConfigError:
                bare = False
            if bare:
                handled_last = False
                low = opt.lower()
                nxt_is_opt = j != last and options[j + 1].startswith("--")
                if low == "--save" and (nxt_is_opt or j == last):
                    words.append('""')
                    handled_last = True
                elif low == "--sentinel" and nxt_is_opt:
                    handled_last = True
            else:
                handled_last = True
            lines.append(" ".join(words))
        else:
            arg = _repr(opt)
            if lines:
                lines[-1] += " " + arg
            else:
                lines.append(arg)
            handled_last = True
    return "\n".join(lines)


def _repr(arg: str) -> str:
    return sds_repr(os.fsencode(arg))
