"""Group ``failover`` (issue 6): SIGKILL of the master → +switch-master → first write through Sentinel.

For Redis (redis-server + redis-sentinel) and pyredis (pyredis servers + ``pyredis.cli.server
sentinel.conf --sentinel``), and for each down-after-milliseconds value (5000, then 1000): a master,
two replicas and three sentinels with quorum 2 (failover-timeout 10000, parallel-syncs 1), each
scenario from fresh processes. Once every sentinel sees two replicas and two other sentinels:

- a subscriber on each sentinel's ``+switch-master`` channel and a redis-py ``Sentinel`` client
  (``master_for``, no retry backoff, 0.5 s timeouts) that has written to the master are ready;
- the master gets SIGKILL; the clock starts just before it;
- the client retries ``SET`` every 10 ms until one succeeds: "first write";
- "+switch-master" is the first message on any sentinel's channel ("all sentinels": the last of the
  three); +sdown and +odown come from the sentinels' logs (earliest line, ms timestamps) for context.
"""

import datetime
import os
import re
import signal
import threading
import time

from common import BenchError, Servers, fmt, ratio, table, wait_until

TITLE = "SIGKILL of the master to +switch-master and to the first write (issue 6)"
FAILOVER_TIMEOUT = 10_000
TARGET_MARGIN = 2.0
WRITE_RETRY = 0.01
LOG_EVENT = re.compile(r"(\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}) [.\-*#] \+(sdown|odown) master mymaster ")


class SwitchWatcher(threading.Thread):
    """Subscribes to one sentinel's +switch-master channel and notes when the first message arrives."""

    def __init__(self, srv) -> None:
        super().__init__(daemon=True)
        self.srv = srv
        self.subscribed = threading.Event()
        self.stopping = threading.Event()
        self.at: float | None = None
        self.message = ""
        self.error: Exception | None = None

    def run(self) -> None:
        import redis  # noqa: PLC0415
        try:
            client = self.srv.client(socket_timeout=5)
            pubsub = client.pubsub()
            pubsub.subscribe("+switch-master")
            while not self.stopping.is_set():
                msg = pubsub.get_message(timeout=0.05)
                if msg is None:
                    continue
                if msg["type"] == "subscribe":
                    self.subscribed.set()
                elif msg["type"] == "message":
                    self.at = time.monotonic()
                    self.message = msg["data"].decode(errors="replace")
                    break
            pubsub.close()
            client.close()
        except (redis.RedisError, OSError) as exc:
            self.error = exc
            self.subscribed.set()


def log_events(sentinels, wall_kill: float) -> dict[str, float]:
    """Seconds from the kill to the earliest +sdown / +odown line in any sentinel's log."""
    first: dict[str, float] = {}
    for srv in sentinels:
        for m in LOG_EVENT.finditer(srv.log_text()):
            try:
                at = datetime.datetime.strptime(m.group(1), "%d %b %Y %H:%M:%S.%f").timestamp()
            except ValueError:
                continue
            if at >= wall_kill - 0.001:
                first[m.group(2)] = min(first.get(m.group(2), float("inf")), at - wall_kill)
    return first


