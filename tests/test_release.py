"""Ready to publish: the wheel works alone, one version, the PyPI page, the floors, a free plugin.

The wheel test builds the wheel from this checkout and hands it to ``scripts/wheel_check.py``
(what ``make release`` runs): a fresh venv outside the checkout, the wheel installed alone at
the running environment's versions (so the floors run checks the wheel at the floors), then
the quick start, the emulator with its 11 operations, ``connect-participant --version``, the
fixture, ``pytest --co`` without aiohttp, and the emulator's start-up tests on the wheel.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import connect_participant
import connect_participant_emulator
import pytest
from _scripted_server import ScriptedServer
from connect_participant import ParticipantClient, ParticipantServiceError
from connect_participant_cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import floors  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# the emulator itself (its plugin and the test-case plugin's hooks import only pytest)
_EMULATOR = {"connect_participant_emulator._app", "connect_participant_emulator._service"}
# pytest in-process, then what it imported (python -X importtime misses import_module, pytest's way)
COLLECT = (
    "import json, sys, pytest\n"
    "code = pytest.main(['--co', '-q', '-p', 'no:cacheprovider'])\n"
    "print(json.dumps({'code': int(code), 'modules': sorted(sys.modules)}))\n"
)
# the extras a user installs (the others are the project's own tools)
USER_EXTRAS = sorted(set(PYPROJECT["project"]["optional-dependencies"]) - {"docs", "dev"})


@pytest.mark.timeout(900)
def test_the_wheel_installed_alone_works(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = out.glob("connect_participant-*.whl")
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    constraints = out / "constraints.txt"
    constraints.write_text(frozen)
    workdir = tmp_path_factory.mktemp("wheel-check")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "wheel_check.py"),
            str(wheel),
            "-c",
            str(constraints),
            "--workdir",
            str(workdir),
            "--emulator-tests",
            str(ROOT / "tests"),
        ],
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for check in (
        "licence",
        "connect-participant --version: connect-participant",
        "all 11 operations",
        "README quick start",
        "neither aiohttp nor the emulator",
        "start-up tests on the installed wheel",
    ):
        assert check in done.stdout, done.stdout


def test_one_version_from_the_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    version = metadata.version("connect-participant")
    assert version == PYPROJECT["project"]["version"]
    assert connect_participant.__version__ == version
    with pytest.raises(SystemExit) as done:
        cli_main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"connect-participant {version}"
    with ScriptedServer() as server, ParticipantClient(endpoint_url=server.url) as client:
        server.reply(status=500, body={"message": "no"})
        with contextlib.suppress(ParticipantServiceError):
            client.connect("participant-token-0123456789")
        assert server.requests, "the client sent nothing"
        assert {r.headers["User-Agent"] for r in server.requests} == {f"connect-participant/{version}"}


def test_changelog_starts_with_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "Keep a Changelog" in text
    releases = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert releases[:2] == ["Unreleased", PYPROJECT["project"]["version"]], releases


def test_the_readme_is_a_pypi_page() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```", 2)[1]
    assert re.search(r"^pip install connect-participant\s", first_block, re.MULTILINE), first_block
    for extra in USER_EXTRAS:
        assert f'pip install "connect-participant[{extra}]"' in first_block, extra
    relative = re.findall(r"\]\((?!https://|#)([^)]+)\)", readme)
    assert relative == [], f"relative links 404 on PyPI: {relative}"
    urls = PYPROJECT["project"]["urls"]
    assert {"Documentation", "Source", "Changelog", "Issues"} <= set(urls)
    classifiers = PYPROJECT["project"]["classifiers"]
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)


def test_every_dependency_has_a_floor_for_the_floors_run() -> None:
    found = floors.floors(ROOT / "pyproject.toml")
    for line in PYPROJECT["project"]["dependencies"]:
        name = floors._normalize(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0])
        assert name in found, line
    for extra in USER_EXTRAS:
        for line in PYPROJECT["project"]["optional-dependencies"][extra]:
            assert floors._normalize(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]) in found, line


def test_floors_refuse_a_dependency_without_one(tmp_path: Path) -> None:
    project = tmp_path / "pyproject.toml"
    project.write_text(
        '[project]\nname = "x"\ndependencies = ["httpx>=0.27.1", "attrs"]\n'
        '[project.optional-dependencies]\ndev = ["x[cli]", "pytest==9.2.0"]\ncli = ["rich>=13.9.4,<15"]\n'
    )
    with pytest.raises(ValueError, match="'attrs' has no floor"):
        floors.floors(project)
    project.write_text(project.read_text().replace('"attrs"', '"attrs==25.1.0"'))
    with pytest.raises(ValueError, match="pins the library's users"):
        floors.floors(project)
    project.write_text(project.read_text().replace('"attrs==25.1.0"', '"attrs >= 22.2.0"'))
    assert floors.floors(project) == {"httpx": "0.27.1", "attrs": "22.2.0", "rich": "13.9.4"}


def test_pytest_collection_in_a_project_with_the_sdk_imports_no_aiohttp(tmp_path: Path) -> None:
    """The plugin is loaded by every pytest run where the SDK is installed: it must cost nothing."""
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    assert True\n")
    done = subprocess.run(
        [sys.executable, "-c", COLLECT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stdout
    imported = set(report["modules"])
    assert "connect_participant_emulator.pytest_plugin" in imported  # the plugin was loaded
    heavy = sorted(m for m in imported if m.split(".")[0] == "aiohttp" or m in _EMULATOR)
    assert heavy == []


def test_the_emulator_refuses_to_start_without_its_spec(tmp_path: Path) -> None:
    """Installed without its document (a broken install): a clear error naming where it looked."""
    source = Path(connect_participant_emulator.__file__).parent
    package = tmp_path / "connect_participant_emulator"
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__", "_spec"))
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    service = subprocess.run(
        [
            sys.executable,
            "-c",
            "from connect_participant_emulator import LocalParticipantService as S; S().start()",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert service.returncode != 0
    assert "SpecNotFoundError" in service.stderr
    looked = str(package / "_spec" / "connect-participant.openapi.json")
    assert looked in service.stderr
    cli = subprocess.run(
        [sys.executable, "-m", "connect_participant_emulator", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 1
    assert cli.stderr.startswith("cannot start: the emulator's OpenAPI document")
    assert looked in cli.stderr
    assert "Traceback" not in cli.stderr


def test_a_source_tree_without_metadata_still_makes_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the folders on PYTHONPATH with no installed distribution (a vendored copy, a bundle
    without metadata, the cold-start bench): the version reads ``0+unknown`` and clients are made
    and send, instead of every client failing with PackageNotFoundError."""

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    monkeypatch.delitem(vars(connect_participant), "__version__", raising=False)
    assert connect_participant.__version__ == "0+unknown"
    with ScriptedServer() as server, ParticipantClient(endpoint_url=server.url) as client:
        server.reply(status=500, body={"message": "no"})
        with contextlib.suppress(ParticipantServiceError):
            client.connect("participant-token-0123456789")
        assert {r.headers["User-Agent"] for r in server.requests} == {"connect-participant/0+unknown"}
    monkeypatch.delitem(vars(connect_participant), "__version__")  # the next reader finds the real one
