"""Group ``types`` (issue 3): redis-benchmark's default tests, and sorted sets of 1,000,000 members.

1. ``redis-benchmark -t <all its default tests>`` at -P 1 and -P 16 against both servers (no
   persistence), one row per test with the pyredis/redis ratio and issue 3's target.
2. O(log n) sorted sets: each server gets a zset of 1,000 members and one of 1,000,000 (``m:%012d``,
   the form redis-benchmark gives ``m:__rand_int__``), then ``ZADD z __rand_int__ m:__rand_int__``
   (a score update: remove and re-insert) and ``ZRANK z m:__rand_int__`` run with ``-r <members>``
   so every request hits an existing member. With O(log n) operations the throughput on the big
   set stays close to the small one's; an O(n) rank or insert would fall by orders of magnitude.
"""

from common import KINDS, Servers, benchmark, best_of_rounds, fill_zset, fmt, ratio, rounds_text, table

TITLE = "redis-benchmark's default tests and 1M-member sorted sets (issue 3)"
DEFAULT_TESTS = "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset"
PIPELINES = (1, 16)
TARGET_RATIO = {1: 0.8, 16: 0.4}
SMALL_ZSET = 1_000


def run(opts) -> str:
    tests = opts.type_tests or DEFAULT_TESTS
    requests = 10_000 if opts.quick else 200_000
    big = 100_000 if opts.quick else 1_000_000
    rows: list[list[str]] = []
    zrows: list[list[str]] = []
    scaling: list[list[str]] = []
    with Servers() as servers:
        srv = {kind: servers.data(kind, kind) for kind in KINDS}
        for s in srv.values():
            s.start()
        for pipeline in PIPELINES:
            results = best_of_rounds(srv, opts.rounds, requests, pipeline, tests=tests)
            for test, real_rps in results["redis"].items():
                py_rps = results["pyredis"].get(test)
                rows.append([test, str(pipeline), fmt(real_rps), fmt(py_rps), ratio(py_rps, real_rps),
                             f">= {TARGET_RATIO[pipeline]}"])

        zresults: dict[tuple[str, int, int, str], float | None] = {}
        for kind, s in srv.items():
            s.call(b"FLUSHALL")
            for members in (SMALL_ZSET, big):
                key = b"zset:%d" % members
                fill_zset(s, key, members)
                got = int(s.call(b"ZCARD", key)[1:])
                if got != members:
                    raise ValueError(f"{kind}: ZCARD {key.decode()} is {got}, expected {members}")
        for members in (SMALL_ZSET, big):
            key = f"zset:{members}"
            for test, command in (("ZADD", ["ZADD", key, "__rand_int__", "m:__rand_int__"]),
                                  ("ZRANK", ["ZRANK", key, "m:__rand_int__"])):
                for pipeline in PIPELINES:
                    for kind, s in srv.items():
                        out = benchmark(s.port, requests, pipeline, command=command, keyspace=members)
                        zresults[(test, members, pipeline, kind)] = next(iter(out.values()), None)
                    real, py = zresults[(test, members, pipeline, "redis")], zresults[(test, members, pipeline, "pyredis")]
                    zrows.append([test, f"{members:,}", str(pipeline), fmt(real), fmt(py), ratio(py, real)])
        for test in ("ZADD", "ZRANK"):
            for pipeline in PIPELINES:
                scaling.append([test, str(pipeline)] + [
                    ratio(zresults[(test, big, pipeline, kind)], zresults[(test, SMALL_ZSET, pipeline, kind)])
                    for kind in KINDS])

    return "\n".join([
        f"redis-benchmark -q -n {requests} -c 50 -t {tests} --csv, at -P 1 and -P 16; {rounds_text(opts.rounds)}", "",
        *table(["test", "P", "redis ops/s", "pyredis ops/s", "pyredis/redis", "target"], rows), "",
        f"Sorted sets of {SMALL_ZSET:,} and {big:,} members: `redis-benchmark -n {requests} -c 50 -r <members> "
        "ZADD zset:<members> __rand_int__ m:__rand_int__` (score updates of existing members) and "
        "`... ZRANK zset:<members> m:__rand_int__`:", "",
        *table(["command", "members", "P", "redis ops/s", "pyredis ops/s", "pyredis/redis"], zrows), "",
        f"O(log n) check — throughput on {big:,} members / throughput on {SMALL_ZSET:,} members "
        f"(near 1 for O(log n); an O(n) operation would fall towards {SMALL_ZSET / big:g}):", "",
        *table(["command", "P", "redis", "pyredis"], scaling)])
