"""Recognition: an article's text -> candidate place-name spans.

Gazetteer-driven: every run of capitalised tokens (or tokens in Arabic script) is matched,
longest first, against the gazetteer's name keys and the demonym table. Matches inside
organisation names are tagged ``org``; matches that are part of a person's name, everyday words
("Mobile", "Council") and stray abbreviations are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import NamedTuple

from geo.gazetteer.names import fold_token, strip_article
from geo.gazetteer.store import Gazetteer
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
# A token of names.TOKEN_RE that does not start with a lower-case letter or a digit.
_CAP_RE = re.compile(r"(?<![^\W_])(?:(?:[A-Z]\.){2,}|(?![a-z\d_])[^\W\d_]+"
                     r"(?:['’ʼʿ`](?!(?:re|ve|ll|nt|t|s|d|m)\b)[^\W\d_]{2,})*)")
_PUNCT = "\"'“”‘’()[],.;:!?-–—"
_CONNECTOR_GAP_RE = re.compile(r" [a-z]{1,4}(?: [a-z]{1,4})?[ -]| [a-z]{1,4}-")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NEXT_WORD_RE = re.compile(r"[ \t]{1,2}([^\W\d_]+)")
_DIGITS_AFTER_RE = re.compile(r" ?\d+\b")
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*[-‐–]?[ \t\u00a0]*|\.[ \t\u00a0]*")
_NOT_NAME = ORG_WORDS | TITLES | STOP_WORDS | frozenset(CUES_AFTER)


class _Token(NamedTuple):
    """A capitalised word (or one in a script without case)."""

    start: int
    end: int
    text: str
    key: str


def _tokenize(text: str) -> list[_Token]:
    """The capitalised tokens of a text (lower-case words are read only as context)."""
    return [_Token(m.start(), m.end(), w, fold_token(w))
            for m in _CAP_RE.finditer(text) if not (w := m.group())[0].islower()]


def _before(text: str, tok: _Token) -> tuple[str, bool]:
    """The lower-case word before a token, and whether it puts the token after "in", "near",
    "from" ... (or "in the")."""
    words = text[max(0, tok.start - 30):tok.start].split()[-2:]
    prev = words[-1].strip(_PUNCT).lower() if words else ""
    prev2 = words[0].strip(_PUNCT).lower() if len(words) == 2 else ""
    return prev, prev in LOCATIVES or (prev == "the" and prev2 in LOCATIVES)


def _gap_words(text: str, a: _Token, b: _Token) -> list[str] | None:
    """The lower-case words joining two capitalised tokens into one name, or None.

    [] for a plain join ("Tal-Afar", "Tuz Khurmatu", "St. Louis"); the words for a join through
    connectors ("Bay of Biscay", "Mustafa al-Kadhimi"); None when the tokens are apart.
    """
    gap = text[a.end:b.start]
    if gap == " ":
        return []
    if gap.startswith("."):  # only after an abbreviation: "St. Louis", "Gen. Smith", "W.Va."
        ok = len(a.text) <= 3 and _SEPARATOR_RE.fullmatch(gap) is not None
        return [] if ok else None
    if len(gap) <= 3 and _SEPARATOR_RE.fullmatch(gap) and "\n" not in gap:
        return []
    if len(gap) <= 14 and _CONNECTOR_GAP_RE.fullmatch(gap):
        words = gap.replace("-", " ").split()
        if all(w in CONNECTORS for w in words):
            return words
    return None


def _sentence_initial(text: str, start: int) -> bool:
    head = text[max(0, start - 4):start].rstrip(" \t\u00a0")
    return start == 0 or head == "" or head[-1] in ".!?\"“”'‘’:;(\n—–-"


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


def _runs(toks: list[_Token], gaps: list[list[str] | None]) -> Iterator[list[_Token]]:
    """Maximal runs of joined capitalised tokens ("Prime Minister Mustafa al-Kadhimi")."""
    i = 0
    while i < len(toks):
        j = i
        while j < len(gaps) and gaps[j] is not None and NAME_PARTICLES.issuperset(gaps[j] or ()):
            j += 1
        yield toks[i:j + 1]
        i = j + 1


def _person_tokens(text: str, toks: list[_Token], gaps: list[list[str] | None],
                   gaz: Gazetteer) -> set[str]:
    """Keys of tokens the article uses in people's names ("David Jones", "Gen. Tahsin al-Khafaji").

    Each run of capitalised tokens is cut at organisation, title, cue and function words; a
    piece of two or more names that is not itself a place name is a person's name, and so is a
    single name right after a title. Tokens the article also writes after "in", "near", "from"
    ... are places, whatever else it does with them.
    """
    headlines = _headline_lines(text)
    people: set[str] = set()
    for run in _runs(toks, gaps):
        if len(run) == 1 and not gaz.has_key(run[0].key):
            continue  # a lone word that names no place: nothing to learn
        titled = _before(text, run[0])[0].rstrip(".") in TITLES
        if len(run) == 1 and not titled:
            continue
        if text.rfind("\n", 0, run[0].start) + 1 in headlines:
            continue
        piece: list[str] = []
        after_title = titled
        for tok in [*run, None]:
            key = None if tok is None else tok.key.rstrip(".")
            if key is not None and key not in _NOT_NAME:
                piece.append(key)
                continue
            if (len(piece) >= 2 or (piece and after_title)) \
                    and not gaz.has_key(strip_article(" ".join(piece))) \
                    and not any(gaz.is_demonym(k) or _well_known(k, gaz) for k in piece):
                people.update(piece)
            after_title, piece = key in TITLES, []
    return people - {t.key for t in toks if t.key in people and _before(text, t)[1]}


def _longest_match(toks: list[_Token], gaps: list[list[str] | None], i: int,
                   gaz: Gazetteer) -> tuple[int, str, str] | None:
    """The longest gazetteer name starting at token i: (end index, key, role)."""
    if not gaz.may_start(toks[i].key) and toks[i].key not in ("al", "el"):
        return None  # nothing starts with this word (an article may, as in "Al Anbar")
    best = None
    parts = [toks[i].key]
    for j in range(i, min(i + MAX_TOKENS, len(toks))):
        if j > i:
            words = gaps[j - 1]
            if words is None:
                break
            parts += [*words, toks[j].key]
        key = strip_article(" ".join(parts))
        if gaz.is_demonym(key):  # "Canadian" is the adjective, not Canadian County
            best = (j + 1, key, "demonym")
        elif gaz.has_key(key):
            best = (j + 1, key, "name")
    return best


def _cue(text: str, prev: str, last: _Token) -> str:
    m = _NEXT_WORD_RE.match(text, last.end)
    after = m.group(1).lower() if m else ""
    return CUES_AFTER.get(after) or CUES_BEFORE.get(prev) or ""


def _is_org(text: str, toks: list[_Token], gaps: list[list[str] | None], i: int, j: int) -> bool:
    """Whether the name toks[i:j] is part of an organisation's name: "Kurdistan 24",
    "Kirkuk Police", "Patriotic Union of Kurdistan", "University of Mosul"."""
    if _DIGITS_AFTER_RE.match(text, toks[j - 1].end):
        return True
    if j < len(toks) and toks[j].key in ORG_WORDS and gaps[j - 1] == []:
        return True
    return i > 0 and gaps[i - 1] == ["of"] and toks[i - 1].key in ORG_WORDS


def _prominent(key: str, gaz: Gazetteer) -> bool:
    """Whether the best-known place of a key is a country, region or very large city."""
    return any(c.kind in PROMINENT_KINDS or c.kind in TOWN_KINDS and c.population >= 500_000
               for c in gaz.candidates(key)[:3])


def _well_known(key: str, gaz: Gazetteer) -> bool:
    """Whether a key names a country, first-level unit, region or city of a million or more:
    such a name inside a run of capitals is a place, not part of a person's name."""
    top = gaz.candidates(key)[:1]
    return bool(top) and (top[0].kind in WELL_KNOWN_KINDS
                          or top[0].kind in TOWN_KINDS and top[0].population >= 1_000_000)


