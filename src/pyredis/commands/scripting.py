"""The scripting family: EVAL/EVALSHA(_RO), SCRIPT, FCALL(_RO) and FUNCTION.

The handlers parse arguments and check Redis's preconditions in Redis's order; the work is done by
the node's scripting engine (``pyredis.scripting.runtime.Scripting``, created on first use by
``runtime.install``): the script cache, the two Lua states, running a script with its
``redis.call`` bridge, conversions and the busy-script machinery. See that package for the design.

Replication: EVAL/FCALL are not propagated themselves — the write commands a script runs are
(Redis 7 effects replication), grouped in MULTI/EXEC by the engine. FUNCTION LOAD/DELETE/FLUSH/
RESTORE are write commands and propagate verbatim, as Redis does.
"""

from ..protocol import resp
from ..protocol.errors import NOT_INTEGER_ERR, CommandError
from ..scripting.runtime import BUSY_EVAL_ERR, FLAG_NO_WRITES, SCRIPT_FLAGS, Run, install
from .registry import TABLE, command, container, help_reply, subcommand
from .strings import parse_ll

NOSCRIPT_ERR = b"NOSCRIPT No matching script. Please use EVAL."
NUMKEYS_GREATER_ERR = b"ERR Number of keys can't be greater than number of args"
NUMKEYS_NEGATIVE_ERR = b"ERR Number of keys can't be negative"
FUNCTION_NOT_FOUND_ERR = b"ERR Function not found"
BAD_NUMKEYS_ERR = b"ERR Bad number of keys provided"

_RW_NOTES = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
_RO_NOTES = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
_RW_SPEC = {"flags": "RW access update", "bs": ("index", 2), "fk": ("keynum", 0, 1, 1)}
_RO_SPEC = {"flags": "RO access", "bs": ("index", 2), "fk": ("keynum", 0, 1, 1)}


def _script_keys(argv: list[bytes]) -> list[int]:
    """Key positions of EVAL-like commands: ``numkeys`` keys after argv[2]."""
    n = parse_ll(argv[2]) if len(argv) > 2 else None
    if n is None or n <= 0 or n > len(argv) - 3:
        return []
    return list(range(3, 3 + n))


def _numkeys(argv: list[bytes], not_integer_err: bytes) -> int:
    n = parse_ll(argv[2])
    if n is None:
        raise CommandError(not_integer_err)
    if n > len(argv) - 3:
        raise CommandError(NUMKEYS_GREATER_ERR)
    if n < 0:
        raise CommandError(NUMKEYS_NEGATIVE_ERR)
    return n


def _eval(client, argv: list[bytes], by_sha: bool, ro: bool) -> bytes:
    numkeys = _numkeys(argv, NOT_INTEGER_ERR)
    scripting = install(client.node)
    if by_sha:
        sha = argv[1].lower()
        entry = scripting.scripts.get(sha) if len(sha) == 40 else None
        if entry is None:
            raise CommandError(NOSCRIPT_ERR)
    else:
        sha = scripting.create_script(argv[1])
        entry = scripting.scripts[sha]
    _body, fn, flags = entry
    scripting.check_run(client, flags, ro)
    run = Run(client, sha, True, ro or bool(flags & FLAG_NO_WRITES), flags, argv)
    keys = argv[3:3 + numkeys]
    return scripting.run(client, scripting.eval_state, fn, keys, argv[3 + numkeys:], run)


@command("eval", -3, "noscript stale skip_monitor no_mandatory_keys", group="scripting", categories="@slow @scripting",
         summary="Execute a Lua script server side", since="2.6.0",
         complexity="Depends on the script that is executed.", getkeys=_script_keys,
         key_specs=({"notes": _RW_NOTES, **_RW_SPEC},))
def eval_(client, argv: list[bytes]) -> bytes:
    return _eval(client, argv, False, False)


@command("evalsha", -3, "noscript stale skip_monitor no_mandatory_keys", group="scripting",
         categories="@slow @scripting", summary="Execute a Lua script server side", since="2.6.0",
         complexity="Depends on the script that is executed.", getkeys=_script_keys, key_specs=(_RW_SPEC,))
