"""Recognition: an article's text -> candidate place-name spans.

Gazetteer-driven: every run of capitalised tokens (or tokens in a script without capitals) is
matched, longest first, against the gazetteer's name keys and the demonym table, after a
proclitic or an ending of the article's language is cut off where that makes a name ("وأربيل",
"Hewlêrê"). Matches inside organisation names are tagged ``org``; matches that are part of a
person's name (a given name, a name before "said", "Stevens & Wilkinson"), everyday words
("Mobile", "Council") and stray abbreviations are dropped; a state's abbreviation or code, or a
country's alpha-3 code, after a town ("Rockford, Ill.", "Aurora, CO", "Sydney, NSW, AUS") is
kept. The words that say so are the language's tables (geo/languages/); the code is the same
for every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from geo.gazetteer.names import fold_token, name_key, strip_article
from geo.gazetteer.store import MEMO_SIZE, Gazetteer
from geo.languages import Language, normalise
from geo.records import Span

MAX_TOKENS = 6
PROMINENT_KINDS = frozenset({"country", "continent", "region"})
WELL_KNOWN_KINDS = PROMINENT_KINDS | {"adm1"}
TOWN_KINDS = frozenset({"city", "town", "village"})
MAX_TOWN_PLACES = 25  # the places of a town's name looked at for the unit its code names
# In a script without capitals a lone word is a place when it names a country or region; in
# one of the language's home countries, when a word before it says a place follows ("في",
# "قرية") or it names a unit, a feature or a town of CASELESS_MIN_POPULATION or more; elsewhere,
# when it names such a place and a word before says so, or a town of FOREIGN_MIN_POPULATION.
# A spelling authored for the region (gazetteer.is_curated) is enough by itself.
# A name left after a proclitic, of three letters or less ("لجنة" is ل + جنة), needs a country,
# a first-level unit or a town of SHORT_MIN_POPULATION.
NOTABLE_KINDS = WELL_KNOWN_KINDS | {"adm2", "physical"}
CASELESS_MIN_POPULATION = 20_000
FOREIGN_MIN_POPULATION = 1_000_000
SHORT_MIN_POPULATION = 100_000
# A token of names.TOKEN_RE that does not start with an ASCII lower-case letter or a digit, and
# is not glued to a letter or digit before it. The first letter comes first in the pattern and
# the "nothing glued before it" test right after it (a look-behind over that letter and the
# character before), so the regex engine can skip ahead to the next candidate letter instead of
# trying the look-behind at every character of the text. That first letter is matched as a
# character in a plain range (A-Z, or U+00AA and up: no letter lies between) that a look-behind
# then checks is a letter: the range test is much cheaper than the letter test at the many
# characters where it fails.
_CAP_RE = re.compile(r"[A-Z\u00aa-\U0010ffff](?<=[^a-z\W\d_])(?<![^\W_][\s\S])"
                     r"(?:(?<=[A-Z])\.(?:[A-Z]\.)+"  # a dotted abbreviation: "U.S.", "W.Va."
                     r"|[^\W\d_]*(?:['’ʼʿ`](?!(?:re|ve|ll|nt|t|s|d|m)\b)[^\W\d_]{2,})*)")
_PUNCT = "\"'“”‘’()[],.;:!?-–—"
_CONNECTOR_GAP_RE = re.compile(r"[ -][a-z]{1,4}(?:[ -][a-z]{1,4})?[ -]")  # " of ", "-upon-"
_LONG_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NEXT_WORD_RE = re.compile(r"[ \t]{1,2}([^\W\d_]+)")
_DIGITS_AFTER_RE = re.compile(r" \d+\b|\d+(?!\d)")  # "Kirkuk 24", "Kurdistan24ê"
# what follows the number (and its decimals): a per cent sign, or the next one or two words
_MEASURE_AFTER_RE = re.compile(r"(?:[.,٫]\d+)?[ \t\u00a0]?(?:[%٪]|([^\W\d_]+)(?:[ \t]([^\W\d_]+))?)")
# between two names joined by "and": the ending of the first (see _cut) and a space
_AND_GAP_RE = re.compile(r"[^\W\d_]{0,3}[ \t]?")
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*[-‐–]?[ \t\u00a0]*|\.[ \t\u00a0]*")
_DATELINE_RE = re.compile(r"[ \t]*(?:\(|[-–—][ \t])")
_ACRONYM_AFTER_RE = re.compile(r"[ \t]?\(([A-Z]{2,6})\)")
_FIRST_CHARACTER_RE = re.compile(r"\S")
_POSSESSIVE_RE = re.compile(r"['’]s ")
_CODE_RE = re.compile(r"[A-Z]{2,3}")  # an ISO 3166-2 unit code: "CO", "ON", "NSW"
_LIST_GAP_RE = re.compile(r"(?:,|/| ([a-z]+)|, ([a-z]+)) ?")  # ", ", " and ", "/"
_AMPERSANDS = frozenset({" & ", "&"})
_CURRENCY_AFTER_RE = re.compile(r" ?\$")  # "US$ 2 million", "NZ $40": a currency, not a place


class _Memo(NamedTuple):
    """What the recogniser has worked out about single keys with one gazetteer (see
    _first_word and _place_word). The answers depend only on the key and the gazetteer, whose
    names never change once loaded, and most keys come up again in the next article."""

    first_words: dict[str, tuple[bool, str, str]]
    place_words: dict[str, bool]
    cuts: dict[str, tuple[str, int, int, bool]]  # per language: see _analysed


def _memo(gaz: Gazetteer, lang: Language) -> _Memo:
    """The recogniser's memo tables of a gazetteer (see Gazetteer.memo)."""
    return _Memo(gaz.memo("first_words"), gaz.memo("place_words"), gaz.memo(f"cuts:{lang.code}"))


