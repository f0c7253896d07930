"""List commands (LPUSH ... LMPOP) and the blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP).

A list is an ``engine.values.ListValue`` (a deque): pushes and pops at both ends are O(1),
indexing walks from the nearer end. An emptied list is deleted, with the generic ``del`` event.

Blocking pops follow Redis 7.0's ``t_list.c``: if one of the keys has elements the command is
served at once and propagated in its non-blocking form (BLPOP → LPOP key, BLMOVE → LMOVE,
BRPOPLPUSH → RPOPLPUSH, BLMPOP → LPOP/RPOP key count); otherwise the client is parked with
``node.blocking.block`` (see ``node/blocking.py``) and served by the push that fills a key,
first-come first-served. Inside MULTI/EXEC (and scripts) a blocking pop with nothing to take
answers the timeout reply at once. Every command that creates a list signals the key, so parked
clients wake up.

Timeouts are parsed like ``getTimeoutFromObjectOrReply``: a long double of seconds, rounded up to
milliseconds; ``inf`` and huge values overflow to negative in C, hence "timeout is negative".
"""

import math
from itertools import islice

from ..config import NOTIFY_GENERIC, NOTIFY_LIST
from ..engine.blocking import signal_key
from ..engine.values import ListValue
from ..protocol import resp
from ..protocol.errors import (
    NO_SUCH_KEY_ERR,
    NOT_INTEGER_ERR,
    OUT_OF_RANGE_ERR,
    SYNTAX_ERR,
    TIMEOUT_NEGATIVE_ERR,
    TIMEOUT_NOT_FLOAT_ERR,
    WRONGTYPE_ERR,
    CommandError,
    wrong_arity,
)
from ..protocol.parser import string2ll
from .dispatch import touch_watched
from .notify import notify
from .registry import command, key_spec, key_spec_keynum, subcommand

