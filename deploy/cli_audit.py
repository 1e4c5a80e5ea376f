"""`tdkt audit …`: a nomination's evidence bundle, gathered from the services, and its offline check.

`evidence` asks each service the tokens reach (`--token`, `--also-token`) for its part of the
bundle and writes them as one file; `verify` checks a bundle with no database and no network
(decision 0034), and exits non-zero saying what failed.
"""

from pathlib import Path
from typing import Annotated

import typer

from deploy.cli_client import CliError, Options, reports_errors
from shared.platform.evidence import BundleInvalid, canonical, merge_bundles, verify_bundle

audit = typer.Typer(help="Evidence bundles of the audit logs, and their offline check.", no_args_is_help=True)


@audit.command("evidence")
@reports_errors
def evidence(
    ctx: typer.Context,
    nomination_id: Annotated[str, typer.Argument(help="The nomination's id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the bundle (JSON)")],
    also_token: Annotated[
        list[str] | None,
        typer.Option(help="Another officer's token, to gather the records of another level's service too."),
    ] = None,
) -> None:
    """Gather the nomination's evidence from every service the tokens reach, into one bundle."""
    options: Options = ctx.obj
    officers = options.officers(also_token)
    parts = [officer.call("GET", f"/nominations/{nomination_id}/evidence") for officer in officers]
    try:
        bundle = merge_bundles(parts)
    except BundleInvalid as err:
        raise CliError(str(err)) from None
    out.write_bytes(canonical(bundle))
    origins = ", ".join(log["origin"] for log in bundle["logs"])
    typer.echo(f"wrote {out}: records of nomination {nomination_id} from {origins}")


@audit.command("verify")
@reports_errors
def verify(
    bundle: Annotated[Path, typer.Argument(help="An evidence bundle (JSON) from `tdkt audit evidence`")],
    trust: Annotated[
        list[str] | None,
        typer.Option(help="ORIGIN=PUBLIC_KEY (hex) you know a service by; its log must be signed with that key."),
    ] = None,
) -> None:
    """Check a bundle offline: signatures, cosignatures, every record's hash and inclusion proof."""
    if not bundle.is_file():
        raise CliError(f"no such file: {bundle}")
    trusted = {}
    for pair in trust or []:
        origin, sep, key = pair.partition("=")
        if not sep or not origin or not key:
            raise CliError(f"--trust takes ORIGIN=PUBLIC_KEY, not {pair!r}")
        trusted[origin] = key
    try:
        logs = verify_bundle(bundle.read_bytes(), trusted=trusted)
    except BundleInvalid as err:
        raise CliError(f"the bundle does NOT verify: {err}") from None
    for log in logs:
        typer.echo(
            f"{log.origin}: {log.records} record(s) in its signed checkpoint of {log.size}, "
            f"cosigned by {', '.join(log.witnesses)}; key {log.public_key}"
        )
    untrusted = [log.origin for log in logs if log.origin not in trusted]
    if untrusted:
        typer.echo(
            f"note: the keys of {', '.join(untrusted)} come from the bundle itself; compare them with the keys the "
            "services publish (GET /audit/checkpoints) or pass --trust ORIGIN=KEY",
            err=True,
        )
    typer.echo("the bundle verifies")
