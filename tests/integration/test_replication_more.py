"""More replication with real processes: chains, reads while streaming, masterauth, stale data,
disk-based and batched full syncs, what the stream carries (checked on the wire against a real
Redis master doing the same), big datasets, and the operator's view (INFO, ROLE, CLIENT LIST,
logs) compared with a real Redis pair in the same roles."""

import re
import socket
import subprocess
import threading
import time

import pytest
import redis

from pyredis.protocol.parser import RequestParser
from pyredis.protocol.resp import command

from ..support import wait_for

FAST_SYNC = ["--repl-diskless-sync-delay", "0"]


def link_up(client) -> bool:
    return client.info("replication").get("master_link_status") == "up"


def replica_of(make_server, master, *args, real: bool = False):
    rep = make_server(["--replicaof", "127.0.0.1", str(master.port), *FAST_SYNC, *args], real=real)
    wait_for(lambda: link_up(rep.client()), 30, message=f"replica {rep.port} linked to {master.port}")
    return rep


def offsets_agree(*servers) -> bool:
    offs = {s.client().info("replication")["master_repl_offset"] for s in servers}
    return len(offs) == 1


def raw_command(port: int, request: bytes) -> bytes:
    """Send one inline command and return the first reply line, error prefix included."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request + b"\r\n")
        data = b""
        while b"\r\n" not in data:
            data += s.recv(4096)
        return data.split(b"\r\n", 1)[0]


def dataset(client, dbs=(0,)) -> dict:
    """Every key of the given databases with its type and value (DUMP is encoding-specific)."""
    out = {}
    for db in dbs:
        client.execute_command("SELECT", db)
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            if kind == b"string":
                val = client.get(key)
            elif kind == b"list":
                val = tuple(client.lrange(key, 0, -1))
            elif kind == b"hash":
                val = tuple(sorted(client.hgetall(key).items()))
            elif kind == b"set":
                val = tuple(sorted(client.smembers(key)))
            elif kind == b"zset":
                val = tuple(client.zrange(key, 0, -1, withscores=True))
            else:
                val = kind
            out[(db, key)] = (kind, val)
    client.execute_command("SELECT", 0)
    return out


class FakeReplica:
    """A raw replication link: handshake, read the snapshot, then collect the command stream."""

    def __init__(self, port: int, eof: bool = True) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.parser = RequestParser(1 << 40, 1 << 40)
        self.commands: list[list[bytes]] = []
        self.raw = b""                      # the command stream as received, keep-alives included
        self.received: list[list[bytes]] = []   # every command in it, keep-alives included
        for req in (b"PING", b"REPLCONF listening-port 1", b"REPLCONF capa eof capa psync2" if eof else b"PING"):
            self.sock.sendall(req + b"\r\n")
            self.line()
        self.sock.sendall(b"PSYNC ? -1\r\n")
        self.fullresync = self.line()
        assert self.fullresync.startswith(b"+FULLRESYNC"), self.fullresync
        self.offset = int(self.fullresync.split()[2])
        header = self.line()
        while header == b"":            # keep-alive newlines while the master prepares the RDB
            header = self.line()
        if header.startswith(b"$EOF:"):
            mark = header[5:]
            while not self.buf.endswith(mark):
                self.recv()
            self.payload = self.buf[:-len(mark)]
            self.buf = b""
        else:
            size = int(header[1:])
            while len(self.buf) < size:
                self.recv()
            self.payload, self.buf = self.buf[:size], self.buf[size:]
        self.ack()

    def ack(self) -> None:
        # Redis starts streaming on the first ACK after the transfer is reaped: keep acking as replicas do
        self.sock.sendall(b"REPLCONF ACK %d\r\n" % self.offset)

    def recv(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("master closed the link")
        self.buf += data

    def line(self) -> bytes:
        while b"\n" not in self.buf:
            self.recv()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def stream(self) -> list[list[bytes]]:
        """Commands received so far, without the master's keep-alive PINGs and GETACKs."""
        self.ack()
        self.sock.settimeout(0.05)
        try:
            while True:
                self.recv()
        except (TimeoutError, BlockingIOError):
            pass
        finally:
            self.sock.settimeout(10)
        data, self.buf = self.buf, b""
        self.raw += data
        for argv in self.parser.feed(data):
            self.received.append(argv)
            if argv[0].upper() == b"PING" or (argv[0].upper() == b"REPLCONF" and argv[1].upper() == b"GETACK"):
                continue
            self.commands.append(argv)
        return self.commands

    def close(self) -> None:
        self.sock.close()


