"""Sorted set commands (ZADD ... ZSCAN, BZPOPMIN/BZPOPMAX/BZMPOP) over ``engine.zset.ZSet``.

The argument handling follows Redis 7.0's ``t_zset.c`` step by step, because clients see its
order: options are parsed and numbers validated before the key is looked up (so a bad score wins
over WRONGTYPE), ZADD flags are checked for conflicts before its scores, ZRANGE's options are
read in one pass (``zrangeGenericCommand``) shared by every legacy range command.

Numbers: a score or weight is parsed like ``string2d`` (strict: no spaces, no NaN, no overflow);
a range bound like ``zslParseRange`` (plain ``strtod``: leading spaces, ``(`` for exclusive,
overflow to ±inf allowed). Scores are replied through ``resp.double`` (``%.17g``; RESP3 ``,``);
WITHSCORES replies are flat in RESP2 and [member, score] pairs in RESP3.

Propagation: ZMPOP and the blocking pops go to replicas as ``ZPOPMIN/ZPOPMAX key [count]``.
Everything else is propagated as sent. Blocking pops park the client with ``node.blocking``
(see ``node/blocking.py``); ZADD and every store signal the key so parked clients are served.
"""

import math
import re

from sortedcontainers import SortedList

from ..config import NOTIFY_GENERIC, NOTIFY_ZSET
from ..engine.blocking import signal_key
from ..engine.keyspace import scan_dict
from ..engine.zset import ZSet
from ..protocol import resp
from ..protocol.errors import NOT_FLOAT_ERR, NOT_INTEGER_ERR, SYNTAX_ERR, WRONGTYPE_ERR, CommandError
from .dispatch import touch_watched
from .lists import parse_timeout
from .notify import notify
from .registry import command, key_spec, key_spec_keynum
from .sets import (
    NUMKEYS_ERR,
    POSITIVE_ERR,
    RANDOM_RANGE_ERR,
    parse_cursor,
    parse_long,
    parse_positive,
    parse_range_long,
    parse_scan_options,
    scan_reply,
)

XX_NX_ERR = b"ERR XX and NX options at the same time are not compatible"
GT_LT_NX_ERR = b"ERR GT, LT, and/or NX options at the same time are not compatible"
INCR_PAIR_ERR = b"ERR INCR option supports a single increment-element pair"
NAN_SCORE_ERR = b"ERR resulting score is not a number (NaN)"
MINMAX_FLOAT_ERR = b"ERR min or max is not a float"
MINMAX_LEX_ERR = b"ERR min or max not valid string range item"
LIMIT_RANK_ERR = b"ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
WITHSCORES_LEX_ERR = b"ERR syntax error, WITHSCORES not supported in combination with BYLEX"
WEIGHT_FLOAT_ERR = b"ERR weight value is not a float"
LIMIT_NEGATIVE_ERR = b"ERR LIMIT can't be negative"
COUNT_POSITIVE_ERR = b"ERR count should be greater than 0"
RANDOM_WITHSCORES_ERR = b"ERR value is out of range"

_LONG_MAX = (1 << 63) - 1
_INF = math.inf

_FLOAT_RE = re.compile(rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)\Z",
                       re.I)
_HEX_RE = re.compile(rb"[+-]?0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?\Z", re.I)
_SPACES = b" \t\n\v\f\r"


# ----- number parsing
def _strtod(text: bytes) -> float | None:
    """The value of ``text`` if C's strtod would consume all of it (no leading spaces), else None."""
    if _FLOAT_RE.match(text):
        try:
            return float(text)
        except ValueError:          # nan(chars)
            return math.nan
    if _HEX_RE.match(text):
        try:
            return float.fromhex(text.decode())
        except OverflowError:
            return -_INF if text[:1] == b"-" else _INF
    return None


def parse_score(arg: bytes, err: bytes = NOT_FLOAT_ERR) -> float:
    """``string2d``: the whole argument is a number, not NaN, and did not overflow or underflow."""
    if arg.isdigit() and len(arg) < 309:
        # plain ASCII digits (redis-benchmark's scores, most clients'): strtod and float() agree
        # exactly, and fewer than 309 digits cannot overflow
        return float(arg)
    value = _strtod(arg)
    if value is None or value != value:
        raise CommandError(err)
    low = arg.lower()
    if value in (_INF, -_INF) and b"n" not in low:
        raise CommandError(err)         # ERANGE overflow
    if value == 0.0:
        mantissa = low.split(b"p")[0][2:] if b"x" in low else low.split(b"e")[0]
        if mantissa.strip(b"+-0.x"):
            raise CommandError(err)     # ERANGE underflow to zero
    return value


def _score_bound(arg: bytes) -> tuple[float, bool]:
    """One end of a score range (``zslParseRange``): ``(`` makes it exclusive."""
    ex = arg[:1] == b"("
    text = arg[1:] if ex else arg
    nul = text.find(b"\0")
    if nul >= 0:
        text = text[:nul]
    body = text.lstrip(_SPACES)
    if not body:
        if text:
            raise CommandError(MINMAX_FLOAT_ERR)
        return 0.0, ex
    value = _strtod(body)
    if value is None or value != value:
        raise CommandError(MINMAX_FLOAT_ERR)
    return value, ex


# lex bounds: (kind, value, exclusive) with kind -1 for "-", 1 for "+", 0 for a string
def _lex_bound(arg: bytes) -> tuple[int, bytes, bool]:
    c = arg[:1]
    if c == b"+" and len(arg) == 1:
        return 1, b"", True
    if c == b"-" and len(arg) == 1:
        return -1, b"", True
    if c == b"(":
        return 0, arg[1:], True
    if c == b"[":
        return 0, arg[1:], False
    raise CommandError(MINMAX_LEX_ERR)