def evalsha(client, argv: list[bytes]) -> bytes:
    return _eval(client, argv, True, False)


@command("eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", group="scripting",
         categories="@slow @scripting", summary="Execute a read-only Lua script server side", since="7.0.0",
         complexity="Depends on the script that is executed.", getkeys=_script_keys,
         key_specs=({"notes": _RO_NOTES, **_RO_SPEC},))
def eval_ro(client, argv: list[bytes]) -> bytes:
    return _eval(client, argv, False, True)


@command("evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", group="scripting",
         categories="@slow @scripting", summary="Execute a read-only Lua script server side", since="7.0.0",
         complexity="Depends on the script that is executed.", getkeys=_script_keys, key_specs=(_RO_SPEC,))
def evalsha_ro(client, argv: list[bytes]) -> bytes:
    return _eval(client, argv, True, True)


# ----------------------------------------------------------------------------- SCRIPT

container("script", group="scripting", summary="A container for Lua scripts management commands", since="2.6.0")
TABLE[b"script"].complexity = "Depends on subcommand."


@subcommand("script", "load", 3, "noscript stale", categories="@slow @scripting",
            summary="Load the specified Lua script into the script cache.", since="2.6.0",
            complexity="O(N) with N being the length in bytes of the script body.",
            tips="request_policy:all_nodes response_policy:all_succeeded")
def script_load(client, argv: list[bytes]) -> bytes:
    return resp.bulk(install(client.node).create_script(argv[2]))


@subcommand("script", "exists", -3, "noscript", categories="@slow @scripting",
            summary="Check existence of scripts in the script cache.", since="2.6.0",
            complexity="O(N) with N being the number of scripts to check (so checking a single script is an "
                       "O(1) operation).",
            tips="request_policy:all_shards response_policy:agg_logical_and")
def script_exists(client, argv: list[bytes]) -> bytes:
    scripts = install(client.node).scripts
    return resp.array([resp.ONE if sha.lower() in scripts else resp.ZERO for sha in argv[2:]])


@subcommand("script", "flush", -2, "noscript", categories="@slow @scripting",
            summary="Remove all the scripts from the script cache.", since="2.6.0",
            complexity="O(N) with N being the number of scripts in cache",
            tips="request_policy:all_nodes response_policy:all_succeeded")
