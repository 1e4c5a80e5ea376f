"""Vietnamese text as people type it: a search with or without diacritics finds the same names.

`fold` lowers case, removes tone and vowel marks and turns đ into d, so that "Bình Sơn", "binh son"
and "BINH SON" all compare equal; Unicode's NFC and NFD forms of one name fold alike. `collation_key`
sorts names in Vietnamese dictionary order.
"""

import unicodedata

from email_validator import EmailNotValidError, validate_email


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


# Vietnamese alphabetical order: a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư (the letter-forming
# marks), then the tones as dictionaries order them: none, huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # grave, hook, tilde, acute, dot


def collation_key(text: str) -> tuple[tuple[tuple[str, int], ...], tuple[int, ...], str]:
    """A sort key that puts Vietnamese words in dictionary order ("Đỗ" after "Dương", before "Em"),
    case and tones deciding only between otherwise equal words."""
    letters: list[tuple[str, int]] = []
    tones: list[int] = []  # one per letter: the tone mark it carries, 0 for none
    for char in unicodedata.normalize("NFD", text):
        if char in _LETTER_MARKS and letters:
            letters[-1] = (letters[-1][0], _LETTER_MARKS[char])
        elif char in _TONES and tones:
            tones[-1] = _TONES[char]
        elif not unicodedata.combining(char):
            letters.append(("d", 1) if char in "đĐ" else (char.lower(), 0))
            tones.append(0)
    return tuple(letters), tuple(tones), text


FILENAME_MAX = 255
# Characters no file system of the offices' machines accepts in a name, and path separators.
_NOT_IN_NAMES = set('<>:"/\\|?*')


def safe_filename(name: str) -> str:
    """A file name as it is stored and shown: Unicode NFC (one form of each Vietnamese letter), its
    last path component only, without control characters or characters Windows refuses, at most
    255 characters (the extension kept). Empty when nothing usable remains."""
    text = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join("_" if c in _NOT_IN_NAMES else c for c in text if unicodedata.category(c)[0] != "C")
    kept = " ".join(kept.split()).strip(" .")
    if len(kept) > FILENAME_MAX:
        stem, dot, extension = kept.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        kept = kept[: FILENAME_MAX - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return kept


def email_address(value: str) -> str:
    """An e-mail address as it is stored: checked for its form (not its mailbox: no network) and
    normalised (the domain lower-cased, Unicode NFC). Raises ValueError saying what is wrong."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"'{value[:100]}' is not an e-mail address: {err} (địa chỉ e-mail không hợp lệ)") from None
