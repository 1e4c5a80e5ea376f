"""Run a tier's Alembic migrations: `python -m services.kit.migrate <tier> [database_url]`.

Tables every tier has are on the `kit` line (0001_kit, 0002_…); a tier with tables of its own has
a branch named after it. A tier's database is upgraded to the kit line's head, then to its branch's.
"""

import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def targets_for(tier: Tier, cfg: Config) -> list[str]:
    """The kit line's head, then the tier's own branch head if it has one."""
    script = ScriptDirectory.from_config(cfg)
    tier_labels = {t.value for t in Tier}
    kit_heads = [
        head
        for head in script.get_heads()
        if not any(set(rev.branch_labels) & tier_labels for rev in script.iterate_revisions(head, "base"))
    ]
    if len(kit_heads) != 1:
        raise RuntimeError(f"the kit migration line must have exactly one head, found {kit_heads}")
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return kit_heads + ([f"{tier.value}@head"] if tier.value in labels else [])


def migrate(tier: Tier, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(database_url)
    for target in targets_for(tier, cfg):
        command.upgrade(cfg, target)


async def migrate_async(tier: Tier, database_url: str) -> None:
    """Alembic's env runs its own event loop; keep it off the caller's loop."""
    await asyncio.to_thread(migrate, tier, database_url)


if __name__ == "__main__":
    tier = Tier(sys.argv[1])
    migrate(tier, sys.argv[2] if len(sys.argv) > 2 else ServiceSettings(tier=tier).database_url)
