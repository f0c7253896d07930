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

Memory accounting (what INFO used_memory and maxmemory read, see ``engine.eviction``):
``Database.mem`` is an estimate of the bytes the database holds, kept incrementally by every
method here that adds or removes a key. A string costs ``len(key) + len(value) + STRING_OVERHEAD``
(computed again on removal, so it needs no storage); a collection is charged
``values.approx_size`` when stored and re-charged by ``changed()``, the charge kept in
``Database.charges`` so the total never drifts however the collection changed in between.
Loaders that store straight into ``data`` are caught by a key-count check (``Keyspace.used``).

Access tracking (OBJECT IDLETIME/FREQ and the LRU/LFU eviction policies): ``Database.access``
is None unless tracking is on (``Keyspace.track``: 0 off, TRACK_LRU, TRACK_LFU), so the common
configuration pays one attribute test per lookup and no memory. With LRU it maps a key to the
LRU clock (seconds) of its last access — one int object shared by all keys touched in the same
second; with LFU to ``minutes << 8 | counter`` (Redis's 8-bit logarithmic counter with decay).
A key without an entry has not been accessed since tracking began (``Keyspace.lru_epoch_s``).

Scanning containers: ``scan_dict`` gives HSCAN/SSCAN/ZSCAN a cursor over any dict or set that
never misses an element present for the whole scan (see its docstring).
"""

import heapq
import random
from collections.abc import Callable
from itertools import islice

from .values import approx_size

STRING_OVERHEAD = 128      # key and value bytes objects, the dict entry (measured on CPython 3.11)
EXPIRE_OVERHEAD = 72       # an expires entry and its int
TRACK_LRU = 1
TRACK_LFU = 2
LFU_INIT_VAL = 5
_SMALL_SOURCE = 128        # below this many keys, sampling just lists the table


class Database:
    __slots__ = ("id", "keyspace", "data", "expires", "_heap", "deletions", "watched", "blocked",
                 "ready_keys", "avg_ttl", "_scan_iter", "mem", "charges", "access", "_snap",
                 "_snap_volatile", "scan_cursors", "counted", "mem_stale", "stale_keys")

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
        self.mem = 0                             # estimated bytes held (see the module docstring)
        self.charges: dict[bytes, int] = {}      # collection key -> bytes charged for it
        self.counted = 0                         # keys included in ``mem`` (see ``recount``)
        self.mem_stale = False                   # ``mem`` must be recounted from scratch
        self.stale_keys: set[bytes] = set()      # collections changed without being re-charged
        self.access: dict[bytes, int] | None = None
        self._snap: list | None = None           # key snapshots for random sampling
        self._snap_volatile: list | None = None
        self.scan_cursors = ScanCursors()        # container scans (HSCAN/SSCAN/ZSCAN) of this db

    # ----- reads
    def lookup(self, key: bytes) -> object | None:
        """The value at ``key``, or None; an expired key is removed (on a master) on the way.
        Counts as an access for LRU/LFU (use ``peek`` for commands that must not touch), and as a
        keyspace hit or miss while a read command runs (``Keyspace.reading``)."""
        expires = self.expires
        if expires:
            when = expires.get(key)
            if when is not None and when <= self.keyspace.now_ms:
                if self.keyspace.expire_on_access:
                    self._expire_key(key)
                    return self._miss(key)
                if not self.keyspace.master_view:
                    return self._miss(key)
        value = self.data.get(key)
        keyspace = self.keyspace
        if keyspace.reading:
            if value is None:
                self._miss(key)
            else:
                keyspace.hits += 1
        if self.access is not None and value is not None:
            keyspace.touch(self, key)
        return value

    def peek(self, key: bytes) -> object | None:
        """``lookup`` without recording an access (Redis's LOOKUP_NOTOUCH: TYPE, TTL, OBJECT...)."""
        expires = self.expires
        if expires:
            when = expires.get(key)
            if when is not None and when <= self.keyspace.now_ms:
                if self.keyspace.expire_on_access:
                    self._expire_key(key)
                    return self._miss(key)
                if not self.keyspace.master_view:
                    return self._miss(key)
        value = self.data.get(key)
        keyspace = self.keyspace
        if keyspace.reading:
            if value is None:
                self._miss(key)
            else:
                keyspace.hits += 1
        return value

    def lookup_read(self, key: bytes) -> object | None:
        """``lookup`` counted as a read lookup whatever the running command's flags (Redis's
        lookupKeyRead inside a write command: GETDEL, COPY's source, the *STORE sources...)."""
        keyspace = self.keyspace
        reading = keyspace.reading
        keyspace.reading = 1
        value = self.lookup(key)
        keyspace.reading = reading
        return value

    def _miss(self, key: bytes) -> None:
        keyspace = self.keyspace
        if keyspace.reading:
            keyspace.misses += 1
            if keyspace.keymiss is not None:
                keyspace.keymiss(self, key)

    def exists(self, key: bytes) -> bool:
        return self.peek(key) is not None

    def ttl_ms(self, key: bytes) -> int:
        """Redis's PTTL answer: -2 missing, -1 no TTL, else milliseconds left."""
        if self.peek(key) is None:
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
        data = self.data
        old = data.get(key)
        data[key] = value
        if type(old) is bytes and type(value) is bytes:
            # the common overwrite of a string by a string: only the value's size changes
            self.mem += len(value) - len(old)
        else:
            if old is not None:
                self.mem -= (len(key) + len(old) + STRING_OVERHEAD if type(old) is bytes  # type: ignore[arg-type]
                             else self.charges.pop(key, 0))
            else:
                self.counted += 1
            if type(value) is bytes:
                self.mem += len(key) + len(value) + STRING_OVERHEAD
            else:
                self._charge(key, value)
        if not keep_ttl and self.expires:
            if self.expires.pop(key, None) is not None:
                self.mem -= EXPIRE_OVERHEAD
        if self.access is not None:
            self.keyspace.touch(self, key)
        self.keyspace.dirty += 1

    def replace_string(self, key: bytes, old: bytes, value: bytes) -> None:
        """Overwrite the string ``old`` just read at ``key`` with ``value``, keeping its TTL: what
        ``set(key, value, keep_ttl=True)`` does in that case, without reading the key again (INCR)."""
        self.data[key] = value
        self.mem += len(value) - len(old)
        if self.access is not None:
            self.keyspace.touch(self, key)
        self.keyspace.dirty += 1

    def set_strings(self, argv: list[bytes]) -> None:
        """MSET: ``set(argv[j], argv[j + 1])`` for j = 1, 3, 5... — ``set``'s steps for string
        values in one loop, since a Python call per key costs as much as the work it does."""
        data = self.data
        expires = self.expires
        access = self.access
        mem = self.mem
        for j in range(1, len(argv), 2):
            key = argv[j]
            value = argv[j + 1]
            old = data.get(key)
            data[key] = value
            if type(old) is bytes:
                mem += len(value) - len(old)
            else:
                if old is not None:
                    mem -= self.charges.pop(key, 0)
                else:
                    self.counted += 1
                mem += len(key) + len(value) + STRING_OVERHEAD
            if expires and expires.pop(key, None) is not None:
                mem -= EXPIRE_OVERHEAD
            if access is not None:
                self.keyspace.touch(self, key)
        self.mem = mem
        self.keyspace.dirty += len(argv) >> 1

    def add(self, key: bytes, value: object) -> None:
        """Store a new value at a key known to be absent (or expired)."""
        if key in self.data:            # an expired key still in the table
            self._remove(key)
        self.data[key] = value
        self.counted += 1
        if type(value) is bytes:
            self.mem += len(key) + len(value) + STRING_OVERHEAD
        else:
            self._charge(key, value)
        if self.access is not None:
            self.keyspace.touch(self, key)
        self.keyspace.dirty += 1

    def _charge(self, key: bytes, value: object) -> None:
        size = len(key) + approx_size(value)
        self.charges[key] = size
        self.mem += size

    def delete(self, key: bytes) -> bool:
        """Remove ``key``; True if it existed (expired keys count as absent)."""
        if self.peek(key) is None:
            return False
        self._remove(key)
        self.keyspace.dirty += 1
        return True

    def _remove(self, key: bytes) -> object:
        value = self.data.pop(key)
        self.mem -= (len(key) + len(value) + STRING_OVERHEAD if type(value) is bytes  # type: ignore[arg-type]
                     else self.charges.pop(key, 0))
        if self.expires and self.expires.pop(key, None) is not None:
            self.mem -= EXPIRE_OVERHEAD
        if self.access is not None:
            self.access.pop(key, None)
        self.deletions += 1
        self.counted -= 1
        return value

    def set_expire(self, key: bytes, when_ms: int) -> None:
        if self.expires.get(key) is None:
            self.mem += EXPIRE_OVERHEAD
        self.expires[key] = when_ms
        heapq.heappush(self._heap, (when_ms, key))
        if len(self._heap) > 2 * len(self.expires) + 64:
            self._heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._heap)
        self.keyspace.dirty += 1

    def changed(self, key: bytes, count: int = 1) -> None:
        """A value was modified in place (LPUSH on an existing list, HSET...): count the change
        and re-charge its memory estimate."""
        keyspace = self.keyspace
        keyspace.dirty += count
        if not keyspace.mem_precise:
            # nobody compares the estimate with maxmemory: re-charge when it is next read (INFO)
            stale = self.stale_keys
            if len(stale) < 4096:
                stale.add(key)
            else:
                self.mem_stale = True
            return
        value = self.data.get(key)
        if value is not None and type(value) is not bytes:
            self.mem -= self.charges.get(key, 0)
            self._charge(key, value)

    def persist(self, key: bytes) -> bool:
        if self.expires.pop(key, None) is None:
            return False
        self.mem -= EXPIRE_OVERHEAD
        self.keyspace.dirty += 1
        return True

    def clear(self) -> int:
        n = len(self.data)
        self.deletions += n
        self.data = {}
        self.expires = {}
        self._heap = []
        self._scan_iter = None
        self.mem = 0
        self.counted = 0
        self.charges = {}
        if self.access is not None:
            self.access = {}
        self._snap = self._snap_volatile = None
        self.scan_cursors.clear()
        return n

    def recount(self) -> None:
        """Recompute ``mem`` from scratch: for values stored straight into ``data`` (loaders)."""
        mem = 0
        charges = {}
        for key, value in self.data.items():
            if type(value) is bytes:
                mem += len(key) + len(value) + STRING_OVERHEAD
            else:
                size = charges[key] = len(key) + approx_size(value)
                mem += size
        self.mem = mem + EXPIRE_OVERHEAD * len(self.expires)
        self.charges = charges
        self.counted = len(self.data)
        self.mem_stale = False
        self.stale_keys.clear()

    def recharge_stale(self) -> None:
        """Re-charge the collections changed in place since the estimate was last read."""
        data = self.data
        charges = self.charges
        for key in self.stale_keys:
            value = data.get(key)
            if value is not None and type(value) is not bytes:
                self.mem -= charges.get(key, 0)
                self._charge(key, value)
        self.stale_keys.clear()

    def rename(self, src: bytes, dst: bytes) -> None:
        """Move the value and TTL of ``src`` (known to exist) to ``dst``, replacing it; the value
        keeps its access record, as Redis keeps the object."""
        when = self.expires.get(src)
        access = self.access.get(src) if self.access is not None else None
        value = self._remove(src)
        if self.peek(dst) is not None:
            self._remove(dst)
        self.add(dst, value)
        if when is not None:
            self.set_expire(dst, when)
        if access is not None:
            self.access[dst] = access  # type: ignore[index]

    def move_to(self, key: bytes, target: "Database") -> None:
        """MOVE: hand ``key`` (existing here, absent there) with its TTL to ``target``."""
        when = self.expires.get(key)
        value = self._remove(key)
        self.keyspace.dirty += 1
        target.add(key, value)
        if when is not None:
            target.set_expire(key, when)

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

    # ----- sampling (eviction, RANDOMKEY)
    def sample_keys(self, count: int, rng: random.Random, volatile: bool = False) -> list[bytes]:
        """Up to ``count`` distinct random keys (of those with a TTL if ``volatile``).

        Dicts have no random access, so large tables are sampled from a snapshot list of their
        keys (8 bytes a key, only while something samples): keys deleted since are skipped, keys
        added since join at the next rebuild, which happens once a quarter of the snapshot is
        gone or the table grew by half."""
        source = self.expires if volatile else self.data
        n = len(source)
        if not n:
            return []
        if n <= _SMALL_SOURCE:
            keys = list(source)
            return keys if count >= n else rng.sample(keys, count)
        snap = self._snap_volatile if volatile else self._snap
        out: list[bytes] = []
        for _ in range(2):
            if snap is None or n > len(snap[0]) * 3 // 2 or snap[1] > len(snap[0]) // 4:
                snap = [list(source), 0]
                if volatile:
                    self._snap_volatile = snap
                else:
                    self._snap = snap
            keys_list = snap[0]
            size = len(keys_list)
            for _ in range(count * 2):
                key = keys_list[rng.randrange(size)]
                if key in source:
                    if key not in out:
                        out.append(key)
                        if len(out) >= count:
                            return out
                else:
                    snap[1] += 1
            if out:
                return out
            snap = None         # every pick was stale: rebuild once, then picks cannot miss
        return out

    # ----- iteration
    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """One SCAN step over the live keys (expired ones are removed on the way, not returned).

        Dicts keep insertion order; a deletion shifts the keys after it back by one place and an
        insertion goes to the end. So the cursor holds (position, deletions so far): the next
        step starts ``deletions since`` places earlier — it may repeat keys, never skip one
        present for the whole scan — and reads that many more, so each step advances ``count``
        places however many keys were deleted in between (the scan ends unless the table keeps
        growing). Repeats are allowed by SCAN's contract."""
        data = self.data
        pos = 0
        back = 0
        if cursor:
            pos = cursor & 0xFFFFFFFF
            back = min(pos, ((self.deletions - (cursor >> 32)) & 0x7FFFFFFF))
            pos -= back
        want = count + back
        cached = self._scan_iter
        if (cached is not None and cached[0] == cursor and cached[2] == len(data)
                and cached[3] == self.deletions):
            it = cached[1]
        else:
            it = islice(iter(data), pos, None)
        try:
            keys = list(islice(it, want))
        except RuntimeError:
            it = islice(iter(data), pos, None)
            keys = list(islice(it, want))
        pos += len(keys)
        done = pos >= len(data) or not keys
        if self.expires:
            now = self.keyspace.now_ms
            expires = self.expires
            live = []
            for key in keys:
                when = expires.get(key)
                if when is not None and when <= now:
                    if self.keyspace.expire_on_access:
                        self._expire_key(key)
                        pos -= 1    # it stood before the new position
                        it = None
                    continue
                live.append(key)
            keys = live
        if done:
            self._scan_iter = None
            return 0, keys
        next_cursor = ((self.deletions & 0x7FFFFFFF) << 32) | pos
        self._scan_iter = (next_cursor, it, len(data), self.deletions) if it is not None else None
        return next_cursor, keys


class ScanCursors:
    """Snapshots behind the cursors of container scans (HSCAN, SSCAN, ZSCAN): see ``scan_dict``.

    Bounded: at most ``max_cursors`` snapshots and ``max_elements`` snapshotted elements are kept,
    the oldest dropped first; a dropped cursor restarts its scan from its position in a new
    snapshot (a dict keeps its order, so only elements deleted meanwhile can shift it)."""

    __slots__ = ("snaps", "next_id", "elements", "max_cursors", "max_elements")

    def __init__(self, max_cursors: int = 1024, max_elements: int = 4_000_000) -> None:
        self.snaps: dict[int, tuple[object, list]] = {}
        self.next_id = 1
        self.elements = 0
        self.max_cursors = max_cursors
        self.max_elements = max_elements

    def new(self, container: object, members: list) -> int:
        sid = self.next_id
        self.next_id = sid + 1 if sid < 0x7FFFFFFF else 1
        self.snaps[sid] = (container, members)
        self.elements += len(members)
        while len(self.snaps) > self.max_cursors or (self.elements > self.max_elements and len(self.snaps) > 1):
            self.drop(next(iter(self.snaps)))
        return sid

    def drop(self, sid: int) -> None:
        entry = self.snaps.pop(sid, None)
        if entry is not None:
            self.elements -= len(entry[1])

    def clear(self) -> None:
        self.snaps.clear()
        self.elements = 0


def scan_dict(container, state_owner, cursor: int, count: int) -> tuple[int, list]:
    """One step of HSCAN/SSCAN/ZSCAN over ``container`` (a dict, a set, or ZSet.scores).

    ``state_owner`` is anything with a ``scan_cursors`` attribute (a ``ScanCursors``; pass the
    client's Database). Returns ``(next_cursor, members)``: the dict's keys or the set's
    elements; 0 ends the scan. A container of at most ``count`` elements is returned whole with
    cursor 0 (Redis does the same for its compact encodings). A larger one is scanned from a
    snapshot of its members taken at cursor 0: every member present for the whole scan is
    returned exactly once, members deleted meanwhile are skipped, members added meanwhile are
    not returned. The cursor is ``snapshot id << 32 | position``."""
    if cursor == 0 and len(container) <= count:
        return 0, list(container)
    cursors = state_owner.scan_cursors
    sid = cursor >> 32
    pos = cursor & 0xFFFFFFFF
    entry = cursors.snaps.get(sid) if cursor else None
    if entry is None or entry[0] is not container:
        members = list(container)
        sid = cursors.new(container, members)
    else:
        members = entry[1]
    end = pos + count
    out = [m for m in members[pos:end] if m in container]
    if end >= len(members):
        cursors.drop(sid)
        return 0, out
    return (sid << 32) | end, out


class Keyspace:
    """The databases of one server and the counters they share."""

    def __init__(self, count: int = 16) -> None:
        self.dbs = [Database(i, self) for i in range(count)]
        self.now_ms = 0                    # the time commands see; the node sets it per batch
        self.dirty = 0
        self.expire_on_access = True       # replicas keep expired keys until the master's DEL
        self.master_view = False           # a replica applying its master's stream sees expired keys
        # INFO keyspace_hits/misses: lookups count while a read-only command runs (the dispatcher
        # sets ``reading``), as Redis counts lookupKeyRead and not lookupKeyWrite
        self.reading = 0
        self.hits = 0
        self.misses = 0
        # a read lookup that misses sends the keymiss event (set while notify-keyspace-events has 'm')
        self.keymiss: Callable[[Database, bytes], None] | None = None
        self.stats_expired_keys = 0
        self.on_expired: Callable[[Database, bytes], None] | None = None
        self.rng = random.Random()
        self.track = 0                     # 0, TRACK_LRU or TRACK_LFU
        self.mem_precise = True            # re-charge collections on every change (maxmemory set)
        self.lru_epoch_s = 0               # keys without an access record are idle since then
        self.lfu_log_factor = 10
        self.lfu_decay_time = 1
        self._clock_s = 0                  # the shared int object of the current LRU second
        self._lfu_cache: dict[int, int] = {}

    def __getitem__(self, index: int) -> Database:
        return self.dbs[index]

    def __len__(self) -> int:
        return len(self.dbs)

    @property
    def used(self) -> int:
        """The estimated bytes held by all databases. Values stored straight into ``data`` (RDB
        and full-sync loaders) change the key count behind the accounting's back: recount then."""
        total = 0
        for db in self.dbs:
            if len(db.data) != db.counted or db.mem_stale:
                db.recount()
            elif db.stale_keys:
                db.recharge_stale()
            total += db.mem
        return total

    # ----- access tracking
    def set_tracking(self, mode: int) -> None:
        """Start (or stop: 0) recording accesses; switching mode forgets what was recorded."""
        if mode == self.track:
            return
        self.track = mode
        self.lru_epoch_s = self.now_ms // 1000
        self._lfu_cache = {}
        for db in self.dbs:
            db.access = {} if mode else None

    def touch(self, db: Database, key: bytes) -> None:
        """Record an access to ``key`` (called by lookups while tracking is on)."""
        access = db.access
        if access is None:
            return
        now_s = self.now_ms // 1000
        if self.track == TRACK_LRU:
            if now_s != self._clock_s:
                self._clock_s = now_s
            access[key] = self._clock_s
            return
        counter = self.lfu_counter(access.get(key))
        if counter < 255:
            base = counter - LFU_INIT_VAL
            if base <= 0 or self.rng.random() < 1.0 / (base * self.lfu_log_factor + 1):
                counter += 1
        packed = ((now_s // 60) & 0xFFFF) << 8 | counter
        cache = self._lfu_cache
        if len(cache) > 65536:
            cache.clear()
        access[key] = cache.setdefault(packed, packed)

    def lfu_counter(self, packed: int | None) -> int:
        """Redis's LFUDecrAndReturn: the counter after the decay owed since its last update."""
        if packed is None:
            return LFU_INIT_VAL
        counter = packed & 0xFF
        if self.lfu_decay_time:
            now_min = (self.now_ms // 60000) & 0xFFFF
            last = packed >> 8
            elapsed = now_min - last if now_min >= last else 0xFFFF - last + now_min
            periods = elapsed // self.lfu_decay_time
            counter = max(0, counter - periods) if periods else counter
        return counter

    def idle_seconds(self, db: Database, key: bytes) -> int:
        """Seconds since the last recorded access (or since tracking began, for keys without one)."""
        last = db.access.get(key) if db.access is not None else None
        if last is None:
            last = self.lru_epoch_s
        return max(0, self.now_ms // 1000 - last)

    def swap(self, a: int, b: int) -> None:
        """SWAPDB: the databases trade contents; clients keep their index."""
        da, db = self.dbs[a], self.dbs[b]
        for attr in ("data", "expires", "_heap", "avg_ttl", "mem", "charges", "access", "_snap", "counted",
                     "_snap_volatile"):
            va, vb = getattr(da, attr), getattr(db, attr)
            setattr(da, attr, vb)
            setattr(db, attr, va)
        # a scan in progress on either index restarts: its cursor's position means nothing now
        da.deletions += 1 << 30
        db.deletions += 1 << 30
        da._scan_iter = db._scan_iter = None
        da.scan_cursors.clear()
        db.scan_cursors.clear()
        self.dirty += 1


__all__ = ["Database", "Keyspace", "ScanCursors", "scan_dict", "TRACK_LRU", "TRACK_LFU"]
