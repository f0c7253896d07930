"""A deterministic simulator for the Sentinel state machine (``pyredis.sentinel.machine``).

N ``Sentinel`` machines, a few fake Redis instances and a simulated network run on a virtual
clock (milliseconds). The simulator plays the asyncio runner's part exactly as
``sentinel/runner.py`` does — it opens a command and a pub/sub link per master/replica and a
command link per peer sentinel, turns ``Send`` actions into messages, hands replies back through
``reply``, hello messages through ``hello``, ``SENTINEL is-master-down-by-addr`` through the
target's ``vote_request`` (performing its actions, ``Persist`` included, before the reply leaves),
and calls ``link_up``/``link_down`` as links come and go. ``Persist`` snapshots the state through
``sentinel.config.render``; a restarted sentinel is rebuilt from that snapshot with
``config.apply_lines``, as the real process is from its rewritten sentinel.conf.

Links behave like TCP: messages on one connection arrive in order; messages that cannot pass a
partition wait and are delivered after the heal; "loss" resets the connection (both ends see it
close); a crashed process closes all its connections. Every random choice comes from one seeded
``random.Random``, so a seed replays the same run.

The fake Redis is just enough for Sentinel: PING, INFO (role, run_id, slaveN lines, master
host/port/link status, link-down time, offsets, priority), MULTI/SLAVEOF/CONFIG REWRITE/CLIENT
KILL/EXEC, PUBLISH to the hello channel, and a replication link that comes up some time after
it is configured and its master is reachable.

``Invariants`` checks safety after every step and raises ``InvariantError`` carrying the seed and
the last events.
"""

import heapq
import random
from collections import deque

from pyredis.sentinel import config as sconfig
from pyredis.sentinel.machine import (
    HELLO_CHANNEL,
    Event,
    Forget,
    Log,
    Persist,
    Reconnect,
    ReplyError,
    Send,
    Sentinel,
)

MASTER_NAME = "mymaster"


def render_config(machine: Sentinel) -> list[str]:
    """What a Persist writes: the sentinel lines of ``config.render`` (which names the promoted
    replica as the master once it accepted its role, as Redis's rewriteConfigSentinelOption)."""
    return sconfig.render(machine, {})


class InvariantError(AssertionError):
    pass


# ---------------------------------------------------------------- the network

class Conn:
    """One TCP connection from a sentinel (``host``) to a node, for one monitored instance.
    Each direction is a FIFO queue (index 0: towards the node, 1: back to the sentinel)."""

    __slots__ = ("id", "host", "inst", "node", "pubsub", "alive", "multi", "queues", "last_at", "pumping")

    def __init__(self, cid: int, host: "SentinelHost", inst, node: "Node", pubsub: bool) -> None:
        self.id = cid
        self.host = host
        self.inst = inst
        self.node = node
        self.pubsub = pubsub
        self.alive = True
        self.multi: list | None = None
        self.queues: tuple[deque, deque] = (deque(), deque())
        self.last_at = [0, 0]
        self.pumping = [False, False]


