"""The command table: each command declared once, next to its handler.

``@command(name, arity, flags, first, last, step, ...)`` registers a handler. Everything that
needs to know about commands reads this table: the dispatcher (arity, flags, key positions),
COMMAND / COMMAND INFO / DOCS / GETKEYS, ACL categories, cluster routing and propagation.
Container commands (CONFIG, CLIENT, OBJECT, ...) declare their subcommands with
``@subcommand(parent, name, ...)``; the parent's handler is generated and dispatches on argv[1].

A handler is ``fn(client, argv) -> bytes``: it returns the encoded reply (see
``protocol.resp``) or raises ``CommandError``. ``argv[0]`` is the command name as sent.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from ..protocol import resp
from ..protocol.errors import CommandError, unknown_subcommand, wrong_arity

# flag bits, tested by the dispatcher
WRITE = 1 << 0
READONLY = 1 << 1
DENYOOM = 1 << 2
ADMIN = 1 << 3
PUBSUB = 1 << 4
NOSCRIPT = 1 << 5
BLOCKING = 1 << 6
LOADING = 1 << 7
STALE = 1 << 8
SKIP_MONITOR = 1 << 9
SKIP_SLOWLOG = 1 << 10
ASKING = 1 << 11
FAST = 1 << 12
NO_AUTH = 1 << 13
MAY_REPLICATE = 1 << 14
SENTINEL = 1 << 15
ONLY_SENTINEL = 1 << 16
NO_MANDATORY_KEYS = 1 << 17
PROTECTED = 1 << 18
NO_ASYNC_LOADING = 1 << 19
NO_MULTI = 1 << 20
MOVABLE_KEYS = 1 << 21
ALLOW_BUSY = 1 << 22

FLAG_NAMES = [
    (WRITE, "write"), (READONLY, "readonly"), (DENYOOM, "denyoom"), (MODULE := 1 << 30, "module"),
    (ADMIN, "admin"), (PUBSUB, "pubsub"), (NOSCRIPT, "noscript"), (BLOCKING, "blocking"),
    (LOADING, "loading"), (STALE, "stale"), (SKIP_MONITOR, "skip_monitor"), (SKIP_SLOWLOG, "skip_slowlog"),
    (ASKING, "asking"), (FAST, "fast"), (NO_AUTH, "no_auth"), (MAY_REPLICATE, "may_replicate"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"), (NO_ASYNC_LOADING, "no_async_loading"),
    (NO_MULTI, "no_multi"), (MOVABLE_KEYS, "movablekeys"), (ALLOW_BUSY, "allow_busy"),
]
_FLAG_BY_NAME = {n: b for b, n in FLAG_NAMES}
_FLAG_BY_NAME.update({"sentinel": SENTINEL, "only_sentinel": ONLY_SENTINEL, "protected": PROTECTED})


def parse_flags(text: str) -> int:
    bits = 0
    for word in text.split():
        bits |= _FLAG_BY_NAME[word]
    return bits


Handler = Callable[..., bytes]


@dataclass(eq=False, slots=True)
class Command:
    name: str                          # lower case, "config|get" for subcommands
    arity: int
    flags: int
    first_key: int
    last_key: int
    step: int
    handler: Handler | None
    group: str
    categories: tuple[str, ...]        # the explicit ACL categories; implicit ones are derived
    summary: str = ""
    since: str = "1.0.0"
    complexity: str = ""
    tips: tuple[str, ...] = ()
    getkeys: Callable[[list[bytes]], list[int]] | None = None   # for commands with movable keys
    subcommands: dict[bytes, "Command"] = field(default_factory=dict)
    parent: "Command | None" = None
    # INFO commandstats counters
    calls: int = 0
    usec: int = 0
    rejected_calls: int = 0
    failed_calls: int = 0
    # explicit key specs for COMMAND INFO (dicts, see commands/command.py); empty: derived from first/last/step
    key_specs: tuple = ()

    @property
    def fullname(self) -> str:
        return self.name

    def acl_categories(self) -> list[str]:
        """Explicit categories plus those Redis derives from the flags (setImplicitACLCategories)."""
        cats = list(self.categories)
        f = self.flags
        if f & WRITE:
            cats.append("write")
        if f & READONLY and "scripting" not in self.categories:
            cats.append("read")
        if f & ADMIN:
            cats += ["admin", "dangerous"]
        if f & PUBSUB:
            cats.append("pubsub")
        if f & FAST:
            cats.append("fast")
        if f & BLOCKING:
            cats.append("blocking")
        if not f & FAST:
            cats.append("slow")
        seen: list[str] = []
        for c in cats:
            if c not in seen:
                seen.append(c)
        return seen

    def flag_names(self) -> list[str]:
        return [n for b, n in FLAG_NAMES if self.flags & b]

    def keys(self, argv: list[bytes]) -> list[int]:
        """Indexes of the key arguments in ``argv`` (COMMAND GETKEYS, cluster routing, WATCH touch)."""
        if self.getkeys is not None:
            return self.getkeys(argv)
        first = self.first_key
        if not first:
            return []
        last = self.last_key
        n = len(argv)
        if last < 0:
            last = n + last
        last = min(last, n - 1)
        return list(range(first, last + 1, self.step or 1))


TABLE: dict[bytes, Command] = {}
# command names as clients spell them ("SET", "set") -> command, filled by the dispatcher so a
# request's name is found without lowering it; cleared by anything that changes TABLE
SPELLINGS: dict[bytes, Command] = {}


def keep_only(names) -> None:
    """Drop every command not in ``names`` (sentinel mode serves only its own)."""
    for name in list(TABLE):
        if name not in names:
            del TABLE[name]
    SPELLINGS.clear()


def key_spec(flags: str, index: int = 1, lastkey: int = 0) -> dict:
    """A COMMAND INFO key spec: begin_search at an index, find_keys as a range (``key_specs=``)."""
    return {"flags": flags, "bs": ("index", index), "fk": ("range", lastkey, 1, 0)}


def key_spec_keynum(flags: str, index: int) -> dict:
    """A key spec whose keys are counted by the argument at ``index`` (numkeys)."""
    return {"flags": flags, "bs": ("index", index), "fk": ("keynum", 0, 1, 1)}


def command(
    name: str, arity: int, flags: str = "", first: int = 0, last: int = 0, step: int = 0,
    group: str = "generic", categories: str = "", summary: str = "", since: str = "1.0.0",
    complexity: str = "", tips: str = "", getkeys: Callable[[list[bytes]], list[int]] | None = None,
    key_specs: tuple = (),
) -> Callable[[Handler], Handler]:
    """Declare a command and register its handler."""

    def register(fn: Handler) -> Handler:
        bits = parse_flags(flags) | (MOVABLE_KEYS if getkeys is not None else 0)
        cmd = Command(name.lower(), arity, bits, first, last, step, fn, group,
                      tuple(c.lstrip("@") for c in categories.split()), summary, since, complexity,
                      tuple(tips.split()), getkeys)
        cmd.key_specs = tuple(key_specs)
        key = name.lower().encode()
        existing = TABLE.get(key)
        if existing is not None and existing.subcommands:
            cmd.subcommands = existing.subcommands
            for sub in cmd.subcommands.values():
                sub.parent = cmd
        TABLE[key] = cmd
        return fn

    return register


def container(name: str, group: str = "generic", summary: str = "", since: str = "1.0.0", flags: str = "") -> None:
    """Declare a command made of subcommands (CONFIG, CLIENT...); the handler dispatches on argv[1]."""
    parent = Command(name.lower(), -2, parse_flags(flags), 0, 0, 0, None, group, (), summary, since)
    upper = name.upper().encode()

    def dispatch_sub(client: object, argv: list[bytes]) -> bytes:
        sub = parent.subcommands.get(argv[1].lower())
        if sub is None:
            raise CommandError(unknown_subcommand(argv[1], upper))
        if (sub.arity > 0 and len(argv) != sub.arity) or len(argv) < -sub.arity:
            raise CommandError(wrong_arity(b"%s|%s" % (name.lower().encode(), argv[1].lower())))
        assert sub.handler is not None
        return sub.handler(client, argv)

    parent.handler = dispatch_sub
    existing = TABLE.get(name.lower().encode())
    if existing is not None:
        parent.subcommands = existing.subcommands
    TABLE[name.lower().encode()] = parent


def subcommand(
    parent: str, name: str, arity: int, flags: str = "", first: int = 0, last: int = 0, step: int = 0,
    categories: str = "", summary: str = "", since: str = "1.0.0", complexity: str = "",
    tips: str = "", getkeys: Callable[[list[bytes]], list[int]] | None = None, key_specs: tuple = (),
) -> Callable[[Handler], Handler]:
    """Declare ``PARENT NAME``; arity counts the parent (``CONFIG GET pattern`` is -3)."""

    def register(fn: Handler) -> Handler:
        key = parent.lower().encode()
        if key not in TABLE:
            container(parent)
        par = TABLE[key]
        bits = parse_flags(flags) | (MOVABLE_KEYS if getkeys is not None else 0)
        sub = Command(f"{parent.lower()}|{name.lower()}", arity, bits, first, last, step, fn, par.group,
                      tuple(c.lstrip("@") for c in categories.split()), summary, since, complexity,
                      tuple(tips.split()), getkeys, parent=par)
        sub.key_specs = tuple(key_specs)
        par.subcommands[name.lower().encode()] = sub
        return fn

    return register


def help_reply(name: str, lines: list[str]) -> bytes:
    """The ``<CMD> HELP`` reply: a header line, the given lines, and the closing HELP lines."""
    head = f"{name.upper()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    body = [head, *lines, "HELP", "    Prints this help."]
    return resp.array([resp.simple(line.encode()) for line in body])
