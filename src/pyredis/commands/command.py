"""COMMAND: the command table introspected, in Redis 7.0's exact reply shapes.

Everything here is read from ``registry.TABLE``, so a command declared once is also described
once. A COMMAND INFO row is ``[name, arity, flags, first, last, step, categories, tips, key specs,
subcommands]`` (``addReplyCommandInfo``); flags, categories, tips and key specs are sets under
RESP3. ACL categories are the explicit ones plus those Redis derives from the flags
(``setImplicitACLCategories``), printed in Redis's category order, not declaration order.

Key specs: a command may declare them (``key_specs=`` on ``@command``); otherwise one spec is
derived from first/last/step (begin_search index, find_keys range) with access flags
approximated from the command flags, which is what a cluster client needs to route. COMMAND DOCS
gives summary, since, group, complexity and subcommands; we keep no argument tables.
"""

from ..engine.glob import compile_pattern
from ..protocol import resp
from ..protocol.errors import SYNTAX_ERR, CommandError, unknown_subcommand, wrong_arity
from .registry import (
    ADMIN,
    ALLOW_BUSY,
    ASKING,
    BLOCKING,
    DENYOOM,
    FAST,
    LOADING,
    MOVABLE_KEYS,
    NO_ASYNC_LOADING,
    NO_AUTH,
    NO_MANDATORY_KEYS,
    NO_MULTI,
    NOSCRIPT,
    PUBSUB,
    READONLY,
    SKIP_MONITOR,
    SKIP_SLOWLOG,
    STALE,
    TABLE,
    WRITE,
    Command,
    command,
    subcommand,
)

# the flags COMMAND shows, in addReplyCommandFlags's order (may_replicate, sentinel, protected hidden)
_SHOWN_FLAGS = (
    (WRITE, b"write"), (READONLY, b"readonly"), (DENYOOM, b"denyoom"), (1 << 30, b"module"),
    (ADMIN, b"admin"), (PUBSUB, b"pubsub"), (NOSCRIPT, b"noscript"), (BLOCKING, b"blocking"),
    (LOADING, b"loading"), (STALE, b"stale"), (SKIP_MONITOR, b"skip_monitor"),
    (SKIP_SLOWLOG, b"skip_slowlog"), (ASKING, b"asking"), (FAST, b"fast"), (NO_AUTH, b"no_auth"),
    (NO_MANDATORY_KEYS, b"no_mandatory_keys"), (NO_ASYNC_LOADING, b"no_async_loading"),
    (NO_MULTI, b"no_multi"), (MOVABLE_KEYS, b"movablekeys"), (ALLOW_BUSY, b"allow_busy"),
)

# Redis's ACLCommandCategories table: the order COMMAND INFO prints categories in
ACL_CATEGORIES = (
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
    "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
    "transaction", "scripting",
)

_DELETE_ONLY = {"del", "unlink", "getdel"}

HELP_LINES = [
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
]


def acl_categories(cmd: Command) -> list[str]:
    """The command's ACL categories (explicit and implicit) in Redis's order, without the '@'."""
    cats = set(cmd.categories)
    f = cmd.flags
    if f & WRITE:
        cats.add("write")
    if f & READONLY and "scripting" not in cats:
        cats.add("read")
    if f & ADMIN:
        cats.update(("admin", "dangerous"))
    if f & PUBSUB:
        cats.add("pubsub")
    if f & FAST:
        cats.add("fast")
    if f & BLOCKING:
        cats.add("blocking")
    if "fast" not in cats:
        cats.add("slow")
    return [c for c in ACL_CATEGORIES if c in cats]


def _derived_flags(cmd: Command) -> str:
    f = cmd.flags
    if f & WRITE:
        if cmd.name in _DELETE_ONLY:
            return "RM delete"
        return "RW update" if f & DENYOOM else "RW access delete"
    return "RO access" if f & READONLY else "RO"