class Network:
    def __init__(self, sim: "Sim", max_delay: int, jitter: int, loss: float) -> None:
        self.sim = sim
        self.max_delay = max_delay
        self.jitter = jitter
        self.loss = loss
        self.base: dict[tuple[str, str], int] = {}
        self.group: dict[str, int] = {}        # node name -> partition side (absent: side 0)
        self.blocked: list[tuple[Conn, int]] = []   # queues waiting for a heal

    def reachable(self, a: str, b: str) -> bool:
        return self.group.get(a, 0) == self.group.get(b, 0)

    def delay(self, a: str, b: str) -> int:
        key = (a, b) if a < b else (b, a)
        base = self.base.get(key)
        if base is None:
            base = self.base[key] = self.sim.rng.randint(1, self.max_delay)
        return base + int(self.sim.rng.random() * (self.jitter + 1))

    def transmit(self, conn: Conn, to_node: bool, fn, *args) -> None:
        """Send one message on ``conn``; ``fn(*args)`` runs at the receiver on arrival, after
        everything sent before it in the same direction (a partition holds the queue)."""
        if not conn.alive:
            return
        if self.loss and self.sim.rng.random() < self.loss:
            self.sim.reset_conn(conn, "loss")
            return
        d = 0 if to_node else 1
        at = max(self.sim.now + self.delay(conn.host.name, conn.node.name), conn.last_at[d])
        conn.last_at[d] = at
        conn.queues[d].append((at, fn, args))
        if not conn.pumping[d]:
            conn.pumping[d] = True
            self.sim.at(at, self._pump, conn, d)

    def _pump(self, conn: Conn, d: int) -> None:
        conn.pumping[d] = False
        queue = conn.queues[d]
        now = self.sim.now
        while conn.alive and queue and queue[0][0] <= now:
            if not self.reachable(conn.host.name, conn.node.name):
                self.blocked.append((conn, d))
                return
            _, fn, args = queue.popleft()
            fn(*args)
        if conn.alive and queue:
            conn.pumping[d] = True
            self.sim.at(queue[0][0], self._pump, conn, d)

    def partition(self, sides: list[list[str]]) -> None:
        self.group = {name: i + 1 for i, side in enumerate(sides) for name in side}
        self._unblock()

    def heal(self) -> None:
        self.group = {}
        self._unblock()

    def _unblock(self) -> None:
        blocked, self.blocked = self.blocked, []
        for conn, d in blocked:
            if conn.alive and not conn.pumping[d]:
                conn.pumping[d] = True
                self.sim.at(self.sim.now, self._pump, conn, d)


# ---------------------------------------------------------------- nodes

class Node:
    def __init__(self, sim: "Sim", name: str, ip: str, port: int) -> None:
        self.sim = sim
        self.name = name
        self.ip = ip
        self.port = port
        self.up = True
        self.conns: set[Conn] = set()

    def close_all(self) -> None:
        for conn in list(self.conns):
            self.sim.reset_conn(conn, "closed")


