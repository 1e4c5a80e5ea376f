"""`python -m deploy.admin` as docs/running.md shows it: the password from the prompt or from
BOOTSTRAP_ADMIN_PASSWORD, the embedded run's database by default, and a clear line (no empty
database made) when the database is not where it looks."""

import asyncio
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from deploy import admin
from deploy.init import init
from shared.contracts.tiers import Tier

ARGS = ["--tier", "central", "--agency", "TW-BTDKT", "--username", "admin.btdkt"]
PASSWORD = "Mật-khẩu-quản-trị-2026"


def run(*args: str, env: dict[str, str] | None = None, prompt: str | None = None):  # type: ignore[no-untyped-def]
    one = typer.Typer()
    one.command()(admin.main)
    return CliRunner().invoke(one, list(args), env=env, input=prompt)


def test_by_default_it_writes_to_the_embedded_runs_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    missing = run(*ARGS, prompt=f"{PASSWORD}\n{PASSWORD}\n")
    assert missing.exit_code == 1 and "no database at .data/db/central.db" in missing.output
    assert not Path(".data/db/central.db").exists()  # no empty database made on a wrong path

    Path(".data/db").mkdir(parents=True)
    asyncio.run(init({Tier.CENTRAL: "sqlite+aiosqlite:///.data/db/central.db"}))
    made = run(*ARGS, env={"BOOTSTRAP_ADMIN_PASSWORD": PASSWORD})
    assert made.exit_code == 0 and "created TW-BTDKT:admin.btdkt" in made.output, made.output
    again = run(*ARGS, prompt=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 0 and "exists already" in again.output
