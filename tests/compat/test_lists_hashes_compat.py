"""Lists, hashes and the non-waiting paths of blocking pops, pyredis vs a real redis-server, raw bytes.

Fixed sequences pin every command's replies and error texts under RESP2 and RESP3; a hypothesis
test then runs random sequences of list and hash commands over a few shared keys (so WRONGTYPE,
emptied-and-deleted keys and option errors all occur) and compares every reply. Hashes stay small
with short values, the shape Redis keeps as a listpack, whose order (insertion order) is ours too;
HRANDFIELD is only asked for counts that return the whole hash, the one deterministic case.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient, assert_same


def _resp3(commands: list[list]) -> list[list]:
    return [["HELLO", "3"], *commands]


def _same(server, real_server, commands: list[list]) -> None:
    assert_same(server.port, real_server.port, commands)


def _same_resp3(server, real_server, commands: list[list]) -> None:
    """Like ``_same`` under HELLO 3 (whose reply carries the connection id, so it is skipped)."""
    a, b = RawClient(server.port), RawClient(real_server.port)
    try:
        for c in (a, b):
            c.call("FLUSHALL")
            c.call("HELLO", "3")
        for cmd in commands:
            ours, theirs = a.call(*cmd), b.call(*cmd)
            assert ours == theirs, f"{cmd!r}: pyredis {ours!r} != redis {theirs!r}"
    finally:
        a.close()
        b.close()


# ----- lists
def test_push_and_pop_replies(server, real_server):
    _same(server, real_server, [
        ["LPUSH", "l", "a", "b"], ["RPUSH", "l", "c"], ["LPUSHX", "l", "x"], ["RPUSHX", "l", "y", "z"],
        ["LPUSHX", "nokey", "a"], ["RPUSHX", "nokey", "a"], ["LRANGE", "l", "0", "-1"],
        ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "2"], ["LPOP", "l", "0"],
        ["LPOP", "l", "10"], ["EXISTS", "l"], ["LPOP", "nokey"], ["LPOP", "nokey", "2"], ["LPOP", "nokey", "0"],
        ["RPOP", "nokey", "1"], ["RPUSH", "l", "a"], ["LPOP", "l", "-1"], ["LPOP", "l", "abc"],
        ["LPOP", "l", "01"], ["LPOP", "l", "1", "2"], ["RPUSH", "l"], ["LPUSH"],
    ])


def test_pop_null_forms_under_resp3(server, real_server):
    _same_resp3(server, real_server, [
        ["LPOP", "nokey"], ["LPOP", "nokey", "2"], ["RPOP", "nokey", "0"], ["LINDEX", "nokey", "0"],
        ["RPUSH", "l", "a"], ["LINDEX", "l", "5"], ["LPOS", "l", "z"], ["LMOVE", "nokey", "l", "LEFT", "LEFT"],
        ["LMPOP", "1", "nokey", "LEFT"], ["LMPOP", "2", "nokey", "l", "RIGHT", "COUNT", "5"],
        ["BLPOP", "nokey", "0.01"], ["BLMOVE", "nokey", "l", "LEFT", "LEFT", "0.01"],
    ])


def test_read_commands_and_index_rules(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c", "d", "e"], ["LLEN", "l"], ["LLEN", "nokey"],
        ["LRANGE", "l", "0", "-1"], ["LRANGE", "l", "-100", "100"], ["LRANGE", "l", "3", "1"],
        ["LRANGE", "l", "-2", "-1"], ["LRANGE", "l", "5", "10"], ["LRANGE", "l", "0", "abc"],
        ["LRANGE", "nokey", "0", "-1"], ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "5"],
        ["LINDEX", "l", "-6"], ["LINDEX", "l", "abc"], ["LINDEX", "nokey", "0"],
    ])


def test_lpos_options_and_errors(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"], ["LPOS", "l", "a"], ["LPOS", "l", "a", "RANK", "2"],
        ["LPOS", "l", "a", "RANK", "-1"], ["LPOS", "l", "a", "RANK", "0"], ["LPOS", "l", "a", "RANK", "abc"],
        ["LPOS", "l", "a", "COUNT", "0"], ["LPOS", "l", "a", "COUNT", "-1"], ["LPOS", "l", "a", "COUNT", "2", "RANK", "-2"],
        ["LPOS", "l", "a", "MAXLEN", "3", "COUNT", "0"], ["LPOS", "l", "a", "MAXLEN", "-1"], ["LPOS", "l", "a", "FOO"],
        ["LPOS", "l", "a", "RANK"], ["LPOS", "l", "z"], ["LPOS", "l", "z", "COUNT", "1"], ["LPOS", "nokey", "z"],
        ["LPOS", "nokey", "z", "COUNT", "1"], ["LPOS", "l", "a", "RANK", "-9223372036854775808"],
        ["LPOS", "l", "a", "RANK", "5"], ["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "2"],
        ["LPOS", "l", "b", "RANK", "-1", "COUNT", "0", "MAXLEN", "5"],
    ])


def test_in_place_edits_and_their_errors(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"], ["LSET", "nokey", "0", "x"], ["LSET", "l", "100", "x"],
        ["LSET", "l", "-1", "z"], ["LSET", "l", "abc", "z"], ["LINSERT", "l", "MIDDLE", "a", "z"],
        ["LINSERT", "l", "BEFORE", "zz", "z"], ["LINSERT", "nokey", "BEFORE", "a", "z"],
        ["LINSERT", "l", "AFTER", "a", "q"], ["LINSERT", "l", "before", "c", "p"], ["LRANGE", "l", "0", "-1"],
        ["LREM", "l", "abc", "a"], ["LREM", "l", "-2", "a"], ["LREM", "l", "1", "b"], ["LREM", "l", "0", "c"],
        ["LRANGE", "l", "0", "-1"], ["LTRIM", "l", "1", "-2"], ["LRANGE", "l", "0", "-1"],
        ["LTRIM", "l", "5", "1"], ["EXISTS", "l"], ["LTRIM", "nokey", "0", "1"], ["LTRIM", "l", "a", "1"],
        ["RPUSH", "l", "x", "x"], ["LREM", "l", "0", "x"], ["EXISTS", "l"],
    ])


def test_moves_and_wrong_types(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c"], ["LMOVE", "l", "l", "LEFT", "RIGHT"], ["LRANGE", "l", "0", "-1"],
        ["LMOVE", "l", "m", "RIGHT", "LEFT"], ["RPOPLPUSH", "l", "m"], ["LRANGE", "m", "0", "-1"],
        ["LMOVE", "l", "l", "FOO", "RIGHT"], ["RPOPLPUSH", "nokey", "l"], ["SET", "s", "x"],
        ["LMOVE", "l", "s", "LEFT", "LEFT"], ["LMOVE", "s", "l", "LEFT", "LEFT"], ["LMOVE", "nokey", "s", "LEFT", "LEFT"],
        ["LPUSH", "s", "a"], ["LPUSHX", "s", "a"], ["LLEN", "s"], ["LRANGE", "s", "0", "1"], ["LPOS", "s", "a"],
        ["LSET", "s", "0", "a"], ["LTRIM", "s", "0", "1"], ["LREM", "s", "0", "a"], ["LINSERT", "s", "BEFORE", "a", "b"],
        ["LPOP", "s"], ["LINDEX", "s", "0"], ["RPOPLPUSH", "l", "l"], ["LMOVE", "l", "nl", "LEFT", "RIGHT"],
        ["EXISTS", "l"], ["LRANGE", "nl", "0", "-1"],
    ])


def test_lmpop_parsing_and_replies(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c", "d"], ["SET", "s", "x"], ["LMPOP", "0", "l", "LEFT"], ["LMPOP", "-1", "l", "LEFT"],
        ["LMPOP", "abc", "l", "LEFT"], ["LMPOP", "1", "l", "MIDDLE"], ["LMPOP", "2", "l", "LEFT"],
        ["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"], ["LMPOP", "1", "l", "LEFT", "FOO"],
        ["LMPOP", "1", "l", "LEFT", "COUNT", "0"], ["LMPOP", "1", "l", "LEFT", "COUNT", "abc"],
        ["LMPOP", "1", "s", "LEFT"], ["LMPOP", "2", "nokey", "s", "LEFT"], ["LMPOP", "2", "nokey", "l", "RIGHT", "COUNT", "2"],
        ["LMPOP", "1", "l", "LEFT"], ["LMPOP", "2", "l", "nokey", "LEFT", "COUNT", "10"], ["LMPOP", "1", "l", "LEFT"],
        ["EXISTS", "l"],
    ])


def test_blocking_commands_with_data_or_bad_arguments(server, real_server):
    _same(server, real_server, [
        ["RPUSH", "l", "a", "b", "c", "d", "e"], ["BLPOP", "nokey", "l", "0"], ["BRPOP", "l", "nokey", "0"],
        ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"], ["BRPOPLPUSH", "l", "m", "0"], ["LRANGE", "m", "0", "-1"],
        ["BLMPOP", "0", "2", "nokey", "l", "LEFT", "COUNT", "5"], ["EXISTS", "l"],
        ["BLPOP", "l", "-1"], ["BLPOP", "l", "abc"], ["BLPOP", "l", "nan"], ["BLPOP", "l", "inf"],
        ["BLPOP", "l", "1e30"], ["BLPOP", "l", " 1"], ["BLPOP", "l", ""], ["BLPOP", "l", "-0.002"],
        ["BLMOVE", "l", "m", "MIDDLE", "LEFT", "abc"], ["BLMOVE", "l", "m", "LEFT", "LEFT", "abc"],
        ["BLMPOP", "abc", "0", "l", "LEFT"], ["BLMPOP", "abc", "1", "l", "LEFT"], ["BLMPOP", "abc", "1", "l", "MIDDLE"],
        ["BLMPOP", "-1", "1", "l", "LEFT"], ["BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"],
        ["SET", "s", "x"], ["BLPOP", "nokey", "s", "0"], ["BLMOVE", "s", "m", "LEFT", "LEFT", "0"],
        ["BLMOVE", "m", "s", "LEFT", "LEFT", "0"], ["BLMPOP", "0", "1", "s", "LEFT"],
    ])


def test_blocking_timeouts_reply_null_array(server, real_server):
    _same(server, real_server, [
        ["BLPOP", "nokey", "0.01"], ["BRPOP", "a", "b", "0.001"], ["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"],
        ["BRPOPLPUSH", "nokey", "d", "1e-5"], ["BLMPOP", "0.01", "1", "nokey", "LEFT"],
    ])


def test_blocking_commands_inside_multi_answer_at_once(server, real_server):
    cmds = [["MULTI"], ["BLPOP", "q", "0"], ["BLMOVE", "q", "d", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "q", "d", "0"],
            ["BLMPOP", "0", "1", "q", "LEFT"], ["BRPOP", "q", "0"], ["EXEC"]]
    _same(server, real_server, cmds)
    _same_resp3(server, real_server, cmds)


def test_client_unblock_of_unknown_client_and_errors(server, real_server):
    _same(server, real_server, [
        ["CLIENT", "UNBLOCK", "999999"], ["CLIENT", "UNBLOCK", "999999", "ERROR"], ["CLIENT", "UNBLOCK", "abc"],
        ["CLIENT", "UNBLOCK", "1", "FOO"], ["CLIENT", "UNBLOCK", "1", "TIMEOUT", "X"], ["CLIENT", "UNBLOCK", "-1"],
    ])


# ----- hashes
def test_hash_writes_and_reads(server, real_server):
    _same(server, real_server, [
        ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a"], ["HSET", "h", "a", "1", "b"], ["HMSET", "h", "a", "1"],
        ["HMSET", "h", "a", "1", "b"], ["HSETNX", "h", "a", "5"], ["HSETNX", "h", "c", "5"], ["HGET", "h", "a"],
        ["HGET", "h", "zz"], ["HGET", "nokey", "a"], ["HMGET", "h", "a", "zz", "b"], ["HMGET", "nokey", "a"],
        ["HGETALL", "h"], ["HGETALL", "nokey"], ["HKEYS", "h"], ["HVALS", "h"], ["HKEYS", "nokey"], ["HVALS", "nokey"],
        ["HDEL", "h", "a", "zz"], ["HDEL", "nokey", "a"], ["HEXISTS", "h", "b"], ["HEXISTS", "h", "a"],
        ["HEXISTS", "nokey", "a"], ["HLEN", "h"], ["HLEN", "nokey"], ["HSTRLEN", "h", "b"], ["HSTRLEN", "h", "zz"],
        ["HSTRLEN", "nokey", "a"], ["HSET", "h", "b", "22", "d", "4"], ["HGETALL", "h"],
        ["HDEL", "h", "b", "c", "d", "zz"], ["EXISTS", "h"],
    ])


def test_hash_commands_against_a_string(server, real_server):
    _same(server, real_server, [
        ["SET", "s", "x"], ["HSET", "s", "a", "b"], ["HSETNX", "s", "a", "b"], ["HMSET", "s", "a", "b"],
        ["HGET", "s", "a"], ["HMGET", "s", "a"], ["HGETALL", "s"], ["HDEL", "s", "a"], ["HEXISTS", "s", "a"],
        ["HLEN", "s"], ["HKEYS", "s"], ["HVALS", "s"], ["HINCRBY", "s", "a", "1"], ["HINCRBYFLOAT", "s", "a", "1"],
        ["HSTRLEN", "s", "a"], ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "1"], ["HSCAN", "s", "0"],
    ])


def test_hincrby_and_its_errors(server, real_server):
    _same(server, real_server, [
        ["HINCRBY", "h", "n", "10"], ["HINCRBY", "h", "n", "-3"], ["HINCRBY", "h", "n", "abc"],
        ["HINCRBY", "h", "n", "+1"], ["HINCRBY", "h", "n", "01"], ["HINCRBY", "h", "n", " 1"],
        ["HINCRBY", "h", "m", "9223372036854775807"], ["HINCRBY", "h", "m", "1"],
        ["HINCRBY", "h", "k", "-9223372036854775808"], ["HINCRBY", "h", "k", "-1"],
        ["HSET", "h", "s", "foo", "sp", " 1", "z", "010"], ["HINCRBY", "h", "s", "1"], ["HINCRBY", "h", "sp", "1"],
        ["HINCRBY", "h", "z", "1"], ["HINCRBY", "nokey", "f", "abc"], ["EXISTS", "nokey"], ["HGETALL", "h"],
    ])


def test_hincrbyfloat_formats_like_long_double(server, real_server):
    _same(server, real_server, [
        ["HINCRBYFLOAT", "h", "f", "0.1"], ["HINCRBYFLOAT", "h", "f", "0.2"], ["HINCRBYFLOAT", "h", "f", "abc"],
        ["HINCRBYFLOAT", "h", "f", "inf"], ["HINCRBYFLOAT", "h", "f", "-inf"], ["HINCRBYFLOAT", "h", "f", "nan"],
        ["HINCRBYFLOAT", "h", "g", "100000.1"], ["HINCRBYFLOAT", "h", "g", "1e300"], ["HINCRBYFLOAT", "h", "k", "5.0e3"],
        ["HINCRBYFLOAT", "h", "k", "-5000"], ["HINCRBYFLOAT", "h", "k", "-1e-30"], ["HINCRBYFLOAT", "h", "k", "1e-5000"],
        ["HINCRBYFLOAT", "h", "k", "0x10"], ["HINCRBYFLOAT", "h", "t", "3.0000000000000000001"],
        ["HINCRBYFLOAT", "h", "u", "1e4000"], ["HINCRBYFLOAT", "h", "v", "1.18e4932"],
        ["HINCRBYFLOAT", "h", "v", "1.18e4932"], ["HSET", "h", "s", "foo", "sp", " 1", "p", "+1.5", "d", ".5",
                                                  "e", "5.", "x", "1e", "i", "Infinity", "empty", ""],
        ["HINCRBYFLOAT", "h", "s", "1"], ["HINCRBYFLOAT", "h", "sp", "1"], ["HINCRBYFLOAT", "h", "p", "1"],
        ["HINCRBYFLOAT", "h", "d", "1"], ["HINCRBYFLOAT", "h", "e", "1"], ["HINCRBYFLOAT", "h", "x", "1"],
        ["HINCRBYFLOAT", "h", "i", "1"], ["HINCRBYFLOAT", "h", "empty", "1"], ["HINCRBYFLOAT", "h", "n", "-2.5"],
        ["HINCRBYFLOAT", "h", "n", "2.5"], ["HINCRBYFLOAT", "nokey", "f", "inf"], ["EXISTS", "nokey"],
    ])


def test_hrandfield_deterministic_forms_and_errors(server, real_server):
    _same(server, real_server, [
        ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "2"], ["HRANDFIELD", "nokey", "-2", "WITHVALUES"],
        ["HSET", "h", "a", "1", "b", "2", "c", "3"], ["HRANDFIELD", "h", "0"], ["HRANDFIELD", "h", "3"],
        ["HRANDFIELD", "h", "100", "WITHVALUES"], ["HRANDFIELD", "h", "abc"], ["HRANDFIELD", "h", "1", "FOO"],
        ["HRANDFIELD", "h", "1", "WITHVALUES", "X"], ["HRANDFIELD", "h", "-9223372036854775808"],
        ["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"], ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
        ["HRANDFIELD", "nokey", "4611686018427387903", "WITHVALUES"], ["HDEL", "h", "a", "b"], ["HRANDFIELD", "h"],
        ["HRANDFIELD", "h", "-3"], ["HRANDFIELD", "h", "-2", "WITHVALUES"],
    ])


def test_hash_resp3_shapes(server, real_server):
    _same_resp3(server, real_server, [
        ["HGETALL", "nokey"], ["HMGET", "nokey", "a"], ["HGET", "nokey", "a"], ["HRANDFIELD", "nokey"],
        ["HRANDFIELD", "nokey", "2"], ["HSET", "h", "a", "1", "b", "2"], ["HGETALL", "h"], ["HMGET", "h", "a", "x"],
        ["HRANDFIELD", "h", "5", "WITHVALUES"], ["HRANDFIELD", "h", "5"], ["HSET", "one", "f", "v"],
        ["HRANDFIELD", "one", "-2", "WITHVALUES"],
        ["HINCRBYFLOAT", "h", "a", "1.5"], ["HSCAN", "h", "0"],
    ])


def test_hscan_of_small_hashes_and_errors(server, real_server):
    _same(server, real_server, [
        ["HSET", "h", "a", "1", "b", "2", "sa", "3", "sb", "4"], ["HSCAN", "h", "0"], ["HSCAN", "h", "0", "COUNT", "1"],
        ["HSCAN", "h", "0", "MATCH", "s*"], ["HSCAN", "h", "0", "MATCH", "s*", "COUNT", "2"], ["HSCAN", "h", "abc"],
        ["HSCAN", "h", "0", "COUNT", "0"], ["HSCAN", "h", "0", "MATCH"], ["HSCAN", "h", "0", "FOO", "1"],
        ["HSCAN", "nokey", "0"], ["HSCAN", "nokey", "0", "FOO"],
    ])


# ----- random sequences
_LIST_KEYS = ["l1", "l2", "h1"]
_HASH_KEYS = ["h1", "h2", "l1"]
_VALUES = ["a", "b", "c", "1", "-2", "10"]
_FIELDS = ["f", "g", "n", "x"]
_FLOATS = ["0.1", "-2.5", "1e3", "3", "abc", "1e-20", "inf", "7"]
_INDEXES = ["0", "1", "-1", "2", "-3", "5", "x"]
_WHERE = ["LEFT", "RIGHT", "UP"]

_lkey = st.sampled_from(_LIST_KEYS)
_hkey = st.sampled_from(_HASH_KEYS)
_val = st.sampled_from(_VALUES)
_idx = st.sampled_from(_INDEXES)
_field = st.sampled_from(_FIELDS)

_list_command = st.one_of(
    st.builds(lambda c, k, vs: [c, k, *vs], st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), _lkey,
              st.lists(_val, min_size=1, max_size=3)),
    st.builds(lambda c, k: [c, k], st.sampled_from(["LPOP", "RPOP", "LLEN"]), _lkey),
    st.builds(lambda c, k, n: [c, k, n], st.sampled_from(["LPOP", "RPOP"]), _lkey, st.sampled_from(["0", "1", "3", "-1"])),
    st.builds(lambda k, a, b: ["LRANGE", k, a, b], _lkey, _idx, _idx),
    st.builds(lambda k, a, b: ["LTRIM", k, a, b], _lkey, _idx, _idx),
    st.builds(lambda k, i: ["LINDEX", k, i], _lkey, _idx),
    st.builds(lambda k, i, v: ["LSET", k, i, v], _lkey, _idx, _val),
    st.builds(lambda k, w, p, v: ["LINSERT", k, w, p, v], _lkey, st.sampled_from(["BEFORE", "AFTER", "X"]), _val, _val),
    st.builds(lambda k, n, v: ["LREM", k, n, v], _lkey, st.sampled_from(["0", "1", "-1", "2"]), _val),
    st.builds(lambda k, v, opts: ["LPOS", k, v, *opts], _lkey, _val,
              st.lists(st.sampled_from([["RANK", "1"], ["RANK", "-1"], ["RANK", "2"], ["COUNT", "0"], ["COUNT", "2"],
                                        ["MAXLEN", "2"], ["RANK", "0"]]), max_size=2).map(lambda xs: sum(xs, []))),
    st.builds(lambda s, d, a, b: ["LMOVE", s, d, a, b], _lkey, _lkey, st.sampled_from(_WHERE), st.sampled_from(_WHERE)),
    st.builds(lambda s, d: ["RPOPLPUSH", s, d], _lkey, _lkey),
    st.builds(lambda ks, w, c: ["LMPOP", str(len(ks)), *ks, w, *c], st.lists(_lkey, min_size=1, max_size=2),
              st.sampled_from(_WHERE), st.sampled_from([[], ["COUNT", "2"], ["COUNT", "0"]])),
    st.builds(lambda c, ks: [c, *ks, "0.001"], st.sampled_from(["BLPOP", "BRPOP"]), st.lists(_lkey, min_size=1, max_size=2)),
)

_hash_command = st.one_of(
    st.builds(lambda k, pairs: ["HSET", k, *sum(pairs, [])], _hkey,
              st.lists(st.tuples(_field, _val).map(list), min_size=1, max_size=3)),
    st.builds(lambda k, f, v: ["HSETNX", k, f, v], _hkey, _field, _val),
    st.builds(lambda c, k, f: [c, k, f], st.sampled_from(["HGET", "HEXISTS", "HSTRLEN"]), _hkey, _field),
    st.builds(lambda k, fs: ["HMGET", k, *fs], _hkey, st.lists(_field, min_size=1, max_size=3)),
    st.builds(lambda k, fs: ["HDEL", k, *fs], _hkey, st.lists(_field, min_size=1, max_size=3)),
    st.builds(lambda c, k: [c, k], st.sampled_from(["HGETALL", "HLEN", "HKEYS", "HVALS", "TYPE", "EXISTS"]), _hkey),
    st.builds(lambda k, f, n: ["HINCRBY", k, f, n], _hkey, _field, st.sampled_from(["1", "-5", "x", "100"])),
    st.builds(lambda k, f, n: ["HINCRBYFLOAT", k, f, n], _hkey, _field, st.sampled_from(_FLOATS)),
    st.builds(lambda k, w: ["HRANDFIELD", k, "100", *w], _hkey, st.sampled_from([[], ["WITHVALUES"]])),
    st.builds(lambda k: ["HSCAN", k, "0"], _hkey),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_list_command, min_size=1, max_size=25))
def test_random_list_sequences_match_real_redis(server, real_server, commands):
    _same(server, real_server, commands)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_hash_command, min_size=1, max_size=25))
def test_random_hash_sequences_match_real_redis(server, real_server, commands):
    _same(server, real_server, commands)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_list_command, _hash_command), min_size=1, max_size=25))
def test_random_mixed_sequences_match_real_redis_under_resp3(server, real_server, commands):
    _same_resp3(server, real_server, commands)
