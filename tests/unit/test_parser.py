"""RequestParser tested the h11 way: every input parsed whole, byte by byte, and followed by more data.

The expected results are what redis-server 7.0 does with the same bytes (checked side by side in
tests/server/test_fuzz.py); here the parser is pure, so the checks are exhaustive and instant.
"""

import random

import pytest

from pyredis.protocol.errors import ProtocolError
from pyredis.protocol.parser import RequestParser, split_inline, string2ll
from pyredis.protocol.resp import command

TRAILER = b"*1\r\n$4\r\nPING\r\n"


def feed_all(data: bytes, chunk: int | None = None, **kw) -> list:
    parser = RequestParser(**kw)
    if chunk is None:
        return parser.feed(data)
    out = []
    for i in range(0, len(data), chunk):
        out += parser.feed(data[i:i + chunk])
    return out


def tr(data: bytes, expected: list) -> None:
    """``data`` gives ``expected`` whole, byte by byte, in two halves, and with trailing data."""
    assert feed_all(data) == expected
    assert feed_all(data, 1) == expected
    assert feed_all(data, max(1, len(data) // 2)) == expected
    assert feed_all(data + TRAILER) == expected + [[b"PING"]]
    assert feed_all(data + TRAILER, 1) == expected + [[b"PING"]]


def tr_error(data: bytes, message: bytes, **kw) -> None:
    """``data`` raises ``message`` whole and byte by byte, and with trailing data."""
    for chunk in (None, 1):
        for extra in (b"", TRAILER):
            with pytest.raises(ProtocolError) as info:
                feed_all(data + extra, chunk, **kw)
            assert info.value.message == message


def encode(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in args)


# ----- well-formed requests

def test_multibulk_request():
    tr(encode(b"SET", b"k", b"v"), [[b"SET", b"k", b"v"]])


def test_pipelined_multibulk_requests():
    data = b"".join(encode(b"INCR", b"k%d" % i) for i in range(50))
    tr(data, [[b"INCR", b"k%d" % i] for i in range(50)])


def test_binary_payload_with_crlf_and_nul_inside():
    tr(encode(b"SET", b"k", b"a\r\nb\x00c*9999999\r\n+x"), [[b"SET", b"k", b"a\r\nb\x00c*9999999\r\n+x"]])


def test_empty_bulk_argument():
    tr(encode(b"SET", b"k", b""), [[b"SET", b"k", b""]])


def test_inline_request():
    tr(b"SET k v\r\n", [[b"SET", b"k", b"v"]])


def test_inline_request_with_bare_newline():
    tr(b"PING\n", [[b"PING"]])


def test_inline_and_multibulk_mixed_in_one_buffer():
    data = b"PING\r\n" + encode(b"ECHO", b"a") + b"ECHO b\r\n" + encode(b"ECHO", b"c")
    tr(data, [[b"PING"], [b"ECHO", b"a"], [b"ECHO", b"b"], [b"ECHO", b"c"]])


def test_empty_inline_lines_are_skipped():
    tr(b"\r\n\r\nPING\r\n\n", [[b"PING"]])


def test_zero_and_negative_multibulk_counts_are_empty_requests():
    tr(b"*0\r\n*-1\r\n*-5\r\nPING\r\n", [[b"PING"]])


def test_payload_terminator_is_skipped_unchecked():
    tr(b"*1\r\n$4\r\nPINGxy", [[b"PING"]])


def test_inline_quotes_and_escapes():
    tr(b"SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n", [[b"SET", b"a b", b"c'd", b"A\n"]])


def test_vertical_tab_does_not_split_an_unquoted_argument():
    assert split_inline(b"SET a\x0bb v") == [b"SET", b"a\x0bb", b"v"]


def test_nul_byte_hides_the_inline_newline_as_strchr_does():
    assert feed_all(b"\x00PING\r\n") == []
    assert feed_all(b"*1\x00\r\n$4\r\nPING\r\n") == []


def test_string2ll_is_strict():
    assert string2ll(b"12") == 12 and string2ll(b"-3") == -3 and string2ll(b"0") == 0
    for bad in (b"", b"01", b"+1", b" 1", b"1 ", b"-0", b"1a", b"99999999999999999999"):
        assert string2ll(bad) is None, bad


def test_pending_counts_unparsed_bytes():
    parser = RequestParser()
    assert parser.feed(b"*2\r\n$3\r\nGE") == []
    assert parser.pending() == 2
    assert parser.feed(b"T\r\n$1\r\nk\r\n") == [[b"GET", b"k"]]
    assert parser.pending() == 0


# ----- errors, with Redis's texts

def test_non_bulk_element_is_refused():
    tr_error(b"*1\r\n+PING\r\n", b"ERR Protocol error: expected '$', got '+'")
    tr_error(b"*1\r\n:1\r\n", b"ERR Protocol error: expected '$', got ':'")
    # hiredis would turn a big number or a verbatim string into bytes
    tr_error(b"*1\r\n(123\r\n", b"ERR Protocol error: expected '$', got '('")
    tr_error(b"*1\r\n=7\r\ntxt:abc\r\n", b"ERR Protocol error: expected '$', got '='")
    tr_error(b"*2\r\n$3\r\nGET\r\n*1\r\n$1\r\nk\r\n", b"ERR Protocol error: expected '$', got '*'")


def test_invalid_multibulk_length():
    for data in (b"*abc\r\n", b"*01\r\n", b"*+1\r\n", b"*2147483648\r\n", b"*\r\n"):
        tr_error(data, b"ERR Protocol error: invalid multibulk length")


def test_huge_multibulk_count_below_int_max_waits_without_allocating():
    parser = RequestParser()
    assert parser.feed(b"*2147483647\r\n$4\r\nPING\r\n") == []
    assert parser.pending() < 64


def test_big_counts_after_whole_requests():
    # a count over INT_MAX after whole requests: those run, then Redis's error
    ping = encode(b"PING")
    for count in (b"4000000000", b"4294967295", b"99999999999"):
        parser = RequestParser()
        with pytest.raises(ProtocolError) as info:
            parser.feed(ping * 20 + b"*" + count + b"\r\n$1\r\na\r\n")
        assert info.value.message == b"ERR Protocol error: invalid multibulk length"
        assert info.value.requests == [[b"PING"]] * 20
    parser = RequestParser()
    assert parser.feed(ping * 20 + b"*2147483647\r\n$4\r\nPING\r\n") == [[b"PING"]] * 20
    assert parser.pending() < 64


def test_long_request_in_one_read():
    args = [b"%d" % i for i in range(200_000)]
    parser = RequestParser()
    assert parser.feed(encode(b"DEL", *args) + encode(b"PING")) == [[b"DEL", *args], [b"PING"]]
    assert parser.idle()


def test_invalid_bulk_length():
    for data in (b"*1\r\n$abc\r\n", b"*1\r\n$-1\r\n", b"*1\r\n$04\r\n", b"*1\r\n$ 4\r\n",
                 b"*1\r\n$9999999999\r\n"):
        tr_error(data, b"ERR Protocol error: invalid bulk length")


def test_bulk_over_proto_max_bulk_len():
    tr_error(b"*1\r\n$1048577\r\n", b"ERR Protocol error: invalid bulk length", max_bulk_len=1024 * 1024)
    assert feed_all(b"*1\r\n$1048576\r\n", max_bulk_len=1024 * 1024) == []


def test_unbalanced_quotes():
    for data in (b"\"abc\r\n", b"'abc\r\n", b"\"a\"b\r\n"):
        tr_error(data, b"ERR Protocol error: unbalanced quotes in request")


def test_too_big_inline_request():
    with pytest.raises(ProtocolError) as info:
        feed_all(b"A" * (64 * 1024 + 1))
    assert info.value.message == b"ERR Protocol error: too big inline request"
    assert feed_all(b"A" * (64 * 1024)) == []


def test_too_big_count_strings():
    with pytest.raises(ProtocolError) as info:
        feed_all(b"*" + b"1" * (64 * 1024))
    assert info.value.message == b"ERR Protocol error: too big mbulk count string"
    with pytest.raises(ProtocolError) as info:
        feed_all(b"*1\r\n$" + b"1" * (64 * 1024), 4096)
    assert info.value.message == b"ERR Protocol error: too big bulk count string"


def test_query_buffer_limit_closes_without_a_message():
    parser = RequestParser(query_buffer_limit=1024 * 1024)
    parser.feed(b"*1\r\n$2000000\r\n")
    with pytest.raises(ProtocolError) as info:
        for _ in range(20):
            parser.feed(b"x" * 65536)
    assert info.value.message == b""


def test_requests_before_an_error_are_handed_over():
    with pytest.raises(ProtocolError) as info:
        feed_all(encode(b"SET", b"a", b"1") + b"PING\r\n" + b"*1\r\n+x\r\n")
    assert info.value.requests == [[b"SET", b"a", b"1"], [b"PING"]]


def test_unauthenticated_limits():
    parser = RequestParser()
    parser.auth_required = True
    with pytest.raises(ProtocolError) as info:
        parser.feed(b"*11\r\n")
    assert info.value.message == b"ERR Protocol error: unauthenticated multibulk length"
    parser = RequestParser()
    parser.auth_required = True
    with pytest.raises(ProtocolError) as info:
        parser.feed(b"*1\r\n$16385\r\n")
    assert info.value.message == b"ERR Protocol error: unauthenticated bulk length"


def test_large_bulk_arriving_in_chunks_is_buffered_linearly():
    parser = RequestParser()
    size = 4 * 1024 * 1024
    assert parser.feed(b"*2\r\n$3\r\nSET\r\n$%d\r\n" % size) == []
    chunk = b"x" * 65536
    for _ in range(size // len(chunk) - 1):
        assert parser.feed(chunk) == []
    assert parser.feed(chunk + b"\r\n") == [[b"SET", b"x" * size]]
    assert parser.pending() == 0


def test_parser_recovers_fast_path_after_slow_path():
    parser = RequestParser()
    assert parser.feed(b"PING\r\n") == [[b"PING"]]
    assert parser.feed(encode(b"GET", b"k")) == [[b"GET", b"k"]]
    assert parser.feed(encode(b"GET", b"k")[:5]) == []
    assert parser.feed(encode(b"GET", b"k")[5:] + encode(b"GET", b"j")) == [[b"GET", b"k"], [b"GET", b"j"]]


def test_payload_chunk_that_looks_like_a_request_stays_payload():
    parser = RequestParser()
    assert parser.feed(b"*2\r\n$4\r\nECHO\r\n$14\r\n") == []
    assert parser.feed(b"*1\r\n$4\r\nPING\r\n") == []
    assert parser.feed(b"\r\n") == [[b"ECHO", b"*1\r\n$4\r\nPING\r\n"]]


def test_requests_split_at_random_points_all_come_out_once():
    # after a read that ends inside a request, the next read finishes it with the slow reader and
    # hands the rest to hiredis: whatever the split, every request comes out once, in order
    rng = random.Random(11)
    requests = [[b"SET", b"key:%d" % i, b"v" * rng.randint(0, 40)] for i in range(300)]
    requests += [[b"MSET"] + [b"k%d" % j for j in range(rng.randint(1, 9))] for _ in range(50)]
    rng.shuffle(requests)
    data = b"".join(b"*%d\r\n" % len(r) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in r) for r in requests)
    for _ in range(20):
        parser = RequestParser()
        got: list = []
        pos = 0
        while pos < len(data):
            step = rng.randint(1, 700)
            got += parser.feed(data[pos:pos + step])
            pos += step
        assert got == requests
        assert parser.idle()


def test_single_short_requests_with_markers_in_their_payload_parse_like_any_other():
    # markers the guards look for, inside a lone short request's payload: plain requests
    for payload in (b"+a", b"=b", b"(c", b"*d", b"a*123456", b"\n+x"):
        data = b"*2\r\n$3\r\nGET\r\n$%d\r\n%b\r\n" % (len(payload), payload)
        assert RequestParser().feed(data) == [[b"GET", payload]]
    tr_error(b"*1\r\n+PING\r\n", b"ERR Protocol error: expected '$', got '+'")
    tr_error(b"*1\r\n(1\r\n", b"ERR Protocol error: expected '$', got '('")


def _parser(auth: bool) -> RequestParser:
    parser = RequestParser()
    parser.auth_required = auth     # a client that has not sent AUTH yet
    return parser


def _slow_only(data: bytes, auth: bool = False) -> tuple[list, bytes | None]:
    """What the pure-Python reader alone makes of ``data``: (requests, error message or None)."""
    parser = _parser(auth)
    parser._buf = bytearray(data)
    out: list = []
    try:
        parser._parse_slow(out)
    except ProtocolError as exc:
        return (getattr(exc, "requests", None) or out), exc.message
    return out, None


def _fed(data: bytes, auth: bool = False) -> tuple[list, bytes | None]:
    try:
        return _parser(auth).feed(data), None
    except ProtocolError as exc:
        return (getattr(exc, "requests", None) or []), exc.message


def test_one_short_request_per_read_agrees_with_the_slow_reader():
    # a short read is first split on CRLF and accepted only if the pieces rebuild it exactly:
    # well-formed requests, payloads holding CRLF or headers, two requests, damaged headers and
    # counts, unauthenticated limits — the result is always the slow reader's
    rng = random.Random(5)
    alphabet = [b"\r\n", b"\r", b"\n", b"*", b"$", b"+", b"-", b"0", b"1", b"3", b"9", b"a", b"SET", b" ", b"\x00"]
    for _ in range(4000):
        args = [bytes(rng.choice(b"ab\r\n*$+0123") for _ in range(rng.randint(0, 6)))
                for _ in range(rng.randint(1, 12))]
        data = encode(*args)
        roll = rng.random()
        if roll < 0.3:
            pos = rng.randrange(len(data))
            data = data[:pos] + rng.choice(alphabet) + data[pos + 1:]
        elif roll < 0.4:
            data += encode(b"PING")
        elif roll < 0.5:
            data = data.replace(b"$", b"$0", 1) if rng.random() < 0.5 else data.replace(b"*", b"*+", 1)
        auth = rng.random() < 0.2
        assert _fed(data, auth) == _slow_only(data, auth), data


def test_whole_inline_lines_agree_with_the_slow_reader():
    # a read of whole inline lines with nothing to unquote is split with bytes.split; anything
    # else (quotes, \x0b, NUL, a '*', a partial last line) goes to the slow reader: same result
    rng = random.Random(7)
    pieces = [b"PING", b"SET", b"k", b"v", b" ", b"  ", b"\t", b"\r", b"\n", b"\r\n", b"\x0b", b"\x0c",
              b"\x00", b"\"", b"'", b"*", b"$", b"a\\x41"]
    for _ in range(4000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.7:
            data += b"\r\n" if rng.random() < 0.8 else b"\n"
        if data[:1] == b"*":
            data = b"x" + data
        assert _fed(data) == _slow_only(data), data


def test_a_request_alone_in_its_read_is_marked_with_its_exact_bytes():
    # ReplicationMaster.feed_write forwards ``one_raw`` when ``one is argv``: whenever that holds,
    # the bytes must be the request's canonical encoding; and a lone request is marked
    rng = random.Random(7)
    alphabet = [b"a", b"\r", b"\n", b"\r\n", b"*", b"$", b"0", b"9", b" ", b"\x00"]
    marked = 0
    for _ in range(3000):
        reqs = [[b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6)))
                 for _ in range(rng.randrange(1, 7))] for _ in range(rng.randrange(1, 4))]
        data = b"".join(command(r) for r in reqs)
        parser = RequestParser()
        cuts = sorted(rng.sample(range(1, len(data)), min(rng.randrange(0, 3), len(data) - 1)))
        got = []
        for chunk in (data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)], strict=True)):
            for argv in parser.feed(chunk):
                got.append(argv)
                if parser.one is argv:
                    assert parser.one_raw == command(argv) == chunk
                    marked += 1
        assert got == reqs
    assert marked > 100
    parser = RequestParser()
    argv = parser.feed(b"SET a b\r\n")[0]          # inline: never marked
    assert parser.one is not argv
    first = parser.feed(command([b"SET", b"k", b"v"]))[0]
    assert parser.one is first
    later = parser.feed(command([b"GET", b"k"]) * 2)      # pipelined: the mark stays on the old one
    assert all(parser.one is not argv for argv in later)


