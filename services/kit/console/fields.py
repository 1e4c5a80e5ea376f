"""Reading a form's typed fields the way an officer writes them, with a refusal that names the field
in both languages (the page shows the one it speaks)."""

from datetime import date

from services.kit.errors import Invalid
from services.kit.sheets import parse_day


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
