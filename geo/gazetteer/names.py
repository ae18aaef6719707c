"""Name normalisation shared by the gazetteer build and the recogniser.

A name and a stretch of article text match when their keys are equal. The key folds case,
diacritics, apostrophe and ayn variants, hyphens, the Arabic article (al-, as-, ash-, el-, ...)
and the letter variants of Arabic and Kurdish script.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters and apostrophe-joined letters ("Ta'mim", "N'Djamena"); a trailing 's stays outside,
# so "Region's" gives the token "Region".
# Dotted abbreviations ("U.S.", "N.D.") are one token; "We're", "I've" split at the apostrophe.
TOKEN_RE = re.compile(
    r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’ʼʿ`](?!(?:re|ve|ll|nt|t|s|d|m)\b)[^\W\d_]{2,})*|\d+")

_LATIN_FOLD = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe",
                             "ð": "d", "þ": "th", "ß": "ss", "ħ": "h"})
_APOSTROPHES = str.maketrans("", "", "'’ʼʿʾ`‘.")
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ې": "ي",
    "ک": "ك", "ڪ": "ك", "ە": "ه", "ھ": "ه", "ۆ": "و", "ێ": "ي", "ڵ": "ل", "ڕ": "ر",
    "ـ": None,
})
_ARTICLE_RE = re.compile(r"^(?:al|el) (?=\S)")
_ARABIC_ARTICLE_RE = re.compile(r"^ال(?=\S{2,})")


# A token of the Arabic block alone (the words of Arabic and Sorani text): it has no case, no
# Latin letters and no apostrophes, and its decomposition stays in the block, so one table
# does what the general path's steps do: the combining marks the decomposition leaves ("أ" is
# "ا" and hamza above) dropped, then the letter variants folded.
_ARABIC_BLOCK_RE = re.compile(r"[\u0600-\u06ff]+")
_ARABIC_ONE_PASS = {**{cp: None for cp in range(0x0600, 0x0700) if unicodedata.combining(chr(cp))},
                    **_ARABIC_FOLD}


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """Fold one token: case, diacritics, apostrophes, script variants."""
    if token.isascii():  # the common case: no diacritics or other scripts to fold
        low = token.lower()
        return low.translate(_APOSTROPHES) if "'" in low or "." in low or "`" in low else low
    if _ARABIC_BLOCK_RE.fullmatch(token):
        return unicodedata.normalize("NFKD", token).translate(_ARABIC_ONE_PASS)
    return fold_any(token)


def fold_any(token: str) -> str:
    """fold_token's steps for a token of any script."""
    s = token.casefold().translate(_LATIN_FOLD).translate(_APOSTROPHES)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.translate(_ARABIC_FOLD)


def strip_article(key: str) -> str:
    """Drop a leading Arabic article from a key, Latin ("al ", "el ") or Arabic ("ال")."""
    if key.startswith(("al ", "el ")):
        return _ARTICLE_RE.sub("", key, count=1)
    if key.startswith("ال"):
        return _ARABIC_ARTICLE_RE.sub("", key, count=1)
    return key


def tokens(text: str) -> list[str]:
    """The word tokens of a name or a text, in order."""
    return TOKEN_RE.findall(text)


def name_key(name: str) -> str:
    """The lookup key of a name: its folded tokens joined by spaces, the article dropped.

    Examples
    --------
    >>> name_key("Al-Sulaymaniyah")
    'sulaymaniyah'
    >>> name_key("Hewlêr")
    'hewler'
    """
    # the zero-width (non-)joiner inside a Persian or Sorani word ("به‌سره") is no word
    # break: recognition drops it from the text (each language's ``drop``), and so does the key
    if "\u200c" in name or "\u200d" in name:
        name = name.replace("\u200c", "").replace("\u200d", "")
    return strip_article(" ".join(fold_token(t) for t in tokens(name)))
