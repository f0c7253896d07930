"""maxmemory: the memory estimate and the eviction policies.

The estimate (``used_memory``, what INFO's used_memory shows and what maxmemory is compared
with) is the process's resident size measured once at start-up, before any data, plus the
keyspace's own running estimate of the bytes its keys hold (``Keyspace.used``, kept by
``engine.keyspace`` on every add, remove and in-place change; see its docstring). It is O(1) to
consult on every denyoom write, and it falls as soon as a key is removed — as Redis's allocator
count does, and as RSS would not (pymalloc keeps freed pools for reuse, so an RSS-driven loop
would evict everything). Client buffers, the replication backlog and per-key access records are
not counted.

The policies follow Redis's ``performEvictions``: noeviction refuses the write; the random
policies pick a random key (allkeys) or a random key with a TTL (volatile), visiting the
databases round robin; the LRU, LFU and TTL policies sample ``maxmemory-samples`` keys per
database into a pool of the 16 best candidates kept between calls (``EVPOOL_SIZE``) and evict
the best — the idlest, least frequently used, or nearest to expire. Each call works for a time
budget derived from ``maxmemory-eviction-tenacity`` (Redis's ``evictionTimeLimitUs``, scaled
for Python); a cron hook carries on when memory is still over the limit (after CONFIG SET
maxmemory, or a budget ran out). An evicted key is propagated as DEL (UNLINK with
lazyfree-lazy-eviction), notified as ``evicted``, invalidates WATCHes and counts in
``stat_evicted_keys``.

The policy also decides what the keyspace records per access (``Keyspace.set_tracking``): LRU
clocks for the LRU policies, LFU counters for the LFU ones, nothing otherwise.
"""

import os
import time
from bisect import insort

from .keyspace import TRACK_LFU, TRACK_LRU

