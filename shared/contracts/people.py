"""What statistics need about an individual, as events carry it (codes of shared/rules/data/people.yaml)."""

from pydantic import BaseModel


class IndividualProfile(BaseModel):
    """An individual's position category, sex and ethnicity (GSO code), each optional. A nominee's
    registration is told again, the same registration, when the managing agency changes them."""

    position_category: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
