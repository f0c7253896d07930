"""Group ``persistence`` (issue 4): SAVE time, start-up load time and BGSAVE peak RSS, 1M small keys.

Per server (pyredis and redis-server, one after the other so they do not compete for the cores):

1. start empty (``--save ""``: no automatic snapshots) and note the time until PING answers;
2. load N keys ``key:<n>`` → ``value:<n>`` with pipelined MSETs; VmRSS is then the dataset's RSS;
3. SAVE, timed by the client, and the size of the RDB file it wrote;
4. BGSAVE while sampling, every ~5 ms until the child is gone, the parent's VmRSS and the forked
   child's ``Private_Dirty + Private_Clean`` from ``/proc/<child>/smaps_rollup``: their sum is the
   memory both processes hold together (the child's shared pages are already in the parent's RSS);
   the peak of that sum is the BGSAVE peak, compared with the dataset's RSS;
5. stop (SIGTERM, no save configured, so the file stays SAVE's), start again in the same directory
   and time spawn → first +PONG (Redis and pyredis answer -LOADING until the file is loaded); the
   ``DB loaded from disk: <s> seconds`` log line is reported beside it.
"""

import os
import time

from common import KINDS, BenchError, Servers, children, fill_strings, fmt, ratio, smaps_rollup_kb, table

TITLE = "SAVE, start-up load and BGSAVE memory (issue 4)"
TARGET_TIME_RATIO = 4.0
TARGET_PEAK_RATIO = 2.5
SAMPLE_INTERVAL = 0.005


def measure_bgsave(srv, timeout: float = 900) -> dict[str, float]:
    """BGSAVE with RSS sampling; peaks in kB, ``seconds`` from the command to the child's exit."""
    known = set(children(srv.pid))
    start = time.monotonic()
    reply = srv.call(b"BGSAVE")
    if not reply.startswith(b"+"):
        raise BenchError(f"{srv.name}: BGSAVE answered {reply!r}")
    child = None
    peak = {"total": 0, "parent": 0, "child_private": 0, "child_rss": 0, "samples": 0}
    deadline = start + timeout
    while time.monotonic() < deadline:
        parent = srv.rss_kb()
        if child is None:
            fresh = [c for c in children(srv.pid) if c not in known]
            child = fresh[0] if fresh else None
        rollup = smaps_rollup_kb(child) if child else {}
        private = rollup.get("Private_Dirty", 0) + rollup.get("Private_Clean", 0)
        if rollup:
            peak["samples"] += 1
        peak["parent"] = max(peak["parent"], parent)
        peak["child_private"] = max(peak["child_private"], private)
        peak["child_rss"] = max(peak["child_rss"], rollup.get("Rss", 0))
        peak["total"] = max(peak["total"], parent + private)
        if not rollup and (child is not None or time.monotonic() - start > 0.2):
            persistence = srv.info("persistence")
            if persistence.get("rdb_bgsave_in_progress") == "0":
                if persistence.get("rdb_last_bgsave_status") != "ok":
                    raise BenchError(f"{srv.name}: BGSAVE failed: {srv.tail()}")
                peak["seconds"] = time.monotonic() - start
                return peak
        time.sleep(SAMPLE_INTERVAL)
    raise BenchError(f"{srv.name}: BGSAVE still running after {timeout:.0f} s")


def loaded_seconds(log: str) -> float | None:
    marker = "DB loaded from disk: "
    pos = log.rfind(marker)
    if pos < 0:
        return None
    try:
        return float(log[pos + len(marker):].split()[0])
    except (IndexError, ValueError):
        return None


