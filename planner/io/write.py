"""Writing outputs: deterministic CSV/JSON text, written to a temporary file and renamed so
that a failure never leaves half a file behind; output paths checked before any work."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, PlannerError
from planner.io.read import STDIO

FORMATS = ("table", "csv", "json")
NAME_MAX = 255  # bytes in one name of a path (Linux, macOS)


def check_output_paths(
    *paths: str | os.PathLike | None, inputs: Sequence[str | os.PathLike | None] = ()
) -> None:
    """Refuse, before any work, output paths that cannot be written (a directory, a missing
    folder, a path under a file, a read-only folder) or that are one of the command's `inputs`
    (writing would destroy it), so a command with several outputs never writes some of them and
    then fails on another. None and `-` (stdout) are skipped."""
    sources = [Path(p) for p in inputs if p is not None and str(p) != STDIO]
    for path in paths:
        if path is None or str(path) == STDIO:
            continue
        if "\x00" in str(path):
            raise InputError(f"{path!r}: a file name cannot contain a NUL byte")
        target = Path(path)
        try:
            _check_output_path(target, sources)
        except OSError as exc:  # a name too long, a symlink loop, a path through a file
            raise write_error(target, exc) from None


def _check_output_path(target: Path, sources: list[Path]) -> None:
    """One output path of `check_output_paths` (OSError for a path the system refuses)."""
    if any(len(os.fsencode(part)) > NAME_MAX for part in target.parts):
        raise OSError(errno.ENAMETOOLONG, "File name too long", str(target))
    for source in sources:
        if _same_file(target, source):
            raise InputError(
                f"{target}: is also an input of this command ({source}); writing it would "
                "destroy the input, choose another output name"
            )
    if target.is_dir():
        raise InputError(f"{target}: is a directory, expected an output file path")
    if _is_special(target):
        return
    parent = target.parent
    if not parent.exists():
        first = next((p for p in target.parents if p.exists()), Path("."))
        if not first.is_dir():
            raise InputError(f"cannot write {target}: a parent is a file, not a directory")
        raise InputError(f"cannot write {target}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"cannot write {target}: a parent is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlannerError(f"cannot write {target}: permission denied (in {parent})")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (hard links and symlinks included)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _is_special(path: Path) -> bool:
    """A device or FIFO such as /dev/null: it exists, but is neither a file nor a directory."""
    return path.exists() and not path.is_file() and not path.is_dir()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.
    A symlink is followed: its target is replaced and the link kept."""
    target = Path(path)
    try:
        if target.is_symlink():
            try:
                target = Path(os.path.realpath(target, strict=True))
            except FileNotFoundError:  # a dangling link: its target is created
                target = Path(os.path.realpath(target))
    except OSError as exc:
        raise write_error(target, exc) from None
    try:
        if any(len(os.fsencode(part)) > NAME_MAX - 20 for part in target.parts):
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(target))
        if target.is_dir():
            raise InputError(f"{target}: is a directory, expected an output file path")
        special = _is_special(target)  # /dev/null, a FIFO: a rename would replace the device
    except OSError as exc:
        raise write_error(target, exc) from None
    try:
        folder = None if special else target.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise write_error(target, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs get ordinary permissions
    try:
        try:
            yield tmp_path
        except OSError as exc:  # the block's own write failed (a full disk)
            raise write_error(target, exc) from None
        try:
            if special:
                with open(target, "wb") as dev:
                    dev.write(tmp_path.read_bytes())
            else:
                os.replace(tmp_path, target)
        except OSError as exc:
            raise write_error(target, exc) from None
    finally:
        tmp_path.unlink(missing_ok=True)


def write_error(target: str | os.PathLike, exc: OSError) -> PlannerError:
    """A failed write as one line, `cannot write PATH: reason`: a read-only or full disk is a
    runtime error (exit 1), a path that cannot exist (a parent is a file) bad input (exit 2)."""
    reason = (exc.strerror or str(exc)).lower()
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return InputError(f"cannot write {target}: a parent is a file, not a directory")
    if isinstance(exc, FileNotFoundError):
        return InputError(f"cannot write {target}: the folder {Path(target).parent} does not exist")
    if exc.errno == errno.ENAMETOOLONG:
        shown = str(target) if len(str(target)) <= 80 else f"{str(target)[:77]}..."
        return InputError(f"cannot write {shown}: file name too long")
    if exc.errno == errno.ELOOP:
        return InputError(f"cannot write {target}: a symlink loop")
    return PlannerError(f"cannot write {target}: {reason}")


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` atomically, or to stdout for `-`."""
    if str(path) == STDIO:
        if sys.stdout is None:
            raise PlannerError("cannot write <stdout>: it is closed")
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:  # a full device, a closed stream
            if isinstance(exc, OSError):
                raise write_error("<stdout>", exc) from None
            raise PlannerError("cannot write <stdout>: it is closed") from None
        return
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def frame_to_csv(frame: pd.DataFrame) -> str:
    """Deterministic CSV text: no index, `\\n` line ends, ISO timestamps, floats as pandas writes."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = without_float_noise(out[col].to_numpy(dtype=float))
    return out.to_csv(index=False, lineterminator="\n")


def without_float_noise(values: np.ndarray, digits: int = 12) -> np.ndarray:
    """Floats rounded to `digits` significant digits, so arithmetic noise such as
    6.3999999999999995 is written 6.4 (NaN and infinities are kept)."""
    spec = f".{digits}g"
    out = np.array([float(format(v, spec)) for v in values.tolist()], dtype=float)
    return out


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(obj) -> str:
    """Deterministic JSON text (sorted keys, 2-space indent, trailing newline)."""
    return (
        json.dumps(obj, default=_json_default, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def frame_to_json(frame: pd.DataFrame) -> str:
    """A frame as a JSON array of records, timestamps in ISO form, NaN as null."""
    text = frame_to_csv(frame)
    records = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str).to_dict("records")
    typed = []
    for rec in records:
        row: dict[str, object] = {}
        for key, raw in rec.items():
            col = frame[key]
            if raw == "":
                row[key] = None
            elif pd.api.types.is_integer_dtype(col):
                row[key] = int(raw)
            elif pd.api.types.is_float_dtype(col):
                row[key] = float(raw)
            elif pd.api.types.is_bool_dtype(col):
                row[key] = raw == "True"
            else:
                row[key] = raw
        typed.append(row)
    return json.dumps(typed, indent=2, ensure_ascii=False) + "\n"
