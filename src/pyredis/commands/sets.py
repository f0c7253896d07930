"""Set commands (SADD ... SSCAN): a set value is a Python ``set`` of bytes.

Shapes follow Redis 7.0's ``t_set.c``: SMEMBERS/SINTER/SUNION/SDIFF and SPOP with a count reply
with a RESP3 set (``~``), SRANDMEMBER with an array; a missing key is an empty set; the *STORE
forms replace the destination (dropping its TTL) or delete it when the result is empty.
SPOP is propagated as its effect: ``SREM key member`` per popped member, or ``DEL key`` when it
took the whole set. Random picks use the node's injected ``random.Random``.

Random picks on big sets: a ``set`` has no random access, and skipping to a random position
costs O(table size) (a set never shrinks its table, so a set drained by SPOP stays slow). Small
sets still skip; the first SPOP/SRANDMEMBER on a set over ``_INDEX_MIN`` members gives it an
``_Index`` (kept in ``_indexes`` by ``id``, a weak reference to the set that removes itself when
the set is freed, so it follows the object through RENAME/MOVE/SWAPDB and dies with it). The
index is a list holding every member once plus the members removed since (``gone``): invariant
``items`` is a permutation of ``s | gone`` with ``s & gone`` empty. SREM/SMOVE only add to
``gone`` (O(1), no position map needed: 8 bytes a member instead of a second dict); SADD
revives a gone member or appends a new one; a pick draws a uniform position and, on a gone
member, swap-removes it and draws again, so every live member is equally likely; SPOP
swap-removes the position it drew. ``gone`` is kept under half the set (else the index is
dropped and rebuilt at the next pick), so a pick needs under 1.5 draws on average. Only the
handlers here mutate a set in place; as a guard, a count check (``len(items) - len(gone) ==
len(s)``) rebuilds an index that anything else put out of step, and a drawn member is tested
for membership. The index is not charged to maxmemory (about 9 bytes a member, against the
60+ a member that ``approx_size`` charges).

The small parsing helpers (strict integers, SCAN arguments) are shared with ``zsets``.
"""

import re
import weakref
from itertools import islice

from ..config import NOTIFY_GENERIC, NOTIFY_SET
from ..engine.glob import compile_pattern
from ..engine.keyspace import scan_dict
from ..protocol import resp
from ..protocol.errors import NOT_INTEGER_ERR, SYNTAX_ERR, WRONGTYPE_ERR, CommandError
from ..protocol.parser import string2ll
from .notify import notify
from .registry import command, key_spec

POSITIVE_ERR = b"ERR value is out of range, must be positive"
NUMKEYS_ERR = b"ERR numkeys should be greater than 0"
NUMKEYS_ARGS_ERR = b"ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE_ERR = b"ERR LIMIT can't be negative"
INVALID_CURSOR_ERR = b"ERR invalid cursor"
RANDOM_RANGE_ERR = (b"ERR value is out of range, value must between -9223372036854775807 and "
                    b"9223372036854775807")

_LONG_MAX = (1 << 63) - 1
_LONG_MIN = -(1 << 63)
_INT_RE = re.compile(rb"-?(?:0|[1-9][0-9]*)\Z")
_CURSOR_RE = re.compile(rb"[+-]?[0-9]*\Z")


# ----- argument parsing shared with zsets
def parse_long(arg: bytes, err: bytes = NOT_INTEGER_ERR) -> int:
    """Redis's ``string2ll``: canonical decimal only (no '+', spaces or leading zeros), 64-bit."""
    n = string2ll(arg)
    if n is None:
        raise CommandError(err)
    return n


def parse_range_long(arg: bytes, lo: int, hi: int, err: bytes, not_int_err: bytes | None = None) -> int:
    """``getRangeLongFromObjectOrReply``: ``err`` when out of range, and also when not a number unless
    ``not_int_err`` is given (Redis uses its generic text there when it formats the range itself)."""
    if _INT_RE.match(arg) is None or arg == b"-0":
        raise CommandError(not_int_err or err)
    n = int(arg)
    if n < lo or n > hi:
        raise CommandError(err)
    return n


def parse_positive(arg: bytes, err: bytes = POSITIVE_ERR) -> int:
    return parse_range_long(arg, 0, _LONG_MAX, err)


