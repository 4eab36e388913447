"""Reading input files: CSV text from a path or `-` (stdin), UTF-8 with or without BOM, `\\n`
or `\\r\\n`, parsed into string cells and then numbers and timestamps, with errors that name
the file, line and column."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import math
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError

STDIO = "-"
MAX_COLUMNS = 1000
MAX_INPUT_BYTES = 512 << 20  # a year of 15-minute rows for 100 queues is ~150 MB
# The longest mean handle time a row may hold: a few hours (a typo, or milliseconds, beyond).
MAX_AHT_S = 4 * 3600.0
# Timestamps a file may hold: what the calendar, the clocks and a week's horizon handle (pandas'
# nanosecond timestamps end in 2262; `-1` parses as year -1).
FIRST_TIMESTAMP = pd.Timestamp("1900-01-01")
LAST_TIMESTAMP = pd.Timestamp("2200-12-31 23:59:59")


def display_name(path: str | os.PathLike) -> str:
    """How a file is named in messages: its path, or `<stdin>` for `-`."""
    return "<stdin>" if str(path) == STDIO else str(path)


def open_regular(path: str | os.PathLike, what: str = "file") -> io.BufferedReader:
    """`path` opened for reading bytes, refused with InputError (naming the file) unless it is
    a regular file: a FIFO, a device such as /dev/zero, a directory would block or never end.
    Never waits: a FIFO is opened without waiting for a writer."""
    name = display_name(path)
    if "\x00" in str(path):
        raise InputError(f"{name!r}: a file name cannot contain a NUL byte")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{name}: {what} not found") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, expected a {what}") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError(f"{_short(name)}: the file name is too long") from None
        raise InputError(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
    handle = open(fd, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    mode = os.fstat(handle.fileno()).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        if stat.S_ISDIR(mode):
            raise InputError(f"{name}: is a directory, expected a {what}")
        raise InputError(f"{name}: not a regular file (a FIFO or a device), expected a {what}")
    os.set_blocking(fd, True)
    return handle


def check_regular(path: str | os.PathLike, what: str = "file") -> None:
    """Refuse, before any work, an input that exists but is not a regular file (see
    `open_regular`); a missing one is left to the reader (it says so when it is read)."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{display_name(path)}: is a directory, expected a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{display_name(path)}: not a regular file (a FIFO or a device), expected a {what}"
        )


def _short(name: str, limit: int = 80) -> str:
    return name if len(name) <= limit else f"{name[: limit - 3]}..."


def read_bytes(
    path: str | os.PathLike, what: str = "file", max_bytes: int = MAX_INPUT_BYTES
) -> bytes:
    """The bytes of `path` (or stdin for `-`), at most `max_bytes`; InputError for a missing,
    unreadable or oversized file, and for anything that is not a regular file (a FIFO or a
    device would block or never end)."""
    name = display_name(path)
    if "\x00" in str(path):
        raise InputError(f"{name!r}: a file name cannot contain a NUL byte")
    if str(path) == STDIO:
        try:
            stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
            raw = stream.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
        raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    else:
        with open_regular(path, what) as handle:
            try:
                raw = handle.read(max_bytes + 1)
            except OSError as exc:
                raise InputError(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(f"{name}: larger than {max_bytes >> 20} MB, expected a {what}")
    return raw


def sha256_file(path: str | os.PathLike, what: str = "file") -> str:
    """The sha256 of a regular file's bytes (InputError for anything else, see
    `open_regular`)."""
    digest = hashlib.sha256()
    with open_regular(path, what) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    return digest.hexdigest()


def read_text(path: str | os.PathLike, what: str = "file") -> str:
    """Return the UTF-8 text of `path` (or stdin for `-`), BOM removed, newlines normalised.

    Raises InputError for a missing, unreadable, empty or binary file.
    """
    name = display_name(path)
    raw = read_bytes(path, what)
    if b"\x00" in raw:
        raise InputError(f"{name}: binary data, expected a UTF-8 CSV {what}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not UTF-8 text (byte {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: empty {what}, expected a header row and data")
    return text


def read_csv_rows(
    path: str | os.PathLike, required: Sequence[str], what: str = "CSV file"
) -> pd.DataFrame:
    """Read a CSV into a frame of stripped strings with a `_line` column (1-based file line).

    Column names are stripped and lower-cased. Raises InputError naming the file when a required
    column is missing, a row has the wrong number of fields, or there are no data rows.
    """
    name = display_name(path)
    text = read_text(path, what)
    body = text.rstrip("\n")
    if '"' not in body and "\n\n" not in body and not body.startswith("\n"):
        frame = _read_plain_csv(body, name)  # fast path: one line per row, line = index + 2
    else:
        frame = _read_quoted_csv(text, name, what)
    columns = list(frame.columns[:-1])
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{name}:1: missing column {', '.join(repr(m) for m in missing)}; "
            f"found {', '.join(repr(c) for c in columns)}"
        )
    if frame.empty:
        raise InputError(f"{name}: no data rows after the header")
    if any(ch in text for ch in " \t"):
        strings = [c for c in frame.columns if c != "_line"]
        frame[strings] = frame[strings].apply(lambda col: col.str.strip())
    return frame


