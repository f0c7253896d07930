"""The asyncio edge of a sentinel: links to the watched instances, timers, the config file.

The ``Sentinel`` machine decides; this runner only carries out its actions — opening a command
link and a pub/sub link per master and replica (one command link per peer sentinel), sending
what it asks, handing replies, hello messages and vote requests back — and serves clients on
its own port through a ``Node`` whose command table is Sentinel's (SENTINEL, INFO, PING,
SUBSCRIBE, PUBLISH of hellos, ROLE, CLIENT, SHUTDOWN, AUTH, HELLO, COMMAND).

It also runs the user scripts (``scripts.py`` decides what runs when): each as an asyncio
subprocess, so the loop never waits for one; a script's end, exit code or signal is reported back
to the queue, and those past their time are sent SIGKILL. Names are resolved here too: the machine
gets a resolver (``getaddrinfo``, as Redis's ``anetResolve``, with a short cache), and a link to an
instance known by name re-resolves it, without blocking, before it connects.
"""

import asyncio
import os
import random
import signal
import socket
import time

from ..config import Config
from ..node.log import Logger
from ..protocol.client import ReplyError, RespLink
from . import config as sconfig
from .machine import HELLO_CHANNEL, Event, Forget, Log, Persist, Reconnect, RunScript, Send, Sentinel, is_ip
from .machine import ReplyError as MachineReplyError
from .model import Instance
from .scripts import ScriptJob, ScriptQueue

TICK_SECONDS = 0.1
LEVELS = {"#": 3, "*": 2, "-": 1, ".": 0}
RESOLVE_CACHE_SECONDS = 1.0


