"""Languages: what recognition and resolution need to know about each language, by code.

One folder per language (``geo/languages/<code>/``) holds its tables as authored data files:
``about.toml`` (name, script, whether the script has capitals, the letters and words that tell
it apart, the characters dropped before reading), one word a line in ``*.txt`` files (stop
words, titles, organisation words, locatives, affixes ...) and ``cues.tsv``. The recogniser and
the resolver are the same for every language and look these tables up; adding a language is
adding a folder.
"""

from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.errors import LanguageError
from geo.gazetteer.names import fold_token, tokens

FOLDER = Path(__file__).parent
DETECT_SAMPLE = 2000  # characters of a text that language detection reads
# Arabic presentation forms (ligatures such as "ﻻ"), which NFKC maps to plain letters
_PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


@dataclass(frozen=True, slots=True)
class Language:
    """The tables of one language. Every word is stored as its folded key (see names.py)."""

    code: str
    name: str
    script: str  # "latin" or "arabic"
    caseless: bool  # a script without capitals: every word may start a name
    default: bool  # the language of its script when nothing else tells
    min_stem: int  # letters a name keeps once an affix is cut off
    drop: re.Pattern[str] | None  # characters removed before reading (harakat, tatweel, ...)
    detect_letters: str
    detect_words: frozenset[str]
    connectors: frozenset[str]
    titles: frozenset[str]
    name_particles: frozenset[str]
    org_words: frozenset[str]  # after a name: "Kirkuk Police"
    org_heads: frozenset[str]  # before a name: "شرطة كركوك", "Zanîngeha Dihokê"
    eponym_words: frozenset[str]  # after a name, a thing named after it: "West Nile virus"
    stop_words: frozenset[str]
    locatives: frozenset[str]
    containers: frozenset[str]  # "X في Y", "X li Y": Y holds X
    prefixes: tuple[str, ...]  # proclitics, longest first
    suffixes: tuple[str, ...]  # endings, shortest first
    cues_after: Mapping[str, str]
    cues_before: Mapping[str, str]
    articles: frozenset[str]  # "in the Kurdistan Region": the word before "the" counts
    cldr: str  # the CLDR locale whose country names the gazetteer takes ("" for none)
    home: frozenset[str]  # countries (ISO codes) whose towns its press names most
    org_reach: int  # words before a name an organisation's head may stand
    org_links: frozenset[str]  # "Odeya Bazirganî ya Duhokê": after a capitalised non-place
    not_name: frozenset[str]  # words that end a run of names: see _load
    # after a possessive, a landmark named for a person: "St Peter's Square", "St Mary's Hospital"
    landmarks: frozenset[str] = frozenset()
    # after a number, a unit of measure: "جلولاء 70 كم", "Mexmûr 40 km" is a distance, where
    # "كوردستان 24" is an outlet
    measures: frozenset[str] = frozenset()
    conjunctions: frozenset[str] = frozenset()  # "and": a name after it continues a list
    # after a name, a verb of saying: "Hopkins said" is a person, "of Tyler said" a place
    speech_verbs: frozenset[str] = frozenset()


def _key(word: str) -> str:
    return " ".join(fold_token(t) for t in tokens(word))


def _words(folder: Path, name: str) -> list[str]:
    """The entries of a one-word-a-line table (``#`` starts a comment); [] if absent."""
    path = folder / name
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def _keys(folder: Path, name: str) -> frozenset[str]:
    return frozenset(k for k in map(_key, _words(folder, name)) if k)


def _affixes(folder: Path, name: str, *, longest_first: bool) -> tuple[str, ...]:
    found = {fold_token(w) for w in _words(folder, name)} - {""}
    return tuple(sorted(found, key=lambda a: (-len(a) if longest_first else len(a), a)))