def _check_header(columns: list[str], name: str) -> list[str]:
    """The header's column names, refused when one is empty or repeated, or when there are so
    many that the file cannot be one of ours."""
    if len(columns) > MAX_COLUMNS:
        raise InputError(f"{name}:1: {len(columns):,} columns, expected at most {MAX_COLUMNS}")
    seen: set[str] = set()
    for n, column in enumerate(columns, start=1):
        if not column:
            raise InputError(f"{name}:1: column {n} of the header has no name")
        if column in seen:
            raise InputError(f"{name}:1: column {column!r} appears twice in the header")
        seen.add(column)
    return columns


def _read_plain_csv(body: str, name: str) -> pd.DataFrame:
    """Parse CSV text without quotes or blank lines with pandas' C parser (fast on 300k rows)."""
    first_line = body.split("\n", 1)[0]
    header = _check_header([c.strip().lower() for c in first_line.split(",")], name)
    lines = pd.Series(body.split("\n"))
    fields = lines.str.count(",").to_numpy() + 1
    wrong = (fields != len(header)).nonzero()[0]
    if wrong.size:
        first = int(wrong[0])
        raise InputError(
            f"{name}:{first + 1}: expected {len(header)} fields as in the header, "
            f"got {fields[first]}"
        )
    frame = pd.read_csv(
        io.StringIO(body),
        header=None,
        skiprows=1,
        names=header,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        engine="c",
    )
    frame["_line"] = np.arange(2, len(frame) + 2)
    return frame


def _read_quoted_csv(text: str, name: str, what: str) -> pd.DataFrame:
    """Parse any CSV with the csv module, skipping blank lines, keeping each row's file line."""
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: malformed CSV: {exc}") from None
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{name}: empty {what}, expected a header row and data")
    columns = _check_header([c.strip().lower() for c in rows[0][1]], name)
    for line, row in rows[1:]:
        if len(row) != len(columns):
            raise InputError(
                f"{name}:{line}: expected {len(columns)} fields as in the header, got {len(row)}"
            )
    frame = pd.DataFrame([r for _, r in rows[1:]], columns=columns, dtype=object)
    frame["_line"] = [n for n, _ in rows[1:]]
    return frame


def parse_numbers(
    frame: pd.DataFrame,
    column: str,
    path: str | os.PathLike,
    *,
    minimum: float | None = 0.0,
    integer: bool = False,
    allow_empty: bool = False,
    maximum: float | None = None,
) -> pd.Series:
    """Parse a string column of `read_csv_rows` output into floats, naming the first bad cell
    (`maximum`: the largest plausible value; above it is a typo or another unit)."""
    name = display_name(path)
    cells = frame[column]
    values = pd.to_numeric(cells.mask(cells == ""), errors="coerce").astype(float)
    numbers = values.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) & ~((cells == "").to_numpy() & allow_empty)
        if minimum is not None:
            bad |= numbers < minimum
        if maximum is not None:
            bad |= numbers > maximum
        if integer:
            bad |= np.isfinite(numbers) & (numbers != np.round(numbers))
    if not bad.any():  # the usual case, vectorised; else name the first bad cell below
        return values
    first = int(np.flatnonzero(bad)[0])
    rows = zip(cells.iloc[first:], values.iloc[first:], frame["_line"].iloc[first:], strict=True)
    for raw, value, line in rows:
        if raw == "" and allow_empty:
            continue
        if raw == "":
            raise InputError(f"{name}:{line}: column '{column}' is empty, expected a number")
        if math.isnan(value) or math.isinf(value):
            raise InputError(f"{name}:{line}: column '{column}' = {raw!r} is not a number")
        if minimum is not None and value < minimum:
            raise InputError(f"{name}:{line}: column '{column}' = {raw!r} is below {minimum:g}")
        if maximum is not None and value > maximum:
            raise InputError(
                f"{name}:{line}: column '{column}' = {raw!r} is above {maximum:g}, the most "
                "this file can plausibly hold"
            )
        if integer and value != round(value):
            raise InputError(f"{name}:{line}: column '{column}' = {raw!r} is not a whole number")
    return values


