"""Redis's glob patterns (``stringmatchlen``): ``*``, ``?``, ``[abc]``, ``[^a-z]``, ``\\x`` escapes.

Patterns are compiled once to a regular expression and cached; KEYS, SCAN MATCH, PSUBSCRIBE and
CONFIG GET all match through here.
"""

import re
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1024)
def compile_pattern(pattern: bytes, nocase: bool = False) -> Callable[[bytes], object]:
    """Return a function that tells whether a whole subject matches ``pattern``."""
    if pattern == b"*":
        return lambda s: True
    out = bytearray()
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == 42:  # *
            while i + 1 < n and pattern[i + 1] == 42:
                i += 1
            out += b".*"
        elif c == 63:  # ?
            out += b"."
        elif c == 91:  # [
            i += 1
            negate = i < n and pattern[i] == 94
            if negate:
                i += 1
            members = bytearray()
            while i < n and pattern[i] != 93:
                if pattern[i] == 92 and i + 1 < n:
                    i += 1
                    members += re.escape(pattern[i:i + 1])
                elif i + 2 < n and pattern[i + 1] == 45 and pattern[i + 2] != 93:
                    lo, hi = pattern[i], pattern[i + 2]
                    if lo > hi:
                        lo, hi = hi, lo
                    members += re.escape(bytes([lo])) + b"-" + re.escape(bytes([hi]))
                    i += 2
                else:
                    members += re.escape(pattern[i:i + 1])
                i += 1
            if not members:
                out += b"[^\\x00-\\xff]" if not negate else b"[\\x00-\\xff]"
            else:
                out += b"[" + (b"^" if negate else b"") + bytes(members) + b"]"
        elif c == 92 and i + 1 < n:  # backslash escapes the next byte
            i += 1
            out += re.escape(pattern[i:i + 1])
        else:
            out += re.escape(pattern[i:i + 1])
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if nocase else 0)
    return re.compile(bytes(out), flags).fullmatch


def match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    return compile_pattern(pattern, nocase)(subject) is not None
