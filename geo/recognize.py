"""Recognition: an article's text -> candidate place-name spans.

Gazetteer-driven: every run of capitalised tokens (or tokens in Arabic script) is matched,
longest first, against the gazetteer's name keys and the demonym table. Spans inside
organisation names, person names and common words are then tagged or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from geo.gazetteer.names import TOKEN_RE, fold_token, strip_article
from geo.gazetteer.store import Gazetteer
from geo.records import Span

MAX_TOKENS = 6
# Lower-case words allowed inside a multi-word name: "Bay of Biscay", "Rio de Janeiro".
CONNECTORS = frozenset("of de del da do dos das la le les el al on upon the and sur am an der "
                       "y e di du van von bin".split())
# Words that start a title: the capitalised name after them is a person ("Gen. Jordan").
TITLES = frozenset("mr mrs ms miss dr gen general maj major col colonel lt capt captain sgt "
                   "president minister premier sheikh shaikh mullah imam pope king queen prince "
                   "princess senator sen rep gov governor judge rev father brother sister saint "
                   "st abu ibn bin umm mam mullah lord lady sir chancellor commander spokesman "
                   "spokesperson mayor coach dear".split())
# Words that, right after a place name, make it part of an organisation's name.
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
    "department office company's cooperative chamber store stores".split()
)
# Capitalised words that are place names somewhere but almost always mean something else.
COMMON_WORDS = frozenset(
    "of the a an and or but in on at to for from by with as is it he she we they you i this "
    "that these those there here what when where who why how all any some no not yes new old "
    "mobile reading nice split hope march may june july august april sunday monday tuesday "
    "wednesday thursday friday saturday january february september october november december "
    "police army government president minister university center centre north south east "
    "west central western eastern northern southern union street road avenue page sale orange "
    "love victory liberty independence commerce temple bath wells sandy mission providence "
    "justice faith grace joy unity harmony friendship paradise eden glory concord enterprise "
    "progress industry opportunity success reform republic federal national state city town "
    "village county province district region island lake river mount mountain valley beach "
    "bay port park hill hills fort camp point springs falls creek canyon island islands "
    "early late best worst good great big little long short high low free fair royal "
    "english french german spanish arabic kurdish said says told according also even just "
    "only more most many much very well then than so if after before during since while "
    "one two three four five six seven eight nine ten hundred thousand million billion "
    "man men woman women people child children family home house office school church "
    "water fire gold silver iron stone rock wood forest green white black red blue brown "
    "media press news sports business health science music art arts life world earth "
    "god allah jesus christ christian muslim islam islamic jewish catholic "
    "today tomorrow yesterday week month year day night morning evening time "
    "photo archive video image editing reporting source sources update updated "
    "sun moon star stars bear lion eagle wolf fox deer buffalo "
    "chief head deputy general secretary director manager officer official officials "
    "attack attacks war peace military security forces force troops soldiers "
    "middle upper lower inner outer greater grand saint san santa".split()
)
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
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*[-‐–]?[ \t\u00a0]*|\.[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    key: str


def _tokenize(text: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group(), fold_token(m.group()))
            for m in TOKEN_RE.finditer(text)]


def _is_capitalised(tok: str) -> bool:
    first = tok[0]
    return first.isupper() or (first.isalpha() and not first.islower() and not first.isupper())


def _joined(text: str, a: _Token, b: _Token) -> bool:
    """Whether two tokens sit close enough to belong to one name ("Tal-Afar", "St. Louis")."""
    gap = text[a.end:b.start]
    return len(gap) <= 3 and _SEPARATOR_RE.fullmatch(gap) is not None and "\n" not in gap


def _longest_match(text: str, toks: list[_Token], i: int,
                   gaz: Gazetteer) -> tuple[int, str, str] | None:
    """The longest gazetteer name starting at token i: (end index, key, role)."""
    best = None
    parts = [toks[i].key]
    if gaz.is_demonym(parts[0]) and not gaz.has_key(strip_article(parts[0])):
        best = (i + 1, parts[0], "demonym")
    for j in range(i, min(i + MAX_TOKENS, len(toks))):
        if j > i:
            if not _joined(text, toks[j - 1], toks[j]):
                break
            parts.append(toks[j].key)
            if not _is_capitalised(toks[j].text) and toks[j].key not in CONNECTORS:
                break
        if not _is_capitalised(toks[j].text):
            continue
        key = strip_article(" ".join(parts))
        if gaz.has_key(key):
            best = (j + 1, key, "name")
        elif gaz.is_demonym(key) and j > i:
            best = (j + 1, key, "demonym")
    return best


def _cue(toks: list[_Token], i: int, j: int) -> str:
    after = toks[j].key if j < len(toks) else ""
    before = toks[i - 1].key if i > 0 else ""
    return CUES_AFTER.get(after) or CUES_BEFORE.get(before) or ""


def _role(text: str, toks: list[_Token], i: int, j: int, role: str) -> str:
    """'org' inside an organisation name, 'person' after a title, else the given role."""
    nxt = toks[j] if j < len(toks) else None
    if nxt is not None and nxt.key in ORG_WORDS and _joined(text, toks[j - 1], nxt) \
            and _is_capitalised(nxt.text):
        return "org"
    if nxt is not None and nxt.text.isdigit() and _joined(text, toks[j - 1], nxt):
        return "org"  # "Kurdistan 24", "France 24"
    prev = toks[i - 1] if i > 0 else None
    if prev is not None and _is_capitalised(prev.text) and _joined(text, prev, toks[i]):
        if prev.key in TITLES:
            return "person"  # "Gen. Jordan", "President Lincoln"
        if j - i == 1 and prev.key not in COMMON_WORDS and prev.key not in CONNECTORS \
                and not _sentence_initial(text, prev.start):
            return "person"  # the end of a longer proper name: "Joanne Stocker-Kelly"
    return role


def _sentence_initial(text: str, start: int) -> bool:
    head = text[max(0, start - 3):start].strip()
    return start == 0 or head == "" or head[-1] in ".!?\"“”'‘’:;(\n"


def _is_common_word(tok: _Token, n_tokens: int) -> bool:
    """A one-word match that is an everyday word ("Of", "Mobile", "Police")."""
    return n_tokens == 1 and tok.key in COMMON_WORDS


def spans(text: str, gaz: Gazetteer) -> Iterator[Span]:
    """Yield the candidate place-name spans of ``text``, left to right."""
    toks = _tokenize(text)
    i = 0
    while i < len(toks):
        tok = toks[i]
        if not _is_capitalised(tok.text) or tok.text.isdigit():
            i += 1
            continue
        hit = _longest_match(text, toks, i, gaz)
        if hit is None:
            i += 1
            continue
        j, key, role = hit
        if _is_common_word(tok, j - i):
            i += 1
            continue
        role = _role(text, toks, i, j, role)
        if role == "person":
            i = j
            continue
        yield Span(start=tok.start, end=toks[j - 1].end, text=text[tok.start:toks[j - 1].end],
                   key=key, role=role, cue=_cue(toks, i, j))
        i = j
