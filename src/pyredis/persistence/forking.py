"""Forked persistence children: start one with a status pipe, reap it without blocking.

The pattern ``Snapshots`` (BGSAVE) established, shared here for the AOF rewrite: ``gc.freeze()``
before the fork so the collector does not walk (and copy) the whole heap in either process; the
child drops what belongs to the parent (listening sockets, the loop's wakeup fd, signal
handlers), does its work and leaves with ``os._exit`` after writing ``ok`` on the pipe. The
parent watches the pipe's read end with the loop: it becomes readable at EOF when the child
exits, which is when the parent reaps it (``waitpid(WNOHANG)``, also tried from the cron).
"""

import gc
import os
import signal
from collections.abc import Callable


def start(node, title: str, work: Callable[[], None]) -> tuple[int, int]:
    """Fork a child that runs ``work()``; returns ``(pid, status pipe read fd)``.
    Raises OSError (with gc unfrozen again) when the pipe or the fork fails."""
    gc.freeze()
    try:
        rfd, wfd = os.pipe()
    except OSError:
        gc.unfreeze()
        raise
    try:
        pid = os.fork()
    except OSError:
        os.close(rfd)
        os.close(wfd)
        gc.unfreeze()
        raise
    if pid == 0:
        os.close(rfd)
        _child(node, title, work, wfd)      # never returns
    os.close(wfd)
    os.set_blocking(rfd, False)
    return pid, rfd


def _child(node, title: str, work: Callable[[], None], wfd: int) -> None:
    code = 1
    try:
        gc.disable()
        signal.set_wakeup_fd(-1)            # the loop's self-pipe belongs to the parent
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            signal.signal(signum, signal.SIG_DFL)
        node.log.after_fork("C")
        for server in getattr(node, "servers", ()):     # the port stays the parent's alone
            for sock in server.sockets:
                try:
                    os.close(sock.fileno())
                except OSError:
                    pass
        _set_title(title)
        work()
        code = 0
        os.write(wfd, b"ok")
    except BaseException:  # noqa: BLE001 (whatever happens the child must leave through _exit)
        code = 1
    finally:
        os._exit(code)


def reap(pid: int, block: bool = False, lost: Callable[[], bool] | None = None) -> tuple[bool, int] | None:
    """``(ok, bysignal)`` once ``pid`` exited, None while it runs. A child someone else already
    reaped counts as failed, unless ``lost()`` can tell from its status pipe that it succeeded."""
    try:
        got, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return (lost() if lost is not None else False), 0
    if got == 0:
        return None
    if os.WIFSIGNALED(status):
        return False, os.WTERMSIG(status)
    return os.WEXITSTATUS(status) == 0, 0


def _set_title(title: str) -> None:
    try:
        import setproctitle  # type: ignore[import-not-found]  # noqa: PLC0415
        setproctitle.setproctitle(title)
    except ImportError:
        pass


def close_pipe(node, fd: int) -> int:
    """Stop watching and close a child's status pipe; returns -1, the "no pipe" value."""
    if fd >= 0:
        try:
            node.loop.remove_reader(fd)
        except (AttributeError, RuntimeError, ValueError, OSError):
            pass
        os.close(fd)
    return -1
