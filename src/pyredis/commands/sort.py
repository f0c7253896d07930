"""SORT and SORT_RO: sort (or just page through) a list, set or sorted set, optionally by and
with values looked up through patterns, optionally storing the result as a list.

Follows Redis 7.0's sort.c: numeric sorting by default (``ERR One or more scores can't be
converted into double``), ALPHA for byte order, equal scores ordered by the element's bytes so
the result is deterministic; ``BY`` a pattern without ``*`` means "don't sort"; a set sorted
without sorting is still ordered by its bytes when the result is stored (a replica or the AOF
must store the same list); patterns are ``prefix*suffix`` string keys or ``prefix*->field``
hash fields, ``#`` being the element itself.
"""

import math

from ..config import NOTIFY_GENERIC, NOTIFY_LIST
from ..engine.blocking import signal_key
from ..engine.values import ListValue
from ..engine.zset import ZSet
from ..protocol import resp
from ..protocol.errors import SYNTAX_ERR, WRONGTYPE_ERR, CommandError
from .notify import notify
from .registry import command
from .strings import ll_arg

SCORE_ERR = b"ERR One or more scores can't be converted into double"
_KEY_SPECS = (
    {"flags": "RO access", "bs": ("index", 1), "fk": ("range", 0, 1, 0)},
    {"flags": "RO access", "notes": "For the optional BY/GET keyword. It is marked 'unknown' because the key names "
                                    "derive from the content of the key we sort"},
    {"flags": "OW update", "notes": "For the optional STORE keyword. It is marked 'unknown' because the keyword "
                                    "can appear anywhere in the argument array"},
)


def _sort_keys(argv: list[bytes]) -> list[int]:
    """COMMAND GETKEYS: the sorted key, and the STORE destination (sortGetKeys)."""
    keys = [1]
    i = 2
    skip = {b"limit": 2, b"get": 1, b"by": 1}
    while i < len(argv):
        word = argv[i].lower()
        if word in skip:
            i += skip[word]
        elif word == b"store" and i + 1 < len(argv):
            keys = [1, i + 1]
            i += 1
        i += 1
    return keys


def _lookup(db, pattern: bytes, element: bytes) -> bytes | None:
    """``lookupKeyByPattern``: '#' is the element; '*' is replaced by it; '->field' reads a hash."""
    if pattern == b"#":
        return element
    star = pattern.find(b"*")
    if star < 0:
        return None
    arrow = pattern.find(b"->", star + 1)
    field = None
    if arrow >= 0 and arrow + 2 < len(pattern):
        field = pattern[arrow + 2:]
        key = pattern[:star] + element + pattern[star + 1:arrow]
    else:
        key = pattern[:star] + element + pattern[star + 1:]
    value = db.lookup(key)
    if value is None:
        return None
    if field is not None:
        return value.get(field) if type(value) is dict else None
    return value if type(value) is bytes else None


def _score(text: bytes | None) -> float:
    if text is None:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise CommandError(SCORE_ERR) from None
    # strtod: leading blanks are skipped, anything left after the number is an error
    if math.isnan(value) or text.rstrip() != text or b"_" in text:
        raise CommandError(SCORE_ERR)
    return value


def _sort(client, argv: list[bytes], readonly: bool) -> bytes:
    db = client.db
    desc = alpha = False
    offset, count = 0, -1
    by: bytes | None = None
    dontsort = False
    gets: list[bytes] = []
    store: bytes | None = None
    i = 2
    n = len(argv)
    while i < n:
        word = argv[i].lower()
        left = n - i - 1
        if word == b"asc":
            desc = False
        elif word == b"desc":
            desc = True
        elif word == b"alpha":
            alpha = True
        elif word == b"limit" and left >= 2:
            offset, count = ll_arg(argv[i + 1]), ll_arg(argv[i + 2])
            i += 2
        elif word == b"store" and left >= 1 and not readonly:
            store = argv[i + 1]
            i += 1
        elif word == b"by" and left >= 1:
            by = argv[i + 1]
            if b"*" not in by:
                dontsort = True
            i += 1
        elif word == b"get" and left >= 1:
            gets.append(argv[i + 1])
            i += 1
        else:
            raise CommandError(SYNTAX_ERR)
        i += 1
    # the sorted key and the BY/GET keys are read through lookupKeyRead: they count as keyspace
    # hits and misses even for SORT (a write command), until the result is stored
    keyspace = db.keyspace
    reading = keyspace.reading
    keyspace.reading = 1
    value = db.lookup(argv[1])
    if value is None:
        elements: list[bytes] = []
    elif type(value) is ListValue:
        elements = list(value)
    elif type(value) is set:
        elements = list(value)
        # an unsorted set must still give replicas and the AOF the same list
        if dontsort and store is not None:
            dontsort = False
            alpha = True
            by = None
    elif type(value) is ZSet:
        elements = [member for member, _ in value]
    else:
        raise CommandError(WRONGTYPE_ERR)
    start = max(offset, 0)
    if dontsort:
        if desc:
            elements.reverse()
    else:
        if by is not None:
            weights = [_lookup(db, by, e) for e in elements]
        else:
            weights = list(elements)
        if alpha:
            # missing BY values sort first; equal ones keep Redis's qsort-independent tie order
            pairs = sorted(zip(weights, elements, strict=True),
                           key=lambda p: (p[0] is not None, p[0] or b"") if by is not None else p[1])
        else:
            scored = [(_score(w) if by is not None else _score(e), e) for w, e in zip(weights, elements, strict=True)]
            pairs = sorted(scored)
        elements = [e for _, e in pairs]
        if desc:
            elements.reverse()
    end = len(elements) if count < 0 else start + count
    window = elements[start:end]
    if gets:
        out = [_lookup(db, g, e) for e in window for g in gets]
    else:
        out = list(window)
    keyspace.reading = reading
    if store is None:
        return resp.bulk_array(out, client.resp)
    node = client.node
    if out:
        db.set(store, ListValue(v if v is not None else b"" for v in out))
        signal_key(node.ready_keys, db, store)
        if node.notify_flags:
            notify(node, NOTIFY_LIST, b"sortstore", store, db.id)
    elif db.delete(store):
        if node.notify_flags:
            notify(node, NOTIFY_GENERIC, b"del", store, db.id)
    return resp.integer(len(out))


@command("sort", -2, "write denyoom", 1, 1, 1, group="generic", categories="@set @sortedset @list @dangerous",
         summary="Sort the elements in a list, set or sorted set", since="1.0.0",
         complexity="O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number "
                    "of returned elements. When the elements are not sorted, complexity is O(N).",
         getkeys=_sort_keys, key_specs=_KEY_SPECS)
def sort(client, argv: list[bytes]) -> bytes:
    return _sort(client, argv, readonly=False)


@command("sort_ro", -2, "readonly", 1, 1, 1, group="generic", categories="@set @sortedset @list @dangerous",
         summary="Sort the elements in a list, set or sorted set. Read-only variant of SORT.", since="7.0.0",
         complexity="O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number "
                    "of returned elements. When the elements are not sorted, complexity is O(N).",
         getkeys=lambda argv: [1], key_specs=_KEY_SPECS[:2])
def sort_ro(client, argv: list[bytes]) -> bytes:
    return _sort(client, argv, readonly=True)