def _cues(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    after: dict[str, str] = {}
    before: dict[str, str] = {}
    for row in _words(folder, "cues.tsv")[1:]:  # header: word, side, cue
        word, side, cue = row.split("\t")
        (after if side == "after" else before)[_key(word)] = cue
    return after, before


def _load(folder: Path) -> Language:
    about = tomllib.loads((folder / "about.toml").read_text("utf-8"))
    after, before = _cues(folder)
    org_words, titles, stop_words = (_keys(folder, f"{t}.txt")
                                     for t in ("org_words", "titles", "stop_words"))
    org_heads = _keys(folder, "org_heads.txt")
    return Language(
        code=folder.name, name=about["name"], script=about["script"],
        caseless=about.get("caseless", False), default=about.get("default", False),
        min_stem=about.get("min_stem", 3),
        drop=re.compile(f"[{re.escape(about['drop'])}]+") if about.get("drop") else None,
        detect_letters=about.get("detect_letters", ""),
        detect_words=frozenset(map(_key, about.get("detect_words", "").split())),
        connectors=_keys(folder, "connectors.txt"), titles=titles,
        name_particles=_keys(folder, "name_particles.txt"),
        org_words=org_words, org_heads=org_heads, stop_words=stop_words,
        eponym_words=_keys(folder, "eponym_words.txt"),
        locatives=_keys(folder, "locatives.txt"),
        containers=_keys(folder, "containers.txt"),
        prefixes=_affixes(folder, "prefixes.txt", longest_first=True),
        suffixes=_affixes(folder, "suffixes.txt", longest_first=False),
        cues_after=after, cues_before=before,
        articles=frozenset(about.get("articles", "").split()), cldr=about.get("cldr", ""),
        home=frozenset(about.get("home", "").split()), org_reach=about.get("org_reach", 1),
        org_links=frozenset(map(_key, about.get("org_links", "").split())),
        not_name=org_words | titles | stop_words | org_heads | frozenset(after),
        landmarks=_keys(folder, "landmarks.txt"), measures=_keys(folder, "measures.txt"),
        conjunctions=frozenset(map(_key, about.get("conjunctions", "").split())),
        speech_verbs=_keys(folder, "speech_verbs.txt"))


@cache
def registry() -> dict[str, Language]:
    """Every language geo has tables for, by code."""
    return {p.name: _load(p) for p in sorted(FOLDER.iterdir()) if (p / "about.toml").is_file()}


def get(code: str) -> Language:
    """The language with this code ("en", "ar", "ckb", "kmr")."""
    found = registry().get(code)
    if found is None:
        msg = f"no language {code!r}; geo knows {', '.join(sorted(registry()))}"
        raise LanguageError(msg)
    return found


def script_of(text: str) -> str:
    """"arabic" when a text has more Arabic-script letters than Latin ones, else "latin"."""
    sample = text[:DETECT_SAMPLE]
    arabic = len(_ARABIC_LETTER.findall(sample))
    return "arabic" if arabic > len(_LATIN_LETTER.findall(sample)) else "latin"


DETECT_EVIDENCE = 2  # different telling words or letters a language needs, but the default
DETECT_SHARE = 0.1  # or the share of the words that are its telling words


def detect(text: str) -> str:
    """The code of the language a text is written in, among those of its script.

    Script first; then, per language of that script, the count of its telling letters (in
    words that do not open with a capital) and of its frequent words in the first
    DETECT_SAMPLE characters; the script's default language when none scores.
    """
    script = script_of(text)
    sample = unicodedata.normalize("NFC", text[:DETECT_SAMPLE])
    found = tokens(sample)
    words = [fold_token(t.lower()) for t in found]
    # letters count in the words of running text, not in names: a list of Kurdish and Turkish
    # village names (Şêxan, Çemçemal) is no Kurmanji text; a script without capitals has no
    # names to tell apart, and every word counts
    running = " ".join(t for t in found if not t[:1].isupper())
    best, best_score = "", 0
    for lang in registry().values():
        if lang.script != script:
            continue
        letters = [running.count(ch) for ch in lang.detect_letters]
        said = [w for w in words if w in lang.detect_words]
        # one telling word alone ("de" of "Saint-Martin-de-Ré" here and there in a list) is no
        # text of the language: to win over the script's default it takes two different ones,
        # or its words making DETECT_SHARE of the words (a short sentence)
        evidence = sum(n > 0 for n in letters) + len(set(said))
        if not lang.default and evidence < DETECT_EVIDENCE \
                and len(said) < DETECT_SHARE * sum(w.isalpha() for w in words):
            continue
        score = sum(letters) + len(said)
        if score > best_score or (score == best_score and lang.default and not best_score):
            best, best_score = lang.code, score
    return best or next(c for c, lang in registry().items() if lang.default)


@dataclass(frozen=True, slots=True)
class Normalised:
    """A text as recognition reads it: one Unicode normal form (NFC), presentation forms
    replaced and the language's dropped characters removed. ``origin[i]`` and ``origin_end[i]``
    are the offsets in the original text of the character cluster that character i of ``text``
    comes from. When the text only lost characters (the usual case of Arabic script: harakat
    and joiners), ``runs`` holds instead, for each run of dropped characters, the count of
    characters of ``text`` before it, the characters dropped up to its end, its end in the
    original and whether it is marks on the character before; all are empty when ``text`` is
    the original."""

    text: str
    origin: tuple[int, ...] = ()
    origin_end: tuple[int, ...] = ()
    runs: tuple[tuple[int, int, int, bool], ...] = ()

    @property
    def moved(self) -> bool:
        """Whether offsets into ``text`` differ from the original's."""
        return bool(self.origin or self.runs)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The offsets in the original text of ``text[start:end]``."""
        if self.runs:
            return self._kept_at(start), self._kept_end(end - 1)
        if not self.origin:
            return start, end
        return self.origin[start], self.origin_end[end - 1]

    def _kept_at(self, i: int) -> int:
        """The offset in the original of character i of ``text`` (see ``runs``)."""
        before = bisect.bisect_right(self.runs, (i, _AFTER_ALL))  # the runs before it
        return i + (self.runs[before - 1][1] if before else 0)

    def _kept_end(self, i: int) -> int:
        """The end in the original of character i of ``text``: past the marks on it."""
        after = bisect.bisect_left(self.runs, (i + 1,))
        if after < len(self.runs) and self.runs[after][0] == i + 1 and self.runs[after][3]:
            return self.runs[after][2]
        return self._kept_at(i) + 1


_AFTER_ALL = 1 << 62  # sorts after any count of dropped characters


def normalise(text: str, lang: Language) -> Normalised:
    """The text recognition reads, with the way back to the original's offsets."""
    drop = lang.drop
    if unicodedata.is_normalized("NFC", text) and not _PRESENTATION_FORMS.search(text):
        if drop is None or not drop.search(text):
            return Normalised(text)  # the common case: nothing to change, no offsets to map
        return _dropped(text, drop)
    out: list[str] = []
    origin: list[int] = []
    origin_end: list[int] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize("NFKC" if _PRESENTATION_FORMS.match(text, start)
                                      else "NFC", text[start:end])
        if drop is not None:
            piece = drop.sub("", piece)
        out.append(piece)
        origin += [start] * len(piece)
        origin_end += [end] * len(piece)
    return Normalised("".join(out), tuple(origin), tuple(origin_end))


def _dropped(text: str, drop: re.Pattern[str]) -> Normalised:
    """``text`` less the characters ``drop`` matches, with its runs (see Normalised)."""
    runs: list[tuple[int, int, int, bool]] = []
    dropped = 0
    for m in drop.finditer(text):
        dropped += m.end() - m.start()
        runs.append((m.end() - dropped, dropped, m.end(), unicodedata.combining(m[0][0]) > 0))
    return Normalised(drop.sub("", text), runs=tuple(runs))


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each character with the combining marks after it."""
    bounds = [i for i, c in enumerate(text) if not unicodedata.combining(c)]
    if not bounds or bounds[0] != 0:
        bounds.insert(0, 0)
    return list(zip(bounds, [*bounds[1:], len(text)]))
