"""The `planner` command line: parse options, call one `planner` function, render the result.

No modelling here. `common` holds the group, the one error boundary, the shared options and
`main`; each command lives in a module of its own (forecast, staff, schedule, run, simulate,
store) that registers itself on `cli` when imported, and imports the library only when it runs
(start-up time). This is the only place that knows the flags' names: an `InputError` that
names a parameter is shown with its flag.
"""

from planner.cli import forecast, run, schedule, simulate, staff, store  # noqa: F401 (register)
from planner.cli.common import cli, main

__all__ = ["cli", "main"]
