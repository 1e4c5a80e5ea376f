"""JSON Schema of the domain events (`docs/events.schema.json`), generated from their models.

Regenerate it with `python -m shared.contracts.schema`; `tests/unit/contracts/test_event_schema.py`
checks that the committed file is current.
"""

import json
from pathlib import Path
from typing import Any

from shared.contracts.events import EVENT_TYPES, Envelope

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "events.schema.json"


def event_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tdkt domain events",
        "envelope": Envelope.model_json_schema(),
        "events": {
            name: {"topic": cls.topic, "description": (cls.__doc__ or "").strip(), "payload": cls.model_json_schema()}
            for name, cls in sorted(EVENT_TYPES.items())
        },
    }


def schema_text() -> str:
    """The schema as committed in docs/: pretty, UTF-8 (no escapes), with a trailing newline."""
    return json.dumps(event_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
