"""``make bench``: run the benchmark sections and print the ratios against the targets.

``python -m bench`` runs every section; ``python -m bench core attachments`` runs some.
Each section is a module of this package with ``run(report)``. Exit status 1 when a target
is missed, so a regression is visible; nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bench._harness import Report, machine

SECTIONS = ["coldstart", "core", "attachments", "events", "emulator_memory", "sharing", "load"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "sections", nargs="*", help=f"sections to run (default: all of {', '.join(SECTIONS)})"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections: {', '.join(unknown)}")
    logging.basicConfig(level=logging.WARNING)
    print(f"machine: {machine()}")
    report = Report()
    for name in args.sections or SECTIONS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"\n== {name}: not written yet ==")
            continue
        module.run(report)
    return 0 if report.summary() else 1


if __name__ == "__main__":
    sys.exit(main())
