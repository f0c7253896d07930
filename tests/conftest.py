"""Shared fixtures: real server processes, always reaped (see tests/support.py)."""

import pytest

from .support import ServerProcess, have_real_redis


@pytest.fixture
def make_server():
    """A factory: ``make_server(args=[...], real=False)`` starts a server; all are stopped at teardown."""
    started: list[ServerProcess] = []

    def factory(args: list[str] | None = None, real: bool = False, **kwargs) -> ServerProcess:
        if real and not have_real_redis():
            pytest.skip("redis-server is not installed (.ci/run installs it)")
        proc = ServerProcess(args, real=real, **kwargs)
        started.append(proc)
        return proc.start()

    yield factory
    for proc in started:
        proc.cleanup()


@pytest.fixture(scope="module")
def server():
    """One pyredis-server for a test module (tests flush it through ``r``)."""
    proc = ServerProcess(["--enable-debug-command", "yes"]).start()
    yield proc
    proc.cleanup()


@pytest.fixture
def r(server):
    """A redis-py client on the module's pyredis server, with every database emptied first."""
    client = server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="module")
def real_server():
    """One real redis-server for a differential test module."""
    if not have_real_redis():
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    proc = ServerProcess(real=True).start()
    yield proc
    proc.cleanup()
