"""Resolution: spans + gazetteer + the article's context -> resolved mentions.

Each candidate place of a span is scored by its prominence (population, level, how directly the
name points to it) and by the article's context: the countries the article is about, the
first-level units it names or its other names may lie in (the state a local story's towns
imply), a container written right after the name ("Paris, Texas"), feature
cues ("Diyala province", "the village of ..."), and nearness to the places the other names
resolved to in a first pass (or, for an ambiguous town, nearly did: its close runners-up). One
name keeps one sense per article unless a cue says otherwise.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from geo.gazetteer.names import fold_token, tokens
from geo.gazetteer.store import MEMO_SIZE, Gazetteer
from geo.languages import Language
from geo.records import Mention, Place, Span

MAX_CANDIDATES = 25
MAX_CONTEXT_SPANS = 20_000  # an article with more names is resolved in parts (see resolve)
KIND_PRIOR = {"country": 1.25, "continent": 1.1, "region": 0.95, "adm1": 1.0, "adm2": 0.6,
              "physical": 0.75}
TOWN_KINDS = frozenset({"city", "town", "village"})
UNIT_KINDS = frozenset({"country", "adm1", "adm2", "region"})
UNKNOWN_POPULATION = 1000
POINT_KINDS = frozenset({"city", "town", "village", "adm2", "physical"})
# Weights of the resolution score (see _base_scores and _rank): tuned on LGL and GeoWebNews and
# checked on TR-News and GeoVirus; the runner-up constants were tuned on all four. `geo eval`
# reports what they give.
W_POPULATION = 1.0  # log10(population) / 7 for populated places
W_COUNTRY = 1.0  # share of the other names' country votes
W_UNIT = 0.5  # the first-level unit is named elsewhere in the article
W_CONTAINER = 1.5  # "Paris, Texas"
W_CUE = 0.6  # "Diyala province", "the village of ..."
W_BARE = 1.0  # taken from a second-level unit written without a unit word, as a town's name
W_LIST = 0.6  # "Greece or Portugal", "Ohio, Indiana and Iowa": a unit of its neighbours' kind
W_NEAR = 0.8  # near the other names' places
W_NAMESAKE = 0.3  # a town over the unit of the same name it lies in
W_DATELINE = 1.0  # nearness to the dateline's place, on top of W_NEAR
W_STATE = 4.0  # share of the other names' votes for the first-level unit a place lies in
SHARE_SMOOTHING = 1.0  # votes added to the denominator of a country share
NEAR_KM = 150.0
W_RUNNER_UP = 0.9  # another name's runner-up town counts this much of its pick for nearness,
RUNNER_UP_MARGIN = 0.8  # if it scored within this much of the pick (and less, the further behind)
RUNNERS_UP = 2  # runners-up looked at per name
SEAT_KM = 40.0  # a town this close to a district's centre, and named like it, is its seat
KM_PER_DEGREE = 6371.0 * math.pi / 180
_PER_NEAR_KM = KM_PER_DEGREE / NEAR_KM  # a distance in degrees, scaled for exp(-km / NEAR_KM)
NEAR_CANDIDATES = 8  # candidates further down the list are never close calls
CUE_KINDS = {"adm": frozenset({"adm1", "adm2", "region"}),
             "city": frozenset({"city", "town", "village"}),
             "village": frozenset({"town", "village"}), "physical": frozenset({"physical"})}
_DATELINE_BEFORE_RE = re.compile(r"(?:\A|\n|[.!?]\s)\s*\Z")
_DATELINE_AFTER_RE = re.compile(r"\s*(?:,|\(|—|–|-|:)")
# Where a sentence ends: after ".", "!" or "?" (and closing quotes) and a space, before a capital
# or a digit; at a blank line; at a line break before a capital. The pattern opens with one of
# the four characters a sentence can end with, so the regex engine skips ahead to the next of
# them instead of trying every position.
_SENTENCE_END_RE = re.compile(r"[.!?\n](?:(?<=[.!?])[\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])"
                              r"|(?<=\n)\s*\n|(?<=\n)(?=[A-Z]))")


RANK_BONUS = (0.3, 0.12)  # for the gazetteer's own first and second candidates


def _prior(place: Place) -> float:
    """How prominent a place is, before any context."""
    # GeoNames writes 0 for "not known": such a town is taken to be a small one
    people = place.population or (UNKNOWN_POPULATION if place.kind in TOWN_KINDS else 0)
    populated = W_POPULATION * math.log10(people + 1) / 7.0
    if place.kind == "adm2":  # the population of the places inside orders units only
        return KIND_PRIOR["adm2"] + populated / 10
    return max(populated, KIND_PRIOR.get(place.kind, 0.0))


def _sentences(text: str) -> list[int]:
    """Start offsets of the sentences of ``text``."""
    return [0] + [m.end() for m in _SENTENCE_END_RE.finditer(text)]


def sentence_at(text: str, starts: list[int], offset: int, limit: int = 400) -> str:
    """The sentence containing ``offset``, trimmed to ``limit`` characters around it."""
    k = bisect.bisect_right(starts, offset) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(text)
    sentence = text[starts[k]:end].strip()
    return sentence if len(sentence) <= limit else text[max(0, offset - limit // 2):offset + limit // 2]


class _Context:
    """What the other names of the article say: its countries and its first-level units.

    Every vote is kept per name key, so a name never supports itself ("Georgia" the country
    does not make the article Georgian).
    """

    def __init__(self, spans: Sequence[Span], options: dict[str, Sequence[Place]]) -> None:
        self.votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.units: dict[str, set[str]] = defaultdict(set)  # unit id -> keys that name it
        for span in spans:
            cands = options[span.key]
            if not cands:
                continue
            top = cands[0]
            sure = len(cands) == 1 or top.kind in ("country", "adm1", "region")
            if top.country:
                self.votes[span.key][top.country] += 1.0 if sure else 0.4
            # a name that is surely a state or country ("Oregon") does not name the state of
            # its runner-up, a county in Missouri
            for c in cands[:1] if sure else cands[:3]:
                if c.kind in ("adm1", "adm2", "region"):
                    self.units[c.id].add(span.key)
                    if c.admin1:
                        self.units[c.admin1].add(span.key)
        self.total: dict[str, float] = defaultdict(float)
        for votes in self.votes.values():
            for country, weight in votes.items():
                self.total[country] += weight
        self.all_votes = sum(self.total.values(), 0.0)
        # countries by votes, most first: the top share besides a name's own votes is found
        # in the first few
        self.ranked = sorted(self.total, key=lambda c: (-self.total[c], c))
        self._shares: dict[str, Shares] = {}
        self.states = _States(options)

    def shares(self, key: str) -> Shares:
        """The share of the other names' country votes that goes to each country."""
        shares = self._shares.get(key)
        if shares is None:
            shares = self._shares[key] = Shares(self, key)
        return shares


