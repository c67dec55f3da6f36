"""``connect-participant flows pull``: botocore (signing with dummy credentials, no network) against
a stub of Amazon Connect's API on loopback (``_connect_stub``), serving real flows from the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _connect_stub import ConnectStub, StubFlow, StubInstance
from connect_participant_cli import main
from connect_participant_cli._flows import file_stem, plan_files

CORPUS = Path(__file__).parent / "data" / "flows"
INSTANCE = "11111111-2222-4333-8444-555555555555"
SURVEY_DISCONNECT = "9c95f170-90a3-4dad-bb26-4dea76097865"  # the id the survey's hook names
SURVEY_MODULE = "1bc263e9-09cf-432c-971c-32da62c784af"  # the id the disconnect flow invokes


def _content(relative: str) -> str:
    """The flow's Content as Connect stores it: the file's text, or a wrapped file's Content string."""
    text = (CORPUS / relative).read_text(encoding="utf-8")
    document = json.loads(text)
    return str(document["Content"]) if "Content" in document else text


def _instance() -> StubInstance:
    flows = [
        StubFlow(
            "a0000000-0000-4000-8000-000000000001",
            "Simple Survey",
            _content("contact-surveys/2-Simple Survey Example.json"),
        ),
        StubFlow(
            SURVEY_DISCONNECT,
            "Survey Disconnect",
            _content("contact-surveys/1-Survey Example Disconnect.json"),
        ),
        StubFlow(SURVEY_MODULE, "Contact Survey", _content("contact-surveys/Contact Survey.json"), type=None),
        StubFlow(
            "a0000000-0000-4000-8000-000000000002",
            "acme_customer_queue_AUTO",
            _content("gitlab-cicd-terraform/acme_customer_queue_AUTO.json"),
            type="CUSTOMER_QUEUE",
        ),
        StubFlow(
            "a0000000-0000-4000-8000-000000000003",
            "Sales/Support: Main",
            _content("rules-engine/RulesEngineError.json"),
        ),
        StubFlow(
            "a0000000-0000-4000-8000-000000000004",
            "sales_support_ main",
            _content("rules-engine/RulesEngineTerminate.json"),
        ),
        StubFlow(
            "a0000000-0000-4000-8000-000000000005",
            "Draft",
            _content("rules-engine/RulesEngineMain.json"),
            status="SAVED",
        ),
        StubFlow(
            "a0000000-0000-4000-8000-000000000006",
            "Old",
            _content("rules-engine/RulesEngineMain.json"),
            state="ARCHIVED",
        ),
        StubFlow(
            "a0000000-0000-4000-8000-000000000007",
            "Old module",
            _content("gitlab-cicd-terraform/acme_contact_flow_module_AUTO.json"),
            type=None,
            state="ARCHIVED",
        ),
    ]
    return StubInstance(INSTANCE, flows)


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The stub, and botocore's environment: dummy credentials, a region, no files, no metadata service."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with ConnectStub(_instance()) as stub:
        yield stub


# Environment variables botocore's credential chain reads (with the config file absent and the
# instance metadata service disabled, these are all it could find credentials through).
_CREDENTIAL_SOURCES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def _pull(stub: ConnectStub, dest: Path, *extra: str, instance: str = INSTANCE) -> int:
    return main(["flows", "pull", "--instance-id", instance, "--endpoint-url", stub.url, *extra, str(dest)])


