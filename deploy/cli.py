"""`tdkt`: the officers' command line, over the tier services' HTTP API.

Who you are comes from `--token` (or TDKT_TOKEN); which service answers from `--tier`, or else the
service that knows the token. Service URLs come from TDKT_UNIT_URL … TDKT_CENTRAL_URL and default
to the launcher's ports (http://127.0.0.1:8001 … 8004).

Here: the app and the nomination commands. The central officers' commands are in
``cli_central.py``, registering bodies in ``cli_agencies.py``, operating events in ``cli_events.py``,
erasing a nominee's personal data in ``cli_nominees.py``, the HTTP client and error reporting in
``cli_client.py``, the printing in ``cli_output.py``.
"""

import base64
import hashlib
import mimetypes
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from deploy.cli_agencies import agencies
from deploy.cli_audit import audit
from deploy.cli_central import awards, reorganize
from deploy.cli_client import CliError, Options, reports_errors
from deploy.cli_events import events
from deploy.cli_identity import login, officers
from deploy.cli_nominees import nominees
from deploy.cli_output import format_time, table, utf8_output
from shared.contracts.tiers import Tier

app = typer.Typer(
    help="Nominations for awards (đề nghị khen thưởng) across the tier services.",
    no_args_is_help=True,
    add_completion=False,
)


class Action(StrEnum):
    forward = "forward"
    return_ = "return"
    refuse = "refuse"
    confer = "confer"


@app.callback()
def main(
    ctx: typer.Context,
    token: Annotated[str | None, typer.Option(envvar="TDKT_TOKEN", help="Officer bearer token.")] = None,
    tier: Annotated[
        Tier | None, typer.Option(help="Service to talk to; by default the one that knows the token.")
    ] = None,
) -> None:
    utf8_output()
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
    items: list[dict] = []
    while True:  # the inbox answers a page at a time
        page = ctx.obj.officer().call("GET", "/inbox", params={"state": state, "limit": 1000, "offset": len(items)})
        items += page
        if len(page) < 1000:
            break
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
                    format_time(i["opened_at"]),
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


@app.command()
@reports_errors
def show(
    ctx: typer.Context,
    nomination_id: str,
    also_token: Annotated[
        list[str] | None,
        typer.Option(
            metavar="TOKEN",
            help="Another officer's token (`tdkt login`), e.g. at another level, whose service's records to read "
            "too; repeatable.",
        ),
    ] = None,
) -> None:
    """A nomination's status and its history, merged across the services the tokens reach."""
    options: Options = ctx.obj
    officers = options.officers(also_token)
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
                (
                    format_time(r["at"]),
                    t.value,
                    r["agency_code"],
                    r["actor"],
                    r["action"],
                    r["outcome"],
                    r.get("reason"),
                )
                for t, r in rows
            ],
        )
    )


# The central officers' commands, then logging in and officers, listed after the others in `tdkt --help`.
app.command()(awards)
app.command()(reorganize)
app.command()(login)
app.add_typer(officers, name="officers")
app.add_typer(agencies, name="agencies")
app.add_typer(audit, name="audit")
app.add_typer(events, name="events")
app.add_typer(nominees, name="nominees")


if __name__ == "__main__":
    app()
