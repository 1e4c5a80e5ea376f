"""`tdkt`: the officers' command line, over the tier services' HTTP API.

Who you are comes from `--token` (or TDKT_TOKEN); which service answers from `--tier`, or else the
service that knows the token. Service URLs come from TDKT_UNIT_URL … TDKT_CENTRAL_URL and default
to the launcher's ports (http://127.0.0.1:8001 … 8004).
"""

import base64
import functools
import hashlib
import io
import mimetypes
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import httpx
import typer

from deploy.demo_data import demo_token
from shared.contracts.tiers import TIER_ORDER, Tier

app = typer.Typer(
    help="Nominations for awards (đề nghị khen thưởng) across the tier services.",
    no_args_is_help=True,
    add_completion=False,
)

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """A failure to report in one line and exit non-zero."""


class Action(StrEnum):
    forward = "forward"
    return_ = "return"
    refuse = "refuse"
    confer = "confer"


# The launcher's default ports 8001-8004 (deploy.stack.DEFAULT_PORTS, not imported: slow to load).
DEFAULT_URLS = {tier: f"http://127.0.0.1:{8001 + i}" for i, tier in enumerate(TIER_ORDER)}


def url_variable(tier: Tier) -> str:
    return f"TDKT_{tier.value.upper()}_URL"


def service_urls() -> dict[Tier, str]:
    return {tier: os.environ.get(url_variable(tier), DEFAULT_URLS[tier]).rstrip("/") for tier in TIER_ORDER}