def key_specs(cmd: Command) -> list[dict]:
    """The command's key specs as dicts: ``flags`` (str), ``bs`` and ``fk`` tuples, ``notes``."""
    if cmd.key_specs:
        return list(cmd.key_specs)
    if not cmd.first_key:
        return []
    last = cmd.last_key
    lastkey = last - cmd.first_key if last >= 0 else last
    return [{"flags": _derived_flags(cmd), "bs": ("index", cmd.first_key),
             "fk": ("range", lastkey, cmd.step or 1, 0)}]


def _encode_spec(spec: dict, r: int) -> bytes:
    pairs = []
    if spec.get("notes"):
        pairs.append((resp.bulk(b"notes"), resp.bulk(spec["notes"].encode())))
    flags = [resp.simple(w.encode()) for w in spec.get("flags", "").split()]
    pairs.append((resp.bulk(b"flags"), resp.set_(flags, r)))
    bs = spec.get("bs", ("unknown",))
    if bs[0] == "index":
        bs_spec = resp.map_([(resp.bulk(b"index"), resp.integer(bs[1]))], r)
    elif bs[0] == "keyword":
        bs_spec = resp.map_([(resp.bulk(b"keyword"), resp.bulk(bs[1].encode())),
                             (resp.bulk(b"startfrom"), resp.integer(bs[2]))], r)
    else:
        bs_spec = resp.map_([], r)
    pairs.append((resp.bulk(b"begin_search"),
                  resp.map_([(resp.bulk(b"type"), resp.bulk(bs[0].encode())), (resp.bulk(b"spec"), bs_spec)], r)))
    fk = spec.get("fk", ("unknown",))
    if fk[0] == "range":
        fk_spec = resp.map_([(resp.bulk(b"lastkey"), resp.integer(fk[1])), (resp.bulk(b"keystep"), resp.integer(fk[2])),
                             (resp.bulk(b"limit"), resp.integer(fk[3]))], r)
    elif fk[0] == "keynum":
        fk_spec = resp.map_([(resp.bulk(b"keynumidx"), resp.integer(fk[1])),
                             (resp.bulk(b"firstkey"), resp.integer(fk[2])),
                             (resp.bulk(b"keystep"), resp.integer(fk[3]))], r)
    else:
        fk_spec = resp.map_([], r)
    pairs.append((resp.bulk(b"find_keys"),
                  resp.map_([(resp.bulk(b"type"), resp.bulk(fk[0].encode())), (resp.bulk(b"spec"), fk_spec)], r)))
    return resp.map_(pairs, r)


def info_row(cmd: Command, r: int = 2) -> bytes:
    """One COMMAND INFO row, with its subcommands' rows nested."""
    flags = [resp.simple(name) for bit, name in _SHOWN_FLAGS if cmd.flags & bit]
    cats = [resp.simple(b"@" + c.encode()) for c in acl_categories(cmd)]
    tips = [resp.bulk(t.encode()) for t in cmd.tips]
    specs = [_encode_spec(s, r) for s in key_specs(cmd)]
    if cmd.subcommands:
        subs = resp.array([info_row(s, r) for s in cmd.subcommands.values()])
    else:
        subs = resp.set_([], r)
    return resp.array([
        resp.bulk(cmd.name.encode()), resp.integer(cmd.arity), resp.set_(flags, r),
        resp.integer(cmd.first_key), resp.integer(cmd.last_key), resp.integer(cmd.step),
        resp.set_(cats, r), resp.set_(tips, r), resp.set_(specs, r), subs,
    ])


def docs_entry(cmd: Command, r: int = 2) -> bytes:
    """One COMMAND DOCS value (a map), in addReplyCommandDocs's field order."""
    pairs = []
    if cmd.summary:
        pairs.append((resp.bulk(b"summary"), resp.bulk(cmd.summary.encode())))
    if cmd.since:
        pairs.append((resp.bulk(b"since"), resp.bulk(cmd.since.encode())))
    pairs.append((resp.bulk(b"group"), resp.bulk(cmd.group.encode())))
    if cmd.complexity:
        pairs.append((resp.bulk(b"complexity"), resp.bulk(cmd.complexity.encode())))
    if cmd.subcommands:
        pairs.append((resp.bulk(b"subcommands"),
                      resp.map_([(resp.bulk(s.name.encode()), docs_entry(s, r)) for s in cmd.subcommands.values()],
                                r)))
    return resp.map_(pairs, r)


