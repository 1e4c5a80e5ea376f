"""Vietnamese names sort in dictionary order: the letters first (a ă â … d đ … o ô ơ … u ư), then
the tones (none, huyền, hỏi, ngã, sắc, nặng); NFC and NFD forms of a name sort alike."""

import unicodedata

from shared.text import collation_key


def test_letters_then_tones_in_dictionary_order() -> None:
    names = ["Mai Văn Ân", "Đỗ Thị Bé", "Dương Văn Cường", "Em", "Ân", "Ăn", "An", "Ơn", "Ôn", "On", "Ưu", "Uy"]
    assert sorted(names, key=collation_key) == [
        "An", "Ăn", "Ân", "Dương Văn Cường", "Đỗ Thị Bé", "Em", "Mai Văn Ân", "On", "Ôn", "Ơn", "Uy", "Ưu",
    ]  # fmt: skip
    assert sorted(["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"], key=collation_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(["Bà Rịa", "Ba Đình", "bà rịa"], key=collation_key)[0] == "Ba Đình"


def test_the_two_unicode_forms_of_a_name_compare_alike() -> None:
    name = "Nguyễn Thị Hương"
    assert collation_key(unicodedata.normalize("NFD", name))[:2] == collation_key(name)[:2]
