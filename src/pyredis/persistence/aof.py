"""The append-only file, in Redis 7.0's multi-part layout.

Files live in ``appenddirname`` (relative to ``dir``, the working directory): one BASE file — a
snapshot written by the last rewrite, ``<appendfilename>.<seq>.base.rdb`` (RDB, with
``aof-use-rdb-preamble yes``) or ``.base.aof`` (commands) — then the INCR files
``<appendfilename>.<seq>.incr.aof`` holding, as RESP commands, every write since. The manifest
``<appendfilename>.manifest`` lists them (``file <name> seq <n> type <b|h|i>``); HISTORY (``h``)
files are leftovers of a finished rewrite, deleted right after. The manifest is only ever
replaced atomically (temp file, fsync, rename, fsync of the directory), so a crash at any point
leaves a manifest naming files that exist and together hold every acknowledged write.

Writing. ``install`` registers ``feed`` in ``node.feeds`` while the AOF is on: every write
arrives in Redis 7's effect form (MULTI/EXEC kept together, expired keys as DEL), is encoded
with a SELECT when the db changes, and buffered. With ``appendfsync always`` the buffer is
written and fdatasync'ed inside the feed, i.e. before the reply leaves; if that fails the
command's reply becomes Redis's MISCONF error (``node.write_refusal``, read by the dispatcher)
and further writes are refused until a retry from the cron succeeds — nothing is acknowledged
that is not on disk. With ``everysec``/``no`` the buffer is written once per loop iteration
and, for ``everysec``, a background thread fsyncs at most once a second (Redis's bio job).

Rewriting (BGREWRITEAOF, auto rewrite, turning the AOF on at run time). The parent flushes,
opens a new INCR file and records it in the manifest, then forks; the child writes the dataset
at the fork into ``temp-rewriteaof-bg-<pid>.aof``; when it succeeds the parent renames it into
the next BASE, marks the older BASE/INCR files history, swaps the manifest and deletes them.
Writes made during the rewrite go to the new INCR file, so nothing is lost whichever way the
child ends. The child occupies the node's one child slot (``node.rdb.child_pid``/``child_type
"aof"``), as in Redis where only one fork runs at a time.

Loading (start-up with ``appendonly yes``, instead of dump.rdb): the BASE (RDB through the
shared decoder, or commands), then every INCR file in manifest order, replayed through the
command handlers with a fake client. A truncated last command is cut off with
``aof-load-truncated yes`` and is fatal otherwise, with Redis's log lines and exit code 1.
"""

import errno
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator

from ..protocol.parser import split_inline
from ..protocol.sdsrepr import sds_repr
from . import forking, rdb
from .snapshot import _function_codes as function_codes

OFF, ON, WAIT_REWRITE = "off", "on", "wait_rewrite"
TYPE_BASE, TYPE_HIST, TYPE_INCR = "b", "h", "i"

# loadSingleAppendOnlyFile / loadAppendOnlyFiles results
AOF_OK, AOF_NOT_EXIST, AOF_EMPTY, AOF_OPEN_ERR, AOF_FAILED, AOF_TRUNCATED = range(6)

MANIFEST_MAX_LINE = 1024
ITEMS_PER_CMD = 64                      # AOF_REWRITE_ITEMS_PER_CMD
AUTOSYNC_BYTES = 4 * 1024 * 1024        # aof-rewrite-incremental-fsync: fsync every 4 MB
WRITE_ERROR_LOG_RATE = 30               # seconds between two logs of the same write error
REWRITE_LIMIT_THRESHOLD = 3             # consecutive failures before auto rewrites back off
REWRITE_LIMIT_MAX_MINUTES = 60
CHUNK = 64 * 1024

CANT_REWRITE_ERR = (b"ERR Can't execute an AOF background rewriting. Please check the server logs for more "
                    b"information.")


def misconf_error(err: int) -> bytes:
    return b"MISCONF Errors writing to the AOF file: " + os.strerror(err).encode()


# ======================================================================= the manifest

class ManifestError(Exception):
    """A manifest Redis would refuse: ``reason`` is its message, ``lineno``/``line`` where."""

    def __init__(self, reason: str, lineno: int = 0, line: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.lineno = lineno
        self.line = line


class AofInfo:
    __slots__ = ("name", "seq", "type")

    def __init__(self, name: str, seq: int, type_: str) -> None:
        self.name = name
        self.seq = seq
        self.type = type_

    def __repr__(self) -> str:
        return f"AofInfo({self.name!r}, {self.seq}, {self.type!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AofInfo) and (self.name, self.seq, self.type)
                == (other.name, other.seq, other.type))

    def format(self) -> str:
        name = _repr(self.name) if _needs_repr(self.name) else self.name
        return f"file {name} seq {self.seq} type {self.type}\n"


