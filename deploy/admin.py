"""The deployment's first admin, written straight into a tier's database:

    python -m deploy.admin --tier central --agency TW-BTDKT --username admin.btdkt   (asks for the password)

The same can come from BOOTSTRAP_ADMIN_AGENCY, _USERNAME and _PASSWORD at a service's start-up. An
admin then creates the agency's other officers (`tdkt officers add`). Idempotent: an existing
username is left as it is.
"""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.kit.errors import DomainError
from services.kit.identity.bootstrap import ensure_admin
from shared.contracts.tiers import Tier
from shared.platform.db import make_engine, session_factory, transaction
from shared.platform.settings import ServiceSettings


async def create_admin(database_url: str, tier: Tier, agency: str, username: str, password: str) -> str:
    engine = make_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            made = await ensure_admin(
                session, tier=tier.value, agency_code=agency, username=username, password=password
            )
    finally:
        await engine.dispose()
    return f"created {made.id}" if made else f"'{username}' exists already: nothing changed"


def main(
    tier: Annotated[Tier, typer.Option(help="The service whose database holds the agency")],
    agency: Annotated[str, typer.Option(help="The agency's code, e.g. TW-BTDKT or P91")],
    username: Annotated[str, typer.Option()],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, envvar="BOOTSTRAP_ADMIN_PASSWORD")
    ],
    database_url: Annotated[str | None, typer.Option(envvar="DATABASE_URL")] = None,
) -> None:
    # The names given here, so that a password from BOOTSTRAP_ADMIN_PASSWORD reads as complete.
    url = (
        database_url
        or ServiceSettings(tier=tier, bootstrap_admin_agency=agency, bootstrap_admin_username=username).database_url
    )
    try:
        missing_sqlite_file(url)
        typer.echo(asyncio.run(create_admin(url, tier, agency, username, password)))
    except (ValueError, DomainError) as err:  # the agency is not one this tier hosts, or a weak password
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    except (OperationalError, ProgrammingError) as err:
        typer.echo(f"error: the {tier.value} database at {url} is not ready ({err.orig}); {HINT}", err=True)
        raise typer.Exit(1) from None


HINT = "start the system once (`make run` migrates it) or pass --database-url (DATABASE_URL)"


def missing_sqlite_file(url: str) -> None:
    """A SQLite file that does not exist is a wrong path, not a database to create empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        if not Path(parsed.database).is_file():
            raise ValueError(f"no database at {parsed.database}; {HINT}")


if __name__ == "__main__":
    typer.run(main)