def _lex_span(zs: ZSet, lo: tuple[int, bytes, bool], hi: tuple[int, bytes, bool]) -> tuple[int, int]:
    if lo[0] == 1 or hi[0] == -1:
        return 0, 0
    return zs.lex_span(None if lo[0] == -1 else lo[1], lo[2], None if hi[0] == 1 else hi[1], hi[2])


# ----- values and replies
def _zset_or_none(db, key: bytes) -> ZSet | None:
    value = db.lookup(key)
    if value is None or type(value) is ZSet:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


def _double(score: float, r: int) -> bytes:
    if r == 3:
        return b"," + resp.format_double(score) + b"\r\n"
    text = resp.format_double(score)
    return b"$%d\r\n%b\r\n" % (len(text), text)


def _pairs(items: list[tuple[float, bytes]], withscores: bool, r: int) -> bytes:
    """Members (score, member) as a reply: bulk strings, or with scores flat (RESP2) / in pairs (RESP3)."""
    if not withscores:
        parts = [b"*%d\r\n" % len(items)]
        parts += [b"$%d\r\n%b\r\n" % (len(m), m) for _, m in items]
        return b"".join(parts)
    fmt = resp.format_double
    if r == 3:
        parts = [b"*%d\r\n" % len(items)]
        parts += [b"*2\r\n$%d\r\n%b\r\n,%b\r\n" % (len(m), m, fmt(s)) for s, m in items]
    else:
        parts = [b"*%d\r\n" % (2 * len(items))]
        for s, m in items:
            t = fmt(s)
            parts.append(b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(m), m, len(t), t))
    return b"".join(parts)


def _from_pairs(items) -> ZSet:
    """A new ZSet from (score, member) pairs with distinct members."""
    zs = ZSet()
    scores = zs.scores
    for s, m in items:
        scores[m] = s + 0.0 if s == 0.0 else s
    zs.index = SortedList((s, m) for m, s in scores.items())
    return zs


def _removed_all(client, key: bytes) -> None:
    client.db.delete(key)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_GENERIC, b"del", key, client.db.id)


def _store(client, dst: bytes, zs: ZSet, event: bytes) -> bytes:
    """Replace ``dst`` with ``zs`` (or delete it when ``zs`` is empty), as the *STORE commands do."""
    db = client.db
    if len(zs):
        db.set(dst, zs)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_ZSET, event, dst, db.id)
        signal_key(client.node.ready_keys, db, dst)
        return resp.integer(len(zs))
    if db.delete(dst):
        notify(client.node, NOTIFY_GENERIC, b"del", dst, db.id)
    return resp.ZERO



_ks = key_spec

# ----- ZADD / ZINCRBY
def _zadd(client, argv: list[bytes], incr: bool) -> bytes:
    nx = xx = gt = lt = ch = False
    i = 2
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt == b"ch":
            ch = True
        elif opt == b"incr":
            incr = True
        elif opt == b"gt":
            gt = True
        elif opt == b"lt":
            lt = True
        else:
            break
        i += 1
    pairs = n - i
    if pairs % 2 or not pairs:
        raise CommandError(SYNTAX_ERR)
    if xx and nx:
        raise CommandError(XX_NX_ERR)
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise CommandError(GT_LT_NX_ERR)
    if incr and pairs > 2:
        raise CommandError(INCR_PAIR_ERR)
    scores = [parse_score(argv[j]) for j in range(i, n, 2)]
    db = client.db
    key = argv[1]
    zs = db.lookup(key)
    if zs is None:
        if xx:
            return resp.null(client.resp) if incr else resp.ZERO
        zs = ZSet()
        db.add(key, zs)
    elif type(zs) is not ZSet:
        raise CommandError(WRONGTYPE_ERR)
    added = updated = processed = 0
    current = zs.scores
    score = 0.0
    for j, score in enumerate(scores):
        member = argv[i + 1 + 2 * j]
        old = current.get(member)
        if old is not None:
            if nx:
                continue
            if incr:
                score += old
                if score != score:
                    _zadd_done(client, key, added, updated, incr)
                    raise CommandError(NAN_SCORE_ERR)
            if (lt and score >= old) or (gt and score <= old):
                continue
            processed += 1
            if score != old:
                zs.add(member, score)
                updated += 1
        elif not xx:
            zs.add(member, score)
            added += 1
            processed += 1
    _zadd_done(client, key, added, updated, incr)
    if incr:
        return _double(score, client.resp) if processed else resp.null(client.resp)
    return resp.integer(added + updated if ch else added)


def _zadd_done(client, key: bytes, added: int, updated: int, incr: bool) -> None:
    if not (added or updated):
        return
    db = client.db
    db.changed(key, added + updated)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_ZSET, b"zincr" if incr else b"zadd", key, db.id)
    if added:
        signal_key(client.node.ready_keys, db, key)


@command("zadd", -4, "write denyoom fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Add one or more members to a sorted set, or update its score if it already exists",
         complexity="O(log(N)) for each item added, where N is the number of elements in the sorted set.")