def scenario(kind: str, down_after: int) -> dict[str, float | None]:
    import redis  # noqa: PLC0415
    from redis.backoff import NoBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415
    from redis.sentinel import Sentinel  # noqa: PLC0415

    watchers: list[SwitchWatcher] = []
    with Servers() as servers:
        master = servers.data(kind, f"{kind}-master")
        master.start()
        replicas = [servers.data(kind, f"{kind}-replica{i}", "--replicaof", "127.0.0.1", str(master.port))
                    for i in (1, 2)]
        for r in replicas:
            r.start()
        wait_until(lambda: master.info("replication").get("connected_slaves") == "2"
                   and all(r.info("replication").get("master_link_status") == "up" for r in replicas),
                   60, f"{kind}: two replicas online")
        conf = [f"sentinel monitor mymaster 127.0.0.1 {master.port} 2",
                f"sentinel down-after-milliseconds mymaster {down_after}",
                f"sentinel failover-timeout mymaster {FAILOVER_TIMEOUT}",
                "sentinel parallel-syncs mymaster 1"]
        sentinels = [servers.sentinel(kind, f"{kind}-sentinel{i}", conf) for i in (1, 2, 3)]
        for s in sentinels:
            s.start()

        def settled() -> bool:
            for s in sentinels:
                with s.client(socket_timeout=5) as c:
                    state = c.sentinel_master("mymaster")
                if int(state["num-slaves"]) != 2 or int(state["num-other-sentinels"]) != 2:
                    return False
            return True
        wait_until(settled, 60, f"{kind}: every sentinel to see 2 replicas and 2 other sentinels", interval=0.1)

        no_retry = Retry(NoBackoff(), 0)
        timeouts = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "retry": no_retry}
        sentinel = Sentinel([("127.0.0.1", s.port) for s in sentinels], sentinel_kwargs=dict(timeouts), **timeouts)
        client = sentinel.master_for("mymaster")
        client.set("bench:failover", "before")
        try:
            watchers = [SwitchWatcher(s) for s in sentinels]
            for w in watchers:
                w.start()
            for w in watchers:
                if not w.subscribed.wait(10) or w.error is not None:
                    raise BenchError(f"{kind}: could not subscribe to +switch-master on {w.srv.name}: {w.error}")

            deadline_s = down_after / 1000 + 2 * FAILOVER_TIMEOUT / 1000 + 30
            wall_kill = time.time()
            killed = time.monotonic()
            os.kill(master.pid, signal.SIGKILL)
            deadline = killed + deadline_s
            first_write = None
            while time.monotonic() < deadline:
                try:
                    client.set("bench:failover", "after")
                    first_write = time.monotonic() - killed
                    break
                except (redis.RedisError, OSError):
                    time.sleep(WRITE_RETRY)
            while time.monotonic() < deadline and any(w.at is None for w in watchers):
                time.sleep(0.05)
        finally:
            for w in watchers:
                w.stopping.set()
            for w in watchers:
                w.join(5)
            client.close()
        switched = [w.at - killed for w in watchers if w.at is not None]
        events = log_events(sentinels, wall_kill)
    return {"sdown": events.get("sdown"), "odown": events.get("odown"),
            "switch": min(switched) if switched else None,
            "switch_all": max(switched) if len(switched) == len(watchers) else None,
            "write": first_write}


def run(opts) -> str:
    if opts.down_after:
        values = [int(v) for v in opts.down_after.split(",") if v.strip()]
    else:
        values = [1000] if opts.quick else [5000, 1000]
    rows = []
    for down_after in values:
        res = {kind: scenario(kind, down_after) for kind in ("redis", "pyredis")}
        limit = down_after / 1000 + TARGET_MARGIN
        for kind in ("redis", "pyredis"):
            r = res[kind]
            rows.append([kind, str(down_after), fmt(r["sdown"], ".3f"), fmt(r["odown"], ".3f"),
                         fmt(r["switch"], ".3f"), fmt(r["switch_all"], ".3f"), fmt(r["write"], ".3f"), ""])
        py, real = res["pyredis"], res["redis"]
        ok = all(py[m] is not None and py[m] <= limit for m in ("switch", "write"))
        rows.append(["pyredis/redis", str(down_after), ratio(py["sdown"], real["sdown"]),
                     ratio(py["odown"], real["odown"]), ratio(py["switch"], real["switch"]),
                     ratio(py["switch_all"], real["switch_all"]), ratio(py["write"], real["write"]),
                     f"<= 1.0 and pyredis <= {limit:g} s: {'yes' if ok else 'no'}"])
    return "\n".join([
        "Master + 2 replicas + 3 sentinels (quorum 2), SIGKILL of the master; seconds from the kill "
        "(+sdown/+odown: earliest sentinel log line; +switch-master: first message on any sentinel's "
        "channel, then on all three; first write: a redis-py `Sentinel.master_for` client retrying SET "
        "every 10 ms):", "",
        *table(["servers + sentinels", "down-after (ms)", "+sdown", "+odown", "+switch-master",
                "+switch-master (all 3)", "first write", "target"], rows, align="lrrrrrrl")])
