"""`tdkt` commands for central officers: the registry of conferred awards and reorganization plans.

Registered on the app in ``cli.py``; both talk to the central service whatever the token's tier.
"""

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from deploy.cli_client import CliError, reports_errors, response_detail
from deploy.cli_output import table
from shared.contracts.reorganization import APPLIED
from shared.contracts.tiers import Tier


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
    officer = ctx.obj.officer()
    if not apply:
        typer.echo(f"computing what {plan} changes … (the whole country takes a few seconds)")
        fmt = report.suffix.lstrip(".") if report else "json"
        if report is not None:
            r = officer.send(Tier.CENTRAL, "POST", f"/reorganizations/{plan}/dry-run", params={"format": fmt})
            if r.status_code >= 400:
                raise CliError(f"dry run failed ({r.status_code}): {response_detail(r)}")
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
    last = ""
    while True:
        status = officer.call("GET", f"/reorganizations/{plan}", tier=Tier.CENTRAL)
        line = progress_line(status)
        if line != last:  # a line when something moved, not one per poll
            typer.echo(line)
            last = line
        if status.get("phase") in APPLIED:  # deferred logs close later, without anyone waiting here
            return
        time.sleep(poll)


def progress_line(status: dict) -> str:
    """What the plan's workflow is doing now, in the terms of its phase."""
    phase = status.get("phase", "?")
    if phase == "waiting":
        return f"[waiting] until the effective date {status.get('effective')}"
    if phase == "applying":
        return f"[applying] registries updated: {len(status.get('applied', []))} of 4 tiers"
    if phase == "finding":
        return f"[finding] nominations in flight found so far: {status.get('candidates', 0)}"
    counts = ", ".join(f"{k} {v}" for k, v in sorted(status.get("counts", {}).items()))
    done = f"{status.get('processed', 0)}/{status.get('candidates', 0)} nominations re-routed"
    line = f"[{phase}] {done}" + (f" ({counts})" if counts else "")
    if phase == "deferred":
        waiting = {t: s["deferred_count"] for t, s in status.get("succession", {}).items() if s.get("deferred_count")}
        line += "; logs of retired agencies with business still open, closed as it ends: " + (
            ", ".join(f"{tier} {n}" for tier, n in waiting.items()) or "none (waiting for a witness's cosignature)"
        )
    return line
