"""One root for every failure tonghop reports to a person: `TonghopError`, with its Vietnamese message and exit code.

The library raises these; the command line turns them into one line on stderr and the exit code in one place
(flows/cli.py, `TonghopGroup`), as sqlite-utils' CLI does. Exit codes are those of docs/operations.md §7:
2 wrong usage or an office-edited file that cannot be used, 75 the warehouse is busy, 1 any other failure.
Problems inside a submission are not exceptions but issue rows (pipeline/issues.py).
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


class TonghopError(Exception):
    """A failure with a Vietnamese message for the officer and the process exit code it ends with."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(TonghopError, ValueError):
    """A wrong option or argument: a bad period code, an unknown unit, a missing file named on the command line."""

    exit_code = EXIT_USAGE


class ReferenceDataError(TonghopError, ValueError):
    """An office-edited reference file (schemas/: registry, catalog, rules, rubric, deadlines, office) cannot be used."""

    exit_code = EXIT_USAGE


class WarehouseBusy(TonghopError):
    """Another run holds the warehouse longer than the run may wait; nothing was changed."""

    exit_code = EXIT_BUSY


class WarehouseError(TonghopError):
    """The warehouse cannot be used (no warehouse yet, damaged file); the message says the way out."""


class RebuildError(TonghopError):
    """The archive cannot rebuild the warehouse; the Vietnamese message says why. Nothing was changed."""