def calls_weighted_aht(calls: pd.Series, aht: pd.Series, by) -> tuple[pd.Series, pd.Series]:
    """Calls summed and AHT (s) as their calls-weighted mean per group of `by` (keys aligned
    with the rows, sorted); a group without calls keeps the plain mean of its AHTs."""
    total = calls.groupby(by, sort=True).sum()
    work = (calls * aht).groupby(by, sort=True).sum()
    plain = aht.groupby(by, sort=True).mean()
    return total, (work / total.where(total > 0)).fillna(plain)


def refuse_duplicate_rows(keys: pd.DataFrame, lines: Sequence, name: str) -> None:
    """The one wording for a repeated row in any file contract: `keys` holds `timestamp`
    (Timestamps) and, for per-queue files, `queue`; `lines` the file line of each row."""
    dup = keys.duplicated().to_numpy()
    if not dup.any():
        return
    i = int(np.flatnonzero(dup)[0])
    stamps = pd.DatetimeIndex(keys["timestamp"])
    daily = bool((stamps == stamps.normalize()).all())
    when = stamps[i].strftime("%Y-%m-%d" if daily else "%Y-%m-%dT%H:%M:%S")
    per_queue = "queue" in keys.columns
    queue = f" for queue {keys['queue'].iloc[i]!r}" if per_queue else ""
    raise InputError(
        f"{name}:{list(lines)[i]}: column 'timestamp' = {when} is a duplicate{queue}, expected "
        f"one row per timestamp{' and queue' if per_queue else ''}"
    )


def far_outside(values: np.ndarray, factor: float = 20.0) -> np.ndarray:
    """Which positive values lie more than `factor` times above or below the median of the
    positive values: a cell in other units (milliseconds among seconds) rather than a busy
    hour. A mask of `values`' shape; all False for fewer than 10 positive values."""
    values = np.asarray(values, dtype=float)
    positive = np.isfinite(values) & (values > 0)
    if positive.sum() < 10:
        return np.zeros(values.shape, dtype=bool)
    median = float(np.median(values[positive]))
    return positive & ((values > factor * median) | (values < median / factor))


def parse_timestamps(frame: pd.DataFrame, column: str, path: str | os.PathLike) -> pd.Series:
    """Parse ISO dates or date-times, naming the first cell that is not one."""
    name = display_name(path)
    try:
        parsed = pd.to_datetime(frame[column], errors="coerce", format="ISO8601")
    except (ValueError, TypeError):  # pandas refuses to mix UTC offsets (or offset and none)
        zone = frame[column].str.extract(r"(Z|[+-]\d\d:?\d\d)$", expand=False).fillna("")
        differ = (zone != zone.iloc[0]).to_numpy().nonzero()[0]
        if not differ.size:
            raise InputError(f"{name}: column '{column}': not ISO dates or date-times") from None
        first = int(differ[0])
        raise InputError(
            f"{name}:{frame['_line'].iloc[first]}: column '{column}' = "
            f"{frame[column].iloc[first]!r} has a different UTC offset from the first row "
            f"({frame[column].iloc[0]!r}), expected local times all alike"
        ) from None
    bad = parsed.isna()
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        raise InputError(
            f"{name}:{frame['_line'].iloc[first]}: column '{column}' = "
            f"{_short(str(frame[column].iloc[first]))!r} is not an ISO date or date-time"
        )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    outside = ((parsed < FIRST_TIMESTAMP) | (parsed > LAST_TIMESTAMP)).to_numpy()
    if outside.any():
        first = int(outside.nonzero()[0][0])
        raise InputError(
            f"{name}:{frame['_line'].iloc[first]}: column '{column}' = "
            f"{_short(str(frame[column].iloc[first]))!r} is outside the years "
            f"{FIRST_TIMESTAMP.year}-{LAST_TIMESTAMP.year} this planner handles"
        )
    return parsed


def bundled_path(name: str) -> Path:
    """Path of a bundled sample file (`data/` in a checkout, `planner/bundled/` when installed)."""
    from importlib import resources

    try:
        candidate = Path(str(resources.files("planner.bundled").joinpath(name)))
    except ModuleNotFoundError:
        candidate = Path(__file__).resolve().parents[2] / "data" / name
    if not candidate.exists():
        raise InputError(f"bundled file {name} is missing from this installation")
    return candidate