class _Tokens(NamedTuple):
    """The capitalised words of a text (or words in a script without case), field by field:
    the i-th token is ``starts[i]:ends[i]``, written ``words[i]``, with name key ``keys[i]``,
    after a proclitic ``clitics[i]`` (its key) that is not part of it; ``trims[i]`` characters
    at its end may be an ending (see _cut).

    Four tuples per text are much cheaper to build than one record per token.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    keys: tuple[str, ...]
    clitics: tuple[str, ...]
    trims: tuple[int, ...]


def _tokenize(text: str) -> _Tokens:
    """The capitalised tokens of a text (lower-case words are read only as context)."""
    rows = [(m.start(), m.end(), w)
            for m in _CAP_RE.finditer(text) if not (w := m[0])[0].islower()]
    if not rows:
        return _Tokens((), (), (), (), (), ())
    starts, ends, words = zip(*rows)
    none = ("",) * len(words)
    return _Tokens(starts, ends, words, tuple(map(fold_token, words)), none, (0,) * len(words))


class _Before(dict[int, tuple[str, bool]]):
    """``before[start]``: the lower-case word before offset ``start`` of a text, and whether it
    puts what follows after "in", "near", "from" ... (or "in the").

    Worked out once per offset and kept: a token is asked about up to three times.
    """

    def __init__(self, text: str, lang: Language) -> None:
        super().__init__()
        self.text = text
        self.lang = lang

    def __missing__(self, start: int) -> tuple[str, bool]:
        hit = self[start] = _read_before(self.text[max(0, start - 30):start], self.lang)
        return hit


def _word_key(word: str) -> str:
    """A word of context as the language tables hold it."""
    word = word.strip(_PUNCT).lower()
    return word if word.isascii() else fold_token(word)


def _read_before(head: str, lang: Language) -> tuple[str, bool]:
    """The last word of ``head`` and whether it is "in", "near", "from" ... (or "in the")."""
    words = head.rsplit(None, 2)  # the last two words (and the rest)
    if not words:
        return "", False
    prev = _word_key(words[-1])
    if prev in lang.articles:  # "in the Kurdistan Region"
        return prev, len(words) >= 2 and _word_key(words[-2]) in lang.locatives
    return prev, prev in lang.locatives


def _gap_words(text: str, end: int, start: int, left: str, connectors: frozenset[str]
               ) -> list[str] | None:
    """The lower-case words in the gap ``text[end:start]`` between two capitalised tokens (the
    first written ``left``) that join them into one name, or None.

    [] for a plain join ("Tal-Afar", "Tuz Khurmatu", "St. Louis"); the words for a join through
    connectors ("Bay of Biscay", "Mustafa al-Kadhimi"); None when the tokens are apart.
    """
    if start - end > 14 and text[end] != ".":
        return None  # the common case: too far apart, told without copying the gap
    gap = text[end:start]
    if gap == " ":
        return []
    if gap[:1] == ".":  # only after an abbreviation: "St. Louis", "Gen. Smith", "W.Va."
        ok = len(left) <= 3 and _SEPARATOR_RE.fullmatch(gap) is not None
        return [] if ok else None
    if len(gap) <= 3 and _SEPARATOR_RE.fullmatch(gap) and "\n" not in gap:
        return []
    if _CONNECTOR_GAP_RE.fullmatch(gap):
        words = gap.replace("-", " ").split()
        if all(w in connectors for w in words):
            return words
    return None


def _headline_lines(text: str) -> set[int]:
    """Start offsets of short lines written in Title Case, where capitals say nothing."""
    out: set[int] = set()
    start = 0
    for line in text.split("\n"):
        if len(line) <= 150:
            words = _LONG_WORD_RE.findall(line)
            if len(words) >= 4 and sum(not w[0].islower() for w in words) / len(words) > 0.7:
                out.add(start)
        start += len(line) + 1
    return out


def _runs(gaps: list[list[str] | None], particles: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Maximal runs of joined capitalised tokens ("Prime Minister Mustafa al-Kadhimi"), as
    (first, end) token indices, from the gaps between the tokens of a text (see _gap_words)."""
    ends = [i + 1 for i, words in enumerate(gaps)
            if words is None or words and not particles.issuperset(words)]
    ends.append(len(gaps) + 1)
    return zip([0, *ends], ends)


def _person_tokens(text: str, toks: _Tokens, gaps: list[list[str] | None], gaz: Gazetteer,
                   before: _Before, memo: _Memo, lang: Language) -> set[str]:
    """Keys of tokens the article uses in people's names ("David Jones", "Gen. Tahsin al-Khafaji").

    Each run of capitalised tokens is cut at organisation, title, cue and function words; a
    piece of two or more names that is not itself a place name is a person's name, and so is a
    single name right after a title. Tokens the article also writes after "in", "near", "from"
    ... are places, whatever else it does with them, unless a run that starts with a given name
    ("John Kelly") shows them to be a person's.
    """
    if not toks.keys or lang.caseless:  # without capitals, runs of names say nothing
        return set()
    headlines = _headline_lines(text)
    people: set[str] = set()
    named: set[str] = set()  # from runs that start with a given name: "Mary Walker"
    starts, keys = toks.starts, toks.keys
    for first, end in _runs(gaps, lang.name_particles):
        lone = end - first == 1
        if lone and not gaz.has_key(keys[first]):
            continue  # a lone word that names no place: nothing to learn
        start = starts[first]
        titled = before[start][0].rstrip(".") in lang.titles
        if lone and not titled:
            continue
        # in a Title Case line capitals say nothing; only a given name still marks a person
        headline = text.rfind("\n", 0, start) + 1 in headlines
        for piece in _pieces(keys[first:end], titled, lang):
            if gaz.has_key(strip_article(" ".join(piece))):
                continue
            if _given_name_first(piece, gaz):  # not "US" in "By Henry Lazenby US Editor"
                named.update(k for k in piece if not _prominent(k, gaz))
            elif not headline and not any(_place_word(k, gaz, memo.place_words) for k in piece):
                people.update(piece)
    if people:
        people -= {key for key, start in zip(keys, starts)
                   if key in people and before[start][1]}
    return people | named | _speakers(text, toks, gaz, before, lang)


