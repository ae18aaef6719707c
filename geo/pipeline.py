"""The one orchestrator: seeds/ -> mentions -> places -> GeoJSON and the map in maps/.

Builds are incremental: each article's extraction is cached under ``<out>/.geo-cache/`` by the
hash of its text and of the extraction code and gazetteer (see ``geo._cache``), and the map is
rendered again only when what it shows has changed; even then folium renders the page's
skeleton again only when geo, folium or the gazetteer changed (see ``geo.render``). The outputs
are the same bytes either way.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from geo import _cache, aggregate, articles, geojson, languages, render
from geo._io import build_lock, remove_leftovers, write_all_atomic
from geo.articles import Added, Skipped
from geo.gazetteer.store import Gazetteer, load
from geo.recognize import spans
from geo.records import Article, ArticleResult, MappedPlace, Mention
from geo.resolve import resolve
from geo.settings import Settings

Track = Callable[[Sequence[Article]], Iterable[Article]]
OUTPUT_NAMES = ("places.geojson", "context.geojson", "index.html")


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build read, skipped and wrote.

    ``extracted`` articles were read afresh, ``cached`` came from the cache; ``rendered`` is
    False when the outputs already held what these inputs give and were left untouched.
    """

    articles: int
    skipped: tuple[Skipped, ...]
    places: int
    mentions: int
    seconds: float
    outputs: tuple[Path, ...] = field(default=())
    extracted: int = 0
    cached: int = 0
    rendered: bool = True


@dataclass(frozen=True, slots=True)
class Corpus:
    """The seeds folder analysed: each readable article with its mentions, and the skips."""

    results: tuple[ArticleResult, ...]
    skipped: tuple[Skipped, ...]
    extracted: int
    cached: int
    keys: tuple[str, ...]


def extract(text: str, gaz: Gazetteer, lang: str = "") -> list[Mention]:
    """Every place mention in one text, resolved; read as language ``lang`` (a code of
    geo.languages; by default the language detected)."""
    language = languages.get(lang or languages.detect(text))
    return resolve(text, list(spans(text, gaz, language)), gaz, language)


def gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer the settings point at (loaded once per process)."""
    return load(settings.gazetteer_dir)


def _failed(article: Article, error: Exception) -> Skipped:
    reason = (f"extraction failed ({type(error).__name__}: {error}); the other articles are "
              "mapped, please report this one")
    return Skipped(Path(article.path or article.id), reason)


def analyse(settings: Settings, *, progress: Track | None = None) -> Corpus:
    """Read the seeds folder and resolve every article's mentions, from the cache when it can.

    An article whose extraction raises is reported as skipped; the others go on.
    ``progress`` wraps the articles that need extracting (a progress bar, say).
    """
    folder = _cache.cache_dir(settings.out_dir)
    fp = _cache.extraction_fingerprint(settings.gazetteer_dir)
    read = list(articles.read_all(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    good = [a for a in read if isinstance(a, Article)]
    skipped = [a for a in read if isinstance(a, Skipped)]
    keys = {a.id: _cache.text_key(fp, a.text) for a in good}
    found = {a.id: _cache.load(folder, keys[a.id]) for a in good}
    misses = [a for a in good if found[a.id] is None]
    gaz = gazetteer(settings) if misses else None
    for art in progress(misses) if progress else misses:
        assert gaz is not None
        try:
            mentions = tuple(extract(art.text, gaz, art.lang))
        except Exception as e:  # noqa: BLE001 - one article's bug must not stop the others
            skipped.append(_failed(art, e))
            continue
        _cache.store(folder, keys[art.id], mentions)
        found[art.id] = mentions
    results = tuple(ArticleResult(a, m) for a in good if (m := found[a.id]) is not None)
    return Corpus(results=results, skipped=tuple(sorted(skipped, key=lambda s: s.path)),
                  extracted=len(misses), cached=len(good) - len(misses),
                  keys=tuple(keys[r.article.id] for r in results))


def _render_key(settings: Settings, corpus: Corpus) -> str:
    """A hash of everything the output files are made from: the code, gazetteer and packages
    (the render fingerprint), the score threshold, and per article its extraction's key (its
    text's, see ``analyse``) and the metadata the page shows."""
    shown = [(key, a.id, a.title, a.source, a.url, a.date)
             for key, a in zip(corpus.keys, (r.article for r in corpus.results), strict=True)]
    h = hashlib.sha256(_cache.render_fingerprint(settings.gazetteer_dir).encode())
    h.update(repr((settings.min_score, shown)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _skeleton(settings: Settings, context: dict[str, Any]) -> render.Skeleton:
    """The page's skeleton: the one kept in the cache for the same code, gazetteer and packages
    (the render fingerprint), else a new one (then kept).

    ``context`` holds the context layers; the offline basemap is the gazetteer's
    ``basemap.geojson``, compact JSON as the gazetteer build writes it, embedded as it is.
    """
    folder = _cache.cache_dir(settings.out_dir)
    key = _cache.render_fingerprint(settings.gazetteer_dir)
    kept = _cache.load_text(folder, "skeleton", key)
    found = None if kept is None else render.Skeleton.parse(kept)
    if found is None:
        basemap = (settings.gazetteer_dir / "basemap.geojson").read_text("utf-8").rstrip()
        found = render.skeleton(render.backdrop(context, basemap))
        _cache.keep_text(folder, "skeleton", key, found.text)
    return found


def _outputs(settings: Settings, mapped: Sequence[MappedPlace],
             shown: Sequence[Article]) -> dict[Path, str]:
    """The text of each output file."""
    gaz = gazetteer(settings)
    shape_of = cache(gaz.shape)  # both the GeoJSON and the page need each polygon
    context = gaz.context()
    page = render.render(mapped, articles=shown, shape_of=shape_of,
                         skeleton=_skeleton(settings, context))
    paths = [settings.out_dir / name for name in OUTPUT_NAMES]
    return {
        paths[0]: geojson.dumps(geojson.places_collection(mapped, shape_of)),
        paths[1]: geojson.dumps(context),
        paths[2]: page,
    }


def build(settings: Settings, *, progress: Track | None = None,
          on_wait: Callable[[], None] | None = None) -> BuildReport:
    """Read every article in ``settings.seeds_dir`` and write the map and GeoJSON files.

    A second build of the same output folder waits for the first (``on_wait`` is called when
    it starts waiting), then builds from the articles as they are by then.
    """
    t0 = time.perf_counter()
    out = settings.out_dir
    paths = tuple(out / name for name in OUTPUT_NAMES)
    folder = _cache.cache_dir(out)
    with build_lock(out, on_wait=on_wait):
        corpus = analyse(settings, progress=progress)
        shown = [r.article for r in corpus.results]
        mapped = aggregate.places(corpus.results, min_score=settings.min_score)
        key = _render_key(settings, corpus)
        rendered = not _cache.outputs_current(folder, key, paths)
        if rendered:
            texts = _outputs(settings, mapped, shown)
            remove_leftovers(paths)
            write_all_atomic(texts)
            _cache.stamp_outputs(folder, key, texts)
        _cache.prune(folder, corpus.keys)
    return BuildReport(articles=len(shown), skipped=corpus.skipped, places=len(mapped),
                       mentions=sum(mp.mentions for mp in mapped),
                       seconds=time.perf_counter() - t0, outputs=paths,
                       extracted=corpus.extracted, cached=corpus.cached, rendered=rendered)


def export(settings: Settings, path: Path, *, fmt: str | None = None,
           mentions: bool = False) -> tuple[str, int, Corpus]:
    """Write the mapped places (or, with ``mentions``, every mention) of the seeds to ``path``.

    Returns the format written, the number of rows and the analysed corpus.
    """
    from geo import export as exporter

    fmt = exporter.format_for(path, fmt)
    corpus = analyse(settings)
    if mentions:
        features = exporter.mention_features(corpus.results, min_score=settings.min_score)
    else:
        mapped = aggregate.places(corpus.results, min_score=settings.min_score)
        shape_of = gazetteer(settings).shape
        features = [geojson.place_feature(mp, shape_of) for mp in mapped]
    exporter.write(features, path, fmt, layer="mentions" if mentions else "places")
    return fmt, len(features), corpus


def add(settings: Settings, sources: Sequence[str], *, stdin: Callable[[], bytes],
        progress: Track | None = None,
        on_wait: Callable[[], None] | None = None,
        ) -> tuple[list[Added], BuildReport | None]:
    """Copy articles into the seeds folder, then rebuild if any was new.

    Returns what happened to each article, and the build's report (None when nothing was new).
    """
    items = articles.incoming(sources, stdin=stdin)
    done = articles.add(items, settings.seeds_dir, max_bytes=settings.max_article_bytes)
    if not any(a.status == "added" for a in done):
        return done, None
    return done, build(settings, progress=progress, on_wait=on_wait)