class Resolver:
    """``host -> IP`` for the machine ("" when it does not resolve): the first address
    getaddrinfo gives, as Redis's anetResolve. A blocking call, like Redis's; answers are kept a
    second so the INFO and hello processing of one tick asks the system once per name."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[float, str]] = {}

    def __call__(self, host: str) -> str:
        now = time.monotonic()
        hit = self.cache.get(host)
        if hit is not None and now - hit[0] < RESOLVE_CACHE_SECONDS:
            return hit[1]
        try:
            ip = str(socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][4][0])
        except (OSError, UnicodeError, IndexError):
            ip = ""
        if len(self.cache) > 1024:
            self.cache.clear()
        self.cache[host] = (now, ip)
        return ip


class InstanceLinks:
    __slots__ = ("cmd", "pubsub", "connecting_cmd", "connecting_pubsub", "retry_at")

    def __init__(self) -> None:
        self.cmd: RespLink | None = None
        self.pubsub: RespLink | None = None
        self.connecting_cmd = False
        self.connecting_pubsub = False
        self.retry_at = 0.0


class SentinelRunner:
    def __init__(self, node, config: Config, machine: Sentinel, options: dict[str, str]) -> None:
        self.node = node
        self.config = config
        self.machine = machine
        self.options = options
        self.links: dict[int, InstanceLinks] = {}
        self.loop = node.loop
        self.scripts = ScriptQueue()

    def now(self) -> int:
        return self.node.clock.monotonic_ms()

    # ----- actions
    def perform(self, actions: list) -> None:
        for action in actions:
            if isinstance(action, Send):
                links = self.links.get(id(action.inst))
                link = links.cmd if links is not None else None
                if link is not None and link.connected:
                    link.send(action.argv, action.tag)
                else:
                    action.inst.pending_commands = max(0, action.inst.pending_commands - 1)
                    if action.tag == "info":
                        action.inst.info_pending = False
            elif isinstance(action, Event):
                self.event(action)
            elif isinstance(action, Log):
                self.node.log.log(LEVELS[action.level], action.text)
            elif isinstance(action, Persist):
                self.flush_config()
            elif isinstance(action, Reconnect):
                self.drop_links(action.inst)
            elif isinstance(action, Forget):
                self.drop_links(action.inst, forget=True)
            elif isinstance(action, RunScript):
                self.scripts.schedule(action.path, action.args)

    def event(self, ev: Event) -> None:
        """Log, publish (all but debug events) and, for a warning about an instance, run its
        master's notification-script with ``<event-type> <event-description>`` (sentinelEvent)."""
        level = LEVELS[ev.level]
        self.node.log.log(level, f"{ev.name} {ev.text}")
        if level > 0:
            from ..commands.pubsub import publish  # noqa: PLC0415
            publish(self.node, ev.name.encode(), ev.text.encode())
        if ev.level == "#" and ev.inst is not None:
            master = ev.inst if ev.inst.kind == "master" else ev.inst.master
            if master is not None and master.notification_script:
                self.scripts.schedule(master.notification_script, [ev.name, ev.text])

    # ----- scripts (sentinelRunPendingScripts, sentinelCollectTerminatedScripts, sentinelKillTimedoutScripts)
    def run_scripts(self) -> None:
        now = self.now()
        for job in self.scripts.due(now):
            self.loop.create_task(self._run_script(job))
        for job in self.scripts.timed_out(now):
            self.event(Event("#", "-script-timeout", f"{job.argv[0]} {job.pid}"))
            try:
                os.kill(job.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def _run_script(self, job: ScriptJob) -> None:
        try:
            proc = await asyncio.create_subprocess_exec(*job.argv, stdin=asyncio.subprocess.DEVNULL)
        except OSError:
            # what a failed execve does in Redis's child: exit 2, "don't retry"
            exitcode, bysignal, pid = 2, 0, 0
        else:
            job.pid = pid = proc.pid
            self.event(Event(".", "+script-child", str(pid)))
            returncode = await proc.wait()
            exitcode, bysignal = (returncode, 0) if returncode >= 0 else (0, -returncode)
            self.event(Event(".", "-script-child", f"{pid} {exitcode} {bysignal}"))
        error = self.scripts.finished(job, exitcode, bysignal, self.now())
        if error is not None:
            self.event(Event("#", "-script-error", error))

    def flush_config(self) -> None:
        path = self.config.config_file
        if not path:
            return
        try:
            sconfig.rewrite(path, self.machine, self.options)
        except OSError as exc:
            self.node.log.warning(f"Sentinel: could not rewrite the configuration file {path}: {exc}")

    # ----- links
    def ensure_links(self) -> None:
        now = self.loop.time()
        for inst in self.machine.all_instances():
            links = self.links.setdefault(id(inst), InstanceLinks())
            if now < links.retry_at:
                continue
            if (links.cmd is None or links.cmd.closed) and not links.connecting_cmd:
                links.connecting_cmd = True
                self.loop.create_task(self._connect(inst, links, pubsub=False))
            if inst.kind != "sentinel" and (links.pubsub is None or links.pubsub.closed) and not links.connecting_pubsub:
                links.connecting_pubsub = True
                self.loop.create_task(self._connect(inst, links, pubsub=True))

    async def _connect(self, inst: Instance, links: InstanceLinks, pubsub: bool) -> None:
        def on_reply(tag: str, reply: object) -> None:
            # the runner's own AUTH/SETNAME/SUBSCRIBE replies are not the machine's business
            if pubsub or tag in ("auth", "setname") or self.links.get(id(inst)) is not links:
                return
            if isinstance(reply, ReplyError):
                reply = MachineReplyError(reply)
            self.perform(self.machine.reply(inst, tag, reply, self.now()))

        def on_message(channel: bytes, payload: bytes) -> None:
            if channel == HELLO_CHANNEL and self.links.get(id(inst)) is links:
                self.perform(self.machine.hello(payload.decode(errors="replace"), self.now()))

        def on_lost() -> None:
            if self.links.get(id(inst)) is not links:
                return
            if pubsub:
                links.pubsub = None
            else:
                links.cmd = None
            self.perform(self.machine.link_down(inst, self.now(), pubsub=pubsub))

        link = RespLink(on_reply=on_reply, on_message=on_message, on_lost=on_lost)
        # an instance known by name is resolved again before its command link connects: it may
        # have been down when first resolved, or come back with another IP (sentinelReconnectInstance)
        if not pubsub and self.machine.resolve_hostnames and not is_ip(inst.hostname):
            ip = await self._resolve(inst.hostname)
            if ip:
                inst.ip = ip
        # like Redis, links leave from bind-source-addr when it is set (partitions by address need it)
        source = str(self.config["bind-source-addr"] or "")
        local_addr = (source, 0) if source else None
        try:
            if not inst.ip:
                raise OSError("the instance's name does not resolve")
            await asyncio.wait_for(self.loop.create_connection(lambda: link, inst.ip, inst.port,
                                                               local_addr=local_addr), 2.0)
        except (TimeoutError, OSError):
            links.retry_at = self.loop.time() + 0.5
            if pubsub:
                links.connecting_pubsub = False
            else:
                links.connecting_cmd = False
            return
        if pubsub:
            links.connecting_pubsub = False
        else:
            links.connecting_cmd = False
        if self.links.get(id(inst)) is not links:
            link.close()
            return
        master = inst if inst.kind == "master" else inst.master
        if inst.kind != "sentinel" and master is not None and master.auth_pass:
            argv = [b"AUTH", master.auth_user.encode(), master.auth_pass.encode()] if master.auth_user else \
                [b"AUTH", master.auth_pass.encode()]
            link.send(argv, "auth")
        name = f"sentinel-{self.machine.myid[:8]}-{'pubsub' if pubsub else 'cmd'}".encode()
        link.send([b"CLIENT", b"SETNAME", name], "setname")
        if pubsub:
            links.pubsub = link
            link.subscribed = True
            link.send([b"SUBSCRIBE", HELLO_CHANNEL], "subscribe")
            self.perform(self.machine.link_up(inst, self.now(), pubsub=True))
        else:
            links.cmd = link
            ip = link.local_ip()
            if ip and inst.kind == "master":
                self.machine.local_ip = ip
            self.perform(self.machine.link_up(inst, self.now()))

    async def _resolve(self, host: str) -> str:
        try:
            infos = await self.loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return ""
        return str(infos[0][4][0]) if infos else ""

    def drop_links(self, inst: Instance, forget: bool = False) -> None:
        links = self.links.pop(id(inst), None) if forget else self.links.get(id(inst))
        if links is None:
            return
        for link in (links.cmd, links.pubsub):
            if link is not None:
                link.close()
        if not forget:
            links.cmd = links.pubsub = None
            self.perform(self.machine.link_down(inst, self.now()))
            self.perform(self.machine.link_down(inst, self.now(), pubsub=True))

    # ----- the timer
    async def run(self) -> None:
        while not self.node.stopping:
            self.ensure_links()
            self.perform(self.machine.tick(self.now()))
            self.run_scripts()
            await asyncio.sleep(TICK_SECONDS * (0.8 + 0.4 * random.random()))


def run(config: Config) -> int:
    """``pyredis-server sentinel.conf --sentinel``: start a sentinel."""
    import sys  # noqa: PLC0415

    from .. import REDIS_VERSION  # noqa: PLC0415
    if not config.config_file:
        sys.stderr.write("Sentinel needs config file on disk to save state.  Exiting...\n")
        return 1
    if not os.access(config.config_file, os.W_OK):
        sys.stderr.write(f"Sentinel config file {config.config_file} is not writable: Permission denied. Exiting...\n")
        return 1
    if "port" not in config.seen:
        config.values["port"] = 26379
    config.values["protected-mode"] = False if "protected-mode" not in config.seen else config.values["protected-mode"]
    log = Logger(str(config["loglevel"]), str(config["logfile"]), role="X")
    log.warning("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    log.warning(f"Redis version={REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid={os.getpid()}, "
                "just started")
    log.warning("Configuration loaded")
    directory = str(config["dir"])
    if directory:
        os.chdir(directory)
    try:
        import uvloop  # noqa: PLC0415
        uvloop.install()
    except ImportError:
        pass
    from ..commands import sentinel as sentinel_commands  # noqa: PLC0415
    from ..node.server import Node  # noqa: PLC0415
    sentinel_commands.restrict_table()
    node = Node(config, log=log)
    node.mode = "sentinel"
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    node.loop = loop
    rng = random.Random()
    machine = Sentinel(f"{rng.getrandbits(160):040x}", int(config["port"]), rng=rng,  # type: ignore[arg-type]
                       resolver=Resolver())
    try:
        options = sconfig.apply_lines(machine, config.sentinel_lines, node.clock.monotonic_ms())
    except sconfig.SentinelConfigError as exc:
        from ..config import fatal_report  # noqa: PLC0415
        sys.stderr.write(fatal_report(0, "sentinel", str(exc)))
        return 1
    machine.announce_ip = options.get("announce-ip", "")
    machine.announce_port = int(options.get("announce-port", "0") or 0)
    runner = SentinelRunner(node, config, machine, options)
    node.sentinel = runner
    loop.run_until_complete(node.start())
    node.install_signal_handlers()
    log.notice(f"Running mode=sentinel, port={config['port']}.")
    runner.flush_config()
    log.warning(f"Sentinel ID is {machine.myid}")
    for master in machine.masters.values():
        runner.event(Event("#", "+monitor", f"{machine.at(master)} quorum {master.quorum}", master))
    loop.create_task(runner.run())
    try:
        loop.run_forever()
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
    return node.exit_code
