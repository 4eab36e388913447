"""The `planner` command line lives in `planner/cli/`; this shim keeps `python cli.py` working."""

from planner.cli import cli, main

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
