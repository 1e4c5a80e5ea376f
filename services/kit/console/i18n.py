"""The console's words: Vietnamese by default, English on request. Legal terms follow
docs/glossary.md. A missing key shows itself (the key), so a forgotten translation is visible."""

from collections.abc import Callable

from fastapi import Request

from services.kit.console.words import admin, base

LANGUAGES = ("vi", "en")
LANG_COOKIE = "tdkt_lang"

# Each module of `words/` gives its Vietnamese and English words; a key in one language only is a
# defect that tests/unit/console/test_words.py finds.
WORDS = (base, admin)
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