def _speakers(text: str, toks: _Tokens, gaz: Gazetteer, before: _Before, lang: Language
              ) -> set[str]:
    """Keys of the tokens the article writes before a verb of saying, as a person speaking
    (see _speaker): "Robertson said" makes "Robertson bought the theatre" a person too."""
    return {key for key, start, end in zip(toks.keys, toks.starts, toks.ends)
            if text[end + 1:end + 2].islower() and _says(text, end, lang)
            and _speaker(text, end, key, *before[start], lang, gaz)}


def _pieces(keys: Sequence[str], titled: bool, lang: Language) -> Iterator[list[str]]:
    """The pieces of a run of name keys cut at organisation, title, cue and function words that
    may be a person's name: two or more names, or one right after a title."""
    piece: list[str] = []
    after_title = titled
    for key in [*keys, None]:
        key = None if key is None else key.rstrip(".")
        if key is not None and key not in lang.not_name:
            piece.append(key)
            continue
        if len(piece) >= 2 or (piece and after_title):
            yield piece
        after_title, piece = key in lang.titles, []


def _given_name_first(piece: list[str], gaz: Gazetteer) -> bool:
    """Whether a run of two or more names starts with a given name that is not the name of a
    country, region or very large city: "Mary Walker", "Matthew D. Flores", but not "Jordan
    Peterson" (which stays ambiguous)."""
    return len(piece) >= 2 and gaz.is_given_name(piece[0]) and not _prominent(piece[0], gaz)


def _role(key: str, gaz: Gazetteer) -> str:
    """How a name key matches: "demonym" ("Canadian" is the adjective, not Canadian County),
    "name", or "" (not at all)."""
    if gaz.is_demonym(key):
        return "demonym"
    return "name" if gaz.has_key(key) else ""


def _first_word(key: str, gaz: Gazetteer, memo: dict[str, tuple[bool, str, str]]
                ) -> tuple[bool, str, str]:
    """For a token key: whether a name may start with it, and its key without an article and
    that key's role (see _role); remembered in ``memo``."""
    hit = memo.get(key)
    if hit is None:
        stripped = strip_article(key)
        # a name's first word, or an article, as in "Al Anbar"; or the first word with its
        # article, as in "الموصل"
        starts = gaz.may_start(key) or key in ("al", "el") or gaz.may_start(stripped)
        hit = starts, stripped, _role(stripped, gaz)
        if len(memo) < MEMO_SIZE:
            memo[key] = hit
    return hit


def _known_start(key: str, gaz: Gazetteer) -> bool:
    return gaz.may_start(key) or gaz.may_start(strip_article(key))


def _cut(key: str, lang: Language, gaz: Gazetteer) -> tuple[int, int]:
    """How many characters of a proclitic and of an ending to cut off a token's key so that
    the rest starts a name ("وأربيل", "للعراق") or is one ("Hewlêrê", "هەولێردا"): the
    longest proclitic and the shortest ending that do, unless a shorter proclitic leaves a
    place of the language's home countries ("وبيجي" is و + بيجي); (0, 0) when the key is a
    name as it stands ("Mûsilê" is also a name in Italy, but the language's home countries
    win: see _home_cut), or no cut makes one."""
    if key in lang.not_name:
        return 0, 0
    if gaz.has_key(strip_article(key)) or gaz.is_demonym(strip_article(key)):
        return _home_cut(key, lang, gaz)
    for p in ("", *lang.prefixes):
        if not key.startswith(p):
            continue
        rest = key[len(p):]
        if p and _front_leaves_start(rest, lang, gaz):
            home = [len(q) for q in lang.prefixes if len(q) < len(p) and key.startswith(q)
                    and _front_leaves_start(key[len(q):], lang, gaz)
                    and _in_home(strip_article(key[len(q):]), lang, gaz)]
            if home and not _in_home(strip_article(rest), lang, gaz):
                return home[0], 0
            return len(p), 0
        if len(rest) < lang.min_stem or rest in lang.not_name:
            continue
        ends = [len(s) for s in lang.suffixes if rest.endswith(s) and _stem_names(
            strip_article(rest[:len(rest) - len(s)]), lang, gaz)]
        if ends:  # the shortest cut that leaves a place of a home country, else the shortest
            home = [n for n in ends if _in_home(strip_article(rest[:len(rest) - n]), lang, gaz)]
            return len(p), (home or ends)[0]
    return 0, 0


def _front_leaves_start(rest: str, lang: Language, gaz: Gazetteer) -> bool:
    """Whether what is left once a proclitic is cut off starts a name: a name of min_stem
    letters or more, or the first word of a longer one ("وذي" of "وذي قار")."""
    if rest in lang.not_name:
        return False
    if len(rest) >= lang.min_stem:
        return _known_start(rest, gaz)
    return gaz.may_start(rest) and not gaz.has_key(rest) and not gaz.is_demonym(rest)