class Manifest:
    """What ``aofManifest`` holds: the base, history and incr files and the last sequences."""

    def __init__(self) -> None:
        self.base: AofInfo | None = None
        self.history: list[AofInfo] = []
        self.incr: list[AofInfo] = []
        self.base_seq = 0
        self.incr_seq = 0
        self.dirty = False

    @classmethod
    def parse(cls, text: bytes) -> "Manifest":
        """``aofLoadManifestFromFile``'s rules, raising ManifestError with Redis's reasons."""
        am = cls()
        maxseq = 0
        lines = text.split(b"\n")
        tail = lines.pop()               # after the last newline: empty unless the line is unfinished
        if not lines and not tail:
            raise ManifestError("Found an empty AOF manifest")
        if tail:
            lines.append(tail)
        for lineno, raw in enumerate(lines, 1):
            if raw.startswith(b"#"):
                continue
            unfinished = raw is tail and tail != b""
            if unfinished or len(raw) + 1 > MANIFEST_MAX_LINE:
                raise ManifestError("The AOF manifest file contains too long line")
            line = raw.strip(b" \t\r\n")
            shown = line.decode("utf-8", "replace")
            if not line:
                raise ManifestError("Invalid AOF manifest file format", lineno, shown)
            try:
                argv = split_inline(line)
            except Exception:  # noqa: BLE001 (unbalanced quotes: sdssplitargs gives NULL)
                argv = []
            if len(argv) < 6 or len(argv) % 2:
                raise ManifestError("Invalid AOF manifest file format", lineno, shown)
            name, seq, ftype = None, 0, ""
            for i in range(0, len(argv), 2):
                key = argv[i].lower()
                if key == b"file":
                    name = os.fsdecode(argv[i + 1])
                    if "/" in name:
                        raise ManifestError("File can't be a path, just a filename", lineno, shown)
                elif key == b"seq":
                    seq = _atoll(argv[i + 1])
                elif key == b"type":
                    ftype = argv[i + 1][:1].decode("latin-1")
            if not name or not seq or not ftype:
                raise ManifestError("Invalid AOF manifest file format", lineno, shown)
            info = AofInfo(name, seq, ftype)
            if ftype == TYPE_BASE:
                if am.base is not None:
                    raise ManifestError("Found duplicate base file information", lineno, shown)
                am.base = info
                am.base_seq = seq
            elif ftype == TYPE_HIST:
                am.history.append(info)
            elif ftype == TYPE_INCR:
                if seq <= maxseq:
                    raise ManifestError("Found a non-monotonic sequence number", lineno, shown)
                am.incr.append(info)
                am.incr_seq = seq
                maxseq = seq
            else:
                raise ManifestError("Unknown AOF file type", lineno, shown)
        return am

    def format(self) -> bytes:
        """The base first, then history, then incr files (``getAofManifestAsString``)."""
        out = []
        if self.base is not None:
            out.append(self.base.format())
        out += [info.format() for info in self.history]
        out += [info.format() for info in self.incr]
        return os.fsencode("".join(out))

    def dup(self) -> "Manifest":
        am = Manifest()
        am.base = AofInfo(self.base.name, self.base.seq, self.base.type) if self.base else None
        am.history = [AofInfo(i.name, i.seq, i.type) for i in self.history]
        am.incr = [AofInfo(i.name, i.seq, i.type) for i in self.incr]
        am.base_seq = self.base_seq
        am.incr_seq = self.incr_seq
        am.dirty = self.dirty
        return am

    def new_base(self, filename: str, rdb_preamble: bool) -> str:
        """Name the next BASE file; the current one becomes history."""
        if self.base is not None:
            self.base.type = TYPE_HIST
            self.history.insert(0, self.base)
        self.base_seq += 1
        name = f"{filename}.{self.base_seq}.base.{'rdb' if rdb_preamble else 'aof'}"
        self.base = AofInfo(name, self.base_seq, TYPE_BASE)
        self.dirty = True
        return name

    def new_incr(self, filename: str) -> str:
        self.incr_seq += 1
        name = f"{filename}.{self.incr_seq}.incr.aof"
        self.incr.append(AofInfo(name, self.incr_seq, TYPE_INCR))
        self.dirty = True
        return name

    def last_incr(self, filename: str) -> str:
        return self.incr[-1].name if self.incr else self.new_incr(filename)

    def mark_rewritten_incr_as_history(self, keep_last: bool) -> None:
        """After a rewrite every INCR file but the one being written (if any) is history."""
        if not self.incr:
            return
        done = self.incr[:-1] if keep_last else self.incr
        self.incr = self.incr[-1:] if keep_last else []
        for info in reversed(done):
            self.history.insert(0, AofInfo(info.name, info.seq, TYPE_HIST))
        self.dirty = True


def _atoll(text: bytes) -> int:
    text = text.strip()
    end = 1 if text[:1] in (b"-", b"+") else 0
    while end < len(text) and 48 <= text[end] <= 57:
        end += 1
    try:
        return int(text[:end])
    except ValueError:
        return 0


_REPR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a", "\b": "\\b"}


def _needs_repr(name: str) -> bool:
    return any(c in _REPR or not c.isprintable() or c.isspace() for c in name)


def _repr(name: str) -> str:
    return sds_repr(os.fsencode(name))


# ======================================================================= the command stream

class ShortRead(Exception):
    """The data ended inside a command (a crash while appending)."""


class FormatError(Exception):
    """Bytes that are not an AOF command (``fmterr``)."""


def iter_commands(data: bytes, pos: int = 0) -> Iterator[tuple[list[bytes], int]]:
    """Parse AOF commands from ``data[pos:]``: yields ``(argv, offset after it)``. ``#`` lines
    (annotations) are skipped. Raises ShortRead or FormatError as Redis's loader tells them."""
    n = len(data)
    find = data.find
    while pos < n:
        eol = find(b"\n", pos)
        if eol < 0:
            raise ShortRead
        first = data[pos]
        if first == 0x23:              # '#': an annotation line
            pos = eol + 1
            continue
        if first != 0x2A:              # '*'
            raise FormatError
        argc = _atoll(data[pos + 1:eol])
        if argc < 1:
            raise FormatError
        pos = eol + 1
        argv = []
        for _ in range(argc):
            eol = find(b"\n", pos)
            if eol < 0:
                raise ShortRead
            if data[pos] != 0x24:      # '$'
                raise FormatError
            size = _atoll(data[pos + 1:eol])
            start = eol + 1
            end = start + size
            if size < 0 or end + 2 > n:
                raise ShortRead
            argv.append(data[start:end])
            pos = end + 2
        yield argv, pos