def _outcome(parser: RequestParser, data: bytes) -> tuple:
    try:
        return "ok", parser.feed(data)
    except ProtocolError as exc:
        return exc.message, exc.requests


def _slow_outcome(data: bytes) -> tuple:
    """What Redis's reader alone (``_parse_slow``) makes of ``data``."""
    parser = RequestParser()
    parser._buf = bytearray(data)
    out: list = []
    try:
        parser._parse_slow(out)
    except ProtocolError as exc:
        return exc.message, exc.requests
    return "ok", out


def test_hiredis_never_sees_a_big_aggregate_count():
    # hiredis sizes a list (or dict) by an aggregate's count before any element arrives, and
    # dropping it walks every slot: 38 s for a push (">") of 2**31-1. Such reads must go to the
    # slow reader, which allocates nothing from a count and answers as Redis does.
    import re  # noqa: PLC0415

    import hiredis  # noqa: PLC0415

    seen: list[bytes] = []

    class SpyReader(hiredis.Reader):
        def feed(self, data, *args):
            seen.append(bytes(data))
            super().feed(data, *args)

    big = re.compile(rb"[*%~>|]\d{6}")
    ping = encode(b"PING")
    checked = 0
    for mark in b"*%~>|":
        for count in (b"2147483647", b"999999", b"-2147483648", b"+2147483647"):
            header = bytes([mark]) + count + b"\r\n"
            for data in (b"*1\r\n" + header, ping * 3 + b"*2\r\n$3\r\nGET\r\n" + header + ping,
                         ping * 3 + header + ping):
                parser = RequestParser()
                parser._reader = SpyReader()
                seen.clear()
                assert _outcome(parser, data) == _slow_outcome(data), data
                assert not any(big.search(chunk) for chunk in seen), data
                checked += 1
    assert checked == 60
    tr_error(b"*1\r\n>2147483647\r\n", b"ERR Protocol error: expected '$', got '>'")
    tr_error(b"*1\r\n%2147483647\r\n", b"ERR Protocol error: expected '$', got '%'")