# ----- topologies

def test_chained_replica_receives_writes_and_offsets_agree(make_server):
    master = make_server(FAST_SYNC)
    mid = replica_of(make_server, master)
    leaf = replica_of(make_server, mid)
    m = master.client()
    for i in range(200):
        m.set(f"k{i}", i)
    m.incr("counter")
    wait_for(lambda: leaf.client().get("counter") == b"1", 10, message="write reached the end of the chain")
    wait_for(lambda: offsets_agree(master, mid, leaf), 10, message="offsets agree along the chain")
    assert dataset(leaf.client()) == dataset(m)
    info_mid = mid.client().info("replication")
    assert info_mid["role"] == "slave" and info_mid["connected_slaves"] == 1
    assert info_mid["master_replid"] == m.info("replication")["master_replid"]
    assert leaf.client().info("replication")["master_replid"] == info_mid["master_replid"]


def test_replica_serves_reads_while_it_streams(make_server):
    master = make_server(FAST_SYNC)
    rep = replica_of(make_server, master)
    stop = time.monotonic() + 3
    errors: list[Exception] = []

    def writer() -> None:
        m = master.client()
        try:
            n = 0
            while time.monotonic() < stop and n < 3000:
                m.incr("counter")
                n += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    r = rep.client()
    seen = []
    try:
        while t.is_alive():
            seen.append(int(r.get("counter") or 0))
    finally:
        t.join()
    assert not errors
    assert len(seen) > 10
    assert seen == sorted(seen), "a replica's reads never go back in time"
    final = int(master.client().get("counter"))
    wait_for(lambda: int(r.get("counter")) == final, 10, message="replica caught up")


def test_masterauth_authenticates_with_a_requirepass_master(make_server):
    master = make_server(["--requirepass", "s3cret", *FAST_SYNC])
    rep = make_server(["--replicaof", "127.0.0.1", str(master.port), "--masterauth", "s3cret"])
    wait_for(lambda: link_up(rep.client()), 20, message="authenticated replica linked")
    master.client(password="s3cret").set("k", "v")
    wait_for(lambda: rep.client().get("k") == b"v", 10)


def test_masteruser_authenticates_with_an_acl_user(make_server):
    master = make_server(FAST_SYNC)
    m = master.client()
    try:
        m.execute_command("ACL", "SETUSER", "repl", "on", ">pw", "+psync", "+replconf", "+ping")
    except redis.ResponseError as exc:
        pytest.skip(f"ACL SETUSER not available: {exc}")
    rep = make_server(["--replicaof", "127.0.0.1", str(master.port), "--masteruser", "repl", "--masterauth", "pw"])
    wait_for(lambda: link_up(rep.client()), 20, message="replica linked as ACL user")
    m.set("k", "v")
    wait_for(lambda: rep.client().get("k") == b"v", 10)


def test_wrong_masterauth_keeps_the_link_down(make_server):
    master = make_server(["--requirepass", "s3cret", *FAST_SYNC])
    rep = make_server(["--replicaof", "127.0.0.1", str(master.port), "--masterauth", "nope"])
    wait_for(lambda: "Unable to AUTH to MASTER" in rep.log(), 10, message="AUTH failure logged")
    assert not link_up(rep.client())