def test_pull_writes_every_published_flow_and_module_as_deployed(
    connect: ConnectStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "pulled"
    assert _pull(connect, dest) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"pulled 5 flows and 1 module into {dest} (2 skipped, listed in manifest.json)"
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["instance_id"] == INSTANCE
    by_id = {e["id"]: e for e in manifest["flows"] + manifest["modules"]}
    instance = connect.instances[INSTANCE]
    for flow in instance.flows:
        if flow.status != "PUBLISHED" or flow.state != "ACTIVE":
            assert flow.id not in by_id
            continue
        entry = by_id[flow.id]
        assert (entry["name"], entry["arn"], entry.get("type")) == (flow.name, instance.arn(flow), flow.type)
        written = json.loads((dest / entry["file"]).read_text(encoding="utf-8"))
        assert written["Content"] == flow.content  # the flow exactly as deployed
        assert (written["Id"], written["Name"], written.get("Type")) == (flow.id, flow.name, flow.type)
        if flow.type is not None:  # (botocore's module shape has no timestamp)
            assert written["LastModifiedTime"].startswith("2025-12-06T")  # a timestamp, as text
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert files == [
        "flows/Sales_Support_ Main.json",
        "flows/Simple Survey.json",
        "flows/Survey Disconnect.json",
        "flows/acme_customer_queue_AUTO.json",
        "flows/sales_support_ main (2).json",  # the same name on a case-insensitive file system
        "manifest.json",
        "modules/Contact Survey.json",
    ]
    skipped = {(s["kind"], s["name"], s["reason"]) for s in manifest["skipped"]}
    assert skipped == {("flow", "Draft", "not published (only saved)"), ("flow", "Old", "archived")}
    assert "skipped flow 'Draft' (a0000000-0000-4000-8000-000000000005): not published" in err


def test_pull_reads_every_page_and_signs_every_request(connect: ConnectStub, tmp_path: Path) -> None:
    assert _pull(connect, tmp_path / "pulled") == 0
    operations = connect.operations()
    assert operations.count("contact-flows-summary") == 4  # 7 flows, 2 a page
    assert operations.count("contact-flow-modules-summary") == 1  # the ACTIVE module only
    assert operations.count("contact-flows") == 6  # every active flow, the draft too
    assert operations.count("contact-flow-modules") == 1
    for request in connect.requests:
        assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


def test_pull_of_some_types_only(connect: ConnectStub, tmp_path: Path) -> None:
    dest = tmp_path / "queue-flows"
    assert _pull(connect, dest, "--type", "CUSTOMER_QUEUE") == 0
    manifest = json.loads((dest / "manifest.json").read_text())
    assert [e["name"] for e in manifest["flows"]] == ["acme_customer_queue_AUTO"]
    listings = [r.raw_path for r in connect.requests if r.raw_path.startswith("/contact-flows-summary/")]
    assert listings
    assert all("contactFlowTypes=CUSTOMER_QUEUE" in path for path in listings)


def test_throttled_describe_is_retried(connect: ConnectStub, tmp_path: Path) -> None:
    connect.throttle = 2
    dest = tmp_path / "pulled"
    assert _pull(connect, dest) == 0
    assert connect.throttle == 0
    assert len(json.loads((dest / "manifest.json").read_text())["flows"]) == 5


def test_pull_again_replaces_what_the_last_pull_wrote_and_nothing_else(
    connect: ConnectStub, tmp_path: Path
) -> None:
    dest = tmp_path / "pulled"
    assert _pull(connect, dest) == 0
    (dest / "flows" / "my notes.txt").write_text("mine")
    instance = connect.instances[INSTANCE]
    instance.flows = [f for f in instance.flows if f.name != "Survey Disconnect"]
    instance.flows[0].name = "Simple Survey v2"
    assert _pull(connect, dest) == 0
    names = sorted(p.name for p in (dest / "flows").iterdir())
    assert names == [
        "Sales_Support_ Main.json",
        "Simple Survey v2.json",
        "acme_customer_queue_AUTO.json",
        "my notes.txt",
        "sales_support_ main (2).json",
    ]


def test_a_failed_pull_writes_nothing(
    connect: ConnectStub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore gives up on throttling sooner
    dest = tmp_path / "pulled"
    assert _pull(connect, dest, instance="99999999-2222-4333-8444-555555555555") == 1
    assert "ListContactFlows: ResourceNotFoundException: Instance not found" in capsys.readouterr().err
    assert not dest.exists()
    connect.throttle = 100  # more than botocore's attempts: DescribeContactFlow fails after the listing
    assert _pull(connect, dest) == 1
    assert "DescribeContactFlow: ThrottlingException: Rate exceeded" in capsys.readouterr().err
    assert not dest.exists()


def test_without_credentials_it_is_a_usage_error(
    connect: ConnectStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in _CREDENTIAL_SOURCES:  # whatever this machine has: botocore must find nothing
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws, ~/.boto
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "no-boto-config"))
    assert _pull(connect, tmp_path / "pulled") == 2
    assert "Unable to locate credentials" in capsys.readouterr().err
    assert connect.requests == []  # nothing sent unsigned


@pytest.mark.parametrize(
    ("names", "stems"),
    [
        (["Main"], ["Main"]),
        (["a/b:c*d?"], ["a_b_c_d_"]),
        (["Main", "main", "MAIN"], ["Main", "main (2)", "MAIN (3)"]),
        ([".hidden.", "  "], ["hidden", "flow"]),
        (["x" * 300], ["x" * 100]),
    ],
)
def test_file_stems_are_safe_and_unique_without_regard_to_case(names: list[str], stems: list[str]) -> None:
    taken: set[str] = set()
    assert [file_stem(n, taken) for n in names] == stems


def test_files_are_planned_in_a_stable_order() -> None:
    described = [{"Id": "2", "Name": "B"}, {"Id": "1", "Name": "A"}, {"Id": "0", "Name": "a"}]
    assert [p for p, _ in plan_files(described, "flows")] == [
        "flows/A.json",
        "flows/B.json",
        "flows/a (2).json",
    ]


def test_the_emulator_loads_a_pulled_folder_by_the_instance_s_ids_and_names(
    connect: ConnectStub, tmp_path: Path
) -> None:
    from connect_participant_emulator.flows import ContactFlows

    dest = tmp_path / "pulled"
    assert _pull(connect, dest) == 0
    flows = ContactFlows(dest)
    assert sorted(f.name for f in flows.flows) == [
        "Contact Survey",
        "Sales/Support: Main",
        "Simple Survey",
        "Survey Disconnect",
        "acme_customer_queue_AUTO",
        "sales_support_ main",
    ]  # the manifest is not a flow
    instance = connect.instances[INSTANCE]
    for stub_flow in instance.flows:
        if stub_flow.status == "PUBLISHED" and stub_flow.state == "ACTIVE":
            flow = flows.get(stub_flow.id)
            assert flow is not None
            assert (flow.name, flow.arn, flow.is_module) == (
                stub_flow.name,
                instance.arn(stub_flow),
                stub_flow.type is None,
            )
            assert flows.get(instance.arn(stub_flow)) is flow
    # the survey's references resolve among the pulled flows: its hook, the disconnect flow's module
    flows.check("Simple Survey")
    assert flows.get(SURVEY_MODULE) is flows.get("Contact Survey")


def test_a_named_profile_s_credentials_sign_the_pull(
    connect: ConnectStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[flows-reader]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    assert _pull(connect, tmp_path / "pulled", "--profile", "flows-reader") == 0
    assert {r.headers["Authorization"].split("/")[0] for r in connect.requests} == {
        "AWS4-HMAC-SHA256 Credential=AKIDPROFILE"
    }
    assert _pull(connect, tmp_path / "again", "--profile", "nobody") == 2
    assert "nobody" in capsys.readouterr().err
