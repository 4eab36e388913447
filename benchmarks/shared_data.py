"""Where the public benchmark data lives: `../shared/benchmarks/` beside the repository (or the
workplace's `/work/shared/benchmarks/`); None when neither is there (a plain clone)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_benchmarks(folder: str) -> Path | None:
    """The folder `folder` of the shared benchmark data, or None when it is not on this machine."""
    for base in (ROOT.parent / "shared" / "benchmarks", Path("/work/shared/benchmarks")):
        if (base / folder).is_dir():
            return base / folder
    return None