VALUE_NOT_POSITIVE_ERR = b"ERR value is out of range, must be positive"
NUMKEYS_ERR = b"ERR numkeys should be greater than 0"
COUNT_ERR = b"ERR count should be greater than 0"
RANK_ZERO_ERR = (b"ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                 b"or use negative to start from the end of the list")
COUNT_NEGATIVE_ERR = b"ERR COUNT can't be negative"
MAXLEN_NEGATIVE_ERR = b"ERR MAXLEN can't be negative"
UNBLOCK_REASON_ERR = b"ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
UNBLOCKED_ERR = b"UNBLOCKED client unblocked via CLIENT UNBLOCK"
UNBLOCK_ARITY_ERR_FMT = b"ERR unknown subcommand or wrong number of arguments for '%s'. Try CLIENT HELP."

_LLONG_MAX = (1 << 63) - 1
_LLONG_MIN = -(1 << 63)


# ----- argument parsing shared with the other collection modules
def parse_int(arg: bytes, error: bytes = NOT_INTEGER_ERR) -> int:
    """A signed 64-bit integer as Redis's ``string2ll`` accepts it, else ``error``."""
    n = string2ll(arg)
    if n is None:
        raise CommandError(error)
    return n


def parse_long_double(arg: bytes) -> float | None:
    """Redis's ``string2ld`` as a float: None when strtold would refuse the text (or NaN)."""
    if not arg or len(arg) >= 5120 or arg[:1].isspace() or arg[-1:].isspace() or b"_" in arg:
        return None
    try:
        text = arg.decode("ascii")
    except UnicodeDecodeError:
        return None
    body = text.lstrip("+-")
    try:
        if body[:2] in ("0x", "0X"):
            value = float.fromhex(text)
        else:
            if body.lower() in ("infinity", "inf"):
                value = math.inf
            elif not body or not (body[0].isdigit() or body[0] == "."):
                return None
            else:
                value = float(text)
            if text[0] == "-" and math.isinf(value):
                value = -math.inf
    except (ValueError, OverflowError):
        return None
    if math.isnan(value):
        return None
    return value


def parse_timeout(arg: bytes) -> int:
    """A blocking command's timeout in ms (0: forever), as ``getTimeoutFromObjectOrReply``."""
    value = parse_long_double(arg)
    if value is None:
        raise CommandError(TIMEOUT_NOT_FLOAT_ERR)
    ms = value * 1000.0
    if math.isinf(ms) or ms >= 9.223372036854775807e18 or ms < -9.223372036854775807e18:
        raise CommandError(TIMEOUT_NEGATIVE_ERR)     # (long long) of an out-of-range value in C
    ms = math.ceil(ms)
    if ms < 0:
        raise CommandError(TIMEOUT_NEGATIVE_ERR)
    return ms


def _where(arg: bytes) -> bool:
    """LEFT → True, RIGHT → False."""
    w = arg.lower()
    if w == b"left":
        return True
    if w == b"right":
        return False
    raise CommandError(SYNTAX_ERR)


def _get_list(db, key: bytes) -> ListValue | None:
    value = db.lookup(key)
    if value is None or type(value) is ListValue:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


_ks = key_spec


_ks_keynum = key_spec_keynum


def _touch(db, key: bytes) -> None:
    if db.watched:
        touch_watched(db, [key])


def _emptied(node, db, key: bytes, lst: ListValue) -> None:
    if not lst:
        db.delete(key)
        if node.notify_flags:
            notify(node, NOTIFY_GENERIC, b"del", key, db.id)


# ----- pushes
def _push(client, argv: list[bytes], left: bool, only_existing: bool) -> bytes:
    db = client.db
    key = argv[1]
    node = client.node
    lst = db.lookup(key)
    if type(lst) is not ListValue:
        if lst is not None:
            raise CommandError(WRONGTYPE_ERR)
        if only_existing:
            return resp.ZERO
        lst = ListValue()
        db.add(key, lst)
        signal_key(node.ready_keys, db, key)
    count = len(argv) - 2
    if count == 1:              # one element, the common form: no slice
        if left:
            lst.appendleft(argv[2])
        else:
            lst.append(argv[2])
    elif left:
        lst.extendleft(argv[2:])
    else:
        lst.extend(argv[2:])
    db.changed(key, count)
    if node.notify_flags:
        notify(node, NOTIFY_LIST, b"lpush" if left else b"rpush", key, db.id)
    return resp.integer(len(lst))


_PUSH_SPEC = (_ks("RW insert"),)
_PUSH_COMPLEXITY = ("O(1) for each element added, so O(N) to add N elements when the command is called with "
                    "multiple arguments.")


@command("lpush", -3, "write denyoom fast", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Prepend one or multiple elements to a list",
         complexity=_PUSH_COMPLEXITY, key_specs=_PUSH_SPEC)
def lpush(client, argv: list[bytes]) -> bytes:
    return _push(client, argv, True, False)


@command("rpush", -3, "write denyoom fast", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Append one or multiple elements to a list",
         complexity=_PUSH_COMPLEXITY, key_specs=_PUSH_SPEC)
def rpush(client, argv: list[bytes]) -> bytes:
    return _push(client, argv, False, False)


@command("lpushx", -3, "write denyoom fast", 1, 1, 1, group="list", categories="@list", since="2.2.0",
         summary="Prepend an element to a list, only if the list exists",
         complexity=_PUSH_COMPLEXITY, key_specs=_PUSH_SPEC)
def lpushx(client, argv: list[bytes]) -> bytes:
    return _push(client, argv, True, True)


@command("rpushx", -3, "write denyoom fast", 1, 1, 1, group="list", categories="@list", since="2.2.0",
         summary="Append an element to a list, only if the list exists",
         complexity=_PUSH_COMPLEXITY, key_specs=_PUSH_SPEC)
def rpushx(client, argv: list[bytes]) -> bytes:
    return _push(client, argv, False, True)


# ----- pops
def pop_range(node, db, key: bytes, lst: ListValue, left: bool, count: int) -> list[bytes]:
    """Pop up to ``count`` elements from one end, with the events and the deletion of an
    emptied list (``listPopRangeAndReplyWithKey``)."""
    n = min(count, len(lst))
    pop = lst.popleft if left else lst.pop
    items = [pop() for _ in range(n)]
    db.changed(key, n)
    _touch(db, key)
    if node.notify_flags:
        notify(node, NOTIFY_LIST, b"lpop" if left else b"rpop", key, db.id)
    _emptied(node, db, key, lst)
    return items


def _pop_one(client, key: bytes, left: bool) -> bytes:
    """LPOP/RPOP without a count, the common form: ``_pop``'s single-element branch in one frame."""
    db = client.db
    lst = db.lookup(key)
    if type(lst) is not ListValue:
        if lst is None:
            return resp.NULL3 if client.resp == 3 else resp.NULL_BULK
        raise CommandError(WRONGTYPE_ERR)
    value = lst.popleft() if left else lst.pop()
    db.changed(key)
    node = client.node
    if node.notify_flags:
        notify(node, NOTIFY_LIST, b"lpop" if left else b"rpop", key, db.id)
    if not lst:
        _emptied(node, db, key, lst)
    return resp.bulk(value)


def _pop(client, argv: list[bytes], left: bool) -> bytes:
    if len(argv) > 3:
        raise CommandError(wrong_arity(argv[0]))
    count = parse_int(argv[2], VALUE_NOT_POSITIVE_ERR)
    if count < 0:
        raise CommandError(VALUE_NOT_POSITIVE_ERR)
    db = client.db
    key = argv[1]
    lst = _get_list(db, key)
    if lst is None:
        return resp.NULL3 if client.resp == 3 else resp.NULL_ARRAY
    if count == 0:
        return resp.EMPTY_ARRAY
    return resp.bulk_array(pop_range(client.node, db, key, lst, left, count))


_POP_SPEC = (_ks("RW access delete"),)


@command("lpop", -2, "write fast", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Remove and get the first elements in a list",
         complexity="O(N) where N is the number of elements returned", key_specs=_POP_SPEC)
def lpop(client, argv: list[bytes]) -> bytes:
    if len(argv) == 2:
        return _pop_one(client, argv[1], True)
    return _pop(client, argv, True)


@command("rpop", -2, "write fast", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Remove and get the last elements in a list",
         complexity="O(N) where N is the number of elements returned", key_specs=_POP_SPEC)
def rpop(client, argv: list[bytes]) -> bytes:
    if len(argv) == 2:
        return _pop_one(client, argv[1], False)
    return _pop(client, argv, False)


# ----- reads
@command("llen", 2, "readonly fast", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Get the length of a list", complexity="O(1)", key_specs=(_ks("RO"),))
def llen(client, argv: list[bytes]) -> bytes:
    lst = _get_list(client.db, argv[1])
    return resp.integer(len(lst)) if lst is not None else resp.ZERO


def list_range(lst: ListValue, start: int, end: int) -> list[bytes]:
    """LRANGE's elements for Redis's index rules (negative from the end, clamped)."""
    n = len(lst)
    if start < 0:
        start += n
    if end < 0:
        end += n
    if start < 0:
        start = 0
    if start > end or start >= n:
        return []
    if end >= n:
        end = n - 1
    if start > n - 1 - end:         # nearer the tail: walk from there
        return list(islice(reversed(lst), n - 1 - end, n - start))[::-1]
    return list(islice(lst, start, end + 1))


@command("lrange", 4, "readonly", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Get a range of elements from a list",
         complexity="O(S+N) where S is the distance of start offset from HEAD for small lists, from "
                    "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the "
                    "specified range.", key_specs=(_ks("RO access"),))
def lrange(client, argv: list[bytes]) -> bytes:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    lst = client.db.lookup(argv[1])
    if type(lst) is not ListValue:
        if lst is None:
            return resp.EMPTY_ARRAY
        raise CommandError(WRONGTYPE_ERR)
    return resp.bulk_array(list_range(lst, start, end))


@command("lindex", 3, "readonly", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Get an element from a list by its index",
         complexity="O(N) where N is the number of elements to traverse to get to the element at index. "
                    "This makes asking for the first or the last element of the list O(1).",
         key_specs=(_ks("RO access"),))
def lindex(client, argv: list[bytes]) -> bytes:
    lst = _get_list(client.db, argv[1])
    if lst is None:                   # the key is looked up before the index is parsed
        return resp.null(client.resp)
    index = parse_int(argv[2])
    if index < 0:
        index += len(lst)
    if 0 <= index < len(lst):
        return resp.bulk(lst[index])
    return resp.null(client.resp)


@command("lpos", -3, "readonly", 1, 1, 1, group="list", categories="@list", since="6.0.6",
         summary="Return the index of matching elements on a list",
         complexity="O(N) where N is the number of elements in the list, for the average case. When "
                    "searching for elements near the head or the tail of the list, or when the MAXLEN "
                    "option is provided, the command may run in constant time.",
         key_specs=(_ks("RO access"),))
def lpos(client, argv: list[bytes]) -> bytes:
    rank = 1
    count = -1
    maxlen = 0
    i = 3
    n = len(argv)
    while i < n:
        opt = argv[i].lower()
        if i + 1 >= n:
            raise CommandError(SYNTAX_ERR)
        if opt == b"rank":
            rank = parse_int(argv[i + 1])
            if rank == 0:
                raise CommandError(RANK_ZERO_ERR)
        elif opt == b"count":
            count = parse_int(argv[i + 1])
            if count < 0:
                raise CommandError(COUNT_NEGATIVE_ERR)
        elif opt == b"maxlen":
            maxlen = parse_int(argv[i + 1])
            if maxlen < 0:
                raise CommandError(MAXLEN_NEGATIVE_ERR)
        else:
            raise CommandError(SYNTAX_ERR)
        i += 2
    lst = _get_list(client.db, argv[1])
    if lst is None:
        return resp.EMPTY_ARRAY if count != -1 else resp.null(client.resp)
    element = argv[2]
    size = len(lst)
    from_tail = rank < 0
    # C negates LONG_MIN into itself: every match then satisfies "matches >= rank"
    skip = 0 if rank == _LLONG_MIN else abs(rank) - 1
    want = count if count > 0 else (size if count == 0 else 1)
    limit = maxlen if maxlen else size
    found: list[int] = []
    it = reversed(lst) if from_tail else iter(lst)
    for checked, item in enumerate(islice(it, limit)):
        if item == element:
            if skip:
                skip -= 1
                continue
            found.append(size - 1 - checked if from_tail else checked)
            if len(found) >= want:
                break
    if count != -1:
        return resp.array([resp.integer(x) for x in found])
    return resp.integer(found[0]) if found else resp.null(client.resp)


# ----- in-place edits
@command("lset", 4, "write denyoom", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Set the value of an element in a list by its index",
         complexity="O(N) where N is the length of the list. Setting either the first or the last "
                    "element of the list is O(1).", key_specs=(_ks("RW update"),))
def lset(client, argv: list[bytes]) -> bytes:
    db = client.db
    key = argv[1]
    lst = _get_list(db, key)
    if lst is None:
        raise CommandError(NO_SUCH_KEY_ERR)
    index = parse_int(argv[2])
    if index < 0:
        index += len(lst)
    if not 0 <= index < len(lst):
        raise CommandError(OUT_OF_RANGE_ERR)
    lst[index] = argv[3]
    db.changed(key)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_LIST, b"lset", key, db.id)
    return resp.OK


@command("linsert", 5, "write denyoom", 1, 1, 1, group="list", categories="@list", since="2.2.0",
         summary="Insert an element before or after another element in a list",
         complexity="O(N) where N is the number of elements to traverse before seeing the value pivot. "
                    "This means that inserting somewhere on the left end on the list (head) can be "
                    "considered O(1) and inserting somewhere on the right end (tail) is O(N).",
         key_specs=(_ks("RW insert"),))
def linsert(client, argv: list[bytes]) -> bytes:
    where = argv[2].lower()
    if where == b"after":
        after = True
    elif where == b"before":
        after = False
    else:
        raise CommandError(SYNTAX_ERR)
    db = client.db
    key = argv[1]
    lst = _get_list(db, key)
    if lst is None:
        return resp.ZERO
    try:
        index = lst.index(argv[3])
    except ValueError:
        return resp.integer(-1)
    lst.insert(index + 1 if after else index, argv[4])
    db.changed(key)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_LIST, b"linsert", key, db.id)
    return resp.integer(len(lst))


