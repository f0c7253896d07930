"""Redis 7 functions: libraries loaded with FUNCTION LOAD, called with FCALL / FCALL_RO.

A library is Lua code whose first line is ``#!lua name=<lib>``. Loading runs the code once in the
FUNCTION Lua state with an environment that only offers ``redis.register_function``,
``redis.log`` and the version/log constants (as Redis 7.0.15 does); each registered callback keeps
that per-library environment, which is switched to the full runtime globals once loading
succeeded. A load is all or nothing: the library table and the function index change only after
the code ran, registered at least one function, and no function name collides with another
library.

``dump()`` / ``restore()`` use the DUMP payload format of Redis 7.0: for every library an
RDB_OPCODE_FUNCTION2 (245) byte and the code as an RDB string, then the RDB version (2 bytes LE)
and the CRC64 of everything before it. ``codes()`` gives the library codes for RDB/AOF writers,
``load_code()`` is what an RDB loader calls for each function record.
"""

from ..persistence import lzf, rdb
from ..persistence.crc64 import crc64
from ..protocol.errors import CommandError
from . import libs, runtime
from .runtime import SCRIPT_FLAG_BY_NAME, LuaState, Run, ScriptCallError

NAME_ERR = (b"Library names can only contain letters, numbers, or underscores(_) and must be at least one "
            b"character long")
_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class FunctionDef:
    __slots__ = ("name", "callback", "flags", "description", "library")

    def __init__(self, name: bytes, callback, flags: int, description: bytes | None, library: "Library") -> None:
        self.name = name
        self.callback = callback
        self.flags = flags
        self.description = description
        self.library = library


class Library:
    __slots__ = ("name", "code", "functions")

    def __init__(self, name: bytes, code: bytes) -> None:
        self.name = name
        self.code = code
        self.functions: dict[bytes, FunctionDef] = {}


def valid_name(name: bytes) -> bool:
    return bool(name) and all(c in _NAME_CHARS for c in name)


def extract_metadata(code: bytes) -> tuple[bytes, bytes, bytes]:
    """``functionExtractLibMetaData``: (engine, library name, code after the shebang line)."""
    if code[:2] != b"#!":
        raise CommandError(b"ERR Missing library metadata")
    end = code.find(b"\n")
    if end < 0:
        raise CommandError(b"ERR Invalid library metadata")
    parts = code[:end].split()
    if not parts:
        raise CommandError(b"ERR Invalid library metadata")
    engine = parts[0][2:]
    name = None
    for part in parts[1:]:
        if part[:5].lower() == b"name=":
            if name is not None:
                raise CommandError(b"ERR Invalid metadata value, name argument was given multiple times")
            name = part[5:]
            continue
        raise CommandError(b"ERR Invalid metadata value given: " + part)
    if name is None:
        raise CommandError(b"ERR Library name was not given")
    return engine, name, code[end:]