def _unit_of(place: Place) -> str:
    """The first-level unit a place is or lies in ("iso:US-TX"), a country's own id
    ("iso:MX"), or "" for any other place."""
    if place.kind == "adm1":
        return place.id
    if place.kind == "country":
        return f"iso:{place.country}"
    return place.admin1 if place.kind in TOWN_KINDS or place.kind == "adm2" else ""


def _unit_votes(cands: Sequence[Place]) -> dict[str, float]:
    """One name's vote over the first-level units its candidates are or lie in: the r-th
    candidate (from 0) weighs 1 / (r + 1), a unit takes the weight of its best candidate, and
    one vote is shared out in proportion over all of them (countries and places of no unit
    too); a country also gets the votes of its units."""
    weights: dict[str, tuple[float, str]] = {}
    for r, c in enumerate(cands):
        unit = _unit_of(c)
        if unit not in weights:
            weights[unit] = (1.0 / (r + 1), c.country)
    total = sum(w for w, _ in weights.values())
    votes: dict[str, float] = defaultdict(float)
    for unit, (w, country) in weights.items():
        if unit:
            votes[unit] += w / total
            if country and unit != f"iso:{country}":
                votes[f"iso:{country}"] += w / total
    return votes


class _States:
    """The first-level units (and countries) the article's names may lie in, whether or not
    it names them: the state that an article's small towns share is the one they imply
    ("Alexandria", "Douglas County" and "St. Cloud" together: Minnesota). Votes are kept per
    name key, so a name never supports itself."""

    def __init__(self, options: dict[str, Sequence[Place]]) -> None:
        self.votes: dict[str, dict[str, float]] = defaultdict(dict)
        for key, cands in options.items():
            for unit, vote in _unit_votes(cands).items():
                self.votes[unit][key] = vote
        self.totals = {unit: sum(votes.values()) for unit, votes in self.votes.items()}
        self.voters = {key for votes in self.votes.values() for key in votes}

    def share(self, key: str, unit: str) -> float:
        """The share of the other names' votes that goes to ``unit``."""
        votes = self.votes.get(unit)
        if votes is None:
            return 0.0
        others = len(self.voters) - (key in self.voters)
        return (self.totals[unit] - votes.get(key, 0.0)) / (others + SHARE_SMOOTHING)


def _implied_state_counts(place: Place, top: Place) -> bool:
    """Whether the units the other names imply count for ``place``, a candidate of a name
    whose best-known place is ``top``: not for a town outside the state or country the name
    is best known as ("Louisiana" in a list of states is the state, not a village of that
    name in Missouri, the next state on the list)."""
    if place.kind not in POINT_KINDS or top.kind not in ("adm1", "country"):
        return True
    return place.admin1 == top.id if top.kind == "adm1" else place.country == top.country


class Shares:
    """The country shares of one name's context: each country's votes from the other names,
    over all of their votes. Computed per country asked for, never as a table per name (an
    article of 40,000 names would hold 40,000 tables of every country)."""

    def __init__(self, ctx: _Context, key: str) -> None:
        self._ctx = ctx
        self._own = ctx.votes.get(key, {})
        rest = ctx.all_votes - sum(self._own.values(), 0.0)
        # one vote of evidence more in the denominator: a lone other name is a hint, not a
        # verdict
        self._denominator = rest + SHARE_SMOOTHING

    def get(self, country: str) -> float:
        """The share of ``country`` (0.0 for a country no name votes for)."""
        total = self._ctx.total.get(country)
        if total is None:
            return 0.0
        return (total - self._own.get(country, 0.0)) / self._denominator

    def top(self) -> float:
        """The largest share of any country (0.0 when no name votes)."""
        own = self._own
        best = max((self.get(c) for c in own if c in self._ctx.total), default=0.0)
        for country in self._ctx.ranked:  # the first one not this name's own is the top rest
            if country not in own:
                return max(best, self.get(country))
        return best


