"""Online geocoding, opt-in: the names geo recognises as places but no gazetteer source has,
asked once of a geopy geocoder and kept in the gazetteer's overlay.

Which names: a capitalised name that the article itself calls a place by a feature word next
to it ("the village of Dakishman", "Sazan border crossing", "Domiz refugee camp", "Gali Ali
Beg waterfall"), with every other use of that name in the article, and any mention the
resolver left without a place; never a name the gazetteer already matched.

What is sent: the name with the article's context, ``"Dakishman, Kirkuk, Iraq"``: the country
and the first-level unit of most of the places the article's other names resolved to
(:func:`article_context`). An article with no country is not asked about. Nothing else of the
article leaves the machine.

What is kept: every answer, a point, "none" (the service knows no such place) or "refused"
(it offered only places outside the article's country, by the gazetteer's polygon of that
country), in ``<gazetteer>/overrides/geocoded/answers.jsonl`` under the name's key, country
and unit (see ``geo.gazetteer.overlay``). So each name is asked once per context, and a later
build without a geocoder uses the answers kept, opens no connection and gives the same bytes.
A service error or timeout is not kept: the name stays unresolved, one line says so, and the
next build with a geocoder asks again.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from geo import aggregate
from geo.errors import GazetteerError, GeocoderError
from geo.gazetteer import overlay
from geo.gazetteer.names import name_key
from geo.records import ArticleResult, Mention, Place
from geo.resolve import _sentences, sentence_at
from geo.settings import GeocoderSettings, Settings

if TYPE_CHECKING:
    from pathlib import Path

    from geo._geocoder import Answer, Ask
    from geo.gazetteer.store import Gazetteer

# A feature word after a name, and the kind of place it makes the name: "Dakishman village".
# ("district", "spring" and "pass" are left out: "school district", "Arab Spring".)
KIND_AFTER = {
    "village": "village", "hamlet": "village", "camp": "village", "town": "town",
    "subdistrict": "adm3", "sub-district": "adm3", "nahiya": "adm3",
    "crossing": "physical", "checkpoint": "physical", "waterfall": "physical",
    "waterfalls": "physical", "falls": "physical", "valley": "physical",
    "mountain": "physical", "mountains": "physical", "dam": "physical", "river": "physical",
    "lake": "physical", "gorge": "physical",
}
# A feature word before a name, with "of": "the village of Dakishman", "the town of Bashiqa".
KIND_BEFORE = {"village": "village", "villages": "village", "town": "town", "camp": "village",
               "subdistrict": "adm3", "sub-district": "adm3", "district": "adm2"}
_CUE_WORDS = tuple(sorted({*KIND_AFTER, *KIND_BEFORE}))
# Nouns a feature word may qualify, when it is none: "town hall", "village council".
QUALIFIED = frozenset("hall halls council councils square centre center fair meeting "
                      "meetings hospital school road street".split())
_NEXT_WORD_RE = re.compile(r"[ \t]+([^\W\d_]+)")
# Words between a name and its feature word: "Sazan border crossing", "Domiz refugee camp".
BETWEEN = "refugee|idp|displacement|displaced|border|military"
# Capitalised words that begin no place's name here, though a feature word may follow them.
NOT_NAMES = frozenset(
    "the a an this that these those its their his her our one two another each every same "
    "in at on near from to of for by with and or but as after before since while when during "
    "new old former main nearby local border refugee military army police government "
    "regional federal national north south east west northern southern eastern western "
    "central upper lower greater small big large first second last".split())
_CAP = r"[A-Z\u00c0-\u00d6\u00d8-\u00de\u0130\u015e\u00c7\u011e]"
_WORD = rf"(?:(?:al|el)-)?{_CAP}[^\W\d_]+(?:[-'’][^\W\d_]+)*"
# A name of one to three words right before a feature word (and a word of BETWEEN): the search
# ends where the feature word begins; the fewest words that reach it
_NAME_BEFORE_RE = re.compile(rf"(?<![^\W_])(?P<name>{_WORD}(?: {_WORD}){{0,2}}?)[ \t]+"
                             rf"(?i:(?:{BETWEEN})[ \t]+)?\Z")
# A name of one to three words after "village of" (from where "of" ends)
_NAME_AFTER_RE = re.compile(rf"[ \t]+(?P<name>{_WORD}(?: {_WORD}){{0,2}})(?![^\W_])")
_OF_RE = re.compile(r"[ \t]+of\b")
NAME_REACH = 80  # characters before a feature word that its name may begin within
UNRESOLVED_KIND = "village"  # a name the resolver left unplaced: the gazetteers lack villages
SCORE = 0.6  # the confidence of a geocoded mention: one answer, in the article's country
COUNTRY_TOLERANCE = 0.05  # degrees (about 5 km) outside its polygon a border place may lie
MAX_FAILURES = 3  # consecutive service errors after which a build stops asking
FOUND, NONE, REFUSED = "found", "none", "refused"
# What the map's attribution says of a service's answers (its data's licence asks for it).
ATTRIBUTIONS = {"nominatim": "Geocoded names: Nominatim, © OpenStreetMap contributors (ODbL)"}
Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Name:
    """A place name of an article that the gazetteer did not place: where it is, how it is
    written, its name key and the kind of place its feature word makes it."""

    start: int
    end: int
    text: str
    key: str
    kind: str


@dataclass(frozen=True, slots=True)
class Context:
    """An article's country (ISO code) and first-level unit (a gazetteer id); "" when none."""

    country: str
    admin1: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer kept in the overlay: the name (key, as first written, its kind), the context
    it was asked in, the query sent, the service and what it said (``status``: found, none or
    refused) with the point and address it gave when found."""

    key: str
    country: str
    admin1: str
    name: str
    kind: str
    query: str
    service: str
    status: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""

    @property
    def ident(self) -> tuple[str, str, str]:
        """What an answer is kept under: the name's key in its context."""
        return self.key, self.country, self.admin1

    @property
    def source(self) -> str:
        """The place's ``source`` on the map and in the exports: ``geocoder/nominatim``."""
        return f"geocoder/{self.service}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of a line of the overlay's ``answers.jsonl``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Entry:
        """The entry of a line of ``answers.jsonl``."""
        return cls(**row)