@command("lrem", 4, "write", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Remove elements from a list",
         complexity="O(N+M) where N is the length of the list and M is the number of elements removed.",
         key_specs=(_ks("RW delete"),))
def lrem(client, argv: list[bytes]) -> bytes:
    count = parse_int(argv[2])
    db = client.db
    key = argv[1]
    lst = _get_list(db, key)
    if lst is None:
        return resp.ZERO
    element = argv[3]
    items = list(lst) if count >= 0 else list(reversed(lst))
    limit = abs(count) if count else len(items)
    kept = []
    removed = 0
    for item in items:
        if removed < limit and item == element:
            removed += 1
        else:
            kept.append(item)
    if removed:
        if count < 0:
            kept.reverse()
        lst.clear()
        lst.extend(kept)
        db.changed(key, removed)
        if client.node.notify_flags:
            notify(client.node, NOTIFY_LIST, b"lrem", key, db.id)
        _emptied(client.node, db, key, lst)
    return resp.integer(removed)


@command("ltrim", 4, "write", 1, 1, 1, group="list", categories="@list", since="1.0.0",
         summary="Trim a list to the specified range",
         complexity="O(N) where N is the number of elements to be removed by the operation.",
         key_specs=(_ks("RW delete"),))
def ltrim(client, argv: list[bytes]) -> bytes:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    db = client.db
    key = argv[1]
    lst = _get_list(db, key)
    if lst is None:
        return resp.OK
    n = len(lst)
    if start < 0:
        start += n
    if end < 0:
        end += n
    if start < 0:
        start = 0
    if start > end or start >= n:
        left, right = n, 0
    else:
        if end >= n:
            end = n - 1
        left, right = start, n - end - 1
    if left + right >= n:
        lst.clear()
    else:
        for _ in range(left):
            lst.popleft()
        for _ in range(right):
            lst.pop()
    if left + right:
        db.changed(key, left + right)
    if client.node.notify_flags:
        notify(client.node, NOTIFY_LIST, b"ltrim", key, db.id)
    _emptied(client.node, db, key, lst)
    return resp.OK


