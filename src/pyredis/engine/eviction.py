"""maxmemory: the memory estimate and the eviction policies (filled in by the eviction work)."""

import os


def used_memory() -> int:
    """Resident set size of the process, the estimate pyredis uses for maxmemory."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def ensure_memory(node) -> bool:
    return used_memory() <= node.maxmemory