def script_flush(client, argv: list[bytes]) -> bytes:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError(b"ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    install(client.node).flush_scripts()
    return resp.OK


@subcommand("script", "kill", 2, "noscript allow_busy", categories="@slow @scripting",
            summary="Kill the script currently in execution.", since="2.6.0", complexity="O(1)",
            tips="request_policy:all_shards response_policy:one_succeeded")
def script_kill(client, argv: list[bytes]) -> bytes:
    install(client.node).kill(eval_cmd=True)
    return resp.OK


@subcommand("script", "debug", 3, "noscript", categories="@slow @scripting",
            summary="Set the debug mode for executed scripts.", since="3.2.0", complexity="O(1)")
def script_debug(client, argv: list[bytes]) -> bytes:
    mode = argv[2].lower()
    if mode == b"no":
        return resp.OK
    if mode in (b"yes", b"sync"):
        raise CommandError(b"ERR SCRIPT DEBUG (the Lua debugger) is not supported by pyredis yet")
    raise CommandError(b"ERR Use SCRIPT DEBUG YES/SYNC/NO")


@subcommand("script", "help", 2, "loading stale", categories="@slow @scripting", summary="Show helpful text about the "
            "different subcommands", since="5.0.0", complexity="O(1)")
def script_help(client, argv: list[bytes]) -> bytes:
    return help_reply("script", [
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
    ])


# ----------------------------------------------------------------------------- FCALL

def _fcall(client, argv: list[bytes], ro: bool) -> bytes:
    scripting = install(client.node)
    functions = scripting.functions
    fdef = functions.functions.get(argv[1])
    if fdef is None:
        raise CommandError(FUNCTION_NOT_FOUND_ERR)
    numkeys = _numkeys(argv, BAD_NUMKEYS_ERR)
    scripting.check_run(client, fdef.flags, ro)
    run = Run(client, fdef.name, False, ro or bool(fdef.flags & FLAG_NO_WRITES), fdef.flags, argv)
    keys = argv[3:3 + numkeys]
    return scripting.run(client, functions.state, fdef.callback, keys, argv[3 + numkeys:], run)


@command("fcall", -3, "noscript stale skip_monitor no_mandatory_keys", group="scripting", categories="@slow @scripting",
         summary="Invoke a function", since="7.0.0", complexity="Depends on the function that is executed.",
         getkeys=_script_keys, key_specs=({"notes": _RW_NOTES, **_RW_SPEC},))
def fcall(client, argv: list[bytes]) -> bytes:
    return _fcall(client, argv, False)


@command("fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", group="scripting",
         categories="@slow @scripting", summary="Invoke a read-only function", since="7.0.0",
         complexity="Depends on the function that is executed.", getkeys=_script_keys,
         key_specs=({"notes": _RO_NOTES, **_RO_SPEC},))
def fcall_ro(client, argv: list[bytes]) -> bytes:
    return _fcall(client, argv, True)


# ----------------------------------------------------------------------------- FUNCTION

container("function", group="scripting", summary="A container for function commands", since="7.0.0")
TABLE[b"function"].complexity = "Depends on subcommand."


def _dirty(client) -> None:
    client.node.keyspace.dirty += 1


@subcommand("function", "load", -3, "write denyoom noscript", categories="@write @slow @scripting",
            summary="Create a function with the given arguments (name, code, description)", since="7.0.0",
            complexity="O(1) (considering compilation time is redundant)",
            tips="request_policy:all_shards response_policy:all_succeeded")
def function_load(client, argv: list[bytes]) -> bytes:
    replace = False
    pos = 2
    while pos < len(argv) - 1:
        arg = argv[pos]
        pos += 1
        if arg.lower() == b"replace":
            replace = True
            continue
        raise CommandError(b"ERR Unknown option given: " + arg)
    if pos >= len(argv):
        raise CommandError(b"ERR Function code is missing")
    name = install(client.node).functions.load(argv[pos], replace)
    _dirty(client)
    return resp.bulk(name)


@subcommand("function", "delete", 3, "write noscript", categories="@write @slow @scripting",
            summary="Delete a function by name", since="7.0.0", complexity="O(1)",
            tips="request_policy:all_shards response_policy:all_succeeded")
def function_delete(client, argv: list[bytes]) -> bytes:
    install(client.node).functions.delete(argv[2])
    _dirty(client)
    return resp.OK


@subcommand("function", "flush", -2, "write noscript", categories="@write @slow @scripting",
            summary="Deleting all functions", since="7.0.0",
            complexity="O(N) where N is the number of functions deleted",
            tips="request_policy:all_shards response_policy:all_succeeded")
def function_flush(client, argv: list[bytes]) -> bytes:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError(b"ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    install(client.node).functions.flush()
    _dirty(client)
    return resp.OK


@subcommand("function", "kill", 2, "noscript allow_busy", categories="@slow @scripting",
            summary="Kill the function currently in execution.", since="7.0.0", complexity="O(1)",
            tips="request_policy:all_shards response_policy:one_succeeded")
def function_kill(client, argv: list[bytes]) -> bytes:
    install(client.node).kill(eval_cmd=False)
    return resp.OK


@subcommand("function", "stats", 2, "noscript allow_busy", categories="@slow @scripting",
            summary="Return information about the function currently running (name, description, duration)",
            since="7.0.0", complexity="O(1)",
            tips="nondeterministic_output request_policy:all_shards response_policy:special")
def function_stats(client, argv: list[bytes]) -> bytes:
    scripting = install(client.node)
    r = client.resp
    run = scripting.running
    if run is not None and run.eval_mode and run.timed_out:
        raise CommandError(BUSY_EVAL_ERR)
    if run is None or run.eval_mode or run.loading:
        running = resp.null(r)
    else:
        running = resp.map_([
            (resp.bulk(b"name"), resp.bulk(run.funcname)),
            (resp.bulk(b"command"), resp.bulk_array(run.argv)),
            (resp.bulk(b"duration_ms"), resp.integer(run.elapsed_ms())),
        ], r)
    functions = scripting.functions
    engine = resp.map_([
        (resp.bulk(b"libraries_count"), resp.integer(len(functions.libraries))),
        (resp.bulk(b"functions_count"), resp.integer(len(functions.functions))),
    ], r)
    return resp.map_([
        (resp.bulk(b"running_script"), running),
        (resp.bulk(b"engines"), resp.map_([(resp.bulk(b"LUA"), engine)], r)),
    ], r)


@subcommand("function", "list", -2, "noscript", categories="@slow @scripting",
            summary="List information about all the functions", since="7.0.0",
            complexity="O(N) where N is the number of functions", tips="nondeterministic_output_order")
def function_list(client, argv: list[bytes]) -> bytes:
    from ..engine.glob import match  # noqa: PLC0415
    with_code = False
    pattern = None
    i = 2
    while i < len(argv):
        arg = argv[i]
        low = arg.lower()
        if not with_code and low == b"withcode":
            with_code = True
        elif pattern is None and low == b"libraryname":
            if i >= len(argv) - 1:
                raise CommandError(b"ERR library name argument was not given")
            i += 1
            pattern = argv[i]
        else:
            raise CommandError(b"ERR Unknown argument " + arg)
        i += 1
    r = client.resp
    libs = []
    for lib in install(client.node).functions.libraries.values():
        if pattern is not None and not match(pattern, lib.name, nocase=True):
            continue
        fns = []
        for f in lib.functions.values():
            flags = [resp.simple(name) for name, bit in SCRIPT_FLAGS if f.flags & bit]
            fns.append(resp.map_([
                (resp.bulk(b"name"), resp.bulk(f.name)),
                (resp.bulk(b"description"), resp.bulk_or_null(f.description, r)),
                (resp.bulk(b"flags"), resp.set_(flags, r)),
            ], r))
        fields = [
            (resp.bulk(b"library_name"), resp.bulk(lib.name)),
            (resp.bulk(b"engine"), resp.bulk(b"LUA")),
            (resp.bulk(b"functions"), resp.array(fns)),
        ]
        if with_code:
            fields.append((resp.bulk(b"library_code"), resp.bulk(lib.code)))
        libs.append(resp.map_(fields, r))
    return resp.array(libs)


@subcommand("function", "dump", 2, "noscript", categories="@slow @scripting",
            summary="Dump all functions into a serialized binary payload", since="7.0.0",
            complexity="O(N) where N is the number of functions")
def function_dump(client, argv: list[bytes]) -> bytes:
    return resp.bulk(install(client.node).functions.dump())


@subcommand("function", "restore", -3, "write denyoom noscript", categories="@write @slow @scripting",
            summary="Restore all the functions on the given payload", since="7.0.0",
            complexity="O(N) where N is the number of functions on the payload",
            tips="request_policy:all_shards response_policy:all_succeeded")
def function_restore(client, argv: list[bytes]) -> bytes:
    if len(argv) > 4:
        raise CommandError(b"ERR Unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.")
    policy = b"append"
    if len(argv) == 4:
        policy = argv[3].lower()
        if policy not in (b"flush", b"append", b"replace"):
            raise CommandError(b"ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    install(client.node).functions.restore(argv[2], policy)
    _dirty(client)
    return resp.OK


@subcommand("function", "help", 2, "loading stale", categories="@slow @scripting",
            summary="Show helpful text about the different subcommands", since="7.0.0", complexity="O(1)")
def function_help(client, argv: list[bytes]) -> bytes:
    return help_reply("function", [
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
        "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
    ])
