"""Group ``replication`` (issue 5): full resync time, master throughput with two replicas, replica lag.

Run for Redis→Redis and then pyredis→pyredis (one topology at a time, so they do not compete for
the cores), every master with ``repl-diskless-sync-delay 0`` (Redis 7.0's default of 5 s would only
measure the wait) and otherwise default settings (diskless sync on the master, disk load on the
replica):

1. Full resync: the master holds N keys ``key:<n>`` → ``value:<n>``; an empty replica gets
   ``REPLICAOF``; the time runs from that command until the replica reports
   ``master_link_status:up`` and DBSIZE = N (polled every 10 ms; -LOADING counts as not yet).
2. Throughput: the master is flushed, a second replica attached (``--replicaof``), and
   ``redis-benchmark -t <list>`` runs against the master at -P 1 and -P 16.
3. Lag, sampled during (2) every ~20 ms: the master's ``master_repl_offset`` and each replica's
   ``slave_repl_offset`` (INFO replication; each sample stamped when its reply arrives).
   Byte lag is master offset − replica offset in the same round. Time lag of a master sample
   (t, offset) is the time of the first replica sample that shows an offset >= it, minus t — so its
   resolution is the sampling interval. After the load, sampling goes on until the replicas catch up.
"""

import statistics
import threading
import time

from common import BenchError, Servers, benchmark, fill_strings, fmt, ratio, table, wait_until

TITLE = "full resync, throughput with two replicas, replica lag (issue 5)"
PIPELINES = (1, 16)
TARGET_RESYNC_RATIO = 4.0
TARGET_THROUGHPUT_RATIO = {1: 0.7}
TARGET_LAG_SECONDS = 1.0
SAMPLE_INTERVAL = 0.02
CATCH_UP_TIMEOUT = 120


class LagSampler(threading.Thread):
    """Samples (time, offset) of the master and of every replica until stopped."""

    def __init__(self, master, replicas) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.replicas = replicas
        self.master_samples: list[tuple[float, int]] = []
        self.replica_samples: list[list[tuple[float, int]]] = [[] for _ in replicas]
        self.byte_lag: list[tuple[float, int]] = []
        self.errors = 0
        self.stopping = threading.Event()

    @staticmethod
    def _sample(srv, field: str) -> tuple[float, int]:
        # stamped when the reply arrives: a busy server answers as soon as it runs the command, after
        # the request waited its turn, so the offset is the one of the moment just before the reply
        value = int(srv.info("replication")[field])
        return time.monotonic(), value

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                t, offset = self._sample(self.master, "master_repl_offset")
                self.master_samples.append((t, offset))
                worst = 0
                for i, replica in enumerate(self.replicas):
                    sample = self._sample(replica, "slave_repl_offset")
                    self.replica_samples[i].append(sample)
                    worst = max(worst, offset - sample[1])
                self.byte_lag.append((t, worst))
            except (OSError, KeyError, ValueError, BenchError):
                self.errors += 1
            self.stopping.wait(SAMPLE_INTERVAL)

    def caught_up(self) -> bool:
        if not self.master_samples:
            return False
        last = self.master_samples[-1][1]
        return all(samples and samples[-1][1] >= last for samples in self.replica_samples)

    def time_lags(self, start: float, end: float) -> tuple[list[float], int]:
        """Seconds of lag for the master samples in [start, end] (worst replica), and how many never resolved."""
        lags: list[float] = []
        unresolved = 0
        pointers = [0] * len(self.replica_samples)
        for t, offset in self.master_samples:
            worst = 0.0
            for i, samples in enumerate(self.replica_samples):
                j = pointers[i]
                while j < len(samples) and samples[j][1] < offset:
                    j += 1
                pointers[i] = j
                if j == len(samples):
                    worst = None
                    break
                worst = max(worst, samples[j][0] - t)
            if start <= t <= end:
                if worst is None:
                    unresolved += 1
                else:
                    lags.append(worst)
        return lags, unresolved


def full_resync(servers: Servers, kind: str, keys: int):
    master = servers.data(kind, f"{kind}-master", "--repl-diskless-sync-delay", "0")
    master.start()
    fill_strings(master, keys)
    if master.dbsize() != keys:
        raise BenchError(f"{master.name}: {master.dbsize()} keys after loading {keys}")
    replica = servers.data(kind, f"{kind}-replica1")
    replica.start()
    start = time.monotonic()
    reply = replica.call(b"REPLICAOF", b"127.0.0.1", b"%d" % master.port)
    if not reply.startswith(b"+OK"):
        raise BenchError(f"{replica.name}: REPLICAOF answered {reply!r}")
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up" and replica.dbsize() == keys,
               900, f"{replica.name} to finish its full resync", interval=0.01)
    return master, replica, time.monotonic() - start