def measure(servers: Servers, kind: str, keys: int) -> dict[str, float | None]:
    srv = servers.data(kind, f"{kind}-persistence", "--dbfilename", "dump.rdb")
    result: dict[str, float | None] = {"empty_start": srv.start()}
    fill_strings(srv, keys)
    if srv.dbsize() != keys:
        raise BenchError(f"{srv.name}: {srv.dbsize()} keys after loading {keys}")
    result["dataset_rss"] = srv.rss_kb()
    start = time.monotonic()
    reply = srv.call(b"SAVE", timeout=900)
    result["save"] = time.monotonic() - start
    if reply != b"+OK\r\n":
        raise BenchError(f"{srv.name}: SAVE answered {reply!r}")
    result["rdb_bytes"] = os.path.getsize(os.path.join(srv.dir, "dump.rdb"))
    peak = measure_bgsave(srv)
    result.update(bgsave_seconds=peak["seconds"], peak_total=peak["total"], peak_parent=peak["parent"],
                  peak_child_private=peak["child_private"], samples=peak["samples"])
    srv.stop()
    result["load_ready"] = srv.start(timeout=900)
    result["load_log"] = loaded_seconds(srv.log_text())
    if srv.dbsize() != keys:
        raise BenchError(f"{srv.name}: {srv.dbsize()} keys after restart, expected {keys}")
    srv.stop()
    return result


def run(opts) -> str:
    keys = 50_000 if opts.quick else 1_000_000
    with Servers() as servers:
        res = {kind: measure(servers, kind, keys) for kind in KINDS}
    real, py = res["redis"], res["pyredis"]

    def mb(kb: float | None) -> str:
        return fmt(kb / 1024 if kb is not None else None, ",.1f")

    def secs(value: float | None) -> str:
        return fmt(value, ".3f")

    rows = [
        ["start-up, empty (s)", secs(real["empty_start"]), secs(py["empty_start"]),
         ratio(py["empty_start"], real["empty_start"]), ""],
        ["SAVE (s)", secs(real["save"]), secs(py["save"]), ratio(py["save"], real["save"]),
         f"<= {TARGET_TIME_RATIO}"],
        ["RDB file (MB)", mb(real["rdb_bytes"] / 1024), mb(py["rdb_bytes"] / 1024),
         ratio(py["rdb_bytes"], real["rdb_bytes"]), ""],
        ["start-up with the RDB, spawn → PONG (s)", secs(real["load_ready"]), secs(py["load_ready"]),
         ratio(py["load_ready"], real["load_ready"]), f"<= {TARGET_TIME_RATIO}"],
        ["`DB loaded from disk` in the log (s)", secs(real["load_log"]), secs(py["load_log"]),
         ratio(py["load_log"], real["load_log"]), ""],
        ["dataset VmRSS before BGSAVE (MB)", mb(real["dataset_rss"]), mb(py["dataset_rss"]),
         ratio(py["dataset_rss"], real["dataset_rss"]), ""],
        ["BGSAVE duration (s)", secs(real["bgsave_seconds"]), secs(py["bgsave_seconds"]),
         ratio(py["bgsave_seconds"], real["bgsave_seconds"]), ""],
        ["BGSAVE peak: parent VmRSS + child private (MB)", mb(real["peak_total"]), mb(py["peak_total"]),
         ratio(py["peak_total"], real["peak_total"]), ""],
        ["— of which the child's private pages, peak (MB)", mb(real["peak_child_private"]),
         mb(py["peak_child_private"]), ratio(py["peak_child_private"], real["peak_child_private"]), ""],
        ["BGSAVE peak / dataset VmRSS", ratio(real["peak_total"], real["dataset_rss"]),
         ratio(py["peak_total"], py["dataset_rss"]), "", f"pyredis <= {TARGET_PEAK_RATIO}"],
        ["RSS samples taken while the child ran", f"{real['samples']:.0f}", f"{py['samples']:.0f}", "", ""],
    ]
    return "\n".join([
        f"{keys:,} keys `key:<n>` → `value:<n>` (MSET batches), default rdbcompression/rdbchecksum; "
        "SAVE and BGSAVE of that dataset, then a restart that loads it:", "",
        *table(["measure", "redis", "pyredis", "pyredis/redis", "target"], rows)])