def _keep(text: str, toks: list[_Token], i: int, j: int, key: str, gaz: Gazetteer,
          people: set[str], prev: str, locative: bool) -> bool:
    """Whether a one-token match is a place and not a person, an abbreviation or a word."""
    if j - i > 1:
        return True
    tok = toks[i]
    if tok.key in STOP_WORDS or tok.key in TITLES:
        return False
    if len(tok.key) <= 2 and not (tok.text.isupper() or text[tok.end:tok.end + 1] == "."):
        return False  # "C", "Va" without its period; "US", "U.S.", "Ky." stay
    if locative or gaz.is_demonym(key):
        return True
    if tok.key in people or prev.rstrip(".") in TITLES:
        return False  # "Jones" after "David Jones"; "Gen. Jordan"
    if tok.text.isupper() and len(tok.text) <= 4 or gaz.is_common_word(key):
        return _prominent(key, gaz)  # "NATO", "Mobile" no; "US", "China", "MOSUL" yes
    return True


def spans(text: str, gaz: Gazetteer) -> Iterator[Span]:
    """Yield the candidate place-name spans of ``text``, left to right."""
    toks = _tokenize(text)
    gaps = [_gap_words(text, a, b) for a, b in pairwise(toks)]
    people = _person_tokens(text, toks, gaps, gaz)
    i = 0
    while i < len(toks):
        hit = _longest_match(toks, gaps, i, gaz)
        if hit is None:
            i += 1
            continue
        j, key, role = hit
        first, last = toks[i], toks[j - 1]
        prev, locative = _before(text, first)
        if _keep(text, toks, i, j, key, gaz, people, prev, locative):
            yield Span(start=first.start, end=last.end, text=text[first.start:last.end], key=key,
                       role="org" if _is_org(text, toks, gaps, i, j) else role,
                       cue=_cue(text, prev, last))
        i = j
