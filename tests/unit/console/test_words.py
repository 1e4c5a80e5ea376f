"""The console's words: every key in both languages, defined once, and every key a template asks for exists."""

import re
from pathlib import Path

import pytest

from services.kit.console import i18n
from services.kit.console.rendering import HERE


@pytest.mark.parametrize("module", i18n.WORDS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_key_has_both_languages(module):
    assert set(module.VI) - set(module.EN) == set(), "keys with Vietnamese words but no English ones"
    assert set(module.EN) - set(module.VI) == set(), "keys with English words but no Vietnamese ones"


def test_no_key_is_given_by_two_modules():
    seen: dict[str, str] = {}
    for module in i18n.WORDS:
        for key in module.VI:
            assert key not in seen, f"{key} is in {seen.get(key)} and {module.__name__}"
            seen[key] = module.__name__


def test_every_key_a_template_asks_for_exists():
    asked = {
        key
        for template in Path(HERE, "templates").glob("*.html")
        for key in re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*\)""", template.read_text())
    }
    assert asked, "the pattern found no key: the test would pass on anything"
    assert sorted(asked - set(i18n.TEXTS["vi"])) == []
