"""Command line: ``python -m analysis <validate|scorecard|forecast|build|refresh-notebooks>``.

A thin layer over the same functions the notebooks call. Bad data or bad parameters exit with
status 2 and a message that says what is wrong and what is valid; never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import data

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad parameter: the message says what is valid."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate the data package")
    v.add_argument("--data", default=str(data.DEFAULT_DATA_DIR), help="data directory (default: data/)")
    return p


def cmd_validate(args) -> int:
    ds = data.load(args.data)
    print(f"OK: {Path(args.data).name}/ is valid — {ds.summary()}")
    return 0


COMMANDS = {"validate": cmd_validate}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except data.DataError as exc:
        n = len(exc.problems)
        print(f"Invalid data ({n} problem{'s' if n != 1 else ''}):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
