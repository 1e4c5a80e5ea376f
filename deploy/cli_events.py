"""`tdkt events …`: operating a service's events. `replay-dead-letters` asks a service to apply
again, once, what its consumer parked on the dead-letter topic, once the cause is fixed
(decision 0033). Repeating it is harmless: an event applied already is skipped.
"""

from datetime import datetime
from typing import Annotated

import typer

from deploy.cli_client import reports_errors
from deploy.cli_output import table
from shared.contracts.tiers import Tier

events = typer.Typer(help="A service's events (its admins only).", no_args_is_help=True)

# The service reads the whole dead-letter topic in the request.
REPLAY_TIMEOUT = 120


@events.command("replay-dead-letters")
@reports_errors
def replay_dead_letters(
    ctx: typer.Context,
    tier: Annotated[
        Tier | None, typer.Option(help="The service whose dead letters to replay; by default the token's.")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            help="Only events parked at or after this time (ISO 8601, e.g. 2025-05-15T08:00; local unless zoned)."
        ),
    ] = None,
) -> None:
    """Apply again what the service's consumer parked on the dead-letter topic; each event applies once."""
    params = {"since": (since if since.tzinfo else since.astimezone()).isoformat()} if since else {}
    done = ctx.obj.officer().call(
        "POST", "/events/dead-letters/replay", tier=tier, params=params, timeout=REPLAY_TIMEOUT
    )
    typer.echo(
        f"read {done['read']} dead letters: {len(done['applied'])} applied now, "
        f"{len(done['already_applied'])} applied before (skipped), {done['other_services']} of other services "
        f"or earlier, {len(done['failed'])} still failing"
    )
    for event_id in done["applied"]:
        typer.echo(f"  applied {event_id}")
    if done["failed"]:
        typer.echo(table(["event", "error"], [(f["event"], f["error"]) for f in done["failed"]]))
        raise typer.Exit(1)
