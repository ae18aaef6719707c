"""Resolution: spans + gazetteer + the article's context -> resolved mentions.

Each candidate place of a span is scored by its prominence (population, level, how directly the
name points to it) and by the article's context: the countries the article is about, the
first-level units it names, a container written right after the name ("Paris, Texas"), feature
cues ("Diyala province", "the village of ..."). One name keeps one sense per article unless a cue
says otherwise.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from geo.gazetteer.store import Gazetteer
from geo.records import Mention, Place, Span

MAX_CANDIDATES = 25
KIND_PRIOR = {"country": 1.25, "continent": 1.1, "region": 0.9, "adm1": 0.85, "adm2": 0.55,
              "physical": 0.75}
CUE_KINDS = {"adm": {"adm1", "adm2", "region"}, "city": {"city", "town", "village"},
             "village": {"town", "village"}, "physical": {"physical"}}
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z])")


def _prior(place: Place) -> float:
    populated = math.log10(place.population + 1) / 7.0
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
    """What the whole article says: its countries, first-level units and mentioned places."""

    def __init__(self, spans: Sequence[Span], options: dict[str, list[Place]]) -> None:
        weights: Counter[str] = Counter()
        self.units: set[str] = set()
        for span in spans:
            cands = options[span.key]
            if not cands:
                continue
            top = cands[0]
            sure = len(cands) == 1 or top.kind in ("country", "adm1", "region")
            if top.country:
                weights[top.country] += 1.0 if sure else 0.4
            for c in cands[:3]:
                if c.kind in ("adm1", "country", "adm2", "region"):
                    self.units.add(c.id)
        total = sum(weights.values()) or 1.0
        self.share = {k: v / total for k, v in weights.items()}

    def support(self, place: Place) -> float:
        s = 0.9 * self.share.get(place.country, 0.0)
        if place.admin1 and place.admin1 in self.units:
            s += 0.5
        return s


def _container_ids(spans: Sequence[Span], text: str, options: dict[str, list[Place]]) -> dict[int, set[str]]:
    """For span i written as "X, Y" (Y a unit or country), the ids Y may stand for."""
    out: dict[int, set[str]] = {}
    for i in range(len(spans) - 1):
        a, b = spans[i], spans[i + 1]
        if text[a.end:b.start] in (", ", ","):
            ids = {c.id for c in options[b.key][:5] if c.kind in ("adm1", "country", "adm2")}
            ids |= {f"iso:{c.country}" for c in options[b.key][:5] if c.kind == "country"}
            if ids:
                out[i] = ids
    return out


def _score(place: Place, rank: int, span: Span, ctx: _Context, container: set[str]) -> float:
    s = _prior(place) + (0.3 if rank == 0 else 0.12 if rank == 1 else 0.0)
    s += ctx.support(place)
    if container and (place.admin1 in container or f"iso:{place.country}" in container):
        s += 1.5
    if span.cue and place.kind in CUE_KINDS.get(span.cue, ()):
        s += 0.6
    return s


def _confidence(best: float, second: float, n: int) -> float:
    if n == 1:
        return min(1.0, 0.55 + best / 4)
    return max(0.05, min(1.0, 0.5 + (best - second)))


def resolve(text: str, spans: Sequence[Span], gaz: Gazetteer) -> list[Mention]:
    """Resolve every span of one article; a span with no candidate gets ``place=None``."""
    options: dict[str, list[Place]] = {}
    for span in spans:
        if span.key not in options:
            if span.role == "demonym":
                target = gaz.demonym(span.key)
                options[span.key] = [target] if target else []
            else:
                options[span.key] = gaz.candidates(span.key)[:MAX_CANDIDATES]
    ctx = _Context(spans, options)
    containers = _container_ids(spans, text, options)
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    per_span: list[list[tuple[float, Place]]] = []
    for i, span in enumerate(spans):
        scored = [(_score(p, r, span, ctx, containers.get(i, set())), p)
                  for r, p in enumerate(options[span.key])]
        scored.sort(key=lambda t: (-t[0], t[1].id))
        per_span.append(scored)
        if not span.cue:
            for s, p in scored:
                totals[span.key][p.id] += s
    starts = _sentences(text)
    mentions = []
    for span, scored in zip(spans, per_span):
        place, conf = None, 0.0
        if scored:
            if span.cue or span.key not in totals:
                place = scored[0][1]
            else:  # one sense per article: the sense with the most support over all uses
                best_id = max(totals[span.key].items(), key=lambda kv: (kv[1], kv[0]))[0]
                place = next(p for _, p in scored if p.id == best_id)
            second = scored[1][0] if len(scored) > 1 else 0.0
            conf = _confidence(scored[0][0], second, len(scored))
        mentions.append(Mention(start=span.start, end=span.end, text=span.text, place=place,
                                score=conf, role=span.role,
                                sentence=sentence_at(text, starts, span.start)))
    return mentions
