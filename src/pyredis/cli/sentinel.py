"""``pyredis-sentinel [sentinel.conf]``: the same as ``pyredis-server sentinel.conf --sentinel``."""

import sys

from ..config import Config


def run_sentinel(config: Config) -> int:
    from ..sentinel.runner import run  # noqa: PLC0415 (a plain server never loads the sentinel)
    return run(config)


def main(argv: list[str] | None = None) -> int:
    from .server import main as server_main  # noqa: PLC0415
    argv = sys.argv[1:] if argv is None else argv
    return server_main([*argv, "--sentinel"])


if __name__ == "__main__":
    sys.exit(main())