def _detail(response: httpx.Response) -> str:
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

    def _send(self, tier: Tier, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self.urls[tier]
        try:
            return httpx.request(
                method, url + path, timeout=30, **kwargs, headers={"Authorization": f"Bearer {self.token}"}
            )
        except httpx.TransportError as err:
            raise CliError(
                f"cannot reach the {tier.value} service at {url} ({err}); is the system running (`make run`)?"
            ) from None

    def call(self, method: str, path: str, *, tier: Tier | None = None, **kwargs: Any) -> Any:
        tier = tier or self.home()
        r = self._send(tier, method, path, **kwargs)
        if r.status_code >= 400:
            hint = (
                f" (tokens belong to one service: is this an officer of the {tier.value} tier?)"
                if r.status_code == 401
                else ""
            )
            raise CliError(
                f"{method} {path} at the {tier.value} service failed "
                f"({r.status_code} {r.reason_phrase}): {_detail(r)}{hint}"
            )
        return r.json()

    def home(self) -> Tier:
        """The given tier, or the first service that accepts the token on `GET /me`."""
        if self.tier is None:
            unreachable = []
            for tier in TIER_ORDER:
                try:
                    if self._send(tier, "GET", "/me").status_code == 200:
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
    token: str | None
    tier: Tier | None

    def officer(self) -> Officer:
        if not self.token:
            raise CliError(
                "no officer token: pass --token or set TDKT_TOKEN (demo tokens look like demo-U91-0001-clerk)"
            )
        return Officer(self.token, self.tier)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CliError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table, aligned by display width (Vietnamese diacritics take no column)."""
    cells = [list(headers)] + [[unicodedata.normalize("NFC", "" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _time(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _utf8_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        utf8 = stream.encoding.lower().replace("-", "") == "utf8"
        if isinstance(stream, io.TextIOWrapper) and not utf8:
            stream.reconfigure(encoding="utf-8")


@app.callback()
def main(
    ctx: typer.Context,
    token: Annotated[str | None, typer.Option(envvar="TDKT_TOKEN", help="Officer bearer token.")] = None,
    tier: Annotated[
        Tier | None, typer.Option(help="Service to talk to; by default the one that knows the token.")
    ] = None,
) -> None:
    _utf8_output()
    ctx.obj = Options(token, tier)


def _document(spec: str) -> dict[str, str]:
    path, sep, kind = spec.rpartition(":")
    if not sep or Path(spec).is_file():
        path, kind = spec, "to_trinh"
    file = Path(path)
    if not file.is_file():
        raise CliError(f"no such file: {file}")
    content = file.read_bytes()
    return {
        "kind": kind or "to_trinh",
        "filename": file.name,
        "content_type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


@app.command()
@reports_errors
def submit(
    ctx: typer.Context,
    nominee: Annotated[str, typer.Option(help="Who is nominated, e.g. 'Nguyễn Thị Lan'.")],
    award: Annotated[str, typer.Option(help="Award code, e.g. HCLD_HANG_BA.")],
    reason: Annotated[str, typer.Option(help="Achievements (thành tích) the nomination rests on.")],
    document: Annotated[
        list[str],
        typer.Option(metavar="PATH[:KIND]", help="A document to attach; KIND defaults to to_trinh. Repeatable."),
    ],
    kind: Annotated[str, typer.Option(help="individual, collective or household.")] = "individual",
) -> None:
    """Draft a nomination, attach its documents and submit it."""
    documents = [_document(spec) for spec in document]
    officer = ctx.obj.officer()
    draft = officer.call(
        "POST",
        "/nominations",
        json={"nominee_name": nominee, "nominee_kind": kind, "award_code": award, "reason": reason},
    )
    try:
        for doc in documents:
            officer.call("POST", f"/nominations/{draft['id']}/documents", json=doc)
        submitted = officer.call("POST", f"/nominations/{draft['id']}/submit")
    except CliError as err:
        raise CliError(f"{err}\n(the draft {draft['id']} was created but not submitted)") from None
    typer.echo(f"nomination {draft['id']} submitted: {award} for {nominee}")
    typer.echo(
        table(
            ["step", "tier", "agency", "confers"],
            [
                (i, s["tier"], s["agency_code"], "yes" if s.get("confers") else "")
                for i, s in enumerate(submitted["route"], 1)
            ],
        )
    )
    for line in submitted.get("explanation", []):
        typer.echo(f"  {line}")


@app.command()
@reports_errors
def inbox(
    ctx: typer.Context,
    state: Annotated[str, typer.Option(help="Review state to list; '' lists every state.")] = "pending",
) -> None:
    """Nominations waiting at the caller's agency."""
    items = ctx.obj.officer().call("GET", "/inbox", params={"state": state})
    if not items:
        typer.echo(f"no {state} items" if state else "no items")
        return
    typer.echo(
        table(
            ["nomination", "award", "nominee", "proposer", "step", "status", "opened"],
            [
                (
                    i["nomination_id"],
                    i["award_code"],
                    i["nominee_name"],
                    i["proposer_agency"],
                    f"{i['step'] + 1}/{len(i['route'])}",
                    i["status"],
                    _time(i["opened_at"]),
                )
                for i in items
            ],
        )
    )


@app.command()
@reports_errors
def decide(
    ctx: typer.Context,
    nomination_id: str,
    action: Action,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit trail).")] = None,
    decision_no: Annotated[
        str | None, typer.Option(help="Number of the quyết định; needed to confer, e.g. 123/QĐ-CTN.")
    ] = None,
) -> None:
    """Decide on a nomination pending at the caller's agency."""
    result = ctx.obj.officer().call(
        "POST",
        f"/reviews/{nomination_id}/decision",
        json={"action": action.value, "reason": reason, "decision_no": decision_no},
    )
    then = f"; now pending at {result['next_agency']}" if result.get("next_agency") else ""
    typer.echo(
        f"{result['action']} by {result['agency_code']} recorded: nomination {nomination_id} is {result['state']}{then}"
    )


def _identity(spec: str) -> Officer:
    agency, sep, role = spec.partition(":")
    if not (sep and agency and role):
        raise CliError(f"--as takes AGENCY:ROLE, e.g. U91-0001:clerk; got '{spec}'")
    return Officer(demo_token(agency, role))


@app.command()
@reports_errors
def show(
    ctx: typer.Context,
    nomination_id: str,
    as_: Annotated[
        list[str] | None,
        typer.Option(
            "--as",
            metavar="AGENCY:ROLE",
            help=("AGENCY:ROLE of a demo officer whose service's records to read too; repeatable."),
        ),
    ] = None,
) -> None:
    """A nomination's status and its history, merged across the services the tokens reach."""
    options: Options = ctx.obj
    officers = ([options.officer()] if options.token else []) + [_identity(s) for s in as_ or []]
    if not officers:
        raise CliError("no officer: pass --token (or TDKT_TOKEN) and/or --as AGENCY:ROLE")
    status, records, read, problems = None, {}, [], []
    for officer in officers:
        try:
            tier = officer.home()
            status = status or officer.call("GET", f"/nominations/{nomination_id}/status")
            for rec in officer.call("GET", f"/nominations/{nomination_id}/history"):
                records[(tier, rec["seq"])] = (tier, rec)
            read.append(tier.value)
        except CliError as err:
            problems.append(str(err))
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    if status is None and not records:
        raise CliError(f"nomination {nomination_id} could not be read with the tokens given")
    if status:
        pending = f", pending at {status['pending_agency']}" if status.get("pending_agency") else ""
        route = " → ".join(s["agency_code"] for s in status["route"])
        typer.echo(
            f"nomination {nomination_id}: {status['state']} "
            f"(step {status['step'] + 1} of {len(status['route'])}){pending}"
        )
        typer.echo(f"route: {route}")
    typer.echo(f"history from: {', '.join(dict.fromkeys(read))}")
    rows = sorted(records.values(), key=lambda tr: datetime.fromisoformat(tr[1]["at"]))
    typer.echo(
        table(
            ["at", "service", "agency", "actor", "action", "outcome", "reason"],
            [
                (_time(r["at"]), t.value, r["agency_code"], r["actor"], r["action"], r["outcome"], r.get("reason"))
                for t, r in rows
            ],
        )
    )


