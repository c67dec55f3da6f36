"""The README's conversation-testing example, as written there, run by pytest the way a user runs
it: with ``-W error::pytest.PytestUnhandledThreadExceptionWarning``, so an exception escaping the
bot's thread (say, its ``with client.connect(...)`` leaving after the test closed the client)
fails the run. Ten copies of the example in one run: the race it had showed in 3 of 6 runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIES = 10


def readme_example() -> str:
    """The README's code block that defines ``test_a_bot_end_to_end``."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if "def test_a_bot_end_to_end" in b]
    return block


def test_the_readme_conversation_example_runs_clean(tmp_path: Path) -> None:
    example = readme_example()
    assert "Conversation(chat" in example
    for n in range(COPIES):
        (tmp_path / f"test_readme_{n}.py").write_text(example, encoding="utf-8")
    strict = ("-W", "error::pytest.PytestUnhandledThreadExceptionWarning")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), *strict],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"{COPIES} passed" in run.stdout
    assert "warning" not in run.stdout.lower(), run.stdout[-3000:]