def _stem_names(stem: str, lang: Language, gaz: Gazetteer) -> bool:
    """Whether what is left once an ending is cut off is a name or a demonym."""
    return len(stem) >= lang.min_stem and stem not in lang.not_name \
        and (gaz.has_key(stem) or gaz.is_demonym(stem))


def _in_home(key: str, lang: Language, gaz: Gazetteer) -> bool:
    top = gaz.candidates(key)[:1]
    return bool(top) and top[0].country in lang.home


def _home_cut(key: str, lang: Language, gaz: Gazetteer) -> tuple[int, int]:
    """For a key that is a name as it stands, when the key's own best place lies outside the
    language's home countries: the shortest ending whose cut leaves a name of a home country,
    else the proclitic whose cut leaves a more populous one ("والكوت" is a village in the
    United States by that name, and و + the city of Kut)."""
    if not lang.home or gaz.is_demonym(key):
        return 0, 0
    if _in_home(key, lang, gaz):
        return 0, _country_ending(key, lang, gaz)
    for s in lang.suffixes:
        stem = key[:len(key) - len(s)]
        if key.endswith(s) and len(stem) >= lang.min_stem and stem not in lang.not_name \
                and _in_home(strip_article(stem), lang, gaz):
            return 0, len(s)
    own = gaz.candidates(strip_article(key))[:1]
    for p in lang.prefixes:
        rest = strip_article(key[len(p):])
        if key.startswith(p) and len(rest) >= lang.min_stem and rest not in lang.not_name \
                and _in_home(rest, lang, gaz) and own \
                and gaz.candidates(rest)[0].population > own[0].population:
            return len(p), 0
    return 0, 0


def _country_ending(key: str, lang: Language, gaz: Gazetteer) -> int:
    """For a key that names only a town or district of the home countries: the shortest
    ending whose cut leaves a country's name ("Çînê" is China with the oblique case ending,
    not the Turkish town of Çine), else 0."""
    if gaz.candidates(key)[0].kind not in TOWN_KINDS | {"adm2"}:
        return 0
    for s in lang.suffixes:
        stem = key[:len(key) - len(s)]
        if key.endswith(s) and len(stem) >= lang.min_stem and stem not in lang.not_name \
                and (top := gaz.candidates(stem)[:1]) and top[0].kind == "country":
            return len(s)
    return 0


def _analysed(text: str, gaz: Gazetteer, lang: Language, memo: _Memo) -> _Tokens:
    """The tokens of a text with their proclitics cut off (start, word and key start after it)
    and the length of the ending each may lose (see _cut). In a script without capitals, where
    every word is a token, the words that can be no part of a name are left out at once: one
    that starts none, ends none once cut and is no later word of one (see _matters). What a
    word as written comes to is worked out once (see _analysis)."""
    if not (lang.prefixes or lang.suffixes or lang.caseless):
        return _tokenize(text)
    rows = []
    seen = memo.cuts
    for m in _CAP_RE.finditer(text):
        word = m[0]
        if word[0].islower():
            continue
        hit = seen.get(word)
        if hit is None:
            hit = _analysis(word, lang, gaz, memo)
            if len(seen) < MEMO_SIZE:
                seen[word] = hit
        key, front, trim, keep = hit
        if front:
            rows.append((m.start() + front, m.end(), word[front:], key[front:], key[:front],
                         trim))
        elif keep:
            rows.append((m.start(), m.end(), word, key, "", trim))
    if not rows:
        return _Tokens((), (), (), (), (), ())
    starts, ends, words, keys, clitics, trims = zip(*rows)
    return _Tokens(starts, ends, words, keys, clitics, trims)


def _analysis(word: str, lang: Language, gaz: Gazetteer, memo: _Memo
              ) -> tuple[str, int, int, bool]:
    """A token as written: its key, the characters of a proclitic and of an ending to cut off
    (see _cut), and whether to keep it when no proclitic is cut."""
    key = fold_token(word)
    front, trim = _cut(key, lang, gaz)
    if front and len(word) != len(key):  # offsets hold only if folding kept the length
        front = trim = 0
    keep = bool(trim) or not lang.caseless or word[0].isupper() \
        or _matters(key, lang, gaz, memo)
    return key, front, trim, keep


def _matters(key: str, lang: Language, gaz: Gazetteer, memo: _Memo) -> bool:
    """Whether a word with this key, as it stands, may start a name, be a later word of one
    or tell that an organisation's name ends there ("Kirkuk Police")."""
    return _first_word(key, gaz, memo.first_words)[0] or gaz.may_follow(key) \
        or key in lang.org_words


Match = tuple[int, str, str, int]  # end token index, key, role, characters of ending left out


def _stem_match(toks: _Tokens, head: str, j: int, gaz: Gazetteer) -> Match | None:
    """The match of ``head`` (the keys before token j, joined) and token j without its ending."""
    trim = toks.trims[j]
    if not trim:
        return None
    key = strip_article(f"{head} {toks.keys[j][:-trim]}" if head else toks.keys[j][:-trim])
    role = _role(key, gaz)
    return (j + 1, key, role, trim) if role else None


