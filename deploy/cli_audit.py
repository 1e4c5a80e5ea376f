"""`tdkt audit …`: a nomination's evidence bundle, an agency's succession after a reorganization,
gathered from the services, and their offline check.

`evidence` asks each service the tokens reach (`--token`, `--also-token`) for its part of the
bundle and writes them as one file; `succession` does the same for an agency's closed log and its
references to its predecessors (decision 0039); `verify` checks either file with no database and no
network (decisions 0034, 0039), and exits non-zero saying what failed.
"""

from pathlib import Path
from typing import Annotated

import typer

from deploy.cli_client import CliError, Options, reports_errors
from shared.platform import succession as successions
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


@audit.command("succession")
@reports_errors
def succession(
    ctx: typer.Context,
    agency_code: Annotated[str, typer.Argument(help="The agency's code, e.g. D903 or C30823")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the file (JSON)")],
    also_token: Annotated[
        list[str] | None,
        typer.Option(
            help="Another officer's token, to ask another tier's service too (a retired agency's log is "
            "closed at the service that hosted it, its successors' references are at theirs)."
        ),
    ] = None,
) -> None:
    """Gather an agency's closed log and its references to its predecessors' final cosigned checkpoints."""
    options: Options = ctx.obj
    parts = []
    for officer in options.officers(also_token):
        try:
            parts.append(officer.call("GET", f"/audit/agencies/{agency_code}/succession"))
        except CliError as err:
            typer.echo(f"note: {err}", err=True)  # one service has nothing of it: the others may
    if not parts:
        raise CliError(f"no service reached has a succession record of {agency_code}")
    try:
        found = successions.merge_files(parts)
    except successions.SuccessionInvalid as err:
        raise CliError(str(err)) from None
    out.write_bytes(canonical(found))
    typer.echo(f"wrote {out}: {agency_code}, closed: {'yes' if found['closed'] else 'no'}, "
               f"references to predecessors: {len(found['succeeded'])}")  # fmt: skip


def _verify_succession(data: bytes, trusted: dict[str, str]) -> None:
    try:
        found = successions.verify_succession(data, trusted=trusted)
    except successions.SuccessionInvalid as err:
        raise CliError(f"the succession does NOT verify: {err}") from None
    origins = set()
    if found.closed is not None:
        closing = found.closed.record
        origins.add(found.closed.origin)
        typer.echo(
            f"{found.agency}: log closed at {found.closed.origin} by plan {closing['details'].get('plan')} after "
            f"{closing['details'].get('records')} record(s), closing record {closing['seq']} in the checkpoint of "
            f"{found.closed.size} cosigned by {', '.join(found.closed.witnesses)}"
        )
    for own, predecessor in found.succeeded:
        origins.update((own.origin, predecessor.origin))
        typer.echo(
            f"{found.agency} succeeds {predecessor.record['agency_code']}: record {own.record['seq']} at {own.origin} "
            f"(cosigned by {', '.join(own.witnesses)}) references its final checkpoint of {predecessor.size} at "
            f"{predecessor.origin}, cosigned by {', '.join(predecessor.witnesses)}, closing record "
            f"{predecessor.record['seq']}"
        )
    untrusted = sorted(origins - set(trusted))
    if untrusted:
        typer.echo(
            f"note: the keys of {', '.join(untrusted)} come from the file itself; compare them with the keys the "
            "services publish (GET /audit/checkpoints) or pass --trust ORIGIN=KEY",
            err=True,
        )
    typer.echo("the succession verifies")


@audit.command("verify")
@reports_errors
def verify(
    bundle: Annotated[
        Path,
        typer.Argument(
            help="An evidence bundle (`tdkt audit evidence`) or a succession file (`tdkt audit succession`)"
        ),
    ],
    trust: Annotated[
        list[str] | None,
        typer.Option(help="ORIGIN=PUBLIC_KEY (hex) you know a service by; its log must be signed with that key."),
    ] = None,
) -> None:
    """Check a bundle or a succession file offline: signatures, cosignatures, hashes and inclusion proofs."""
    if not bundle.is_file():
        raise CliError(f"no such file: {bundle}")
    trusted = {}
    for pair in trust or []:
        origin, sep, key = pair.partition("=")
        if not sep or not origin or not key:
            raise CliError(f"--trust takes ORIGIN=PUBLIC_KEY, not {pair!r}")
        trusted[origin] = key
    data = bundle.read_bytes()
    if successions.is_succession_file(data):
        _verify_succession(data, trusted)
        return
    try:
        logs = verify_bundle(data, trusted=trusted)
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
