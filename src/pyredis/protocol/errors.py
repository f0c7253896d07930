"""Redis's error texts, as constants, and the exception that carries one to the dispatcher.

Handlers raise ``CommandError(SOME_ERR)`` (or return ``error(SOME_ERR)``); the dispatcher turns
it into a ``-...\\r\\n`` reply and counts it in INFO errorstats under its first word.
"""


class CommandError(Exception):
    """A command failed with a Redis error reply; ``message`` is the text without the leading '-'."""

    __slots__ = ("message",)

    def __init__(self, message: bytes) -> None:
        super().__init__(message)
        self.message = message


class ProtocolError(Exception):
    """The client sent bytes that are not a request: reply with the text and close."""

    def __init__(self, message: bytes) -> None:
        super().__init__(message)
        self.message = message


WRONGTYPE_ERR = b"WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX_ERR = b"ERR syntax error"
NOT_INTEGER_ERR = b"ERR value is not an integer or out of range"
NOT_FLOAT_ERR = b"ERR value is not a valid float"
OUT_OF_RANGE_ERR = b"ERR index out of range"
NO_SUCH_KEY_ERR = b"ERR no such key"
DB_INDEX_ERR = b"ERR DB index is out of range"
OVERFLOW_ERR = b"ERR increment or decrement would overflow"
INCR_FLOAT_NAN_ERR = b"ERR increment would produce NaN or Infinity"
NOAUTH_ERR = b"NOAUTH Authentication required."
WRONGPASS_ERR = b"WRONGPASS invalid username-password pair or user is disabled."
NESTED_MULTI_ERR = b"ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI_ERR = b"ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI_ERR = b"ERR DISCARD without MULTI"
WATCH_IN_MULTI_ERR = b"ERR WATCH inside MULTI is not allowed"
EXECABORT_ERR = b"EXECABORT Transaction discarded because of previous errors."
OOM_ERR = b"OOM command not allowed when used memory > 'maxmemory'."
READONLY_ERR = b"READONLY You can't write against a read only replica."
TIMEOUT_NOT_FLOAT_ERR = b"ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE_ERR = b"ERR timeout is negative"
STRING_TOO_LONG_ERR = b"ERR string exceeds maximum allowed size (proto-max-bulk-len)"
BIT_OFFSET_ERR = b"ERR bit offset is not an integer or out of range"
BIT_VALUE_ERR = b"ERR bit is not an integer or out of range"
INVALID_EXPIRE_ERR_FMT = b"ERR invalid expire time in '%s' command"
PUBSUB_CONTEXT_ERR_FMT = (
    b"ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    b"allowed in this context"
)


def _c_str(s: bytes) -> bytes:
    """What a C ``%s`` sees of an argument: the bytes before the first NUL."""
    nul = s.find(b"\0")
    return s if nul < 0 else s[:nul]


def unknown_command(name: bytes, args: list[bytes]) -> bytes:
    """Redis's text for an unknown command, built as ``processCommand`` does it.

    Each argument is printed with ``'%.*s' `` (precision: 128 minus what is already shown), so an
    argument stops at a NUL byte and at the 128-byte budget, while the quotes and the space are
    always added; arguments are appended only while fewer than 128 bytes are shown. The name is
    printed with ``'%.128s'``.
    """
    shown = b""
    for a in args:
        if len(shown) >= 128:
            break
        shown += b"'" + _c_str(a)[:128 - len(shown)] + b"' "
    return b"ERR unknown command '%s', with args beginning with: %s" % (_c_str(name)[:128], shown)


def wrong_arity(name: bytes) -> bytes:
    return b"ERR wrong number of arguments for '%s' command" % name.lower()


def unknown_subcommand(sub: bytes, parent: bytes) -> bytes:
    return b"ERR unknown subcommand '%s'. Try %s HELP." % (_c_str(sub)[:128], _c_str(parent).upper())
