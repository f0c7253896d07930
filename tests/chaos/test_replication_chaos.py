"""Replication under faults: a bounded write load on the master while links are cut, a replica is
frozen (SIGSTOP) for less and for more than repl-timeout, a replica is killed and restarted, and the
backlog is too small for the gap. Every case ends with every replica equal to the master, key by key,
and INFO stats prove which kind of resync happened (partial whenever the backlog covers the gap)."""

import signal
import threading
import time

import redis

from ..support import wait_for

FAST_SYNC = ["--repl-diskless-sync-delay", "0"]


class WriteLoad:
    """A thread writing INCR/SET/HSET/RPUSH/SADD to the master, at most ``limit`` commands or until
    ``seconds`` have passed. ``done`` counts the commands the master confirmed."""

    def __init__(self, port: int, limit: int = 4000, seconds: float = 15.0) -> None:
        self.port = port
        self.limit = limit
        self.deadline = time.monotonic() + seconds
        self.done = 0
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WriteLoad":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.limit = 0                      # stop early if the test body failed
        self.thread.join(30)

    def _run(self) -> None:
        c = redis.Redis(port=self.port, socket_timeout=10)
        try:
            i = 0
            while i < self.limit and time.monotonic() < self.deadline:
                pipe = c.pipeline(transaction=False)
                for j in range(i, i + 10):
                    kind = j % 5
                    if kind == 0:
                        pipe.incr("counter")
                    elif kind == 1:
                        pipe.set(f"k:{j % 700}", j)
                    elif kind == 2:
                        pipe.hset(f"h:{j % 20}", f"f{j % 50}", j)
                    elif kind == 3:
                        pipe.rpush(f"l:{j % 10}", j)
                    else:
                        pipe.sadd(f"s:{j % 10}", j % 300)
                pipe.execute()
                i += 10
                self.done = i
        except Exception as exc:  # noqa: BLE001 (reported by finish())
            self.error = exc
        finally:
            c.close()

    def wait_progress(self, ops: int) -> None:
        """Wait until ``ops`` more commands went through (how long a fault lasts, in writes)."""
        target = self.done + ops
        wait_for(lambda: self.done >= target or not self.thread.is_alive(), 20, message=f"{ops} more writes")

    def finish(self) -> int:
        self.thread.join(60)
        assert not self.thread.is_alive(), "write load did not finish"
        assert self.error is None, self.error
        return self.done


def dataset(client) -> dict:
    out = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            val = client.get(key)
        elif kind == b"list":
            val = tuple(client.lrange(key, 0, -1))
        elif kind == b"hash":
            val = tuple(sorted(client.hgetall(key).items()))
        elif kind == b"set":
            val = tuple(sorted(client.smembers(key)))
        else:
            val = kind
        out[key] = (kind, val)
    return out


def link_up(server) -> bool:
    return server.client().info("replication").get("master_link_status") == "up"


def converged(master, *replicas, timeout: float = 30) -> None:
    """Every replica linked, at the master's offset, and holding exactly the master's data."""
    m = master.client()

    def same_offset() -> bool:
        off = m.info("replication")["master_repl_offset"]
        return all(link_up(r) and r.client().info("replication")["master_repl_offset"] == off for r in replicas)

    wait_for(same_offset, timeout, message="replicas at the master's offset")
    want = dataset(m)
    assert want, "the load wrote nothing"
    for r in replicas:
        got = dataset(r.client())
        assert got == want, f"replica {r.port} differs: {len(got)} keys vs {len(want)}"


def sync_stats(master) -> tuple[int, int, int]:
    s = master.client().info("stats")
    return s["sync_full"], s["sync_partial_ok"], s["sync_partial_err"]


def setup(make_server, master_args=(), replica_args=(), replicas=2):
    master = make_server([*FAST_SYNC, *master_args])
    reps = [make_server(["--replicaof", "127.0.0.1", str(master.port), *replica_args]) for _ in range(replicas)]
    for r in reps:
        wait_for(lambda r=r: link_up(r), 30, message="replica linked")
    return master, reps


def test_cut_links_under_load_resume_partially(make_server):
    master, (r1, r2) = setup(make_server)
    assert sync_stats(master) == (2, 0, 0)
    with WriteLoad(master.port) as load:
        for _ in range(3):
            load.wait_progress(300)
            wait_for(lambda: link_up(r1), 20, message="r1 linked before its link is cut")
            assert r1.client().execute_command("CLIENT", "KILL", "TYPE", "master") == 1
            load.wait_progress(300)
            wait_for(lambda: link_up(r2), 20, message="r2 linked before the master cuts its replicas")
            assert master.client().execute_command("CLIENT", "KILL", "TYPE", "replica") >= 1
        load.finish()
    converged(master, r1, r2)
    full, partial_ok, partial_err = sync_stats(master)
    assert full == 2, "no full resync: the backlog covered every gap"
    assert partial_ok >= 6
    assert partial_err == 0


def test_replica_frozen_shorter_than_repl_timeout_keeps_its_link(make_server):
    master, (r1, r2) = setup(make_server)
    with WriteLoad(master.port) as load:
        load.wait_progress(200)
        r1.kill(signal.SIGSTOP)
        try:
            load.wait_progress(800)
        finally:
            r1.kill(signal.SIGCONT)
        load.finish()
    converged(master, r1, r2)
    assert sync_stats(master) == (2, 0, 0), "a short freeze needs no resync at all"


def test_replica_frozen_longer_than_repl_timeout_resyncs_partially(make_server):
    master, (r1, r2) = setup(make_server, ["--repl-timeout", "2"], ["--repl-timeout", "2"])
    with WriteLoad(master.port) as load:
        load.wait_progress(200)
        r1.kill(signal.SIGSTOP)
        try:
            wait_for(lambda: "Disconnecting timedout replica" in master.log(), 15,
                     message="master dropped the frozen replica")
        finally:
            r1.kill(signal.SIGCONT)
        load.finish()
    converged(master, r1, r2)
    full, partial_ok, partial_err = sync_stats(master)
    assert full == 2
    assert partial_ok >= 1
    assert partial_err == 0


def test_replica_killed_and_restarted_on_the_same_port_full_syncs_once(make_server):
    master, (r1, r2) = setup(make_server)
    with WriteLoad(master.port) as load:
        load.wait_progress(300)
        r1.kill(signal.SIGKILL)
        r1.proc.wait(10)
        load.wait_progress(300)
        r1.start()
        load.finish()
    converged(master, r1, r2)
    full, partial_ok, partial_err = sync_stats(master)
    assert full == 3, "the restarted replica lost its cached master (no RDB): exactly one more full sync"
    assert partial_err == 0
    assert r2.client().info("replication")["master_link_status"] == "up"


def test_backlog_too_small_for_the_gap_falls_back_to_full_sync(make_server):
    master, (r1,) = setup(make_server, ["--repl-backlog-size", "16kb"], replicas=1)
    m = master.client()
    m.set("seed", "1")
    converged(master, r1)
    # freeze the replica and cut its link first, so the burst is only in the master's backlog
    r1.kill(signal.SIGSTOP)
    try:
        assert m.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        pipe = m.pipeline(transaction=False)
        for i in range(2000):                   # ~100 KB of stream: far more than the backlog
            pipe.set(f"burst:{i}", "x" * 20)
        pipe.execute()
    finally:
        r1.kill(signal.SIGCONT)
    converged(master, r1)
    full, partial_ok, partial_err = sync_stats(master)
    assert partial_err == 1, "the replica asked to continue but the backlog no longer held its offset"
    assert full == 2
    assert partial_ok == 0
    assert "for lack of backlog" in master.log()