def _holds(gap: str, lang: Language) -> bool:
    """Whether the words between two names put the first inside the second: "X, Y", or the
    language's container words, a unit word after them allowed ("بعشيقة في قضاء الموصل",
    "Soran li Parêzgeha Hewlêrê")."""
    if gap in (", ", ","):
        return True
    if not lang.containers or len(gap) > 40:
        return False
    words = [fold_token(t) for t in tokens(gap)]
    return bool(words) and words[0] in lang.containers \
        and all(w in lang.containers or w in lang.cues_before for w in words[1:])


def _container_ids(spans: Sequence[Span], text: str, options: dict[str, Sequence[Place]],
                   lang: Language) -> dict[int, set[str]]:
    """For span i written as "X, Y" (Y a unit or country), the ids Y may stand for; none
    when "X, Y" is a list of two units of one kind (see _a_list)."""
    out: dict[int, set[str]] = {}
    for i in range(len(spans) - 1):
        a, b = spans[i], spans[i + 1]
        if _holds(text[a.end:b.start], lang):
            units = [c for c in options[b.key][:5] if c.kind in ("adm1", "country", "adm2")]
            ids = {c.id for c in units} | {f"iso:{c.country}" for c in units
                                           if c.kind == "country"}
            if ids and not _a_list(options[a.key], units, ids):
                out[i] = ids
    return out


def _a_list(cands: Sequence[Place], units: Sequence[Place], ids: set[str]) -> bool:
    """Whether "X, Y" lists two units of one kind rather than putting X in Y: X, whose
    candidates are ``cands``, is best known as a country or first-level unit, Y (``units``,
    of ``ids``) may be one of the same kind, and no unit X may stand for lies in Y ("China,
    Japan" and "Oklahoma, Pennsylvania" are lists, not a village in Japan and one in
    Pennsylvania; "Georgia, US" and "Delaware, Ohio" put a state and a county in them)."""
    top = cands[0] if cands else None
    if top is None or top.kind not in ("country", "adm1") \
            or not any(u.kind == top.kind for u in units):
        return False
    return not any(c.kind in ("adm1", "adm2", "region")
                   and (c.admin1 in ids or f"iso:{c.country}" in ids) for c in cands)


def _base_scores(cands: Sequence[Place], ctx: _Context, sig: Signature,
                 memo: dict[Any, Any]) -> list[float]:
    """Prominence and context score of each candidate of one span, of signature ``sig``
    (nearness comes later)."""
    key, cue, container, listed = sig
    units, shares = ctx.units, ctx.shares(key)
    cue_kinds = CUE_KINDS.get(cue, frozenset())
    out = []
    # a place of no one country (an ocean, a continent) is as much in the article's main
    # country as anything else is: "Atlantic" in an American article is still the ocean
    anywhere = shares.top()
    towns = _town_names(cands) if cue != "adm" else frozenset()
    for s, p in zip(_prominence(key, cands, bool(cue), memo), cands):
        if p.kind == "adm2" and fold_token(p.name) in towns:
            s -= W_BARE
        s += W_COUNTRY * (shares.get(p.country) if p.country else anywhere)
        # its unit is named by another name; but a unit this very name may stand for does not
        # vouch for the towns inside it: "Montana" next to "Helena, Mont." is the state, not
        # Montana City
        if (namers := units.get(p.admin1)) is not None and (len(namers) > 1 or key not in namers) \
                and not any(c.id == p.admin1 for c in cands):
            s += W_UNIT
        if container and (p.admin1 in container or f"iso:{p.country}" in container):
            s += W_CONTAINER
        if (unit := _unit_of(p)) and _implied_state_counts(p, cands[0]):
            s += W_STATE * ctx.states.share(key, unit)
        if p.kind in cue_kinds:
            s += W_CUE
        if listed and _unit_kind(p) in listed:
            s += W_LIST
        out.append(s)
    return out


def _town_names(cands: Sequence[Place]) -> frozenset[str]:
    """The names of the towns among ``cands`` (folded): a second-level unit of one of these
    names, written without a unit word ("Butte", "Monroe"), is most likely the town."""
    return frozenset(fold_token(c.name) for c in cands if c.kind in TOWN_KINDS)