def throughput_and_lag(servers: Servers, kind: str, master, replica1, tests: str, requests: int, rounds: int):
    master.call(b"FLUSHALL")
    wait_until(lambda: replica1.dbsize() == 0, 120, f"{replica1.name} to apply FLUSHALL")
    replica2 = servers.data(kind, f"{kind}-replica2", "--replicaof", "127.0.0.1", str(master.port))
    replica2.start()
    replicas = [replica1, replica2]
    wait_until(lambda: master.info("replication").get("connected_slaves") == "2"
               and all(r.info("replication").get("master_link_status") == "up" for r in replicas),
               120, f"two replicas online on {master.name}")
    results = {}
    for pipeline in PIPELINES:
        sampler = LagSampler(master, replicas)
        sampler.start()
        try:
            start = time.monotonic()
            rps: dict[str, float] = {}
            for _ in range(max(1, rounds)):     # best of the rounds, as best_of_rounds does
                for test, value in benchmark(master.port, requests, pipeline, tests=tests).items():
                    rps[test] = max(value, rps.get(test, 0.0))
            results[pipeline] = {"rps": rps}
            end = time.monotonic()
            deadline = end + CATCH_UP_TIMEOUT
            while not sampler.caught_up() and time.monotonic() < deadline and sampler.is_alive():
                time.sleep(SAMPLE_INTERVAL)
        finally:
            sampler.stopping.set()
            sampler.join(30)
        lags, unresolved = sampler.time_lags(start, end)
        in_load = [b for t, b in sampler.byte_lag if start <= t <= end]
        results[pipeline].update(
            max_lag=max(lags) if lags else None, median_lag=statistics.median(lags) if lags else None,
            max_bytes=max(in_load) if in_load else None, samples=len(lags), unresolved=unresolved,
            errors=sampler.errors)
    return results


def run(opts) -> str:
    keys = 50_000 if opts.quick else 1_000_000
    requests = 10_000 if opts.quick else 200_000
    tests = opts.repl_tests
    resync: dict[str, float] = {}
    load: dict[str, dict] = {}
    for kind in ("redis", "pyredis"):
        with Servers() as servers:
            master, replica1, resync[kind] = full_resync(servers, kind, keys)
            load[kind] = throughput_and_lag(servers, kind, master, replica1, tests, requests, opts.rounds)

    resync_rows = [[kind, f"{keys:,}", fmt(resync[kind], ".3f"), "", ""] for kind in ("redis", "pyredis")]
    resync_rows[1][3:] = [ratio(resync["pyredis"], resync["redis"]), f"<= {TARGET_RESYNC_RATIO}"]
    rows, lag_rows = [], []
    for pipeline in PIPELINES:
        real, py = load["redis"][pipeline]["rps"], load["pyredis"][pipeline]["rps"]
        target = TARGET_THROUGHPUT_RATIO.get(pipeline)
        for test, real_rps in real.items():
            rows.append([test, str(pipeline), fmt(real_rps), fmt(py.get(test)), ratio(py.get(test), real_rps),
                         f">= {target}" if target else ""])
        for kind in ("redis", "pyredis"):
            r = load[kind][pipeline]
            note = f"{r['unresolved']} unresolved" if r["unresolved"] else ""
            if r["errors"]:
                note = (note + ", " if note else "") + f"{r['errors']} failed samples"
            lag_rows.append([kind, str(pipeline), fmt(r["max_lag"], ".3f"), fmt(r["median_lag"], ".3f"),
                             fmt(r["max_bytes"]), str(r["samples"]), f"< {TARGET_LAG_SECONDS:g}", note])
    return "\n".join([
        f"Full resync of {keys:,} keys (`key:<n>` → `value:<n>`): REPLICAOF → `master_link_status:up` with every key "
        "on the replica (diskless sync, repl-diskless-sync-delay 0):", "",
        *table(["master → replica", "keys", "seconds", "pyredis/redis", "target"], resync_rows), "",
        f"Master throughput with two replicas attached: `redis-benchmark -q -n {requests} -c 50 -t {tests} --csv` "
        f"against the master of each topology, best of {max(1, opts.rounds)} run(s) per topology (one topology "
        "after the other: five processes each would not fit two cores side by side):", "",
        *table(["test", "P", "redis ops/s", "pyredis ops/s", "pyredis/redis", "target"], rows), "",
        f"Replica lag during that load (worst of the two replicas; INFO replication sampled every "
        f"~{SAMPLE_INTERVAL * 1000:.0f} ms, so lag below that reads as one sampling interval or 0):", "",
        *table(["topology", "P", "max lag (s)", "median lag (s)", "max lag (bytes)", "samples", "target", "note"],
               lag_rows, align="lrrrrrrl")])
