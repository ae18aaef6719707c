"""Recognition: an article's text -> candidate place-name spans.

Gazetteer-driven: every run of capitalised tokens (or tokens in Arabic script) is matched,
longest first, against the gazetteer's name keys and the demonym table. Matches inside
organisation names are tagged ``org``; matches that are part of a person's name, everyday words
("Mobile", "Council") and stray abbreviations are dropped; a state's abbreviation after a town
("Rockford, Ill.") is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from geo.gazetteer.names import fold_token, name_key, strip_article
from geo.gazetteer.store import MEMO_SIZE, Gazetteer
from geo.records import Span

MAX_TOKENS = 6
# Lower-case words allowed inside a multi-word name: "Bay of Biscay", "Rio de Janeiro".
CONNECTORS = frozenset("of de del da do dos das la le les el al on upon the and sur am an der "
                       "y e di du van von bin".split())
# Words of a title: a capitalised name right after one is a person ("Gen. Jordan").
TITLES = frozenset(
    "mr mrs ms miss dr gen general maj major col colonel lt capt captain sgt president "
    "minister premier sheikh shaikh mullah imam pope king queen prince princess senator sen "
    "rep gov governor judge rev father brother sister abu ibn bin umm lord lady sir "
    "chancellor commander spokesman spokesperson mayor coach prime deputy secretary chief "
    "ambassador envoy officer director chairman head leader mam kak commissioner investigator "
    "detective sheriff trooper sergeant agent attorney councilman councilwoman councillor "
    "alderman superintendent principal professor prof pastor bishop cardinal ayatollah "
    "cleric reporter correspondent editor manager executive ceo founder chairwoman vice "
    "spokeswoman actor singer author writer player captain lieutenant private corporal "
    "admiral marshal dean coordinator analyst researcher supervisor justice "
    "representative delegate mp".split())
NAME_PARTICLES = frozenset("al bin ibn de van von".split())
# Words that, right after a place name, make it part of an organisation's or event's name.
ORG_WORDS = frozenset(
    "army police government ministry university college school times post news tribune herald "
    "journal gazette daily express tv radio network press media party union council airways "
    "airlines bank fc united company corporation inc ltd club command directorate agency "
    "institute hospital church mosque regional federal assembly parliament court federation "
    "league association committee commission authority forces force guard guards brigade "
    "division battalion regiment corps security intelligence museum foundation fund group "
    "holdings energy oil petroleum gas telecom telecommunications football basketball soccer "
    "symphony orchestra theatre theater festival cup open marathon democrats republicans "
    "democratic republican observatory institution broadcasting channel weekly monthly "
    "review magazine chronicle sentinel star globe mirror standard record courier register "
    "examiner observer bulletin dispatch bar hotel restaurant stadium center centre "
    "international airport citadel bridge gate square tower prison base market mall "
    "department office cooperative chamber store stores units unit operations operation "
    "massacre genocide offensive battle war crisis agreement accord declaration conference "
    "summit protests protest campaign initiative project program programme games service "
    "services fire patrol highway library public coalition house senate representatives "
    "board academy society trust partnership alliance exchange institute labs laboratory "
    "clinic medical health care airport station railroad railway".split()
)
# Function words, months and days: never a place on their own, whatever the gazetteer says.
STOP_WORDS = frozenset(
    "of the a an and or but in on at to for from by with as is it he she we they you i this "
    "that these those there here what when where who why how all any some no not yes new old "
    "january february march april may june july august september october november december "
    "sunday monday tuesday wednesday thursday friday saturday north south east west central "
    "northern southern eastern western northeast northwest southeast southwest centre center "
    "arab arabs jewish jews christian christians muslim muslims islamic hindu sikh buddhist "
    "catholic protestant sunni shia shiite latino hispanic olympic olympics english western "
    "downtown uptown midtown city jan feb mar apr jun jul aug sep sept oct nov dec".split())
LOCATIVES = frozenset("in near from to at outside across into towards toward around via "
                      "throughout inside within between through".split())
CUES_AFTER = {
    "province": "adm", "governorate": "adm", "district": "adm", "county": "adm",
    "state": "adm", "region": "adm", "prefecture": "adm", "municipality": "adm",
    "subdistrict": "adm", "parish": "adm", "oblast": "adm",
    "city": "city", "town": "city", "village": "village", "villages": "village",
    "river": "physical", "mountains": "physical", "mountain": "physical", "lake": "physical",
    "dam": "physical", "valley": "physical", "desert": "physical", "sea": "physical",
}
CUES_BEFORE = {"province": "adm", "governorate": "adm", "district": "adm", "county": "adm",
               "state": "adm", "city": "city", "town": "city", "village": "village",
               "capital": "city", "mount": "physical", "river": "physical", "lake": "physical"}
PROMINENT_KINDS = frozenset({"country", "continent", "region"})
WELL_KNOWN_KINDS = PROMINENT_KINDS | {"adm1"}
TOWN_KINDS = frozenset({"city", "town", "village"})
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
_CONNECTOR_GAP_RE = re.compile(r" [a-z]{1,4}(?: [a-z]{1,4})?[ -]| [a-z]{1,4}-")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NEXT_WORD_RE = re.compile(r"[ \t]{1,2}([^\W\d_]+)")
_DIGITS_AFTER_RE = re.compile(r" ?\d+\b")
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*[-‐–]?[ \t\u00a0]*|\.[ \t\u00a0]*")
_NOT_NAME = ORG_WORDS | TITLES | STOP_WORDS | frozenset(CUES_AFTER)
_ACRONYM_AFTER_RE = re.compile(r"[ \t]?\(([A-Z]{2,6})\)")


class _Memo(NamedTuple):
    """What the recogniser has worked out about single keys with one gazetteer (see
    _first_word and _place_word). The answers depend only on the key and the gazetteer, whose
    names never change once loaded, and most keys come up again in the next article."""

    first_words: dict[str, tuple[bool, str, str]]
    place_words: dict[str, bool]


def _memo(gaz: Gazetteer) -> _Memo:
    """The recogniser's memo tables of a gazetteer (see Gazetteer.memo)."""
    return _Memo(gaz.memo("first_words"), gaz.memo("place_words"))


