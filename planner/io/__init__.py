"""File input and output shared by every stage.

- `read`: bytes and UTF-8 text from a path or `-` (stdin), CSV rows as string cells, numbers
  and timestamps parsed from them, the one wording for a repeated row, bundled sample files.
- `rows`: `read_timestamped_rows`, the one reader of timestamped rows every file contract is
  built on (timestamps, bounded numbers, queues, repeated rows refused).
- `readers`: one reader per file contract read back by a stage (Forecast, Requirements,
  Coverage, Roster CSVs).
- `write`: deterministic CSV/JSON text written atomically; output paths checked up front.
"""

from planner.io.read import (
    FIRST_TIMESTAMP,
    LAST_TIMESTAMP,
    MAX_AHT_S,
    MAX_COLUMNS,
    MAX_INPUT_BYTES,
    STDIO,
    bundled_path,
    calls_weighted_aht,
    check_regular,
    display_name,
    far_outside,
    open_regular,
    parse_numbers,
    parse_timestamps,
    read_bytes,
    read_csv_rows,
    read_text,
    refuse_duplicate_rows,
    sha256_file,
)
from planner.io.readers import (
    MAX_STAFF,
    REQUIREMENTS_NUMBERS,
    parse_breaks,
    read_coverage,
    read_forecast,
    read_requirements,
    read_roster,
)
from planner.io.rows import (
    DAILY_FORECAST,
    Number,
    TimestampedRows,
    read_timestamped_rows,
    refuse_missing_aht,
    smallest_step_s,
)
from planner.io.write import (
    FORMATS,
    atomic_path,
    check_output_paths,
    frame_to_csv,
    frame_to_json,
    to_json,
    without_float_noise,
    write_error,
    write_text,
)

__all__ = [
    "DAILY_FORECAST",
    "FIRST_TIMESTAMP",
    "LAST_TIMESTAMP",
    "MAX_AHT_S",
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_INPUT_BYTES",
    "MAX_STAFF",
    "REQUIREMENTS_NUMBERS",
    "STDIO",
    "Number",
    "TimestampedRows",
    "atomic_path",
    "bundled_path",
    "calls_weighted_aht",
    "check_output_paths",
    "check_regular",
    "display_name",
    "far_outside",
    "frame_to_csv",
    "frame_to_json",
    "open_regular",
    "parse_breaks",
    "parse_numbers",
    "parse_timestamps",
    "read_bytes",
    "read_coverage",
    "read_csv_rows",
    "read_forecast",
    "read_requirements",
    "read_roster",
    "read_text",
    "read_timestamped_rows",
    "refuse_duplicate_rows",
    "refuse_missing_aht",
    "sha256_file",
    "smallest_step_s",
    "to_json",
    "without_float_noise",
    "write_error",
    "write_text",
]
