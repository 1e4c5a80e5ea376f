"""What every rules file under ``shared/rules/data/`` shares, and how one is read.

The catalog, the calendar, the deadlines, the dossier levels, the ballots and the base salary are
each a reviewable YAML file validated by Pydantic models. They share the strict model base, the
`Citation` every rule carries, and one error, `CatalogError`, whose message names the file, the
entry and the field, so a reviewer can find the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DATA_DIR = Path(__file__).parent / "data"

Confidence = Literal["H", "M", "L"]
ModelT = TypeVar("ModelT", bound=BaseModel)


class CatalogError(ValueError):
    """A rules file that cannot be used; the message names file, entry and field."""

    def __init__(self, file: str, entry: str | None, field: str | None, message: str) -> None:
        self.file, self.entry, self.field = file, entry, field
        where = file + (f": entry '{entry}'" if entry else "") + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")


class FieldError(ValueError):
    """Raised by a model-level check to name the field it concerns (Pydantic reports such errors
    at the model's own location; `parse_model` appends `field` to it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(StrictModel):
    """Where a rule comes from. Confidence L or `configurable: true` marks a documented default."""

    instrument: str = Field(min_length=1, examples=["Luật Thi đua, khen thưởng 06/2022/QH15"])
    article: str | None = Field(default=None, examples=["Điều 80 khoản 2"])
    source: str | None = Field(default=None, description="Source tag in the domain brief, e.g. S3:c365dc62838fd8ab")
    confidence: Confidence = "H"
    configurable: bool = Field(default=False, description="Not confirmed law: a default a deployment may change")
    note: str | None = None

    def text(self) -> str:
        parts = [self.instrument + (f", {self.article}" if self.article else "")]
        if self.confidence != "H" or self.configurable:
            parts.append(f"(độ tin cậy {self.confidence}; mặc định có thể cấu hình)")
        return " ".join(parts)


def read_yaml(path: Path, name: str | None = None) -> Any:
    """The parsed file; errors name it as `name` (its path under the data directory)."""
    name = name or path.name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CatalogError(name, None, None, f"is not valid YAML: {err}") from None
    except OSError as err:
        raise CatalogError(name, None, None, f"cannot be read: {err}") from None


def _field_of(err: ValidationError) -> tuple[str, str]:
    """The dotted path of the first error and its message; model-level checks name their field."""
    first = err.errors()[0]
    path = [str(p) for p in first["loc"]]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        path.append(cause.field)
        return ".".join(path), str(cause)
    return ".".join(path), first["msg"]


def entry_name(raw: Any, index: int) -> str:
    """How an entry is named in errors: its code when it has one, else its position (#1, #2 …)."""
    code = raw.get("code") if isinstance(raw, dict) else None
    return str(code) if code else f"#{index + 1}"


def parse_model(cls: type[ModelT], data: Any, file: str, entry: str | None) -> ModelT:
    """`data` validated as `cls`, or a `CatalogError` naming `file`, `entry` and the failing field."""
    try:
        return cls.model_validate(data)
    except ValidationError as err:
        field, message = _field_of(err)
        raise CatalogError(file, entry, field or None, message) from None
