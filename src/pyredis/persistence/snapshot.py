"""RDB snapshots on disk: SAVE, BGSAVE in a forked child, save points, start-up load, shutdown.

``install(node)`` attaches one ``Snapshots`` as ``node.rdb`` and wires it into the node: a cron
hook (reap the child, fire ``save <seconds> <changes>`` points and scheduled BGSAVEs), a start-up
hook (load ``dbfilename``), a shutdown hook (the final save), the INFO ``persistence`` section and
config hooks. Files are named relative to the working directory, which is ``dir`` (the server
changes into it at start-up and on CONFIG SET dir), as Redis does.

A background save forks, like Redis: the child owns a frozen copy of the keyspace, streams it
through ``rdb.iter_encode`` into ``temp-<pid>.rdb``, fsyncs, renames it onto ``dbfilename`` and
leaves with ``os._exit`` (never running the parent's atexit handlers or event loop). The parent
keeps serving; it learns the outcome without blocking when the child's status pipe becomes
readable (or, as a fallback, from the cron's ``waitpid(WNOHANG)``). ``gc.freeze()`` before the
fork keeps the collector from walking — and so copying — every page of the heap in either
process while the child runs; the parent unfreezes when the child is reaped.

When a background save fails and ``stop-writes-on-bgsave-error`` is on (with save points
configured), ``node.disk_error`` holds Redis's MISCONF error and the dispatcher refuses writes
until a save succeeds.
"""

import gc
import os
import signal
import sys
import time
from collections.abc import Callable

from .. import REDIS_VERSION
from . import forking, rdb

MISCONF_ERR = (
    b"MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
    b"Commands that may modify the data set are disabled, because this instance is configured to report "
    b"errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check "
    b"the Redis logs for details about the RDB error."
)
BGSAVE_RETRY_DELAY = 5        # seconds before a failed background save is retried (CONFIG_BGSAVE_RETRY_DELAY)
READ_CHUNK = 1 << 20


class LoadError(Exception):
    """Loading failed; ``lines`` are the log lines Redis prints, ``exit_code`` its exit status."""

    def __init__(self, lines: list[str], exit_code: int = 1) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines
        self.exit_code = exit_code


