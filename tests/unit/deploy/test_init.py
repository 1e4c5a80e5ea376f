"""`python -m deploy.init` prepares a deployment's databases: migrated, the real hierarchy loaded,
no demo unit or officer, and a second run adds nothing."""

from sqlmodel import select

from deploy.demo_data import DEMO_UNITS
from deploy.init import init, main
from services.kit.identity.models import Officer
from services.kit.registry.models import Agency
from shared.contracts.tiers import Tier
from shared.platform.db import make_engine, session_factory


async def test_init_loads_the_real_hierarchy_once_and_nothing_of_the_demo(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'province.db'}"
    first = await init({Tier.PROVINCE: url})
    assert first["province"] > 10_000  # 63 provinces, their districts and communes, and the 2025 successors
    assert await init({Tier.PROVINCE: url}) == {"province": 0}
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        codes = set((await session.exec(select(Agency.code))).all())
        assert {"P91", "TW-BTDKT", "B-BNV"} <= codes
        assert not codes & {unit["code"] for unit in DEMO_UNITS}
        assert (await session.exec(select(Officer))).all() == []
    await engine.dispose()


def test_init_says_which_database_urls_are_missing(monkeypatch, capsys):
    for tier in ("UNIT", "DISTRICT", "PROVINCE", "CENTRAL"):
        monkeypatch.delenv(f"{tier}_DATABASE_URL", raising=False)
    monkeypatch.setenv("UNIT_DATABASE_URL", "sqlite+aiosqlite:///x.db")
    assert main() == 2
    assert "DISTRICT_DATABASE_URL, PROVINCE_DATABASE_URL, CENTRAL_DATABASE_URL" in capsys.readouterr().err