def service_settings(service: str, *, user_agent: str | None, options: Iterable[str] = (),
                     delay: float = 1.0, timeout: float = 10.0) -> GeocoderSettings:
    """The settings of an online geocoder, checked: a user agent is given, the service is one
    geopy knows and each option is a KEY=VALUE it takes.

    Raises
    ------
    GeocoderError
        For a missing user agent, an unknown service or option, or a malformed one.
    """
    if not (user_agent or "").strip():
        msg = (f"--geocoder {service} needs --user-agent: the geocoding services' terms ask "
               "every application to name itself and a contact, e.g. --user-agent "
               "'geo-newsroom (maps@example.org)'")
        raise GeocoderError(msg)
    pairs = []
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            msg = f"--geocoder-option {option!r} is not KEY=VALUE, e.g. domain=localhost:8080"
            raise GeocoderError(msg)
        pairs.append((name.strip(), value))
    if delay < 0 or timeout <= 0:
        msg = f"the delay ({delay}) cannot be negative nor the timeout ({timeout}) zero or less"
        raise GeocoderError(msg)
    settings = GeocoderSettings(service=service, user_agent=str(user_agent).strip(),
                                options=tuple(pairs), delay=delay, timeout=timeout)
    from geo import _geocoder

    _geocoder.options(settings)  # the service and each option, checked before any article
    return settings


def _free(start: int, end: int, taken: Iterable[tuple[int, int]]) -> bool:
    return not any(s < end and start < e for s, e in taken)


def _whole_words(text: str, word: str) -> Iterator[int]:
    """Where ``word`` stands in ``text`` as a whole word (str.find: far faster than a regex
    over the whole text, which would cost a third of extraction)."""
    i = text.find(word)
    while i >= 0:
        end = i + len(word)
        if not (text[i - 1:i].isalnum() or text[end:end + 1].isalnum()):
            yield i
        i = text.find(word, end)