def lookup(argv: list[bytes]) -> Command | None:
    """The command (or subcommand) ``argv`` names, as Redis's ``lookupCommand``."""
    base = TABLE.get(argv[0].lower())
    if base is None or not base.subcommands or len(argv) < 2:
        return base
    return base.subcommands.get(argv[1].lower())


def _lookup_name(name: bytes) -> Command | None:
    """``get`` or ``config|get``, as COMMAND INFO/DOCS accept."""
    return lookup(name.split(b"|", 1)) if b"|" in name else TABLE.get(name.lower())


def _all_commands():
    for cmd in TABLE.values():
        yield cmd
        yield from cmd.subcommands.values()


def _has_keys(cmd: Command) -> bool:
    return cmd.getkeys is not None or bool(key_specs(cmd))


def _command_keys(argv: list[bytes]) -> tuple[Command, list[int]]:
    """COMMAND GETKEYS's checks, in getKeysSubcommandImpl's order; the command and key indexes."""
    cmd = lookup(argv)
    if cmd is None:
        raise CommandError(b"ERR Invalid command specified")
    if not _has_keys(cmd):
        raise CommandError(b"ERR The command has no key arguments")
    n = len(argv)
    if (cmd.arity > 0 and cmd.arity != n) or n < -cmd.arity:
        raise CommandError(b"ERR Invalid number of arguments specified for command")
    try:
        keys = cmd.keys(argv)
    except (ValueError, IndexError):
        keys = []
    if not keys and not cmd.flags & NO_MANDATORY_KEYS:
        raise CommandError(b"ERR Invalid arguments specified for command")
    return cmd, keys


def _spec_flags_for(cmd: Command, argv: list[bytes], index: int) -> list[str]:
    """The key-spec flags that apply to the key at ``argv[index]``."""
    specs = key_specs(cmd)
    if len(specs) == 1:
        return specs[0].get("flags", "").split()
    for spec in specs:
        if index in _spec_keys(spec, argv):
            return spec.get("flags", "").split()
    return specs[0].get("flags", "").split() if specs else []


def _spec_keys(spec: dict, argv: list[bytes]) -> list[int]:
    """Key indexes one spec selects, as getKeysUsingKeySpecs (index/keyword, range/keynum)."""
    n = len(argv)
    bs = spec.get("bs", ("unknown",))
    if bs[0] == "index":
        first = bs[1]
    elif bs[0] == "keyword":
        word = bs[1].encode().lower()
        start = bs[2]
        rng = range(start, n) if start > 0 else range(n + start, 0, -1)
        first = next((i + 1 for i in rng if 0 <= i < n and argv[i].lower() == word), 0)
        if not first:
            return []
    else:
        return []
    fk = spec.get("fk", ("unknown",))
    try:
        if fk[0] == "range":
            lastkey, step, limit = fk[1], fk[2], fk[3]
            if lastkey >= 0:
                last = first + lastkey
            elif limit <= 1:
                last = n + lastkey
            else:
                last = first + (n - 1 - first) // limit
            return list(range(first, min(last, n - 1) + 1, step))
        if fk[0] == "keynum":
            count = int(argv[first + fk[1]])
            start = first + fk[2]
            return list(range(start, min(start + count * fk[3], n), fk[3]))
    except (ValueError, IndexError):
        return []
    return []


@command("command", -1, "loading stale", group="server", categories="@connection",
         summary="Get array of Redis command details", since="2.8.13",
         complexity="O(N) where N is the total number of Redis commands", tips="nondeterministic_output_order")
def command_(client, argv: list[bytes]) -> bytes:
    if len(argv) == 1:
        r = client.resp
        return resp.array([info_row(cmd, r) for cmd in TABLE.values()])
    parent = TABLE[b"command"]
    sub = parent.subcommands.get(argv[1].lower())
    if sub is None:
        raise CommandError(unknown_subcommand(argv[1], b"COMMAND"))
    if (sub.arity > 0 and len(argv) != sub.arity) or len(argv) < -sub.arity:
        raise CommandError(wrong_arity(b"command|" + argv[1].lower()))
    assert sub.handler is not None
    return sub.handler(client, argv)