def _prominence(key: str, cands: Sequence[Place], cued: bool,
                memo: dict[Any, Any]) -> tuple[float, ...]:
    """The context-free part of the score of each candidate of the name ``key``: its prior, a
    bonus for the gazetteer's own first choices and, for a name written without a cue, for a
    namesake seat (remembered in the gazetteer's ``memo``: the same name comes back article
    after article, with the same candidates)."""
    if not cands:
        return ()
    memo_key = (key, cued)
    scores: tuple[float, ...] | None = memo.get(memo_key)
    if scores is None:
        seats = frozenset() if cued else _namesake_seats(cands)
        scores = tuple(_prior(p) + (RANK_BONUS[r] if r < len(RANK_BONUS) else 0.0)
                       + (W_NAMESAKE if p.id in seats else 0.0) for r, p in enumerate(cands))
        if len(memo) < MEMO_SIZE:
            memo[memo_key] = scores
    return scores


def _confidence(best: float, second: float, n: int) -> float:
    if n == 1:
        return min(1.0, 0.55 + best / 4)
    return max(0.05, min(1.0, 0.5 + (best - second)))


def _km(place: Place, lat: float, lon: float) -> float:
    """Approximate distance in km from ``place`` to (lat, lon): equirectangular, plenty for
    "near or not"."""
    scale = math.cos(math.radians(place.lat))
    return KM_PER_DEGREE * math.hypot((lon - place.lon) * scale, lat - place.lat)


# (lat, lon, handicap in degrees): 0 for a pick; a runner-up of weight w counts as if it lay
# -NEAR_KM * ln(w) km further away, which makes its bonus w times a pick's
Point = tuple[float, float, float]


class _Near(NamedTuple):
    """What the other names of an article resolved to, in the forms nearness tests need: their
    countries and first-level units, and their points as a list (an ordinary article) or in a
    grid shared by every name, which leaves out the name's own points (a long list of places)."""

    countries: Container[str]
    units: Container[str]  # their first-level units
    points: list[Point]
    grid: _Grid | None = None
    exclude: str | None = None  # whose points the grid leaves out


def _near(places: Iterable[Place], runner_up_points: Iterable[Point] = ()) -> _Near:
    places = list(places)
    points = [(p.lat, p.lon, 0.0) for p in places]
    points += runner_up_points
    return _Near(frozenset(p.country for p in places), frozenset(p.admin1 for p in places),
                 points)


class _Besides:
    """The values of the other names' picks (their countries, say): a count per value, less
    the one name's own; a test of membership costs the same for one name or 40,000."""

    def __init__(self, counts: dict[str, int], own: str) -> None:
        self._counts, self._own = counts, own

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        return self._counts.get(value, 0) > (1 if value == self._own else 0)


GridPoint = tuple[float, float, float, str]  # lat, lon, handicap, the name it belongs to


class _Grid:
    """Points bucketed by square cells, for the nearest point (by distance plus handicap) that
    is not one name's own. It finds the very distance a scan of every point finds, in the cells
    around the query instead of all of them. Cells halve from GRID_CELL degrees until they hold
    GRID_FILL points on average, so a dense list (40,000 villages) costs no more a query than a
    sparse one."""

    def __init__(self, owned: Sequence[tuple[str, Point]]) -> None:
        size = GRID_CELL
        while True:
            cells = _bucket(owned, size)
            if len(owned) <= GRID_FILL * len(cells) or size <= GRID_CELL_MIN:
                break
            size /= 2
        self.size, self.cells = size, cells
        rows, cols = [i for i, _ in cells], [j for _, j in cells]
        self.bounds = (min(rows, default=0), max(rows, default=0), min(cols, default=0),
                       max(cols, default=0))

    def nearest(self, lat: float, lon: float, scale: float, exclude: str | None) -> float:
        """The least distance in degrees (see _proximities) plus handicap to a point not of
        the name ``exclude``; infinity when there is none."""
        row, col = math.floor(lat / self.size), math.floor(lon / self.size)
        lo_row, hi_row, lo_col, hi_col = self.bounds
        reach = max(row - lo_row, hi_row - row, col - lo_col, hi_col - col, 0)
        best = math.inf
        for ring in range(reach + 1):
            # a point r cells away lies at least r - 1 cells away on one axis
            if best <= (ring - 1) * self.size * scale * GRID_SAFETY:
                break
            if (2 * ring + 1) ** 2 > 4 * len(self.cells):  # sparser than the rings: scan all
                return min(best, _scan(self.cells.values(), lat, lon, scale, exclude))
            best = min(best, _scan(_ring(self.cells, row, col, ring), lat, lon, scale, exclude))
        return best


GRID_CELL = 1.0  # degrees: the largest cell
GRID_CELL_MIN = 1 / 64  # the smallest
GRID_FILL = 4  # points a cell holds on average, at the most (but for the smallest cells)
GRID_SAFETY = 1 - 1e-9  # the ring bound, kept below any rounding of the distances
GRID_POINTS = 256  # from this many points on, nearness looks points up in a grid


def _bucket(owned: Iterable[tuple[str, Point]], size: float) -> dict[tuple[int, int], list[GridPoint]]:
    cells: dict[tuple[int, int], list[GridPoint]] = defaultdict(list)
    for key, (lat, lon, handicap) in owned:
        cells[math.floor(lat / size), math.floor(lon / size)].append((lat, lon, handicap, key))
    return cells