class _Tokens(NamedTuple):
    """The capitalised words of a text (or words in a script without case), field by field:
    the i-th token is ``starts[i]:ends[i]``, written ``words[i]``, with name key ``keys[i]``.

    Four tuples per text are much cheaper to build than one record per token.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    keys: tuple[str, ...]


def _tokenize(text: str) -> _Tokens:
    """The capitalised tokens of a text (lower-case words are read only as context)."""
    rows = [(m.start(), m.end(), w)
            for m in _CAP_RE.finditer(text) if not (w := m[0])[0].islower()]
    if not rows:
        return _Tokens((), (), (), ())
    starts, ends, words = zip(*rows)
    return _Tokens(starts, ends, words, tuple(map(fold_token, words)))


class _Before(dict[int, tuple[str, bool]]):
    """``before[start]``: the lower-case word before offset ``start`` of a text, and whether it
    puts what follows after "in", "near", "from" ... (or "in the").

    Worked out once per offset and kept: a token is asked about up to three times.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, start: int) -> tuple[str, bool]:
        hit = self[start] = _read_before(self.text[max(0, start - 30):start])
        return hit


def _read_before(head: str) -> tuple[str, bool]:
    """The last word of ``head`` and whether it is "in", "near", "from" ... (or "in the")."""
    words = head.rsplit(None, 2)  # the last two words (and the rest)
    if not words:
        return "", False
    prev = words[-1].strip(_PUNCT).lower()
    if prev == "the":  # "in the Kurdistan Region"
        return prev, len(words) >= 2 and words[-2].strip(_PUNCT).lower() in LOCATIVES
    return prev, prev in LOCATIVES


def _gap_words(text: str, end: int, start: int, left: str) -> list[str] | None:
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
        if all(w in CONNECTORS for w in words):
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