def parse_cursor(arg: bytes) -> int:
    """``strtoul`` as SCAN uses it: optional sign, digits, no spaces; '-1' wraps like C does."""
    if _CURSOR_RE.match(arg) is None:
        raise CommandError(INVALID_CURSOR_ERR)
    digits = arg.lstrip(b"+-")
    n = int(digits) if digits else 0
    if n >= 1 << 64:
        raise CommandError(INVALID_CURSOR_ERR)
    if arg[:1] == b"-":
        n = (-n) & ((1 << 64) - 1)
    return n


def parse_scan_options(argv: list[bytes], start: int) -> tuple[int, object]:
    """COUNT and MATCH of SSCAN/HSCAN/ZSCAN; returns (count, matcher or None)."""
    count = 10
    match = None
    i = start
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"count" and n - i >= 2:
            count = parse_long(argv[i + 1])
            if count < 1:
                raise CommandError(SYNTAX_ERR)
            i += 2
        elif opt == b"match" and n - i >= 2:
            pat = argv[i + 1]
            match = None if pat == b"*" else compile_pattern(pat)
            i += 2
        else:
            raise CommandError(SYNTAX_ERR)
    return count, match


def scan_reply(cursor: int, items: list[bytes]) -> bytes:
    return b"*2\r\n" + resp.bulk(b"%d" % cursor) + resp.bulk_array(items)


def numkeys_keys(offset: int):
    """A getkeys function for commands shaped ``CMD [dest] numkeys key ...`` (numkeys at ``offset``)."""

    def getkeys(argv: list[bytes]) -> list[int]:
        try:
            n = int(argv[offset])
        except (ValueError, IndexError):
            return []
        if n < 1 or offset + n >= len(argv):
            return []
        keys = list(range(offset + 1, offset + 1 + n))
        return [1, *keys] if offset == 2 else keys

    return getkeys


def is_canonical_int(member: bytes) -> bool:
    """Would Redis keep this member in an intset (``string2ll`` succeeds)?"""
    if _INT_RE.match(member) is None or member == b"-0":
        return False
    n = int(member)
    return _LONG_MIN <= n <= _LONG_MAX


# ----- values
def _set_or_none(db, key: bytes, read: bool = False) -> set | None:
    """The set at ``key`` or None; ``read``: a read lookup even inside a write command."""
    value = db.lookup_read(key) if read else db.lookup(key)
    if value is None or type(value) is set:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


def _members(items, resp3_set: int) -> bytes:
    """A RESP3 set (or a RESP2 array) of bulk strings."""
    parts = [(b"~%d\r\n" if resp3_set == 3 else b"*%d\r\n") % len(items)]
    parts += [b"$%d\r\n%b\r\n" % (len(m), m) for m in items]
    return b"".join(parts)


# Skipping to a random position costs about what a pick through the index does near 100 members,
# 1.3x at 256, 2x at 1024 and grows linearly; below 256 the index's memory and upkeep are not worth it.
_INDEX_MIN = 256


class _Index(weakref.ref):
    """The random-access index of one set (see the module docstring); calling it gives the set."""

    __slots__ = ("key", "items", "gone")


_indexes: dict[int, _Index] = {}


def _unindex(ix: _Index) -> None:
    if _indexes.get(ix.key) is ix:
        del _indexes[ix.key]


def _index_of(s: set) -> _Index | None:
    """The index kept for ``s``, if any (callers test ``_indexes`` first: usually empty)."""
    ix = _indexes.get(id(s))
    return ix if ix is not None and ix() is s else None


def _indexed(s: set) -> _Index:
    """The index of ``s`` (non-empty), built in O(n) when missing or out of step with it."""
    ix = _indexes.get(id(s))
    if ix is None or ix() is not s:
        ix = _Index(s, _unindex)
        ix.key = id(s)
        ix.items = list(s)
        ix.gone = set()
        _indexes[ix.key] = ix
    elif len(ix.items) - len(ix.gone) != len(s):
        ix.items = list(s)
        ix.gone = set()
    return ix


def _pick(ix: _Index, s: set, rng) -> tuple[int, bytes]:
    """A uniformly random member of ``s`` and its position in ``ix.items``."""
    items = ix.items
    while True:
        if not items:   # only if something outside this module broke the invariant
            items = ix.items = list(s)
            ix.gone = set()
        i = rng.randrange(len(items))
        member = items[i]
        if member in s:
            return i, member
        last = items.pop()
        if i < len(items):
            items[i] = last
        ix.gone.discard(member)


