"""Aggregation: resolved mentions across articles -> the distinct places on the map.

Per article, its mentions shown on the map come down to what the map keeps of them (see
:func:`named`); the places are made from those, so a build that keeps them in its cache makes
the same places without the article's mentions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from geo.records import ArticleResult, MappedPlace, Mention, Place

MAP_ROLES = frozenset({"name", "demonym"})


def on_map(mention: Mention, *, min_score: float) -> bool:
    """Whether a mention belongs on the map: placed, a place (not inside an organisation's
    name), and resolved with at least ``min_score``."""
    return mention.place is not None and mention.role in MAP_ROLES and mention.score >= min_score


@dataclass(frozen=True, slots=True)
class Named:
    """What one article gives the map of one place: how often it names the place on the map,
    the spellings it uses (sorted) and the number of the first sentence that names it among
    the article's sentences (see :class:`Mapped`)."""

    place: Place
    mentions: int
    names: tuple[str, ...]
    sentence: int


@dataclass(frozen=True, slots=True)
class Mapped:
    """What one article gives the map: the places it names on the map, in the order of their
    first mention, and the sentences they point at (each once, sorted)."""

    places: tuple[Named, ...]
    sentences: tuple[str, ...]


def named(mentions: Iterable[Mention], *, min_score: float) -> Mapped:
    """What one article's mentions give the map."""
    found: dict[str, Place] = {}
    count: dict[str, int] = defaultdict(int)
    names: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for m in mentions:
        if not on_map(m, min_score=min_score):
            continue
        assert m.place is not None
        pid = m.place.id
        found[pid] = m.place
        count[pid] += 1
        names[pid].add(m.text)
        first.setdefault(pid, m.sentence)
    sentences = tuple(sorted(set(first.values())))
    number = {s: i for i, s in enumerate(sentences)}
    return Mapped(tuple(Named(p, count[pid], tuple(sorted(names[pid])), number[first[pid]])
                        for pid, p in found.items()), sentences)


def places_of(articles: Iterable[tuple[str, Sequence[Named]]]) -> list[MappedPlace]:
    """One MappedPlace per distinct place that ``(article id, named)`` pairs name, most
    mentioned first (ties by id), with the number of the sentence each article names it in
    first (``said``; no ``snippets``)."""
    found: dict[str, Place] = {}
    count: dict[str, int] = defaultdict(int)
    names: dict[str, set[str]] = defaultdict(set)
    said: dict[str, dict[str, int]] = defaultdict(dict)
    for aid, entries in articles:
        for n in entries:
            pid = n.place.id
            found[pid] = n.place
            count[pid] += n.mentions
            names[pid].update(n.names)
            said[pid].setdefault(aid, n.sentence)
    out = [MappedPlace(place=found[pid], mentions=count[pid], articles=tuple(said[pid]),
                       names=tuple(sorted(names[pid])), said=tuple(said[pid].values()))
           for pid in found]
    return sorted(out, key=lambda mp: (-mp.mentions, mp.place.id))


def with_added(places: Sequence[MappedPlace], added: Iterable[tuple[str, Sequence[Named]]], *,
               order: Sequence[str]) -> list[MappedPlace]:
    """:func:`places_of` of some articles, given :func:`places_of` of the others (``places``)
    and the ``added`` ones' ``(article id, named)`` pairs; ``order`` holds the ids of all of
    them in the order :func:`places_of` would take them (each place keeps its articles in
    that order)."""
    position = {aid: i for i, aid in enumerate(order)}
    by_id = {mp.place.id: mp for mp in places}
    for aid, entries in added:
        for n in entries:
            mp = by_id.get(n.place.id)
            if mp is None:
                by_id[n.place.id] = MappedPlace(place=n.place, mentions=n.mentions,
                                                articles=(aid,), names=tuple(sorted(set(n.names))),
                                                said=(n.sentence,))
                continue
            at = bisect_left([position[a] for a in mp.articles], position[aid])
            by_id[n.place.id] = MappedPlace(
                place=n.place, mentions=mp.mentions + n.mentions,
                articles=(*mp.articles[:at], aid, *mp.articles[at:]),
                names=tuple(sorted({*mp.names, *n.names})),
                said=(*mp.said[:at], n.sentence, *mp.said[at:]))
    return sorted(by_id.values(), key=lambda mp: (-mp.mentions, mp.place.id))


def places(results: Iterable[ArticleResult], *, min_score: float) -> list[MappedPlace]:
    """One MappedPlace per distinct place mentioned (see :func:`places_of`); its snippets
    hold, per article that names it, the first sentence that does."""
    mapped = {r.article.id: named(r.mentions, min_score=min_score) for r in results}
    return [replace(mp, snippets=tuple((a, mapped[a].sentences[i])
                                       for a, i in zip(mp.articles, mp.said, strict=True)))
            for mp in places_of((aid, m.places) for aid, m in mapped.items())]
