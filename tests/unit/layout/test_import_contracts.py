"""The import rules in pyproject.toml ([tool.importlinter]) fail when a rule is broken.

Each case copies the source tree, adds one forbidden import and runs `lint-imports` on the copy;
the contract that forbids it must be reported broken. The unchanged copy keeps every contract, so
the added line is what breaks it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_copy(tmp_path: Path, file: str | None = None, line: str | None = None) -> subprocess.CompletedProcess[str]:
    for package in ("shared", "services", "workflows", "deploy", "bench"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if file is not None:
        with (tmp_path / file).open("a", encoding="utf-8") as source:
            source.write(f"\n{line}\n")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_tree_as_it_is_keeps_every_contract(tmp_path: Path):
    result = lint_copy(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("file", "line", "contract"),
    [
        ("shared/contracts/tiers.py", "import shared.rules.roles", "Contracts import nothing of the project"),
        ("shared/rules/roles.py", "import sqlalchemy", "The pure domain does no I/O"),
        ("shared/routing.py", "import shared.platform.db", "The pure domain does no I/O"),
        ("shared/platform/logs.py", "import services.kit.errors", "shared imports only shared"),
        ("workflows/nomination/state.py", "import services.kit.errors", "Workflows import only shared"),
        ("workflows/nomination/clock.py", "import sqlmodel", "Workflow code does no I/O"),
        ("services/kit/errors.py", "import workflows.worker", "Services reach the workflows only through contracts"),
        ("services/kit/app.py", "import deploy.seed", "Services reach the workflows only through contracts"),
        ("deploy/seed.py", "import bench.report", "Only the tools at the top import deploy"),
        ("services/kit/proposals/service.py", "import fastapi", "Service functions know nothing of HTTP"),
        ("services/kit/registry/service.py", "import services.kit.identity.service", "No cycles"),
        ("services/kit/councils/models.py", "import services.kit.councils.api", "No cycles"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, file: str, line: str, contract: str):
    result = lint_copy(tmp_path, file, line)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