def _longest_match(toks: _Tokens, gaps: list[list[str] | None], i: int,
                   gaz: Gazetteer, memo: _Memo, caseless: bool) -> Match | None:
    """The longest gazetteer name starting at token i: (end index, key, role, characters of
    the last token's ending that are not part of the name). In a script without capitals,
    where every word joins the next, the join stops once no longer name starts so."""
    keys = toks.keys
    starts, key, role = _first_word(keys[i], gaz, memo.first_words)
    if not starts:
        return _stem_match(toks, "", i, gaz)  # nothing starts with this word as it stands
    best = _stem_match(toks, "", i, gaz) if toks.trims[i] else None
    if best is None and role:
        best = (i + 1, key, role, 0)
    name = keys[i]
    j = i + 1  # the next token to join
    while j < len(keys) and j - i < MAX_TOKENS and (words := gaps[j - 1]) is not None:
        head = " ".join([name, *words])
        name = f"{head} {keys[j]}"
        j += 1
        key = strip_article(name)
        role = _role(key, gaz)
        if role:
            best = (j, key, role, 0)
        elif toks.trims[j - 1]:
            best = _stem_match(toks, head, j - 1, gaz) or best
        if caseless and not gaz.may_continue(key):
            break
    return best


def _eponym(text: str, end: int, lang: Language) -> bool:
    """Whether the name ending at offset ``end`` names a thing called after the place, such
    as a disease ("West Nile virus", "Lassa fever"), by the word that follows it."""
    m = _NEXT_WORD_RE.match(text, end)
    return m is not None and _word_key(m.group(1)) in lang.eponym_words


def _says(text: str, end: int, lang: Language) -> bool:
    """Whether a verb of saying follows offset ``end`` ("Hopkins said")."""
    m = _NEXT_WORD_RE.match(text, end)
    return m is not None and _word_key(m.group(1)) in lang.speech_verbs


def _speaker(text: str, end: int, key: str, prev: str, locative: bool, lang: Language,
             gaz: Gazetteer) -> bool:
    """Whether the name ending at offset ``end`` is a person speaking, told by the verb of
    saying after it ("Hopkins said"): unless a word before places it ("a resident of Tyler
    said") or the name is a country's, a unit's, a region's or a large city's, whose
    government speaks ("Beijing said")."""
    return _says(text, end, lang) and not (locative or prev in lang.connectors
                                           or _major(key, gaz))


def _feature_cue(key: str, prev: str, lang: Language, gaz: Gazetteer) -> str:
    """"physical" for a name written after an article that a natural feature of the gazetteer
    bears as its own name ("the Nile", not River Nile state; "the Jordan"), else ""."""
    if prev not in lang.articles:
        return ""
    return "physical" if any(c.kind == "physical" and name_key(c.name) == key
                             for c in gaz.candidates(key)[:MAX_TOWN_PLACES]) else ""


def _cue(text: str, prev: str, end: int, lang: Language) -> str:
    """The feature cue of a name ending at offset ``end`` whose word before is ``prev``."""
    m = _NEXT_WORD_RE.match(text, end)
    after = _word_key(m.group(1)) if m else ""
    return lang.cues_after.get(after) or lang.cues_before.get(prev) or ""


def _is_org(text: str, toks: _Tokens, gaps: list[list[str] | None], i: int, j: int,
            prev: str, lang: Language, gaz: Gazetteer) -> bool:
    """Whether the name of tokens i to j - 1 (the word before it ``prev``) is part of an
    organisation's name: "Kurdistan 24", "Kirkuk Police", "Patriotic Union of Kurdistan",
    "University of Mosul", "شرطة كركوك"."""
    if (digits := _DIGITS_AFTER_RE.match(text, toks.ends[j - 1])) is not None \
            and not _measured(text, digits.end(), lang):
        return True
    if j < len(toks.keys) and toks.keys[j] in lang.org_words and gaps[j - 1] == []:
        return True
    if lang.org_heads and not toks.clitics[i] and _org_before(text, toks.starts[i], lang):
        return True
    if prev in lang.org_links and _linked_to_org(text, toks.starts[i], gaz):
        return True
    return i > 0 and gaps[i - 1] == ["of"] and toks.keys[i - 1] in lang.org_words


def _measured(text: str, at: int, lang: Language) -> bool:
    """Whether the number ending at ``at`` measures or counts: a unit or a numeral word of
    the language follows it ("جلولاء 70 كم", "Mexmûr 40 km"), or a per cent sign."""
    m = _MEASURE_AFTER_RE.match(text, at)
    if m is None:
        return False
    if m[1] is None:
        return True  # "%", "٪"
    one = _word_key(m[1])
    return one in lang.measures or f"{one} {_word_key(m[2] or '')}" in lang.measures


def _linked_to_org(text: str, start: int, gaz: Gazetteer) -> bool:
    """Whether the name at ``start`` is linked (by the word before it) to the capitalised
    name of an organisation that is not a place: "Odeya Bazirganî ya Duhokê"."""
    words = text[max(0, start - 40):start].split()
    if len(words) < 2 or not words[-2][:1].isupper() or words[-2][-1] in _PUNCT:
        return False
    return not gaz.may_start(fold_token(words[-2].strip(_PUNCT)))


def _place_word(key: str, gaz: Gazetteer, memo: dict[str, bool]) -> bool:
    """Whether a key is a demonym or names a well-known place (see _well_known); remembered in
    ``memo``."""
    hit = memo.get(key)
    if hit is None:
        hit = gaz.is_demonym(key) or _well_known(key, gaz)
        if len(memo) < MEMO_SIZE:
            memo[key] = hit
    return hit