class RedisNode(Node):
    """A fake Redis master or replica."""

    def __init__(self, sim: "Sim", name: str, ip: str, port: int, priority: int = 100) -> None:
        super().__init__(sim, name, ip, port)
        self.run_id = sim.new_runid()
        self.role = "master"
        self.master_addr: tuple[str, int] | None = None
        self.link_up = False
        self.link_down_since = 0
        self.sync_at = 0
        self.offset = 0
        self.priority = priority
        self.subscribers: set[Conn] = set()
        self.paused = False
        self.backlog: list[tuple[Conn, list[bytes], str]] = []

    # replication, stepped by the simulator every 100 ms
    def step(self, now: int) -> None:
        if not self.up or self.paused:
            return
        if self.role == "master":
            self.offset += int(self.sim.rng.random() * 50)
            return
        target = self.sim.redis_by_addr.get(self.master_addr) if self.master_addr else None
        ok = (target is not None and target is not self and target.up and not target.paused
              and self.sim.net.reachable(self.name, target.name))
        if ok:
            if not self.link_up:
                if not self.sync_at:
                    self.sync_at = now + self.sim.rng.randint(50, 800)
                elif now >= self.sync_at:
                    self.link_up = True
                    self.sync_at = 0
            if self.link_up:
                self.offset = max(0, target.offset - int(self.sim.rng.random() * 30))
        elif self.link_up or self.sync_at:
            self.link_up = False
            self.sync_at = 0
            self.link_down_since = now

    def replicate(self, addr: tuple[str, int] | None, now: int) -> None:
        if addr is None:
            if self.role == "slave":
                self.role = "master"
                self.master_addr = None
                self.link_up = False
                self.sync_at = 0
            return
        if self.role == "slave" and self.master_addr == addr:
            return
        self.role = "slave"
        self.master_addr = addr
        self.link_up = False
        self.sync_at = 0
        self.link_down_since = now

    def info(self, now: int) -> bytes:
        lines = ["# Server", f"run_id:{self.run_id}", f"tcp_port:{self.port}", "", "# Replication",
                 f"role:{self.role}"]
        if self.role == "master":
            replicas = [r for r in self.sim.redis if r.up and r.role == "slave"
                        and r.master_addr == (self.ip, self.port) and (r.link_up or r.sync_at)]
            lines.append(f"connected_slaves:{len(replicas)}")
            for i, r in enumerate(replicas):
                state = "online" if r.link_up else "wait_bgsave"
                lines.append(f"slave{i}:ip={r.ip},port={r.port},state={state},offset={r.offset},lag=0")
        else:
            assert self.master_addr is not None
            lines += [f"master_host:{self.master_addr[0]}", f"master_port:{self.master_addr[1]}",
                      f"master_link_status:{'up' if self.link_up else 'down'}",
                      "master_last_io_seconds_ago:0", "master_sync_in_progress:0",
                      f"slave_read_repl_offset:{self.offset}", f"slave_repl_offset:{self.offset}"]
            if not self.link_up:
                lines.append(f"master_link_down_since_seconds:{(now - self.link_down_since) // 1000}")
            lines += [f"slave_priority:{self.priority}", "slave_read_only:1", "replica_announced:1",
                      "connected_slaves:0"]
        lines.append(f"master_repl_offset:{self.offset}")
        return ("\r\n".join(lines) + "\r\n").encode()

    def execute(self, conn: Conn, argv: list[bytes]) -> object:
        cmd = argv[0].upper()
        now = self.sim.now
        if conn.multi is not None and cmd not in (b"EXEC", b"MULTI"):
            conn.multi.append(argv)
            return b"QUEUED"
        if cmd == b"MULTI":
            conn.multi = []
            return b"OK"
        if cmd == b"EXEC":
            queued, conn.multi = conn.multi or [], None
            return [self.execute(conn, q) for q in queued]
        if cmd == b"PING":
            return b"PONG"
        if cmd == b"INFO":
            return self.info(now)
        if cmd in (b"SLAVEOF", b"REPLICAOF"):
            if argv[1].upper() == b"NO":
                self.sim.on_slaveof_noone(conn, self)
                self.replicate(None, now)
            else:
                self.replicate((argv[1].decode(), int(argv[2])), now)
            return b"OK"
        if cmd == b"CONFIG":
            return b"OK"
        if cmd == b"CLIENT":           # CLIENT KILL TYPE normal|pubsub (skipping the caller)
            pubsub = argv[3].lower() == b"pubsub"
            victims = [c for c in self.conns if c.pubsub == pubsub and c is not conn]
            for c in victims:
                self.sim.reset_conn(c, "client-kill")
            return len(victims)
        if cmd == b"PUBLISH":
            if argv[1] == HELLO_CHANNEL:
                for sub in list(self.subscribers):
                    self.sim.net.transmit(sub, False, sub.host.on_message, sub, argv[2])
            return len(self.subscribers)
        return ReplyError("ERR unknown command")

    def crash(self) -> None:
        self.up = False
        self.paused = False
        self.backlog = []
        self.close_all()
        self.link_up = False
        self.sync_at = 0

    def restart(self, now: int) -> None:
        self.up = True
        self.run_id = self.sim.new_runid()
        self.link_up = False
        self.sync_at = 0
        self.link_down_since = now


