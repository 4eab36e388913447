"""Where independent units of work run: the engines of `planner sweep` (and `compare`).

One small interface, `Engine.run(work, shared, calls, keys)`: `work(*args)` for each call, an
argument `Shared(k)` standing for `shared[k]` (inputs shipped to the workers once, not once per
task), yielding an `Outcome` per call as each finishes (in completion order). Every engine runs
the work in other processes or threads and returns results; none writes a file.

- `local` (`--jobs N`): planner's own process pool (`planner.schedule.child`), workers that
  die with planner; `--jobs 1` runs in this process. A worker that dies fails its call
  (`BrokenProcessPool`) and the calls still running with it.
- `dask://HOST:PORT`: an existing Dask scheduler (`dask scheduler` / `dask worker`, or any
  deployment); every worker must run the same planner version.
- `dask-local:N` / `dask-local-threads:N`: a Dask `LocalCluster` of N worker processes (one
  thread each), or of one in-process worker with N threads, started and stopped here.

On Dask a task whose worker dies is rerun on another worker, up to `retries` times (the
scheduler's `allowed-failures`, set for the clusters planner starts; an existing scheduler keeps
its own), and a task that raised is retried `retries` times too. Dask is the optional extra
`planner[dask]`; without it the dask engines are refused with one line saying what to install.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from planner import __version__
from planner.errors import InputError, PlannerError
from planner.schedule.child import stream_in_workers

try:  # the optional extra: planner works without it, the dask engines say what to install
    import dask
    import distributed
except ImportError:  # pragma: no cover - exercised where Dask is not installed
    dask = None  # type: ignore[assignment, unused-ignore]
    distributed = None  # type: ignore[assignment, unused-ignore]

INSTALL_HINT = "the dask engines need Dask: pip install 'planner[dask]' (dask[distributed])"
DEFAULT_RETRIES = 2
DEFAULT_CONNECT_TIMEOUT_S = 10.0
ENGINE_HELP = (
    "local (process pool), local:N, dask://HOST:PORT (a running Dask scheduler), "
    "dask-local:N (N local Dask worker processes) or dask-local-threads:N"
)


@dataclass(frozen=True)
class Shared:
    """An argument of a call that stands for `shared[key]`: shipped to the workers once."""

    key: Hashable


@dataclass(frozen=True)
class Outcome:
    """One finished call: its index in `calls`, what it raised (None) or returned."""

    index: int
    error: BaseException | None
    result: Any = None


class Engine(Protocol):
    """Runs independent calls and streams their outcomes back as they finish."""

    @property
    def name(self) -> str: ...

    def run(
        self,
        work: Callable[..., Any],
        shared: Mapping[Any, Any],
        calls: Sequence[tuple],
        keys: Sequence[str] | None = None,
    ) -> Iterator[Outcome]: ...


def _resolve(args: tuple, shared: Mapping[Hashable, Any]) -> tuple:
    return tuple(shared[a.key] if isinstance(a, Shared) else a for a in args)


def _call(work: Callable[..., Any], *args):
    return work(*args)


@dataclass(frozen=True)
class LocalEngine:
    """planner's process pool (`jobs` > 1) or this process (`jobs` = 1)."""

    jobs: int = 1

    @property
    def name(self) -> str:
        return f"local:{self.jobs}"

    def run(self, work, shared, calls, keys=None) -> Iterator[Outcome]:
        resolved = [_resolve(args, shared) for args in calls]
        if self.jobs <= 1 or len(resolved) <= 1:
            for i, args in enumerate(resolved):
                try:
                    result = work(*args)
                except Exception as exc:  # noqa: BLE001 - reported per call, as the pool does
                    yield Outcome(i, exc)
                else:
                    yield Outcome(i, None, result)
            return
        for i, error, result in stream_in_workers(work, resolved, self.jobs):
            yield Outcome(i, error, result)