def _runs(gaps: list[list[str] | None]) -> Iterator[tuple[int, int]]:
    """Maximal runs of joined capitalised tokens ("Prime Minister Mustafa al-Kadhimi"), as
    (first, end) token indices, from the gaps between the tokens of a text (see _gap_words)."""
    ends = [i + 1 for i, words in enumerate(gaps)
            if words is None or words and not NAME_PARTICLES.issuperset(words)]
    ends.append(len(gaps) + 1)
    return zip([0, *ends], ends)


def _person_tokens(text: str, toks: _Tokens, gaps: list[list[str] | None], gaz: Gazetteer,
                   before: _Before, memo: _Memo) -> set[str]:
    """Keys of tokens the article uses in people's names ("David Jones", "Gen. Tahsin al-Khafaji").

    Each run of capitalised tokens is cut at organisation, title, cue and function words; a
    piece of two or more names that is not itself a place name is a person's name, and so is a
    single name right after a title. Tokens the article also writes after "in", "near", "from"
    ... are places, whatever else it does with them, unless a run that starts with a given name
    ("John Kelly") shows them to be a person's.
    """
    if not toks.keys:
        return set()
    headlines = _headline_lines(text)
    people: set[str] = set()
    named: set[str] = set()  # from runs that start with a given name: "Mary Walker"
    starts, keys = toks.starts, toks.keys
    for first, end in _runs(gaps):
        lone = end - first == 1
        if lone and not gaz.has_key(keys[first]):
            continue  # a lone word that names no place: nothing to learn
        start = starts[first]
        titled = before[start][0].rstrip(".") in TITLES
        if lone and not titled:
            continue
        # in a Title Case line capitals say nothing; only a given name still marks a person
        headline = text.rfind("\n", 0, start) + 1 in headlines
        for piece in _pieces(keys[first:end], titled):
            if gaz.has_key(strip_article(" ".join(piece))):
                continue
            if _given_name_first(piece, gaz):  # not "US" in "By Henry Lazenby US Editor"
                named.update(k for k in piece if not _prominent(k, gaz))
            elif not headline and not any(_place_word(k, gaz, memo.place_words) for k in piece):
                people.update(piece)
    if people:
        people -= {key for key, start in zip(keys, starts)
                   if key in people and before[start][1]}
    return people | named


def _pieces(keys: Sequence[str], titled: bool) -> Iterator[list[str]]:
    """The pieces of a run of name keys cut at organisation, title, cue and function words that
    may be a person's name: two or more names, or one right after a title."""
    piece: list[str] = []
    after_title = titled
    for key in [*keys, None]:
        key = None if key is None else key.rstrip(".")
        if key is not None and key not in _NOT_NAME:
            piece.append(key)
            continue
        if len(piece) >= 2 or (piece and after_title):
            yield piece
        after_title, piece = key in TITLES, []


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
        # a name's first word, or an article, as in "Al Anbar"
        starts = gaz.may_start(key) or key in ("al", "el")
        stripped = strip_article(key)
        hit = starts, stripped, _role(stripped, gaz)
        if len(memo) < MEMO_SIZE:
            memo[key] = hit
    return hit


def _longest_match(keys: tuple[str, ...], gaps: list[list[str] | None], i: int,
                   gaz: Gazetteer, memo: _Memo) -> tuple[int, str, str] | None:
    """The longest gazetteer name starting at token i: (end index, key, role)."""
    starts, key, role = _first_word(keys[i], gaz, memo.first_words)
    if not starts:
        return None  # nothing starts with this word
    best = (i + 1, key, role) if role else None
    name = keys[i]
    j = i + 1  # the next token to join
    while j < len(keys) and j - i < MAX_TOKENS and (words := gaps[j - 1]) is not None:
        name = " ".join([name, *words, keys[j]])
        j += 1
        key = strip_article(name)
        role = _role(key, gaz)
        if role:
            best = (j, key, role)
    return best


