"""`tdkt nominees erase ID --basis B --reason R`: the managing agency's chair or admin erases a
nominee's erasable personal data (sex, ethnic group, the audit log's openings) at its service, which
tells every other service (decision 0040). It asks for confirmation unless `--yes`; again, a no-op.
"""

from enum import StrEnum
from typing import Annotated

import typer

from deploy.cli_client import reports_errors

nominees = typer.Typer(help="Nominees your agency manages.", no_args_is_help=True)


class Basis(StrEnum):
    subject_request = "subject_request"
    consent_withdrawn = "consent_withdrawn"
    purpose_fulfilled = "purpose_fulfilled"
    authority_order = "authority_order"


@nominees.command("erase")
@reports_errors
def erase(
    ctx: typer.Context,
    nominee_id: Annotated[str, typer.Argument(help="The nominee's id, e.g. CCCD:091000000001")],
    basis: Annotated[Basis, typer.Option(help="The legal basis (căn cứ xóa dữ liệu)")],
    reason: Annotated[
        str, typer.Option(help="The request and its reference; it stays in the audit log: name no personal data")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase the nominee's sex and ethnic group everywhere, and the audit log's openings about them."""
    if not yes:
        typer.confirm(
            f"Erase the personal data of {nominee_id} at every service? This cannot be undone "
            "(xóa dữ liệu cá nhân, không thể khôi phục)",
            abort=True,
        )
    done = ctx.obj.officer().call(
        "POST", f"/nominees/{nominee_id}/erasure", json={"basis": basis.value, "reason": reason}
    )
    if done["already_erased"]:
        typer.echo(f"nothing left to erase for {nominee_id}: erased before, nothing changed")
        return
    typer.echo(
        f"erased {done['erased_values']} stored values of {nominee_id} ({', '.join(done['fields'])}) at "
        f"{done['erased_at']}; every other service erases its copies when it receives the event"
    )