def _prominent(key: str, gaz: Gazetteer, by_name: bool = False) -> bool:
    """Whether the best-known place of a key is a country, region or very large city; with
    ``by_name``, only one whose own name the key is (not one of its short forms). Remembered in
    the gazetteer's memo: the same everyday words come back article after article."""
    memo = gaz.memo("prominent")
    hit: bool | None = memo.get((key, by_name))
    if hit is None:
        hit = any((c.kind in PROMINENT_KINDS or c.kind in TOWN_KINDS and c.population >= 500_000)
                  and (not by_name or name_key(c.name) == key)
                  for c in gaz.candidates(key)[:3])
        if len(memo) < MEMO_SIZE:
            memo[(key, by_name)] = hit
    return hit


def _ampersand(text: str, toks: _Tokens, i: int) -> bool:
    """Whether token i is joined to a capitalised word next to it by an ampersand."""
    return i + 1 < len(toks.keys) and text[toks.ends[i]:toks.starts[i + 1]] in _AMPERSANDS \
        or i > 0 and text[toks.ends[i - 1]:toks.starts[i]] in _AMPERSANDS


def _major(key: str, gaz: Gazetteer) -> bool:
    """Whether a key names a first-level unit or a prominent place (see _prominent)."""
    return _prominent(key, gaz) or any(c.kind == "adm1" for c in gaz.candidates(key)[:1])


def _listed(text: str, toks: _Tokens, i: int, gaz: Gazetteer, lang: Language) -> bool:
    """Whether token i stands in a list next to another place name, after a comma, a slash or
    the language's "and" ("Barrow, Jackson and Madison counties", "Lakeview and Harrison
    streets")."""
    for other, a in ((i - 1, i - 1), (i + 1, i)):  # the neighbour, and the token before the gap
        if 0 <= other < len(toks.keys) and gaz.has_key(toks.keys[other]):
            m = _LIST_GAP_RE.fullmatch(text, toks.ends[a], toks.starts[a + 1])
            word = m and (m[1] or m[2])
            if m is not None and (not word or word in lang.conjunctions):
                return True
    return False


def _well_known(key: str, gaz: Gazetteer) -> bool:
    """Whether a key names a country, first-level unit, region or city of a million or more:
    such a name inside a run of capitals is a place, not part of a person's name."""
    top = gaz.candidates(key)[:1]
    return bool(top) and (top[0].kind in WELL_KNOWN_KINDS
                          or top[0].kind in TOWN_KINDS and top[0].population >= 1_000_000)


def _abbreviated_container(text: str, toks: _Tokens, i: int, key: str, gaz: Gazetteer) -> bool:
    """Whether token i is a state's or province's abbreviation written after a town: "Rockford,
    Ill.", "Kelowna, B.C.", "ATLANTA, Ga." (with its period, after a name and a comma)."""
    start = toks.starts[i]
    if text[toks.ends[i]:toks.ends[i] + 1] != "." and not toks.words[i].endswith("."):
        return False
    if i == 0 or text[toks.ends[i - 1]:start] != ", " or not toks.words[i - 1][:1].isupper():
        return False
    return any(c.kind == "adm1" for c in gaz.candidates(key)[:1])


def _coded_unit(text: str, toks: _Tokens, i: int, town: Span | None,
                gaz: Gazetteer) -> str | None:
    """The id of the first-level unit that token i, a code of two or three capitals written
    after a town and a comma, stands for: "Aurora, CO" (Colorado), "Kingston, ON", "Sydney,
    NSW". A code is read only so, as the ISO 3166-2 code of a unit one of the town's places lies
    in; anywhere else "CO", "DE" or "ON" is no place. None when it is not such a code."""
    word = toks.words[i]
    if town is None or town.end + 2 != toks.starts[i] or text[town.end] != "," \
            or _CODE_RE.fullmatch(word) is None:
        return None
    for place in gaz.candidates(town.key)[:MAX_TOWN_PLACES]:
        if place.admin1 == f"iso:{place.country}-{word}":
            return place.admin1
    return None


def _coded_country(text: str, toks: _Tokens, i: int, last: Span | None,
                   gaz: Gazetteer) -> str | None:
    """The id of the country that token i, an ISO 3166-1 alpha-3 code written after a place
    and a comma, stands for when one of that place's readings lies in it: "Sydney, NSW, AUS",
    "Perth, AUS". None when it is not such a code."""
    word = toks.words[i]
    if last is None or last.end + 2 != toks.starts[i] or text[last.end] != "," \
            or len(word) != 3 or not word.isupper() \
            or (country := gaz.coded_country(toks.keys[i])) is None:
        return None
    coded = gaz.place(last.key) if ":" in last.key else None  # a unit read from its code
    places = (coded,) if coded is not None else gaz.candidates(last.key)[:MAX_TOWN_PLACES]
    return country.id if any(p.country == country.country for p in places) else None


def _name_tail(text: str, toks: _Tokens, gaps: list[list[str] | None], i: int) -> bool:
    """Whether token i ends a name through one particle and a hyphen ("Zor" in "Deir ez-Zor",
    "Mer" in "Boulogne-sur-Mer") that no match starting before it took in: the end of a name
    the gazetteer lacks, never a place of its own."""
    return i > 0 and text[toks.starts[i] - 1] == "-" and len(gaps[i - 1] or ()) == 1


def _landmark_owner(text: str, toks: _Tokens, j: int, key: str, lang: Language,
                    gaz: Gazetteer) -> bool:
    """Whether the name ending at token j (key ``key``) is the possessive that opens a
    landmark's name ("St Peter's Square", "St Mary's Hospital"): a saint's or a person's name,
    not the small town of Saint Peter. A well-known place keeps its possessive ("Rome's St
    Peter's Square"), and so does a place before its institutions ("Oregon's Guard")."""
    if j >= len(toks.keys) or toks.keys[j] not in lang.landmarks:
        return False
    end = toks.ends[j - 1]
    return toks.starts[j] == end + 3 and _POSSESSIVE_RE.match(text, end) is not None \
        and not _prominent(key, gaz)