def _cue(text: str, prev: str, end: int) -> str:
    """The feature cue of a name ending at offset ``end`` whose word before is ``prev``."""
    m = _NEXT_WORD_RE.match(text, end)
    after = m.group(1).lower() if m else ""
    return CUES_AFTER.get(after) or CUES_BEFORE.get(prev) or ""


def _is_org(text: str, toks: _Tokens, gaps: list[list[str] | None], i: int, j: int) -> bool:
    """Whether the name of tokens i to j - 1 is part of an organisation's name: "Kurdistan 24",
    "Kirkuk Police", "Patriotic Union of Kurdistan", "University of Mosul"."""
    if _DIGITS_AFTER_RE.match(text, toks.ends[j - 1]):
        return True
    if j < len(toks.keys) and toks.keys[j] in ORG_WORDS and gaps[j - 1] == []:
        return True
    return i > 0 and gaps[i - 1] == ["of"] and toks.keys[i - 1] in ORG_WORDS


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


def _keep(text: str, toks: _Tokens, i: int, key: str, gaz: Gazetteer, people: set[str],
          prev: str, locative: bool) -> bool:
    """Whether a one-token match (token i, name key ``key``) is a place and not a person, an
    abbreviation or a word."""
    word, end, token_key = toks.words[i], toks.ends[i], toks.keys[i]
    if token_key in STOP_WORDS or token_key in TITLES:
        return False
    if len(token_key) == 1:
        return False  # "D" in "(D-S.C.)"
    if len(token_key) == 2 and not (word.isupper() or text[end:end + 1] == "."):
        return False  # "Va" without its period; "US", "U.S.", "Ky." stay
    if locative or gaz.is_demonym(key) or _abbreviated_container(text, toks, i, key, gaz):
        return True
    if token_key in people or prev.rstrip(".") in TITLES:
        return False  # "Jones" after "David Jones"; "Gen. Jordan"
    if word.isupper() and len(word) <= 4:
        return _prominent(key, gaz)  # "NATO" no; "US", "UK" yes
    if gaz.is_common_word(key):  # "Mobile", "Man" (the Isle of) no; "China", "Turkey" yes
        return _prominent(key, gaz, by_name=True)
    return True


def _acronym(text: str, words: Sequence[str], end: int) -> str | None:
    """The key of the initials of the name of ``words`` (ending at ``end``) when they follow it
    in brackets: "New South Wales (NSW)", "Kurdistan Region of Iraq (KRI)"; else None."""
    m = _ACRONYM_AFTER_RE.match(text, end)
    if m is None or m[1] != "".join(w[0] for w in words).upper():
        return None
    return m[1].lower()


def spans(text: str, gaz: Gazetteer) -> Iterator[Span]:
    """Yield the candidate place-name spans of ``text``, left to right."""
    toks = _tokenize(text)
    starts, ends, words, keys = toks
    gaps = [_gap_words(text, end, start, word) for end, start, word in zip(ends, starts[1:], words)]
    before = _Before(text)
    memo = _memo(gaz)
    people = _person_tokens(text, toks, gaps, gaz, before, memo)
    acronyms: dict[str, str] = {}  # "nsw" -> "new south wales", once the article says so
    i = 0
    while i < len(keys):
        if keys[i] in acronyms and words[i].isupper():
            start, end = starts[i], ends[i]
            yield Span(start=start, end=end, text=words[i], key=acronyms[keys[i]], role="name",
                       cue="")
            i += 1
            continue
        hit = _longest_match(keys, gaps, i, gaz, memo)
        if hit is None:
            i += 1
            continue
        j, key, role = hit
        start, end = starts[i], ends[j - 1]
        prev, locative = before[start]
        if j - i > 1 or _keep(text, toks, i, key, gaz, people, prev, locative):
            org = _is_org(text, toks, gaps, i, j)
            if j - i > 1 and not org and role == "name" \
                    and (acronym := _acronym(text, words[i:j], end)) is not None:
                acronyms[acronym] = key
            yield Span(start=start, end=end, text=text[start:end], key=key,
                       role="org" if org else role, cue=_cue(text, prev, end))
        i = j
