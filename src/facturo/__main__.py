"""Run the command line with `python -m facturo`."""

from facturo.cli import main

main()