def _scan(cells: Iterable[list[GridPoint]], lat: float, lon: float, scale: float,
          exclude: str | None) -> float:
    """The least distance plus handicap to a point of ``cells`` not of the name ``exclude``."""
    hypot = math.hypot
    best = math.inf
    for cell in cells:
        for o_lat, o_lon, handicap, key in cell:
            if key != exclude:
                d = hypot((o_lon - lon) * scale, o_lat - lat) + handicap
                best = min(best, d)
    return best


def _ring(cells: dict[tuple[int, int], list[GridPoint]], row: int, col: int,
          ring: int) -> Iterator[list[GridPoint]]:
    """The occupied cells exactly ``ring`` cells from (row, col)."""
    if ring == 0:
        if (row, col) in cells:
            yield cells[row, col]
        return
    for i in range(row - ring, row + ring + 1):
        edge = i in (row - ring, row + ring)
        for j in range(col - ring, col + ring + 1) if edge else (col - ring, col + ring):
            if (i, j) in cells:
                yield cells[i, j]


def _proximities(places: Sequence[Place], near: _Near) -> list[float]:
    """Bonus for each candidate near what the article's other names resolved to: by distance
    for point-like places, W_NEAR * exp(-km / NEAR_KM) to the nearest pick (or a runner-up's
    weight times that), by containment for countries and first-level units.

    One loop over the candidates, not a call per candidate: this is the resolver's inner loop.
    """
    hypot, cos, radians, exp, points = math.hypot, math.cos, math.radians, math.exp, near.points
    grid = near.grid
    out = []
    for place in places:
        kind = place.kind
        if kind in POINT_KINDS:
            lat, lon = place.lat, place.lon
            scale = cos(radians(lat))
            if grid is not None:
                degrees = grid.nearest(lat, lon, scale, near.exclude)
            else:
                degrees = min([hypot((o_lon - lon) * scale, o_lat - lat) + handicap
                               for o_lat, o_lon, handicap in points])
            out.append(W_NEAR * exp(-degrees * _PER_NEAR_KM))
        elif kind == "country":
            out.append(W_NEAR if place.country in near.countries else 0.0)
        elif kind == "adm1":
            out.append(W_NEAR if place.id in near.units else 0.0)
        else:
            out.append(0.0)
    return out


Scored = list[tuple[float, Place]]


def _namesake_seats(cands: Sequence[Place]) -> frozenset[str]:
    """Towns named like the unit they lie in ("Kirkuk" in Kirkuk governorate, "Makhmour" in
    Makhmour district): written bare, such a name usually means the town."""
    units = [c for c in cands if c.kind in ("adm1", "adm2")]
    return frozenset(
        c.id for c in cands if c.kind in TOWN_KINDS and any(
            c.admin1 == u.id or (u.kind == "adm2" and u.country == c.country
                                 and _km(c, u.lat, u.lon) < SEAT_KM)
            for u in units))


# a span's key, its cue, the ids of the container written after it and the kinds of unit it
# is listed with (see _listed_kinds)
Signature = tuple[str, str, frozenset[str], frozenset[str]]


def _signatures(spans: Sequence[Span], cues: Sequence[str], containers: dict[int, set[str]],
                listed: dict[int, frozenset[str]]) -> list[Signature]:
    """What a span's scores depend on: its key, its cue (``cues``), the container written
    after it and the kinds of the units it is listed with."""
    return [(s.key, cue, frozenset(containers.get(i, ())), listed.get(i, frozenset()))
            for i, (s, cue) in enumerate(zip(spans, cues))]


def _cues(spans: Sequence[Span], text: str, lang: Language) -> list[str]:
    """Each span's feature cue; a name listed before one cued as a unit shares its cue: the
    unit word after a list is said of all of it ("Barrow, Jackson and Madison counties")."""
    cues = [s.cue for s in spans]
    for i in range(len(spans) - 2, -1, -1):
        if not cues[i] and cues[i + 1] == "adm" and spans[i].key != spans[i + 1].key \
                and _lists(text[spans[i].end:spans[i + 1].start], lang):
            cues[i] = "adm"
    return cues


def _unit_kind(place: Place) -> str:
    """The kind a list of units shares: "country", or "adm1" with its country ("adm1:US");
    "" for a place of any other kind."""
    if place.kind == "country":
        return "country"
    return f"adm1:{place.country}" if place.kind == "adm1" else ""


def _listed_kinds(spans: Sequence[Span], text: str, options: dict[str, Sequence[Place]],
                  containers: dict[int, set[str]], lang: Language) -> dict[int, frozenset[str]]:
    """For span i written in a list beside a name best known as a country or first-level unit
    ("Greece and Portugal", "Ohio, Indiana and Iowa"), the unit kinds of those neighbours: the
    names of one list are mostly of one kind. "X, Y" where Y holds X ("Paris, Texas") is no
    list, and a unit whose seat bears its name ("Erbil", "Kirkuk") says nothing of kind: a
    list of such names is as likely one of cities."""
    out: dict[int, set[str]] = defaultdict(set)
    for i in range(len(spans) - 1):
        a, b = spans[i], spans[i + 1]
        if a.key == b.key or i in containers or not _lists(text[a.end:b.start], lang):
            continue
        for here, there in ((i, b), (i + 1, a)):
            cands = options[there.key]
            if cands and (kind := _unit_kind(cands[0])) and not _namesake_seats(cands):
                out[here].add(kind)
    return {i: frozenset(kinds) for i, kinds in out.items()}


