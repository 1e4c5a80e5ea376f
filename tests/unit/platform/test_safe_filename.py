"""File names as stored and shown: one Unicode form, no path, nothing a file system refuses."""

import unicodedata

import pytest

from shared.text import FILENAME_MAX, safe_filename


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../../../etc/passwd", "passwd"),
        ("C:\\Users\\van thu\\Tờ trình.pdf", "Tờ trình.pdf"),
        ("bao\x00cao\x1f.pdf", "baocao.pdf"),
        ('a<b>c:"d|e?f*.txt', "a_b_c__d_e_f_.txt"),
        ("  Báo   cáo  thành tích .docx ", "Báo cáo thành tích .docx"),
        ("..", ""),
        (" . ", ""),
    ],
)
def test_a_name_keeps_only_what_is_safe(given, stored):
    assert safe_filename(given) == stored


def test_the_two_unicode_forms_of_a_vietnamese_name_are_stored_alike():
    name = "Tờ trình đề nghị.pdf"
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    assert safe_filename(nfd) == safe_filename(name) == unicodedata.normalize("NFC", name)


def test_a_long_name_is_cut_and_keeps_its_extension():
    stored = safe_filename("Báo cáo " * 60 + ".pdf")
    assert len(stored) <= FILENAME_MAX and stored.endswith(".pdf")
