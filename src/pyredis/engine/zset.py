"""The sorted set value: a member → score dict plus an ordered index of (score, member) pairs.

Redis keeps a hash table (member → score) and a skiplist ordered by score, then by member
(``memcmp`` order, shorter first on a common prefix — exactly how Python compares ``bytes``).
``ZSet`` keeps the same two views: ``scores`` answers ZSCORE/membership in O(1), ``index``
(a ``sortedcontainers.SortedList`` of ``(score, member)`` tuples) gives ranks, range starts and
positional slices in O(log n), which is what ZADD/ZRANK/ZRANGE need to stay fast on very large sets.

Invariants: both views hold the same members; no score is NaN; a stored zero is ``0.0`` (Redis's
compact encoding does not keep the sign of a zero score, and small sets are the common case).
``deletions`` counts removed members so a ZSCAN cursor over ``scores`` (insertion ordered) can
step back by the number of members removed since it was issued, like the keyspace SCAN does.

Range boundaries use tuple comparison: ``(x,)`` sorts before every ``(x, member)``, and ``_TOP``
sorts after every member, so ``(x, _TOP)`` sits after every pair with score ``x``.
"""

from collections.abc import Iterator

from sortedcontainers import SortedList

from .values import register_type


class _Top:
    """Compares greater than any bytes member (the upper end of one score's run)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return 0


_TOP = _Top()


class ZSet:
    __slots__ = ("scores", "index", "deletions")

    def __init__(self) -> None:
        self.scores: dict[bytes, float] = {}
        self.index = SortedList()
        self.deletions = 0

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, member: bytes) -> bool:
        return member in self.scores

    def __iter__(self) -> Iterator[tuple[bytes, float]]:
        """(member, score) pairs in Redis order: by score, then by member."""
        for score, member in self.index:
            yield member, score

    def score(self, member: bytes) -> float | None:
        return self.scores.get(member)

    # ----- updates
    def add(self, member: bytes, score: float) -> bool:
        """Insert ``member`` or move it to ``score``; True if it was new."""
        score += 0.0        # -0.0 becomes 0.0 (the invariant), every other score is unchanged
        scores = self.scores
        old = scores.get(member)
        if old is None:
            scores[member] = score
            self.index.add((score, member))
            return True
        if old != score:
            index = self.index
            index.remove((old, member))
            index.add((score, member))
            scores[member] = score
        return False

    def remove(self, member: bytes) -> bool:
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.index.remove((score, member))
        self.deletions += 1
        return True

    def remove_range(self, start: int, stop: int) -> int:
        """Remove the members at ranks [start, stop); return how many went."""
        if start >= stop:
            return 0
        index = self.index
        scores = self.scores
        for _, member in index.islice(start, stop):
            del scores[member]
        del index[start:stop]
        self.deletions += stop - start
        return stop - start

    def pop(self, count: int, from_max: bool) -> list[tuple[bytes, float]]:
        """Remove and return up to ``count`` members from the low (or high) end, in pop order."""
        index = self.index
        if count == 1 and index:
            # one member, ZPOPMIN's default: SortedList.pop at an end skips the slice machinery
            score, member = index.pop(-1 if from_max else 0)
            del self.scores[member]
            self.deletions += 1
            return [(member, score)]
        n = min(count, len(index))
        if from_max:
            taken = list(index.islice(len(index) - n, len(index), reverse=True))
            del index[len(index) - n:]
        else:
            taken = list(index.islice(0, n))
            del index[:n]
        scores = self.scores
        for _, member in taken:
            del scores[member]
        self.deletions += n
        return [(m, s) for s, m in taken]

    # ----- positions
    def rank(self, member: bytes) -> int | None:
        score = self.scores.get(member)
        if score is None:
            return None
        return self.index.bisect_left((score, member))

    def at(self, rank: int) -> tuple[bytes, float]:
        score, member = self.index[rank]
        return member, score

    def slice(self, start: int, stop: int, reverse: bool = False) -> list[tuple[float, bytes]]:
        """(score, member) pairs at ranks [start, stop), reversed if asked."""
        return list(self.index.islice(start, stop, reverse=reverse))

    def score_span(self, lo: float, lo_ex: bool, hi: float, hi_ex: bool) -> tuple[int, int]:
        """Ranks [start, stop) of the members with lo <(=) score <(=) hi."""
        if lo > hi or (lo == hi and (lo_ex or hi_ex)):
            return 0, 0
        index = self.index
        start = index.bisect_right((lo, _TOP)) if lo_ex else index.bisect_left((lo,))
        stop = index.bisect_left((hi,)) if hi_ex else index.bisect_right((hi, _TOP))
        return start, max(start, stop)

    def lex_span(self, lo: bytes | None, lo_ex: bool, hi: bytes | None, hi_ex: bool) -> tuple[int, int]:
        """Ranks [start, stop) of the members in a lex range; ``None`` is ``-`` for ``lo`` and ``+``
        for ``hi``. Like Redis this assumes all scores are equal (members are then in order)."""
        index = self.index
        n = len(index)
        if not n:
            return 0, 0
        if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_ex or hi_ex))):
            return 0, 0
        if index[0][0] == index[-1][0]:
            score = index[0][0]
            if lo is None:
                start = 0
            else:
                start = index.bisect_right((score, lo)) if lo_ex else index.bisect_left((score, lo))
            if hi is None:
                stop = n
            else:
                stop = index.bisect_left((score, hi)) if hi_ex else index.bisect_right((score, hi))
            return start, max(start, stop)
        # mixed scores: Redis's skiplist search is a binary search on the member, do the same
        start = 0 if lo is None else _first(index, n, lambda m: m > lo if lo_ex else m >= lo)
        stop = n if hi is None else _first(index, n, lambda m: m >= hi if hi_ex else m > hi)
        return start, max(start, stop)


def _first(index: SortedList, n: int, pred) -> int:
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(index[mid][1]):
            hi = mid
        else:
            lo = mid + 1
    return lo


register_type(ZSet, b"zset")
