"""The dependency floors of pyproject.toml, as pip constraints; and a check that they are installed.

Every requirement of the library (``[project].dependencies``) and of its extras names either a
lower bound (``>=``) or an exact pin (``==``, the tools of ``docs`` and ``dev``). The floors
run (``make pytest RESOLUTION=lowest``, in CI) installs each lower bound exactly, the way uv's
``--resolution lowest-direct`` does: ``--write FILE`` writes ``name==floor`` lines that
``pip install -c FILE`` applies; their own dependencies resolve to the newest that fit.
``--check`` fails unless the running environment holds exactly those versions.

A new dependency needs nothing here: its line in pyproject.toml, with its floor, is the one place.

    python scripts/floors.py --write .venv-floors/floors.txt
    python scripts/floors.py --check
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<specs>[^;]*)(?:;.*)?$"
)


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(pyproject: Path = PYPROJECT) -> dict[str, list[str]]:
    """Each group's requirement strings: ``""`` for the library's own, else the extra's name."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    groups = {"": list(project.get("dependencies", []))}
    groups.update(project.get("optional-dependencies", {}))
    return groups


def floors(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """``{normalized name: lowest version}`` over the library and every extra.

    Raises ``ValueError`` for a requirement with neither a ``>=`` floor nor an ``==`` pin (its
    lowest version would be whatever is oldest on PyPI), and for a library dependency pinned
    with ``==`` (a library that pins breaks its users' installs).
    """
    name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
    found: dict[str, str] = {}
    problems: list[str] = []
    for group, lines in requirements(pyproject).items():
        where = f"[project.optional-dependencies].{group}" if group else "[project].dependencies"
        for line in lines:
            match = _REQUIREMENT.match(line)
            if match is None:
                problems.append(f"{where}: cannot read {line!r}")
                continue
            package = _normalize(match["name"])
            if package == _normalize(name):
                continue  # connect-participant[cli,...]: the extras' own requirements are read too
            specs = [spec.strip() for spec in match["specs"].split(",") if spec.strip()]
            lower = [spec[2:].strip() for spec in specs if spec.startswith(">=")]
            pinned = [spec[2:].strip() for spec in specs if spec.startswith("==")]
            if pinned and not group:
                problems.append(f"{where}: {line!r} pins the library's users; give a floor (>=)")
            elif lower:
                found[package] = lower[0]
            elif not pinned:
                problems.append(f"{where}: {line!r} has no floor (>=): the floors run cannot install it")
    if problems:
        raise ValueError("\n".join(problems))
    return found


def installed_mismatches(wanted: dict[str, str]) -> list[str]:
    """The floors the running environment does not hold, one line each."""
    wrong = []
    for package, version in sorted(wanted.items()):
        try:
            have = metadata.version(package)
        except metadata.PackageNotFoundError:
            wrong.append(f"{package}: not installed (floor {version})")
            continue
        if _release(have) != _release(version):
            wrong.append(f"{package}: {have} installed, floor {version}")
    return wrong


def _release(version: str) -> tuple[int, ...]:
    """1.34 and 1.34.0 are the same release."""
    parts = [int(p) for p in re.findall(r"\d+", version.split("+")[0])]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="FILE", help="write the floors as pip constraints")
    action.add_argument("--check", action="store_true", help="fail unless the floors are what is installed")
    args = parser.parse_args(argv)
    try:
        wanted = floors()
    except ValueError as problem:
        print(f"floors: {problem}", file=sys.stderr)
        return 1
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{package}=={version}" for package, version in sorted(wanted.items())]
        args.write.write_text(
            "# written by scripts/floors.py from pyproject.toml\n" + "\n".join(lines) + "\n"
        )
        print(f"floors: {len(lines)} constraints in {args.write}: {', '.join(lines)}")
        return 0
    wrong = installed_mismatches(wanted)
    for line in wrong:
        print(f"floors: {line}", file=sys.stderr)
    if not wrong:
        print(f"floors: all {len(wanted)} installed at their floor")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
