"""String commands (GET, SET, ...)."""

from ..protocol import resp
from ..protocol.errors import WRONGTYPE_ERR, CommandError
from .registry import command


def get_string(db, key: bytes) -> bytes | None:
    """The string at ``key`` or None; WRONGTYPE for another type."""
    value = db.lookup(key)
    if value is None or type(value) is bytes:
        return value  # type: ignore[return-value]
    raise CommandError(WRONGTYPE_ERR)


@command("get", 2, "readonly fast", 1, 1, 1, group="string", categories="@string", summary="Get the value of a key")
def get(client, argv: list[bytes]) -> bytes:
    value = client.db.lookup(argv[1])
    if value is None:
        return resp.NULL3 if client.resp == 3 else resp.NULL_BULK
    if type(value) is not bytes:
        raise CommandError(WRONGTYPE_ERR)
    return b"$%d\r\n%b\r\n" % (len(value), value)


@command("set", -3, "write denyoom", 1, 1, 1, group="string", categories="@string",
         summary="Set the string value of a key")
def set_(client, argv: list[bytes]) -> bytes:
    if len(argv) == 3:
        client.db.set(argv[1], argv[2])
        return resp.OK
    raise CommandError(b"ERR SET options are not implemented yet")
