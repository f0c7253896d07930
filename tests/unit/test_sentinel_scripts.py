"""Sentinel's user scripts without processes: the queue's Redis 7.0 rules (``sentinel/scripts.py``:
256 queued, 16 running, 60 s then SIGKILL, exit 1 or a signal retried up to 10 runs with a delay
doubling from 30 s, anything else final) with a virtual ``now``, and which machine actions ask
for a script: every warning event about an instance names it (the driver runs the master's
notification-script), and ``RunScript`` carries the client-reconfig-script's seven arguments for
the leader at promotion and for an observer that learns the new master from a hello.
"""

from pyredis.sentinel.machine import Event, RunScript
from pyredis.sentinel.scripts import MAX_QUEUE, MAX_RETRY, MAX_RUNNING, ScriptQueue

from .test_sentinel_machine import T0, Cluster, hello, names, new_sentinel

# ---------------------------------------------------------------- the queue


def started(q: ScriptQueue, now: int) -> list:
    jobs = q.due(now)
    for i, job in enumerate(jobs):
        job.pid = 1000 + i
    return jobs


def test_a_scheduled_script_starts_at_the_next_run_with_its_arguments():
    q = ScriptQueue()
    q.schedule("/bin/notify", ["+sdown", "master m 127.0.0.1 6379"])
    (job,) = started(q, T0)
    assert job.argv == ["/bin/notify", "+sdown", "master m 127.0.0.1 6379"]
    assert job.running and job.retry_num == 1 and q.running == 1
    assert q.due(T0 + 1) == []


def test_no_more_than_16_scripts_run_at_once_oldest_first():
    q = ScriptQueue()
    jobs = [q.schedule("/s", [str(i)]) for i in range(MAX_RUNNING + 4)]
    assert started(q, T0) == jobs[:MAX_RUNNING]
    assert q.finished(jobs[0], 0, 0, T0 + 5) is None
    assert started(q, T0 + 6) == [jobs[MAX_RUNNING]]


def test_queue_past_256_drops_the_oldest_script_not_running():
    q = ScriptQueue()
    first = q.schedule("/s", ["0"])
    started(q, T0)
    second = q.schedule("/s", ["1"])
    for i in range(MAX_QUEUE - 1):
        q.schedule("/s", [str(i + 2)])
    assert len(q) == MAX_QUEUE
    assert first in q.jobs and second not in q.jobs


def test_success_removes_the_script():
    q = ScriptQueue()
    q.schedule("/s", [])
    (job,) = started(q, T0)
    assert q.finished(job, 0, 0, T0 + 10) is None
    assert len(q) == 0 and q.running == 0


def test_exit_code_1_is_retried_after_the_retry_delay_doubling():
    q = ScriptQueue()
    q.schedule("/s", [])
    now = T0
    delays = []
    for _ in range(3):
        (job,) = started(q, now)
        assert q.finished(job, 1, 0, now) is None
        delays.append(job.start_time - now)
        assert q.due(job.start_time - 1) == []
        now = job.start_time
    assert delays == [30000, 60000, 120000]


def test_killed_by_a_signal_is_retried():
    q = ScriptQueue()
    q.schedule("/s", [])
    (job,) = started(q, T0)
    assert q.finished(job, 0, 9, T0 + 1) is None
    assert job in q.jobs and not job.running and job.pid == 0


def test_exit_code_2_is_not_retried_and_reports_script_error():
    q = ScriptQueue()
    q.schedule("/s", ["x"])
    (job,) = started(q, T0)
    assert q.finished(job, 2, 0, T0 + 1) == "/s 0 2"
    assert len(q) == 0


def test_tenth_failed_run_is_final():
    q = ScriptQueue()
    q.retry_delay = 1
    q.schedule("/s", [])
    now = T0
    for attempt in range(1, MAX_RETRY + 1):
        (job,) = started(q, now)
        error = q.finished(job, 1, 0, now)
        now += 10 ** 6
        if attempt < MAX_RETRY:
            assert error is None
    assert error == "/s 0 1" and len(q) == 0


def test_a_script_past_max_runtime_is_killed_once():
    q = ScriptQueue()
    q.max_runtime = 1000
    q.schedule("/s", [])
    (job,) = started(q, T0)
    assert q.timed_out(T0 + 1000) == []
    assert q.timed_out(T0 + 1001) == [job]
    assert q.timed_out(T0 + 1100) == []


def test_pending_scripts_entries():
    q = ScriptQueue()
    q.schedule("/s", ["a"])
    q.schedule("/t", ["b"])
    (first, second) = started(q, T0)
    q.finished(second, 1, 0, T0 + 100)
    assert q.pending(T0 + 600) == [
        {"argv": ["/s", "a"], "flags": "running", "pid": 1000, "run-time": 600, "retry-num": 1},
        {"argv": ["/t", "b"], "flags": "scheduled", "pid": 0, "run-delay": 29500, "retry-num": 1}]


# ---------------------------------------------------------------- what the machine asks for


def test_warning_events_name_their_instance_so_the_master_script_runs():
    c = Cluster()
    c.advance(1000)
    c.dead.add(6379)
    c.advance(15000)
    by_name: dict[str, Event] = {}
    for e in c.log:
        by_name.setdefault(e.name, e)
    for name in ("+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
                 "+failover-end", "+switch-master"):
        assert by_name[name].level == "#" and by_name[name].inst is c.master, name
    assert by_name["+selected-slave"].inst.port == 6380
    assert by_name["+promoted-slave"].inst.master is c.master


def test_tilt_events_name_no_instance():
    s, _ = new_sentinel()
    actions = s.tick(T0 + 5000)
    tilt = [a for a in actions if isinstance(a, Event) and a.name == "+tilt"]
    assert tilt and tilt[0].inst is None


class ScriptCluster(Cluster):
    def __init__(self, **kwargs) -> None:
        self.scripts: list[RunScript] = []
        super().__init__(**kwargs)

    def run(self, actions: list) -> None:
        self.scripts += [a for a in actions if isinstance(a, RunScript)]
        super().run(actions)


def test_leader_runs_client_reconfig_script_when_the_promotion_succeeds():
    c = ScriptCluster()
    c.master.client_reconfig_script = "/bin/reconfig"
    c.advance(1000)
    c.dead.add(6379)
    while "+failover-state-reconf-slaves" not in c.names():
        assert not c.scripts
        c.advance(100)
    assert [(r.path, r.args) for r in c.scripts] == [
        ("/bin/reconfig", ["mymaster", "leader", "start", "127.0.0.1", "6379", "127.0.0.1", "6380"])]
    c.advance(15000)
    assert len(c.scripts) == 1          # Redis 7.0 calls it with "start" only


def test_no_client_reconfig_without_a_script():
    c = ScriptCluster()
    c.advance(1000)
    c.dead.add(6379)
    c.advance(15000)
    assert "+switch-master" in c.names() and c.scripts == []


def test_observer_runs_client_reconfig_script_on_a_switch_learnt_from_hello():
    s, master = new_sentinel()
    master.client_reconfig_script = "/bin/reconfig"
    s.add_replica(master, "127.0.0.1", 6380, T0)
    actions = s.hello(hello(mport=6380, mepoch=1), T0)
    assert "+switch-master" in names(actions)
    assert [(a.path, a.args) for a in actions if isinstance(a, RunScript)] == [
        ("/bin/reconfig", ["mymaster", "observer", "start", "127.0.0.1", "6379", "127.0.0.1", "6380"])]