def _pop_at(ix: _Index, s: set, i: int, member: bytes) -> None:
    items = ix.items
    last = items.pop()
    if i < len(items):
        items[i] = last
    s.remove(member)


def _index_removed(ix: _Index, s: set, member: bytes) -> None:
    """``member`` was just removed from ``s``: its entry goes stale; too many stale drop the index."""
    gone = ix.gone
    gone.add(member)
    if len(gone) > (len(s) >> 1) + 32:
        _unindex(ix)


def _index_added(ix: _Index, member: bytes) -> None:
    """``member`` was just added to the set: revive its stale entry or append one."""
    gone = ix.gone
    if member in gone:
        gone.remove(member)
    else:
        ix.items.append(member)


def _random_member(s: set, rng) -> bytes:
    if len(s) > _INDEX_MIN or (_indexes and _index_of(s) is not None):
        return _pick(_indexed(s), s, rng)[1]
    # small sets have no random access; skipping to a random position runs at C speed
    return next(islice(s, rng.randrange(len(s)), None))


def _deleted(client, key: bytes) -> None:
    client.db.delete(key)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_GENERIC, b"del", key, client.db.id)


# ----- commands

_ks = key_spec

@command("sadd", -3, "write denyoom fast", 1, 1, 1, group="set", categories="@set",
         summary="Add one or more members to a set",
         complexity="O(1) for each element added, so O(N) to add N elements when the command is called with "
                    "multiple arguments.",
         key_specs=(_ks("RW insert"),))
def sadd(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    s = db.lookup(key)
    if type(s) is set:
        if len(argv) == 3:      # one member, the common form
            member = argv[2]
            if member in s:
                return resp.ZERO
            s.add(member)
            added = 1
            if _indexes:
                ix = _index_of(s)
                if ix is not None:
                    _index_added(ix, member)
        else:
            before = len(s)
            ix = _index_of(s) if _indexes else None
            if ix is None:
                s.update(argv[2:])
            else:
                for member in argv[2:]:
                    if member not in s:
                        s.add(member)
                        _index_added(ix, member)
            added = len(s) - before
            if not added:
                return resp.ZERO
        db.changed(key, added)
    elif s is None:
        s = set(argv[2:])
        db.add(key, s)
        added = len(s)
        if added > 1:
            db.changed(key, added - 1)
    else:
        raise CommandError(WRONGTYPE_ERR)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_SET, b"sadd", key, db.id)
    return resp.integer(added)


@command("srem", -3, "write fast", 1, 1, 1, group="set", categories="@set",
         summary="Remove one or more members from a set", complexity="O(N) where N is the number of members to be removed.", key_specs=(_ks("RW delete"),))
def srem(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    s = _set_or_none(db, key)
    if s is None:
        return resp.ZERO
    removed = 0
    ix = _index_of(s) if _indexes else None
    for member in argv[2:]:
        if member in s:
            s.remove(member)
            removed += 1
            if not s:
                break
            if ix is not None:
                _index_removed(ix, s, member)
    if not removed:
        return resp.ZERO
    db.changed(key, removed)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_SET, b"srem", key, db.id)
    if not s:
        _deleted(client, key)
    return resp.integer(removed)


@command("smembers", 2, "readonly", 1, 1, 1, group="set", categories="@set", tips="nondeterministic_output_order",
         summary="Get all the members in a set", complexity="O(N) where N is the set cardinality.")
def smembers(client, argv: list[bytes]) -> bytes:
    s = _set_or_none(client.db, argv[1])
    if s is None:
        return b"~0\r\n" if client.resp == 3 else resp.EMPTY_ARRAY
    return _members(s, client.resp)


@command("sismember", 3, "readonly fast", 1, 1, 1, group="set", categories="@set",
         summary="Determine if a given value is a member of a set", complexity="O(1)", key_specs=(_ks("RO"),))
def sismember(client, argv: list[bytes]) -> bytes:
    s = _set_or_none(client.db, argv[1])
    return resp.ONE if s is not None and argv[2] in s else resp.ZERO


