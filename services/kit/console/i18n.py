"""The console's words: Vietnamese by default, English on request. Legal terms follow
docs/glossary.md. A missing key shows itself (the key), so a forgotten translation is visible."""

from collections.abc import Callable

from fastapi import Request

from services.kit.console.words import (
    admin,
    base,
    batches,
    clusters,
    council,
    decisions,
    emulation_year,
    erasure,
    inbox,
    login,
    mail,
    movements,
    papers,
    people,
    reporting,
    statistics,
)
from services.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable

LANGUAGES = ("vi", "en")
LANG_COOKIE = "tdkt_lang"

# Each module of `words/` gives its Vietnamese and English words; a key in one language only is a
# defect that tests/unit/console/test_words.py finds.
WORDS = (
    admin, base, batches, clusters, council, decisions, emulation_year, erasure, inbox, login, mail, movements, papers,
    people, reporting, statistics,
)  # fmt: skip
TEXTS: dict[str, dict[str, str]] = {
    "vi": {key: text for module in WORDS for key, text in module.VI.items()},
    "en": {key: text for module in WORDS for key, text in module.EN.items()},
}


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return chosen if chosen in LANGUAGES else "vi"


def translator(lang: str) -> Callable[[str], str]:
    words = TEXTS[lang]

    def t(key: str) -> str:
        return words.get(key, key)

    return t


# A refusal without a kind is worded by its class.
BY_CLASS = ((Unavailable, "unavailable"), (Forbidden, "forbidden"), (NotFound, "not_found"), (Conflict, "conflict"),
            (Invalid, "invalid"))  # fmt: skip


def explain(lang: str, refusal: DomainError) -> tuple[str, str]:
    """A refusal for the officer: what it means in their language (by its kind, else its class),
    and the service's own sentence, which names what to fix."""
    words = TEXTS[lang]
    key = f"refusal.{refusal.kind}"
    if key not in words:
        key = "refusal." + next((name for cls, name in BY_CLASS if isinstance(refusal, cls)), "other")
    return words[key], sentence(lang, refusal)


def sentence(lang: str, refusal: DomainError) -> str:
    """The service's own sentence: in Vietnamese on a Vietnamese page where the service gave one."""
    if lang == "vi" and refusal.vi:
        return refusal.vi
    return refusal.detail if isinstance(refusal.detail, str) else str(refusal)