def zadd(client, argv: list[bytes]) -> bytes:
    if len(argv) != 4:
        return _zadd(client, argv, False)
    # ZADD key score member, the common form: what _zadd does for one pair without options, in
    # one frame; an option word where the score goes (or a bad score) takes the general path,
    # which reports the right error
    try:
        score = parse_score(argv[2])
    except CommandError:
        return _zadd(client, argv, False)
    db = client.db
    key = argv[1]
    member = argv[3]
    zs = db.lookup(key)
    if zs is None:
        zs = ZSet()
        db.add(key, zs)
    elif type(zs) is not ZSet:
        raise CommandError(WRONGTYPE_ERR)
    elif zs.scores.get(member) == score:
        return resp.ZERO
    added = zs.add(member, score)
    db.changed(key)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_ZSET, b"zadd", key, db.id)
    if added:
        if db.blocked:
            signal_key(node.ready_keys, db, key)
        return resp.ONE
    return resp.ZERO


@command("zincrby", 4, "write denyoom fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Increment the score of a member in a sorted set",
         complexity="O(log(N)) where N is the number of elements in the sorted set.", key_specs=(_ks("RW access update"),))
def zincrby(client, argv: list[bytes]) -> bytes:
    return _zadd(client, argv, True)


# ----- simple reads and removal
@command("zrem", -3, "write fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Remove one or more members from a sorted set",
         complexity="O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
                    "elements to be removed.", key_specs=(_ks("RW delete"),))
def zrem(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    zs = _zset_or_none(db, key)
    if zs is None:
        return resp.ZERO
    deleted = 0
    for member in argv[2:]:
        if zs.remove(member):
            deleted += 1
            if not len(zs):
                break
    if deleted:
        db.changed(key, deleted)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_ZSET, b"zrem", key, db.id)
        if not len(zs):
            _removed_all(client, key)
    return resp.integer(deleted)