@subcommand("command", "count", 2, "loading stale", categories="@connection",
            summary="Get total number of Redis commands", since="2.8.13", complexity="O(1)")
def command_count(client, argv: list[bytes]) -> bytes:
    return resp.integer(len(TABLE))


@subcommand("command", "list", -2, "loading stale", categories="@connection",
            summary="Get an array of Redis command names", since="7.0.0",
            complexity="O(N) where N is the total number of Redis commands", tips="nondeterministic_output_order")
def command_list(client, argv: list[bytes]) -> bytes:
    n = len(argv)
    if n == 2:
        return resp.bulk_array([c.name.encode() for c in _all_commands()])
    if n != 5 or argv[2].lower() != b"filterby":
        raise CommandError(SYNTAX_ERR)
    kind = argv[3].lower()
    arg = argv[4]
    if kind == b"module":
        names: list[bytes] = []          # pyredis loads no modules
    elif kind == b"aclcat":
        cat = arg.decode(errors="replace").lower()
        names = [c.name.encode() for c in _all_commands() if cat in acl_categories(c)]
    elif kind == b"pattern":
        match = compile_pattern(arg, True)
        names = [c.name.encode() for c in _all_commands() if match(c.name.encode())]
    else:
        raise CommandError(SYNTAX_ERR)
    return resp.bulk_array(names)


@subcommand("command", "info", -2, "loading stale", categories="@connection",
            summary="Get array of specific Redis command details, or all when no argument is given.",
            since="2.8.13", complexity="O(N) where N is the number of commands to look up",
            tips="nondeterministic_output_order")
def command_info(client, argv: list[bytes]) -> bytes:
    r = client.resp
    if len(argv) == 2:
        return resp.array([info_row(cmd, r) for cmd in TABLE.values()])
    rows = []
    for name in argv[2:]:
        cmd = _lookup_name(name)
        rows.append(resp.null(r) if cmd is None else info_row(cmd, r))
    return resp.array(rows)


@subcommand("command", "docs", -2, "loading stale", categories="@connection",
            summary="Get array of specific Redis command documentation", since="7.0.0",
            complexity="O(N) where N is the number of commands to look up", tips="nondeterministic_output_order")
def command_docs(client, argv: list[bytes]) -> bytes:
    r = client.resp
    if len(argv) == 2:
        found = list(TABLE.values())
    else:
        found = [c for c in (_lookup_name(name) for name in argv[2:]) if c is not None]
    return resp.map_([(resp.bulk(c.name.encode()), docs_entry(c, r)) for c in found], r)


@subcommand("command", "getkeys", -4, "loading stale", categories="@connection",
            summary="Extract keys given a full Redis command", since="2.8.13",
            complexity="O(N) where N is the number of arguments to the command")
def command_getkeys(client, argv: list[bytes]) -> bytes:
    _, keys = _command_keys(argv[2:])
    return resp.bulk_array([argv[2 + i] for i in keys])


@subcommand("command", "getkeysandflags", -4, "loading stale", categories="@connection",
            summary="Extract keys and access flags given a full Redis command", since="7.0.0",
            complexity="O(N) where N is the number of arguments to the command")
def command_getkeysandflags(client, argv: list[bytes]) -> bytes:
    full = argv[2:]
    cmd, keys = _command_keys(full)
    r = client.resp
    rows = []
    for i in keys:
        flags = [resp.simple(f.encode()) for f in _spec_flags_for(cmd, full, i)]
        rows.append(resp.array([resp.bulk(full[i]), resp.set_(flags, r)]))
    return resp.array(rows)


@subcommand("command", "help", 2, "loading stale", categories="@connection",
            summary="Show helpful text about the different subcommands", since="5.0.0", complexity="O(1)")
def command_help(client, argv: list[bytes]) -> bytes:
    lines = [*HELP_LINES, "HELP", "    Prints this help."]
    head = "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    return resp.array([resp.simple(line.encode()) for line in [head, *lines]])