def _lower(text: str) -> str:
    """The text in lower case, letter for letter (a letter whose lower case is longer, as
    "İ", stays as it is), so that offsets into it are offsets into the text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _named(text: str, low: str, end: int, name: str) -> tuple[int, int, str] | None:
    """The name ending at ``end`` without the words of NOT_NAMES it may open with ("In
    Dakishman"); None for a name that ends with one ("Iraqi Army camp"), has a word in
    capitals ("PRIDE camp") or a word the article also writes in lower case ("High school
    camp", "Water valley"; ``low`` is the article in lower case), or a possessive."""
    words = name.split(" ")
    drop = next((i for i, w in enumerate(words) if w.lower() not in NOT_NAMES), None)
    if drop is None or words[-1].lower() in NOT_NAMES \
            or any(w.endswith(("'s", "’s")) for w in words):
        return None
    words = words[drop:]
    if any(w.isupper() or any(text[i:i + len(w)] == low[i:i + len(w)]
                              for i in _whole_words(low, w.lower())) for w in words):
        return None
    name = " ".join(words)
    return end - len(name), end, name


def _cued(text: str) -> Iterable[tuple[int, int, str, str]]:
    """(start, end, name, kind) of each name a feature word calls a place (see _named)."""
    low = _lower(text)
    for word in _CUE_WORDS:
        for start in _whole_words(low, word):
            end = start + len(word)
            if (nxt := _NEXT_WORD_RE.match(low, end)) and nxt[1] in QUALIFIED:
                continue
            before = _NAME_BEFORE_RE.search(text, max(0, start - NAME_REACH), start) \
                if word in KIND_AFTER else None
            of = _OF_RE.match(text, end) if word in KIND_BEFORE else None
            after = _NAME_AFTER_RE.match(text, of.end()) if of else None
            for m, kind in ((before, KIND_AFTER.get(word)), (after, KIND_BEFORE.get(word))):
                if m is not None and kind is not None and (
                        found := _named(text, low, m.end("name"), m["name"])):
                    yield (*found, kind)


def unresolved_names(text: str, mentions: Sequence[Mention]) -> list[Name]:
    """The names of an article the gazetteer did not place, in text order: the mentions left
    without a place, and the names a feature word calls places (see the module's docstring)
    that overlap no mention, with their other uses in the article."""
    out = {(m.start, m.end): Name(m.start, m.end, m.text, name_key(m.text), UNRESOLVED_KIND)
           for m in mentions if m.place is None and m.role == "name"}
    taken = [(m.start, m.end) for m in mentions if (m.start, m.end) not in out]
    kinds: dict[str, str] = {}
    for start, end, name, kind in sorted(_cued(text)):
        if _free(start, end, taken):
            kinds.setdefault(name, kind)
    for name in sorted(kinds, key=len, reverse=True):  # "Gali Ali Beg" before "Ali Beg"
        for start in _whole_words(text, name):
            end = start + len(name)
            if _free(start, end, [*taken, *out]):
                out[(start, end)] = Name(start, end, name, name_key(name), kinds[name])
    return sorted(out.values(), key=lambda n: n.start)


def article_context(mentions: Sequence[Mention], *, min_score: float) -> Context:
    """The country most of an article's places on the map lie in, and its first-level unit
    that most of them lie in or are (ties: the smaller code or id)."""
    places = [m.place for m in mentions
              if m.place is not None and m.place.country and aggregate.on_map(m, min_score=min_score)]
    countries = Counter(p.country for p in places)
    if not countries:
        return Context("", "")
    country = min(countries, key=lambda c: (-countries[c], c))
    units = Counter(p.id if p.kind == "adm1" else p.admin1 for p in places
                    if p.country == country and (p.kind == "adm1" or p.admin1))
    admin1 = min(units, key=lambda u: (-units[u], u)) if units else ""
    return Context(country, admin1)


def query(name: str, context: Context, gaz: Gazetteer) -> str:
    """What is sent for a name in its context: "Dakishman, Kirkuk, Iraq"."""
    unit = gaz.place(context.admin1) if context.admin1 else None
    country = gaz.place(f"iso:{context.country}") if context.country else None
    return ", ".join([name, *(p.name for p in (unit, country) if p is not None)])


def judge(answers: Sequence[Answer], inside: Callable[[float, float], bool]) -> Answer | str:
    """The first answer inside the context (``inside(lat, lon)``), else why there is none:
    NONE (no answer) or REFUSED (answers, all outside)."""
    for answer in answers:
        if inside(answer.lat, answer.lon):
            return answer
    return REFUSED if answers else NONE


def inside_country(gaz: Gazetteer, country: str) -> Callable[[float, float], bool]:
    """Whether a point lies in a country's gazetteer polygon (or within COUNTRY_TOLERANCE of
    it); with no country, anywhere; a country without a polygon refuses every point."""
    if not country:
        return lambda lat, lon: True
    geometry = gaz.shape(f"iso:{country}")
    if geometry is None:
        return lambda lat, lon: False
    import shapely
    from shapely.geometry import shape

    polygon = shape(geometry)
    shapely.prepare(polygon)
    # shapely points are (lon, lat)
    return lambda lat, lon: bool(shapely.dwithin(polygon, shapely.Point(lon, lat),
                                                 COUNTRY_TOLERANCE))


def place_of(entry: Entry) -> Place:
    """The place a found answer gives (its id is its source and point)."""
    assert entry.lat is not None and entry.lon is not None
    return Place(id=f"{entry.source}:{entry.lat:.5f},{entry.lon:.5f}", name=entry.name,
                 kind=entry.kind, country=entry.country, lat=entry.lat, lon=entry.lon,
                 admin1=entry.admin1, source=entry.source)


def apply(result: ArticleResult, names: Sequence[Name], context: Context,
          kept: dict[tuple[str, str, str], Entry]) -> ArticleResult:
    """The article with each of its names that has a found answer placed."""
    text = result.article.text
    placed: dict[tuple[int, int], Mention] = {}
    starts: list[int] | None = None
    for n in names:
        entry = kept.get((n.key, context.country, context.admin1))
        if entry is None or entry.status != FOUND:
            continue
        starts = starts or _sentences(text)
        placed[(n.start, n.end)] = Mention(
            start=n.start, end=n.end, text=n.text, place=place_of(entry), score=SCORE,
            role="name", sentence=sentence_at(text, starts, n.start))
    if not placed:
        return result
    rest = [m for m in result.mentions if (m.start, m.end) not in placed]
    mentions = sorted([*rest, *placed.values()], key=lambda m: (m.start, m.end))
    return replace(result, mentions=tuple(mentions))


def attribution(source: str) -> str:
    """The attribution of a place's ``source`` (``geocoder/nominatim``) on the map."""
    service = source.removeprefix("geocoder/")
    return ATTRIBUTIONS.get(service, f"Geocoded names: {service} (through geopy)")


def _warn(line: str) -> None:
    print(line, file=sys.stderr)


def _keyed(rows: Iterable[Entry]) -> dict[tuple[str, str, str], Entry]:
    return {e.ident: e for e in rows}


def kept_answers(gazetteer_dir: Path) -> dict[tuple[str, str, str], Entry]:
    """The answers kept in the overlay, by name key, country and unit.

    Raises
    ------
    GazetteerError
        If the file holds lines this geo did not write.
    """
    rows = overlay.read_geocoded(gazetteer_dir)
    try:
        return _keyed(Entry.from_dict(row) for row in rows)
    except TypeError as e:
        msg = (f"the geocoded names in {str(overlay.geocoded_path(gazetteer_dir))!r} are not "
               f"in this geo's form ({e}); run 'geo gazetteer remove-geocoded' and build with "
               "--geocoder again")
        raise GazetteerError(msg) from e


def keep(gazetteer_dir: Path, new: Iterable[Entry]) -> dict[tuple[str, str, str], Entry]:
    """Add answers to the overlay (under its lock; one kept before wins); all answers kept."""
    with overlay.lock(gazetteer_dir):
        kept = kept_answers(gazetteer_dir)
        for entry in new:
            kept.setdefault(entry.ident, entry)
        overlay.write_geocoded(gazetteer_dir, [kept[k].as_dict() for k in sorted(kept)])
    return kept


def ask(ask_service: Ask, service: str, name: Name, context: Context, gaz: Gazetteer,
        inside: Callable[[float, float], bool]) -> Entry | str:
    """The entry of one name's answer (``inside``: whether a point lies in its context), or
    the service's error."""
    sent = query(name.text, context, gaz)
    reply = ask_service(sent)
    if reply.error:
        return reply.error
    verdict = judge(reply.answers, inside)
    entry = Entry(key=name.key, country=context.country, admin1=context.admin1, name=name.text,
                  kind=name.kind, query=sent, service=service,
                  status=verdict if isinstance(verdict, str) else FOUND)
    if isinstance(verdict, str):
        return entry
    return replace(entry, lat=verdict.lat, lon=verdict.lon, address=verdict.address)


def ask_all(wanted: Sequence[tuple[Name, Context]], settings: GeocoderSettings,
            gaz: Gazetteer, *, warn: Warn) -> list[Entry]:
    """Ask the service about each name in its context, in order; the answers it gave.

    A service error leaves its name out, with one line to ``warn``; after MAX_FAILURES in a
    row the rest are left for the next build, with one line more.
    """
    from geo import _geocoder

    ask_service = _geocoder.connect(settings)
    out, failures = [], 0
    insides: dict[str, Callable[[float, float], bool]] = {}
    for i, (name, context) in enumerate(wanted):
        if context.country not in insides:
            insides[context.country] = inside_country(gaz, context.country)
        got = ask(ask_service, settings.service, name, context, gaz, insides[context.country])
        if isinstance(got, Entry):
            out.append(got)
            failures = 0
            continue
        warn(f"geo: geocoder {settings.service} could not answer for {name.text!r} ({got}); "
             "it stays unresolved")
        failures += 1
        if failures == MAX_FAILURES and i + 1 < len(wanted):
            warn(f"geo: geocoder {settings.service} failed {failures} times in a row; "
                 f"{len(wanted) - i - 1} more names stay unresolved until the next build")
            break
    return out


def _wanted(found: Sequence[tuple[Sequence[Name], Context]],
            kept: dict[tuple[str, str, str], Entry]) -> list[tuple[Name, Context]]:
    """Each name not asked about yet in its context, once, in the articles' order."""
    out: dict[tuple[str, str, str], tuple[Name, Context]] = {}
    for names, context in found:
        for n in names:
            ident = (n.key, context.country, context.admin1)
            if context.country and ident not in kept:
                out.setdefault(ident, (n, context))
    return list(out.values())


def place_unresolved(results: Sequence[ArticleResult], settings: Settings, *,
                     warn: Warn = _warn) -> tuple[ArticleResult, ...]:
    """The articles with the names the gazetteer did not place placed by the geocoder's
    answers (kept ones; with ``settings.geocoder``, the service is asked about the others
    first).

    Without a geocoder and with no answers kept, nothing is read and nothing changes.
    """
    gdir = settings.gazetteer_dir
    if settings.geocoder is None and not overlay.geocoded_path(gdir).exists():
        return tuple(results)
    kept = kept_answers(gdir)
    found = [(unresolved_names(r.article.text, r.mentions),
              article_context(r.mentions, min_score=settings.min_score)) for r in results]
    wanted = _wanted(found, kept) if settings.geocoder is not None else []
    if wanted:
        from geo.gazetteer.store import load

        assert settings.geocoder is not None
        new = ask_all(wanted, settings.geocoder, load(gdir), warn=warn)
        try:
            kept = keep(gdir, new) if new else kept
        except OSError as e:
            warn(f"geo: cannot keep the geocoder's answers in {str(gdir)!r} ({e}); this build "
                 "uses them, the next one asks again")
            kept = {**_keyed(new), **kept}
    return tuple(apply(r, names, context, kept)
                 for r, (names, context) in zip(results, found, strict=True))


def placed(results: Iterable[ArticleResult]) -> list[tuple[str, int, Place]]:
    """(article id, offset, place) of each mention an online geocoder placed: what the
    outputs hold of the geocoder's answers."""
    return [(r.article.id, m.start, m.place) for r in results for m in r.mentions
            if m.place is not None and m.place.source]


def lookup(name: str, settings: GeocoderSettings, gaz: Gazetteer, *,
           country: str = "") -> Entry | str:
    """One name's answer, kept or asked (and then kept), with ``country`` as its context (a
    result outside it is refused; none: any answer is taken); or the service's error."""
    context = Context(country.upper(), "")
    n = Name(0, len(name), name, name_key(name), UNRESOLVED_KIND)
    entry = kept_answers(gaz.folder).get((n.key, context.country, ""))
    if entry is not None:
        return entry
    from geo import _geocoder

    got = ask(_geocoder.connect(settings), settings.service, n, context, gaz,
              inside_country(gaz, context.country))
    if isinstance(got, Entry):
        keep(gaz.folder, [got])
    return got


def remove(gazetteer_dir: Path, names: Sequence[str] = ()) -> list[Entry]:
    """Drop the kept answers for these names (in every context), or all of them (even from a
    file this geo cannot read); those dropped. The next build places those names no more,
    until asked again."""
    keys = {name_key(n) for n in names}
    with overlay.lock(gazetteer_dir):
        try:
            kept = kept_answers(gazetteer_dir)
        except GazetteerError:
            if keys:
                raise
            kept = {}
        gone = [e for e in kept.values() if not keys or e.key in keys]
        rest = [kept[k].as_dict() for k in sorted(kept) if kept[k] not in gone]
        overlay.write_geocoded(gazetteer_dir, rest)
    return sorted(gone, key=lambda e: e.ident)


def check_country(country: str, gaz: Gazetteer) -> str:
    """An ISO 3166-1 alpha-2 code the gazetteer knows, upper-cased.

    Raises
    ------
    GeocoderError
        For a code the gazetteer has no country of.
    """
    code = country.strip().upper()
    if gaz.place(f"iso:{code}") is None:
        msg = f"unknown country {country!r}; give an ISO 3166-1 alpha-2 code such as IQ"
        raise GeocoderError(msg)
    return code
