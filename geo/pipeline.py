"""The one orchestrator: seeds/ -> mentions -> places -> GeoJSON and the map in maps/."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from geo import aggregate, articles, geojson, render
from geo._io import build_lock, write_atomic
from geo.gazetteer.store import Gazetteer, load
from geo.recognize import spans
from geo.records import Article, ArticleResult, Mention
from geo.resolve import resolve
from geo.settings import Settings


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build read, skipped and wrote."""

    articles: int
    skipped: tuple[articles.Skipped, ...]
    places: int
    mentions: int
    seconds: float
    outputs: tuple[Path, ...] = field(default=())


def extract(text: str, gaz: Gazetteer) -> list[Mention]:
    """Every place mention in one text, resolved."""
    return resolve(text, list(spans(text, gaz)), gaz)


def extract_article(article: Article, gaz: Gazetteer) -> ArticleResult:
    """One article's resolved mentions."""
    return ArticleResult(article=article, mentions=tuple(extract(article.text, gaz)))


def gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer the settings point at (loaded once per process)."""
    return load(settings.gazetteer_dir)


def build(settings: Settings) -> BuildReport:
    """Read every article in ``settings.seeds_dir`` and write the map and GeoJSON files."""
    t0 = time.perf_counter()
    gaz = gazetteer(settings)
    read = list(articles.read_all(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    good = [a for a in read if isinstance(a, Article)]
    skipped = tuple(a for a in read if isinstance(a, articles.Skipped))
    results = [extract_article(a, gaz) for a in good]
    mapped = aggregate.places(results, min_score=settings.min_score)
    context = gaz.context()
    basemap = json.loads((settings.gazetteer_dir / "basemap.geojson").read_text("utf-8"))
    out = settings.out_dir
    outputs = (out / "places.geojson", out / "context.geojson", out / "index.html")
    with build_lock(out):
        write_atomic(outputs[0], geojson.dumps(geojson.places_collection(mapped, gaz.shape)))
        write_atomic(outputs[1], geojson.dumps(context))
        write_atomic(outputs[2], render.render(mapped, context=context, basemap=basemap,
                                               shape_of=gaz.shape, articles=good))
    n_mentions = sum(mp.mentions for mp in mapped)
    return BuildReport(articles=len(good), skipped=skipped, places=len(mapped),
                       mentions=n_mentions, seconds=time.perf_counter() - t0, outputs=outputs)