@dataclass(frozen=True)
class DaskEngine:
    """A Dask cluster: an existing scheduler (`address`) or a LocalCluster of `workers`
    processes (or threads, `threads=True`) started and stopped around `run`."""

    address: str | None = None
    workers: int = 2
    threads: bool = False
    retries: int = DEFAULT_RETRIES
    timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S

    @property
    def name(self) -> str:
        if self.address is not None:
            return f"dask://{self.address}"
        return f"dask-local{'-threads' if self.threads else ''}:{self.workers}"

    @contextlib.contextmanager
    def client(self) -> Iterator[Any]:
        """A connected `distributed.Client` (and its LocalCluster), closed on every way out."""
        if distributed is None:
            raise InputError(f"{self.name}: {INSTALL_HINT}", "engine")
        quiet = logging.getLogger("distributed")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # a killed worker is reported per cell, not logged
        try:
            with contextlib.ExitStack() as stack:
                if self.address is None:
                    with dask.config.set({"distributed.scheduler.allowed-failures": self.retries}):
                        cluster = stack.enter_context(
                            distributed.LocalCluster(
                                n_workers=1 if self.threads else self.workers,
                                threads_per_worker=self.workers if self.threads else 1,
                                processes=not self.threads,
                                dashboard_address=None,
                                silence_logs=logging.CRITICAL,
                            )
                        )
                    client = stack.enter_context(distributed.Client(cluster))
                else:
                    try:
                        client = distributed.Client(f"tcp://{self.address}", timeout=self.timeout_s)
                    except (OSError, TimeoutError) as exc:
                        raise PlannerError(
                            f"{self.name}: no Dask scheduler answered within "
                            f"{self.timeout_s:g} s ({type(exc).__name__})"
                        ) from None
                    stack.enter_context(client)
                self._check_workers(client)
                yield client
        finally:
            quiet.setLevel(level)

    def _check_workers(self, client) -> None:
        """Every worker runs planner, at the client's version (else one line naming it)."""
        found = client.run(importlib.metadata.version, "planner", on_error="return")
        for worker, version in sorted(found.items()):
            if isinstance(version, BaseException):
                raise PlannerError(f"{self.name}: worker {worker}: planner is not installed there")
            if version != __version__:
                raise PlannerError(
                    f"{self.name}: worker {worker} runs planner {version}, this client "
                    f"{__version__}: install the same version on every worker"
                )

    def run(self, work, shared, calls, keys=None) -> Iterator[Outcome]:
        if not calls:
            return
        with self.client() as client:
            # to every worker: a killed worker takes no input with it
            sent = {k: client.scatter(v, hash=False, broadcast=True) for k, v in shared.items()}
            index: dict[Any, int] = {}
            futures = []
            for i, args in enumerate(calls):
                futures_args = [sent[a.key] if isinstance(a, Shared) else a for a in args]
                future = client.submit(
                    _call,
                    work,
                    *futures_args,
                    key=None if keys is None else keys[i],
                    pure=False,
                    retries=self.retries,
                )
                index[future.key] = i
                futures.append(future)
            pending = distributed.as_completed(futures)
            futures.clear()  # a finished task's result is released once handled
            for future in pending:
                i = index[future.key]
                if future.status == "finished":
                    yield Outcome(i, None, future.result())
                else:
                    try:
                        error = future.exception()
                    except BaseException as exc:  # noqa: BLE001 - cancelled, lost
                        error = exc
                    yield Outcome(i, error or PlannerError(f"task {future.key}: {future.status}"))


def ordered(engine: Engine) -> Callable[[Callable[..., Any], list[tuple]], list[Any]]:
    """`run_calls(work, calls)` -> `[work(*args) for args in calls]` on `engine`, in order; the
    first call that raised (in order) raises here (`planner compare --engine`)."""

    def run_calls(work: Callable[..., Any], calls: list[tuple]) -> list[Any]:
        outcomes = sorted(engine.run(work, {}, calls), key=lambda o: o.index)
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error
        return [o.result for o in outcomes]

    return run_calls


_DASK_LOCAL = re.compile(r"^dask-local(-threads)?:(\d+)$")


def engine_from_text(
    text: str,
    jobs: int = 1,
    retries: int = DEFAULT_RETRIES,
    timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Engine:
    """`local`, `local:N`, `dask://HOST:PORT`, `dask-local:N`, `dask-local-threads:N`."""
    text = text.strip()
    if text == "local":
        return LocalEngine(jobs)
    if text.startswith("local:") and text[6:].isdigit() and 1 <= int(text[6:]) <= 256:
        return LocalEngine(int(text[6:]))
    match = _DASK_LOCAL.match(text)
    if match or text.startswith("dask://"):
        if distributed is None:
            raise InputError(f"{text}: {INSTALL_HINT}", "engine")
        if match:
            workers = int(match.group(2))
            if not 1 <= workers <= 256:
                raise InputError(f"{text}: expected 1 to 256 workers", "engine")
            return DaskEngine(
                workers=workers, threads=bool(match.group(1)), retries=retries, timeout_s=timeout_s
            )
        address = text[len("dask://") :]
        if not re.match(r"^[\w.\-\[\]:]+:\d+$", address):
            raise InputError(f"{text}: expected dask://HOST:PORT", "engine")
        return DaskEngine(address=address, retries=retries, timeout_s=timeout_s)
    raise InputError(f"{text}: expected {ENGINE_HELP}", "engine")
