"""`tdkt login` and `tdkt officers …`: an officer logs in like a person, an admin manages officers.

`tdkt login` asks for the password (and the authenticator's code once one is enrolled) and prints
the token to use as TDKT_TOKEN; `--days N` asks for an API token that lives N days instead of a
login token that lives hours.
"""

from typing import Annotated

import httpx
import typer

from deploy.cli_client import CliError, Options, reports_errors, response_detail, service_urls
from deploy.cli_output import table
from shared.contracts.tiers import Tier

officers = typer.Typer(help="An agency's officers (its admin only).", no_args_is_help=True)


@reports_errors
def login(
    username: Annotated[str, typer.Option(prompt="Tên đăng nhập (username)")],
    tier: Annotated[Tier, typer.Option(help="The service that hosts your agency")],
    password: Annotated[str, typer.Option(prompt="Mật khẩu (password)", hide_input=True, envvar="TDKT_PASSWORD")],
    code: Annotated[str | None, typer.Option(help="The authenticator's code, once a second factor is enrolled")] = None,
    days: Annotated[int | None, typer.Option(help="An API token living this many days, for scripts")] = None,
) -> None:
    """Log in; prints the token to export as TDKT_TOKEN."""
    url = service_urls()[tier]
    try:
        r = httpx.post(f"{url}/auth/login", json={"username": username, "password": password, "totp_code": code})
    except httpx.TransportError as err:
        raise CliError(f"cannot reach the {tier.value} service at {url} ({err})") from None
    if r.status_code == 401 and code is None and "authenticator" in response_detail(r):
        code = typer.prompt("Mã xác thực (authenticator code)")
        r = httpx.post(f"{url}/auth/login", json={"username": username, "password": password, "totp_code": code})
    if r.status_code != 200:
        raise CliError(f"login refused ({r.status_code}): {response_detail(r)}")
    answer = r.json()
    if days is not None:
        headers = {"Authorization": f"Bearer {answer['token']}"}
        api = httpx.post(f"{url}/auth/tokens", headers=headers, json={"label": "tdkt CLI", "days": days})
        if api.status_code != 201:
            raise CliError(f"no API token ({api.status_code}): {response_detail(api)}")
        answer = api.json()
        httpx.post(f"{url}/auth/logout", headers=headers)
    typer.echo(f"logged in as {answer['officer_id']} ({answer['role']}), token valid until {answer['expires_at']}")
    typer.echo(f"export TDKT_TOKEN={answer['token']}")


@officers.command("list")
@reports_errors
def list_officers(ctx: typer.Context) -> None:
    """The officers of your agency."""
    options: Options = ctx.obj
    rows = options.officer().call("GET", "/officers")
    typer.echo(
        table(
            ["officer", "name", "role", "username", "e-mail", "active", "2FA", "locked until"],
            [
                (
                    o["id"],
                    o["name"],
                    o["role"],
                    o["username"],
                    o["email"],
                    o["active"],
                    o["totp_enabled"],
                    o["locked_until"],
                )
                for o in rows
            ],
        )
    )


@officers.command("add")
@reports_errors
def add_officer(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option(help="Full name, e.g. 'Nguyễn Thị Lan'")],
    role: Annotated[str, typer.Option(help="clerk, council_member, chair, auditor or admin")],
    email: Annotated[str | None, typer.Option(help="Where notifications go by e-mail (optional)")] = None,
) -> None:
    """Create an officer of your agency; prints the temporary password to hand over."""
    options: Options = ctx.obj
    body = {"username": username, "name": name, "role": role, "email": email}
    made = options.officer().call("POST", "/officers", json=body)
    typer.echo(f"created {made['id']} ({made['role']}); temporary password: {made['temporary_password']}")


@officers.command("deactivate")
@reports_errors
def deactivate(ctx: typer.Context, officer_id: str) -> None:
    """Deactivate an officer of your agency: every token of theirs ends."""
    options: Options = ctx.obj
    options.officer().call("POST", f"/officers/{officer_id}/deactivate")
    typer.echo(f"{officer_id} deactivated")


@officers.command("role")
@reports_errors
def set_role(ctx: typer.Context, officer_id: str, role: str) -> None:
    """Give an officer of your agency another role."""
    options: Options = ctx.obj
    options.officer().call("POST", f"/officers/{officer_id}/role", json={"role": role})
    typer.echo(f"{officer_id} is now {role}")


@officers.command("email")
@reports_errors
def set_email(
    ctx: typer.Context,
    officer_id: str,
    address: Annotated[str | None, typer.Argument(help="The address; omit it to remove the officer's address")] = None,
) -> None:
    """Set or remove the e-mail address where an officer's notifications go."""
    options: Options = ctx.obj
    answer = options.officer().call("POST", f"/officers/{officer_id}/email", json={"email": address})
    typer.echo(f"{officer_id}: e-mail {answer['email'] or 'removed'}")


@officers.command("reset-password")
@reports_errors
def reset_password(ctx: typer.Context, officer_id: str) -> None:
    """A temporary password for an officer of your agency (it also lifts a lock)."""
    options: Options = ctx.obj
    answer = options.officer().call("POST", f"/officers/{officer_id}/reset-password")
    typer.echo(f"temporary password of {officer_id}: {answer['temporary_password']}")