class Functions:
    """The node's function libraries and their Lua state (``node.functions``)."""

    def __init__(self, scripting) -> None:
        self.scripting = scripting
        self.libraries: dict[bytes, Library] = {}
        self.functions: dict[bytes, FunctionDef] = {}
        self.state: LuaState | None = None
        self._loading: Library | None = None

    def reset_state(self) -> None:
        self.state = LuaState(self.scripting, True)

    # ----- loading
    def load(self, code: bytes, replace: bool) -> bytes:
        engine, name, body = extract_metadata(code)
        if not valid_name(name):
            raise CommandError(b"ERR " + NAME_ERR)
        if engine.lower() != b"lua":
            raise CommandError(b"ERR Engine '" + engine + b"' not found")
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise CommandError(b"ERR Library '" + name + b"' already exists")
        lib = Library(name, code)
        self._run_library(lib, body)
        if not lib.functions:
            raise CommandError(b"ERR No functions registered")
        for fname in lib.functions:
            existing = self.functions.get(fname)
            if existing is not None and existing.library is not old:
                raise CommandError(b"ERR Function " + fname + b" already exists")
        if old is not None:
            self._unlink(old)
        self._link(lib)
        return name

    def _run_library(self, lib: Library, body: bytes) -> None:
        state = self.state
        assert state is not None
        fn, err = state.compile(body, b"@user_function")
        if not fn:
            raise CommandError(b"ERR Error compiling function: " + (err if type(err) is bytes else b""))
        env, mt = state.new_env()
        scripting = self.scripting
        run = Run(None, lib.name, False, True, 0, [])
        run.loading = True
        self._loading = lib
        scripting.running = run
        state.hook_on(runtime.HOOK_COUNT)
        try:
            result = state.load_library(fn, env)
        finally:
            state.hook_off()
            scripting.running = None
            self._loading = None
        ok = result[0] if type(result) is tuple else result
        if not ok:
            value = result[1] if type(result) is tuple and len(result) > 1 else None
            msg = value[b"err"] if value is not None and runtime.lua_type(value) == "table" else None
            if type(msg) is not bytes:
                msg = b"ERR " + (value if type(value) is bytes else b"unknown error")
            raise CommandError(b"ERR Error registering functions: " + msg)
        state.activate_env(mt)

    def lua_register_function(self, *args):
        lib = self._loading
        if lib is None:
            raise ScriptCallError(b"redis.register_function can only be called on FUNCTION LOAD command")
        name = callback = description = None
        flags = 0
        is_fn = self.state.is_function
        if len(args) == 1 and runtime.lua_type(args[0]) == "table":
            for key, value in args[0].items():
                key = _lua_string(key)
                if key is None:
                    raise ScriptCallError(b"named argument key given to redis.register_function is not a string")
                if key == b"function_name":
                    value = _lua_string(value)
                    if value is None:
                        raise ScriptCallError(b"function_name argument given to redis.register_function must "
                                              b"be a string")
                    name = value
                elif key == b"description":
                    value = _lua_string(value)
                    if value is None:
                        raise ScriptCallError(b"description argument given to redis.register_function must "
                                              b"be a string")
                    description = value
                elif key == b"callback":
                    if not is_fn(value):
                        raise ScriptCallError(b"callback argument given to redis.register_function must be a "
                                              b"function")
                    callback = value
                elif key == b"flags":
                    if runtime.lua_type(value) != "table":
                        raise ScriptCallError(b"flags argument to redis.register_function must be a table "
                                              b"representing function flags")
                    for _i, flag in value.items():
                        bit = SCRIPT_FLAG_BY_NAME.get(flag) if type(flag) is bytes else None
                        if bit is None:
                            raise ScriptCallError(b"unknown flag given")
                        flags |= bit
                else:
                    raise ScriptCallError(b"unknown argument given to redis.register_function")
            if name is None:
                raise ScriptCallError(b"redis.register_function must get a function name argument")
            if callback is None:
                raise ScriptCallError(b"redis.register_function must get a callback argument")
        else:
            if len(args) != 2:
                raise ScriptCallError(b"wrong number of arguments to redis.register_function")
            name, callback = _lua_string(args[0]), args[1]
            if name is None:
                raise ScriptCallError(b"first argument to redis.register_function must be a string")
            if not is_fn(callback):
                raise ScriptCallError(b"second argument to redis.register_function must be a function")
        if not valid_name(name):
            raise ScriptCallError(NAME_ERR)
        if name in lib.functions:
            raise ScriptCallError(b"Function already exists in the library")
        lib.functions[name] = FunctionDef(name, callback, flags, description, lib)
        return ()

    def _link(self, lib: Library) -> None:
        self.libraries[lib.name] = lib
        self.functions.update(lib.functions)

    def _unlink(self, lib: Library) -> None:
        del self.libraries[lib.name]
        for fname in lib.functions:
            if self.functions.get(fname) is lib.functions[fname]:
                del self.functions[fname]

    # ----- the other FUNCTION subcommands
    def delete(self, name: bytes) -> None:
        lib = self.libraries.get(name)
        if lib is None:
            raise CommandError(b"ERR Library not found")
        self._unlink(lib)

    def flush(self) -> None:
        self.libraries = {}
        self.functions = {}
        self.reset_state()

    def codes(self) -> list[bytes]:
        return [lib.code for lib in self.libraries.values()]

    def load_code(self, code: bytes, replace: bool = True) -> bytes:
        return self.load(code, replace)

    def dump(self) -> bytes:
        body = b"".join(b"\xf5" + rdb.encode_string(code, compress=True) for code in self.codes())
        body += rdb.RDB_VERSION.to_bytes(2, "little")
        return body + crc64(body).to_bytes(8, "little")

    def restore(self, payload: bytes, policy: bytes) -> None:
        if not rdb.check_payload(payload):
            raise CommandError(b"ERR DUMP payload version or checksum are wrong")
        data = payload[:-10]
        codes = []
        pos = 0
        while pos < len(data):
            if data[pos] != 0xF5:
                raise CommandError(b"ERR given type is not a function")
            try:
                code, pos = _read_string(data, pos + 1)
            except (IndexError, ValueError):
                raise CommandError(b"ERR failed loading the given functions payload") from None
            codes.append(code)
        # build the new set aside, then join it as the policy says (libraryJoin)
        saved_libs, saved_fns, saved_state = self.libraries, self.functions, self.state
        self.libraries, self.functions = {}, {}
        if policy == b"flush":
            self.reset_state()
        try:
            for code in codes:
                self.load(code, False)
        except CommandError:
            self.libraries, self.functions, self.state = saved_libs, saved_fns, saved_state
            raise
        new_libs = self.libraries
        if policy == b"flush":
            return
        self.libraries, self.functions = dict(saved_libs), dict(saved_fns)
        for name, lib in new_libs.items():
            old = self.libraries.get(name)
            if old is not None:
                if policy != b"replace":
                    self.libraries, self.functions = saved_libs, saved_fns
                    raise CommandError(b"ERR Library " + name + b" already exists")
                self._unlink(old)
            for fname in lib.functions:
                if fname in self.functions:
                    self.libraries, self.functions = saved_libs, saved_fns
                    raise CommandError(b"ERR Function " + fname + b" already exists")
            self._link(lib)


