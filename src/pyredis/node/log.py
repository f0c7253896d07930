"""Redis's log line: ``pid:R dd Mon yyyy hh:mm:ss.mmm <level> message``.

R is the role (M master, S replica, X sentinel, C child or before start-up); the level mark is
``.`` debug, ``-`` verbose, ``*`` notice, ``#`` warning. Messages below ``loglevel`` are dropped
before any formatting is done.
"""

import os
import sys
import time

DEBUG, VERBOSE, NOTICE, WARNING = 0, 1, 2, 3
LEVELS = {"debug": DEBUG, "verbose": VERBOSE, "notice": NOTICE, "warning": WARNING}
_MARKS = ".-*#"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Logger:
    def __init__(self, level: str = "notice", logfile: str = "", role: str = "C") -> None:
        self.level = LEVELS.get(level, NOTICE)
        self.role = role
        self.pid = os.getpid()
        self.path = logfile
        self._fh = None
        if logfile:
            self._fh = open(logfile, "a", buffering=1, encoding="utf-8", errors="replace")

    def set_level(self, level: str) -> None:
        self.level = LEVELS.get(level, NOTICE)

    def log(self, level: int, message: str) -> None:
        if level < self.level:
            return
        now = time.time()
        tm = time.localtime(now)
        stamp = (f"{tm.tm_mday:02d} {_MONTHS[tm.tm_mon - 1]} {tm.tm_year} {tm.tm_hour:02d}:{tm.tm_min:02d}:"
                 f"{tm.tm_sec:02d}.{int(now * 1000) % 1000:03d}")
        line = f"{self.pid}:{self.role} {stamp} {_MARKS[level]} {message}\n"
        out = self._fh if self._fh is not None else sys.stdout
        try:
            out.write(line)
            out.flush()
        except (OSError, ValueError):
            pass

    def debug(self, message: str) -> None:
        self.log(DEBUG, message)

    def verbose(self, message: str) -> None:
        self.log(VERBOSE, message)

    def notice(self, message: str) -> None:
        self.log(NOTICE, message)

    def warning(self, message: str) -> None:
        self.log(WARNING, message)

    def after_fork(self, role: str = "C") -> None:
        self.pid = os.getpid()
        self.role = role
