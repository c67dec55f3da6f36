"""Client configuration from arguments, the environment and the shared config file, as AWS SDKs do it.

Precedence (the first place that has a value wins):

- region: ``region=`` > ``$AWS_REGION`` > ``$AWS_DEFAULT_REGION`` > the profile's ``region``;
- endpoint: ``endpoint_url=`` > ``$AWS_ENDPOINT_URL_CONNECTPARTICIPANT`` > ``$AWS_ENDPOINT_URL`` >
  the profile's ``services`` section (``connectparticipant = \\n endpoint_url = ...``) > the
  profile's ``endpoint_url``; the configured (non-argument) ones are skipped when
  ``$AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (else the profile's ``ignore_configured_endpoint_urls``)
  is true; with no endpoint, the region's endpoint is resolved (``_endpoints``);
  with an endpoint, FIPS / dual-stack are ignored, as botocore does (except both given as
  arguments: ``endpoint_url=`` with ``use_fips=True`` is refused);
- FIPS / dual-stack: ``use_fips=`` / ``use_dualstack=`` > ``$AWS_USE_FIPS_ENDPOINT`` /
  ``$AWS_USE_DUALSTACK_ENDPOINT`` > the profile's ``use_fips_endpoint`` / ``use_dualstack_endpoint``;
- attempts: ``retry=`` > ``$AWS_MAX_ATTEMPTS`` > the profile's ``max_attempts``.

The profile is ``$AWS_DEFAULT_PROFILE`` > ``$AWS_PROFILE`` > ``default``, read from
``$AWS_CONFIG_FILE`` (default ``~/.aws/config``). As in botocore: a variable that is set counts
even when empty, booleans are true only when the text is ``true`` (any case), a missing file
is an empty one, a named profile that is not in the file is an error, and an empty region
(``region=""``, ``AWS_REGION=``, ``region =`` in the profile) counts as none once an endpoint is
configured. A region botocore's partitions do not list is used all the same, with a warning
(``ClientConfig.warning``): new regions appear before a library's table knows them.
``tests/test_facade_config.py`` compares the answers with botocore's over a matrix of
environments and files. Two deliberate differences: botocore does not read ``$AWS_REGION``
(the AWS CLI v2 and the other SDKs do), and botocore also reads profiles from the shared
credentials file — this module reads no credentials file: nothing here needs credentials.

Everything is pure code on a mapping of variables and the file's text (``load_shared_config``
is the only I/O: it reads the file), shared by the sync and async clients through ``_ClientBase``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ._endpoints import check_endpoint_url, check_region, region_warning, resolve_endpoint
from ._errors import InvalidInputError

__all__ = ["ClientConfig", "SharedConfig", "load_shared_config", "parse_shared_config", "resolve_config"]

SERVICE_KEY = "connectparticipant"  # the service's key in a config file's services section
SERVICE_ENDPOINT_ENV = "AWS_ENDPOINT_URL_CONNECTPARTICIPANT"
DEFAULT_CONFIG_FILE = "~/.aws/config"


@dataclass(frozen=True, slots=True)
class SharedConfig:
    """The parts of one shared config file this SDK reads: profiles and services sections."""

    path: str
    exists: bool = False
    profiles: Mapping[str, Mapping[str, str | Mapping[str, str]]] = field(default_factory=dict)
    services: Mapping[str, Mapping[str, str | Mapping[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """The resolved configuration: where requests go, and the attempts the environment asks for."""

    endpoint_url: str
    region: str | None
    max_attempts: int | None  # None: the RetryPolicy's default (or the ``retry=`` given)
    #: for the client to ``warnings.warn``: a region botocore does not know (sent to all the same)
    warning: str | None = None


def config_path(environ: Mapping[str, str]) -> str:
    """The shared config file's path: ``$AWS_CONFIG_FILE`` or ``~/.aws/config``, expanded."""
    raw = environ.get("AWS_CONFIG_FILE", DEFAULT_CONFIG_FILE)
    return os.path.expanduser(os.path.expandvars(raw))