def _notable(key: str, gaz: Gazetteer, lang: Language, short: bool, told: bool) -> bool:
    """Whether a key's best-known place is prominent enough to be named by a lone word in a
    script without capitals (see NOTABLE_KINDS); ``short``: a short name after a proclitic;
    ``told``: a locative or a unit word before it says a place follows, which is enough for
    any place of the language's home countries and for notable ones elsewhere."""
    top = gaz.candidates(key)[:1]
    if not top:
        return False
    place = top[0]
    if place.kind in PROMINENT_KINDS or not short and gaz.is_curated(key):
        return True
    if short:
        return place.kind == "adm1" or place.population >= SHORT_MIN_POPULATION
    notable = place.kind in NOTABLE_KINDS or place.population >= CASELESS_MIN_POPULATION
    if place.country in lang.home:
        return told or notable
    return notable if told else place.population >= FOREIGN_MIN_POPULATION


def _org_before(text: str, start: int, lang: Language) -> bool:
    """Whether one of the ``lang.org_reach`` words before offset ``start`` heads an
    organisation's name that the name there ends ("شرطة كركوك", "مديرية زراعة كركوك"): no
    punctuation, stop word or locative between."""
    for word in reversed(text[max(0, start - 20 * lang.org_reach):start].split()[-lang.org_reach:]):
        key = _word_key(word)
        if key in lang.org_heads:
            return word[-1] not in _PUNCT
        if word[-1] in _PUNCT or key in lang.locatives \
                or key in lang.stop_words and key not in lang.cues_before:
            return False
    return False


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the token at ``start`` is the first word of a sentence or line."""
    head = text[max(0, start - 4):start].rstrip(" \t\"“'‘(")
    return not head or head[-1] in ".!?:\n–—-"


def _keep(text: str, toks: _Tokens, i: int, key: str, gaz: Gazetteer, people: set[str],
          prev: str, locative: bool, lang: Language) -> bool:
    """Whether a one-token match (token i, name key ``key``) is a place and not a person, an
    abbreviation or a word; ``prev`` is the word before it, ``locative`` whether that word (or
    a list it continues) says a place follows."""
    word, end, token_key = toks.words[i], toks.ends[i], toks.keys[i]
    if token_key in lang.stop_words or token_key in lang.titles:
        return False
    if lang.caseless:
        told = locative or toks.clitics[i] in lang.locatives or prev in lang.cues_before
        short = bool(toks.clitics[i]) and len(token_key) <= 3
        return prev not in lang.titles and (gaz.is_demonym(key)
                                            or _notable(key, gaz, lang, short, told))
    if token_key in lang.org_words:
        return False  # "the University of Iowa": an organisation's word is no place alone
    if len(token_key) == 1 or _CURRENCY_AFTER_RE.match(text, end):
        return False  # "D" in "(D-S.C.)"; "US" in "US$2 million"
    if len(token_key) == 2 and not (word.isupper() or text[end:end + 1] == "."):
        return False  # "Va" without its period; "US", "U.S.", "Ky." stay
    if token_key in people and (_person_next(text, toks, i, people)
                                or not locative and gaz.is_demonym(key)):
        # a name of the person follows, even after "to": "to Benjamin Netanyahu"; a demonym
        # in a person's name: "Officer Monica French said"
        return False
    if locative or gaz.is_demonym(key) or _abbreviated_container(text, toks, i, key, gaz):
        return True
    if lang.home and _opens_sentence(text, toks.starts[i]):
        # its capital says nothing; a dateline ("Mêrgesor (Rûdaw) –") still says a place
        return _notable(key, gaz, lang, False, _DATELINE_RE.match(text, end) is not None)
    if token_key in people or prev.rstrip(".") in lang.titles:
        return False  # "Jones" after "David Jones"; "Gen. Jordan"
    if gaz.is_given_name(token_key) and not _major(key, gaz) and prev not in lang.connectors \
            and not _cue(text, prev, end, lang) and not _listed(text, toks, i, gaz, lang):
        return False  # "his wife, Caroline,": a given name that names a small place
    if _ampersand(text, toks, i) and not _major(key, gaz):
        return False  # "Stevens & Wilkinson", "Parks & Wildlife": a firm's or a body's name
    if word.isupper() and len(word) <= 4:
        return _prominent(key, gaz)  # "NATO" no; "US", "UK" yes
    if gaz.is_common_word(key):  # "Mobile", "Man" (the Isle of) no; "China", "Turkey" yes
        return _prominent(key, gaz, by_name=True)
    if _word_follows(text, end) and _opens_sentence(text, toks.starts[i]) \
            and (first := _FIRST_CHARACTER_RE.search(text)) is not None \
            and first.start() < toks.starts[i]:  # not the text's first word, a title's place
        # ("Pataskala zoning")
        return not _small_town(key, gaz) or _written_inside(text, word, toks.starts[i])
    return True


def _after_and(text: str, end: int, at: int, clitic: str, lang: Language) -> bool:
    """Whether the word at offset ``at`` (after its proclitic ``clitic``) follows the name
    ending at ``end`` through "and": "ستوكهولم ومالمو", "سنە و مەهاباد". In a script without
    capitals that tells a place follows, as a locative does: the first name had it. (A comma
    does not: a new clause may start after it, "نزیک پردێ، چوار کەس", four people.)"""
    gap = text[end:at]
    m = _AND_GAP_RE.match(gap)
    rest = gap[m.end():] if m else gap
    if not rest:
        return clitic in lang.conjunctions
    return rest.endswith(" ") and _word_key(rest) in lang.conjunctions


def _word_follows(text: str, end: int) -> bool:
    """Whether a lower-case word follows the word ending at ``end``, as in a sentence
    ("Farmers protested"): not in a list, a dateline ("WESTON (AP) –"), a container ("Thruxton,
    Hampshire") or a longer name ("Dulles International Airport")."""
    return text[end:end + 1] == " " and text[end + 1:end + 2].islower()


def _small_town(key: str, gaz: Gazetteer) -> bool:
    """Whether a key's best-known place is a town of fewer than CASELESS_MIN_POPULATION people."""
    top = gaz.candidates(key)[:1]
    return bool(top) and top[0].kind in TOWN_KINDS and top[0].population < CASELESS_MIN_POPULATION


def _written_inside(text: str, word: str, start: int) -> bool:
    """Whether the text writes ``word`` (found at ``start``, opening a sentence) elsewhere too,
    inside a sentence, where its capital says it is a name: "Farmers protested" alone is a
    word, but not in an article that also says "the council of Farmers"."""
    at = text.find(word)
    while at >= 0:
        if at != start and not _opens_sentence(text, at):
            return True
        at = text.find(word, at + 1)
    return False


def _person_next(text: str, toks: _Tokens, i: int, people: set[str]) -> bool:
    """Whether token i is followed, one space apart, by a token of a person's name."""
    return i + 1 < len(toks.keys) and text[toks.ends[i]:toks.starts[i + 1]] == " " \
        and toks.keys[i + 1].rstrip(".") in people


def _acronym(text: str, words: Sequence[str], end: int) -> str | None:
    """The key of the initials of the name of ``words`` (ending at ``end``) when they follow it
    in brackets: "New South Wales (NSW)", "Kurdistan Region of Iraq (KRI)"; else None."""
    m = _ACRONYM_AFTER_RE.match(text, end)
    if m is None or m[1] != "".join(w[0] for w in words).upper():
        return None
    return m[1].lower()


def spans(text: str, gaz: Gazetteer, lang: Language) -> Iterator[Span]:
    """Yield the candidate place-name spans of ``text``, written in ``lang``, left to right;
    their offsets are into ``text`` as given (recognition reads it in one normal form)."""
    norm = normalise(text, lang)
    for span in _spans(norm.text, gaz, lang):
        if norm.moved:
            start, end = norm.span(span.start, span.end)
            span = Span(start=start, end=end, text=text[start:end], key=span.key,
                        role=span.role, cue=span.cue)
        yield span


def _spans(text: str, gaz: Gazetteer, lang: Language) -> Iterator[Span]:
    memo = _memo(gaz, lang)
    toks = _analysed(text, gaz, lang, memo)
    starts, ends, words, keys = toks.starts, toks.ends, toks.words, toks.keys
    gaps = [_gap_words(text, end, start, word, lang.connectors)
            for end, start, word in zip(ends, starts[1:], words)]
    before = _Before(text, lang)
    people = _person_tokens(text, toks, gaps, gaz, before, memo, lang)
    acronyms: dict[str, str] = {}  # "nsw" -> "new south wales", once the article says so
    last: Span | None = None  # the span yielded last
    i = 0
    while i < len(keys):
        if (unit := _coded_unit(text, toks, i, last, gaz)
                or _coded_country(text, toks, i, last, gaz)) is not None:
            # its key is the unit's id (see Span): the code names one place, not a name's
            last = Span(start=starts[i], end=ends[i], text=words[i], key=unit, role="name",
                        cue="")
            yield last
            i += 1
            continue
        if keys[i] in acronyms and words[i].isupper():
            start, end = starts[i], ends[i]
            yield Span(start=start, end=end, text=words[i], key=acronyms[keys[i]], role="name",
                       cue="")
            i += 1
            continue
        hit = _longest_match(toks, gaps, i, gaz, memo, lang.caseless)
        if hit is not None and lang.caseless and keys[i] in lang.stop_words \
                and keys[i] not in lang.cues_before and not gaz.is_curated(hit[1]):
            # without capitals, an everyday word opens no name but a unit word's ("هەرێمی
            # کوردستان") or a spelling authored for the region ("ڕۆژئاوای کوردستان")
            hit = None
        if hit is None:
            i += 1
            continue
        j, key, role, trim = hit
        start, end = starts[i], ends[j - 1] - trim
        prev, locative = before[start - len(toks.clitics[i])]
        locative = locative or lang.caseless and last is not None and last.role == "name" \
            and _after_and(text, last.end, start - len(toks.clitics[i]), toks.clitics[i], lang)
        if (j - i > 1 or not _name_tail(text, toks, gaps, i)
                and _keep(text, toks, i, key, gaz, people, prev, locative, lang)) \
                and not _landmark_owner(text, toks, j, key, lang, gaz) \
                and not _eponym(text, end, lang) \
                and not _speaker(text, end, key, prev, locative, lang, gaz):
            org = _is_org(text, toks, gaps, i, j, prev, lang, gaz)
            if j - i > 1 and not org and role == "name" \
                    and (acronym := _acronym(text, words[i:j], end)) is not None:
                acronyms[acronym] = key
            last = Span(start=start, end=end, text=text[start:end], key=key,
                        role="org" if org else role,
                        cue=_cue(text, prev, end, lang) or _feature_cue(key, prev, lang, gaz))
            yield last
        i = j
