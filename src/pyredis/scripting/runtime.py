"""The scripting engine of a node: Lua states, the script cache, running a script, and the
conversions between Redis replies and Lua values.

One ``Scripting`` object per node (``node.scripting``). It owns two Lua 5.1 states, as Redis does:
the EVAL state (reset by SCRIPT FLUSH) and the FUNCTION state (reset when the libraries are
flushed). A script runs synchronously inside the handler of EVAL/FCALL; ``redis.call`` runs the
command through ``dispatch.call`` on one fake client (``ScriptClient``) that shares the caller's
database and user, exactly as Redis's Lua client does, so commandstats, keyspace events, WATCH,
MONITOR ("lua" origin) and propagation work unchanged. The script is wrapped in
``node.begin_transaction``/``end_transaction``: the effects of a script that performed more
than one write reach replicas and the AOF as MULTI/EXEC (Redis 7 always replicates effects).

Conversions are Redis's (``script_lua.c``): a command's reply is parsed from the RESP bytes the
handler produced (integer → number, bulk → string, null → false, array → table, status →
``{ok=}``, error → ``{err=}``, and under ``redis.setresp(3)`` map → ``{map=}``, set → ``{set=}``,
double → ``{double=}``, null → nil, booleans); the script's result becomes the reply (number →
integer truncated like a C cast, table → array stopping at the first nil, ``{ok=}``, ``{err=}``,
true → 1, false → null, RESP3 shapes when the caller speaks RESP3).

Time limit: a Lua count hook calls ``busy_check`` every 100000 instructions. Past
``busy-reply-threshold`` (``lua-time-limit``) the script is "timed out": ``busy.serve`` then reads
other clients' sockets directly (the event loop is blocked by the running script), answers
-BUSY, and runs the ``allow_busy`` commands (SCRIPT KILL, FUNCTION KILL/STATS, SHUTDOWN
NOSAVE...). A kill makes the hook raise "Script killed by user with SCRIPT KILL..." on every
following line, so ``pcall`` cannot swallow it.
"""

import hashlib
import math
import time

from lupa import lua51

from .. import REDIS_VERSION
from ..commands import dispatch
from ..commands.registry import DENYOOM, NOSCRIPT, TABLE, WRITE
from ..node.connection import ClientConnection
from ..protocol import resp
from . import libs
from .lua_boot import BOOT

lua_type = lua51.lua_type

LLONG_MIN = -(1 << 63)
LLONG_MAX = (1 << 63) - 1
HOOK_COUNT = 100000
LOAD_TIMEOUT_MS = 500

SCRIPT_KILLED_MSG = b"Script killed by user with SCRIPT KILL..."
LOAD_TIMEOUT_MSG = b"FUNCTION LOAD timeout"

# script flags (shebang / register_function), in Redis's order for FUNCTION LIST
FLAG_NO_WRITES = 1
FLAG_ALLOW_OOM = 2
FLAG_ALLOW_STALE = 4
FLAG_NO_CLUSTER = 8
FLAG_ALLOW_CROSS_SLOT = 16
FLAG_EVAL_COMPAT = 32
SCRIPT_FLAGS = [(b"no-writes", FLAG_NO_WRITES), (b"allow-oom", FLAG_ALLOW_OOM),
                (b"allow-stale", FLAG_ALLOW_STALE), (b"no-cluster", FLAG_NO_CLUSTER),
                (b"allow-cross-slot-keys", FLAG_ALLOW_CROSS_SLOT)]
SCRIPT_FLAG_BY_NAME = dict(SCRIPT_FLAGS)


def sha1hex(data: bytes) -> bytes:
    return hashlib.sha1(data).hexdigest().encode()


def version_num() -> int:
    major, minor, patch = (int(x) for x in REDIS_VERSION.split("."))
    return (major << 16) | (minor << 8) | patch


class ScriptClient(ClientConnection):
    """The client ``redis.call`` runs commands as (Redis's ``lctx.lua_client``)."""

    def __init__(self, node) -> None:
        super().__init__(node)
        self.is_script = True
        self.deny_blocking = True
        self.authenticated = True
        self.name = b""
        self.addr = "lua"


