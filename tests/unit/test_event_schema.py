"""docs/events.schema.json is generated from the event models and must stay in step with them."""

import json
from pathlib import Path

from shared.contracts.events import EVENT_TYPES, Envelope

IRREGULAR_PAST = {"withdrawn", "deadline_set", "held"}  # past participles that do not end in -ed
SCHEMA = Path(__file__).parents[2] / "docs" / "events.schema.json"


def generated() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tdkt domain events",
        "envelope": Envelope.model_json_schema(),
        "events": {
            name: {"topic": cls.topic, "description": (cls.__doc__ or "").strip(), "payload": cls.model_json_schema()}
            for name, cls in sorted(EVENT_TYPES.items())
        },
    }


def test_event_schema_document_is_current():
    expected = json.dumps(generated(), indent=2, ensure_ascii=False) + "\n"
    if not SCHEMA.exists():  # first generation; commit the file
        SCHEMA.write_text(expected)
    assert SCHEMA.read_text() == expected, "regenerate docs/events.schema.json: delete it and run this test"


def test_every_event_is_past_tense_and_documented():
    for name, cls in EVENT_TYPES.items():
        assert name.split(".")[-1].endswith("ed") or name.split(".")[-1] in IRREGULAR_PAST, name
        assert cls.__doc__ and cls.__doc__.strip().startswith("Emitted when"), name
