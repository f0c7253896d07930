"""`make bench`: pyredis against a real redis-server, side by side, on this machine.

The entry point of the benchmark groups, each a module of this directory:

- ``core`` (core.py, issue 2): SET/GET/INCR... throughput at -P 1 and -P 16, VmRSS for ~1M keys;
- ``types`` (datatypes.py, issue 3): redis-benchmark's default tests, and ZADD/ZRANK on a 1M zset;
- ``persistence`` (persistence.py, issue 4): SAVE time, start-up load time, BGSAVE peak RSS;
- ``replication`` (replication.py, issue 5): full resync time, throughput and lag with 2 replicas;
- ``failover`` (failover.py, issue 6): SIGKILL of the master to +switch-master and to the first write.

Every group starts its own servers on free 127.0.0.1 ports and always stops them. Each group's
table goes to stdout and, with the date and the machine, into its section of bench/RESULTS.md;
sections of groups not run this time are kept.

    .venv/bin/python bench/run.py [--groups core,types,...] [--quick] [group options]
"""

import argparse
import importlib
import os
import shutil
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import BenchError, section, write_sections  # noqa: E402

GROUPS = {"core": "core", "types": "datatypes", "persistence": "persistence", "replication": "replication",
          "failover": "failover"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", default=",".join(GROUPS),
                    help=f"comma-separated groups to run (default: all of {','.join(GROUPS)})")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and request counts: a smoke run of the script; the numbers mean little")
    ap.add_argument("--rounds", type=int, default=None,
                    help="core, types, replication: runs of each redis-benchmark per server, best kept "
                         "(default 3; --quick: 1)")
    ap.add_argument("--tests", default="ping,set,get,incr,mset", help="core: redis-benchmark -t list")
    ap.add_argument("--no-memory", action="store_true", help="core: skip the 1,000,000-key memory comparison")
    ap.add_argument("--type-tests", default=None, help="types: redis-benchmark -t list (default: all its tests)")
    ap.add_argument("--repl-tests", default="set,get,incr,lpush,mset",
                    help="replication: redis-benchmark -t list run against the master with two replicas")
    ap.add_argument("--down-after", default=None,
                    help="failover: comma-separated down-after-milliseconds values (default 5000,1000; "
                         "--quick: 1000)")
    args = ap.parse_args(argv)
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    args.group_list = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = [g for g in args.group_list if g not in GROUPS]
    if unknown:
        ap.error(f"unknown group(s) {','.join(unknown)}; choose from {','.join(GROUPS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("redis-benchmark") is None or shutil.which("redis-server") is None:
        print("redis-server and redis-benchmark are needed (apt-get install redis-server)", file=sys.stderr)
        return 2
    command = " ".join(["bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    status = 0
    for group in args.group_list:
        module = importlib.import_module(GROUPS[group])
        print(f"== {group}: {module.TITLE}", flush=True)
        try:
            body = module.run(args)
        except (BenchError, OSError, ValueError) as exc:
            # the group's servers are already stopped; its old section in RESULTS.md stays as it was
            print(f"{group}: FAILED: {exc}", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            status = 1
            continue
        if args.quick:
            body = "`--quick`: small sizes on a possibly busy machine — a smoke run, not a measurement.\n\n" + body
        print(body, flush=True)
        write_sections({group: section(group, module.TITLE, command, body)}, list(GROUPS))
    return status


if __name__ == "__main__":
    sys.exit(main())