def test_serve_stale_data_no_answers_masterdown_while_the_link_is_down(make_server):
    master = make_server(FAST_SYNC)
    rep = replica_of(make_server, master, "--replica-serve-stale-data", "no")
    c = rep.client()
    master.client().set("k", "v")
    wait_for(lambda: c.get("k") == b"v", 10)
    master.stop()
    wait_for(lambda: not link_up(c), 10, message="link down")
    masterdown = b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
    assert raw_command(rep.port, b"GET k") == masterdown
    assert raw_command(rep.port, b"PING") == masterdown      # PING has no 'stale' flag in 7.0 either
    # stale-flagged commands still answer
    assert c.info("replication")["master_link_status"] == "down"
    assert c.execute_command("ROLE")[0] == b"slave"


# ----- full sync variants

def test_disk_based_payload_is_accepted_by_a_real_redis_replica(make_server):
    master = make_server(["--repl-diskless-sync", "no"])
    m = master.client()
    m.set("s", "v")
    m.rpush("l", *range(100))
    m.hset("h", mapping={"a": 1, "b": 2})
    real = replica_of(make_server, master, real=True)
    rc = real.client()
    wait_for(lambda: rc.dbsize() == 3, 10)
    assert dataset(rc) == dataset(m)
    m.set("live", "1")
    wait_for(lambda: rc.get("live") == b"1", 10)
    assert "receiving" in real.log() and "bytes from master to disk" in real.log()


def test_disk_based_payload_is_accepted_by_a_pyredis_replica(make_server):
    master = make_server(["--repl-diskless-sync", "no"])
    master.client().set("s", "v")
    rep = replica_of(make_server, master)
    wait_for(lambda: rep.client().get("s") == b"v", 10)
    master.client().set("live", "1")
    wait_for(lambda: rep.client().get("live") == b"1", 10)


def test_diskless_sync_delay_batches_two_replicas_in_one_fork(make_server):
    master = make_server(["--repl-diskless-sync-delay", "2"])
    master.client().set("k", "v")
    reps = [make_server(["--replicaof", "127.0.0.1", str(master.port)]) for _ in range(2)]
    for rep in reps:
        wait_for(lambda rep=rep: link_up(rep.client()), 20, message="replica linked")
        assert rep.client().get("k") == b"v"
    assert master.log().count("Background RDB transfer started by pid") == 1
    assert master.client().info("stats")["sync_full"] == 2


def test_big_value_survives_full_sync_and_streaming(make_server):
    master = make_server(FAST_SYNC)
    m = master.client()
    big = bytes(range(256)) * 4096            # 1 MB
    m.set("before", big)
    rep = replica_of(make_server, master)
    c = rep.client()
    assert c.get("before") == big
    m.set("after", big[::-1])
    wait_for(lambda: c.strlen("after") == len(big), 10)
    assert c.get("after") == big[::-1]


def test_fifty_thousand_keys_full_sync(make_server):
    master = make_server(FAST_SYNC)
    m = master.client()
    for start in range(0, 50000, 5000):
        m.mset({f"key:{i}": f"val:{i}" for i in range(start, start + 5000)})
    rep = replica_of(make_server, master)
    c = rep.client()
    wait_for(lambda: c.dbsize() == 50000, 30)
    sample = [f"key:{i}" for i in range(0, 50000, 997)]
    assert c.mget(sample) == m.mget(sample)


def test_sync_without_psync_gets_the_payload_without_fullresync(make_server):
    master = make_server(["--repl-diskless-sync", "no"])
    master.client().set("k", "v")
    with socket.create_connection(("127.0.0.1", master.port), timeout=10) as s:
        s.sendall(b"SYNC\r\n")
        data = b""
        while b"\r\n" not in data.lstrip(b"\n"):
            data += s.recv(4096)
    assert data.lstrip(b"\n").startswith(b"$"), data[:40]
    assert "Replica 127.0.0.1:<unknown-replica-port> asks for synchronization" in master.log()


