"""``pyredis-server [config-file] [--directive value ...]``, as ``redis-server``'s command line.

The config file (or ``-`` for stdin) is read first, then the ``--directive`` options are
appended as config lines, so the last occurrence wins exactly as in Redis. A bad directive stops
start-up with Redis's ``*** FATAL CONFIG FILE ERROR ***`` report on stderr and exit code 1.
"""

import asyncio
import os
import sys

from .. import REDIS_VERSION, __version__
from ..config import Config, FatalConfigError, load_text, options_to_text
from ..node.log import Logger

USAGE = """Usage: ./pyredis-server [/path/to/redis.conf] [options] [-]
       ./pyredis-server - (read config from stdin)
       ./pyredis-server -v or --version
       ./pyredis-server -h or --help

Examples:
       ./pyredis-server (run the server with default conf)
       ./pyredis-server /etc/redis/6379.conf
       ./pyredis-server --port 7777
       ./pyredis-server --port 7777 --replicaof 127.0.0.1 8888
       ./pyredis-server /etc/myredis.conf --loglevel verbose -
       ./pyredis-server /etc/myredis.conf --loglevel verbose

Sentinel mode:
       ./pyredis-server /etc/sentinel.conf --sentinel
"""


def build_config(argv: list[str]) -> tuple[Config, bool]:
    """Read the config file and options; returns the config and whether sentinel mode was asked."""
    config = Config()
    sentinel = False
    args = list(argv)
    if "--sentinel" in args:
        sentinel = True
        args.remove("--sentinel")
    text = ""
    base = "."
    if args and not args[0].startswith("--") and args[0] != "-":
        path = args.pop(0)
        config.config_file = os.path.abspath(path)
        base = os.path.dirname(config.config_file)
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read()
        except OSError as exc:
            raise FatalConfigError(f"Fatal error, can't open config file '{path}': {exc.strerror}") from None
    if "-" in args:
        args.remove("-")
        text += "\n" + sys.stdin.read()
    text += "\n" + options_to_text(args)
    load_text(config, text, base)
    return config, sentinel


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-v", "--version"):
        print(f"Redis server v={REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=pyredis-{__version__}")
        return 0
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    try:
        config, sentinel = build_config(argv)
    except FatalConfigError as exc:
        sys.stderr.write(str(exc))
        return 1
    if sentinel:
        from .sentinel import run_sentinel  # noqa: PLC0415
        return run_sentinel(config)
    return run_server(config)


def run_server(config: Config) -> int:
    log = Logger(str(config["loglevel"]), str(config["logfile"]), role="C")
    log.warning("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    log.warning(f"Redis version={REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid={os.getpid()}, "
                "just started")
    if config.config_file is None:
        log.warning("Warning: no config file specified, using the default config. In order to specify a config "
                    "file use pyredis-server /path/to/redis.conf")
    else:
        log.warning("Configuration loaded")
    directory = str(config["dir"])
    if directory:
        try:
            os.chdir(directory)
        except OSError as exc:
            log.warning(f"Can't chdir to '{directory}': {exc.strerror}")
            return 1
    try:
        import uvloop  # noqa: PLC0415
        uvloop.install()
    except ImportError:
        pass
    from ..commands.sentinel import drop_sentinel_only  # noqa: PLC0415
    from ..node.server import Node  # noqa: PLC0415
    drop_sentinel_only()
    log.role = "M"
    node = Node(config, log=log)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(node.start())
    except SystemExit as exc:
        return int(exc.code or 1)
    except OSError as exc:
        log.warning(f"Could not start: {exc}")
        return 1
    pidfile = str(config["pidfile"])
    if pidfile:
        try:
            with open(pidfile, "w") as fh:
                fh.write(f"{os.getpid()}\n")
        except OSError as exc:
            log.warning(f"Failed to write PID file: {exc.strerror}")
    node.install_signal_handlers()
    log.notice(f"Running mode={node.mode}, port={config['port']}.")
    log.warning("Server initialized")
    for hook in getattr(node, "startup_hooks", []):
        hook()
    log.notice("Ready to accept connections tcp")
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


if __name__ == "__main__":
    sys.exit(main())
