"""Client configuration (``_config``), rule by rule, pure (a config file only where reading one is
the rule): each refusal's exact words and the place it names, which of two variables wins, every
kind of missing file, every kind of unreadable text, booleans, attempts' edges (found by
``make mutate --module _config``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from connect_participant import InvalidInputError
from connect_participant._config import (
    ClientConfig,
    SharedConfig,
    config_path,
    load_shared_config,
    parse_shared_config,
    resolve_config,
)

_NO_FILE = SharedConfig(path="/nowhere/config")


def _resolve(environ: dict[str, str], shared: SharedConfig = _NO_FILE, **given: Any) -> ClientConfig:
    arguments: dict[str, Any] = {
        "region": None,
        "endpoint_url": None,
        "use_fips": None,
        "use_dualstack": None,
    }
    return resolve_config(**{**arguments, **given}, environ=environ, shared=shared)


def _refusal(environ: dict[str, str], shared: SharedConfig = _NO_FILE, **given: Any) -> str:
    with pytest.raises(InvalidInputError) as caught:
        _resolve(environ, shared, **given)
    return str(caught.value)


def _file(text: str) -> SharedConfig:
    return parse_shared_config(text, "/cfg")


# --- the config file ------------------------------------------------------------------------------


def test_the_config_file_is_the_variable_expanded_or_the_default() -> None:
    assert config_path({}) == str(Path("~/.aws/config").expanduser())
    assert config_path({"AWS_CONFIG_FILE": "~/x/cfg"}) == str(Path("~/x/cfg").expanduser())


@pytest.mark.parametrize("where", ["missing", "a-directory", "below-a-file/config"])
def test_a_missing_file_is_an_empty_one_whatever_makes_it_missing(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "below-a-file").write_text("")
    path = str(tmp_path / where)
    assert load_shared_config({"AWS_CONFIG_FILE": path}) == SharedConfig(path=path, exists=False)


def test_a_file_that_is_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_bytes(b"[default]\nregion = \xff\n")
    with pytest.raises(InvalidInputError) as caught:
        load_shared_config({"AWS_CONFIG_FILE": str(path)})
    assert str(caught.value) == f"shared config file: {path} is not UTF-8 text"


def test_a_file_that_is_there_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("[default]\nregion = eu-west-1\n", encoding="utf-8")
    shared = load_shared_config({"AWS_CONFIG_FILE": str(path)})
    assert (shared.path, shared.exists, dict(shared.profiles)) == (
        str(path),
        True,
        {"default": {"region": "eu-west-1"}},
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("region = x\n", "MissingSectionHeaderError"),  # configparser.Error
        ("[default]\nregion = a\nregion = b\n", "DuplicateOptionError"),
        ("[default]\nservices =\n  endpoint_url\n", "ValueError"),  # an indented line with no '='
    ],
)
def test_text_that_is_no_config_file_is_refused_with_the_kind_of_fault(text: str, kind: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_shared_config(text, "/cfg")
    assert str(caught.value) == f"shared config file: /cfg is not a valid config file ({kind})"


@pytest.mark.parametrize(
    "header", ["profile", "profile one two", "profile 'unclosed", "services", "services x y", "services 'x"]
)
def test_a_section_header_not_two_shell_words_is_skipped(header: str) -> None:
    shared = _file(f"[{header}]\nk = v\n")
    assert (dict(shared.profiles), dict(shared.services)) == ({}, {})


def test_section_headers_read_shell_style() -> None:
    shared = _file("[profile  'a b' ]\nk = 1\n[services \"s t\"]\nk = 2\n[other]\nk = 3\n")
    assert dict(shared.profiles) == {"a b": {"k": "1"}}
    assert dict(shared.services) == {"s t": {"k": "2"}}


def test_nested_blocks_skip_blank_lines_and_strip_around_the_equals() -> None:
    shared = _file("[services s]\nconnectparticipant =\n\n  endpoint_url  =  http://a  \n\n")
    assert shared.services["s"] == {"connectparticipant": {"endpoint_url": "http://a"}}


# --- the profile --------------------------------------------------------------------------------


def test_aws_default_profile_wins_over_aws_profile_and_either_works_alone() -> None:
    shared = _file("[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n")
    assert _resolve({"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"}, shared).region == "eu-west-1"
    assert _resolve({"AWS_PROFILE": "b"}, shared).region == "eu-west-2"
    assert _resolve({"AWS_DEFAULT_PROFILE": "b"}, shared).region == "eu-west-2"


def test_a_named_profile_missing_is_refused_naming_the_variable_and_file() -> None:
    shared = _file("[default]\nregion = eu-west-1\n")
    assert _refusal({"AWS_PROFILE": "x"}, shared) == "$AWS_PROFILE: profile 'x' is not in /cfg"
    assert _refusal({"AWS_DEFAULT_PROFILE": "x"}, _NO_FILE) == (
        "$AWS_DEFAULT_PROFILE: profile 'x' is not in /nowhere/config (no such file)"
    )


# --- region, endpoint, flags, attempts --------------------------------------------------------------


def test_aws_region_wins_over_aws_default_region_and_the_profile() -> None:
    shared = _file("[default]\nregion = eu-west-3\n")
    environ = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}
    assert _resolve(environ, shared).region == "eu-west-1"
    assert _resolve({"AWS_DEFAULT_REGION": "eu-west-2"}, shared).region == "eu-west-2"
    assert _resolve({}, shared).region == "eu-west-3"


def test_a_bad_region_names_where_it_came_from() -> None:
    shared = _file("[default]\nregion = bad_one\n")
    assert _refusal({}, shared).startswith("region in profile 'default' of /cfg: must be a region name")
    assert _refusal({"AWS_REGION": "bad_one"}).startswith("$AWS_REGION: must be a region name")
    assert _refusal({}, region="bad_one").startswith("region: must be a region name")


def test_an_empty_region_without_an_endpoint_is_refused_naming_its_source() -> None:
    assert _refusal({"AWS_REGION": ""}).startswith("$AWS_REGION: must be a region name")


def test_with_no_region_the_error_lists_every_place_looked_in() -> None:
    assert _refusal({}) == (
        "region: give a region (e.g. 'us-east-1') or an endpoint_url; none found in: region=, "
        "endpoint_url=, $AWS_REGION, $AWS_DEFAULT_REGION, $AWS_ENDPOINT_URL_CONNECTPARTICIPANT, "
        "$AWS_ENDPOINT_URL, profile 'default' of /nowhere/config, no such file"
    )


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        (
            {
                "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": "http://127.0.0.1:1",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:2",
            },
            1,
        ),
        ({"AWS_ENDPOINT_URL_CONNECTPARTICIPANT": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:2"}, 2),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:2"}, 2),
        ({"AWS_ENDPOINT_URL_CONNECTPARTICIPANT": "http://127.0.0.1:1"}, 1),
    ],
)
def test_the_service_endpoint_variable_wins_and_an_empty_one_is_skipped(
    environ: dict[str, str], url: int
) -> None:
    assert _resolve(environ).endpoint_url == f"http://127.0.0.1:{url}"


def test_endpoint_from_the_services_section_then_the_profile() -> None:
    text = (
        "[default]\nservices = s\nendpoint_url = http://127.0.0.1:2\n"
        "[services s]\nconnectparticipant =\n  endpoint_url = http://127.0.0.1:1\n"
    )
    assert _resolve({}, _file(text)).endpoint_url == "http://127.0.0.1:1"
    other = text.replace("connectparticipant =", "connect =")
    assert _resolve({}, _file(other)).endpoint_url == "http://127.0.0.1:2"
    empty = text.replace("endpoint_url = http://127.0.0.1:1", "endpoint_url =")
    assert _resolve({}, _file(empty)).endpoint_url == "http://127.0.0.1:2"
    plain = (
        "[default]\nservices = s\nendpoint_url = http://127.0.0.1:2\n[services s]\nconnectparticipant = x\n"
    )
    assert _resolve({}, _file(plain)).endpoint_url == "http://127.0.0.1:2"


def test_an_endpoint_in_the_file_names_its_place_when_refused() -> None:
    text = (
        "[default]\nservices = s\n[services s]\nconnectparticipant =\n  endpoint_url = http://example.com\n"
    )
    assert _refusal({}, _file(text)) == (
        "connectparticipant.endpoint_url in services 's' of /cfg: must use https unless the host is loopback"
    )
    assert _refusal({}, _file("[default]\nendpoint_url = http://example.com\n")) == (
        "endpoint_url in profile 'default' of /cfg: must use https unless the host is loopback"
    )
    assert _refusal({"AWS_ENDPOINT_URL": "http://example.com"}) == (
        "$AWS_ENDPOINT_URL: must use https unless the host is loopback"
    )


def test_a_services_section_that_is_not_there_is_refused_in_words() -> None:
    assert _refusal({}, _file("[default]\nservices = gone\n")) == (
        "services: profile 'default' of /cfg names services section 'gone', which is not in /cfg"
    )


@pytest.mark.parametrize("source", ["variable", "profile"])
def test_configured_endpoints_can_be_ignored(source: str) -> None:
    text = "[default]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:2\n"
    environ = {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    if source == "profile":
        text += "ignore_configured_endpoint_urls = TRUE\n"
        environ = {}
    config = _resolve(environ, _file(text))
    assert config.endpoint_url == "https://participant.connect.eu-west-1.amazonaws.com"
    assert _resolve({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "yes"}, _file(text)).endpoint_url == (
        "http://127.0.0.1:2"
    )


@pytest.mark.parametrize(
    ("text", "on"), [("true", True), ("TRUE", True), ("True", True), ("1", False), ("yes", False)]
)
def test_a_flag_is_on_only_for_the_text_true(text: str, on: bool) -> None:
    config = _resolve({"AWS_REGION": "us-east-1", "AWS_USE_FIPS_ENDPOINT": text})
    assert ("connect-fips" in config.endpoint_url) is on
    config = _resolve({"AWS_REGION": "us-east-1", "AWS_USE_DUALSTACK_ENDPOINT": text})
    assert config.endpoint_url.endswith(".api.aws") is on


def test_flag_arguments_win_over_the_environment_and_must_be_bools() -> None:
    environ = {
        "AWS_REGION": "us-east-1",
        "AWS_USE_FIPS_ENDPOINT": "true",
        "AWS_USE_DUALSTACK_ENDPOINT": "true",
    }
    config = _resolve(environ, use_fips=False, use_dualstack=False)
    assert config.endpoint_url == "https://participant.connect.us-east-1.amazonaws.com"
    both = _resolve({"AWS_REGION": "us-east-1"}, use_fips=True, use_dualstack=True)
    assert both.endpoint_url == "https://participant.connect-fips.us-east-1.api.aws"
    assert _refusal({"AWS_REGION": "us-east-1"}, use_fips=1) == "use_fips: must be a bool or None"
    assert (
        _refusal({"AWS_REGION": "us-east-1"}, use_dualstack="true") == "use_dualstack: must be a bool or None"
    )


@pytest.mark.parametrize("flag", ["use_fips", "use_dualstack"])
def test_a_flag_argument_with_an_endpoint_url_argument_is_refused(flag: str) -> None:
    assert _refusal({}, endpoint_url="https://h", **{flag: True}) == (
        f"{flag}: cannot be combined with endpoint_url (a custom endpoint)"
    )
    # from the environment, or with a configured endpoint, it is ignored as botocore does
    assert _resolve({}, endpoint_url="https://h", **{flag: False}).endpoint_url == "https://h"
    assert _resolve({"AWS_USE_FIPS_ENDPOINT": "true"}, endpoint_url="https://h").endpoint_url == "https://h"
    assert _resolve({"AWS_ENDPOINT_URL": "https://h"}, **{flag: True}).endpoint_url == "https://h"


def test_an_empty_region_with_an_endpoint_is_none_and_a_region_is_kept() -> None:
    assert _resolve({"AWS_REGION": ""}, endpoint_url="https://h").region is None
    assert _resolve({"AWS_REGION": "eu-west-1"}, endpoint_url="https://h").region == "eu-west-1"


@pytest.mark.parametrize(("text", "attempts"), [("1", 1), ("7", 7)])
def test_attempts_from_one_up(text: str, attempts: int) -> None:
    assert _resolve({"AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": text}).max_attempts == attempts
    profile = _file(f"[default]\nmax_attempts = {text}\n")
    assert _resolve({"AWS_REGION": "us-east-1"}, profile).max_attempts == attempts
    assert _resolve({"AWS_REGION": "us-east-1"}).max_attempts is None


@pytest.mark.parametrize("text", ["0", "-1", "two", "1.5", ""])
def test_attempts_below_one_or_not_whole_are_refused(text: str) -> None:
    assert _refusal({"AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": text}) == (
        "$AWS_MAX_ATTEMPTS: must be a whole number of attempts >= 1"
    )


def test_a_region_resolved_without_an_endpoint_carries_its_warning() -> None:
    assert _resolve({"AWS_REGION": "eu-west-1"}).warning is None
    assert "xx-new-1" in (_resolve({"AWS_REGION": "xx-new-1"}).warning or "")
    assert _resolve({"AWS_REGION": "xx-new-1"}, endpoint_url="https://h").warning is None


def test_a_file_that_cannot_be_read_is_refused_with_the_systems_reason(tmp_path: Path) -> None:
    path = str(tmp_path / ("x" * 5000))  # longer than any file name may be: open() fails, not "missing"
    with pytest.raises(InvalidInputError) as caught:
        load_shared_config({"AWS_CONFIG_FILE": path})
    assert str(caught.value) == f"shared config file: {path} cannot be read (File name too long)"


def test_a_nested_value_keeps_every_equals_sign_after_the_first() -> None:
    shared = _file("[services s]\nconnectparticipant =\n  endpoint_url = http://a\n  token = a=b=c\n")
    assert shared.services["s"] == {"connectparticipant": {"endpoint_url": "http://a", "token": "a=b=c"}}


def test_booleans_as_botocore_reads_them() -> None:
    from connect_participant._config import _boolean

    assert (_boolean(True), _boolean(False), _boolean("TrUe"), _boolean("false"), _boolean(1)) == (
        True,
        False,
        True,
        False,
        False,
    )


def test_the_profiles_fips_and_dual_stack_settings() -> None:
    text = "[default]\nregion = us-east-1\nuse_fips_endpoint = true\n"
    assert (
        _resolve({}, _file(text)).endpoint_url == "https://participant.connect-fips.us-east-1.amazonaws.com"
    )
    both = _file(text + "use_dualstack_endpoint = true\n")
    assert _resolve({}, both).endpoint_url == "https://participant.connect-fips.us-east-1.api.aws"
    assert _resolve({"AWS_USE_FIPS_ENDPOINT": "false"}, both).endpoint_url == (
        "https://participant.connect.us-east-1.api.aws"
    )


def test_a_profile_endpoint_that_is_an_indented_block_is_no_endpoint() -> None:
    shared = _file("[default]\nregion = eu-west-1\nendpoint_url =\n  url = http://127.0.0.1:1\n")
    assert _resolve({}, shared).endpoint_url == "https://participant.connect.eu-west-1.amazonaws.com"
