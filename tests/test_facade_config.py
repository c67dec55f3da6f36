"""Configuration from the environment and the shared config file gives botocore's answers.

botocore (a dev dependency) is run on the same variables and file: a real client is created and
its SendMessage request captured before it is sent, so the URL compared is the one botocore
would really call. Two differences are by design and folded in here, each said where it
happens: botocore does not read ``$AWS_REGION`` (the AWS CLI v2 and the other SDKs do, first),
and botocore needs a region even with an endpoint URL (for SigV4, which this service's
bearer-token calls do not use).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.loaders import create_loader
from connect_participant import InvalidInputError, ParticipantClient
from connect_participant._config import (
    SharedConfig,
    load_shared_config,
    parse_shared_config,
    resolve_config,
)
from connect_participant_emulator import LocalParticipantService

_LOADER = create_loader()
_PATH = "/participant/message"  # SendMessage's path, after the endpoint

# Shared config files, each with profiles "default" and/or "dev", services sections and the
# settings this SDK reads; None is "no file".
CONFIG_FILES: dict[str, str | None] = {
    "none": None,
    "empty": "",
    "default-region": "[default]\nregion = eu-west-1\n",
    "dev-profile": (
        "[default]\nregion = eu-west-1\n\n"
        "[profile dev]\nregion = ap-northeast-1\nendpoint_url = http://127.0.0.1:9101\n"
        "use_fips_endpoint = false\nmax_attempts = 4\n"
    ),
    "services": (
        "[default]\nregion = eu-west-1\nservices = local\n\n"
        "[services local]\nconnectparticipant =\n  endpoint_url = http://127.0.0.1:9201\n"
        "connect =\n  endpoint_url = http://127.0.0.1:9299\n\n"
        "[profile dev]\nregion = us-gov-west-1\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n"
    ),
    "ignored": (
        "[profile dev]\nregion = cn-north-1\nservices = other\nignore_configured_endpoint_urls = true\n"
        "endpoint_url = http://127.0.0.1:9102\n\n"
        "[services other]\nconnect =\n  endpoint_url = http://127.0.0.1:9202\n\n"
        "[default]\nuse_dualstack_endpoint = true\nmax_attempts = 2\nregion = us-west-2\n"
    ),
    "global-endpoint": (
        "[default]\nregion = sa-east-1\nendpoint_url = http://localhost:9103/base\nmax_attempts = 6\n"
        "ignore_configured_endpoint_urls = false\n\n"
        "[profile dev]\nservices = local\nuse_fips_endpoint = true\n\n"
        "[services local]\nconnectparticipant =\n  endpoint_url = https://participant.example.com\n"
    ),
}

# Each variable's values in the matrix (None: not set).
VARIABLES: dict[str, tuple[str | None, ...]] = {
    "AWS_REGION": (None, "eu-west-2"),
    "AWS_DEFAULT_REGION": (None, "ap-south-1", "us-gov-east-1"),
    "AWS_PROFILE": (None, "dev", "missing"),
    "AWS_DEFAULT_PROFILE": (None, "default"),
    "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": (None, "http://127.0.0.1:9001", ""),
    "AWS_ENDPOINT_URL": (None, "http://[::1]:9002/"),
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": (None, "true", "false"),
    "AWS_USE_FIPS_ENDPOINT": (None, "true", "false"),
    "AWS_USE_DUALSTACK_ENDPOINT": (None, "true", "False"),
    "AWS_MAX_ATTEMPTS": (None, "5"),
}


def _matrix(count: int) -> list[tuple[str, dict[str, str]]]:
    """``count`` combinations drawn (seeded) from every file × every variable's values."""
    names = list(VARIABLES)
    combos = list(itertools.product(CONFIG_FILES, *(VARIABLES[n] for n in names)))
    picked = random.Random(13).sample(combos, count)
    # and every file with no variables at all, and with only a region
    picked += [(f, *([None] * len(names))) for f in CONFIG_FILES]
    picked += [(f, "us-east-1", *([None] * (len(names) - 1))) for f in CONFIG_FILES]
    return [(f, {n: v for n, v in zip(names, values, strict=True) if v is not None}) for f, *values in picked]


Outcome = tuple[str, str | None, int | None] | None  # (URL of SendMessage, region, attempts) or an error


