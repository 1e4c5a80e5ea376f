"""docs/events.schema.json is generated from the event models and must stay in step with them."""

from shared.contracts.events import EVENT_TYPES
from shared.contracts.schema import SCHEMA_PATH, schema_text

IRREGULAR_PAST = {"withdrawn", "deadline_set", "held"}  # past participles that do not end in -ed


def test_event_schema_document_is_current():
    assert SCHEMA_PATH.exists(), "docs/events.schema.json is missing: run `python -m shared.contracts.schema`"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/events.schema.json is out of date with shared/contracts/events.py: "
        "regenerate it with `python -m shared.contracts.schema` and commit the result"
    )


def test_every_event_is_past_tense_and_documented():
    for name, cls in EVENT_TYPES.items():
        assert name.split(".")[-1].endswith("ed") or name.split(".")[-1] in IRREGULAR_PAST, name
        assert cls.__doc__ and cls.__doc__.strip().startswith("Emitted when"), name


def test_the_schema_names_every_event_with_its_topic():
    document = schema_text()
    for name, cls in EVENT_TYPES.items():
        assert f'"{name}"' in document and f'"topic": "{cls.topic}"' in document, name
