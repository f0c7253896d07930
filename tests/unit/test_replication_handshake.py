"""The replica's handshake as a pure state machine: each step's request, each reply's outcome,
in the order Redis's ``syncWithMaster`` uses (PING, AUTH, REPLCONF listening-port,
REPLCONF ip-address, REPLCONF capa, PSYNC)."""

from pyredis.replication.handshake import Handshake, Outcome

REPLID = "a" * 40
NEWID = "b" * 40
CAPA = [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]


def run_to_psync(hs: Handshake) -> list[bytes]:
    """Answer +PONG/+OK to everything before PSYNC and return the PSYNC request."""
    req = hs.start()
    while req[0] != b"PSYNC":
        req = hs.step(b"+PONG" if req[0] == b"PING" else b"+OK")
        assert isinstance(req, list)
    return req


def test_start_sends_ping():
    assert Handshake(6380, None, 0).start() == [b"PING"]


def test_without_auth_the_sequence_is_ping_port_capa_psync():
    hs = Handshake(6380, None, 0)
    assert hs.start() == [b"PING"]
    assert hs.step(b"+PONG") == [b"REPLCONF", b"listening-port", b"6380"]
    assert hs.state == "receive_port_reply"
    assert hs.step(b"+OK") == CAPA
    assert hs.state == "receive_capa_reply"
    assert hs.step(b"+OK") == [b"PSYNC", b"?", b"-1"]
    assert hs.state == "receive_psync_reply"


def test_masterauth_sends_auth_with_password_after_ping():
    hs = Handshake(6380, None, 0, masterauth="secret")
    hs.start()
    assert hs.step(b"-NOAUTH Authentication required.") == [b"AUTH", b"secret"]
    assert hs.state == "receive_auth_reply"
    assert hs.step(b"+OK") == [b"REPLCONF", b"listening-port", b"6380"]


def test_masteruser_sends_two_argument_auth():
    hs = Handshake(6380, None, 0, masterauth="pw", masteruser="repl")
    hs.start()
    assert hs.step(b"+PONG") == [b"AUTH", b"repl", b"pw"]


def test_masteruser_without_masterauth_sends_no_auth():
    hs = Handshake(6380, None, 0, masteruser="repl")
    hs.start()
    assert hs.step(b"+PONG") == [b"REPLCONF", b"listening-port", b"6380"]


def test_auth_refused_is_an_error_outcome():
    hs = Handshake(6380, None, 0, masterauth="wrong")
    hs.start()
    hs.step(b"-NOAUTH Authentication required.")
    out = hs.step(b"-WRONGPASS invalid username-password pair or user is disabled.")
    assert isinstance(out, Outcome) and out.kind == "error"
    assert "Unable to AUTH to MASTER" in out.message and "WRONGPASS" in out.message
    assert hs.state == "done"


def test_noauth_ping_reply_without_masterauth_continues_and_fails_later():
    # Redis only logs -NOAUTH to PING; the master then refuses REPLCONF/PSYNC
    hs = Handshake(6380, None, 0)
    hs.start()
    assert hs.step(b"-NOAUTH Authentication required.") == [b"REPLCONF", b"listening-port", b"6380"]


def test_other_error_to_ping_is_an_error_outcome():
    hs = Handshake(6380, None, 0)
    hs.start()
    out = hs.step(b"-ERR something bad")
    assert isinstance(out, Outcome) and out.kind == "error"
    assert out.message == "Error reply to PING from master: '-ERR something bad'"


def test_announce_ip_sends_replconf_ip_address_after_port():
    hs = Handshake(7000, None, 0, announce_ip="10.0.0.5")
    hs.start()
    assert hs.step(b"+PONG") == [b"REPLCONF", b"listening-port", b"7000"]
    assert hs.step(b"+OK") == [b"REPLCONF", b"ip-address", b"10.0.0.5"]
    assert hs.state == "receive_ip_reply"
    assert hs.step(b"+OK") == CAPA


def test_replconf_errors_are_tolerated_like_old_masters():
    hs = Handshake(7000, None, 0, announce_ip="10.0.0.5")
    hs.start()
    hs.step(b"+PONG")
    assert hs.step(b"-ERR Unrecognized REPLCONF option: listening-port") == [b"REPLCONF", b"ip-address", b"10.0.0.5"]
    assert hs.step(b"-ERR nope") == CAPA
    assert hs.step(b"-ERR nope") == [b"PSYNC", b"?", b"-1"]


def test_cached_master_asks_for_the_next_offset():
    hs = Handshake(6380, REPLID, 1234)
    assert run_to_psync(hs) == [b"PSYNC", REPLID.encode(), b"1235"]


def test_fullresync_outcome_carries_replid_and_offset():
    hs = Handshake(6380, None, 0)
    run_to_psync(hs)
    out = hs.step(b"+FULLRESYNC " + NEWID.encode() + b" 5000")
    assert out == Outcome("fullresync", NEWID, 5000)
    assert hs.state == "done"


def test_malformed_fullresync_is_an_error():
    hs = Handshake(6380, None, 0)
    run_to_psync(hs)
    out = hs.step(b"+FULLRESYNC")
    assert isinstance(out, Outcome) and out.kind == "error"


def test_continue_without_id_keeps_the_cached_id_and_offset():
    hs = Handshake(6380, REPLID, 99)
    run_to_psync(hs)
    assert hs.step(b"+CONTINUE") == Outcome("continue", REPLID, 99)


def test_continue_with_new_id_reports_the_new_id():
    hs = Handshake(6380, REPLID, 99)
    run_to_psync(hs)
    assert hs.step(b"+CONTINUE " + NEWID.encode()) == Outcome("continue", NEWID, 99)


def test_nomasterlink_means_retry_later():
    hs = Handshake(6380, REPLID, 10)
    run_to_psync(hs)
    out = hs.step(b"-NOMASTERLINK Can't SYNC while not connected with my master")
    assert isinstance(out, Outcome) and out.kind == "retry"
    assert out.message.startswith("-NOMASTERLINK")


def test_loading_means_retry_later():
    hs = Handshake(6380, None, 0)
    run_to_psync(hs)
    out = hs.step(b"-LOADING Redis is loading the dataset in memory")
    assert isinstance(out, Outcome) and out.kind == "retry"


def test_error_to_psync_is_an_error_outcome():
    hs = Handshake(6380, None, 0)
    run_to_psync(hs)
    out = hs.step(b"-ERR unknown command 'PSYNC'")
    assert isinstance(out, Outcome) and out.kind == "error"
    assert "Unexpected reply to PSYNC from master" in out.message


def test_step_after_done_is_an_error():
    hs = Handshake(6380, None, 0)
    run_to_psync(hs)
    hs.step(b"+FULLRESYNC " + NEWID.encode() + b" 0")
    out = hs.step(b"+OK")
    assert isinstance(out, Outcome) and out.kind == "error"