def _lua_string(v) -> bytes | None:
    """``lua_isstring`` + ``lua_tostring``: strings, and numbers in Lua's text form."""
    if type(v) is bytes:
        return v
    if type(v) is int or type(v) is float:
        return libs.lua_number_text(v)
    return None


def _read_length(data: bytes, pos: int) -> tuple[int, bool, int]:
    """An RDB length: (value, is_special_encoding, new position)."""
    first = data[pos]
    kind = first >> 6
    if kind == 0:
        return first & 0x3F, False, pos + 1
    if kind == 1:
        return ((first & 0x3F) << 8) | data[pos + 1], False, pos + 2
    if kind == 3:
        return first & 0x3F, True, pos + 1
    if first == 0x80:
        return int.from_bytes(data[pos + 1:pos + 5], "big"), False, pos + 5
    if first == 0x81:
        return int.from_bytes(data[pos + 1:pos + 9], "big"), False, pos + 9
    raise ValueError("bad length")


def _read_string(data: bytes, pos: int) -> tuple[bytes, int]:
    n, special, pos = _read_length(data, pos)
    if not special:
        if pos + n > len(data):
            raise ValueError("short")
        return data[pos:pos + n], pos + n
    if n in (0, 1, 2):
        size = 1 << n
        return b"%d" % int.from_bytes(data[pos:pos + size], "little", signed=True), pos + size
    if n == 3:
        clen, _, pos = _read_length(data, pos)
        ulen, _, pos = _read_length(data, pos)
        return lzf.decompress(data[pos:pos + clen], ulen), pos + clen
    raise ValueError("bad encoding")
