"""JSON Schema of an award-catalog file (`shared/rules/data/catalog/*.yaml`), for editors and reviewers.

`docs/catalog.schema.json` is generated from the Pydantic models in `shared.rules.catalog_entries`;
regenerate it with `python -m shared.rules.schema` (tests/unit/test_catalog.py checks it is current).
The schema covers each file's shape only: the cross-file checks (known regimes and authorities,
unique codes, lower forms that exist, every cited field cited) run in `load_catalog`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.rules.catalog_entries import AwardEntry

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "catalog.schema.json"


class AwardCatalogFile(BaseModel):
    """One award-catalog file: a list of award entries under `awards`."""

    model_config = ConfigDict(extra="forbid", title="tdkt award catalog file")

    awards: list[AwardEntry]


def catalog_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `{"awards": [AwardEntry, ...]}`."""
    schema = AwardCatalogFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as committed in docs/: pretty, UTF-8 (no escapes), with a trailing newline."""
    return json.dumps(catalog_file_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