# ----- moves
def move_element(client, db, src: bytes, dst: bytes, lst: ListValue, left_from: bool, left_to: bool) -> bytes:
    """Pop from ``src`` (known non-empty) and push on ``dst``; the destination's type is checked
    first. Events as ``lmoveHandlePush`` then the pop, as Redis emits them."""
    target = db.lookup(dst)
    if target is not None and type(target) is not ListValue:
        raise CommandError(WRONGTYPE_ERR)
    node = client.node
    value = lst.popleft() if left_from else lst.pop()
    if target is None:
        target = ListValue()
        db.add(dst, target)
        signal_key(node.ready_keys, db, dst)
    if left_to:
        target.appendleft(value)
    else:
        target.append(value)
    db.changed(dst)
    _touch(db, dst)
    if node.notify_flags:
        notify(node, NOTIFY_LIST, b"lpush" if left_to else b"rpush", dst, db.id)
    db.changed(src)
    _touch(db, src)
    if node.notify_flags:
        notify(node, NOTIFY_LIST, b"lpop" if left_from else b"rpop", src, db.id)
    _emptied(node, db, src, lst)
    return value


def _lmove(client, src: bytes, dst: bytes, left_from: bool, left_to: bool) -> bytes:
    db = client.db
    lst = _get_list(db, src)
    if lst is None:
        return resp.null(client.resp)
    return resp.bulk(move_element(client, db, src, dst, lst, left_from, left_to))