@app.command()
@reports_errors
def awards(
    ctx: typer.Context,
    award: Annotated[str | None, typer.Option(help="Only this award code.")] = None,
) -> None:
    """The central registry of conferred awards (needs a central officer's token)."""
    params = {"award_code": award} if award else {}
    rows = ctx.obj.officer().call("GET", "/awards", tier=Tier.CENTRAL, params=params)
    if not rows:
        typer.echo("no conferred awards yet")
        return
    typer.echo(
        table(
            ["nomination", "award", "nominee", "proposer", "conferred by", "decision", "on"],
            [
                (
                    a["nomination_id"],
                    a["award_code"],
                    a["nominee_name"],
                    a["proposer_agency"],
                    a["conferred_by"],
                    a["decision_no"],
                    a["decided_on"],
                )
                for a in rows
            ],
        )
    )


@app.command()
@reports_errors
def reorganize(
    ctx: typer.Context,
    plan: Annotated[str, typer.Argument(help="Plan code, e.g. VN-2025-07-01.")],
    apply: Annotated[bool, typer.Option("--apply", help="Apply it (admin); without it, a dry run.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write the dry run as .json, .csv or .html here.")] = None,
    batch_size: Annotated[int, typer.Option(help="Nominations re-routed per batch.")] = 100,
    poll: Annotated[float, typer.Option(help="Seconds between progress lines.")] = 1.0,
) -> None:
    """Dry-run or apply a reorganization plan at the central service, showing progress."""
    import json
    import time

    officer = ctx.obj.officer()
    if not apply:
        typer.echo(f"computing what {plan} changes … (the whole country takes a few seconds)")
        fmt = report.suffix.lstrip(".") if report else "json"
        if report is not None:
            r = officer._send(Tier.CENTRAL, "POST", f"/reorganizations/{plan}/dry-run", params={"format": fmt})
            if r.status_code >= 400:
                raise CliError(f"dry run failed ({r.status_code}): {_detail(r)}")
            report.write_text(
                r.text if fmt != "json" else json.dumps(r.json(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        body = officer.call("POST", f"/reorganizations/{plan}/dry-run", tier=Tier.CENTRAL)
        typer.echo(
            table(
                [
                    "plan",
                    "effective",
                    "operations",
                    "versions closed",
                    "opened",
                    "units moved",
                    "ambiguous",
                    "in flight at central",
                ],
                [
                    (
                        body["plan"],
                        body["effective"],
                        body["operations"],
                        body["closed"],
                        body["opened"],
                        len(body["moved_units"]),
                        len(body["ambiguous"]),
                        len(body["nominations_in_flight_here"]),
                    )
                ],
            )
        )
        if report is not None:
            typer.echo(f"report written to {report}")
        return
    started = officer.call(
        "POST", f"/reorganizations/{plan}/apply", tier=Tier.CENTRAL, params={"batch_size": batch_size}
    )
    typer.echo(f"{plan}: {'started' if started['started'] else started['note']}")
    while True:
        status = officer.call("GET", f"/reorganizations/{plan}", tier=Tier.CENTRAL)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(status.get("counts", {}).items())) or "-"
        typer.echo(
            f"[{status.get('phase')}] {status.get('processed', 0)}/{status.get('candidates', 0)} nominations: {counts}"
        )
        if status.get("phase") == "done":
            return
        time.sleep(poll)


if __name__ == "__main__":
    app()
