"""Reading a plan from a file: parse it (``plan.py``), then check it on its own terms (``checks.py``).

Its own module because it needs both: ``checks.py`` builds on ``plan.py``, so the function that
parses and then checks cannot live in ``plan.py`` without a circular import.
"""

import json
from pathlib import Path

import yaml

from shared.reorg.checks import check_plan
from shared.reorg.plan import Plan, parse_plan

# The hand-written plans shipped with the code, beside this module.
PLANS_DIR = Path(__file__).parent / "data"


def load_plan(path: str | Path) -> Plan:
    """Read a plan from a ``.yaml``/``.yml`` or ``.json`` file and check it on its own terms.

    Rules that need the registry (unknown codes, reused codes…) are checked by ``apply_plan``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    plan = parse_plan(data)
    check_plan(plan)
    return plan