_MOVE_SPECS = (_ks("RW access delete"), _ks("RW insert", 2))


@command("lmove", 5, "write denyoom", 1, 2, 1, group="list", categories="@list", since="6.2.0",
         summary="Pop an element from a list, push it to another list and return it", complexity="O(1)",
         key_specs=_MOVE_SPECS)
def lmove(client, argv: list[bytes]) -> bytes:
    left_from = _where(argv[3])
    left_to = _where(argv[4])
    return _lmove(client, argv[1], argv[2], left_from, left_to)


@command("rpoplpush", 3, "write denyoom", 1, 2, 1, group="list", categories="@list", since="1.2.0",
         summary="Remove the last element in a list, prepend it to another list and return it",
         complexity="O(1)", key_specs=_MOVE_SPECS)
def rpoplpush(client, argv: list[bytes]) -> bytes:
    return _lmove(client, argv[1], argv[2], False, True)


# ----- LMPOP / BLMPOP
def _mpop_keys(argv: list[bytes], numkeys_index: int) -> list[int]:
    try:
        numkeys = int(argv[numkeys_index])
    except (ValueError, IndexError):
        return []
    if numkeys < 1 or numkeys_index + numkeys >= len(argv):
        return []
    return list(range(numkeys_index + 1, numkeys_index + 1 + numkeys))


def _parse_mpop(argv: list[bytes], numkeys_index: int) -> tuple[list[bytes], bool, int]:
    """``numkeys key... LEFT|RIGHT [COUNT n]`` → (keys, left, count), as ``lmpopGenericCommand``."""
    try:
        numkeys = parse_int(argv[numkeys_index], NUMKEYS_ERR)
    except CommandError:
        raise CommandError(NUMKEYS_ERR) from None
    if numkeys < 1:
        raise CommandError(NUMKEYS_ERR)
    where_index = numkeys_index + numkeys + 1
    if where_index >= len(argv):
        raise CommandError(SYNTAX_ERR)
    left = _where(argv[where_index])
    count = -1
    j = where_index + 1
    n = len(argv)
    while j < n:
        if count == -1 and argv[j].lower() == b"count" and j + 1 < n:
            count = parse_int(argv[j + 1], COUNT_ERR)
            if count < 1:
                raise CommandError(COUNT_ERR)
            j += 2
        else:
            raise CommandError(SYNTAX_ERR)
    return argv[numkeys_index + 1:where_index], left, (1 if count == -1 else count)


