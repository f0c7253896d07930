"""The replica's side of the handshake with its master, as a sans-IO state machine.

Redis's ``syncWithMaster`` sends, in order: PING, [AUTH], REPLCONF listening-port,
[REPLCONF ip-address], REPLCONF capa eof capa psync2, PSYNC <replid> <offset> (or ``PSYNC ? -1``).
``Handshake.start()`` returns the first request; ``step(reply)`` takes each reply line and
returns the next request, or a final ``Outcome`` (full resync, continue, error). Nothing here
touches a socket: the link driver (``replica.py``) writes what it gets and feeds what it reads.
"""

from dataclasses import dataclass


@dataclass
class Outcome:
    kind: str              # "fullresync" | "continue" | "error" | "retry"
    replid: str = ""
    offset: int = -1
    message: str = ""


class Handshake:
    STATES = ("receive_ping_reply", "receive_auth_reply", "receive_port_reply", "receive_ip_reply",
              "receive_capa_reply", "receive_psync_reply", "done")

    def __init__(self, listening_port: int, cached_replid: str | None, cached_offset: int,
                 masterauth: str = "", masteruser: str = "", announce_ip: str = "") -> None:
        self.listening_port = listening_port
        self.cached_replid = cached_replid
        self.cached_offset = cached_offset
        self.masterauth = masterauth
        self.masteruser = masteruser
        self.announce_ip = announce_ip
        self.state = "receive_ping_reply"

    def start(self) -> list[bytes]:
        return [b"PING"]

    def psync_request(self) -> list[bytes]:
        if self.cached_replid:
            return [b"PSYNC", self.cached_replid.encode(), b"%d" % (self.cached_offset + 1)]
        return [b"PSYNC", b"?", b"-1"]

    def step(self, reply: bytes) -> list[bytes] | Outcome:
        """Feed one reply line (without CRLF); get the next request or the outcome."""
        state = self.state
        if state == "receive_ping_reply":
            # -NOAUTH is fine here: we authenticate next
            if reply.startswith(b"-") and not reply.startswith((b"-NOAUTH", b"-NOPERM", b"-ERR operation not permitted")):
                return self._fail(f"Error reply to PING from master: '{reply.decode(errors='replace')}'")
            if self.masterauth:
                self.state = "receive_auth_reply"
                if self.masteruser:
                    return [b"AUTH", self.masteruser.encode(), self.masterauth.encode()]
                return [b"AUTH", self.masterauth.encode()]
            return self._send_port()
        if state == "receive_auth_reply":
            if reply.startswith(b"-"):
                return self._fail(f"Unable to AUTH to MASTER: {reply.decode(errors='replace')}")
            return self._send_port()
        if state == "receive_port_reply":
            # an error here is only logged by Redis: old masters don't know REPLCONF
            if self.announce_ip:
                self.state = "receive_ip_reply"
                return [b"REPLCONF", b"ip-address", self.announce_ip.encode()]
            self.state = "receive_capa_reply"
            return [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]
        if state == "receive_ip_reply":
            self.state = "receive_capa_reply"
            return [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]
        if state == "receive_capa_reply":
            self.state = "receive_psync_reply"
            return self.psync_request()
        if state == "receive_psync_reply":
            self.state = "done"
            return self._psync_outcome(reply)
        return self._fail("handshake already finished")

    def _send_port(self) -> list[bytes]:
        self.state = "receive_port_reply"
        return [b"REPLCONF", b"listening-port", b"%d" % self.listening_port]

    def _psync_outcome(self, reply: bytes) -> Outcome:
        text = reply.decode(errors="replace")
        if text.startswith("+FULLRESYNC"):
            parts = text.split()
            if len(parts) < 3:
                return Outcome("error", message=f"Bad FULLRESYNC reply: {text}")
            return Outcome("fullresync", parts[1], int(parts[2]))
        if text.startswith("+CONTINUE"):
            parts = text.split()
            return Outcome("continue", parts[1] if len(parts) > 1 else (self.cached_replid or ""),
                           self.cached_offset)
        if text.startswith(("-NOMASTERLINK", "-LOADING")):
            return Outcome("retry", message=text)
        return Outcome("error", message=f"Unexpected reply to PSYNC from master: {text}")

    def _fail(self, message: str) -> Outcome:
        self.state = "done"
        return Outcome("error", message=message)