class Run:
    """What Redis keeps in ``scriptRunCtx`` for the script being executed."""

    __slots__ = ("caller", "funcname", "eval_mode", "readonly", "flags", "wrote", "resp", "repl", "start",
                 "timed_out", "killed", "shutdown", "argv", "loading")

    def __init__(self, caller, funcname: bytes, eval_mode: bool, readonly: bool, flags: int,
                 argv: list[bytes]) -> None:
        self.caller = caller
        self.funcname = funcname
        self.eval_mode = eval_mode
        self.readonly = readonly
        self.flags = flags
        self.wrote = False
        self.resp = 2
        self.repl = True
        self.start = time.monotonic()
        self.timed_out = False
        self.killed = False
        self.shutdown = False
        self.argv = argv
        self.loading = False

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)


class ScriptCallError(Exception):
    """A ``redis.call`` refused before execution (unknown command, arity, noscript, read-only...)."""

    def __init__(self, message: bytes) -> None:
        super().__init__(message)
        self.message = message


class LuaRaise(Exception):
    """Raised by a Python callable to fail in Lua with ``value`` (a message or an ``{err=}`` table)."""

    def __init__(self, value) -> None:
        super().__init__("lua error")
        self.value = value


def _unwrap(e):
    return e.value if isinstance(e, LuaRaise) else None


