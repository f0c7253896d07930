"""Redis's ``sdscatrepr``: how Redis quotes a string for humans and for config files.

Double quotes around it, C escapes for backslash, quote, \\n \\r \\t \\a \\b, ``\\xHH`` for any other
byte that is not printable ASCII. MONITOR lines, CONFIG REWRITE, the AOF manifest and the
FATAL CONFIG report of command-line options all use it.
"""

_ESCAPES = {0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x07: "\\a", 0x08: "\\b"}
_TABLE = [_ESCAPES.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in range(256)]


def sds_repr(data: bytes) -> str:
    return '"' + "".join([_TABLE[b] for b in data]) + '"'
