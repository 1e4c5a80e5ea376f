"""API models of the public consultation."""

from typing import Literal

from sqlmodel import Field, SQLModel

from shared.rules.days import Day


class ConsultationIn(SQLModel):
    posted_on: Day
    channel: str = Field(min_length=1, max_length=500, description="Where it is posted, e.g. the portal page URL")
    working_days: int | None = Field(default=None, ge=1, le=60, description="Default (and minimum): the catalog's")


class CommentIn(SQLModel):
    author_name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=200, description="Phone or e-mail, for a reply")
    text: str = Field(min_length=1, max_length=5000)
    kind: Literal["comment", "complaint"] = "comment"


class HoldIn(SQLModel):
    reason: str = Field(min_length=1, max_length=2000)