def _mpop_reply(client, db, key: bytes, lst: ListValue, left: bool, count: int) -> tuple[bytes, list[bytes]]:
    """Pop for LMPOP/BLMPOP: the reply and the LPOP/RPOP form that is propagated."""
    n = min(count, len(lst))
    items = pop_range(client.node, db, key, lst, left, count)
    reply = resp.array([resp.bulk(key), resp.bulk_array(items)])
    return reply, [b"LPOP" if left else b"RPOP", key, b"%d" % n]


def _mpop_first(client, keys: list[bytes], left: bool, count: int) -> bytes | None:
    db = client.db
    for key in keys:
        lst = _get_list(db, key)
        if lst:
            reply, prop = _mpop_reply(client, db, key, lst, left, count)
            client.propagate = [prop]
            return reply
    return None


@command("lmpop", -4, "write", 0, 0, 0, group="list", categories="@list", since="7.0.0",
         summary="Pop elements from a list",
         complexity="O(N+M) where N is the number of provided keys and M is the number of elements "
                    "returned.", getkeys=lambda argv: _mpop_keys(argv, 1),
         key_specs=(_ks_keynum("RW access delete", 1),))
def lmpop(client, argv: list[bytes]) -> bytes:
    keys, left, count = _parse_mpop(argv, 1)
    reply = _mpop_first(client, keys, left, count)
    return reply if reply is not None else resp.null_array(client.resp)


# ----- blocking pops
def _serve_pop(left: bool):
    def serve(client, db, key: bytes) -> bytes | None:
        lst = db.lookup(key)
        if type(lst) is not ListValue or not lst:
            return None
        node = client.node
        value = lst.popleft() if left else lst.pop()
        node.propagate_internal(db.id, [[b"LPOP" if left else b"RPOP", key]])
        db.changed(key)
        _touch(db, key)
        if node.notify_flags:
            notify(node, NOTIFY_LIST, b"lpop" if left else b"rpop", key, db.id)
        _emptied(node, db, key, lst)
        return resp.array([resp.bulk(key), resp.bulk(value)])
    return serve


_SERVE_LPOP = _serve_pop(True)
_SERVE_RPOP = _serve_pop(False)


def _bpop(client, argv: list[bytes], left: bool) -> bytes | None:
    timeout = parse_timeout(argv[-1])
    db = client.db
    keys = argv[1:-1]
    for key in keys:
        lst = _get_list(db, key)
        if lst:
            value = lst.popleft() if left else lst.pop()
            db.changed(key)
            if client.node.notify_flags:
                notify(client.node, NOTIFY_LIST, b"lpop" if left else b"rpop", key, db.id)
            _emptied(client.node, db, key, lst)
            client.propagate = [[b"LPOP" if left else b"RPOP", key]]
            return resp.array([resp.bulk(key), resp.bulk(value)])
    blocking = client.node.blocking
    if not blocking.can_block(client):
        return resp.null_array(client.resp)
    blocking.block(client, keys, timeout, _SERVE_LPOP if left else _SERVE_RPOP, argv=argv)
    return None


_BPOP_SPEC = (_ks("RW access delete", 1, -2),)


@command("blpop", -3, "write noscript blocking", 1, -2, 1, group="list", categories="@list", since="2.0.0",
         summary="Remove and get the first element in a list, or block until one is available",
         complexity="O(N) where N is the number of provided keys.", key_specs=_BPOP_SPEC)
def blpop(client, argv: list[bytes]) -> bytes | None:
    return _bpop(client, argv, True)


@command("brpop", -3, "write noscript blocking", 1, -2, 1, group="list", categories="@list", since="2.0.0",
         summary="Remove and get the last element in a list, or block until one is available",
         complexity="O(N) where N is the number of provided keys.", key_specs=_BPOP_SPEC)
def brpop(client, argv: list[bytes]) -> bytes | None:
    return _bpop(client, argv, False)