class LuaState:
    """One Lua 5.1 interpreter with Redis's sandbox, API and libraries."""

    def __init__(self, scripting: "Scripting", function_mode: bool) -> None:
        self.scripting = scripting
        lua = lua51.LuaRuntime(encoding=None, unpack_returned_tuples=True, register_eval=False,
                               register_builtins=False)
        self.lua = lua
        self.table_from = lua.table_from
        self.new_table = lua.table
        self.cjson = libs.CJson(self)
        self.cmsgpack = libs.CMsgpack(self)
        g = self._guard
        api = lua.table_from({
            b"call": self.api_call,
            b"pcall": self.api_pcall,
            b"sha1hex": g(self.api_sha1hex),
            b"error_reply": g(self.api_error_reply),
            b"status_reply": g(self.api_status_reply),
            b"log": g(self.api_log),
            b"setresp": g(self.api_setresp),
            b"set_repl": g(self.api_set_repl),
            b"replicate_commands": lambda *a: True,
            b"breakpoint": lambda *a: False,
            b"debug": lambda *a: None,
            b"acl_check_cmd": g(scripting.lua_acl_check_cmd),
            b"busy_check": scripting.busy_check,
            b"unwrap": _unwrap,
            b"random": g(scripting.lua_random),
            b"randomseed": g(scripting.lua_randomseed),
            b"register_function": g(scripting.functions.lua_register_function),
            b"version": REDIS_VERSION.encode(),
            b"version_num": version_num(),
            b"cjson": lua.table_from({b"encode": g(self.cjson.encode), b"decode": g(self.cjson.decode)}),
            b"cmsgpack": lua.table_from({b"pack": g(self.cmsgpack.pack), b"unpack": g(self.cmsgpack.unpack),
                                         b"unpack_one": g(self.cmsgpack.unpack_one),
                                         b"unpack_limit": g(self.cmsgpack.unpack_limit)}),
            b"bit": lua.table_from({k.encode(): g(f) for k, f in libs.BIT_FUNCTIONS.items()}),
            b"struct": lua.table_from({k.encode(): g(f) for k, f in libs.STRUCT_FUNCTIONS.items()}),
        })
        internals = lua.execute(BOOT, api, function_mode)
        self.G = internals[b"G"]
        self.null = internals[b"null"]
        self.hook_on = internals[b"hook_on"]
        self.hook_off = internals[b"hook_off"]
        self.compile = internals[b"compile"]
        self.run_eval = internals[b"run_eval"]
        self.run_function = internals[b"run_function"]
        self.where = internals[b"where"]
        self._is_null = internals[b"is_null"]
        self.is_function = internals[b"is_function"]
        self.new_env = internals[b"new_env"]
        self.activate_env = internals[b"activate_env"]
        self.load_library = internals[b"load_library"]

    def _guard(self, fn):
        """Wrap a Python API/library function: ``LibError`` fails in Lua with the message prefixed by
        the caller's position (``luaL_error``), ``ScriptCallError`` with an ``{err=...}`` table."""
        def guarded(*args):
            try:
                return fn(*args)
            except libs.LibError as exc:
                raise LuaRaise(_as_bytes(self.where()) + exc.message) from None
            except ScriptCallError as exc:
                raise LuaRaise(self.err_table(exc.message)) from None
        return guarded

    # ----- redis.* implemented here (they need this state's tables)
    def api_call(self, *args):
        failed, value = self.scripting.lua_call(self, args)
        if failed:
            raise LuaRaise(value)
        return value

    def api_pcall(self, *args):
        return self.scripting.lua_call(self, args)[1]

    def api_sha1hex(self, *args):
        if len(args) != 1:
            raise ScriptCallError(b"wrong number of arguments")
        s = args[0]
        if type(s) is int or type(s) is float:
            s = libs.lua_number_text(s)
        return sha1hex(s if type(s) is bytes else b"")

    def api_error_reply(self, *args):
        if len(args) != 1 or type(args[0]) is not bytes:
            return self.err_table(b"wrong number or type of arguments")
        e = args[0]
        return self.err_table(e if e[:1] == b"-" else b"-" + e)

    def api_status_reply(self, *args):
        if len(args) != 1 or type(args[0]) is not bytes:
            return self.err_table(b"wrong number or type of arguments")
        return self.table_from({b"ok": args[0]})

    def api_log(self, *args):
        if len(args) < 2:
            raise ScriptCallError(b"redis.log() requires two arguments or more.")
        level = _lua_tonumber(args[0])
        if level is None:
            raise ScriptCallError(b"First argument must be a number (log level).")
        level = int(level)
        if level < 0 or level > 3:
            raise ScriptCallError(b"Invalid debug level.")
        parts = []
        for a in args[1:]:
            if type(a) is bytes:
                parts.append(a)
            elif type(a) is int or type(a) is float:
                parts.append(libs.lua_number_text(a))
        self.scripting.lua_log(level, b" ".join(parts))

    def api_setresp(self, *args):
        if len(args) != 1:
            raise ScriptCallError(b"redis.setresp() requires one argument.")
        n = _lua_tonumber(args[0])
        n = int(n) if n is not None else 0
        if n != 2 and n != 3:
            raise ScriptCallError(b"RESP version must be 2 or 3.")
        self.scripting.lua_setresp(n)

    def api_set_repl(self, *args):
        if len(args) != 1:
            raise ScriptCallError(b"redis.set_repl() requires two arguments.")
        n = _lua_tonumber(args[0])
        flags = int(n) if n is not None else 0
        if flags & ~3:
            raise ScriptCallError(b"Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
        self.scripting.lua_set_repl(flags)

    def is_null(self, value) -> bool:
        return bool(self._is_null(value))

    def err_table(self, message: bytes, ignore_stats: bool = False):
        """``luaPushErrorBuff``: "-CODE msg" or "msg" (code ERR) → {err="CODE msg"}."""
        if message[:1] == b"-":
            code, sep, msg = message[1:].partition(b" ")
            if not sep:
                code, msg = b"ERR", message[1:]
        else:
            code, msg = b"ERR", message
        t = self.lua.table()
        t[b"err"] = code + b" " + msg.strip(b"\r\n")
        if ignore_stats:
            t[b"ignore_error_stats_update"] = True
        return t

    def set_array(self, name: bytes, values: list[bytes]) -> None:
        self.G[name] = self.table_from(values)

    # ----- a command's reply → a Lua value
    def reply_to_lua(self, data: bytes):
        value, _ = _parse_reply(data, 0)
        return self._to_lua(value)

    def _to_lua(self, value):
        if type(value) is list or type(value) is dict:
            return self.table_from(value, recursive=True)
        if type(value) is _Error:
            return self.err_table(b"-" + value.text, ignore_stats=True)
        return value


class _Error:
    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text


def _parse_reply(data: bytes, pos: int):
    """Parse one RESP2/RESP3 reply into plain values shaped like Redis's Lua conversion."""
    kind = data[pos]
    eol = data.index(b"\r\n", pos)
    line = data[pos + 1:eol]
    pos = eol + 2
    if kind == 58:      # ':'
        return int(line), pos
    if kind == 36:      # '$'
        n = int(line)
        if n < 0:
            return False, pos
        return data[pos:pos + n], pos + n + 2
    if kind == 43:      # '+'
        return {b"ok": line}, pos
    if kind == 45:      # '-'
        return _Error(line), pos
    if kind == 42 or kind == 62:     # '*' '>'
        n = int(line)
        if n < 0:
            return False, pos
        items = []
        for _ in range(n):
            v, pos = _parse_reply(data, pos)
            items.append(_nested(v))
        return items, pos
    if kind == 37:      # '%'
        m = {}
        for _ in range(int(line)):
            k, pos = _parse_reply(data, pos)
            v, pos = _parse_reply(data, pos)
            m[_key(k)] = _nested(v)
        return {b"map": m}, pos
    if kind == 126:     # '~'
        s = {}
        for _ in range(int(line)):
            k, pos = _parse_reply(data, pos)
            s[_key(k)] = True
        return {b"set": s}, pos
    if kind == 95:      # '_'
        return None, pos
    if kind == 35:      # '#'
        return line == b"t", pos
    if kind == 44:      # ','
        return {b"double": float(line)}, pos
    if kind == 40:      # '('
        return {b"big_number": line}, pos
    if kind == 61:      # '='
        n = int(line)
        body = data[pos:pos + n]
        return {b"verbatim_string": {b"format": body[:3], b"string": body[4:]}}, pos + n + 2
    if kind == 124:     # '|' attributes are not exposed to Lua
        for _ in range(2 * int(line)):
            _, pos = _parse_reply(data, pos)
        return _parse_reply(data, pos)
    raise ValueError("bad reply")


def _nested(v):
    if type(v) is _Error:
        code, sep, msg = v.text.partition(b" ")
        if not sep:
            code, msg = b"ERR", v.text
        return {b"err": code + b" " + msg.strip(b"\r\n"), b"ignore_error_stats_update": True}
    return v


def _key(k):
    if type(k) is list or type(k) is dict:
        return repr(k).encode()
    if type(k) is _Error:
        return k.text
    return k


def lua_to_long_long(x) -> int:
    """``(long long)lua_Number``: truncation, and x86's LLONG_MIN for NaN, infinities, overflow."""
    if type(x) is int:
        return x if LLONG_MIN <= x <= LLONG_MAX else LLONG_MIN
    if math.isnan(x) or math.isinf(x):
        return LLONG_MIN
    n = int(x)
    return n if LLONG_MIN <= n <= LLONG_MAX else LLONG_MIN


class Reply:
    """Converts a script's result to the caller's reply (``luaReplyToRedisReply``)."""

    __slots__ = ("caller_resp", "script_resp", "node")

    def __init__(self, node, caller_resp: int, script_resp: int) -> None:
        self.node = node
        self.caller_resp = caller_resp
        self.script_resp = script_resp

    def encode(self, v, top: bool = False):
        """The reply bytes; at top level an error is returned as ``(message, counted)`` instead."""
        cr = self.caller_resp
        if v is None:
            return resp.null(cr)
        if v is True or v is False:
            if self.script_resp == 2:
                return resp.ONE if v else resp.null(cr)
            return resp.boolean(v, cr)
        t = type(v)
        if t is bytes:
            return resp.bulk(v)
        if t is int or t is float:
            return resp.integer(lua_to_long_long(v))
        if lua_type(v) != "table":
            return resp.null(cr)
        err = v[b"err"]
        if type(err) is bytes:
            ignore = v[b"ignore_error_stats_update"] is True
            if top:
                return (err, ignore)
            if not ignore:
                self.node.count_error(err)
            return _error_bytes(err)
        ok = v[b"ok"]
        if type(ok) is bytes:
            text = ok.split(b"\0", 1)[0].replace(b"\r", b" ").replace(b"\n", b" ")
            return resp.simple(text)
        d = v[b"double"]
        if type(d) is int or type(d) is float:
            return resp.double(float(d), cr)
        big = v[b"big_number"]
        if type(big) is bytes:
            big = big.replace(b"\r", b" ").replace(b"\n", b" ")
            return b"(" + big + b"\r\n" if cr == 3 else resp.bulk(big)
        verb = v[b"verbatim_string"]
        if verb is not None and lua_type(verb) == "table":
            fmt = verb[b"format"]
            text = verb[b"string"]
            if type(fmt) is bytes and type(text) is bytes:
                return resp.verbatim(text, cr, fmt[:3])
        m = v[b"map"]
        if m is not None and lua_type(m) == "table":
            pairs = [(self.encode(k), self.encode(val)) for k, val in m.items()]
            return resp.map_(pairs, cr)
        s = v[b"set"]
        if s is not None and lua_type(s) == "table":
            return resp.set_([self.encode(k) for k, _ in s.items()], cr)
        items = []
        i = 1
        while True:
            item = v[i]
            if item is None:
                break
            items.append(self.encode(item))
            i += 1
        return resp.array(items)


def _error_bytes(err: bytes) -> bytes:
    """An error element inside an aggregate reply: "-<err>" (no ERR prefix added, as Redis)."""
    text = err[1:] if err[:1] == b"-" else err
    return resp.error(text)


class Scripting:
    """The node's scripting engine (``node.scripting``)."""

    def __init__(self, node) -> None:
        from .functions import Functions  # noqa: PLC0415 (functions imports this module)
        self.node = node
        self.functions = Functions(self)
        self.scripts: dict[bytes, tuple] = {}     # sha → (body, compiled function, flags)
        self.running: Run | None = None
        self.rand_state = 0x1234ABCD330E          # redisLrand48's initial state
        self._fake: ScriptClient | None = None
        self.busy_accepted: list = []              # (socket, client) accepted while a script was busy
        self.eval_state = LuaState(self, False)
        self.functions.reset_state()

    # ----- the script cache (EVAL / SCRIPT LOAD)
    def flush_scripts(self) -> None:
        self.scripts.clear()
        self.eval_state = LuaState(self, False)

    def create_script(self, body: bytes) -> bytes:
        """Compile ``body`` into the cache (shebang flags checked first); returns its sha."""
        sha = sha1hex(body)
        if sha in self.scripts:
            return sha
        flags = parse_shebang(body)
        code = b"--" + body if body[:2] == b"#!" else body
        fn, err = self.eval_state.compile(code, b"@user_script")
        if not fn:
            raise_script_error(b"ERR Error compiling script (new function): " + _as_bytes(err))
        self.scripts[sha] = (body, fn, flags)
        return sha

    # ----- running
    def script_client(self) -> ScriptClient:
        if self._fake is None:
            self._fake = ScriptClient(self.node)
        return self._fake

    def check_run(self, client, flags: int, readonly_cmd: bool) -> None:
        """``scriptPrepareForRun``: refuse a script the node can't run now."""
        node = self.node
        stale = node.is_replica and not node.master_link_up and not node.serve_stale_data and not client.is_master
        if not flags & FLAG_EVAL_COMPAT:
            if flags & FLAG_NO_CLUSTER and getattr(node, "mode", "") == "cluster":
                raise_script_error(b"ERR Can not run script on cluster, 'no-cluster' flag is set.")
            if (not flags & FLAG_ALLOW_OOM and node.maxmemory and not flags & FLAG_NO_WRITES
                    and not client.is_master and not node.ensure_memory()):
                raise_script_error(b"OOM allow-oom flag is not set on the script, can not run it when used "
                                   b"memory > 'maxmemory'")
            if stale and not flags & FLAG_ALLOW_STALE:
                raise_script_error(b"MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to "
                                   b"'no' and 'allow-stale' flag is not set on the script.")
            if not flags & FLAG_NO_WRITES:
                if node.is_replica and node.replica_read_only and not client.is_master:
                    raise_script_error(b"READONLY Can not run script with write flag on readonly replica")
                if node.disk_error is not None and not client.is_master:
                    raise_script_error(node.disk_error)
                if readonly_cmd:
                    raise_script_error(b"ERR Can not execute a script with write flag using *_ro command.")
                if node.min_replicas_to_write and not node.enough_good_replicas():
                    raise_script_error(b"NOREPLICAS Not enough good replicas to write.")
        elif stale:
            raise_script_error(b"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set "
                               b"to 'no'.")

    def run(self, client, state: LuaState, fn, keys: list[bytes], args: list[bytes], run: Run) -> bytes:
        """Execute a compiled script or function and return the caller's reply."""
        node = self.node
        fake = self.script_client()
        fake.db = client.db
        fake.user = client.user
        fake.resp = 2
        fake.propagate = None
        limit = int(node.config["lua-time-limit"])  # type: ignore[arg-type]
        if run.eval_mode:
            state.set_array(b"KEYS", keys)
            state.set_array(b"ARGV", args)
        self.running = run
        node.begin_transaction(client)
        try:
            if limit > 0:
                state.hook_on(HOOK_COUNT)
            try:
                if run.eval_mode:
                    result = state.run_eval(fn)
                else:
                    result = state.run_function(fn, state.table_from(keys), state.table_from(args))
            finally:
                state.hook_off()
        finally:
            self.running = None
            node.end_transaction(client)
            if run.timed_out:
                from . import busy  # noqa: PLC0415
                busy.script_ended(self, run)
        ok = result[0] if type(result) is tuple else result
        value = result[1] if type(result) is tuple and len(result) > 1 else None
        conv = Reply(node, client.resp, run.resp)
        if ok:
            out = conv.encode(value, top=True)
            if type(out) is tuple:
                return _top_error(node, out[0], out[1])
            return out
        return self._error_reply(value, run.funcname)

    def _error_reply(self, err, funcname: bytes) -> bytes:
        """A raised error: "<err> script: <name>, on <source>:<line>." (``luaCallFunction``)."""
        node = self.node
        if err is None or lua_type(err) != "table":
            text = b"ERR Error running script " + funcname + b", " + _as_bytes(err)[:100]
            node.count_error(text)
            return resp.error(text)
        msg = err[b"err"]
        if type(msg) is int or type(msg) is float:
            msg = libs.lua_number_text(msg)
        if type(msg) is not bytes:
            msg = b"(null)"
        source = err[b"source"]
        line = err[b"line"]
        if type(source) is bytes and line is not None:
            if type(line) is not bytes:
                line = libs.lua_number_text(line)
            msg = msg + b" script: " + funcname + b", on " + source + b":" + line + b"."
        return _top_error(node, msg, err[b"ignore_error_stats_update"] is True)

    # ----- redis.call / redis.pcall
    def lua_call(self, state: LuaState, args: tuple):
        """Run a command for the script: ``(failed, value)`` (``luaRedisGenericCommand``)."""
        run = self.running
        try:
            if run is None or run.loading:
                raise ScriptCallError(b"redis.call/pcall can only be called inside a script invocation")
            if not args:
                raise ScriptCallError(b"Please specify at least one argument for this redis lib call")
            argv = []
            for a in args:
                t = type(a)
                if t is bytes:
                    argv.append(a)
                elif t is int or t is float:
                    argv.append(b"%.17g" % a)
                else:
                    raise ScriptCallError(b"Lua redis lib command arguments must be strings or integers")
            reply = self.execute(run, argv)
        except ScriptCallError as exc:
            return (True, state.err_table(exc.message, ignore_stats=True))
        return (reply[:1] == b"-", state.reply_to_lua(reply))

    def execute(self, run: Run, argv: list[bytes]) -> bytes:
        """``scriptCall``: the checks Redis applies to a command from a script, then the call."""
        node = self.node
        cmd = TABLE.get(argv[0].lower())
        if cmd is None:
            raise ScriptCallError(b"Unknown Redis command called from script")
        n = len(argv)
        if cmd.subcommands and n > 1:
            cmd = cmd.subcommands.get(argv[1].lower(), cmd)
        arity = cmd.arity
        if (arity > 0 and n != arity) or n < -arity:
            raise ScriptCallError(b"Wrong number of args calling Redis command from script")
        flags = cmd.flags
        if flags & NOSCRIPT:
            raise ScriptCallError(b"This Redis command is not allowed from script")
        caller = run.caller
        if flags & WRITE:
            if run.readonly:
                raise ScriptCallError(b"Write commands are not allowed from read-only scripts.")
            if node.is_replica and node.replica_read_only and not caller.is_master:
                raise ScriptCallError(b"-READONLY You can't write against a read only replica.")
            if node.disk_error is not None and not caller.is_master:
                raise ScriptCallError(b"-" + node.disk_error)
        if (flags & DENYOOM and node.maxmemory and not run.flags & FLAG_ALLOW_OOM and not run.wrote
                and not caller.is_master and not node.ensure_memory()):
            raise ScriptCallError(b"-OOM command not allowed when used memory > 'maxmemory'.")
        if flags & WRITE:
            run.wrote = True
        fake = self._fake
        fake.resp = run.resp
        mark = len(node._tx_buffer)
        reply = dispatch.call(fake, cmd, argv)
        if not run.repl:
            del node._tx_buffer[mark:]
        return reply if reply is not None else resp.NULL_BULK

    # ----- the rest of the redis.* API
    def lua_log(self, level: int, message: bytes) -> None:
        log = self.node.log
        text = message.decode(errors="replace")
        level = int(level)
        if level == 0:
            log.debug(text)
        elif level == 1:
            log.verbose(text)
        elif level == 2:
            log.notice(text)
        else:
            log.warning(text)

    def lua_setresp(self, n: int) -> None:
        if self.running is not None:
            self.running.resp = int(n)

    def lua_set_repl(self, flags: int) -> None:
        if self.running is not None:
            self.running.repl = int(flags) != 0

    def lua_acl_check_cmd(self, *args):
        if not args:
            raise ScriptCallError(b"Please specify at least one argument for this redis lib call")
        name = args[0]
        if type(name) is not bytes or TABLE.get(name.lower()) is None:
            raise ScriptCallError(b"Invalid command passed to redis.acl_check_cmd()")
        return True

    def lua_random(self, *args):
        r = (self._lrand48() % 2147483647) / 2147483647
        if not args:
            return r
        if len(args) == 1:
            u = int(libs.check_number(args[0], 1, "random"))
            if u < 1:
                raise libs.LibError("bad argument #1 to 'random' (interval is empty)")
            return math.floor(r * u) + 1
        if len(args) == 2:
            low = int(libs.check_number(args[0], 1, "random"))
            up = int(libs.check_number(args[1], 2, "random"))
            if low > up:
                raise libs.LibError("bad argument #2 to 'random' (interval is empty)")
            return math.floor(r * (up - low + 1)) + low
        raise libs.LibError("wrong number of arguments")

    def lua_randomseed(self, *args):
        seed = int(libs.check_number(args[0] if args else None, 1, "randomseed")) & 0xFFFFFFFF
        self.rand_state = ((seed >> 16) << 32) | ((seed & 0xFFFF) << 16) | 0x330E
        return ()

    def _lrand48(self) -> int:
        self.rand_state = (0x5DEECE66D * self.rand_state + 0xB) & 0xFFFFFFFFFFFF
        return self.rand_state >> 17

    # ----- time limit
    def busy_check(self):
        """Called by the count hook: None to continue, or the error that stops the script."""
        run = self.running
        if run is None:
            return None
        if run.loading:
            return LOAD_TIMEOUT_MSG if run.elapsed_ms() > LOAD_TIMEOUT_MS else None
        if run.killed:
            return SCRIPT_KILLED_MSG
        if not run.timed_out:
            limit = int(self.node.config["lua-time-limit"])  # type: ignore[arg-type]
            elapsed = run.elapsed_ms()
            if elapsed < limit:
                return None
            run.timed_out = True
            kill_cmd = "SCRIPT KILL" if run.eval_mode else "FUNCTION KILL"
            self.node.log.warning(
                f"Slow script detected: still in execution after {elapsed} milliseconds. You can try killing "
                f"the script using the {kill_cmd} command. Script name is: {run.funcname.decode()}.")
        from . import busy  # noqa: PLC0415
        busy.serve(self, run)
        if run.killed:
            self.node.log.warning("Lua script killed by user with SCRIPT KILL.")
            return SCRIPT_KILLED_MSG
        return None

    def kill(self, eval_cmd: bool) -> None:
        """SCRIPT KILL (``eval_cmd``) / FUNCTION KILL, from a client served while a script is busy."""
        run = self.running
        if run is None or not run.timed_out:
            raise_script_error(b"NOTBUSY No scripts in execution right now.")
        if run.caller.is_master:
            raise_script_error(b"UNKILLABLE The busy script was sent by a master instance in the context of "
                               b"replication and cannot be killed.")
        if run.wrote:
            raise_script_error(b"UNKILLABLE Sorry the script already executed write commands against the "
                               b"dataset. You can either wait the script termination or kill the server in a "
                               b"hard way using the SHUTDOWN NOSAVE command.")
        if eval_cmd and not run.eval_mode:
            raise_script_error(BUSY_FUNCTION_ERR)
        if not eval_cmd and run.eval_mode:
            raise_script_error(BUSY_EVAL_ERR)
        run.killed = True


BUSY_EVAL_ERR = b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
BUSY_FUNCTION_ERR = b"BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."


def _top_error(node, message: bytes, already_counted: bool) -> bytes:
    """The script's error reply. An error that came from ``redis.call`` was counted in the error
    stats when the command failed, so (as Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE) it is returned
    as bytes and not counted again; any other goes through the dispatcher's error accounting."""
    text = message[1:] if message[:1] == b"-" else message
    if already_counted:
        return resp.error(text)
    raise_script_error(text)
    return b""  # unreachable


def raise_script_error(message: bytes) -> None:
    from ..protocol.errors import CommandError  # noqa: PLC0415
    raise CommandError(message)


def _lua_tonumber(v) -> float | None:
    """``lua_tonumber`` / ``lua_isnumber``: numbers and numeric strings."""
    if type(v) is int or type(v) is float:
        return v
    if type(v) is bytes:
        return libs.str_to_number(v)
    return None


def _as_bytes(v) -> bytes:
    if type(v) is bytes:
        return v
    if v is None:
        return b"execution failure"
    return str(v).encode()


def parse_shebang(body: bytes) -> int:
    """``evalExtractShebangFlags``: the script's flags, FLAG_EVAL_COMPAT without a shebang."""
    if body[:2] != b"#!":
        return FLAG_EVAL_COMPAT
    end = body.find(b"\n")
    if end < 0:
        raise_script_error(b"ERR Invalid script shebang")
    parts = body[:end].split()
    if not parts:
        raise_script_error(b"ERR Invalid engine in script shebang")
    if parts[0] != b"#!lua":
        raise_script_error(b"ERR Unexpected engine in script shebang: " + parts[0])
    flags = 0
    for part in parts[1:]:
        if part.startswith(b"flags="):
            value = part[6:]
            for name in value.split(b",") if value else []:
                bit = SCRIPT_FLAG_BY_NAME.get(name)
                if bit is None:
                    raise_script_error(b"ERR Unexpected flag in script shebang: " + name)
                flags |= bit
        else:
            raise_script_error(b"ERR Unknown lua shebang option: " + part)
    return flags


def install(node) -> Scripting:
    """Give ``node`` its scripting engine (created lazily by the scripting commands)."""
    scripting = getattr(node, "scripting", None)
    if scripting is None:
        scripting = Scripting(node)
        node.scripting = scripting
        node.scripts = scripting.scripts
        node.functions = scripting.functions
    return scripting


def function_codes(node) -> list[bytes]:
    """The FUNCTION libraries' code, for the RDB, AOF base and full-sync writers."""
    scripting = getattr(node, "scripting", None)
    return scripting.functions.codes() if scripting is not None else []


def load_functions(node, codes: list[bytes], flush: bool = False) -> None:
    """Load libraries read from an RDB (FUNCTION2 records); ``flush`` first for a full resync,
    whose snapshot replaces the replica's libraries as it replaces its keys."""
    if not codes and not (flush and getattr(node, "scripting", None) is not None):
        return
    functions = install(node).functions
    if flush:
        functions.flush()
    for code in codes:
        try:
            functions.load_code(code, replace=True)
        except Exception as exc:  # noqa: BLE001 (a bad library is reported, the data still loads)
            node.log.warning(f"Failed loading a function library from the RDB: {exc}")