def test_redis_cli_rdb_downloads_a_snapshot(make_server, tmp_path):
    master = make_server(FAST_SYNC)
    master.client().set("snapshot-key", "v")
    path = tmp_path / "dump.rdb"
    out = subprocess.run(["redis-cli", "-p", str(master.port), "--rdb", str(path)], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "Transfer finished with success" in out.stdout + out.stderr
    data = path.read_bytes()
    assert data.startswith(b"REDIS0010") and b"snapshot-key" in data


# ----- what the stream carries

def _stream_ops(port: int) -> list[list[bytes]]:
    """Run the same writes on a master and return what a replica receives, PXAT times masked."""
    fake = FakeReplica(port)
    c = redis.Redis(port=port, socket_timeout=10)
    c.set("a", "1")
    tx = c.pipeline(transaction=True)
    tx.incr("a")
    tx.set("b", "2")
    tx.execute()
    tx = c.pipeline(transaction=True)
    tx.incr("a")
    tx.get("a")
    tx.execute()                               # one write: no MULTI/EXEC around it
    c.execute_command("SELECT", 3)
    c.set("c", "3")
    c.execute_command("SELECT", 0)
    pipe = c.pipeline(transaction=False)      # one read, one dispatcher batch, across SELECTs
    pipe.set("p1", "1").execute_command("SELECT", 2).set("p2", "2").incr("p2")
    pipe.execute_command("SELECT", 0).lpush("p3", "x").expire("p3", 100)
    pipe.execute()
    c.config_set("appendonly", "yes")         # the AOF joins the stream among the feeds...
    c.set("p4", "4")
    c.config_set("appendonly", "no")          # ...and leaves
    c.set("p5", "5")
    c.publish("chan", "hello")
    c.execute_command("SPUBLISH", "schan", "hi")
    c.set("e", "x", px=100)
    wait_for(lambda: c.get("e") is None, 5)    # the lazy expiry on the master propagates a DEL
    c.flushall()
    c.set("last", "1")
    try:
        wait_for(lambda: fake.stream() and fake.commands[-1] == [b"SET", b"last", b"1"], 5,
                 message="the stream's last write")
        ops = []
        for argv in fake.commands:
            if len(argv) == 5 and argv[3].upper() == b"PXAT":
                argv = argv[:4] + [b"<time>"]
            if argv[0].upper() == b"PEXPIREAT":
                argv = argv[:2] + [b"<time>"]
            ops.append(argv)
        return ops
    finally:
        fake.close()
        c.close()


def test_stream_matches_real_redis_for_multi_select_publish_expiry_flushall(make_server):
    ours = make_server(FAST_SYNC)
    real = make_server(FAST_SYNC, real=True)
    got = _stream_ops(ours.port)
    want = _stream_ops(real.port)
    assert got == want
    assert [b"PUBLISH", b"chan", b"hello"] in got
    assert [b"MULTI"] in got and [b"EXEC"] in got
    assert [b"DEL", b"e"] in got


def test_stream_is_canonical_whatever_framing_the_client_used(make_server):
    # a request alone in its read is forwarded as received (the parser vouches that those bytes
    # are its canonical encoding); anything else is encoded again: either way the replica, and
    # the offsets, see exactly what Redis would send
    master = make_server(FAST_SYNC)
    fake = FakeReplica(master.port)
    sent = [
        b"set in line\r\n",                                             # inline
        b"*3\r\n$3\r\nsEt\r\n$3\r\none\r\n$1\r\n1\r\n",                 # alone in its read
        b"*3\r\n$3\r\nSET\r\n$4\r\nc\r\nr\r\n$2\r\n\r\n\r\n",             # CRLF inside payloads
        b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n",  # pipelined
        b"*5\r\n$4\r\nMSET\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n",   # more than 4 arguments
    ]
    with socket.create_connection(("127.0.0.1", master.port), timeout=10) as s:
        for data in sent:
            s.sendall(data)
            time.sleep(0.05)            # one read each
        s.sendall(b"SET last 1\r\n")
        reply = b""
        while reply.count(b"\r\n") < 7:
            reply += s.recv(4096)
        assert reply == b"+OK\r\n+OK\r\n+OK\r\n:1\r\n:2\r\n+OK\r\n+OK\r\n"
    try:
        wait_for(lambda: fake.stream() and fake.commands[-1] == [b"SET", b"last", b"1"], 5,
                 message="the stream's last write")
        assert fake.commands == [[b"SELECT", b"0"], [b"set", b"in", b"line"], [b"sEt", b"one", b"1"],
                                 [b"SET", b"c\r\nr", b"\r\n"], [b"INCR", b"n"], [b"RPUSH", b"l", b"a", b"b"],
                                 [b"MSET", b"x", b"1", b"y", b"2"], [b"SET", b"last", b"1"]]
        assert fake.raw == b"".join(command(argv) for argv in fake.received)
    finally:
        fake.close()


def test_publish_on_the_master_reaches_subscribers_of_the_replica(make_server):
    master = make_server(FAST_SYNC)
    rep = replica_of(make_server, master)
    ps = rep.client().pubsub()
    ps.subscribe("news")
    wait_for(lambda: ps.get_message(timeout=0.1) is not None, 5)   # the subscribe confirmation
    assert master.client().publish("news", "hello") == 0           # nobody on the master itself
    msg = wait_for(lambda: ps.get_message(timeout=0.1), 10, message="message relayed by the replica")
    assert msg["type"] == "message" and msg["data"] == b"hello"
    ps.close()


def test_expired_key_disappears_on_the_replica_through_the_masters_del(make_server):
    master = make_server([*FAST_SYNC, "--enable-debug-command", "yes"])
    rep = replica_of(make_server, master)
    m, c = master.client(), rep.client()
    m.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    m.set("t", "v", px=300)
    m.set("keep", "1")
    wait_for(lambda: c.get("t") == b"v", 5)
    # after the TTL the replica answers as if the key were absent, yet keeps it until the DEL
    wait_for(lambda: c.get("t") is None, 5, message="replica hides the logically expired key")
    assert c.exists("t") == 0
    assert c.dbsize() == 2, "a replica never expires keys itself"
    assert m.dbsize() == 2
    assert m.get("t") is None                  # lazy expiry on the master: DEL goes down the link
    wait_for(lambda: c.dbsize() == 1, 5, message="the master's DEL removed the key on the replica")


def test_flushall_and_multiple_databases_propagate(make_server):
    master = make_server(FAST_SYNC)
    rep = replica_of(make_server, master)
    m, c = master.client(), rep.client()
    for db in (0, 5, 9):
        m.execute_command("SELECT", db)
        m.set(f"in{db}", db)
    m.execute_command("SELECT", 0)
    wait_for(lambda: dataset(c, (0, 5, 9)) == dataset(m, (0, 5, 9)) and len(dataset(c, (0, 5, 9))) == 3, 10)
    m.flushall()
    wait_for(lambda: not dataset(c, (0, 5, 9)), 10, message="FLUSHALL emptied the replica")


# ----- the operator's view, compared with a real pair

def _field_names(info_text: str) -> list[str]:
    names = []
    for line in info_text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split(":", 1)[0]
        names.append(re.sub(r"^slave\d+$", "slaveN", name))
    return names


def _pair(make_server, real: bool):
    master = make_server(FAST_SYNC, real=real)
    rep = replica_of(make_server, master, real=real)
    master.client().set("k", "v")
    wait_for(lambda: rep.client().get("k") == b"v", 10)
    wait_for(lambda: offsets_agree(master, rep), 10)
    return master, rep


def _info_text(server) -> str:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"INFO replication\r\n")
        data = b""
        while True:
            data += s.recv(65536)
            if data.startswith(b"$"):
                head, _, rest = data.partition(b"\r\n")
                if len(rest) >= int(head[1:]) + 2:
                    return rest[:int(head[1:])].decode()


