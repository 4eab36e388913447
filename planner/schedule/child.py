"""The CBC solver as a child process that never outlives planner.

Every solve runs in its own temporary folder (`planner-solver-<pid>-*`), removed on every way
out. The child is started in its own process group (a terminal's Ctrl-C reaches planner, which
stops the child itself) and, on Linux, with `prctl(PR_SET_PDEATHSIG, SIGKILL)`, so the kernel
kills it when planner dies, even by SIGKILL. While a child runs, SIGTERM to planner stops the
child, removes its files and exits 143 (the CLI's own SIGTERM handler does the same when it
is installed). Folders left by a planner that was killed are swept
by the next solve (`sweep_stale`). The worker processes of `planner compare --jobs` are
started and stopped here too (`map_in_workers`), with the same rule: they die with planner.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from planner.errors import PlannerError

PREFIX = "planner-solver-"
PR_SET_PDEATHSIG = 1
STOP_GRACE_S = 3.0  # after SIGINT at the deadline, the child has this long to write its result
T = TypeVar("T")


@dataclass(frozen=True)
class ChildRun:
    """How a child ended: its exit code, and whether the deadline stopped it."""

    returncode: int
    interrupted: bool  # SIGINT at the deadline (the solver writes its best result)
    killed: bool  # did not stop within the grace after SIGINT


def _libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None


_LIBC = _libc()


def _child_setup(parent_pid: int) -> None:
    """Runs in the child between fork and exec: own process group, die with the parent."""
    os.setpgrp()
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(tmp: str | None = None) -> int:
    """Remove solver folders whose planner process is gone; returns how many."""
    root = Path(tmp or tempfile.gettempdir())
    removed = 0
    pattern = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")
    with contextlib.suppress(OSError):
        for path in root.iterdir():
            match = pattern.match(path.name)
            if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed


@contextlib.contextmanager
def solver_folder() -> Iterator[Path]:
    """A private temporary folder for one solve, removed on every way out. A temporary folder
    that is full or read-only ($TMPDIR) is one line (exit 1), not an internal error."""
    sweep_stale()
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    except OSError as exc:
        raise _tmp_error(exc) from None
    try:
        yield path
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise
        raise _tmp_error(exc) from None
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _tmp_error(exc: OSError) -> PlannerError:
    where = tempfile.gettempdir()
    reason = "is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "cannot be written"
    return PlannerError(
        f"the temporary folder {where} {reason} ({exc.strerror or exc}): the roster solver "
        "keeps its model files there; free space or point TMPDIR at another folder"
    )


class _Terminated(SystemExit):
    """SIGTERM while a solver child runs: unwinds (stopping the child, removing its files)."""


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        yield  # the caller (planner's CLI) already turns SIGTERM into an unwinding exception
        return

    def handler(signum, _frame):
        raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_child(args: list[str], log_path: Path, deadline: float, cwd: Path) -> ChildRun:
    """Run `args` until it exits or `deadline` (time.monotonic()) passes: then SIGINT (the
    solver stops and writes its best result), and SIGKILL after `STOP_GRACE_S`. The child is
    stopped on every way out of this function (exceptions, Ctrl-C, SIGTERM)."""
    parent = os.getpid()
    interrupted = killed = False
    with _sigterm_unwinds(), open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            preexec_fn=lambda: _child_setup(parent),  # noqa: PLW1509 - no threads start children
        )
        try:
            limit = deadline
            while True:
                try:
                    proc.wait(timeout=max(0.01, limit - time.monotonic()))
                    break
                except subprocess.TimeoutExpired:
                    if not interrupted:
                        proc.send_signal(signal.SIGINT)
                        interrupted = True
                        limit = time.monotonic() + STOP_GRACE_S
                    else:
                        proc.kill()
                        proc.wait()
                        killed = True
                        break
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return ChildRun(proc.returncode, interrupted, killed)


def run_in_fork(work, deadline: float):
    """Run `work()` (returns a picklable result) in a forked child that dies with planner, and
    return its result; None when `deadline` (+ `STOP_GRACE_S`) passes first (the child is then
    killed). For in-process solvers (HiGHS) whose own time checks a hard deadline cannot trust.
    Where fork is not available the work runs in this process."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return work()
    if multiprocessing.current_process().daemon:
        # A daemonic process (a Dask or multiprocessing pool worker) may not start children:
        # the work runs here instead, so it dies with this process, and the deadline is the
        # solver's own (the engine above reruns a task whose worker dies).
        return work()
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    parent = os.getpid()

    def target():
        _child_setup(parent)
        try:
            send.send(("ok", work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            send.send(("error", exc))

    proc = ctx.Process(target=target, daemon=True)
    with _sigterm_unwinds():
        proc.start()
        send.close()
        try:
            if receive.poll(max(0.0, deadline + STOP_GRACE_S - time.monotonic())):
                kind, value = receive.recv()
                if kind == "error":
                    raise value
                return value
            return None
        except EOFError:  # the child died without a word
            return None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            receive.close()


# --- worker pools (planner compare --jobs) -------------------------------------------------------


def _worker_start() -> None:
    """In each pool worker: die with the parent (SIGKILL when it exits, however it exits),
    leave Ctrl-C to the parent (which stops the workers), and take SIGTERM's default."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux") and _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def map_in_workers(work: Callable[..., T], calls: Sequence[tuple], jobs: int) -> list[T]:
    """`[work(*args) for args in calls]` in up to `jobs` worker processes that die with planner;
    any way out of here (an error, Ctrl-C, SIGTERM) kills the workers first."""
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(calls))), initializer=_worker_start)
    try:
        futures = [pool.submit(work, *args) for args in calls]
        results = [f.result() for f in futures]
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def stream_in_workers(
    work: Callable[..., T], calls: Sequence[tuple], jobs: int
) -> Iterator[tuple[int, BaseException | None, T | None]]:
    """`work(*args)` for each of `calls` in up to `jobs` worker processes that die with planner
    (as `map_in_workers`), yielding `(index, error, result)` as each finishes: `error` is what
    the call raised (a worker that died: `BrokenProcessPool`), else None. Leaving the
    generator early (an error, Ctrl-C, SIGTERM, `close()`) kills the workers."""
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(calls))), initializer=_worker_start)
    try:
        futures = {pool.submit(work, *args): i for i, args in enumerate(calls)}
        for future in as_completed(futures):
            error = future.exception()
            yield futures[future], error, None if error is not None else future.result()
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
