"""How `tdkt` talks to the tier services: their URLs, an officer's token, and errors in one line.

Service URLs come from TDKT_UNIT_URL … TDKT_CENTRAL_URL and default to the launcher's ports. An
`Officer` sends requests with its bearer token to the service it belongs to (by default the first
that accepts the token); every failure becomes a `CliError` that the commands print and exit on.
"""

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import httpx
import typer

from shared.contracts.tiers import TIER_ORDER, Tier

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """A failure to report in one line and exit non-zero."""


# The launcher's default ports 8001-8004 (deploy.stack.DEFAULT_PORTS, not imported: slow to load).
DEFAULT_URLS = {tier: f"http://127.0.0.1:{8001 + i}" for i, tier in enumerate(TIER_ORDER)}


def url_variable(tier: Tier) -> str:
    return f"TDKT_{tier.value.upper()}_URL"


def service_urls() -> dict[Tier, str]:
    return {tier: os.environ.get(url_variable(tier), DEFAULT_URLS[tier]).rstrip("/") for tier in TIER_ORDER}


def response_detail(response: httpx.Response) -> str:
    """What a failed response says went wrong: FastAPI's `detail`, else the body or the reason."""
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(detail, list):  # request validation errors
        return "; ".join(f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in detail)
    return str(detail)


@dataclass
class Officer:
    """An officer's token, and the service it is used at (by default the one that knows it)."""

    token: str
    tier: Tier | None = None
    urls: dict[Tier, str] = field(default_factory=service_urls)

    def send(self, tier: Tier, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The raw response of `tier`'s service; only an unreachable service raises."""
        url = self.urls[tier]
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.token}"}
        try:
            return httpx.request(method, url + path, timeout=kwargs.pop("timeout", 30), **kwargs, headers=headers)
        except httpx.TransportError as err:
            raise CliError(
                f"cannot reach the {tier.value} service at {url} ({err}); is the system running (`make run`)?"
            ) from None

    def call(self, method: str, path: str, *, tier: Tier | None = None, **kwargs: Any) -> Any:
        """The JSON answer of the officer's service (or `tier`'s); an error status raises `CliError`."""
        tier = tier or self.home()
        r = self.send(tier, method, path, **kwargs)
        if r.status_code >= 400:
            hint = (
                f" (tokens belong to one service: is this an officer of the {tier.value} tier?)"
                if r.status_code == 401
                else ""
            )
            raise CliError(
                f"{method} {path} at the {tier.value} service failed "
                f"({r.status_code} {r.reason_phrase}): {response_detail(r)}{hint}"
            )
        return r.json()

    def home(self) -> Tier:
        """The given tier, or the first service that accepts the token on `GET /me`."""
        if self.tier is None:
            unreachable = []
            for tier in TIER_ORDER:
                try:
                    if self.send(tier, "GET", "/me").status_code == 200:
                        self.tier = tier
                        break
                except CliError as err:
                    unreachable.append(str(err))
            else:
                hint = "; ".join(["", *unreachable])
                raise CliError(f"no service accepts the token '{self.token}'{hint}")
        return self.tier


@dataclass
class Options:
    """The global options (`--token`, `--tier`), kept on the typer context for every command."""

    token: str | None
    tier: Tier | None

    def officer(self) -> Officer:
        if not self.token:
            raise CliError("no officer token: log in with `tdkt login --tier TIER` and pass --token or set TDKT_TOKEN")
        return Officer(self.token, self.tier)

    def officers(self, also: list[str] | None) -> list[Officer]:
        """The officer of `--token`, if any, and one per `--also-token` (another level's service)."""
        found = ([self.officer()] if self.token else []) + [Officer(token) for token in also or []]
        if not found:
            raise CliError("no officer: pass --token (or TDKT_TOKEN) and/or --also-token TOKEN")
        return found


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The command, printing a `CliError` as one line on stderr and exiting 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CliError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None

    return wrapper
