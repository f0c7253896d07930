"""The replication backlog and the replication ids: the master's memory of its own stream.

``master_repl_offset`` counts every byte ever written to the replication stream (the first
byte has offset 1). The backlog keeps the last ``size`` bytes of it, so a replica that lost its
link can ask ``PSYNC <replid> <next offset>`` and get only what it missed.

PSYNC2: a node has two ids. ``replid`` names the history it is producing now; after a promotion
``replid2`` keeps the old master's id, valid up to ``second_replid_offset``, so former siblings
that still speak of the old history can continue partially.
"""

import random


def new_replid(rng: random.Random | None = None) -> str:
    return f"{(rng or random).getrandbits(160):040x}"


class Backlog:
    __slots__ = ("size", "_buf", "first_offset")

    def __init__(self, size: int, start_offset: int) -> None:
        self.size = size
        self._buf = bytearray()
        self.first_offset = start_offset   # offset of the first byte held (1-based stream offsets)

    @property
    def histlen(self) -> int:
        return min(len(self._buf), self.size)

    def append(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        # trim lazily: at most 2x size is held, so appends stay amortised O(len(data))
        excess = len(buf) - self.size
        if excess > self.size:
            del buf[:excess]
            self.first_offset += excess

    def resize(self, size: int) -> None:
        self.size = size
        excess = len(self._buf) - size
        if excess > 0:
            del self._buf[:excess]
            self.first_offset += excess

    def real_first_offset(self) -> int:
        """The first offset a PSYNC may ask for (the lazily trimmed head is not guaranteed)."""
        return self.first_offset + max(0, len(self._buf) - self.size)

    def covers(self, offset: int) -> bool:
        """Whether a replica asking for ``offset`` (the next byte it wants) can continue from here."""
        return self.real_first_offset() <= offset <= self.first_offset + len(self._buf)

    def read_from(self, offset: int) -> bytes:
        start = offset - self.first_offset
        return bytes(self._buf[start:])