@pytest.fixture
def pairs(make_server):
    return _pair(make_server, real=False), _pair(make_server, real=True)


def test_info_replication_fields_match_real_redis_in_name_and_order(pairs):
    (ours_m, ours_r), (real_m, real_r) = pairs
    assert _field_names(_info_text(ours_m)) == _field_names(_info_text(real_m))
    assert _field_names(_info_text(ours_r)) == _field_names(_info_text(real_r))
    slave_line = next(v for v in _info_text(ours_m).splitlines() if v.startswith("slave0:"))
    pattern = rf"slave0:ip=127\.0\.0\.1,port={ours_r.port},state=online,offset=\d+,lag=\d+"
    assert re.fullmatch(pattern, slave_line)


def test_info_replication_fields_with_the_link_down_match_real_redis(make_server):
    dead = make_server(FAST_SYNC)
    dead_port = dead.port
    dead.stop()
    texts = []
    for real in (False, True):
        rep = make_server(["--replicaof", "127.0.0.1", str(dead_port)], real=real)
        wait_for(lambda rep=rep: "master_link_down_since_seconds" in _info_text(rep), 10)
        texts.append(_info_text(rep))
        role = rep.client().execute_command("ROLE")
        assert role[0] == b"slave" and role[3] in (b"connect", b"connecting") and role[4] == -1
    assert _field_names(texts[0]) == _field_names(texts[1])


