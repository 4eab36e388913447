"""Replacing a directory as one step, and recovering from a run killed while doing it.

A week's directory is built in a hidden sibling `.DIR.<random>.tmp` and then swapped in:

- Linux `renameat2(RENAME_EXCHANGE)` swaps the two names in one system call, so `DIR` always
  exists, holding last week's files or this week's, never neither; the sibling then holds the
  old files and is removed. A kill at any moment leaves `DIR` whole plus at most one hidden
  sibling, which the next run removes.
- Where the call is missing (another OS, a file system without it), two renames: `DIR` to
  `.DIR.<random>.old/previous`, then the new one onto `DIR`. A kill between them leaves no
  `DIR`; `recover` (called by every run before anything else, under the lock) renames the
  previous one back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path

RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100
RANDOM_PART = "?" * 8  # tempfile.mkdtemp's random part of a name


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return lib if hasattr(lib, "renameat2") else None
    except OSError:
        return None


_LIBC = _libc()


def exchange(a: Path, b: Path) -> bool:
    """Swap the names `a` and `b` atomically (both must exist). False where the system cannot
    (then nothing changed); OSError for a real failure."""
    if _LIBC is None:
        return False
    result = _LIBC.renameat2(
        AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE
    )
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def exchange_supported() -> bool:
    """Whether `exchange` can work here at all (Linux with renameat2 in its C library)."""
    return _LIBC is not None


def replace_directory(new: Path, target: Path) -> Path | None:
    """Put directory `new` at `target`. An existing `target` is swapped out atomically where
    the system allows (its old contents end up under `new`'s name), else parked in a hidden
    `.NAME.<random>.old/previous` (put back if the second rename fails). Returns the parking
    directory for the caller to remove, or None."""
    if not target.exists():
        os.replace(new, target)
        return None
    if exchange(new, target):
        return None
    parking = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    parked = parking / "previous"
    os.replace(target, parked)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(parked, target)
        raise
    return parking


def siblings(target: Path, suffix: str) -> list[Path]:
    """The hidden siblings `.NAME.<random><suffix>` of a target made by its runs."""
    return sorted(target.parent.glob(f".{target.name}.{RANDOM_PART}{suffix}"))


def recover(target: Path) -> list[str]:
    """Undo what a killed run left (the caller holds the lock, so no run is live): put back a
    parked previous directory when `target` is missing, then remove every hidden sibling.
    Returns what was done, one line each (for the log)."""
    done: list[str] = []
    if not target.exists():
        for parking in reversed(siblings(target, ".old")):  # the newest first
            parked = parking / "previous"
            if parked.is_dir():
                os.replace(parked, target)
                done.append(f"restored {target} from an interrupted publish")
                break
    for stale in siblings(target, ".tmp") + siblings(target, ".old"):
        shutil.rmtree(stale, ignore_errors=True)
        done.append(f"removed {stale.name} left by an interrupted run")
    return done