EVPOOL_SIZE = 16
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """Resident set size of the process in bytes."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except OSError:
        return 0


class Evictor:
    """The eviction state of one node: its policy, sampling pool and start-up baseline."""

    def __init__(self, node, notify) -> None:
        self.node = node
        self.notify = notify
        self.baseline = rss() - node.keyspace.used
        self.pool: list[tuple[int, int, bytes]] = []   # (score, dbid, key), best last
        self.next_db = 0
        self.idle_requested = False                    # OBJECT IDLETIME asked for LRU clocks
        self.apply()

    def apply(self) -> None:
        """Read the directives; start or stop access tracking to match the policy."""
        config = self.node.config
        policy = str(config["maxmemory-policy"])
        self.policy = policy
        self.volatile = policy.startswith("volatile-")
        self.kind = policy.split("-", 1)[1] if "-" in policy and policy != "noeviction" else ""
        self.samples = int(config["maxmemory-samples"])  # type: ignore[arg-type]
        tenacity = int(config["maxmemory-eviction-tenacity"])  # type: ignore[arg-type]
        if tenacity <= 10:
            limit_us = 50 * tenacity
        elif tenacity < 100:
            limit_us = int(500.0 * 1.15 ** (tenacity - 10.0))
        else:
            limit_us = 1 << 40
        self.time_limit = max(limit_us * 4, 200) / 1e6     # Python evicts ~20x slower than C
        keyspace = self.node.keyspace
        keyspace.lfu_log_factor = int(config["lfu-log-factor"])  # type: ignore[arg-type]
        keyspace.lfu_decay_time = int(config["lfu-decay-time"])  # type: ignore[arg-type]
        if self.kind == "lfu":
            mode = TRACK_LFU
        elif self.kind == "lru" or self.idle_requested:
            mode = TRACK_LRU
        else:
            mode = 0
        if mode != keyspace.track:
            keyspace.set_tracking(mode)
            self.pool = []

    # ----- the memory estimate
    def used_memory(self) -> int:
        return self.baseline + self.node.keyspace.used

    # ----- eviction
    def ensure(self) -> bool:
        """Evict until under maxmemory; False when the write must be refused (OOM)."""
        node = self.node
        maxmemory = node.maxmemory
        if not maxmemory or self.used_memory() <= maxmemory:
            return True
        if node.is_replica and node.config["replica-ignore-maxmemory"]:
            return True
        if self.policy == "noeviction":
            return False
        deadline = time.perf_counter() + self.time_limit
        evicted = 0
        while self.used_memory() > maxmemory:
            found = self._pick()
            if found is None:
                return False
            self.evict(*found)
            evicted += 1
            if evicted & 15 == 0 and time.perf_counter() > deadline:
                return True     # Redis's EVICT_RUNNING: the command runs, the cron continues
        return True

    def _pick(self) -> "tuple[object, bytes] | None":
        dbs = self.node.keyspace.dbs
        rng = self.node.keyspace.rng
        volatile = self.volatile
        if self.kind == "random":
            for _ in range(len(dbs)):
                db = dbs[self.next_db % len(dbs)]
                self.next_db += 1
                keys = db.sample_keys(1, rng, volatile)
                if keys:
                    return db, keys[0]
            return None
        pool = self.pool
        while True:
            total = 0
            for db in dbs:
                source = db.expires if volatile else db.data
                if source:
                    total += len(source)
                    self._populate(db, db.sample_keys(self.samples, rng, volatile))
            if not total:
                return None
            while pool:
                _, dbid, key = pool.pop()
                db = dbs[dbid]
                if key in (db.expires if volatile else db.data):
                    return db, key
            # every pooled key was gone: sample again

    def _populate(self, db, keys: list[bytes]) -> None:
        keyspace = self.node.keyspace
        pool = self.pool
        kind = self.kind
        dbid = db.id
        if kind == "lru":
            now_s = keyspace.now_ms // 1000
            access = db.access or {}
            epoch = keyspace.lru_epoch_s
            scored = [(now_s - access.get(k, epoch), k) for k in keys]
        elif kind == "lfu":
            access = db.access or {}
            scored = [(255 - keyspace.lfu_counter(access.get(k)), k) for k in keys]
        else:   # ttl
            expires = db.expires
            scored = [((1 << 62) - expires[k], k) for k in keys if k in expires]
        present = {(d, k) for _, d, k in pool}
        for score, key in scored:
            if (dbid, key) in present:
                continue
            if len(pool) < EVPOOL_SIZE or score > pool[0][0]:
                insort(pool, (score, dbid, key))
                if len(pool) > EVPOOL_SIZE:
                    pool.pop(0)

    def evict(self, db, key: bytes) -> None:
        node = self.node
        db._remove(key)
        for client in db.watched.get(key, ()):
            client.dirty_cas = True
        lazy = node.config["lazyfree-lazy-eviction"]
        node.propagate_internal(db.id, [[b"UNLINK" if lazy else b"DEL", key]])
        node.stat_evicted_keys += 1
        if node.notify_flags:
            self.notify(node, 512, b"evicted", key, db.id)   # NOTIFY_EVICTED

    def cron(self, now_ms: int) -> None:
        if self.node.maxmemory and self.policy != "noeviction":
            self.ensure()


def install(node, notify) -> Evictor:
    """Attach eviction to a node: ``node.evictor``, config hooks and the cron hook.
    ``notify`` is ``commands.notify.notify`` (the engine does not import commands)."""
    node.keyspace.rng = node.rng          # sampling follows the node's seedable generator
    evictor = Evictor(node, notify)
    node.evictor = evictor
    hooks = node.config.hooks

    def on_change(old: object, new: object, chained=None) -> None:
        if chained is not None:
            chained(old, new)
        evictor.apply()

    for name in ("maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor",
                 "lfu-decay-time"):
        previous = hooks.get(name)
        hooks[name] = (lambda old, new, p=previous: on_change(old, new, p))
    node.cron_hooks.append(evictor.cron)
    return evictor


def used_memory(node) -> int:
    """The memory estimate INFO's used_memory shows and maxmemory is compared with."""
    evictor = getattr(node, "evictor", None)
    if evictor is None:
        return rss()
    return evictor.used_memory()


def ensure_memory(node) -> bool:
    evictor = getattr(node, "evictor", None)
    if evictor is None:
        return rss() <= node.maxmemory
    return evictor.ensure()