def _lists(gap: str, lang: Language) -> bool:
    """Whether the words between two names go on with a list: a comma, the language's "and"
    or both."""
    if len(gap) > 12:
        return False
    words = [fold_token(t) for t in tokens(gap)]
    return (bool(words) or "," in gap) and all(w in lang.conjunctions for w in words)


def _dateline(text: str, spans: Sequence[Span], picks: dict[str, Place],
              caseless: bool) -> Place | None:
    """The place of the article's dateline ("ERBIL (Kurdistan 24) –", "SALINA, Kan. –",
    "أربيل (كوردستان 24)-"): a name in capitals (in a script without them, any name) opening
    a line, within the first lines of the article."""
    for span in spans:
        if span.start > 600:
            return None
        if (caseless or span.text.isupper()) and len(span.text) > 3 and _DATELINE_BEFORE_RE.search(
                text, 0, span.start) and _DATELINE_AFTER_RE.match(text, span.end):
            return picks.get(span.key)
    return None


def _best_first(scored: tuple[float, Place]) -> tuple[float, str]:
    return -scored[0], scored[1].id  # ties go to the smaller id, so runs are repeatable


def _rank(sigs: Sequence[Signature], options: dict[str, Sequence[Place]],
          base: dict[Signature, list[float]], picks: dict[str, Place] | None,
          home: Place | None = None, runners_up: RunnersUp | None = None) -> list[Scored]:
    """Each span's candidates, best first; with ``picks``, nearness to them (and, for a name
    picked as a town, to the ``runners_up`` of the others) counts too, and nearness to the
    dateline's place ``home`` counts again."""
    memo: dict[Signature, Scored] = {}
    home_near = _near([home] if home is not None else [])
    nears: dict[str | None, _Near] = {}  # by name key; None: for the names with no pick
    # the grids of a long list of names (see _near_besides)
    shared: Shared | None = {} if picks and _grid_wanted(picks, runners_up or {}) else None
    for sig in sigs:
        if sig in memo:
            continue
        cands, scores = options[sig[0]], base[sig]
        if picks and len(cands) > 1 and (len(picks) > 1 or sig[0] not in picks):
            near_key = sig[0] if sig[0] in picks else None
            near = nears.get(near_key)
            if near is None:
                near = nears[near_key] = _near_besides(near_key, picks, runners_up or {},
                                                       shared)
            head = cands[:NEAR_CANDIDATES]  # the rest are never close calls
            scores = [s + b for s, b in zip(scores, _proximities(head, near))] \
                + scores[NEAR_CANDIDATES:]
            if home is not None and home not in cands:
                scores = [s + b * W_DATELINE
                          for s, b in zip(scores, _proximities(head, home_near))] \
                    + scores[NEAR_CANDIDATES:]
        if len(cands) > 1:
            memo[sig] = sorted(zip(scores, cands), key=_best_first)
        else:
            memo[sig] = list(zip(scores, cands))
    return [memo[sig] for sig in sigs]


RunnersUp = dict[str, list[Point]]
Shared = dict[str, tuple[_Grid, Counter[str], Counter[str]]]  # see _shared_near


def _near_besides(key: str | None, picks: dict[str, Place], runners_up: RunnersUp,
                  shared: Shared | None) -> _Near:
    """What nearness is measured against for the name ``key``, picked as a town: the picks of
    the other names and their runners-up. For a name with no such pick (None): every pick.

    With ``shared`` (a long list of names: see _grid_wanted), every name shares one grid, built
    once and kept there, that leaves out its own points, instead of a list of everyone else's:
    the cost stays linear in the number of names.
    """
    if shared is not None:
        return _shared_near(key, picks, runners_up, shared)
    if key is None:
        return _near(picks.values())
    others = [point for k, points in runners_up.items() if k != key for point in points]
    return _near((p for k, p in picks.items() if k != key), others)


def _grid_wanted(picks: dict[str, Place], runners_up: RunnersUp) -> bool:
    """Whether the article has enough points (GRID_POINTS) for nearness to use a grid."""
    return len(picks) + sum(map(len, runners_up.values())) >= GRID_POINTS


def _shared_near(key: str | None, picks: dict[str, Place], runners_up: RunnersUp,
                 shared: Shared) -> _Near:
    """The _Near of ``key`` over the grids in ``shared``, with the countries and units of the
    picks counted: "picks" (every pick, for a name with none) and "all" (picks and runners-up,
    for a name with one, which its own leave out)."""
    which = "picks" if key is None else "all"
    if which not in shared:
        owned = [(k, (p.lat, p.lon, 0.0)) for k, p in picks.items()]
        if which == "all":
            owned += [(k, point) for k, points in runners_up.items() for point in points]
        shared[which] = (_Grid(owned), Counter(p.country for p in picks.values()),
                         Counter(p.admin1 for p in picks.values()))
    grid, countries, units = shared[which]
    if key is None:
        return _Near(countries, units, [], grid)
    own = picks[key]
    return _Near(_Besides(countries, own.country), _Besides(units, own.admin1), [], grid, key)