@pytest.fixture
def config_dir(tmp_path: Path) -> dict[str, str]:
    paths = {}
    for name, text in CONFIG_FILES.items():
        path = tmp_path / f"{name}.ini"
        if text is not None:
            path.write_text(text)
        paths[name] = str(path)
    return paths


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """os.environ holding only what botocore needs to run offline (set again for each case)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _botocore(env: Mapping[str, str], config_file: str, region: str | None = None) -> Outcome:
    """What a real botocore client does with this environment: the URL its SendMessage would call."""
    os.environ.clear()
    os.environ.update(env)
    os.environ.update(
        AWS_CONFIG_FILE=config_file,
        AWS_SHARED_CREDENTIALS_FILE=config_file + ".no-credentials",
        AWS_EC2_METADATA_DISABLED="true",
        # botocore signs SendMessage; we send no credentials anywhere (bearer token only)
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example",
    )
    seen: dict[str, str] = {}

    def capture(request: Any, **_: Any) -> None:
        seen["url"] = request.url
        raise _Captured

    try:
        session = botocore.session.Session()
        session.register_component("data_loader", _LOADER)
        client = session.create_client("connectparticipant", region_name=region)
        client.meta.events.register("before-send", capture)
        with contextlib.suppress(_Captured):
            client.send_message(ConnectionToken="t", ContentType="text/plain", Content="x")
    except Exception as exc:
        if type(exc).__name__ == "NoRegionError":
            raise _NoRegion from None
        return None
    retries = client.meta.config.retries or {}
    return seen["url"], client.meta.region_name, retries.get("total_max_attempts")


class _Captured(Exception):
    pass


class _NoRegion(Exception):
    pass


def _ours(env: Mapping[str, str], config_file: str) -> Outcome:
    environ = {**env, "AWS_CONFIG_FILE": config_file}
    try:
        config = resolve_config(
            region=None,
            endpoint_url=None,
            use_fips=None,
            use_dualstack=None,
            environ=environ,
            shared=load_shared_config(environ),
        )
    except InvalidInputError:
        return None
    return config.endpoint_url + _PATH, config.region, config.max_attempts


def _expected(env: Mapping[str, str], config_file: str) -> Outcome:
    boto_env = dict(env)
    if "AWS_REGION" in boto_env:  # by design: $AWS_REGION first, as the AWS CLI v2 and other SDKs
        boto_env["AWS_DEFAULT_REGION"] = boto_env.pop("AWS_REGION")
    try:
        return _botocore(boto_env, config_file)
    except _NoRegion:
        pass
    # botocore wants a region even for an endpoint URL (SigV4); we need none. Lend it one:
    # if it then calls a configured endpoint, that is the answer, with no region.
    lent = _botocore(boto_env, config_file, region="us-west-1")
    if lent is None or "us-west-1" in lent[0]:
        return None  # no endpoint either: both must refuse
    return lent[0], None, lent[2]


CASES = _matrix(400)


def test_matrix_covers_every_value() -> None:
    """The sample exercises every file and every value of every variable, many times over."""
    for name, values in VARIABLES.items():
        for value in values:
            assert sum(env.get(name) == value for _, env in CASES) >= 20, (name, value)
    for file in CONFIG_FILES:
        assert sum(f == file for f, _ in CASES) >= 40, file


def test_same_answers_as_botocore(config_dir: dict[str, str], clean_environ: None) -> None:
    mismatches = []
    outcomes = set()
    for file, env in CASES:
        expected = _expected(env, config_dir[file])
        ours = _ours(env, config_dir[file])
        outcomes.add("error" if expected is None else "ok")
        if ours != expected:
            mismatches.append((file, env, expected, ours))
    assert not mismatches, f"{len(mismatches)} of {len(CASES)} differ:\n" + "\n".join(
        map(repr, mismatches[:8])
    )
    assert outcomes == {"error", "ok"}


def test_explicit_arguments_win_over_everything(config_dir: dict[str, str]) -> None:
    environ = {
        "AWS_CONFIG_FILE": config_dir["global-endpoint"],
        "AWS_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9002",
        "AWS_MAX_ATTEMPTS": "9",
    }
    shared = load_shared_config(environ)
    got = resolve_config(
        region="us-east-2",
        endpoint_url=None,
        use_fips=None,
        use_dualstack=None,
        environ=environ,
        shared=shared,
    )
    assert (got.endpoint_url, got.region) == ("http://127.0.0.1:9002", "us-east-2")
    got = resolve_config(
        region=None,
        endpoint_url="http://127.0.0.1:1",
        use_fips=False,
        use_dualstack=False,
        environ={**environ, "AWS_USE_FIPS_ENDPOINT": "true"},
        shared=shared,
    )
    assert got.endpoint_url == "http://127.0.0.1:1"
    got = resolve_config(
        region="us-east-1",
        endpoint_url=None,
        use_fips=True,
        use_dualstack=None,
        environ={"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_USE_FIPS_ENDPOINT": "false"},
        shared=shared,
    )
    assert got.endpoint_url == "https://participant.connect-fips.us-east-1.amazonaws.com"


def test_clients_take_the_environment(config_dir: dict[str, str]) -> None:
    environ = {"AWS_CONFIG_FILE": config_dir["dev-profile"], "AWS_PROFILE": "dev", "AWS_REGION": "eu-west-2"}
    with ParticipantClient(_environ=environ) as client:
        assert client.endpoint_url == "http://127.0.0.1:9101"
        assert client.region == "eu-west-2"
        assert client._retry.max_attempts == 4  # max_attempts from the profile
    with ParticipantClient(_environ={**environ, "AWS_MAX_ATTEMPTS": "1"}) as client:
        assert client._retry.max_attempts == 1


def test_a_client_with_no_arguments_reaches_the_emulator_named_by_the_environment(
    participant_service: LocalParticipantService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", participant_service.endpoint_url)
    started = participant_service.start_chat(display_name="Env")
    with ParticipantClient() as client, client.connect(started.participant_token) as chat:
        assert client.endpoint_url == participant_service.endpoint_url
        chat.send_message("configured by the environment")
        assert any(i.content == "configured by the environment" for i in chat.transcript())


def _error(environ: dict[str, str], **kwargs: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        ParticipantClient(_environ=environ, **kwargs)
    return caught.value


def test_no_region_names_every_place_looked_in(tmp_path: Path) -> None:
    config = tmp_path / "config"
    error = _error({"AWS_CONFIG_FILE": str(config)})
    assert error.argument == "region"
    for place in ("region=", "$AWS_REGION", "$AWS_DEFAULT_REGION", "$AWS_ENDPOINT_URL", "'default'"):
        assert place in error.rule
    assert f"{config}, no such file" in error.rule
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    error = _error({"AWS_CONFIG_FILE": str(config)})
    assert f"profile 'default' of {config}" in error.rule
    assert "no such file" not in error.rule


def test_configuration_errors_name_their_source(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = not a region\nservices = gone\n")
    env = {"AWS_CONFIG_FILE": str(config)}
    assert _error({**env, "AWS_PROFILE": "nope"}).argument == "$AWS_PROFILE"
    assert "'nope' is not in" in _error({**env, "AWS_PROFILE": "nope"}).rule
    assert _error(env).argument.startswith("region in profile 'default'")
    assert _error({**env, "AWS_REGION": "us_east_1"}).argument == "$AWS_REGION"
    assert _error({**env, "AWS_REGION": "us-east-1"}).argument == "services"
    error = _error({"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://example.com"})
    assert (error.argument, error.rule) == ("$AWS_ENDPOINT_URL", "must use https unless the host is loopback")
    error = _error({}, endpoint_url="https://h", use_dualstack=True)
    assert (error.argument, error.rule) == (
        "use_dualstack",
        "cannot be combined with endpoint_url (a custom endpoint)",
    )
    for bad in ("0", "many", "-2"):
        assert _error({"AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": bad}).argument == "$AWS_MAX_ATTEMPTS"
    config.write_text("[default\nregion = x\n")
    error = _error(env)
    assert error.argument == "shared config file"
    assert str(config) in error.rule


def test_parse_reads_profiles_services_and_nested_blocks() -> None:
    shared = parse_shared_config(
        "[default]\nregion = eu-west-1\n[profile 'two words']\nregion = x\n[profile dev]\nREGION = y\n"
        "[services s]\nconnectparticipant =\n  endpoint_url = http://a\n  other = b\n[sso-session z]\nk = v\n",
        "cfg",
    )
    assert shared == SharedConfig(
        path="cfg",
        exists=True,
        profiles={"default": {"region": "eu-west-1"}, "two words": {"region": "x"}, "dev": {"region": "y"}},
        services={"s": {"connectparticipant": {"endpoint_url": "http://a", "other": "b"}}},
    )


@pytest.mark.parametrize(
    ("env", "file_text"),
    [
        ({"AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:8700"}, None),
        ({"AWS_REGION": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:8700"}, None),
        ({}, "[default]\nregion =\nendpoint_url = http://127.0.0.1:8700\n"),
    ],
    ids=["AWS_DEFAULT_REGION=", "AWS_REGION=", "profile region ="],
)
def test_an_empty_region_with_an_endpoint_is_no_region_as_in_botocore(
    tmp_path: Path, clean_environ: None, env: dict[str, str], file_text: str | None
) -> None:
    """A compose or CI file that points at the emulator and leaves the region empty."""
    config = tmp_path / "config"
    if file_text is not None:
        config.write_text(file_text)
    expected = _expected(env, str(config))
    assert expected is not None  # botocore sends to the endpoint (its region_name is "")
    assert expected == ("http://127.0.0.1:8700" + _PATH, "", None)
    assert _ours(env, str(config)) == ("http://127.0.0.1:8700" + _PATH, None, None)  # "" is no region


def test_an_empty_region_argument_with_an_endpoint_url_is_no_region(tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": str(tmp_path / "none")}
    with ParticipantClient(region="", endpoint_url="http://127.0.0.1:8700", _environ=env) as client:
        assert (client.region, client.endpoint_url) == (None, "http://127.0.0.1:8700")
    with pytest.raises(InvalidInputError, match="region"):  # and without an endpoint: still refused
        ParticipantClient(region="", _environ=env)


def test_a_region_botocore_does_not_know_is_used_with_a_warning(tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": str(tmp_path / "none")}
    with pytest.warns(UserWarning, match=r"region 'us-east-99' is not one botocore knows") as caught:
        client = ParticipantClient(region="us-east-99", _environ=env)
    assert "https://participant.connect.us-east-99.amazonaws.com" in str(caught[0].message)
    assert client.endpoint_url == "https://participant.connect.us-east-99.amazonaws.com"  # not refused
    client.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ParticipantClient(region="eu-central-2", _environ=env).close()  # known: no warning
        ParticipantClient(region="", endpoint_url="http://127.0.0.1:1", _environ=env).close()
