"""The one orchestrator: seeds/ -> mentions -> places -> GeoJSON and the map in maps/.

Builds are incremental: each article's extraction is cached under ``<out>/.geo-cache/`` by the
hash of its text and of the code and gazetteer (see ``geo._cache``), and the map is rendered
again only when what it shows has changed; even then folium renders the page's skeleton again
only when geo, folium or the gazetteer changed (see ``geo.render``). The outputs are the same
bytes either way.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from geo import _cache, aggregate, articles, geojson, render
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


def extract(text: str, gaz: Gazetteer) -> list[Mention]:
    """Every place mention in one text, resolved."""
    return resolve(text, list(spans(text, gaz)), gaz)


def extract_article(article: Article, gaz: Gazetteer) -> ArticleResult:
    """One article's resolved mentions."""
    return ArticleResult(article=article, mentions=tuple(extract(article.text, gaz)))


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
    fp = _cache.fingerprint(settings.gazetteer_dir)
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
            mentions = tuple(extract(art.text, gaz))
        except Exception as e:  # noqa: BLE001 - one article's bug must not stop the others
            skipped.append(_failed(art, e))
            continue
        _cache.store(folder, keys[art.id], mentions)
        found[art.id] = mentions
    results = tuple(ArticleResult(a, m) for a in good if (m := found[a.id]) is not None)
    return Corpus(results=results, skipped=tuple(sorted(skipped, key=lambda s: s.path)),
                  extracted=len(misses), cached=len(good) - len(misses),
                  keys=tuple(keys[r.article.id] for r in results))


def _render_key(settings: Settings, mapped: Sequence[MappedPlace],
                shown: Sequence[Article]) -> str:
    """A hash of everything the output files are made from."""
    h = hashlib.sha256(_cache.fingerprint(settings.gazetteer_dir).encode())
    h.update(repr((settings.min_score, tuple(mapped), tuple(shown))).encode("utf-8",
                                                                           "surrogatepass"))
    return h.hexdigest()


def _skeleton(settings: Settings, backdrop: render.Backdrop, *,
              bounded: bool) -> render.Skeleton:
    """The page's skeleton: the one kept in the cache if it was made from the same backdrop by
    the same code and packages, else a new one (then kept)."""
    folder = _cache.cache_dir(settings.out_dir)
    h = hashlib.sha256(f"{_cache.fingerprint(settings.gazetteer_dir)}\0{bounded}".encode())
    for text in (backdrop.basemap, *(t for layer in backdrop.context for t in layer)):
        h.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    key, name = h.hexdigest(), "skeleton-fit" if bounded else "skeleton"
    kept = _cache.load_text(folder, name, key)
    found = None if kept is None else render.Skeleton.parse(kept, bounded=bounded)
    if found is None:
        found = render.skeleton(backdrop, bounded=bounded)
        _cache.keep_text(folder, name, key, found.text)
    return found


def _outputs(settings: Settings, mapped: Sequence[MappedPlace],
             shown: Sequence[Article]) -> dict[Path, str]:
    """The text of each output file."""
    gaz = gazetteer(settings)
    shape_of = cache(gaz.shape)  # both the GeoJSON and the page need each polygon
    context = gaz.context()
    basemap = _cache.compact_json(_cache.cache_dir(settings.out_dir),
                                  _cache.fingerprint(settings.gazetteer_dir),
                                  settings.gazetteer_dir / "basemap.geojson")
    content = render.parts(mapped, articles=shown, shape_of=shape_of)
    page = _skeleton(settings, render.backdrop(context, basemap),
                     bounded=content.bounds is not None)
    paths = [settings.out_dir / name for name in OUTPUT_NAMES]
    return {
        paths[0]: geojson.dumps(geojson.places_collection(mapped, shape_of)),
        paths[1]: geojson.dumps(context),
        paths[2]: page.fill(content),
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
        key = _render_key(settings, mapped, shown)
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
        shape_of = gazetteer(settings).shape
        features = exporter.places_collection(corpus.results, shape_of,
                                              min_score=settings.min_score)["features"]
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