def _runners_up(spans: Sequence[Span], ranked: list[Scored],
                first: list[Place | None]) -> RunnersUp:
    """For each name whose first-pass pick is point-like, the points of the point-like
    candidates that scored close behind it, weighted below a pick (see Point): the second
    reading of one name may be where the rest of the story lies ("Huntsville" near "Walker
    County": Texas, not Alabama and Georgia)."""
    out: RunnersUp = {}
    for span, scored, pick in zip(spans, ranked, first):
        if span.key in out or pick is None or pick.kind not in POINT_KINDS or len(scored) < 2:
            continue
        top = scored[0][0]
        weighted = [(p, W_RUNNER_UP * (1 - (top - s) / RUNNER_UP_MARGIN))
                    for s, p in scored[:RUNNERS_UP + 1]
                    if p is not pick and p.kind in POINT_KINDS and top - s < RUNNER_UP_MARGIN]
        out[span.key] = [(p.lat, p.lon, -math.log(w) / _PER_NEAR_KM) for p, w in weighted if w > 0]
    return out


def _choose(spans: Sequence[Span], sigs: Sequence[Signature],
            ranked: list[Scored]) -> list[Place | None]:
    """One sense per article: a name takes the sense with the most support over all its
    uses, except where a cue ("Kirkuk province") or a container it lies in ("Columbus, Ga.")
    gives that use its own sense."""
    by_key: dict[str, dict[Signature, Scored]] = defaultdict(dict)
    for span, sig, scored in zip(spans, sigs, ranked):
        if not sig[1]:
            by_key[span.key][sig] = scored
    sense: dict[str, Place] = {}
    for key, variants in by_key.items():
        if len(variants) == 1:  # every use scored alike: the best is the sense
            scored = next(iter(variants.values()))
            if scored:
                sense[key] = scored[0][1]
            continue
        totals: dict[str, float] = defaultdict(float)
        places: dict[str, Place] = {}
        for scored in variants.values():
            for s, p in scored:
                totals[p.id] += s
                places[p.id] = p
        if totals:
            best = min(totals, key=lambda pid: (-totals[pid], pid))
            sense[key] = places[best]
    return [None if not scored else scored[0][1] if sig[1] or _qualified(sig, scored[0][1])
            else sense.get(span.key) for span, sig, scored in zip(spans, sigs, ranked)]


def _qualified(sig: Signature, place: Place) -> bool:
    """Whether a use's own best place lies in the container written after it ("Columbus, Ga."):
    that use keeps it, whatever sense the name's other uses take ("Columbus, Ohio")."""
    container = sig[2]
    return bool(container) and (place.admin1 in container or f"iso:{place.country}" in container
                                or place.id in container)


def _lacks_unit(text: str, span: Span, scored: Scored, ctx: _Context) -> bool:
    """Whether a name written before a unit word ("in Zhari district") names a unit the
    gazetteer lacks: none of its places is a unit or a country, and its best place lies in a
    country no other name of the article is in (a town in Poland). Such a place would be a
    namesake; a town in the article's country is most likely the unit's seat, and stays."""
    if span.cue != "adm" or not text[span.end + 1:span.end + 2].islower():
        return False  # no unit word, or one that is part of a name ("U.S. District Court")
    if any(p.kind in UNIT_KINDS for _, p in scored):
        return False
    return ctx.shares(span.key).get(scored[0][1].country) == 0.0


def _coded(key: str, gaz: Gazetteer) -> tuple[Place, ...]:
    """The unit a code after a town stands for ("Aurora, CO"), whose key is the unit's id
    (see recognize._coded_unit); () for any other key."""
    place = gaz.place(key) if ":" in key else None
    return () if place is None else (place,)


def _options(spans: Sequence[Span], gaz: Gazetteer) -> dict[str, Sequence[Place]]:
    options: dict[str, Sequence[Place]] = {}
    for span in spans:
        if span.key not in options:
            if span.role == "demonym" or gaz.is_demonym(span.key):  # also inside an org name
                target = gaz.demonym(span.key)
                options[span.key] = (target,) if target else ()
            else:
                options[span.key] = gaz.candidates(span.key)[:MAX_CANDIDATES] \
                    or _coded(span.key, gaz)
    return options


def resolve(text: str, spans: Sequence[Span], gaz: Gazetteer, lang: Language) -> list[Mention]:
    """Resolve every span of one article, written in ``lang``; a span with no candidate gets
    ``place=None``.

    Two passes: the first picks by prominence and context; the second adds nearness to the
    first pass's picks of the other names (the places of one story tend to lie together).
    An article of more than MAX_CONTEXT_SPANS names (a gazetteer, an index page) is resolved in
    parts of that many, each its own context: with less context, but in bounded memory.
    """
    starts = _sentences(text)
    mentions: list[Mention] = []
    for at in range(0, len(spans), MAX_CONTEXT_SPANS):
        mentions += _resolve_part(text, spans[at:at + MAX_CONTEXT_SPANS], gaz, lang, starts)
    return mentions