class Snapshots:
    LoadError = LoadError

    def __init__(self, node) -> None:
        self.node = node
        self.lastsave = node.clock.wall_ms() // 1000      # at start-up the dataset counts as saved
        self.last_status_ok = True
        self.last_bgsave_time_sec = -1
        self.save_start_ms = 0
        self.child_pid = -1
        self.child_type: str | None = None
        self._pipe = -1
        self._child_said = b""
        self.dirty_before_bgsave = 0
        self.saves = 0
        self.scheduled = False
        self.last_try = 0
        self.loaded_keys = 0
        self.loaded_expired = 0
        self.loading_start = 0
        self.loading_total_bytes = 0
        self.loading_loaded_bytes = 0
        self.functions: list[bytes] = []                  # FUNCTION2 payloads read from the last load
        self.done_callbacks: list[Callable[[bool], None]] = []   # fn(ok) after each background save
        self.extra_aux: Callable[[], dict] | None = None  # replication adds repl-id/offset here

    # ----- configuration
    @property
    def filename(self) -> str:
        return str(self.node.config["dbfilename"])

    def save_points(self) -> list[tuple[int, int]]:
        return list(self.node.config["save"])  # type: ignore[call-overload]

    def update_disk_error(self) -> None:
        """MISCONF applies while the last background save failed, save points exist and
        stop-writes-on-bgsave-error is on (``writeCommandsDeniedByDiskError``)."""
        node = self.node
        broken = (not self.last_status_ok and bool(node.config["stop-writes-on-bgsave-error"])
                  and bool(self.save_points()))
        node.disk_error = MISCONF_ERR if broken else getattr(node, "aof_disk_error", None)
        node.update_guard()

    # ----- writing
    def aux(self) -> dict:
        from ..engine.eviction import used_memory  # noqa: PLC0415
        fields: dict = {"redis-ver": REDIS_VERSION, "redis-bits": 64,
                        "ctime": self.node.clock.wall_ms() // 1000, "used-mem": used_memory(self.node)}
        if self.extra_aux is not None:
            fields.update(self.extra_aux())
        fields["aof-base"] = 0
        return fields

    def write_file(self, path: str) -> None:
        """Write the snapshot to ``temp-<pid>.rdb``, fsync it and rename it onto ``path``.
        Logs and raises OSError as Redis's ``rdbSave`` reports failures."""
        node = self.node
        log = node.log
        tmp = f"temp-{os.getpid()}.rdb"
        config = node.config
        try:
            fh = open(tmp, "wb")
        except OSError as exc:
            log.warning(f"Failed opening the temp RDB file {tmp} (in server root dir {_cwd()}) for saving: "
                        f"{exc.strerror}")
            raise
        try:
            with fh:
                write = fh.write
                for chunk in rdb.iter_encode(node.keyspace, self.aux(), compress=bool(config["rdbcompression"]),
                                             checksum=bool(config["rdbchecksum"]),
                                             functions=_function_codes(node)):
                    write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            log.warning(f"Write error saving DB on disk: {exc.strerror}")
            _unlink(tmp)
            raise
        try:
            os.rename(tmp, path)
        except OSError as exc:
            log.warning(f"Error moving temp DB file {tmp} on the final destination {path} (in server root dir "
                        f"{_cwd()}): {exc.strerror}")
            _unlink(tmp)
            raise
        _fsync_dir(path)
        log.notice("DB saved on disk")

    def save(self) -> bool:
        """SAVE: a synchronous snapshot in this process (``rdbSave``)."""
        keyspace = self.node.keyspace
        try:
            self.write_file(self.filename)
        except OSError:
            return False                 # like rdbSave: the error reply, no change of bgsave status
        keyspace.dirty = 0
        self.lastsave = self.node.clock.wall_ms() // 1000
        self.last_status_ok = True
        self.saves += 1
        self.update_disk_error()
        return True

    def bgsave(self) -> bool:
        """Fork a child that writes the snapshot (``rdbSaveBackground``); False if fork failed."""
        node = self.node
        self.dirty_before_bgsave = node.keyspace.dirty
        self.last_try = node.clock.wall_ms() // 1000
        gc.freeze()
        try:
            rfd, wfd = os.pipe()
        except OSError as exc:
            gc.unfreeze()
            self._fork_failed(exc)
            return False
        self.save_start_ms = node.clock.monotonic_ms()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(rfd)
            os.close(wfd)
            gc.unfreeze()
            self._fork_failed(exc)
            return False
        if pid == 0:
            os.close(rfd)
            self._child_main(wfd)        # never returns
        os.close(wfd)
        self.child_pid = pid
        self.child_type = "rdb"
        self._pipe = rfd
        self._child_said = b""
        try:
            os.set_blocking(rfd, False)
            node.loop.add_reader(rfd, self._on_pipe)
        except (AttributeError, RuntimeError, OSError):
            pass                         # no running loop (tests): the cron reaps the child
        node.log.notice(f"Background saving started by pid {pid}")
        return True

    def _fork_failed(self, exc: OSError) -> None:
        self.last_status_ok = False
        self.update_disk_error()
        self.node.log.warning(f"Can't save in background: fork: {exc.strerror}")

    def _child_main(self, wfd: int) -> None:
        code = 1
        try:
            gc.disable()
            signal.set_wakeup_fd(-1)     # the loop's self-pipe belongs to the parent
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
                signal.signal(signum, signal.SIG_DFL)
            log = self.node.log
            log.after_fork("C")
            for server in getattr(self.node, "servers", ()):   # the port stays the parent's alone
                for sock in server.sockets:
                    try:
                        os.close(sock.fileno())
                    except OSError:
                        pass
            _set_title("redis-rdb-bgsave")
            self.write_file(self.filename)
            code = 0
            os.write(wfd, b"ok")
        except BaseException:  # noqa: BLE001 (whatever happens the child must leave through _exit)
            code = 1
        finally:
            os._exit(code)

    def _on_pipe(self) -> None:
        try:
            data = os.read(self._pipe, 64)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._child_said += data
            return
        self._close_pipe()
        self.check_child(block=False)

    def _drain_pipe(self) -> None:
        while self._pipe >= 0:
            try:
                data = os.read(self._pipe, 64)
            except OSError:
                return
            if not data:
                return
            self._child_said += data

    def _close_pipe(self) -> None:
        self._pipe = forking.close_pipe(self.node, self._pipe)

    def check_child(self, block: bool = False) -> bool:
        """Reap the child if it exited; True when it did (``checkChildrenDone``)."""
        if self.child_pid <= 0:
            return False
        result = forking.reap(self.child_pid, block, lost=self._child_reported_ok)
        if result is None:
            return False
        self._close_pipe()
        ok, bysignal = result
        self._bgsave_done(ok=ok, bysignal=bysignal)
        return True

    def _child_reported_ok(self) -> bool:
        """Someone else reaped the child: trust what it wrote on the status pipe."""
        self._drain_pipe()
        return self._child_said.startswith(b"ok")

    def _bgsave_done(self, ok: bool, bysignal: int) -> None:
        """``backgroundSaveDoneHandlerDisk``."""
        node = self.node
        log = node.log
        pid = self.child_pid
        if ok and not bysignal:
            log.notice("Background saving terminated with success")
            node.keyspace.dirty = max(0, node.keyspace.dirty - self.dirty_before_bgsave)
            self.lastsave = node.clock.wall_ms() // 1000
            self.last_status_ok = True
            self.saves += 1
        elif not bysignal:
            log.warning("Background saving error")
            self.last_status_ok = False
        else:
            log.warning(f"Background saving terminated by signal {bysignal}")
            _unlink(f"temp-{pid}.rdb")
            if bysignal != signal.SIGUSR1:   # SIGUSR1 is how we cancel a save: not an error
                self.last_status_ok = False
        self.last_bgsave_time_sec = (node.clock.monotonic_ms() - self.save_start_ms) // 1000
        self.child_pid = -1
        self.child_type = None
        gc.unfreeze()
        self.update_disk_error()
        ok = self.last_status_ok and not bysignal
        for callback in list(self.done_callbacks):
            callback(ok)

    def kill_child(self) -> None:
        """Stop a running background save (FLUSHALL, SHUTDOWN), waiting for it, like ``killRDBChild``."""
        if self.child_pid <= 0:
            return
        try:
            os.kill(self.child_pid, signal.SIGUSR1)
        except ProcessLookupError:
            pass
        self.check_child(block=True)

    def after_flushall(self) -> None:
        """FLUSHALL's persistence part (``flushAllDataAndResetRDB``): a running background save
        is of a dataset that no longer exists, so it is killed; with save points configured the
        empty dataset is saved at once."""
        if self.child_pid > 0 and self.child_type == "rdb":
            self.kill_child()
        if self.save_points():
            self.save()

    # ----- the cron: reap, save points, scheduled saves
    def cron(self, now_mono_ms: int) -> None:
        if self.child_pid > 0:
            if self.child_type == "rdb":     # the AOF rewrite child is reaped by node.aof
                self.check_child(block=False)
            return
        node = self.node
        now = node.clock.wall_ms() // 1000
        may_retry = self.last_status_ok or now - self.last_try > BGSAVE_RETRY_DELAY
        dirty = node.keyspace.dirty
        if may_retry and dirty:
            for seconds, changes in self.save_points():
                if dirty >= changes and now - self.lastsave > seconds:
                    node.log.notice(f"{changes} changes in {seconds} seconds. Saving...")
                    self.bgsave()
                    return
        if self.scheduled and may_retry and self.bgsave():
            self.scheduled = False

    # ----- loading
    def load_file(self, path: str, replace_existing: bool = False) -> bool:
        """Add every key of the RDB at ``path`` to the dataset (start-up, DEBUG RELOAD); a key
        already present is an error unless ``replace_existing`` (DEBUG RELOAD MERGE).
        False if the file does not exist; LoadError with Redis's log lines when it is bad."""
        node = self.node
        log = node.log
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise LoadError([f"Fatal error loading the DB: {exc.strerror}. Exiting."]) from None
        node.loading = True
        node.update_guard()
        self.loading_start = node.clock.wall_ms() // 1000
        self.loading_loaded_bytes = 0
        self.loaded_keys = self.loaded_expired = 0
        self.functions = []
        try:
            with fh:
                self.loading_total_bytes = os.fstat(fh.fileno()).st_size
                self._load_stream(fh, log, replace_existing)
        finally:
            node.loading = False
            node.update_guard()
        return True

    def _load_stream(self, fh, log, replace_existing: bool = False, keep_expired: bool = False) -> "rdb.Decoder":
        node = self.node
        keyspace = node.keyspace
        dbs = keyspace.dbs
        ndbs = len(dbs)
        dirty = keyspace.dirty
        now = node.clock.wall_ms()
        keyspace.now_ms = now
        skip_expired = not node.is_replica and not keep_expired   # an AOF base keeps them (RDBFLAGS_AOF_PREAMBLE)
        decoder = rdb.Decoder(verify_checksum=True)
        is_empty = rdb.is_empty
        try:
            while not decoder.done:
                chunk = fh.read(READ_CHUNK)
                if not chunk:
                    break
                self.loading_loaded_bytes += len(chunk)
                for ev in decoder.feed(chunk):
                    kind = ev[0]
                    if kind == "key":
                        _, dbid, key, value, expire = ev
                        if dbid >= ndbs:
                            raise rdb.RDBError(f"FATAL: Data file was created with a Redis server configured "
                                               f"to handle more than {ndbs} databases. Exiting")
                        if is_empty(value):
                            continue
                        if expire is not None and skip_expired and expire < now:
                            self.loaded_expired += 1
                            continue
                        db = dbs[dbid]
                        if key in db.data:
                            if not replace_existing:
                                raise rdb.RDBError(f"RDB has duplicated key '{key.decode(errors='replace')}' "
                                                   f"in DB {dbid}")
                            db.expires.pop(key, None)
                        db.data[key] = value
                        if expire is not None:
                            db.set_expire(key, expire)
                        self.loaded_keys += 1
                    elif kind == "aux":
                        self._log_aux(ev[1], ev[2], now, log)
                    elif kind == "function":
                        self.functions.append(ev[1])
                    elif kind == "module_aux":
                        log.warning(f"Skipping AUX module data (module id {ev[1]}): modules are not supported")
        except rdb.RDBError as exc:
            text = str(exc)
            if text.startswith("Wrong signature") or text.startswith("Can't handle RDB format version"):
                raise LoadError([text, "Fatal error loading the DB: Invalid argument. Exiting."]) from None
            if text.startswith("Wrong RDB checksum"):
                raise LoadError([text + ". Aborting now.",
                                 "Internal error in RDB reading offset 0, function at rdb.c:0 -> RDB CRC error"]
                                ) from None
            raise LoadError([f"Internal error in RDB reading offset {decoder.position}, function at rdb.c:0 -> "
                             f"{text}"]) from None
        finally:
            keyspace.dirty = dirty
        if not decoder.done:
            raise LoadError(["Short read or OOM loading DB. Unrecoverable error, aborting now.",
                             "Internal error in RDB reading offset 0, function at rdb.c:0 -> "
                             "Unexpected EOF reading RDB file"])
        log.notice(f"Done loading RDB, keys loaded: {self.loaded_keys}, keys expired: {self.loaded_expired}.")
        load_functions(node, self.functions)
        return decoder

    def _log_aux(self, name: bytes, value: bytes, now_ms: int, log) -> None:
        if name == b"redis-ver":
            log.notice(f"Loading RDB produced by version {value.decode(errors='replace')}")
        elif name == b"ctime":
            try:
                age = now_ms // 1000 - int(value)
            except ValueError:
                return
            log.notice(f"RDB age {max(0, age)} seconds")
        elif name == b"aof-base":
            if value == b"1":
                log.notice("RDB is base AOF")
        elif name == b"used-mem":
            try:
                log.notice(f"RDB memory usage when created {int(value) / (1024 * 1024):.2f} Mb")
            except ValueError:
                pass

    def load_at_startup(self) -> None:
        """``loadDataFromDisk``: a missing file is fine; a bad one stops the server (exit 1)."""
        log = self.node.log
        start = time.perf_counter()
        try:
            loaded = self.load_file(self.filename)
        except LoadError as exc:
            for line in exc.lines:
                log.warning(line)
            sys.stdout.flush()
            raise SystemExit(exc.exit_code) from None
        if loaded:
            log.notice(f"DB loaded from disk: {time.perf_counter() - start:.3f} seconds")

    # ----- shutdown
    def on_shutdown(self, save: bool | None) -> bool:
        """``prepareForShutdown``'s RDB part: kill a running child, then save if asked
        (SHUTDOWN SAVE) or by default when save points are configured; NOSAVE skips."""
        node = self.node
        if self.child_pid > 0 and self.child_type == "rdb":
            node.log.warning("There is a child saving an .rdb. Killing it!")
            self.kill_child()
        if save is False or (save is None and not self.save_points()):
            return True
        node.log.notice("Saving the final RDB snapshot before exiting.")
        try:
            self.write_file(self.filename)
        except OSError:
            node.log.warning("Error trying to save the DB, can't exit.")
            return False
        return True

    # ----- INFO
    def info_fields(self, node=None) -> list[tuple[str, object]]:
        node = self.node
        now_mono = node.clock.monotonic_ms()
        in_progress = self.child_pid > 0 and self.child_type == "rdb"
        fields: list[tuple[str, object]] = [
            ("loading", int(node.loading)),
            ("async_loading", 0),
            ("current_cow_peak", 0),
            ("current_cow_size", 0),
            ("current_cow_size_age", 0),
            ("current_fork_perc", "0.00"),
            ("current_save_keys_processed", 0),
            ("current_save_keys_total", 0),
        ]
        if node.loading:
            elapsed = max(0, node.clock.wall_ms() // 1000 - self.loading_start)
            total = self.loading_total_bytes
            done = self.loading_loaded_bytes
            perc = done * 100.0 / total if total else 0.0
            eta = int((total - done) / (done / elapsed)) if elapsed and done else 1
            fields += [("loading_start_time", self.loading_start), ("loading_total_bytes", total),
                       ("loading_rdb_used_mem", 0), ("loading_loaded_bytes", done),
                       ("loading_loaded_perc", f"{perc:.2f}"), ("loading_eta_seconds", eta)]
        fields += [
            ("rdb_changes_since_last_save", node.keyspace.dirty),
            ("rdb_bgsave_in_progress", int(in_progress)),
            ("rdb_last_save_time", self.lastsave),
            ("rdb_last_bgsave_status", "ok" if self.last_status_ok else "err"),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_time_sec),
            ("rdb_current_bgsave_time_sec", (now_mono - self.save_start_ms) // 1000 if in_progress else -1),
            ("rdb_saves", self.saves),
            ("rdb_last_cow_size", 0),
            ("rdb_last_load_keys_expired", self.loaded_expired),
            ("rdb_last_load_keys_loaded", self.loaded_keys),
        ]
        aof = getattr(node, "aof_info_fields", None)
        if aof is not None:
            fields += aof()
        else:
            fields += [("aof_enabled", 0), ("aof_rewrite_in_progress", 0), ("aof_rewrite_scheduled", 0),
                       ("aof_last_rewrite_time_sec", -1), ("aof_current_rewrite_time_sec", -1),
                       ("aof_last_bgrewrite_status", "ok"), ("aof_rewrites", 0),
                       ("aof_rewrites_consecutive_failures", 0), ("aof_last_write_status", "ok"),
                       ("aof_last_cow_size", 0)]
        fields += [("module_fork_in_progress", 0), ("module_fork_last_cow_size", 0)]
        tail = getattr(node, "aof_info_tail", None)
        if tail is not None:
            fields += tail()
        return fields


def install(node) -> Snapshots:
    """Attach RDB persistence to ``node`` (see the module docstring)."""
    snapshots = Snapshots(node)
    node.rdb = snapshots
    if not hasattr(node, "disk_error"):
        node.disk_error = None
    node.cron_hooks.append(snapshots.cron)
    startup = getattr(node, "startup_hooks", None)
    if startup is not None:
        startup.append(snapshots.load_at_startup)
    node.shutdown_hooks.append(snapshots.on_shutdown)
    sections = getattr(node, "info_sections", None)
    if sections is not None:
        sections["persistence"] = lambda n=None: snapshots.info_fields()
    hooks = node.config.hooks

    def chain(name: str, fn: Callable[[object, object], None]) -> None:
        previous = hooks.get(name)

        def hook(old: object, new: object) -> None:
            if previous is not None:
                previous(old, new)
            fn(old, new)

        hooks[name] = hook

    chain("save", lambda old, new: snapshots.update_disk_error())
    chain("stop-writes-on-bgsave-error", lambda old, new: snapshots.update_disk_error())
    if "dir" not in hooks:
        hooks["dir"] = _change_dir
    return snapshots


def _change_dir(old: object, new: object) -> None:
    from ..config import ConfigError  # noqa: PLC0415
    try:
        os.chdir(str(new))
    except OSError as exc:
        raise ConfigError(exc.strerror or "chdir failed") from None


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return "?"


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _set_title(title: str) -> None:
    try:
        import setproctitle  # type: ignore[import-not-found]  # noqa: PLC0415
        setproctitle.setproctitle(title)
    except ImportError:
        pass


def _function_codes(node) -> list[bytes]:
    from ..scripting.runtime import function_codes  # noqa: PLC0415 (scripting imports this package)
    return function_codes(node)


def load_functions(node, codes: list[bytes], flush: bool = False) -> None:
    from ..scripting.runtime import load_functions as load  # noqa: PLC0415
    load(node, codes, flush)