def _serve_move(dst: bytes, left_from: bool, left_to: bool, legacy: bool):
    def serve(client, db, key: bytes) -> bytes | None:
        lst = db.lookup(key)
        if type(lst) is not ListValue or not lst:
            return None
        value = move_element(client, db, key, dst, lst, left_from, left_to)
        if legacy:
            prop = [b"RPOPLPUSH", key, dst]
        else:
            prop = [b"LMOVE", key, dst, b"LEFT" if left_from else b"RIGHT", b"LEFT" if left_to else b"RIGHT"]
        client.node.propagate_internal(db.id, [prop])
        return resp.bulk(value)
    return serve


def _blmove(client, argv: list[bytes], src: bytes, dst: bytes, left_from: bool, left_to: bool,
            timeout: int, legacy: bool) -> bytes | None:
    db = client.db
    lst = _get_list(db, src)
    if lst:
        value = move_element(client, db, src, dst, lst, left_from, left_to)
        if legacy:
            client.propagate = [[b"RPOPLPUSH", src, dst]]
        else:
            client.propagate = [[b"LMOVE", src, dst, argv[3], argv[4]]]
        return resp.bulk(value)
    blocking = client.node.blocking
    if not blocking.can_block(client):
        return resp.null(client.resp)
    blocking.block(client, [src], timeout, _serve_move(dst, left_from, left_to, legacy), argv=argv)
    return None


@command("blmove", 6, "write denyoom noscript blocking", 1, 2, 1, group="list", categories="@list",
         since="6.2.0", summary="Pop an element from a list, push it to another list and return it; or "
         "block until one is available", complexity="O(1)", key_specs=_MOVE_SPECS)
def blmove(client, argv: list[bytes]) -> bytes | None:
    left_from = _where(argv[3])
    left_to = _where(argv[4])
    timeout = parse_timeout(argv[5])
    return _blmove(client, argv, argv[1], argv[2], left_from, left_to, timeout, False)


@command("brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1, group="list", categories="@list",
         since="2.2.0", summary="Pop an element from a list, push it to another list and return it; or "
         "block until one is available", complexity="O(1)", key_specs=_MOVE_SPECS)
def brpoplpush(client, argv: list[bytes]) -> bytes | None:
    timeout = parse_timeout(argv[3])
    return _blmove(client, argv, argv[1], argv[2], False, True, timeout, True)


def _serve_mpop(left: bool, count: int):
    def serve(client, db, key: bytes) -> bytes | None:
        lst = db.lookup(key)
        if type(lst) is not ListValue or not lst:
            return None
        reply, prop = _mpop_reply(client, db, key, lst, left, count)
        client.node.propagate_internal(db.id, [prop])
        return reply
    return serve


@command("blmpop", -5, "write blocking", 0, 0, 0, group="list", categories="@list", since="7.0.0",
         summary="Pop elements from a list, or block until one is available",
         complexity="O(N+M) where N is the number of provided keys and M is the number of elements "
                    "returned.", getkeys=lambda argv: _mpop_keys(argv, 2),
         key_specs=(_ks_keynum("RW access delete", 2),))
def blmpop(client, argv: list[bytes]) -> bytes | None:
    keys, left, count = _parse_mpop(argv, 2)
    timeout = parse_timeout(argv[1])
    reply = _mpop_first(client, keys, left, count)
    if reply is not None:
        return reply
    blocking = client.node.blocking
    if not blocking.can_block(client):
        return resp.null_array(client.resp)
    blocking.block(client, keys, timeout, _serve_mpop(left, count), argv=argv)
    return None


# ----- CLIENT UNBLOCK (the rest of CLIENT lives in commands/client.py)
@subcommand("client", "unblock", -3, "admin noscript loading stale", since="5.0.0",
            categories="@connection",
            summary="Unblock a client blocked in a blocking command from a different connection",
            complexity="O(log N) where N is the number of client connections")
def client_unblock(client, argv: list[bytes]) -> bytes:
    if len(argv) > 4:
        raise CommandError(UNBLOCK_ARITY_ERR_FMT % argv[1])
    target_id = parse_int(argv[2])
    error = None
    if len(argv) == 4:
        reason = argv[3].lower()
        if reason == b"error":
            error = UNBLOCKED_ERR
        elif reason != b"timeout":
            raise CommandError(UNBLOCK_REASON_ERR)
    node = client.node
    target = node.clients.get(target_id)
    if target is None or not node.blocking.unblock(target, error):
        return resp.ZERO
    return resp.ONE