class SentinelHost(Node):
    """A sentinel process: its machine plus the runner's link bookkeeping."""

    def __init__(self, sim: "Sim", name: str, ip: str, port: int, myid: str) -> None:
        super().__init__(sim, name, ip, port)
        self.myid = myid
        self.machine: Sentinel | None = None
        self.links: dict = {}                  # Instance -> [cmd, pubsub, connecting_cmd, connecting_pub, retry_at]
        self.persisted: list[str] = []
        self.generation = 0

    # ---- process life
    def start(self, lines: list[str]) -> None:
        machine = Sentinel(self.myid, self.port, rng=random.Random(self.sim.rng.random()))
        machine.local_ip = self.ip
        sconfig.apply_lines(machine, [line.split()[1:] for line in lines if line.startswith("sentinel ")],
                            self.sim.now)
        self.machine = machine
        self.up = True
        self.links = {}
        self.persisted = render_config(machine)
        self.generation += 1
        self.sim.at(self.sim.now + self.sim.rng.randint(1, 100), self.tick, self.generation)

    def crash(self) -> None:
        self.up = False
        self.machine = None
        self.generation += 1
        for links in self.links.values():
            for conn in links[:2]:
                if conn is not None:
                    self.sim.reset_conn(conn, "closed", notify=False)
        self.links = {}
        self.close_all()

    # ---- the runner's timer
    def tick(self, generation: int) -> None:
        if generation != self.generation or self.machine is None:
            return
        self.ensure_links()
        self.perform(self.machine.tick(self.sim.now))
        # the runner sleeps 100 ms x (0.8 .. 1.2): desynchronised sentinels
        self.sim.at(self.sim.now + 80 + int(self.sim.rng.random() * 41), self.tick, generation)

    def ensure_links(self) -> None:
        assert self.machine is not None
        now = self.sim.now
        for inst in self.machine.all_instances():
            links = self.links.get(inst)
            if links is None:
                links = self.links[inst] = [None, None, False, False, 0]
            if now < links[4]:
                continue
            if links[0] is None and not links[2]:
                links[2] = True
                self.connect(inst, links, False)
            if inst.kind != "sentinel" and links[1] is None and not links[3]:
                links[3] = True
                self.connect(inst, links, True)

    def connect(self, inst, links: list, pubsub: bool) -> None:
        sim = self.sim
        node = sim.node_by_addr.get((inst.ip, inst.port))
        if node is None or not node.up:
            sim.at(sim.now + 1, self._connect_failed, links, pubsub, self.generation)
        elif not sim.net.reachable(self.name, node.name):
            sim.at(sim.now + 2000, self._connect_failed, links, pubsub, self.generation)
        else:
            sim.at(sim.now + 2 * sim.net.delay(self.name, node.name), self._connected, inst, links, pubsub,
                   node, self.generation)

    def _connect_failed(self, links: list, pubsub: bool, generation: int) -> None:
        if generation != self.generation:
            return
        links[4] = self.sim.now + 500
        links[3 if pubsub else 2] = False

    def _connected(self, inst, links: list, pubsub: bool, node: Node, generation: int) -> None:
        if generation != self.generation:
            return
        if not node.up or not self.sim.net.reachable(self.name, node.name):
            self._connect_failed(links, pubsub, generation)
            return
        links[3 if pubsub else 2] = False
        if self.links.get(inst) is not links:
            return
        conn = Conn(self.sim.next_id(), self, inst, node, pubsub)
        node.conns.add(conn)
        assert self.machine is not None
        if pubsub:
            links[1] = conn
            assert isinstance(node, RedisNode)
            node.subscribers.add(conn)
            self.perform(self.machine.link_up(inst, self.sim.now, pubsub=True))
        else:
            links[0] = conn
            self.perform(self.machine.link_up(inst, self.sim.now))

    def drop_links(self, inst, forget: bool = False) -> None:
        links = self.links.pop(inst, None) if forget else self.links.get(inst)
        if links is None:
            return
        for conn in links[:2]:
            if conn is not None:
                self.sim.reset_conn(conn, "dropped", notify=False)
        if not forget:
            links[0] = links[1] = None
            assert self.machine is not None
            self.perform(self.machine.link_down(inst, self.sim.now))
            self.perform(self.machine.link_down(inst, self.sim.now, pubsub=True))

    def on_lost(self, conn: Conn) -> None:
        links = self.links.get(conn.inst)
        if links is None or self.machine is None:
            return
        slot = 1 if conn.pubsub else 0
        if links[slot] is not conn:
            return
        links[slot] = None
        self.perform(self.machine.link_down(conn.inst, self.sim.now, pubsub=conn.pubsub))

    # ---- actions
    def perform(self, actions: list) -> None:
        sim = self.sim
        if self.machine is not None:
            sim.inv.check_epochs(self)
        for action in actions:
            if self.machine is None:
                return
            kind = type(action)
            if kind is Send:
                links = self.links.get(action.inst)
                conn = links[0] if links is not None else None
                if conn is not None and conn.alive:
                    sim.net.transmit(conn, True, sim.deliver_request, conn, action.argv, action.tag)
                else:
                    action.inst.pending_commands = max(0, action.inst.pending_commands - 1)
                    if action.tag == "info":
                        action.inst.info_pending = False
            elif kind is Event:
                sim.on_event(self, action)
            elif kind is Persist:
                self.persisted = render_config(self.machine)
            elif kind is Reconnect:
                self.drop_links(action.inst)
            elif kind is Forget:
                self.drop_links(action.inst, forget=True)
            elif kind is Log:
                pass

    def on_reply(self, conn: Conn, tag: str, reply: object) -> None:
        if self.machine is None or self.links.get(conn.inst, (None,))[0] is not conn:
            return
        self.perform(self.machine.reply(conn.inst, tag, reply, self.sim.now))

    def on_message(self, conn: Conn, payload: bytes) -> None:
        if self.machine is None or self.links.get(conn.inst, (None, None))[1] is not conn:
            return
        self.perform(self.machine.hello(payload.decode(errors="replace"), self.sim.now))

    # ---- serving peers (this sentinel as the target of a link)
    def execute(self, conn: Conn, argv: list[bytes]) -> object:
        machine = self.machine
        assert machine is not None
        cmd = argv[0].upper()
        now = self.sim.now
        if cmd == b"PING":
            return b"PONG"
        if cmd == b"PUBLISH":
            if argv[1] != HELLO_CHANNEL:
                return ReplyError("ERR Only HELLO messages are accepted by Sentinel instances.")
            self.perform(machine.hello(argv[2].decode(errors="replace"), now))
            return 1
        if cmd == b"SENTINEL" and argv[1].lower() == b"is-master-down-by-addr":
            (down, leader, epoch), actions = machine.vote_request(
                argv[2].decode(), int(argv[3]), int(argv[4]), argv[5].decode(), now)
            self.perform(actions)          # a vote is persisted before the reply leaves
            return [down, leader.encode(), epoch]
        return ReplyError("ERR unknown command")