@command("smismember", -3, "readonly fast", 1, 1, 1, group="set", categories="@set", since="6.2.0",
         summary="Returns the membership associated with the given elements for a set",
         complexity="O(N) where N is the number of elements being checked for membership")
def smismember(client, argv: list[bytes]) -> bytes:
    s = _set_or_none(client.db, argv[1]) or ()
    return resp.array([resp.ONE if m in s else resp.ZERO for m in argv[2:]])


@command("scard", 2, "readonly fast", 1, 1, 1, group="set", categories="@set",
         summary="Get the number of members in a set", complexity="O(1)", key_specs=(_ks("RO"),))
def scard(client, argv: list[bytes]) -> bytes:
    s = _set_or_none(client.db, argv[1])
    return resp.integer(len(s)) if s is not None else resp.ZERO


@command("spop", -2, "write fast", 1, 1, 1, group="set", categories="@set", tips="nondeterministic_output",
         summary="Remove and return one or multiple random members from a set",
         complexity="Without the count argument O(1), otherwise O(N) where N is the value of the passed count.")
def spop(client, argv: list[bytes]) -> bytes:
    if len(argv) == 3:
        return _spop_count(client, argv)
    if len(argv) > 3:
        raise CommandError(SYNTAX_ERR)
    db = client.db
    key = argv[1]
    s = db.lookup(key)
    if type(s) is not set:
        if s is None:
            return resp.null(client.resp)
        raise CommandError(WRONGTYPE_ERR)
    node = client.node
    if len(s) > _INDEX_MIN or (_indexes and _index_of(s) is not None):
        ix = _indexed(s)
        i, member = _pick(ix, s, node.rng)
        _pop_at(ix, s, i, member)
    else:
        # _random_member inlined (SPOP is a hot path); the same draw from the node's rng
        member = next(islice(s, node.rng.randrange(len(s)), None))
        s.remove(member)
    db.changed(key)
    if node.notify_flags:
        notify(node, NOTIFY_SET, b"spop", key, db.id)
    client.propagate = [[b"SREM", key, member]]
    if not s:
        _deleted(client, key)
    return resp.bulk(member)


def _spop_count(client, argv: list[bytes]) -> bytes:
    count = parse_positive(argv[2])
    db = client.db
    key = argv[1]
    s = _set_or_none(db, key, read=True)    # SPOP with a count reads through lookupKeyRead
    if s is None or count == 0:
        return b"~0\r\n" if client.resp == 3 else resp.EMPTY_ARRAY
    if client.node.notify_flags:
        notify(client.node, NOTIFY_SET, b"spop", key, db.id)
    if count >= len(s):
        reply = _members(s, client.resp)
        _deleted(client, key)
        client.propagate = [[b"DEL", key]]
        return reply
    rng = client.node.rng
    ix = _index_of(s) if _indexes else None
    if ix is not None or (len(s) > _INDEX_MIN and count * 4 < len(s)):
        ix = _indexed(s)
        popped = []
        for _ in range(count):
            i, member = _pick(ix, s, rng)
            _pop_at(ix, s, i, member)
            popped.append(member)
    else:
        popped = rng.sample(tuple(s), count)
        s.difference_update(popped)
    db.changed(key, count)
    client.propagate = [[b"SREM", key, m] for m in popped]
    return _members(popped, client.resp)


@command("srandmember", -2, "readonly", 1, 1, 1, group="set", categories="@set", tips="nondeterministic_output",
         summary="Get one or multiple random members from a set",
         complexity="Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.")
