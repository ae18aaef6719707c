"""Aggregation: resolved mentions across articles -> the distinct places on the map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from geo.records import ArticleResult, MappedPlace, Mention, Place

MAP_ROLES = frozenset({"name", "demonym"})


def on_map(mention: Mention, *, min_score: float) -> bool:
    """Whether a mention belongs on the map: placed, a place (not inside an organisation's
    name), and resolved with at least ``min_score``."""
    return mention.place is not None and mention.role in MAP_ROLES and mention.score >= min_score


def places(results: Iterable[ArticleResult], *, min_score: float) -> list[MappedPlace]:
    """One MappedPlace per distinct place mentioned, most mentioned first (ties by id); its
    snippets hold, per article that names it, the first sentence that does."""
    found: dict[str, Place] = {}
    count: dict[str, int] = defaultdict(int)
    articles: dict[str, dict[str, None]] = defaultdict(dict)
    names: dict[str, dict[str, None]] = defaultdict(dict)
    snippets: dict[str, dict[str, str]] = defaultdict(dict)
    for result in results:
        for m in result.mentions:
            if not on_map(m, min_score=min_score):
                continue
            assert m.place is not None
            pid = m.place.id
            found[pid] = m.place
            count[pid] += 1
            articles[pid][result.article.id] = None
            names[pid][m.text] = None
            snippets[pid].setdefault(result.article.id, m.sentence)
    out = [MappedPlace(place=found[pid], mentions=count[pid], articles=tuple(articles[pid]),
                       names=tuple(sorted(names[pid])), snippets=tuple(snippets[pid].items()))
           for pid in found]
    return sorted(out, key=lambda mp: (-mp.mentions, mp.place.id))
