"""`python -m planner.cli` runs the command line."""

from planner.cli import main

main()
