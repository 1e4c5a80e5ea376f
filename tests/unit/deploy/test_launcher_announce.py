"""What `make run` prints: the one address every officer logs in at, with the demo logins written
`username@agency`; and every service is told where every console is."""

from datetime import date
from pathlib import Path

from deploy.launcher import Launcher, Options
from deploy.stack import DEFAULT_PORTS
from shared.contracts.tiers import TIER_ORDER, Tier


def test_make_run_prints_the_one_address_and_the_demo_logins(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    launcher = Launcher(Options(tmp_path, 9092, 7233, 8233, dict(DEFAULT_PORTS), date(2025, 5, 15)))
    launcher.announce()
    out = capsys.readouterr().out
    assert "One address for every officer: http://127.0.0.1:8001/console/login" in out
    assert "demo-d903-chair@D903" in out and "demo-D903-chair" in out  # the login, and the password

    env = launcher.stack.config.env(Tier.UNIT)
    assert {env[f"{tier.value.upper()}_CONSOLE_URL"] for tier in TIER_ORDER} == {
        f"http://127.0.0.1:{port}" for port in DEFAULT_PORTS.values()
    }
