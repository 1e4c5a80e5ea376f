"""Reading a form's typed fields the way an officer writes them, with a refusal that names the field
in both languages (the page shows the one it speaks)."""

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.kit.errors import Invalid
from services.kit.sheets import parse_day

Model = TypeVar("Model", bound=BaseModel)


def day_of(text: str, label_en: str, label_vi: str) -> date:
    """A day written dd/mm/yyyy (as offices write it) or yyyy-mm-dd (as a date field sends it)."""
    day = parse_day(text)
    if day is None:
        raise Invalid(
            f"{label_en} '{text[:20]}' cannot be read: dd/mm/yyyy or yyyy-mm-dd",
            vi=f"{label_vi} '{text[:20]}' không đọc được: ghi dd/mm/yyyy",
        )
    return day


def optional_day_of(text: str, label_en: str, label_vi: str) -> date | None:
    return day_of(text, label_en, label_vi) if text.strip() else None


def checked(model: type[Model], values: dict[str, Any]) -> Model:
    """A form's fields as the API's model, or a refusal naming the fields to fix."""
    try:
        return model.model_validate(values)
    except ValidationError as err:
        wrong = ", ".join(str(e["loc"][0]) for e in err.errors() if e["loc"])
        raise Invalid(f"fill in: {wrong}", vi=f"hãy điền đủ và đúng: {wrong}") from None
