"""Vietnamese text as people type it: a search with or without diacritics finds the same names.

`fold` lowers case, removes tone and vowel marks and turns đ into d, so that "Bình Sơn", "binh son"
and "BINH SON" all compare equal; Unicode's NFC and NFD forms of one name fold alike.
"""

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())