@command("zcard", 2, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Get the number of members in a sorted set", complexity="O(1)", key_specs=(_ks("RO"),))
def zcard(client, argv: list[bytes]) -> bytes:
    zs = _zset_or_none(client.db, argv[1])
    return resp.integer(len(zs)) if zs is not None else resp.ZERO


@command("zscore", 3, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Get the score associated with the given member in a sorted set", complexity="O(1)")
def zscore(client, argv: list[bytes]) -> bytes:
    zs = _zset_or_none(client.db, argv[1])
    score = zs.scores.get(argv[2]) if zs is not None else None
    if score is None:
        return resp.null(client.resp)
    return _double(score, client.resp)


@command("zmscore", -3, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="6.2.0",
         summary="Get the score associated with the given members in a sorted set",
         complexity="O(N) where N is the number of members being requested.")
def zmscore(client, argv: list[bytes]) -> bytes:
    zs = _zset_or_none(client.db, argv[1])
    r = client.resp
    null = resp.null(r)
    scores = zs.scores if zs is not None else {}
    out = []
    for member in argv[2:]:
        s = scores.get(member)
        out.append(null if s is None else _double(s, r))
    return resp.array(out)


def _rank(client, argv: list[bytes], reverse: bool) -> bytes:
    zs = client.db.lookup(argv[1])
    if type(zs) is not ZSet:
        if zs is None:
            return resp.null(client.resp)
        raise CommandError(WRONGTYPE_ERR)
    rank = zs.rank(argv[2])
    if rank is None:
        return resp.null(client.resp)
    return resp.integer(len(zs.scores) - 1 - rank if reverse else rank)


@command("zrank", 3, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.0.0",
         summary="Determine the index of a member in a sorted set", complexity="O(log(N))")
def zrank(client, argv: list[bytes]) -> bytes:
    return _rank(client, argv, False)


@command("zrevrank", 3, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.0.0",
         summary="Determine the index of a member in a sorted set, with scores ordered from high to low",
         complexity="O(log(N))")
def zrevrank(client, argv: list[bytes]) -> bytes:
    return _rank(client, argv, True)


@command("zcount", 4, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.0.0",
         summary="Count the members in a sorted set with scores within the given values",
         complexity="O(log(N)) with N being the number of elements in the sorted set.")
def zcount(client, argv: list[bytes]) -> bytes:
    lo, lo_ex = _score_bound(argv[2])
    hi, hi_ex = _score_bound(argv[3])
    zs = _zset_or_none(client.db, argv[1])
    if zs is None:
        return resp.ZERO
    start, stop = zs.score_span(lo, lo_ex, hi, hi_ex)
    return resp.integer(stop - start)


@command("zlexcount", 4, "readonly fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.8.9",
         summary="Count the number of members in a sorted set between a given lexicographical range",
         complexity="O(log(N)) with N being the number of elements in the sorted set.")
def zlexcount(client, argv: list[bytes]) -> bytes:
    lo = _lex_bound(argv[2])
    hi = _lex_bound(argv[3])
    zs = _zset_or_none(client.db, argv[1])
    if zs is None:
        return resp.ZERO
    start, stop = _lex_span(zs, lo, hi)
    return resp.integer(stop - start)


# ----- ranges
_RANK, _SCORE, _LEX = 1, 2, 3


def _rank_window(n: int, start: int, end: int) -> tuple[int, int] | None:
    """Redis's index sanitising for rank ranges: inclusive [start, end] clipped, or None if empty."""
    if start < 0:
        start += n
    if end < 0:
        end += n
    if start < 0:
        start = 0
    if start > end or start >= n:
        return None
    if end >= n:
        end = n - 1
    return start, end


def _limit_window(start: int, stop: int, offset: int, limit: int, reverse: bool) -> tuple[int, int]:
    """Apply LIMIT offset count to the matching ranks [start, stop) walked forward or backward."""
    if offset < 0:
        return 0, 0
    count = stop - start - offset
    if count <= 0:
        return 0, 0
    if limit >= 0:
        count = min(count, limit)
    if reverse:
        return stop - offset - count, stop - offset
    return start + offset, start + offset + count


def _zrange(client, argv: list[bytes], key_idx: int, dst: bytes | None, rangetype: int,
            reverse: bool | None) -> bytes:
    withscores = False
    offset = 0
    limit = -1
    n = len(argv)
    j = key_idx + 3
    while j < n:
        opt = argv[j].lower()
        if dst is None and opt == b"withscores":
            withscores = True
        elif opt == b"limit" and n - j - 1 >= 2:
            offset = parse_long(argv[j + 1])
            limit = parse_long(argv[j + 2])
            j += 2
        elif reverse is None and opt == b"rev":
            reverse = True
        elif not rangetype and opt == b"bylex":
            rangetype = _LEX
        elif not rangetype and opt == b"byscore":
            rangetype = _SCORE
        else:
            raise CommandError(SYNTAX_ERR)
        j += 1
    reverse = bool(reverse)
    rangetype = rangetype or _RANK
    if limit != -1 and rangetype == _RANK:
        raise CommandError(LIMIT_RANK_ERR)
    if withscores and rangetype == _LEX:
        raise CommandError(WITHSCORES_LEX_ERR)
    min_arg, max_arg = argv[key_idx + 1], argv[key_idx + 2]
    if reverse and rangetype != _RANK:
        min_arg, max_arg = max_arg, min_arg
    if rangetype == _RANK:
        first = parse_long(min_arg)
        last = parse_long(max_arg)
    elif rangetype == _SCORE:
        lo, lo_ex = _score_bound(min_arg)
        hi, hi_ex = _score_bound(max_arg)
    else:
        llo = _lex_bound(min_arg)
        lhi = _lex_bound(max_arg)
    db = client.db
    # (ZRANGESTORE reads its source through lookupKeyRead too: a keyspace hit or miss)
    zs = db.lookup(argv[key_idx]) if dst is None else db.lookup_read(argv[key_idx])
    if zs is None:
        if dst is not None:
            return _store(client, dst, ZSet(), b"zrangestore")
        return resp.EMPTY_ARRAY
    if type(zs) is not ZSet:
        raise CommandError(WRONGTYPE_ERR)
    size = len(zs)
    if rangetype == _RANK:
        window = _rank_window(size, first, last)
        if window is None:
            items = []
        elif reverse:
            items = zs.slice(size - 1 - window[1], size - window[0], reverse=True)
        else:
            items = zs.slice(window[0], window[1] + 1)
    else:
        if rangetype == _SCORE:
            start, stop = zs.score_span(lo, lo_ex, hi, hi_ex)
        else:
            start, stop = _lex_span(zs, llo, lhi)
        a, b = _limit_window(start, stop, offset, limit, reverse)
        items = zs.slice(a, b, reverse=reverse) if a < b else []
    if dst is not None:
        return _store(client, dst, _from_pairs(items), b"zrangestore")
    return _pairs(items, withscores, client.resp)


_RANGE_FLAGS = dict(group="sorted-set", categories="@sortedset")
_BYRANGE_COMPLEXITY = ("O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                       "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
                       "with LIMIT), you can consider it O(log(N)).")


@command("zrange", -4, "readonly", 1, 1, 1, since="1.2.0",
         summary="Return a range of members in a sorted set",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements returned.", **_RANGE_FLAGS)
def zrange(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, 0, None)


@command("zrangestore", -5, "write denyoom", 1, 2, 1, since="6.2.0",
         summary="Store a range of members from sorted set into another key",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements stored into the destination key.",
         key_specs=({"flags": "OW update", "bs": ("index", 1), "fk": ("range", 0, 1, 0)},
                    {"flags": "RO access", "bs": ("index", 2), "fk": ("range", 0, 1, 0)}), **_RANGE_FLAGS)
def zrangestore(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 2, argv[1], 0, None)


@command("zrangebyscore", -4, "readonly", 1, 1, 1, since="1.0.5",
         summary="Return a range of members in a sorted set, by score",
         complexity=_BYRANGE_COMPLEXITY, **_RANGE_FLAGS)
def zrangebyscore(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, _SCORE, False)


@command("zrevrangebyscore", -4, "readonly", 1, 1, 1, since="2.2.0",
         summary="Return a range of members in a sorted set, by score, with scores ordered from high to low",
         complexity=_BYRANGE_COMPLEXITY, **_RANGE_FLAGS)
def zrevrangebyscore(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, _SCORE, True)


@command("zrangebylex", -4, "readonly", 1, 1, 1, since="2.8.9",
         summary="Return a range of members in a sorted set, by lexicographical range",
         complexity=_BYRANGE_COMPLEXITY, **_RANGE_FLAGS)
def zrangebylex(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, _LEX, False)


@command("zrevrangebylex", -4, "readonly", 1, 1, 1, since="2.8.9",
         summary="Return a range of members in a sorted set, by lexicographical range, ordered from higher to "
                 "lower strings.",
         complexity=_BYRANGE_COMPLEXITY, **_RANGE_FLAGS)
def zrevrangebylex(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, _LEX, True)


@command("zrevrange", -4, "readonly", 1, 1, 1, since="1.2.0",
         summary="Return a range of members in a sorted set, by index, with scores ordered from high to low",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements returned.", **_RANGE_FLAGS)
def zrevrange(client, argv: list[bytes]) -> bytes:
    return _zrange(client, argv, 1, None, _RANK, True)


# ----- ZREMRANGEBY*
def _zremrange(client, argv: list[bytes], rangetype: int, event: bytes) -> bytes:
    if rangetype == _RANK:
        first = parse_long(argv[2])
        last = parse_long(argv[3])
    elif rangetype == _SCORE:
        lo, lo_ex = _score_bound(argv[2])
        hi, hi_ex = _score_bound(argv[3])
    else:
        llo = _lex_bound(argv[2])
        lhi = _lex_bound(argv[3])
    db = client.db
    key = argv[1]
    zs = _zset_or_none(db, key)
    if zs is None:
        return resp.ZERO
    if rangetype == _RANK:
        window = _rank_window(len(zs), first, last)
        if window is None:
            return resp.ZERO
        start, stop = window[0], window[1] + 1
    elif rangetype == _SCORE:
        start, stop = zs.score_span(lo, lo_ex, hi, hi_ex)
    else:
        start, stop = _lex_span(zs, llo, lhi)
    deleted = zs.remove_range(start, stop)
    if deleted:
        db.changed(key, deleted)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_ZSET, event, key, db.id)
        if not len(zs):
            _removed_all(client, key)
    return resp.integer(deleted)


@command("zremrangebyrank", 4, "write", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.0.0",
         summary="Remove all members in a sorted set within the given indexes",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements removed by the operation.", key_specs=(_ks("RW delete"),))
def zremrangebyrank(client, argv: list[bytes]) -> bytes:
    return _zremrange(client, argv, _RANK, b"zremrangebyrank")


@command("zremrangebyscore", 4, "write", 1, 1, 1, group="sorted-set", categories="@sortedset", since="1.2.0",
         summary="Remove all members in a sorted set within the given scores",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements removed by the operation.", key_specs=(_ks("RW delete"),))
def zremrangebyscore(client, argv: list[bytes]) -> bytes:
    return _zremrange(client, argv, _SCORE, b"zremrangebyscore")


@command("zremrangebylex", 4, "write", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.8.9",
         summary="Remove all members in a sorted set between the given lexicographical range",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                    "elements removed by the operation.", key_specs=(_ks("RW delete"),))
def zremrangebylex(client, argv: list[bytes]) -> bytes:
    return _zremrange(client, argv, _LEX, b"zremrangebylex")


# ----- pops
def _pop_from(client, db, key: bytes, zs: ZSet, from_max: bool, count: int, emitkey: bool,
              nested: bool) -> bytes:
    """Pop up to ``count`` members from ``zs`` at ``key`` and build the reply (``genericZpopCommand``)."""
    popped = zs.pop(count, from_max)
    db.changed(key, len(popped))
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_ZSET, b"zpopmax" if from_max else b"zpopmin", key, db.id)
    if not len(zs):
        db.delete(key)
        if node.notify_flags:
            notify(node, NOTIFY_GENERIC, b"del", key, db.id)
    r = client.resp
    fmt = resp.format_double
    if nested:
        body = [b"*2\r\n$%d\r\n%b\r\n%b" % (len(m), m, _double(s, r)) for m, s in popped]
        inner = b"*%d\r\n%b" % (len(popped), b"".join(body))
        return b"*2\r\n" + resp.bulk(key) + inner if emitkey else inner
    parts = [b"*%d\r\n" % (2 * len(popped) + (1 if emitkey else 0))]
    if emitkey:
        parts.append(resp.bulk(key))
    if r == 3:
        parts += [b"$%d\r\n%b\r\n,%b\r\n" % (len(m), m, fmt(s)) for m, s in popped]
    else:
        for m, s in popped:
            t = fmt(s)
            parts.append(b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(m), m, len(t), t))
    return b"".join(parts)


def _zpop(client, argv: list[bytes], from_max: bool) -> bytes:
    if len(argv) > 3:
        raise CommandError(SYNTAX_ERR)
    count = parse_positive(argv[2], POSITIVE_ERR) if len(argv) == 3 else -1
    if count == 0:
        return resp.EMPTY_ARRAY
    db = client.db
    key = argv[1]
    zs = _zset_or_none(db, key)
    if zs is None:
        return resp.EMPTY_ARRAY
    nested = client.resp > 2 and count != -1
    return _pop_from(client, db, key, zs, from_max, max(count, 1), False, nested)


def _zpop_one(client, key: bytes, from_max: bool) -> bytes:
    """ZPOPMIN/ZPOPMAX without a count, the common form: ``_pop_from`` for one member, in one frame."""
    db = client.db
    zs = db.lookup(key)
    if type(zs) is not ZSet:
        if zs is None:
            return resp.EMPTY_ARRAY
        raise CommandError(WRONGTYPE_ERR)
    member, score = zs.pop(1, from_max)[0]
    db.changed(key)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_ZSET, b"zpopmax" if from_max else b"zpopmin", key, db.id)
    if not zs.scores:
        db.delete(key)
        if node.notify_flags:
            notify(node, NOTIFY_GENERIC, b"del", key, db.id)
    text = resp.format_double(score)
    if client.resp == 3:
        return b"*2\r\n$%d\r\n%b\r\n,%b\r\n" % (len(member), member, text)
    return b"*2\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(member), member, len(text), text)


@command("zpopmin", -2, "write fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="5.0.0",
         summary="Remove and return members with the lowest scores in a sorted set",
         complexity="O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
                    "of elements popped.")
def zpopmin(client, argv: list[bytes]) -> bytes:
    if len(argv) == 2:
        return _zpop_one(client, argv[1], False)
    return _zpop(client, argv, False)


@command("zpopmax", -2, "write fast", 1, 1, 1, group="sorted-set", categories="@sortedset", since="5.0.0",
         summary="Remove and return members with the highest scores in a sorted set",
         complexity="O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
                    "of elements popped.")
def zpopmax(client, argv: list[bytes]) -> bytes:
    if len(argv) == 2:
        return _zpop_one(client, argv[1], True)
    return _zpop(client, argv, True)


def _parse_mpop(argv: list[bytes], numkeys_idx: int) -> tuple[list[bytes], bool, int]:
    numkeys = parse_range_long(argv[numkeys_idx], 1, _LONG_MAX, NUMKEYS_ERR)
    where_idx = numkeys_idx + numkeys + 1
    if where_idx >= len(argv):
        raise CommandError(SYNTAX_ERR)
    where = argv[where_idx].lower()
    if where == b"min":
        from_max = False
    elif where == b"max":
        from_max = True
    else:
        raise CommandError(SYNTAX_ERR)
    count = -1
    j = where_idx + 1
    while j < len(argv):
        if count == -1 and argv[j].lower() == b"count" and j + 1 < len(argv):
            count = parse_range_long(argv[j + 1], 1, _LONG_MAX, COUNT_POSITIVE_ERR)
            j += 2
        else:
            raise CommandError(SYNTAX_ERR)
    return argv[numkeys_idx + 1:where_idx], from_max, max(count, 1)


def _first_nonempty(db, keys: list[bytes]) -> tuple[bytes, ZSet] | None:
    for key in keys:
        zs = _zset_or_none(db, key)
        if zs is not None and len(zs):
            return key, zs
    return None


def _mpop_keys(numkeys_idx: int):
    def getkeys(argv: list[bytes]) -> list[int]:
        try:
            n = int(argv[numkeys_idx])
        except (ValueError, IndexError):
            return []
        if n < 1 or numkeys_idx + n >= len(argv):
            return []
        return list(range(numkeys_idx + 1, numkeys_idx + 1 + n))
    return getkeys


def _store_keys(argv: list[bytes]) -> list[int]:
    return [1, *_mpop_keys(2)(argv)]


_ks_keynum = key_spec_keynum


_POP_NAME = {False: b"ZPOPMIN", True: b"ZPOPMAX"}


@command("zmpop", -4, "write", 0, 0, 0, group="sorted-set", categories="@sortedset", since="7.0.0",
         summary="Remove and return members with scores in a sorted set",
         complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
                    "in the sorted set, and M being the number of elements popped.",
         getkeys=_mpop_keys(1), key_specs=(_ks_keynum("RW access delete", 1),))
def zmpop(client, argv: list[bytes]) -> bytes:
    keys, from_max, count = _parse_mpop(argv, 1)
    db = client.db
    found = _first_nonempty(db, keys)
    if found is None:
        return resp.null_array(client.resp)
    key, zs = found
    client.propagate = [[_POP_NAME[from_max], key, b"%d" % count]]
    return _pop_from(client, db, key, zs, from_max, count, True, True)


# ----- blocking pops
def _serve_pop(from_max: bool, count: int, emitkey_nested: bool):
    """The ``serve`` callback of a parked BZPOPMIN/BZPOPMAX (count -1) or BZMPOP."""
    def serve(client, db, key: bytes) -> bytes | None:
        zs = db.lookup(key)
        if type(zs) is not ZSet or not len(zs):
            return None
        prop = [_POP_NAME[from_max], key] if count == -1 else [_POP_NAME[from_max], key, b"%d" % count]
        client.node.propagate_internal(db.id, [prop])
        if db.watched:
            touch_watched(db, [key])
        return _pop_from(client, db, key, zs, from_max, max(count, 1), True, emitkey_nested)
    return serve


def _block_pop(client, argv: list[bytes], keys: list[bytes], timeout: int, from_max: bool, count: int,
               nested: bool) -> bytes | None:
    db = client.db
    found = _first_nonempty(db, keys)
    if found is not None:
        key, zs = found
        name = _POP_NAME[from_max]
        client.propagate = [[name, key] if count == -1 else [name, key, b"%d" % count]]
        return _pop_from(client, db, key, zs, from_max, max(count, 1), True, nested)
    blocking = client.node.blocking
    if not blocking.can_block(client):
        return resp.null_array(client.resp)
    blocking.block(client, keys, timeout, _serve_pop(from_max, count, nested), argv=argv)
    return None


@command("bzpopmin", -3, "write noscript blocking fast", 1, -2, 1, group="sorted-set", categories="@sortedset",
         since="5.0.0", summary="Remove and return the member with the lowest score from one or more sorted sets, "
         "or block until one is available", complexity="O(log(N)) with N being the number of elements in the "
         "sorted set.")
def bzpopmin(client, argv: list[bytes]) -> bytes | None:
    timeout = parse_timeout(argv[-1])
    return _block_pop(client, argv, argv[1:-1], timeout, False, -1, False)


@command("bzpopmax", -3, "write noscript blocking fast", 1, -2, 1, group="sorted-set", categories="@sortedset",
         since="5.0.0", summary="Remove and return the member with the highest score from one or more sorted sets, "
         "or block until one is available", complexity="O(log(N)) with N being the number of elements in the "
         "sorted set.")
def bzpopmax(client, argv: list[bytes]) -> bytes | None:
    timeout = parse_timeout(argv[-1])
    return _block_pop(client, argv, argv[1:-1], timeout, True, -1, False)


@command("bzmpop", -5, "write blocking", 0, 0, 0, group="sorted-set", categories="@sortedset", since="7.0.0",
         summary="Remove and return members with scores in a sorted set or block until one is available",
         complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
                    "in the sorted set, and M being the number of elements popped.",
         getkeys=_mpop_keys(2), key_specs=(_ks_keynum("RW access delete", 2),))
def bzmpop(client, argv: list[bytes]) -> bytes | None:
    keys, from_max, count = _parse_mpop(argv, 2)
    timeout = parse_timeout(argv[1])
    return _block_pop(client, argv, keys, timeout, from_max, count, True)


# ----- ZRANDMEMBER
@command("zrandmember", -2, "readonly", 1, 1, 1, group="sorted-set", categories="@sortedset", since="6.2.0",
         tips="nondeterministic_output", summary="Get one or multiple random elements from a sorted set",
         complexity="O(N) where N is the number of elements returned")
def zrandmember(client, argv: list[bytes]) -> bytes:
    rng = client.node.rng
    if len(argv) == 2:
        zs = _zset_or_none(client.db, argv[1])
        if zs is None:
            return resp.null(client.resp)
        return resp.bulk(zs.index[rng.randrange(len(zs))][1])
    n = parse_range_long(argv[2], -_LONG_MAX, _LONG_MAX, RANDOM_RANGE_ERR, NOT_INTEGER_ERR)
    withscores = False
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withscores"):
        raise CommandError(SYNTAX_ERR)
    if len(argv) == 4:
        withscores = True
        if n < -(_LONG_MAX // 2) or n > _LONG_MAX // 2:
            raise CommandError(RANDOM_WITHSCORES_ERR)
    zs = _zset_or_none(client.db, argv[1])
    if zs is None or n == 0:
        return resp.EMPTY_ARRAY
    index = zs.index
    size = len(index)
    if n < 0 or n == 1:
        picks = [index[rng.randrange(size)] for _ in range(abs(n))]
    elif n >= size:
        picks = list(reversed(index))
    else:
        picks = [index[i] for i in rng.sample(range(size), n)]
    return _pairs(picks, withscores, client.resp)


# ----- ZUNION / ZINTER / ZDIFF and their STORE forms, ZINTERCARD
_SUM, _MIN, _MAX = 0, 1, 2
_UNION, _INTER, _DIFF = 0, 1, 2


def _score_of(src, member: bytes) -> float | None:
    if type(src) is ZSet:
        return src.scores.get(member)
    return 1.0 if member in src else None


def _items_of(src):
    if type(src) is ZSet:
        return src.scores.items()
    return ((m, 1.0) for m in src)


def _aggregate(a: float, b: float, how: int) -> float:
    if how == _SUM:
        total = a + b
        return 0.0 if total != total else total
    if how == _MIN:
        return b if b < a else a
    return b if b > a else a


def _setop(client, argv: list[bytes], name: bytes, dst: bytes | None, numkeys_idx: int, op: int,
           card_only: bool) -> bytes:
    setnum = parse_long(argv[numkeys_idx])
    if setnum < 1:
        raise CommandError(b"ERR at least 1 input key is needed for '%s' command" % name)
    if setnum > len(argv) - numkeys_idx - 1:
        raise CommandError(SYNTAX_ERR)
    db = client.db
    sources = []
    # the sources are read through lookupKeyRead, so the *STORE forms count hits and misses too
    for key in argv[numkeys_idx + 1:numkeys_idx + 1 + setnum]:
        value = db.lookup_read(key)
        if value is not None and type(value) is not ZSet and type(value) is not set:
            raise CommandError(WRONGTYPE_ERR)
        sources.append(value)
    weights = [1.0] * setnum
    how = _SUM
    withscores = False
    limit = 0
    j = numkeys_idx + 1 + setnum
    n = len(argv)
    while j < n:
        remaining = n - j
        opt = argv[j].lower()
        if op != _DIFF and not card_only and remaining >= setnum + 1 and opt == b"weights":
            weights = [parse_score(a, WEIGHT_FLOAT_ERR) for a in argv[j + 1:j + 1 + setnum]]
            j += setnum + 1
        elif op != _DIFF and not card_only and remaining >= 2 and opt == b"aggregate":
            which = argv[j + 1].lower()
            if which == b"sum":
                how = _SUM
            elif which == b"min":
                how = _MIN
            elif which == b"max":
                how = _MAX
            else:
                raise CommandError(SYNTAX_ERR)
            j += 2
        elif dst is None and not card_only and opt == b"withscores":
            withscores = True
            j += 1
        elif card_only and remaining >= 2 and opt == b"limit":
            limit = parse_positive(argv[j + 1], LIMIT_NEGATIVE_ERR)
            j += 2
        else:
            raise CommandError(SYNTAX_ERR)

    result: dict[bytes, float] = {}
    if op == _INTER:
        # smallest input first (fewest membership tests); a missing key empties the result
        order = sorted(range(setnum), key=lambda i: len(sources[i]) if sources[i] is not None else 0)
        if all(sources[i] is not None and len(sources[i]) for i in order):
            first, rest = order[0], order[1:]
            if card_only:
                count = 0
                for member in (sources[first].scores if type(sources[first]) is ZSet else sources[first]):
                    if all(_score_of(sources[i], member) is not None for i in rest):
                        count += 1
                        if limit and count >= limit:
                            break
                return resp.integer(count)
            w0 = weights[first]
            for member, score in _items_of(sources[first]):
                total = w0 * score
                if total != total:
                    total = 0.0
                for i in rest:
                    other = _score_of(sources[i], member)
                    if other is None:
                        break
                    value = weights[i] * other
                    if value != value:
                        value = 0.0
                    total = _aggregate(total, value, how)
                else:
                    result[member] = total
        elif card_only:
            return resp.ZERO
    elif op == _UNION:
        order = sorted(range(setnum), key=lambda i: len(sources[i]) if sources[i] is not None else 0)
        for i in order:
            src = sources[i]
            if src is None:
                continue
            w = weights[i]
            for member, score in _items_of(src):
                value = w * score
                if value != value:
                    value = 0.0
                old = result.get(member)
                result[member] = value if old is None else _aggregate(old, value, how)
    else:
        first = sources[0]
        if first is not None:
            rest = [s for s in sources[1:] if s is not None]
            for member, score in _items_of(first):
                for other in rest:
                    if member in other:
                        break
                else:
                    result[member] = score

    if dst is not None:
        event = (b"zunionstore", b"zinterstore", b"zdiffstore")[op]
        return _store(client, dst, _from_pairs((s, m) for m, s in result.items()), event)
    items = sorted((s, m) for m, s in result.items())
    return _pairs(items, withscores, client.resp)


_SETOP_DOC = dict(group="sorted-set", categories="@sortedset")
_STORE_SPECS = ({"flags": "OW update", "bs": ("index", 1), "fk": ("range", 0, 1, 0)},
                {"flags": "RO access", "bs": ("index", 2), "fk": ("keynum", 0, 1, 1)})
_READ_SPECS = ({"flags": "RO access", "bs": ("index", 1), "fk": ("keynum", 0, 1, 1)},)


@command("zunion", -3, "readonly", 0, 0, 0, since="6.2.0", getkeys=_mpop_keys(1), key_specs=_READ_SPECS,
         summary="Add multiple sorted sets",
         complexity="O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the "
                    "number of elements in the resulting sorted set.", **_SETOP_DOC)
def zunion(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zunion", None, 1, _UNION, False)


@command("zinter", -3, "readonly", 0, 0, 0, since="6.2.0", getkeys=_mpop_keys(1), key_specs=_READ_SPECS,
         summary="Intersect multiple sorted sets",
         complexity="O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number "
                    "of input sorted sets and M being the number of elements in the resulting sorted set.",
         **_SETOP_DOC)
def zinter(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zinter", None, 1, _INTER, False)


@command("zdiff", -3, "readonly", 0, 0, 0, since="6.2.0", getkeys=_mpop_keys(1), key_specs=_READ_SPECS,
         summary="Subtract multiple sorted sets",
         complexity="O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
                    "the size of the first set, and K is the size of the result set.", **_SETOP_DOC)
def zdiff(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zdiff", None, 1, _DIFF, False)


@command("zintercard", -3, "readonly", 0, 0, 0, since="7.0.0", getkeys=_mpop_keys(1), key_specs=_READ_SPECS,
         summary="Intersect multiple sorted sets and return the cardinality of the result",
         complexity="O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
                    "sorted sets.", **_SETOP_DOC)
def zintercard(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zintercard", None, 1, _INTER, True)


@command("zunionstore", -4, "write denyoom", 1, 1, 1, since="2.0.0", getkeys=_store_keys, key_specs=_STORE_SPECS,
         summary="Add multiple sorted sets and store the resulting sorted set in a new key",
         complexity="O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the "
                    "number of elements in the resulting sorted set.", **_SETOP_DOC)
def zunionstore(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zunionstore", argv[1], 2, _UNION, False)


@command("zinterstore", -4, "write denyoom", 1, 1, 1, since="2.0.0", getkeys=_store_keys, key_specs=_STORE_SPECS,
         summary="Intersect multiple sorted sets and store the resulting sorted set in a new key",
         complexity="O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number "
                    "of input sorted sets and M being the number of elements in the resulting sorted set.",
         **_SETOP_DOC)
def zinterstore(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zinterstore", argv[1], 2, _INTER, False)


@command("zdiffstore", -4, "write denyoom", 1, 1, 1, since="6.2.0", getkeys=_store_keys, key_specs=_STORE_SPECS,
         summary="Subtract multiple sorted sets and store the resulting sorted set in a new key",
         complexity="O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
                    "the size of the first set, and K is the size of the result set.", **_SETOP_DOC)
def zdiffstore(client, argv: list[bytes]) -> bytes:
    return _setop(client, argv, b"zdiffstore", argv[1], 2, _DIFF, False)


# ----- ZSCAN
@command("zscan", -3, "readonly", 1, 1, 1, group="sorted-set", categories="@sortedset", since="2.8.0",
         tips="nondeterministic_output", summary="Incrementally iterate sorted sets elements and associated scores",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                    "cursor to return back to 0. N is the number of elements inside the collection..")
def zscan(client, argv: list[bytes]) -> bytes:
    cursor = parse_cursor(argv[2])
    db = client.db
    zs = _zset_or_none(db, argv[1])
    if zs is None:
        return b"*2\r\n$1\r\n0\r\n*0\r\n"
    count, match = parse_scan_options(argv, 3)
    if _compact(client, zs):
        # Redis keeps a small sorted set as a listpack and returns it whole, in order
        next_cursor = 0
        members = [m for _, m in zs.index]
    else:
        next_cursor, members = scan_dict(zs.scores, db, cursor, count)
    if match is not None:
        members = [m for m in members if match(m)]
    scores = zs.scores
    out = []
    fmt = resp.format_double
    for m in members:
        s = scores.get(m)
        if s is not None:
            out.append(m)
            out.append(fmt(s))
    return scan_reply(next_cursor, out)


def _compact(client, zs: ZSet) -> bool:
    config = client.node.config
    try:
        entries = int(config["zset-max-listpack-entries"])
        value = int(config["zset-max-listpack-value"])
    except (KeyError, TypeError, ValueError):
        entries, value = 128, 64
    if len(zs) > entries:
        return False
    return all(len(m) <= value for m in zs.scores)