def srandmember(client, argv: list[bytes]) -> bytes:
    if len(argv) > 3:
        raise CommandError(SYNTAX_ERR)
    if len(argv) == 2:
        s = _set_or_none(client.db, argv[1])
        if s is None:
            return resp.null(client.resp)
        return resp.bulk(_random_member(s, client.node.rng))
    n = parse_range_long(argv[2], -_LONG_MAX, _LONG_MAX, RANDOM_RANGE_ERR, NOT_INTEGER_ERR)
    s = _set_or_none(client.db, argv[1])
    if s is None or n == 0:
        return resp.EMPTY_ARRAY
    rng = client.node.rng
    size = len(s)
    if n == 1:
        return resp.bulk_array([_random_member(s, rng)])
    indexed = size > _INDEX_MIN or (_indexes and _index_of(s) is not None)
    if n < 0:
        if not indexed:
            return resp.bulk_array(rng.choices(tuple(s), k=-n))
        ix = _indexed(s)
        if not ix.gone:
            return resp.bulk_array(rng.choices(ix.items, k=-n))
        return resp.bulk_array([_pick(ix, s, rng)[1] for _ in range(-n)])
    if n >= size:
        return resp.bulk_array(list(s))
    if not indexed or n * 3 > size:
        return resp.bulk_array(rng.sample(tuple(s), n))
    # few distinct members of a big set: draw until n distinct (n <= size/3: few draws each)
    ix = _indexed(s)
    seen: set[bytes] = set()
    out = []
    while len(out) < n:
        member = _pick(ix, s, rng)[1]
        if member not in seen:
            seen.add(member)
            out.append(member)
    return resp.bulk_array(out)


@command("smove", 4, "write fast", 1, 2, 1, group="set", categories="@set",
         summary="Move a member from one set to another", complexity="O(1)", key_specs=(_ks("RW access delete"), _ks("RW insert", 2),))
def smove(client, argv: list[bytes]) -> bytes:
    db = client.db
    src_key, dst_key, member = argv[1], argv[2], argv[3]
    src = db.lookup(src_key)
    dst = db.lookup(dst_key)
    if src is None:
        return resp.ZERO
    if type(src) is not set or (dst is not None and type(dst) is not set):
        raise CommandError(WRONGTYPE_ERR)
    if src is dst:
        return resp.ONE if member in src else resp.ZERO
    if member not in src:
        return resp.ZERO
    src.remove(member)
    if _indexes:
        ix = _index_of(src)
        if ix is not None and src:
            _index_removed(ix, src, member)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_SET, b"srem", src_key, db.id)
    db.changed(src_key)
    if not src:
        _deleted(client, src_key)
    if dst is None:
        dst = set()
        db.add(dst_key, dst)
    if member not in dst:
        dst.add(member)
        if _indexes:
            ix = _index_of(dst)
            if ix is not None:
                _index_added(ix, member)
        db.changed(dst_key)
        if node.notify_flags:
            notify(node, NOTIFY_SET, b"sadd", dst_key, db.id)
    return resp.ONE


def _load_sets(db, keys: list[bytes]) -> list[set | None]:
    """All the sets (None for missing keys), type-checking every key first, as Redis does. These
    are lookupKeyRead lookups: keyspace hits/misses even for the *STORE forms (write commands)."""
    return [_set_or_none(db, key, read=True) for key in keys]


def _inter(sets: list[set]) -> set:
    sets = sorted(sets, key=len)
    return sets[0].intersection(*sets[1:])


def _store(client, dst: bytes, result: set, event: bytes) -> bytes:
    db = client.db
    if result:
        db.set(dst, result)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_SET, event, dst, db.id)
        return resp.integer(len(result))
    if db.delete(dst):
        notify(client.node, NOTIFY_GENERIC, b"del", dst, db.id)
    return resp.ZERO


