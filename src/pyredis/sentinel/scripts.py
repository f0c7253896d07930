"""The queue of user scripts a sentinel runs: notification-script and client-reconfig-script.

Redis 7.0's rules (sentinel.c, "script execution"), kept here without any I/O so they can be
tested with a virtual ``now``; the runner starts and kills the processes and reports back:

- at most ``MAX_QUEUE`` (256) jobs: past it the oldest job that is not running is dropped;
- at most ``MAX_RUNNING`` (16) at once, oldest first; a job waiting for a retry is skipped until
  its time comes;
- a job running longer than ``max_runtime`` (60 s) is killed with SIGKILL (``-script-timeout``);
- exit code 1 or death by a signal means "retry": up to ``MAX_RETRY`` (10) runs, the n-th retry
  waiting ``retry_delay`` (30 s) doubled n-1 times; any other non-zero exit (2 is "don't retry",
  and what an exec that failed reports) or the last failed try ends it with ``-script-error``.

``max_runtime`` and ``retry_delay`` are what SENTINEL DEBUG script-max-runtime/-retry-delay set.
"""

from dataclasses import dataclass

MAX_QUEUE = 256
MAX_RUNNING = 16
MAX_RUNTIME = 60000
MAX_RETRY = 10
RETRY_DELAY = 30000


@dataclass(eq=False)
class ScriptJob:
    argv: list[str]                 # the script's path, then its arguments
    running: bool = False
    retry_num: int = 0              # how many times it was started
    start_time: int = 0             # running: when it started; waiting: not before this (0: now)
    pid: int = 0
    kill_sent: bool = False


class ScriptQueue:
    def __init__(self) -> None:
        self.jobs: list[ScriptJob] = []
        self.running = 0
        self.max_runtime = MAX_RUNTIME
        self.retry_delay = RETRY_DELAY

    def __len__(self) -> int:
        return len(self.jobs)

    def schedule(self, path: str, args: list[str]) -> ScriptJob:
        job = ScriptJob([path, *args])
        self.jobs.append(job)
        if len(self.jobs) > MAX_QUEUE:
            oldest = next((j for j in self.jobs if not j.running), None)
            if oldest is not None:
                self.jobs.remove(oldest)
        return job

    def due(self, now: int) -> list[ScriptJob]:
        """Jobs to start now (oldest first, within the running limit), marked as running."""
        started = []
        for job in self.jobs:
            if self.running >= MAX_RUNNING:
                break
            if job.running or (job.start_time and job.start_time > now):
                continue
            job.running = True
            job.kill_sent = False
            job.start_time = now
            job.retry_num += 1
            self.running += 1
            started.append(job)
        return started

    def retry_delay_for(self, retry_num: int) -> int:
        """30 s, 60 s, 2 min, ... before the 2nd, 3rd, 4th run (sentinelScriptRetryDelay)."""
        return self.retry_delay * 2 ** max(retry_num - 1, 0)

    def finished(self, job: ScriptJob, exitcode: int, signal: int, now: int) -> str | None:
        """A job's process ended; returns the ``-script-error`` text when it ends badly for good."""
        if not job.running:
            return None
        self.running -= 1
        job.running = False
        job.pid = 0
        if (signal or exitcode == 1) and job.retry_num != MAX_RETRY:
            job.start_time = now + self.retry_delay_for(job.retry_num)
            return None
        if job in self.jobs:
            self.jobs.remove(job)
        if signal or exitcode:
            return f"{job.argv[0]} {signal} {exitcode}"
        return None

    def timed_out(self, now: int) -> list[ScriptJob]:
        """Running jobs past ``max_runtime`` that were not sent SIGKILL yet (they get it now)."""
        late = []
        for job in self.jobs:
            if job.running and job.pid and not job.kill_sent and now - job.start_time > self.max_runtime:
                job.kill_sent = True
                late.append(job)
        return late

    def pending(self, now: int) -> list[dict[str, object]]:
        """SENTINEL PENDING-SCRIPTS: argv, flags, pid, run-time or run-delay, retry-num."""
        out: list[dict[str, object]] = []
        for job in self.jobs:
            entry: dict[str, object] = {"argv": job.argv, "flags": "running" if job.running else "scheduled",
                                        "pid": job.pid}
            if job.running:
                entry["run-time"] = now - job.start_time
            else:
                entry["run-delay"] = max(job.start_time - now, 0) if job.start_time else 0
            entry["retry-num"] = job.retry_num
            out.append(entry)
        return out
