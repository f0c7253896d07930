"""Time as an input: every component that needs the time is handed a ``Clock``.

``RealClock`` reads the OS; ``VirtualClock`` is advanced by tests and simulations, so expiry,
timeouts, sentinel and cluster timers can be driven for hours in microseconds.
"""

import time


class Clock:
    """Monotonic milliseconds for timers, wall-clock milliseconds for user-visible times."""

    def monotonic_ms(self) -> int:
        raise NotImplementedError

    def wall_ms(self) -> int:
        raise NotImplementedError


class RealClock(Clock):
    def monotonic_ms(self) -> int:
        return time.monotonic_ns() // 1_000_000

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000


class VirtualClock(Clock):
    def __init__(self, wall_ms: int = 1_700_000_000_000, monotonic_ms: int = 0) -> None:
        self._wall = wall_ms
        self._mono = monotonic_ms

    def monotonic_ms(self) -> int:
        return self._mono

    def wall_ms(self) -> int:
        return self._wall

    def advance(self, ms: int) -> None:
        self._mono += ms
        self._wall += ms
