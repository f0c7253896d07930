"""AOF commands: BGREWRITEAOF and DEBUG LOADAOF.

The machinery (multi-part files, the rewrite child, loading) is ``persistence.aof`` as
``node.aof``; these handlers only map its outcome to Redis's replies.
"""

from ..persistence.aof import CANT_REWRITE_ERR
from ..protocol import resp
from ..protocol.errors import CommandError
from .registry import command
from .server import debug_subcommand

REWRITE_IN_PROGRESS_ERR = b"ERR Background append only file rewriting already in progress"
LOADAOF_FAILED_ERR = b"ERR Error trying to load the AOF files"


@command("bgrewriteaof", 1, "admin noscript no_async_loading", group="server",
         summary="Asynchronously rewrite the append-only file", since="1.0.0", complexity="O(1)")
def bgrewriteaof(client, argv: list[bytes]) -> bytes:
    outcome = client.node.aof.bgrewriteaof()
    if outcome == "in_progress":
        raise CommandError(REWRITE_IN_PROGRESS_ERR)
    if outcome == "scheduled":
        return resp.simple(b"Background append only file rewriting scheduled")
    if outcome == "error":
        raise CommandError(CANT_REWRITE_ERR)
    return resp.simple(b"Background append only file rewriting started")


@debug_subcommand("loadaof", 2)
def debug_loadaof(client, argv: list[bytes]) -> bytes:
    """DEBUG LOADAOF: flush the AOF, empty the dataset and load it back from the AOF files."""
    if not client.node.aof.reload():
        raise CommandError(LOADAOF_FAILED_ERR)
    return resp.OK