# ---------------------------------------------------------------- the simulation

class Sim:
    def __init__(self, seed: int, sentinels: int = 3, replicas: int = 2, quorum: int = 2,
                 down_after: int = 1000, failover_timeout: int = 6000, parallel_syncs: int = 1,
                 max_delay: int = 5, jitter: int = 3, loss: float = 0.0, preseed: bool = True,
                 priorities: list[int] | None = None, trace_len: int = 80) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = 0
        self._queue: list = []
        self._seq = 0
        self._ids = 0
        self.trace: deque[str] = deque(maxlen=trace_len)
        self.net = Network(self, max_delay, jitter, loss)
        self.quorum = quorum
        self.redis: list[RedisNode] = []
        for i in range(replicas + 1):
            prio = priorities[i] if priorities else 100
            self.redis.append(RedisNode(self, f"redis{i}", f"10.0.1.{i + 1}", 6379, prio))
        self.redis_by_addr = {(r.ip, r.port): r for r in self.redis}
        master = self.redis[0]
        for r in self.redis[1:]:
            r.replicate((master.ip, master.port), 0)
        self.sentinels = [SentinelHost(self, f"sentinel{i}", f"10.0.2.{i + 1}", 26379, f"{i + 1:x}" * 40)
                          for i in range(sentinels)]
        self.node_by_addr: dict[tuple[str, int], Node] = dict(self.redis_by_addr)
        self.node_by_addr.update({(s.ip, s.port): s for s in self.sentinels})
        self.nodes: dict[str, Node] = {n.name: n for n in (*self.redis, *self.sentinels)}
        self.inv = Invariants(self)
        for s in self.sentinels:
            lines = [f"sentinel myid {s.myid}", f"sentinel monitor {MASTER_NAME} {master.ip} {master.port} {quorum}",
                     f"sentinel down-after-milliseconds {MASTER_NAME} {down_after}",
                     f"sentinel failover-timeout {MASTER_NAME} {failover_timeout}",
                     f"sentinel parallel-syncs {MASTER_NAME} {parallel_syncs}"]
            if preseed:
                lines += [f"sentinel known-sentinel {MASTER_NAME} {o.ip} {o.port} {o.myid}"
                          for o in self.sentinels if o is not s]
            s.start(lines)
        self.at(100, self._redis_step)

    # ---- plumbing
    def new_runid(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def at(self, when: int, fn, *args) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (when, self._seq, fn, args))

    def log(self, text: str) -> None:
        self.trace.append(f"{self.now:>7} {text}")

    def _redis_step(self) -> None:
        for r in self.redis:
            r.step(self.now)
        self.at(self.now + 100, self._redis_step)

    def run_until(self, until: int) -> None:
        queue = self._queue
        while queue and queue[0][0] <= until:
            when, _, fn, args = heapq.heappop(queue)
            self.now = when
            fn(*args)
        self.now = until

    def run_for(self, ms: int) -> None:
        self.run_until(self.now + ms)

    def deliver_request(self, conn: Conn, argv: list[bytes], tag: str) -> None:
        node = conn.node
        if not node.up:
            return
        if isinstance(node, RedisNode) and node.paused:
            node.backlog.append((conn, argv, tag))
            return
        reply = node.execute(conn, argv)
        if conn.alive:
            self.net.transmit(conn, False, conn.host.on_reply, conn, tag, reply)

    def reset_conn(self, conn: Conn, why: str, notify: bool = True) -> None:
        """Close a connection; the sentinel end learns it after a network delay (RST/FIN)."""
        if not conn.alive:
            return
        conn.alive = False
        conn.node.conns.discard(conn)
        if isinstance(conn.node, RedisNode):
            conn.node.subscribers.discard(conn)
        if notify:
            host = conn.host
            self.at(self.now + self.net.delay(host.name, conn.node.name), host.on_lost, conn)

    # ---- faults
    def crash(self, name: str) -> None:
        node = self.nodes[name]
        if not node.up:
            return
        self.log(f"!! crash {name}")
        node.crash()

    def restart(self, name: str) -> None:
        node = self.nodes[name]
        if node.up:
            return
        self.log(f"!! restart {name}")
        if isinstance(node, SentinelHost):
            node.start(node.persisted)
            self.inv.restarted(node)
        else:
            assert isinstance(node, RedisNode)
            node.restart(self.now)

    def pause(self, name: str) -> None:
        """SIGSTOP a Redis node: it accepts connections, answers nothing until ``resume``."""
        node = self.nodes[name]
        if isinstance(node, RedisNode) and node.up and not node.paused:
            self.log(f"!! pause {name}")
            node.paused = True

    def resume(self, name: str) -> None:
        node = self.nodes[name]
        if isinstance(node, RedisNode) and node.paused:
            self.log(f"!! resume {name}")
            node.paused = False
            backlog, node.backlog = node.backlog, []
            for conn, argv, tag in backlog:
                if conn.alive:
                    self.deliver_request(conn, argv, tag)

    def partition(self, sides: list[list[str]]) -> None:
        self.log(f"!! partition {sides}")
        self.net.partition(sides)

    def heal(self) -> None:
        self.log("!! heal")
        self.net.heal()

    # ---- observations
    def on_event(self, host: SentinelHost, ev: Event) -> None:
        if ev.level != "-":
            self.log(f"{host.name} {ev.name} {ev.text}")
        self.inv.on_event(host, ev)

    def on_slaveof_noone(self, conn: Conn, node: RedisNode) -> None:
        self.log(f"{node.name} <- SLAVEOF NO ONE from {conn.host.name}")
        self.inv.on_slaveof_noone(conn.host, node)

    def live_sentinels(self) -> list[SentinelHost]:
        return [s for s in self.sentinels if s.machine is not None]

    def master_addresses(self, hosts: list[SentinelHost] | None = None) -> dict[str, tuple[str, int]]:
        out = {}
        for s in hosts if hosts is not None else self.live_sentinels():
            if s.machine is not None:
                out[s.name] = Sentinel.current_master_address(s.machine.masters[MASTER_NAME])
        return out

    def converged(self, hosts: list[SentinelHost] | None = None, replicas_follow: bool = False) -> bool:
        """Every given sentinel names the same master, which is up and a master; optionally every
        other live Redis replicates from it with its link up."""
        addrs = set(self.master_addresses(hosts).values())
        if len(addrs) != 1:
            return False
        addr = addrs.pop()
        node = self.redis_by_addr.get(addr)
        if node is None or not node.up or node.paused or node.role != "master":
            return False
        if replicas_follow:
            for r in self.redis:
                if r is node or not r.up:
                    continue
                if r.role != "slave" or r.master_addr != addr or not r.link_up:
                    return False
        return True

    def run_until_converged(self, limit: int, hosts: list[SentinelHost] | None = None,
                            replicas_follow: bool = False, step: int = 500) -> int | None:
        """Run until ``converged``; returns the virtual time it took, or None past ``limit``."""
        start = self.now
        while self.now - start <= limit:
            if self.converged(hosts, replicas_follow):
                return self.now - start
            self.run_for(step)
        return None

    def fail(self, message: str) -> None:
        trace = "\n".join(self.trace)
        raise InvariantError(f"seed={self.seed} t={self.now}: {message}\nlast events:\n{trace}")