def _nested(value: str) -> str | Mapping[str, str]:
    """An indented block (``key =`` then ``  sub = value`` lines) as a mapping, as botocore reads it."""
    if not value.startswith("\n"):
        return value
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, sub = line.partition("=")
        if not sep:
            raise ValueError(f"'{key}' in an indented block has no '='")
        parsed[key.strip()] = sub.strip()
    return parsed


def _section_name(header: str) -> str | None:
    """``profile dev`` → ``dev``, ``services x`` → ``x`` (botocore splits the header shell-style)."""
    import shlex  # only with a config file: cold start pays for neither

    try:
        parts = shlex.split(header)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def parse_shared_config(text: str, path: str) -> SharedConfig:
    """Profiles and services sections of a config file's text (pure)."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=path)
        sections: dict[str, dict[str, str | Mapping[str, str]]] = {
            name: {option: _nested(parser.get(name, option)) for option in parser.options(name)}
            for name in parser.sections()
        }
    except (configparser.Error, ValueError) as exc:
        kind = type(exc).__name__
        raise InvalidInputError("shared config file", f"{path} is not a valid config file ({kind})") from None
    profiles: dict[str, Mapping[str, str | Mapping[str, str]]] = {}
    services: dict[str, Mapping[str, str | Mapping[str, str]]] = {}
    for header, values in sections.items():
        if header.startswith("profile"):
            name = _section_name(header)
            if name is not None:
                profiles[name] = values
        elif header.startswith("services"):
            name = _section_name(header)
            if name is not None:
                services[name] = values
        elif header == "default":
            profiles["default"] = values
    return SharedConfig(path=path, exists=True, profiles=profiles, services=services)


def load_shared_config(environ: Mapping[str, str]) -> SharedConfig:
    """Read the shared config file (the only I/O of configuration); a missing file is an empty one."""
    path = config_path(environ)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return SharedConfig(path=path)
    except UnicodeDecodeError:
        raise InvalidInputError("shared config file", f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInputError("shared config file", f"{path} cannot be read ({exc.strerror})") from None
    return parse_shared_config(text, path)


def _boolean(value: object) -> bool:
    """botocore's ``ensure_boolean``: true only for ``True`` or the text ``true`` in any case."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


