"""The botocore whose AWS model the committed spec and endpoint table were built from.

Tests that compare the project's data with AWS's model need that model: pyproject's
``reference`` dependency group pins it (``make venv`` installs it). The floors run installs the
aws extra's boto3 floor, whose older botocore lacks newer operations, members and regions;
there those comparisons skip (the newest run makes them), while the tests of the SDK's own
behaviour run at the floors.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import botocore
import pytest

_GROUPS = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
    "dependency-groups"
]
REFERENCE = next(
    r.split("==")[1] for r in _GROUPS["reference"] if isinstance(r, str) and r.startswith("botocore==")
)

needs_reference_model = pytest.mark.skipif(
    botocore.__version__ != REFERENCE,
    reason=f"compares with AWS's model in botocore {REFERENCE} (the spec's and the endpoint table's source); "
    f"this environment has botocore {botocore.__version__} (the floors run: the aws extra's boto3 floor)",
)