# ---------------------------------------------------------------- invariants

class Invariants:
    """Safety properties, checked as events happen and after every simulation step:

    * one vote per sentinel per epoch, across restarts (votes are persisted before replying);
    * at most one sentinel elected per epoch, and only with a majority of all sentinels and at
      least the quorum of real votes for that epoch;
    * a replica is told SLAVEOF NO ONE only by a sentinel that was elected;
    * current epochs and config epochs never go back, restarts included (checked after every
      step of every machine).
    """

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.votes: dict[tuple[str, int], str] = {}        # (voter runid, epoch) -> voted runid
        self.elected: dict[int, str] = {}                   # epoch -> elected runid
        self.elected_ever: set[str] = set()
        self.epochs: dict[str, tuple[int, int]] = {}        # sentinel name -> (current, config) seen
        self.switches = 0
        self.elections = 0

    def on_event(self, host: SentinelHost, ev: Event) -> None:
        sim = self.sim
        machine = host.machine
        assert machine is not None
        if ev.name == "+vote-for-leader":
            runid, epoch_s = ev.text.split()
            key = (host.myid, int(epoch_s))
            prev = self.votes.setdefault(key, runid)
            if prev != runid:
                sim.fail(f"{host.name} voted twice in epoch {epoch_s}: {prev[:8]} then {runid[:8]}")
        elif ev.name == "+elected-leader":
            self.elections += 1
            master = machine.masters[MASTER_NAME]
            epoch, failover_epoch = machine.current_epoch, master.failover_epoch
            other = self.elected.setdefault(epoch, host.myid)
            if other != host.myid:
                sim.fail(f"two leaders in epoch {epoch}: {other[:8]} and {host.myid[:8]}")
            # real support: peers' votes in the counted epoch, plus our own vote in the failover epoch
            support = sum(1 for s in sim.sentinels if s is not host and self.votes.get((s.myid, epoch)) == host.myid)
            if self.votes.get((host.myid, failover_epoch)) == host.myid:
                support += 1
            needed = max(len(sim.sentinels) // 2 + 1, master.quorum)
            if support < needed:
                sim.fail(f"{host.name} elected in epoch {epoch} with {support} real votes, needs {needed}")
            self.elected_ever.add(host.myid)
        elif ev.name == "+odown":
            counted, quorum = ev.text.rsplit("#quorum ", 1)[1].split("/")
            if int(counted) < int(quorum):
                sim.fail(f"{host.name} +odown without quorum: {ev.text}")
        elif ev.name == "+switch-master":
            self.switches += 1

    def on_slaveof_noone(self, host: SentinelHost, node: RedisNode) -> None:
        if host.myid not in self.elected_ever:
            self.sim.fail(f"{host.name} promoted {node.name} without being elected")

    def restarted(self, host: SentinelHost) -> None:
        self.check_epochs(host, restarted=True)

    def check_epochs(self, host: SentinelHost, restarted: bool = False) -> None:
        """Called with every batch of actions a machine returns, i.e. after each of its steps."""
        machine = host.machine
        assert machine is not None
        cur = machine.current_epoch
        cfg = machine.masters[MASTER_NAME].config_epoch
        seen = self.epochs.get(host.name)
        if seen is not None and (cur < seen[0] or cfg < seen[1]):
            how = "after a restart" if restarted else ""
            self.sim.fail(f"{host.name} epochs went back {how}: current {seen[0]}->{cur}, config {seen[1]}->{cfg}")
        self.epochs[host.name] = (cur, cfg)
