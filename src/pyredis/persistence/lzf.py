"""LZF, the compression Redis applies to RDB strings longer than 20 bytes (``rdbcompression``).

The format (liblzf, as ``lzf_d.c`` reads it) is a sequence of runs, each introduced by a
control byte ``c``:
- ``c < 32``: a literal run of ``c + 1`` bytes copied as they are;
- otherwise a back reference: length ``c >> 5`` (7 means "add the next byte"), plus 2, taken
  from ``((c & 31) << 8) + next byte + 1`` bytes back in the output. References may overlap
  what they produce (a run of one repeated byte is one reference).

``compress`` is a greedy single-pass matcher over 3-byte prefixes: any valid stream decodes in
Redis, so we do not need liblzf's exact choices, only its limits (offsets < 8192, lengths
3..264, literal runs <= 32). Like Redis it gives up (returns None) when the output would not
save at least the asked-for bytes, and the caller then stores the string raw.
"""

MAX_OFF = 1 << 13
MAX_REF = (1 << 8) + (1 << 3)   # 264: longest back reference


class LZFError(ValueError):
    """The compressed data is not a valid LZF stream of the announced length."""


def decompress(data: bytes, expected_len: int) -> bytes:
    """Expand ``data``; it must produce exactly ``expected_len`` bytes."""
    out = bytearray()
    i = 0
    n = len(data)
    try:
        while i < n:
            ctrl = data[i]
            i += 1
            if ctrl < 32:
                end = i + ctrl + 1
                if end > n:
                    raise LZFError("literal run past the end of the input")
                out += data[i:end]
                i = end
                continue
            length = ctrl >> 5
            if length == 7:
                length += data[i]
                i += 1
            length += 2
            back = ((ctrl & 31) << 8) + data[i] + 1
            i += 1
            start = len(out) - back
            if start < 0:
                raise LZFError("back reference before the start of the output")
            if back >= length:
                out += out[start:start + length]
            else:
                # overlapping copy: the referenced window repeats itself
                chunk = out[start:]
                reps, rest = divmod(length, back)
                out += chunk * reps + chunk[:rest]
            if len(out) > expected_len:
                raise LZFError("output longer than announced")
    except IndexError:
        raise LZFError("truncated LZF stream") from None
    if len(out) != expected_len:
        raise LZFError("output length differs from the announced length")
    return bytes(out)


def compress(data: bytes, max_out: int | None = None) -> bytes | None:
    """The LZF stream of ``data``, or None if it would be longer than ``max_out`` bytes
    (default ``len(data) - 1``: compression must save something)."""
    n = len(data)
    limit = n - 1 if max_out is None else max_out
    if n < 4 or limit <= 0:
        return None
    out = bytearray()
    table: dict[bytes, int] = {}
    lit = 0          # start of the pending literal run
    i = 0
    last = n - 2
    while i < last:
        key = data[i:i + 3]
        ref = table.get(key)
        table[key] = i
        if ref is None or i - ref > MAX_OFF:
            i += 1
            continue
        maxlen = min(MAX_REF, n - i)
        length = 3
        while length < maxlen and data[ref + length] == data[i + length]:
            length += 1
        while lit < i:
            run = min(32, i - lit)
            out.append(run - 1)
            out += data[lit:lit + run]
            lit += run
        off = i - ref - 1
        code = length - 2
        if code < 7:
            out.append((code << 5) | (off >> 8))
        else:
            out.append(0xE0 | (off >> 8))
            out.append(code - 7)
        out.append(off & 0xFF)
        if len(out) > limit:
            return None
        # index the positions inside the match so later repeats find it
        end = i + length
        for j in range(i + 1, min(end, last)):
            table[data[j:j + 3]] = j
        i = lit = end
    while lit < n:
        run = min(32, n - lit)
        out.append(run - 1)
        out += data[lit:lit + run]
        lit += run
    if len(out) > limit:
        return None
    return bytes(out)
