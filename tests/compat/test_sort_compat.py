"""SORT / SORT_RO against a real redis-server: the same commands, raw replies compared."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import RawClient, assert_same

SETUP = [
    ["RPUSH", "l", "3", "1", "2", "10", "-5", "2.5"],
    ["RPUSH", "la", "b", "a", "c", "10", "2"],
    ["SADD", "s", "5", "3", "9", "1"],
    ["SADD", "sa", "x", "b", "a"],
    ["ZADD", "z", "1", "c", "2", "a", "3", "b"],
    ["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_-5", "1", "w_2.5", "7"],
    ["HSET", "h_1", "f", "3"], ["HSET", "h_2", "f", "1"], ["HSET", "h_3", "f", "2"],
    ["SET", "str", "x"],
]

CASES = [
    ["SORT", "l"], ["SORT", "l", "DESC"], ["SORT", "l", "LIMIT", "1", "2"], ["SORT", "l", "LIMIT", "-1", "2"],
    ["SORT", "l", "LIMIT", "2", "-1"], ["SORT", "l", "LIMIT", "100", "2"], ["SORT", "la"], ["SORT", "la", "ALPHA"],
    ["SORT", "la", "ALPHA", "DESC", "LIMIT", "0", "3"], ["SORT", "s"], ["SORT", "sa", "ALPHA"], ["SORT", "z"],
    ["SORT", "z", "BY", "nosort"], ["SORT", "z", "BY", "nosort", "DESC"], ["SORT", "z", "BY", "nosort", "LIMIT", "1", "1"],
    ["SORT", "l", "BY", "nosort"], ["SORT", "l", "BY", "nosort", "DESC"], ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "nokey"], ["SORT", "l", "BY", "h_*->f"],
    ["SORT", "l", "BY", "w_*", "GET", "h_*->f"], ["SORT", "l", "GET", "w_"], ["SORT", "sa", "BY", "nosort", "STORE", "d1"],
    ["LRANGE", "d1", "0", "-1"], ["SORT", "l", "STORE", "d2"], ["LRANGE", "d2", "0", "-1"], ["SORT", "nokey"],
    ["SORT", "nokey", "STORE", "d2"], ["EXISTS", "d2"], ["SORT", "str"], ["SORT", "l", "foo"], ["SORT", "l", "LIMIT", "a", "b"],
    ["SORT", "l", "LIMIT", "1"], ["SORT_RO", "l", "STORE", "x"], ["SORT_RO", "l", "DESC", "LIMIT", "0", "2"],
    ["SORT", "l", "GET", "#", "GET", "w_*", "STORE", "d3"], ["LRANGE", "d3", "0", "-1"],
    ["SORT", "la", "BY", "w_*", "ALPHA"], ["COMMAND", "GETKEYS", "SORT", "l", "LIMIT", "0", "1", "STORE", "dst"],
    ["COMMAND", "INFO", "SORT", "SORT_RO"],
]


def test_sort_cases_match_redis(server, real_server):
    assert_same(server.port, real_server.port, SETUP + CASES)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.integers(-50, 50), min_size=0, max_size=12),
       desc=st.booleans(), offset=st.integers(-2, 8), count=st.integers(-1, 8), alpha=st.booleans())
def test_random_numeric_lists_sort_like_redis(server, real_server, values, desc, offset, count, alpha):
    cmds = [["DEL", "r"]]
    if values:
        cmds.append(["RPUSH", "r", *[str(v) for v in values]])
    sort = ["SORT", "r", "LIMIT", str(offset), str(count)] + (["DESC"] if desc else []) + (["ALPHA"] if alpha else [])
    cmds.append(sort)
    assert_same(server.port, real_server.port, cmds, reset=False)


@pytest.fixture(autouse=True)
def _clean(server, real_server):
    for port in (server.port, real_server.port):
        c = RawClient(port)
        c.call("FLUSHALL")
        c.close()