def encode_command(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    append = parts.append
    for a in argv:
        append(b"$%d\r\n%b\r\n" % (len(a), a))
    return b"".join(parts)


def select_command(dbid: int) -> bytes:
    text = b"%d" % dbid
    return b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%b\r\n" % (len(text), text)


def iter_rewrite(keyspace) -> Iterator[bytes]:
    """The dataset as commands (``rewriteAppendOnlyFileRio``): SET/RPUSH/SADD/ZADD/HMSET with at
    most 64 items each, PEXPIREAT for keys with a TTL, a SELECT before each non-empty db."""
    from ..engine.values import ListValue  # noqa: PLC0415
    parts: list[bytes] = []
    size = 0
    for db in getattr(keyspace, "dbs", keyspace):
        data = db.data
        if not data:
            continue
        parts.append(select_command(db.id))
        expires = db.expires
        for key, value in data.items():
            t = type(value)
            if t is bytes:
                parts.append(encode_command([b"SET", key, value]))
            elif t is ListValue:
                parts += _batched(b"RPUSH", key, list(value))
            elif t is set:
                parts += _batched(b"SADD", key, list(value))
            elif t is dict:
                parts += _batched(b"HMSET", key, [x for pair in value.items() for x in pair], 2)
            elif hasattr(value, "scores"):
                flat = [x for member, score in value.scores.items() for x in (_score(score), member)]
                parts += _batched(b"ZADD", key, flat, 2)
            else:
                raise rdb.RDBError(f"can't rewrite a value of type {t.__name__}")
            when = expires.get(key) if expires else None
            if when is not None:
                parts.append(encode_command([b"PEXPIREAT", key, b"%d" % when]))
            size += len(parts[-1])
            if size >= CHUNK:
                yield b"".join(parts)
                parts = []
                size = 0
    if parts:
        yield b"".join(parts)


def _batched(name: bytes, key: bytes, items: list[bytes], width: int = 1) -> list[bytes]:
    step = ITEMS_PER_CMD * width
    return [encode_command([name, key, *items[i:i + step]]) for i in range(0, len(items), step)]


def _score(score: float) -> bytes:
    if score != score:
        return b"nan"
    if score in (float("inf"), float("-inf")):
        return b"inf" if score > 0 else b"-inf"
    return (b"%.17g" % score)


# ======================================================================= the background fsync thread

class _Bio:
    """Redis's BIO_AOF_FSYNC and close jobs: one thread, jobs in order. The main thread never
    closes an fd the thread may still fsync: it hands the close to the thread too."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.pending_fsync = 0
        self.fsync_errno = 0             # the last background fsync's error, 0 when it succeeded

    def submit(self, fd: int, close: bool = False) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="aof-fsync", daemon=True)
            self._thread.start()
        with self._lock:
            self.pending_fsync += 1
        self._jobs.put((fd, close))

    def _run(self) -> None:
        while True:
            fd, close = self._jobs.get()
            try:
                os.fdatasync(fd)
                self.fsync_errno = 0
            except OSError as exc:
                if exc.errno not in (errno.EBADF, errno.EINVAL):
                    self.fsync_errno = exc.errno or errno.EIO
            if close:
                try:
                    os.close(fd)
                except OSError:
                    pass
            with self._lock:
                self.pending_fsync -= 1


# ======================================================================= the AOF of one node

class AppendOnly:
    def __init__(self, node) -> None:
        self.node = node
        self.state = OFF
        self.manifest = Manifest()
        self.fd = -1
        self.buf: list[bytes] = []
        self.selected_db = -1
        self.current_size = 0
        self.last_incr_size = 0
        self.rewrite_base_size = 0
        self.fsync_offset = 0
        self.last_fsync = 0
        self.last_write_ok = True
        self.last_write_errno = 0
        self._last_error_log = 0
        self.rewrite_scheduled = False
        self.rewrite_time_start = -1
        self.rewrite_time_last = -1
        self.last_bgrewrite_ok = True
        self.rewrites = 0
        self.consecutive_failures = 0
        self.delayed_fsync = 0
        self.loading = False
        self.child_pid = -1
        self._pipe = -1
        self._flush_pending = False
        self._next_delay_minutes = 0
        self._next_rewrite_time = 0
        self.bio = _Bio()
        self.always = False
        self.everysec = True
        self._read_fsync_policy()

    # ----- configuration
    @property
    def filename(self) -> str:
        return str(self.node.config["appendfilename"])

    @property
    def dirname(self) -> str:
        return str(self.node.config["appenddirname"])

    def path(self, name: str) -> str:
        return os.path.join(self.dirname, name)

    def _read_fsync_policy(self) -> None:
        policy = str(self.node.config["appendfsync"])
        self.always = policy == "always"
        self.everysec = policy == "everysec"

    def _now(self) -> int:
        return self.node.clock.wall_ms() // 1000

    # ----- the feed: every propagated write while the AOF is on
    def feed(self, dbid: int, argvs: list[list[bytes]]) -> None:
        if self.fd < 0 or self.loading:
            return                        # WAIT_REWRITE before its rewrite started: the fork will see it
        buf = self.buf
        if dbid != self.selected_db:
            buf.append(select_command(dbid))
            self.selected_db = dbid
        for argv in argvs:
            buf.append(encode_command(argv))
        if self.always:
            if not self.flush(force=True):
                self.node.write_refusal = misconf_error(self.last_write_errno)
        elif not self._flush_pending:
            self._flush_pending = True
            loop = getattr(self.node, "loop", None)
            if loop is None:
                self._flush_soon()
            else:
                loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_pending = False
        self.flush()

    def flush(self, force: bool = False) -> bool:
        """``flushAppendOnlyFile``: write the buffer, then fsync per policy. False on failure
        (the data stays buffered for the next try)."""
        if self.fd < 0:
            return True
        if not self.buf:
            if (self.everysec and self.fsync_offset != self.current_size and self._now() > self.last_fsync
                    and not self.bio.pending_fsync):
                self.bio.submit(self.fd)
                self.fsync_offset = self.current_size
                self.last_fsync = self._now()
            return True
        data = self.buf[0] if len(self.buf) == 1 else b"".join(self.buf)
        written, err = _write_all(self.fd, data)
        if written != len(data):
            self._write_failed(data, written, err)
            return False
        if not self.last_write_ok:
            self.node.log.warning("AOF write error looks solved, Redis can write again.")
            self.last_write_ok = True
            self._update_disk_error()
        self.buf = []
        self.current_size += written
        self.last_incr_size += written
        if self.node.config["no-appendfsync-on-rewrite"] and self.node.rdb.child_pid > 0:
            return True
        if self.always:
            try:
                os.fdatasync(self.fd)
            except OSError as exc:
                self.node.log.warning(f"Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                                      f"{exc.strerror}.")
                self.last_write_ok = False
                self.last_write_errno = exc.errno or errno.EIO
                self._update_disk_error()
                return False
            self.fsync_offset = self.current_size
            self.last_fsync = self._now()
        elif self.everysec:
            now = self._now()
            if now > self.last_fsync:
                if not self.bio.pending_fsync:
                    self.bio.submit(self.fd)
                    self.fsync_offset = self.current_size
                self.last_fsync = now
        return True

    def _write_failed(self, data: bytes, written: int, err: OSError | None) -> None:
        log = self.node.log
        now = self._now()
        can_log = now - self._last_error_log > WRITE_ERROR_LOG_RATE
        if can_log:
            self._last_error_log = now
        if err is not None and not written:
            if can_log:
                log.warning(f"Error writing to the AOF file: {err.strerror}")
            self.last_write_errno = err.errno or errno.EIO
        else:
            if can_log:
                log.warning(f"Short write while writing to the AOF file: (nwritten={written}, "
                            f"expected={len(data)})")
            try:
                os.ftruncate(self.fd, self.last_incr_size)
                written = 0               # the partial command is gone: the whole buffer is retried
            except OSError as exc:
                if can_log:
                    log.warning("Could not remove short write from the append-only file.  Redis may refuse to "
                                f"load the AOF the next time it starts.  ftruncate: {exc.strerror}")
            self.last_write_errno = err.errno if err is not None and err.errno else errno.ENOSPC
        if written:
            self.current_size += written
            self.last_incr_size += written
        self.buf = [data[written:]]
        if self.last_write_ok:
            self.last_write_ok = False
            self._update_disk_error()

    def _update_disk_error(self) -> None:
        node = self.node
        err = 0
        if self.state != OFF:
            if not self.last_write_ok:
                err = self.last_write_errno
            elif self.bio.fsync_errno:
                err = self.bio.fsync_errno
                self.last_write_errno = err
        node.aof_disk_error = misconf_error(err) if err else None
        if not err:
            node.write_refusal = None
        node.rdb.update_disk_error()

    # ----- the cron
    def cron(self, now_mono_ms: int) -> None:
        node = self.node
        node.write_refusal = None         # a refusal set outside a command (active expiry) is stale
        if self.child_pid > 0:
            self.check_child()
        if self.state != OFF and self.fd >= 0:
            self.flush()
        fsync_failed = bool(self.bio.fsync_errno)
        if fsync_failed != (node.aof_disk_error is not None and self.last_write_ok):
            self._update_disk_error()
        if node.rdb.child_pid > 0:
            return
        if self.rewrite_scheduled and not self._rewrite_limited():
            self.rewrite_background()
            return
        perc = int(node.config["auto-aof-rewrite-percentage"])  # type: ignore[arg-type]
        if (self.state == ON and perc
                and self.current_size > int(node.config["auto-aof-rewrite-min-size"])):  # type: ignore[arg-type]
            base = self.rewrite_base_size or 1
            growth = self.current_size * 100 // base - 100
            if growth >= perc and not self._rewrite_limited():
                node.log.notice(f"Starting automatic rewriting of AOF on {growth}% growth")
                self.rewrite_background()

    def _rewrite_limited(self) -> bool:
        """``aofRewriteLimited``: after 3 failures in a row, wait 1, 2, 4... up to 60 minutes."""
        if self.consecutive_failures < REWRITE_LIMIT_THRESHOLD:
            self._next_delay_minutes = 0
            self._next_rewrite_time = 0
            return False
        now = self._now()
        if self._next_rewrite_time:
            if now < self._next_rewrite_time:
                return True
            self._next_rewrite_time = 0
            return False
        self._next_delay_minutes = min(REWRITE_LIMIT_MAX_MINUTES, max(1, self._next_delay_minutes * 2))
        self._next_rewrite_time = now + self._next_delay_minutes * 60
        self.node.log.warning("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in "
                              f"{self._next_delay_minutes} minutes")
        return True

    # ----- the manifest on disk
    def persist_manifest(self, am: Manifest) -> bool:
        """``persistAofManifest``: temp file, fsync, rename, fsync of the directory."""
        if not am.dirty:
            return True
        log = self.node.log
        name = self.filename + ".manifest"
        tmp_name = "temp-" + name
        tmp = self.path(tmp_name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
        except OSError as exc:
            log.warning(f"Can't open the AOF manifest file {tmp_name}: {exc.strerror}")
            return False
        try:
            written, err = _write_all(fd, am.format())
            if err is not None:
                log.warning(f"Error trying to write the temporary AOF manifest file {tmp_name}: {err.strerror}")
                return False
            try:
                os.fsync(fd)
            except OSError as exc:
                log.warning(f"Fail to fsync the temp AOF file {tmp_name}: {exc.strerror}.")
                return False
        finally:
            os.close(fd)
        try:
            os.rename(tmp, self.path(name))
        except OSError as exc:
            log.warning(f"Error trying to rename the temporary AOF manifest file {tmp_name} into {name}: "
                        f"{exc.strerror}")
            return False
        if not _fsync_dir(self.dirname):
            log.warning(f"Fail to fsync AOF directory {self.path(name)}.")
            return False
        am.dirty = False
        return True

    def load_manifest_from_disk(self) -> None:
        """``aofLoadManifestFromDisk``: a missing directory or manifest is an empty manifest;
        a bad one stops the server."""
        self.manifest = Manifest()
        path = self.path(self.filename + ".manifest")
        if not os.path.isdir(self.dirname) or not os.path.exists(path):
            return
        log = self.node.log
        try:
            with open(path, "rb") as fh:
                text = fh.read()
        except OSError as exc:
            log.warning(f"Fatal error: can't open the AOF manifest file {path} for reading: {exc.strerror}")
            _exit(1)
        try:
            self.manifest = Manifest.parse(text)
        except ManifestError as exc:
            log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n")
            if exc.line is not None:
                log.warning(f"Reading the manifest file, at line {exc.lineno}\n")
                log.warning(f">>> '{exc.line}'\n")
            log.warning(exc.reason + "\n")
            _exit(1)

    # ----- loading
    def load_files(self) -> int:
        """``loadAppendOnlyFiles``: the base, then the incr files, in manifest order."""
        am = self.manifest
        log = self.node.log
        if os.path.exists(self.filename) and (
                not os.path.isdir(self.dirname)
                or (am.base is None and not am.incr)
                or (am.base is not None and not am.incr and am.base.name == self.filename
                    and not os.path.exists(self.path(self.filename)))):
            self._upgrade_old_style(am)
        if am.base is None and not am.incr:
            return AOF_NOT_EXIST
        files = ([am.base] if am.base is not None else []) + am.incr
        total = 0
        for info in files:
            try:
                total += os.stat(self.path(info.name)).st_size
            except OSError as exc:
                log.warning(f"Unable to obtain the AOF file {info.name} length. stat: {exc.strerror}")
                return AOF_FAILED if exc.errno == errno.ENOENT else AOF_OPEN_ERR
        if total == 0:
            return AOF_EMPTY
        node = self.node
        snapshots = node.rdb
        keyspace = node.keyspace
        saved = (keyspace.expire_on_access, keyspace.master_view, keyspace.dirty)
        node.loading = True
        node.update_guard()
        self.loading = True
        snapshots.loading_start = self._now()
        snapshots.loading_total_bytes = total
        snapshots.loading_loaded_bytes = 0
        snapshots.loaded_keys = snapshots.loaded_expired = 0
        # nothing expires while loading (keyIsExpired): a later command may still touch the key
        keyspace.expire_on_access = False
        keyspace.master_view = True
        keyspace.now_ms = node.clock.wall_ms()
        ret = AOF_OK
        base_size = 0
        try:
            for n, info in enumerate(files, 1):
                last = n == len(files)
                is_base = info is am.base
                if is_base:
                    try:
                        base_size = os.stat(self.path(info.name)).st_size
                    except OSError:
                        base_size = 0
                start = time.perf_counter()
                ret = self.load_single(info.name)
                if ret == AOF_OK or (ret == AOF_TRUNCATED and last):
                    log.notice(f"DB loaded from {'base' if is_base else 'incr'} file {info.name}: "
                               f"{time.perf_counter() - start:.3f} seconds")
                if ret == AOF_EMPTY and not is_base:
                    ret = AOF_OK
                if ret == AOF_TRUNCATED and not last:
                    ret = AOF_FAILED
                    log.warning("Fatal error: the truncated file is not the last file")
                if ret in (AOF_OPEN_ERR, AOF_FAILED):
                    return ret
            self.current_size = total
            self.rewrite_base_size = base_size
            self.fsync_offset = total
        finally:
            self.loading = False
            node.loading = False
            node.update_guard()
            keyspace.expire_on_access, keyspace.master_view = saved[0], saved[1]
            keyspace.dirty = saved[2]
        return ret

    def _upgrade_old_style(self, am: Manifest) -> None:
        """``aofUpgradePrepare``: an old single AOF in ``dir`` moves into the directory as the base."""
        log = self.node.log
        try:
            os.makedirs(self.dirname, exist_ok=True)
        except OSError as exc:
            log.warning(f"Can't open or create append-only dir {self.dirname}: {exc.strerror}")
            _exit(1)
        am.base = AofInfo(self.filename, 1, TYPE_BASE)
        am.base_seq = 1
        am.dirty = True
        if not self.persist_manifest(am):
            _exit(1)
        try:
            os.rename(self.filename, self.path(self.filename))
        except OSError as exc:
            log.warning(f"Error trying to move the old AOF file {self.filename} into dir {self.dirname}: "
                        f"{exc.strerror}")
            _exit(1)
        log.notice(f"Successfully migrated an old-style AOF file ({self.filename}) into the AOF directory "
                   f"({self.dirname}).")

    def load_single(self, name: str) -> int:
        """``loadSingleAppendOnlyFile``: an RDB part (base or old preamble), then commands."""
        log = self.node.log
        path = self.path(name)
        try:
            fh = open(path, "rb")
        except FileNotFoundError as exc:
            log.warning(f"The append log file {name} doesn't exist: {exc.strerror}")
            return AOF_NOT_EXIST
        except OSError as exc:
            log.warning(f"Fatal error: can't open the append log file {name} for reading: {exc.strerror}")
            return AOF_OPEN_ERR
        snapshots = self.node.rdb
        with fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return AOF_EMPTY
            offset = 0
            if fh.read(5) == b"REDIS":
                old_style = name == self.filename
                log.notice("Reading RDB preamble from AOF file..." if old_style
                           else "Reading RDB base file on AOF loading...")
                fh.seek(0)
                try:
                    decoder = snapshots._load_stream(fh, log, keep_expired=True)
                except snapshots.LoadError as exc:
                    for line in exc.lines:
                        log.warning(line)
                    log.warning(f"Error reading the RDB preamble of the AOF file {name}, AOF loading aborted"
                                if old_style else f"Error reading the RDB base file {name}, AOF loading aborted")
                    return AOF_FAILED
                tail = decoder.trailing
                offset = fh.tell() - len(tail)
                data = tail + fh.read()
                if old_style:
                    log.notice("Reading the remaining AOF tail...")
            else:
                fh.seek(0)
                data = fh.read()
        snapshots.loading_loaded_bytes += offset + len(data)
        return self._replay(name, path, data, offset)

    def _replay(self, name: str, path: str, data: bytes, offset: int) -> int:
        from ..commands.registry import TABLE  # noqa: PLC0415
        from ..node.connection import ClientConnection  # noqa: PLC0415
        from ..protocol.errors import CommandError  # noqa: PLC0415
        node = self.node
        log = node.log
        fake = ClientConnection(node)
        fake.reply_mode = 1
        valid_up_to = 0
        valid_before_multi = 0
        truncated = False
        try:
            for argv, end in iter_commands(data):
                lname = argv[0].lower()
                cmd = TABLE.get(lname)
                if cmd is None:
                    log.warning(f"Unknown command '{argv[0].decode(errors='replace')}' reading the append only "
                                f"file {name}")
                    return AOF_FAILED
                if cmd.subcommands and len(argv) > 1:
                    cmd = cmd.subcommands.get(argv[1].lower(), cmd)
                if lname == b"multi":
                    valid_before_multi = valid_up_to
                if fake.multi is not None and lname != b"exec":
                    fake.multi.append((cmd, argv))
                elif lname == b"multi":
                    fake.multi = []
                elif lname == b"exec":
                    queued = fake.multi or []
                    fake.multi = None
                    for qcmd, qargv in queued:
                        _run(fake, qcmd, qargv, CommandError, log)
                else:
                    _run(fake, cmd, argv, CommandError, log)
                valid_up_to = end
        except FormatError:
            log.warning(f"Bad file format reading the append only file {name}: make a backup of your AOF file, "
                        "then use ./redis-check-aof --fix <filename.manifest>")
            return AOF_FAILED
        except ShortRead:
            truncated = True
        if not truncated:
            if fake.multi is None:
                return AOF_OK
            log.warning(f"Revert incomplete MULTI/EXEC transaction in AOF file {name}")
            valid_up_to = valid_before_multi
        if node.config["aof-load-truncated"]:
            at = offset + valid_up_to
            log.warning(f"!!! Warning: short read while loading the AOF file {name}!!!")
            log.warning(f"!!! Truncating the AOF {name} at offset {at} !!!")
            try:
                os.truncate(path, at)
            except OSError as exc:
                log.warning(f"Error truncating the AOF file {name}: {exc.strerror}")
            else:
                log.warning(f"AOF {name} loaded anyway because aof-load-truncated is enabled")
                return AOF_TRUNCATED
        log.warning(f"Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of "
                    "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you "
                    "can set the 'aof-load-truncated' configuration option to yes and restart the server.")
        return AOF_FAILED

    # ----- start-up
    def startup(self) -> None:
        """Replaces the RDB start-up hook: with ``appendonly yes`` the AOF is the dataset's
        source (``loadDataFromDisk``), then the incr file is opened (``aofOpenIfNeededOnServerStart``)."""
        node = self.node
        if not node.config["appendonly"]:
            node.rdb.load_at_startup()
            return
        self.state = ON
        self.load_manifest_from_disk()
        start = time.perf_counter()
        ret = self.load_files()
        if ret in (AOF_FAILED, AOF_OPEN_ERR):
            _exit(1)
        if ret != AOF_NOT_EXIST:
            node.log.notice(f"DB loaded from append only file: {time.perf_counter() - start:.3f} seconds")
        self.open_on_server_start()
        self._attach()

    def open_on_server_start(self) -> None:
        log = self.node.log
        try:
            os.makedirs(self.dirname, exist_ok=True)
        except OSError as exc:
            log.warning(f"Can't open or create append-only dir {self.dirname}: {exc.strerror}")
            _exit(1)
        am = self.manifest
        had_incr = bool(am.incr)
        if am.base is None and not am.incr:
            base = am.new_base(self.filename, bool(self.node.config["aof-use-rdb-preamble"]))
            if not self.rewrite_file(self.path(base)):
                _exit(1)
            log.notice(f"Creating AOF base file {base} on server start")
        name = am.last_incr(self.filename)
        try:
            self.fd = os.open(self.path(name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            log.warning(f"Can't open the append-only file {name}: {exc.strerror}")
            _exit(1)
        if not self.persist_manifest(am):
            _exit(1)
        try:
            self.last_incr_size = os.stat(self.path(name)).st_size
        except OSError:
            self.last_incr_size = 0
        self.selected_db = -1
        self.last_fsync = self._now()
        log.notice(f"{'Opening' if had_incr else 'Creating'} AOF incr file {name} on server start")

    def _attach(self) -> None:
        self.node.set_feed(self.feed, True)

    def _detach(self) -> None:
        self.node.set_feed(self.feed, False)

    # ----- writing a whole dataset (the base)
    def write_dataset(self, fd: int) -> None:
        """The dataset at this moment: an RDB (preamble) or commands, fsynced every 4 MB."""
        node = self.node
        config = node.config
        if config["aof-use-rdb-preamble"]:
            aux = node.rdb.aux()
            aux["aof-base"] = 1
            chunks = rdb.iter_encode(node.keyspace, aux, compress=bool(config["rdbcompression"]),
                                     checksum=bool(config["rdbchecksum"]), functions=function_codes(node))
        else:
            chunks = iter_rewrite(node.keyspace)
        incremental = bool(config["aof-rewrite-incremental-fsync"])
        since_sync = 0
        for chunk in chunks:
            written, err = _write_all(fd, chunk)
            if err is not None:
                raise err
            since_sync += written
            if incremental and since_sync >= AUTOSYNC_BYTES:
                os.fdatasync(fd)
                since_sync = 0
        os.fsync(fd)

    def rewrite_file(self, filename: str) -> bool:
        """``rewriteAppendOnlyFile``: write ``temp-rewriteaof-<pid>.aof``, rename it onto ``filename``."""
        log = self.node.log
        tmp = f"temp-rewriteaof-{os.getpid()}.aof"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
        except OSError as exc:
            log.warning(f"Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {exc.strerror}")
            return False
        try:
            try:
                self.write_dataset(fd)
            finally:
                os.close(fd)
        except (OSError, rdb.RDBError) as exc:
            log.warning(f"Write error writing append only file on disk: {getattr(exc, 'strerror', None) or exc}")
            _unlink(tmp)
            return False
        try:
            os.rename(tmp, filename)
        except OSError as exc:
            log.warning(f"Error moving temp append only file on the final destination: {exc.strerror}")
            _unlink(tmp)
            return False
        return True

    # ----- the background rewrite
    def rewrite_background(self) -> bool:
        """``rewriteAppendOnlyFileBackground``."""
        node = self.node
        log = node.log
        if node.rdb.child_pid > 0:
            return False
        try:
            os.makedirs(self.dirname, exist_ok=True)
        except OSError as exc:
            log.warning(f"Can't open or create append-only dir {self.dirname}: {exc.strerror}")
            self.last_bgrewrite_ok = False
            return False
        self.selected_db = -1
        self.flush(force=True)
        if not self._open_new_incr():
            self.last_bgrewrite_ok = False
            return False
        self.rewrites += 1

        def work() -> None:
            tmp = f"temp-rewriteaof-bg-{os.getpid()}.aof"
            if not self.rewrite_file(tmp):
                raise OSError("rewrite failed")
            node.log.notice(f"Successfully created the temporary AOF base file {tmp}")

        try:
            pid, rfd = forking.start(node, "redis-aof-rewrite", work)
        except OSError as exc:
            self.last_bgrewrite_ok = False
            log.warning(f"Can't rewrite append only file in background: fork: {exc.strerror}")
            return False
        self.child_pid = pid
        self._pipe = rfd
        node.rdb.child_pid = pid
        node.rdb.child_type = "aof"
        try:
            node.loop.add_reader(rfd, self._on_pipe)
        except (AttributeError, RuntimeError, OSError):
            pass                          # no running loop: the cron reaps the child
        log.notice(f"Background append only file rewriting started by pid {pid}")
        self.rewrite_scheduled = False
        self.rewrite_time_start = self._now()
        return True

    def _open_new_incr(self) -> bool:
        """``openNewIncrAofForAppend``: writes made from now on go to a new INCR file."""
        if self.state == OFF:
            return True
        log = self.node.log
        temp_am = None
        if self.state == WAIT_REWRITE:
            name = f"temp-{self.filename}.incr"
        else:
            temp_am = self.manifest.dup()
            name = temp_am.new_incr(self.filename)
        try:
            fd = os.open(self.path(name), os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
        except OSError as exc:
            log.warning(f"Can't open the append-only file {name}: {exc.strerror}")
            return False
        if temp_am is not None and not self.persist_manifest(temp_am):
            os.close(fd)
            return False
        log.notice(f"Creating AOF incr file {name} on background rewrite")
        if self.fd >= 0:
            self._close_fd(self.fd)
            self.fsync_offset = self.current_size
            self.last_fsync = self._now()
        self.fd = fd
        self.last_incr_size = 0
        if temp_am is not None:
            self.manifest = temp_am
        return True

    def _close_fd(self, fd: int) -> None:
        """Close an AOF fd after its data reached the disk (``aof_background_fsync_and_close``)."""
        if self.always or not self.everysec:
            try:
                os.close(fd)
            except OSError:
                pass
        else:
            self.bio.submit(fd, close=True)

    def _on_pipe(self) -> None:
        try:
            data = os.read(self._pipe, 64)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            return
        self._close_pipe()
        self.check_child()

    def _close_pipe(self) -> None:
        self._pipe = forking.close_pipe(self.node, self._pipe)

    def check_child(self, block: bool = False) -> bool:
        if self.child_pid <= 0:
            return False
        result = forking.reap(self.child_pid, block)
        if result is None:
            return False
        self._close_pipe()
        ok, bysignal = result
        try:
            self._rewrite_done(ok, bysignal)
        finally:
            self._reset_child()
        return True

    def _reset_child(self) -> None:
        import gc  # noqa: PLC0415
        node = self.node
        self.child_pid = -1
        if node.rdb.child_type == "aof":
            node.rdb.child_pid = -1
            node.rdb.child_type = None
        gc.unfreeze()

    def _rewrite_done(self, ok: bool, bysignal: int) -> None:
        """``backgroundRewriteDoneHandler``."""
        log = self.node.log
        pid = self.child_pid
        if ok and not bysignal:
            log.notice("Background AOF rewrite terminated with success")
            self._install_rewrite(pid)
        elif not bysignal:
            self._rewrite_failed()
            log.warning("Background AOF rewrite terminated with error")
        else:
            if bysignal != signal.SIGUSR1:
                self._rewrite_failed()
            log.warning(f"Background AOF rewrite terminated by signal {bysignal}")
        _unlink(f"temp-rewriteaof-bg-{pid}.aof")
        _unlink(f"temp-rewriteaof-{pid}.aof")
        if self.state == WAIT_REWRITE:
            # the writes accumulated for a rewrite that failed are in the next rewrite's snapshot
            self.buf = []
            if self.fd >= 0:
                self._close_fd(self.fd)
                self.fd = -1
            name = f"temp-{self.filename}.incr"
            log.notice(f"Removing the temp incr aof file {name} in the background")
            _unlink(self.path(name))
            self.rewrite_scheduled = True
        self.rewrite_time_last = self._now() - self.rewrite_time_start if self.rewrite_time_start >= 0 else -1
        self.rewrite_time_start = -1

    def _rewrite_failed(self) -> None:
        self.last_bgrewrite_ok = False
        self.consecutive_failures += 1

    def _install_rewrite(self, pid: int) -> None:
        log = self.node.log
        tmpfile = f"temp-rewriteaof-bg-{pid}.aof"
        temp_am = self.manifest.dup()
        base = temp_am.new_base(self.filename, bool(self.node.config["aof-use-rdb-preamble"]))
        base_path = self.path(base)
        try:
            os.rename(tmpfile, base_path)
        except OSError as exc:
            log.warning(f"Error trying to rename the temporary AOF base file {tmpfile} into {base_path}: "
                        f"{exc.strerror}")
            self._rewrite_failed()
            return
        log.notice(f"Successfully renamed the temporary AOF base file {tmpfile} into {base}")
        new_incr_path = None
        if self.state == WAIT_REWRITE:
            temp_name = f"temp-{self.filename}.incr"
            new_incr = temp_am.new_incr(self.filename)
            new_incr_path = self.path(new_incr)
            try:
                os.rename(self.path(temp_name), new_incr_path)
            except OSError as exc:
                log.warning(f"Error trying to rename the temporary AOF incr file {self.path(temp_name)} into "
                            f"{new_incr_path}: {exc.strerror}")
                _unlink(base_path)
                self._rewrite_failed()
                return
            log.notice(f"Successfully renamed the temporary AOF incr file {temp_name} into {new_incr}")
        temp_am.mark_rewritten_incr_as_history(keep_last=self.fd >= 0)
        if not self.persist_manifest(temp_am):
            _unlink(base_path)
            if new_incr_path is not None:
                _unlink(new_incr_path)
            self._rewrite_failed()
            return
        self.manifest = temp_am
        if self.fd >= 0:
            self.selected_db = -1
            try:
                base_size = os.stat(base_path).st_size
            except OSError:
                base_size = 0
            self.current_size = base_size + self.last_incr_size
            self.rewrite_base_size = self.current_size
            self.fsync_offset = self.current_size
            self.last_fsync = self._now()
        self._delete_history()
        self.last_bgrewrite_ok = True
        self.consecutive_failures = 0
        log.notice("Background AOF rewrite finished successfully")
        if self.state == WAIT_REWRITE:
            self.state = ON

    def _delete_history(self) -> None:
        am = self.manifest
        if not am.history:
            return
        for info in am.history:
            self.node.log.notice(f"Removing the history file {info.name} in the background")
            _unlink(self.path(info.name))
        am.history = []
        am.dirty = True
        self.persist_manifest(am)

    def kill_child(self) -> None:
        """``killAppendOnlyChild``: stop a running rewrite and wait for it."""
        if self.child_pid <= 0:
            return
        pid = self.child_pid
        self.node.log.notice(f"Killing running AOF rewrite child: {pid}")
        try:
            os.kill(pid, signal.SIGUSR1)
        except ProcessLookupError:
            pass
        forking.reap(pid, block=True)
        self._close_pipe()
        _unlink(f"temp-rewriteaof-bg-{pid}.aof")
        _unlink(f"temp-rewriteaof-{pid}.aof")
        self._reset_child()
        self.rewrite_time_start = -1

    # ----- BGREWRITEAOF
    def bgrewriteaof(self) -> str:
        """'started', 'scheduled', 'in_progress' or 'error' (``bgrewriteaofCommand``)."""
        node = self.node
        if self.child_pid > 0:
            return "in_progress"
        if node.rdb.child_pid > 0 or node.in_transaction:
            self.rewrite_scheduled = True
            self.consecutive_failures = 0
            return "scheduled"
        return "started" if self.rewrite_background() else "error"

    # ----- turning the AOF on and off at run time
    def start(self) -> bool:
        """``startAppendOnly`` (CONFIG SET appendonly yes): the AOF becomes usable once a
        rewrite wrote its base."""
        node = self.node
        log = node.log
        self.state = WAIT_REWRITE
        if node.rdb.child_pid > 0 and self.child_pid <= 0:
            self.rewrite_scheduled = True
            log.warning("AOF was enabled but there is already another background operation. An AOF background "
                        "was scheduled to start when possible.")
        elif node.in_transaction:
            self.rewrite_scheduled = True
            log.warning("AOF was enabled during a transaction. An AOF background was scheduled to start when "
                        "possible.")
        else:
            if self.child_pid > 0:
                log.warning("AOF was enabled but there is already an AOF rewriting in background. Stopping "
                            "background AOF and starting a rewrite now.")
                self.kill_child()
            if not self.rewrite_background():
                self.state = OFF
                log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
                            "Check the above logs for more info about the error.")
                return False
        self.last_fsync = self._now()
        if not self.last_write_ok or self.bio.fsync_errno:
            log.warning("AOF reopen, just ignore the last error.")
            self.last_write_ok = True
            self.bio.fsync_errno = 0
            self._update_disk_error()
        self._attach()
        return True

    def stop(self) -> None:
        """``stopAppendOnly`` (CONFIG SET appendonly no)."""
        if self.fd >= 0:
            self.flush(force=True)
            try:
                os.fsync(self.fd)
                self.fsync_offset = self.current_size
                self.last_fsync = self._now()
            except OSError as exc:
                self.node.log.warning(f"Fail to fsync the AOF file: {exc.strerror}")
            self._close_fd(self.fd)
        self.fd = -1
        self.selected_db = -1
        self.state = OFF
        self.rewrite_scheduled = False
        self.last_incr_size = 0
        self.kill_child()
        self.buf = []
        self._detach()
        self._update_disk_error()

    def restart_after_sync(self) -> None:
        """``restartAOFAfterSYNC``: a replica that loaded its master's snapshot rewrites the AOF,
        whose old contents no longer describe the dataset (for the replication link to call)."""
        if self.state == OFF:
            return
        self.stop()
        if not self.start():
            self.node.log.warning("Failed enabling the AOF after successful master synchronization! Trying it "
                                  "again in one second.")
            self.rewrite_scheduled = True
            self.state = WAIT_REWRITE
            self._attach()

    def on_config_appendonly(self, old: object, new: object) -> None:
        from ..config import ConfigError  # noqa: PLC0415
        if new and self.state == OFF:
            if not self.start():
                raise ConfigError("Unable to turn on AOF. Check server logs.")
        elif not new and self.state != OFF:
            self.stop()

    # ----- shutdown
    def on_shutdown(self, save: bool | None) -> bool:
        """``prepareForShutdown``'s AOF part: kill a rewrite, flush and fsync the AOF."""
        log = self.node.log
        if self.child_pid > 0:
            log.warning("There is a child rewriting the AOF. Killing it!")
            self.kill_child()
        if self.state != OFF and self.fd >= 0:
            log.notice("Calling fsync() on the AOF file.")
            self.flush(force=True)
            try:
                os.fsync(self.fd)
            except OSError:
                pass
        return True

    # ----- DEBUG LOADAOF
    def reload(self) -> bool:
        node = self.node
        if self.state == ON:
            self.flush(force=True)
        for db in node.keyspace.dbs:
            db.clear()
        if self.state == OFF:
            self.load_manifest_from_disk()
        ret = self.load_files()
        if ret not in (AOF_OK, AOF_EMPTY, AOF_NOT_EXIST, AOF_TRUNCATED):
            return False
        node.keyspace.dirty = 0
        node.log.warning("Append Only File loaded by DEBUG LOADAOF")
        return True

    # ----- INFO
    def info_fields(self) -> list[tuple[str, object]]:
        now = self._now()
        in_progress = self.child_pid > 0
        write_ok = self.last_write_ok and not self.bio.fsync_errno
        return [
            ("aof_enabled", int(self.state != OFF)),
            ("aof_rewrite_in_progress", int(in_progress)),
            ("aof_rewrite_scheduled", int(self.rewrite_scheduled)),
            ("aof_last_rewrite_time_sec", self.rewrite_time_last),
            ("aof_current_rewrite_time_sec", now - self.rewrite_time_start if in_progress else -1),
            ("aof_last_bgrewrite_status", "ok" if self.last_bgrewrite_ok else "err"),
            ("aof_rewrites", self.rewrites),
            ("aof_rewrites_consecutive_failures", self.consecutive_failures),
            ("aof_last_write_status", "ok" if write_ok else "err"),
            ("aof_last_cow_size", 0),
        ]

    def info_tail(self) -> list[tuple[str, object]]:
        if self.state == OFF:
            return []
        return [
            ("aof_current_size", self.current_size),
            ("aof_base_size", self.rewrite_base_size),
            ("aof_pending_rewrite", int(self.rewrite_scheduled)),
            ("aof_buffer_length", sum(len(b) for b in self.buf)),
            ("aof_pending_bio_fsync", self.bio.pending_fsync),
            ("aof_delayed_fsync", self.delayed_fsync),
        ]


def _run(client, cmd, argv: list[bytes], error_type: type, log) -> None:
    try:
        cmd.handler(client, argv)
    except error_type:
        pass                              # the command failed when it ran too: same result
    except Exception as exc:  # noqa: BLE001 (one bad command must not stop the load)
        log.warning(f"Error replaying {argv[0][:64]!r} from the AOF: {exc!r}")
    client.propagate = None


def _write_all(fd: int, data: bytes) -> tuple[int, OSError | None]:
    """``aofWrite``: retry short writes; returns (bytes written, the error that stopped it)."""
    view = memoryview(data)
    total = 0
    size = len(data)
    while total < size:
        try:
            n = os.write(fd, view[total:])
        except InterruptedError:
            continue
        except OSError as exc:
            return total, exc
        if n <= 0:
            return total, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        total += n
    return total, None


def _fsync_dir(dirname: str) -> bool:
    try:
        fd = os.open(dirname or ".", os.O_RDONLY)
    except OSError:
        return False
    try:
        os.fsync(fd)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _exit(code: int) -> None:
    sys.stdout.flush()
    raise SystemExit(code)


def install(node) -> AppendOnly:
    """Attach the AOF to ``node`` as ``node.aof``: the start-up hook replaces the RDB one (the
    AOF, when on, is what is loaded), plus cron, shutdown, INFO and config hooks."""
    aof = AppendOnly(node)
    node.aof = aof
    if not hasattr(node, "write_refusal"):
        node.write_refusal = None
    node.aof_disk_error = None
    node.aof_info_fields = aof.info_fields
    node.aof_info_tail = aof.info_tail
    hooks = node.startup_hooks
    rdb_hook = node.rdb.load_at_startup
    if rdb_hook in hooks:
        hooks[hooks.index(rdb_hook)] = aof.startup
    else:
        hooks.append(aof.startup)
    node.cron_hooks.append(aof.cron)
    node.shutdown_hooks.insert(0, aof.on_shutdown)
    config_hooks = node.config.hooks
    config_hooks["appendonly"] = aof.on_config_appendonly
    config_hooks["appendfsync"] = lambda old, new: aof._read_fsync_policy()
    return aof
