"""Databases and their keys: the one place that knows how values, expiry and watches are kept.

Representation (the rest of the code relies on it):
- a value is a Python object whose type is its Redis type: ``bytes`` (string), ``ListValue``
  (list), ``dict`` (hash), ``set`` (set), ``ZSet`` (sorted set) — see ``engine.values``;
- ``Database.data`` maps key bytes to the value, ``Database.expires`` maps the keys that have a
  TTL to their absolute unix time in ms. Expiry is lazy (every lookup checks) and active (a heap
  of deadlines popped by the cron within a time budget, so expired keys never pile up);
- every deletion bumps ``Database.deletions``: SCAN cursors use it to stay complete while keys
  are removed (see ``scan``);
- ``Keyspace.dirty`` counts changes, as Redis's ``server.dirty`` does: the dispatcher propagates
  a write and touches WATCHed keys only when a command changed it, and ``save`` points read it.
"""

import heapq
import random
from collections.abc import Callable
from itertools import islice


class Database:
    __slots__ = ("id", "keyspace", "data", "expires", "_heap", "deletions", "watched", "blocked",
                 "ready_keys", "avg_ttl", "_scan_iter")

    def __init__(self, dbid: int, keyspace: "Keyspace") -> None:
        self.id = dbid
        self.keyspace = keyspace
        self.data: dict[bytes, object] = {}
        self.expires: dict[bytes, int] = {}
        self._heap: list[tuple[int, bytes]] = []
        self.deletions = 0
        self.watched: dict[bytes, set] = {}      # key -> clients WATCHing it
        self.blocked: dict[bytes, list] = {}     # key -> clients blocked on it, in arrival order
        self.ready_keys: set[bytes] = set()      # blocked-on keys written since the last unblock pass
        self.avg_ttl = 0
        self._scan_iter: tuple | None = None

    # ----- reads
    def lookup(self, key: bytes) -> object | None:
        """The value at ``key``, or None; an expired key is removed (on a master) on the way."""
        expires = self.expires
        if expires:
            when = expires.get(key)
            if when is not None and when <= self.keyspace.now_ms:
                if self.keyspace.expire_on_access:
                    self._expire_key(key)
                return None
        return self.data.get(key)

    def exists(self, key: bytes) -> bool:
        return self.lookup(key) is not None

    def ttl_ms(self, key: bytes) -> int:
        """Redis's PTTL answer: -2 missing, -1 no TTL, else milliseconds left."""
        if self.lookup(key) is None:
            return -2
        when = self.expires.get(key)
        if when is None:
            return -1
        return max(0, when - self.keyspace.now_ms)

    def __len__(self) -> int:
        return len(self.data)

    # ----- writes
    def set(self, key: bytes, value: object, keep_ttl: bool = False) -> None:
        """Store ``value`` at ``key``; like Redis's ``setKey`` this drops the TTL unless asked not to."""
        self.data[key] = value
        if not keep_ttl and self.expires:
            self.expires.pop(key, None)
        self.keyspace.dirty += 1

    def add(self, key: bytes, value: object) -> None:
        """Store a new value at a key known to be absent (or expired)."""
        if self.expires:
            self.expires.pop(key, None)
        self.data[key] = value
        self.keyspace.dirty += 1

    def delete(self, key: bytes) -> bool:
        """Remove ``key``; True if it existed (expired keys count as absent)."""
        if self.lookup(key) is None:
            return False
        self._remove(key)
        self.keyspace.dirty += 1
        return True

    def _remove(self, key: bytes) -> None:
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        self.deletions += 1

    def set_expire(self, key: bytes, when_ms: int) -> None:
        self.expires[key] = when_ms
        heapq.heappush(self._heap, (when_ms, key))
        if len(self._heap) > 2 * len(self.expires) + 64:
            self._heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._heap)
        self.keyspace.dirty += 1

    def changed(self, key: bytes, count: int = 1) -> None:
        """A value was modified in place (LPUSH on an existing list, HSET...): count the change."""
        self.keyspace.dirty += count

    def persist(self, key: bytes) -> bool:
        if self.expires.pop(key, None) is None:
            return False
        self.keyspace.dirty += 1
        return True

    def clear(self) -> int:
        n = len(self.data)
        self.deletions += n
        self.data = {}
        self.expires = {}
        self._heap = []
        self._scan_iter = None
        return n

    # ----- expiry
    def _expire_key(self, key: bytes) -> None:
        self._remove(key)
        self.keyspace.dirty += 1
        self.keyspace.stats_expired_keys += 1
        hook = self.keyspace.on_expired
        if hook is not None:
            hook(self, key)

    def active_expire(self, now_ms: int, deadline: Callable[[], bool], limit: int = 1 << 62) -> int:
        """Remove keys whose deadline passed, earliest first, until ``deadline()`` says stop."""
        heap = self._heap
        expires = self.expires
        done = 0
        checked = 0
        while heap and heap[0][0] <= now_ms and done < limit:
            when, key = heapq.heappop(heap)
            if expires.get(key) == when:
                self._expire_key(key)
                done += 1
            checked += 1
            if checked & 63 == 0 and deadline():
                break
        return done

    def sample_keys(self, count: int, rng: random.Random, volatile: bool = False) -> list[bytes]:
        """Up to ``count`` keys from a random window of the table (eviction and RANDOMKEY sampling).
        Dicts have no random access, so the window starts at a random offset walked at C speed."""
        source = self.expires if volatile else self.data
        n = len(source)
        if not n:
            return []
        start = rng.randrange(n)
        keys = list(islice(source, start, start + count))
        if len(keys) < count:
            keys += list(islice(source, 0, min(count - len(keys), start)))
        return keys

    # ----- iteration
    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """One SCAN step. Dicts keep insertion order and a deletion shifts later keys back by
        one place at most, so the cursor holds (position, deletions so far): the next step
        starts ``deletions since`` places earlier. Keys present for the whole scan are never
        missed; deleted ones may cause repeats, which SCAN allows."""
        data = self.data
        if cursor:
            pos = cursor & 0xFFFFFFFF
            seen_dels = cursor >> 32
            back = (self.deletions - seen_dels) & 0x7FFFFFFF
            pos = max(0, pos - back)
        else:
            pos = 0
        cached = self._scan_iter
        keys: list[bytes]
        if (cached is not None and cached[0] == cursor and cached[2] == len(data)
                and cached[3] == self.deletions):
            it = cached[1]
        else:
            it = islice(iter(data), pos, None)
        try:
            keys = list(islice(it, count))
        except RuntimeError:
            keys = list(islice(iter(data), pos, pos + count))
            it = None
        pos += len(keys)
        if pos >= len(data) or not keys:
            self._scan_iter = None
            return 0, keys
        next_cursor = ((self.deletions & 0x7FFFFFFF) << 32) | pos
        self._scan_iter = (next_cursor, it, len(data), self.deletions) if it is not None else None
        return next_cursor, keys


class Keyspace:
    """The databases of one server and the counters they share."""

    def __init__(self, count: int = 16) -> None:
        self.dbs = [Database(i, self) for i in range(count)]
        self.now_ms = 0                    # the time commands see; the node sets it per batch
        self.dirty = 0
        self.expire_on_access = True       # replicas keep expired keys until the master's DEL
        self.stats_expired_keys = 0
        self.on_expired: Callable[[Database, bytes], None] | None = None

    def __getitem__(self, index: int) -> Database:
        return self.dbs[index]

    def __len__(self) -> int:
        return len(self.dbs)

    def swap(self, a: int, b: int) -> None:
        """SWAPDB: the databases trade contents; clients keep their index."""
        da, db = self.dbs[a], self.dbs[b]
        for attr in ("data", "expires", "_heap", "avg_ttl"):
            va, vb = getattr(da, attr), getattr(db, attr)
            setattr(da, attr, vb)
            setattr(db, attr, va)
        da.deletions += 1 << 20
        db.deletions += 1 << 20
        da._scan_iter = db._scan_iter = None
        self.dirty += 1
