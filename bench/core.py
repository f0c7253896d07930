"""Group ``core`` (issue 2): string throughput at pipeline depths 1 and 16, and memory for ~1M keys.

Both servers run side by side without persistence; the same ``redis-benchmark -t`` list runs
against each at -P 1 and -P 16, then the same random keyspace is loaded into both
(``redis-benchmark -t set -r <keyspace>``) and their VmRSS compared.
"""

from common import KINDS, Servers, benchmark, best_of_rounds, fmt, ratio, rounds_text, table

TITLE = "throughput and memory (issue 2)"
PIPELINES = (1, 16)
TARGET_RATIO = {1: 0.8, 16: 0.5}
TARGET_TESTS = {16: {"SET", "GET", "INCR"}}     # issue 2: every test at -P 1, these at -P 16
TARGET_RSS_RATIO = 1.6


def run(opts) -> str:
    requests = 10_000 if opts.quick else 200_000
    keyspace, load_requests = (50_000, 150_000) if opts.quick else (1_000_000, 3_000_000)
    rows: list[list[str]] = []
    memory: dict[str, tuple[int, int]] = {}
    with Servers() as servers:
        srv = {kind: servers.data(kind, kind) for kind in KINDS}
        for s in srv.values():
            s.start()
        for pipeline in PIPELINES:
            results = best_of_rounds(srv, opts.rounds, requests, pipeline, tests=opts.tests)
            for test, real_rps in results["redis"].items():
                py_rps = results["pyredis"].get(test)
                wanted = TARGET_TESTS.get(pipeline)
                target = f">= {TARGET_RATIO[pipeline]}" if wanted is None or test in wanted else ""
                rows.append([test, str(pipeline), fmt(real_rps), fmt(py_rps), ratio(py_rps, real_rps), target])
        if not opts.no_memory:
            for kind, s in srv.items():
                s.call(b"FLUSHALL")
                benchmark(s.port, load_requests, 64, tests="set", keyspace=keyspace)
                memory[kind] = (s.dbsize(), s.rss_kb())
    lines = [f"redis-benchmark -q -n {requests} -c 50 -t {opts.tests} --csv, at -P 1 and -P 16; "
             f"{rounds_text(opts.rounds)}", "",
             *table(["test", "P", "redis ops/s", "pyredis ops/s", "pyredis/redis", "target"], rows)]
    if memory:
        (real_keys, real_rss), (py_keys, py_rss) = memory["redis"], memory["pyredis"]
        lines += ["", f"Memory after `redis-benchmark -t set -r {keyspace} -n {load_requests} -P 64`:", "",
                  *table(["server", "keys", "VmRSS (MB)"],
                         [["redis", f"{real_keys:,}", f"{real_rss / 1024:,.1f}"],
                          ["pyredis", f"{py_keys:,}", f"{py_rss / 1024:,.1f}"]]),
                  "", f"RSS ratio pyredis/redis: {ratio(py_rss, real_rss)} (target <= {TARGET_RSS_RATIO})"]
    return "\n".join(lines)