def _resolve_part(text: str, spans: Sequence[Span], gaz: Gazetteer, lang: Language,
                  starts: list[int]) -> list[Mention]:
    """Resolve the spans of one part of an article together (see resolve)."""
    found = decide(text, spans, gaz, lang)
    mentions = []
    for span, scored, place in zip(spans, found.ranked, found.chosen):
        conf = 0.0
        if scored:
            second = scored[1][0] if len(scored) > 1 else 0.0
            conf = _confidence(scored[0][0], second, len(scored))
        mentions.append(Mention(start=span.start, end=span.end, text=span.text, place=place,
                                score=conf, role=span.role,
                                sentence=sentence_at(text, starts, span.start)))
    return mentions


class Decision(NamedTuple):
    """What resolution weighed for the spans of one part of an article: each span's signature,
    its candidates scored best first, each name's candidates and their scores before nearness
    (in the gazetteer's order), the context, and the place chosen (None: none)."""

    spans: Sequence[Span]
    sigs: list[Signature]
    ranked: list[Scored]
    options: dict[str, Sequence[Place]]
    base: dict[Signature, list[float]]
    ctx: _Context
    chosen: list[Place | None]


def decide(text: str, spans: Sequence[Span], gaz: Gazetteer, lang: Language) -> Decision:
    """Score and choose the places of spans resolved together (see resolve)."""
    options = _options(spans, gaz)
    ctx = _Context(spans, options)
    containers = _container_ids(spans, text, options, lang)
    sigs = _signatures(spans, _cues(spans, text, lang), containers,
                       _listed_kinds(spans, text, options, containers, lang))
    prominence = gaz.memo("prominence")
    base = {sig: _base_scores(options[sig[0]], ctx, sig, prominence)
            for sig in dict.fromkeys(sigs)}
    ranked = _rank(sigs, options, base, None)
    first = _choose(spans, sigs, ranked)
    runners_up = _runners_up(spans, ranked, first)
    picks = {s.key: p for s, p in zip(spans, first) if p is not None and p.kind in POINT_KINDS}
    home = _dateline(text, spans, picks, lang.caseless)
    ranked = _rank(sigs, options, base, picks, home, runners_up)
    chosen = [None if place is None or _lacks_unit(text, span, scored, ctx) else place
              for span, scored, place in zip(spans, ranked, _choose(spans, sigs, ranked))]
    return Decision(spans, sigs, ranked, options, base, ctx, chosen)


def reasons(found: Decision, i: int, gaz: Gazetteer) -> list[str]:
    """Why span i of a decision went where it did, in words a user reads (``geo explain``)."""
    span, sig, scored, place = found.spans[i], found.sigs[i], found.ranked[i], found.chosen[i]
    if not scored:
        return ["no place of the gazetteer has this name"]
    if place is None:
        return [("a unit word follows it, but none of its places is a unit and the best one "
                 "lies in a country no other name of the article is in: left unplaced")]
    out = []
    if span.key == place.id:
        out.append(f"read as the ISO 3166-2 code {place.id.removeprefix('iso:')} of the unit "
                   "the town before it lies in")
    if _qualified(sig, place):
        unit = gaz.place(place.admin1 if place.admin1 in sig[2] else f"iso:{place.country}")
        out.append(f"qualified by the unit written after it ({unit.name if unit else place.id})")
    if sig[1]:
        out.append(f"a feature word beside it asks for a place of kind {sig[1]!r}")
    towns = _town_names(scored_places := [p for _, p in scored])
    if not sig[1] and place.kind == "adm2" and fold_token(place.name) in towns:
        out.append("written without a unit word, as a town of its name is: the unit counts less")
    elif not sig[1] and place.kind in TOWN_KINDS and any(
            p.kind == "adm2" and fold_token(p.name) in towns for p in scored_places):
        out.append("written without a unit word: the unit of its name counts less than the town")
    if _unit_kind(place) in sig[3]:
        kind = "countries" if place.kind == "country" else "first-level units of its country"
        out.append(f"listed beside {kind}")
    score = next(s for s, p in scored if p is place)
    if place is not scored[0][1]:
        out.append("one sense per article: the name's other uses point here")
    rival = next(((s, p) for s, p in scored if p is not place), None)
    against = f" against {rival[1].name} ({rival[1].kind}, {rival[1].id}) {rival[0]:.2f}" \
        if rival else " (its only place)"
    out.append(f"score {score:.2f}{against}")
    share = found.ctx.shares(span.key).get(place.country) if place.country else 0.0
    if share > 0:
        out.append(f"{share:.0%} of the other names' votes are for its country {place.country}")
    state_id = _unit_of(place)
    if state_id and state_id != f"iso:{place.country}" \
            and _implied_state_counts(place, found.options[span.key][0]) \
            and (state := found.ctx.states.share(span.key, state_id)) > 0:
        named = gaz.place(state_id)
        out.append(f"{state:.0%} of the other names' votes are for the unit it lies in "
                   f"({named.name if named else state_id})")
    near = score - found.base[sig][found.options[span.key].index(place)]
    if near > 0.05:
        out.append(f"near the article's other places (+{near:.2f})")
    return out