def test_role_replies_have_real_redis_shapes(pairs):
    def shape(value):
        if isinstance(value, list):
            return [shape(v) for v in value]
        return type(value).__name__

    (ours_m, ours_r), (real_m, real_r) = pairs
    om, rm = ours_m.client().execute_command("ROLE"), real_m.client().execute_command("ROLE")
    assert shape(om) == shape(rm)
    assert om[2][0][:2] == [b"127.0.0.1", str(ours_r.port).encode()]
    orr, rr = ours_r.client().execute_command("ROLE"), real_r.client().execute_command("ROLE")
    assert shape(orr) == shape(rr)
    assert orr[:4] == [b"slave", b"127.0.0.1", ours_m.port, b"connected"]
    # the replica's processed offset is the master's, read again as long as the master's periodic
    # PING (14 bytes) lands between the two ROLE calls
    wait_for(lambda: ours_r.client().execute_command("ROLE")[4] == ours_m.client().execute_command("ROLE")[1], 10)


def test_client_list_flags_replica_and_master_links(pairs):
    (ours_m, ours_r), _ = pairs
    master_side = ours_m.client().client_list(_type="replica")
    assert len(master_side) == 1 and master_side[0]["flags"] == "S"
    replica_side = ours_r.client().client_list(_type="master")
    assert len(replica_side) == 1 and replica_side[0]["flags"] == "M"
    assert replica_side[0]["addr"] == f"127.0.0.1:{ours_m.port}"
    assert ours_m.client().execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
    wait_for(lambda: len(ours_m.client().client_list(_type="replica")) == 1, 10, message="replica reconnected")


def test_logs_use_redis_wording(pairs):
    (ours_m, ours_r), (real_m, real_r) = pairs
    wait_for(lambda: "Synchronization with replica" in ours_m.log(), 5)
    for m in (ours_m, real_m):
        m.client().execute_command("CLIENT", "KILL", "TYPE", "replica")
        wait_for(lambda m=m: "Partial resynchronization request from" in m.log(), 10)
    log_m, log_r = ours_m.log(), ours_r.log()
    for text in (f"Replica 127.0.0.1:{ours_r.port} asks for synchronization",
                 f"Full resync requested by replica 127.0.0.1:{ours_r.port}",
                 "Starting BGSAVE for SYNC with target: replicas sockets",
                 f"Synchronization with replica 127.0.0.1:{ours_r.port} succeeded",
                 f"Partial resynchronization request from 127.0.0.1:{ours_r.port} accepted."):
        assert text in log_m and text in real_m.log().replace(str(real_r.port), str(ours_r.port)), text
    for text in (f"Connecting to MASTER 127.0.0.1:{ours_m.port}", "MASTER <-> REPLICA sync started",
                 "Master replied to PING, replication can continue...",
                 "Partial resynchronization not possible (no cached master)",
                 "MASTER <-> REPLICA sync: Finished with success",
                 "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."):
        assert text in log_r, text
    assert re.search(r"^\d+:M \d\d \w{3} \d{4} [\d:.]+ \* Synchronization with replica", log_m, re.M)
    assert re.search(r"^\d+:S \d\d \w{3} \d{4} [\d:.]+ \* MASTER <-> REPLICA sync started", log_r, re.M)