@command("sinter", -2, "readonly", 1, -1, 1, group="set", categories="@set", tips="nondeterministic_output_order",
         summary="Intersect multiple sets",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.")
def sinter(client, argv: list[bytes]) -> bytes:
    sets = _load_sets(client.db, argv[1:])
    if any(s is None for s in sets):
        return b"~0\r\n" if client.resp == 3 else resp.EMPTY_ARRAY
    return _members(_inter(sets) if len(sets) > 1 else sets[0], client.resp)  # type: ignore[arg-type]


@command("sinterstore", -3, "write denyoom", 1, -1, 1, group="set", categories="@set",
         summary="Intersect multiple sets and store the resulting set in a key",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", key_specs=(_ks("RW update"), _ks("RO access", 2, -1),))
def sinterstore(client, argv: list[bytes]) -> bytes:
    sets = _load_sets(client.db, argv[2:])
    result = set() if any(s is None for s in sets) else _inter(sets)  # type: ignore[arg-type]
    return _store(client, argv[1], result, b"sinterstore")


@command("sintercard", -3, "readonly", 0, 0, 0, group="set", categories="@set", since="7.0.0",
         getkeys=numkeys_keys(1), summary="Intersect multiple sets and return the cardinality of the result",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", key_specs=({"flags": "RO access", "bs": ("index", 1), "fk": ("keynum", 0, 1, 1)},))
def sintercard(client, argv: list[bytes]) -> bytes:
    numkeys = parse_range_long(argv[1], 1, _LONG_MAX, NUMKEYS_ERR)
    if numkeys > len(argv) - 2:
        raise CommandError(NUMKEYS_ARGS_ERR)
    limit = 0
    i = 2 + numkeys
    while i < len(argv):
        if argv[i].lower() == b"limit" and i + 1 < len(argv):
            limit = parse_positive(argv[i + 1], LIMIT_NEGATIVE_ERR)
            i += 2
        else:
            raise CommandError(SYNTAX_ERR)
    sets = _load_sets(client.db, argv[2:2 + numkeys])
    if any(s is None for s in sets):
        return resp.ZERO
    if not limit:
        return resp.integer(len(_inter(sets)))  # type: ignore[arg-type]
    ordered = sorted(sets, key=len)  # type: ignore[arg-type]
    first, rest = ordered[0], ordered[1:]
    count = 0
    for member in first:
        for other in rest:
            if member not in other:
                break
        else:
            count += 1
            if count >= limit:
                break
    return resp.integer(count)


def _union(sets: list[set | None]) -> set:
    return set().union(*[s for s in sets if s is not None])


def _diff(sets: list[set | None]) -> set:
    first = sets[0]
    if first is None:
        return set()
    return first.difference(*[s for s in sets[1:] if s is not None])


@command("sunion", -2, "readonly", 1, -1, 1, group="set", categories="@set", tips="nondeterministic_output_order",
         summary="Add multiple sets", complexity="O(N) where N is the total number of elements in all given sets.")
def sunion(client, argv: list[bytes]) -> bytes:
    return _members(_union(_load_sets(client.db, argv[1:])), client.resp)


@command("sunionstore", -3, "write denyoom", 1, -1, 1, group="set", categories="@set",
         summary="Add multiple sets and store the resulting set in a key",
         complexity="O(N) where N is the total number of elements in all given sets.", key_specs=(_ks("OW update"), _ks("RO access", 2, -1),))
def sunionstore(client, argv: list[bytes]) -> bytes:
    return _store(client, argv[1], _union(_load_sets(client.db, argv[2:])), b"sunionstore")


@command("sdiff", -2, "readonly", 1, -1, 1, group="set", categories="@set", tips="nondeterministic_output_order",
         summary="Subtract multiple sets", complexity="O(N) where N is the total number of elements in all given sets.")
def sdiff(client, argv: list[bytes]) -> bytes:
    return _members(_diff(_load_sets(client.db, argv[1:])), client.resp)


@command("sdiffstore", -3, "write denyoom", 1, -1, 1, group="set", categories="@set",
         summary="Subtract multiple sets and store the resulting set in a key",
         complexity="O(N) where N is the total number of elements in all given sets.", key_specs=(_ks("OW update"), _ks("RO access", 2, -1),))
def sdiffstore(client, argv: list[bytes]) -> bytes:
    return _store(client, argv[1], _diff(_load_sets(client.db, argv[2:])), b"sdiffstore")


@command("sscan", -3, "readonly", 1, 1, 1, group="set", categories="@set", since="2.8.0", tips="nondeterministic_output",
         summary="Incrementally iterate Set elements",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                    "cursor to return back to 0. N is the number of elements inside the collection..")
def sscan(client, argv: list[bytes]) -> bytes:
    cursor = parse_cursor(argv[2])
    db = client.db
    s = _set_or_none(db, argv[1])
    if s is None:
        return b"*2\r\n$1\r\n0\r\n*0\r\n"
    count, match = parse_scan_options(argv, 3)
    if len(s) <= _intset_limit(client) and all(is_canonical_int(m) for m in s):
        # Redis keeps such a set as an intset and returns it whole, in numeric order
        next_cursor, items = 0, sorted(s, key=int)
    else:
        next_cursor, items = scan_dict(s, db, cursor, count)
    if match is not None:
        items = [m for m in items if match(m)]
    return scan_reply(next_cursor, items)


def _intset_limit(client) -> int:
    try:
        return int(client.node.config["set-max-intset-entries"])
    except (KeyError, TypeError, ValueError):
        return 512