class _Lookup:
    """The profile in use and the variables, with the name of the place each value came from."""

    def __init__(self, environ: Mapping[str, str], shared: SharedConfig) -> None:
        self.environ = environ
        self.shared = shared
        profile_var = next((v for v in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE") if v in environ), None)
        self.profile_name = environ[profile_var] if profile_var else "default"
        if profile_var is not None and self.profile_name not in shared.profiles:
            where = shared.path if shared.exists else f"{shared.path} (no such file)"
            raise InvalidInputError(f"${profile_var}", f"profile {self.profile_name!r} is not in {where}")
        self.profile = shared.profiles.get(self.profile_name, {})

    @property
    def profile_place(self) -> str:
        missing = "" if self.shared.exists else ", no such file"
        return f"profile {self.profile_name!r} of {self.shared.path}{missing}"

    def first(self, *env_vars: str, key: str) -> tuple[str, str] | None:
        """(value, where) from the first variable that is set, else from the profile's ``key``."""
        for var in env_vars:
            if var in self.environ:
                return self.environ[var], f"${var}"
        value = self.profile.get(key)
        if isinstance(value, str):
            return value, f"{key} in {self.profile_place}"
        return None

    def configured_endpoint(self) -> tuple[str, str] | None:
        """The endpoint from the environment or the file (botocore skips empty values here)."""
        for var in (SERVICE_ENDPOINT_ENV, "AWS_ENDPOINT_URL"):
            if self.environ.get(var):
                return self.environ[var], f"${var}"
        services_name = self.profile.get("services")
        if isinstance(services_name, str):
            section = self.shared.services.get(services_name)
            if not section:
                raise InvalidInputError(
                    "services",
                    f"{self.profile_place} names services section {services_name!r}, "
                    f"which is not in {self.shared.path}",
                )
            block = section.get(SERVICE_KEY)
            url = block.get("endpoint_url") if isinstance(block, Mapping) else None
            if url:
                return url, f"{SERVICE_KEY}.endpoint_url in services {services_name!r} of {self.shared.path}"
        profile_url = self.profile.get("endpoint_url")
        if isinstance(profile_url, str) and profile_url:
            return profile_url, f"endpoint_url in {self.profile_place}"
        return None


def _flag(lookup: _Lookup, given: bool | None, argument: str, env_var: str, key: str) -> tuple[bool, str]:
    if given is not None:
        if not isinstance(given, bool):
            raise InvalidInputError(argument, "must be a bool or None")
        return given, argument
    found = lookup.first(env_var, key=key)
    return (False, argument) if found is None else (_boolean(found[0]), found[1])


def resolve_config(
    *,
    region: str | None,
    endpoint_url: str | None,
    use_fips: bool | None,
    use_dualstack: bool | None,
    environ: Mapping[str, str],
    shared: SharedConfig,
) -> ClientConfig:
    """The endpoint, region and attempts for these arguments, variables and config file (pure)."""
    lookup = _Lookup(environ, shared)
    fips, fips_from = _flag(lookup, use_fips, "use_fips", "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
    dual, dual_from = _flag(
        lookup, use_dualstack, "use_dualstack", "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"
    )

    region_from = "region"
    if region is None:
        found = lookup.first("AWS_REGION", "AWS_DEFAULT_REGION", key="region")
        if found is not None:
            region, region_from = found
    if region is not None and region != "":  # "" is decided once the endpoint is known
        region = check_region(region, region_from)

    max_attempts = None
    found = lookup.first("AWS_MAX_ATTEMPTS", key="max_attempts")
    if found is not None:
        try:
            max_attempts = int(found[0])
        except ValueError:
            max_attempts = 0
        if max_attempts < 1:
            raise InvalidInputError(found[1], "must be a whole number of attempts >= 1")

    endpoint: tuple[str, str] | None = None
    if endpoint_url is not None:
        endpoint = endpoint_url, "endpoint_url"
    else:
        ignore = lookup.first("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", key="ignore_configured_endpoint_urls")
        if ignore is None or not _boolean(ignore[0]):
            endpoint = lookup.configured_endpoint()
    if endpoint is not None:
        url, url_from = endpoint
        # botocore ignores FIPS / dual-stack when an endpoint URL is set; both given as arguments
        # is a contradiction in the caller's code, refused
        for on, flag_from in ((fips, fips_from), (dual, dual_from)):
            if on and flag_from in ("use_fips", "use_dualstack") and url_from == "endpoint_url":
                raise InvalidInputError(flag_from, "cannot be combined with endpoint_url (a custom endpoint)")
        # an empty region counts as none once an endpoint is configured (botocore sends to it)
        return ClientConfig(check_endpoint_url(url, url_from), region or None, max_attempts)
    if region is not None:
        region = check_region(region, region_from)  # "" without an endpoint: refused, naming its source
    if region is None:
        raise InvalidInputError(
            "region",
            "give a region (e.g. 'us-east-1') or an endpoint_url; none found in: region=, endpoint_url=, "
            f"$AWS_REGION, $AWS_DEFAULT_REGION, ${SERVICE_ENDPOINT_ENV}, $AWS_ENDPOINT_URL, "
            f"{lookup.profile_place}",
        )
    resolved = resolve_endpoint(region, use_fips=fips, use_dualstack=dual)
    return ClientConfig(resolved, region, max_attempts, region_warning(region))
