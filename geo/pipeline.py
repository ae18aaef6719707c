"""The one orchestrator: seeds/ -> mentions -> places -> GeoJSON and the map in maps/.

Builds are incremental: each article's extraction is cached under ``<out>/.geo-cache/`` by the
hash of its text and of the extraction code and gazetteer (see ``geo._cache``), and the map is
rendered again only when what it shows has changed; even then folium renders the page's
skeleton again only when geo, folium or the gazetteer changed (see ``geo.render``). The outputs
are the same bytes either way.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from geo import _cache, aggregate, articles, geocode, geojson, languages, render
from geo._io import build_lock, remove_leftovers, write_all_atomic
from geo.aggregate import Named
from geo.articles import Added, Known, Repaired, Skipped
from geo.errors import ArticleError, InputError
from geo.gazetteer import overlay
from geo.gazetteer.store import Gazetteer, context_layers, load
from geo.geojson import AREA_KINDS, ShapeOf
from geo.recognize import spans
from geo.records import Article, ArticleResult, MappedPlace, Mention, Place
from geo.resolve import MAX_CONTEXT_SPANS, decide, reasons, resolve
from geo.settings import Settings

Track = Callable[[Sequence[Article]], Iterable[Article]]
OUTPUT_NAMES = ("places.geojson", "context.geojson", "index.html")
ADD_LOCK = ".geo-add.lock"  # in the seeds folder (hidden, so never read as an article)


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
    repaired: tuple[Repaired, ...] = ()


@dataclass(frozen=True, slots=True)
class Corpus:
    """The seeds folder analysed: each readable article with its mentions, and the skips."""

    results: tuple[ArticleResult, ...]
    skipped: tuple[Skipped, ...]
    extracted: int
    cached: int
    keys: tuple[str, ...]
    repaired: tuple[Repaired, ...] = ()


def extract(text: str, gaz: Gazetteer, lang: str = "") -> list[Mention]:
    """Every place mention in one text, resolved; read as language ``lang`` (a code of
    geo.languages; by default the language detected)."""
    language = languages.get(lang or languages.detect(text))
    return resolve(text, list(spans(text, gaz, language)), gaz, language)


def explain(text: str, gaz: Gazetteer, lang: str = "") -> list[tuple[Mention, list[str]]]:
    """Every place mention in one text, as ``extract`` finds it, with the reasons for its
    place (see resolve.reasons)."""
    language = languages.get(lang or languages.detect(text))
    found = list(spans(text, gaz, language))
    mentions = resolve(text, found, gaz, language)
    out: list[tuple[Mention, list[str]]] = []
    for at in range(0, len(found), MAX_CONTEXT_SPANS):  # the parts resolve resolves together
        part = decide(text, found[at:at + MAX_CONTEXT_SPANS], gaz, language)
        out += [(mentions[at + i], reasons(part, i, gaz)) for i in range(len(part.spans))]
    return out


def gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer the settings point at (loaded once per process)."""
    return load(settings.gazetteer_dir)


def _extracted(settings: Settings, misses: Sequence[Article], *, jobs: int | None,
               progress: Track | None, rows: bool = False) -> Iterator[tuple[Article, Any]]:
    """The mentions of each article (with ``rows``, its row of the map, see ``_MapRow``), or
    why its extraction failed; see ``geo.parallel``, imported only when there is something to
    extract."""
    if not misses:
        return
    from geo import parallel

    if not rows:
        yield from parallel.extract_articles(misses, gazetteer_dir=settings.gazetteer_dir,
                                             jobs=jobs, progress=progress)
        return
    each = _MapRow(_cache.cache_dir(settings.out_dir),
                   _cache.extraction_fingerprint(settings.gazetteer_dir), settings.min_score)
    for art, got in parallel.map_articles(misses, each=each, gazetteer_dir=settings.gazetteer_dir,
                                          jobs=jobs, progress=progress):
        yield art, got.reason if isinstance(got, parallel.Failed) else got


@dataclass(frozen=True, slots=True)
class _MapRow:
    """What the process that extracted an article makes of it for the map: it keeps the
    extraction in the cache (under its text's key, as ``_read`` makes it) and gives the
    article's row of the map (``_cache.encode_named``), so that with several workers the
    build's own process neither encodes nor writes the entries."""

    folder: Path
    fingerprint: str
    min_score: float

    def __call__(self, text: str, mentions: tuple[Mention, ...]) -> _cache.MapRow:
        _cache.store(self.folder, _cache.text_key(self.fingerprint, text), mentions)
        return _cache.encode_named(aggregate.named(mentions, min_score=self.min_score))


@dataclass(frozen=True, slots=True)
class _Seeds:
    """The seeds folder as read: the readable articles, the skipped files, each article's
    extraction key (by id), and the ids of those not read again (their file's stamp was the
    same as at an earlier build: their text is "")."""

    good: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    keys: dict[str, str]
    repaired: tuple[Repaired, ...] = ()
    unread: frozenset[str] = frozenset()
    known: dict[str, Known] = field(default_factory=dict)  # by file name, text left out
    known_changed: bool = False  # whether ``known`` differs from what the last build kept


def _read(settings: Settings, *, stamps: bool = False) -> _Seeds:
    """Read the seeds folder; with ``stamps``, the articles whose files have the stamp they
    had at an earlier build (see ``articles.stamp_of``) are not read again (unless
    ``settings.recheck``)."""
    check_folders(settings)
    fp = _cache.extraction_fingerprint(settings.gazetteer_dir)
    now = time.time_ns()
    kept = _known(settings, fp) if stamps and not settings.recheck else {}
    good, skipped, repaired, keys, unread, known = [], [], [], {}, set(), {}
    for item in articles.read_all(settings.seeds_dir, max_bytes=settings.max_article_bytes,
                                  known=kept):
        if isinstance(item, Skipped):
            skipped.append(item)
        elif isinstance(item, Repaired):
            repaired.append(item)
        elif isinstance(item, Known):
            art = item.article
            good.append(art)
            name = os.path.basename(art.path)
            if item.key:  # kept from an earlier build: not read
                keys[art.id], known[name] = item.key, item
                unread.add(art.id)
                continue
            keys[art.id] = _cache.text_key(fp, art.text)
            if articles.settled(item.stamp, now_ns=now):
                known[name] = replace(item, article=replace(art, text=""), key=keys[art.id])
    return _Seeds(good=tuple(good), skipped=tuple(skipped), keys=keys,
                  repaired=tuple(repaired), unread=frozenset(unread), known=known,
                  known_changed=known != kept)


def _known_key(settings: Settings, fp: str) -> str:
    """The key of the seeds folder's kept stamps: its place, the size limit and the extraction
    fingerprint (which the texts' keys hold)."""
    where = f"{settings.seeds_dir.resolve()}\0{settings.max_article_bytes}\0{fp}"
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()


def _known(settings: Settings, fp: str) -> dict[str, Known]:
    """The articles kept by the last build of this seeds folder, by file name (see
    ``_keep_known``); none when there are none or the entry is damaged."""
    kept = _cache.load_json(_cache.cache_dir(settings.out_dir), "seeds",
                            _known_key(settings, fp))
    out = {}
    try:
        for name, (stamp, key, ident, title, source, url, date, lang, note) in kept.items():
            path = str(settings.seeds_dir / name)
            art = Article(id=ident, text="", title=title, source=source, url=url, date=date,
                          path=path, lang=lang)
            out[name] = Known(stamp=tuple(stamp), article=art, note=note, key=key)
    except (AttributeError, TypeError, ValueError):  # not what _keep_known wrote
        return {}
    return out


def _keep_known(settings: Settings, seeds: _Seeds) -> None:
    """Keep what ``_known`` reads back: per article read, its file's stamp, text key and
    metadata (when they changed)."""
    if not seeds.known_changed:
        return
    fp = _cache.extraction_fingerprint(settings.gazetteer_dir)
    value = {name: [list(k.stamp), k.key, k.article.id, k.article.title, k.article.source,
                    k.article.url, k.article.date, k.article.lang, k.note]
             for name, k in seeds.known.items()}
    _cache.keep_json(_cache.cache_dir(settings.out_dir), "seeds", _known_key(settings, fp),
                     value)


def _resolve(settings: Settings, seeds: _Seeds, found: dict[str, tuple[Mention, ...] | None],
             *, progress: Track | None, jobs: int | None = None,
             rows: dict[str, Any] | None = None) -> Corpus:
    """The corpus, with the articles ``found`` holds no mentions for extracted (and cached),
    in ``jobs`` processes (default: every core when there are many; see ``geo.parallel``).
    With ``rows``, the extracted articles' rows of the map go there, by key, instead of their
    mentions into the corpus (see ``_MapRow``)."""
    folder = _cache.cache_dir(settings.out_dir)
    skipped = list(seeds.skipped)
    misses = [a for a in seeds.good if found.get(a.id) is None]
    for art, got in _extracted(settings, misses, jobs=jobs, progress=progress,
                               rows=rows is not None):
        if isinstance(got, str):  # why its extraction failed
            skipped.append(Skipped(Path(art.path or art.id), got))
        elif rows is not None:
            rows[seeds.keys[art.id]] = got
            found[art.id] = ()
        else:
            _cache.store(folder, seeds.keys[art.id], got)
            found[art.id] = got
    with _acyclic():
        results = tuple(ArticleResult(a, m) for a in seeds.good
                        if (m := found.get(a.id)) is not None)
    # names the gazetteer lacks, placed by the geocoder's answers (kept, or asked when the
    # settings name a geocoder); after the cache, which holds the gazetteer's extraction only
    results = geocode.place_unresolved(results, settings)
    return Corpus(results=results, skipped=tuple(sorted(skipped, key=lambda s: s.path)),
                  extracted=len(misses), cached=len(seeds.good) - len(misses),
                  keys=tuple(seeds.keys[r.article.id] for r in results),
                  repaired=seeds.repaired)


def check_folders(settings: Settings) -> None:
    """Refuse a seeds folder that is the output folder: a build would read its own outputs
    back as articles, more of them at every build.

    Raises
    ------
    InputError
        When both are one folder.
    """
    seeds, out = settings.seeds_dir.resolve(), settings.out_dir.resolve()
    if seeds == out:
        msg = (f"the seeds folder and the output folder are both {str(seeds)!r}; geo would read "
               "its own map back as articles: pass another --out DIR (or --seeds DIR)")
        raise InputError(msg)


def _geocoding(settings: Settings) -> bool:
    """Whether names the gazetteer lacks are placed by a geocoder's answers: asked in this
    build, or kept by an earlier one (see ``geo.geocode``)."""
    return settings.geocoder is not None or overlay.geocoded_path(settings.gazetteer_dir).exists()


def analyse(settings: Settings, *, progress: Track | None = None,
            jobs: int | None = None) -> Corpus:
    """Read the seeds folder and resolve every article's mentions, from the cache when it can.

    An article whose extraction raises is reported as skipped; the others go on.
    ``progress`` wraps the articles that need extracting (a progress bar, say); they are
    extracted in ``jobs`` processes (default: every core when there are many).
    """
    seeds = _read(settings)
    return _resolve(settings, seeds, _extractions(settings, seeds), progress=progress,
                    jobs=jobs)


def _extractions(settings: Settings, seeds: _Seeds) -> dict[str, tuple[Mention, ...] | None]:
    """Each article's cached extraction (None where there is none)."""
    folder = _cache.cache_dir(settings.out_dir)
    return {a.id: _cache.load(folder, seeds.keys[a.id]) for a in seeds.good}


def _map_corpus(settings: Settings, seeds: _Seeds, *, progress: Track | None,
                jobs: int | None = None, kept: bool = True) -> tuple[_Seeds, Corpus, _Map]:
    """The seeds (with the text of those that had to be read after all), the corpus without
    its mentions, and the map made from what each article gives it (``aggregate.named``).

    These come from one cache file for all articles (one line each, read at once, much smaller
    than the extractions, the sentences kept as the page's JSON text), then from each
    article's extraction, then from extracting it (an article not read again is read then);
    new articles' lines are appended, and the file is written anew when articles went. When
    the map's places made at the last build are kept (and ``kept``) and the articles are
    those of that build and new ones, the new ones' places are added to those, and the other
    articles' lines are not decoded (see ``aggregate.with_added``).
    """
    folder = _cache.cache_dir(settings.out_dir)
    rows_key = _rows_key(settings)
    named: dict[str, tuple[Named, ...]] = {}
    found: dict[str, tuple[Mention, ...] | None] = {}
    places: dict[str, Place] = {}
    with _acyclic():
        rows = _cache.load_rows(folder, rows_key)
        before, earlier = _cache.load_places(folder, rows_key) if kept else ([], [])
        now = [(a.id, seeds.keys[a.id]) for a in seeds.good]
        if _added(before, now) is None or any(key not in rows for _, key in before):
            before, earlier = [], []
        known = set(before)  # their places are among the kept ones: their lines are not read
        for aid, key in now:
            if (aid, key) in known:
                continue
            if key in rows:
                try:
                    named[aid] = _cache.decode_named(rows[key], places)
                except (ValueError, KeyError, TypeError, IndexError):
                    del rows[key]  # so that its line is written again below
            if aid not in named:
                found[aid] = _cache.load(folder, key)
    seeds = _with_texts(settings, seeds, [a for a in seeds.good if found.get(a.id, ()) is None])
    made: dict[str, Any] = {}  # the rows of the articles extracted now
    corpus = _resolve(settings, seeds, {a.id: found.get(a.id, ()) for a in seeds.good},
                      progress=progress, jobs=jobs, rows=made)
    with _acyclic():
        lines: dict[str, _cache.MapRow] = {}
        shown = [(r.article.id, key) for key, r in zip(corpus.keys, corpus.results, strict=True)]
        for (aid, key), r in zip(shown, corpus.results, strict=True):
            if aid in named or (aid, key) in known:
                lines[key] = rows[key]
            else:
                lines[key] = made[key] if key in made else _cache.encode_named(
                    aggregate.named(r.mentions, min_score=settings.min_score))
                named[aid] = _cache.decode_named(lines[key], places)
        if lines.keys() != rows.keys():
            _cache.keep_rows(folder, rows_key, lines, kept=rows)
        if before and _added(before, shown) is None:  # an article read after all changed
            return _map_corpus(settings, seeds, progress=progress, jobs=jobs, kept=False)
        ids = [aid for aid, _ in shown]
        if before:
            mapped = aggregate.with_added(earlier, [(a, named[a]) for a in ids if a in named],
                                          order=ids)
        else:
            mapped = aggregate.places_of((a, named[a]) for a in ids)
    sentences = {aid: (lines[key].count, lines[key].sentences) for aid, key in shown}
    return seeds, corpus, _Map(mapped, sentences, keep=before != shown)


@contextmanager
def _acyclic() -> Iterator[None]:
    """Pause the cyclic garbage collector while the map's hundreds of thousands of small
    records (or the seeds folder's thousands) are made: none is part of a cycle (reference
    counting frees them), so each collection would only scan them all again. Extraction runs
    with the collector on (forked workers inherit its state).

    Those still alive then go to the oldest generation unscanned (``gc.freeze`` and
    ``gc.unfreeze``, when nothing else holds objects frozen): else the first allocation after
    the collector is on again would scan every one of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Map:
    """The places on the map and, when they come with them, their articles' sentences (see
    ``render.Sentences``; else the places' snippets hold them)."""

    places: list[MappedPlace]
    sentences: render.Sentences | None = None
    keep: bool = False  # whether to keep the places in the cache (see _cache.keep_places)


def _rows_key(settings: Settings) -> str:
    """What the map's rows depend on: the extraction and the score a mention needs."""
    fp = _cache.extraction_fingerprint(settings.gazetteer_dir)
    return hashlib.sha256(f"{fp}\0{settings.min_score!r}".encode()).hexdigest()


def _with_texts(settings: Settings, seeds: _Seeds, wanted: Sequence[Article]) -> _Seeds:
    """The seeds with the text of each ``wanted`` article that was not read, read now (its
    key is that of the text read now); one that cannot be read now is skipped."""
    unread = [a for a in wanted if a.id in seeds.unread]
    if not unread:
        return seeds
    now: dict[str, Article | None] = {}
    skipped = list(seeds.skipped)
    for art in unread:
        try:
            now[art.id] = articles.read(Path(art.path), max_bytes=settings.max_article_bytes)
        except ArticleError as e:
            now[art.id] = None
            skipped.append(Skipped(Path(art.path), articles.reason(e, art.path)))
    fp = _cache.extraction_fingerprint(settings.gazetteer_dir)
    good = tuple(a for a in (now.get(a.id, a) for a in seeds.good) if a is not None)
    keys = {a.id: _cache.text_key(fp, a.text) if a.id in now else seeds.keys[a.id]
            for a in good}
    known = {n: k for n, k in seeds.known.items() if k.article.id not in now}
    return replace(seeds, good=good, skipped=tuple(skipped), keys=keys, known=known,
                   unread=seeds.unread - now.keys(), known_changed=True)


def mapped_corpus(settings: Settings, mentions: Path, metadata: str | None = None) -> Corpus:
    """The corpus of a mentions Parquet that ``geo extract`` wrote (one file, or a folder of
    parts), with each article's metadata from ``metadata`` (any corpus ``geo extract`` reads;
    its text is not extracted again). Without it, or for an article it lacks, the title is
    the article's id.
    """
    from geo import corpus as corpora

    found = corpora.mentions_from_rows(corpora.read_mentions(mentions), gazetteer(settings))
    shown: dict[str, Article] = {}
    skipped = []
    rows = () if metadata is None else corpora.read(
        metadata, max_bytes=settings.max_article_bytes, need_text=False)
    for row in rows:
        if isinstance(row, corpora.BadRow):
            skipped.append(Skipped(Path(row.where), row.reason))
        else:
            art = corpora.metadata_article(row)
            shown.setdefault(art.id, art)
    for key in found:
        shown.setdefault(key, Article(id=key, text="", title=key))
    results = tuple(ArticleResult(a, tuple(found.get(a.id, ()))) for a in shown.values())
    keys = tuple(hashlib.sha256(_cache.encode(r.mentions).encode("utf-8", "surrogatepass"))
                 .hexdigest() for r in results)
    return Corpus(results=results, skipped=tuple(skipped), extracted=0, cached=0, keys=keys)


def _render_key(settings: Settings, seeds: _Seeds) -> str:
    """A hash of everything the output files are made from: the code, gazetteer and packages
    (the render fingerprint), the score threshold, the geocoder's kept answers, and per
    article its extraction's key (its text's, see ``_read``) and the metadata the page
    shows."""
    shown = [(seeds.keys[a.id], a.id, a.title, a.source, a.url, a.date) for a in seeds.good]
    h = hashlib.sha256(_cache.render_fingerprint(settings.gazetteer_dir).encode())
    h.update(repr((settings.min_score, shown)).encode("utf-8", "surrogatepass"))
    answers = overlay.geocoded_path(settings.gazetteer_dir)
    h.update(str(_cache.file_hash(answers) if answers.exists() else None).encode())
    return h.hexdigest()


def _skeleton(settings: Settings, context: Callable[[], dict[str, Any]]) -> render.Skeleton:
    """The page's skeleton: the one kept in the cache for the same code, gazetteer and packages
    (the render fingerprint), else a new one (then kept).

    ``context`` gives the context layers; the offline basemap is the gazetteer's
    ``basemap.geojson``, compact JSON as the gazetteer build writes it, embedded as it is.
    """
    folder = _cache.cache_dir(settings.out_dir)
    key = _cache.render_fingerprint(settings.gazetteer_dir)
    kept = _cache.load_text(folder, "skeleton", key)
    found = None if kept is None else render.Skeleton.parse(kept)
    if found is None:
        basemap = (settings.gazetteer_dir / "basemap.geojson").read_text("utf-8").rstrip()
        labels = render.labels(_label_places(settings.gazetteer_dir),
                               names=_name_counts(settings.gazetteer_dir))
        found = render.skeleton(render.backdrop(context(), basemap, labels))
        _cache.keep_text(folder, "skeleton", key, found.text)
    return found


def _forks(seeds: _Seeds, jobs: int | None) -> bool:
    """Whether the build uses several processes: ``jobs`` above one, or by default when the
    articles are many (see ``geo.parallel.choose_jobs``)."""
    from geo import parallel

    return parallel.will_fork(seeds.good, jobs)


@contextmanager
def _skeleton_ahead(settings: Settings, *, jobs: int | None) -> Iterator[Callable[[], None]]:
    """Unless ``jobs`` is 1 (or the machine has one core), when the cache lacks the page's
    skeleton (which no article changes), a process forked now makes it and keeps it in the
    cache while this one reads and extracts the articles; the callable waits for that process
    (then ``_skeleton`` finds it kept; if it failed, ``_skeleton`` makes it after all)."""
    if not _fork_skeleton(settings, jobs):
        yield lambda: None
        return
    from geo import parallel

    ctx = multiprocessing.get_context("fork") if parallel.start_method() else \
        multiprocessing.get_context()
    child = ctx.Process(target=_keep_skeleton, args=(settings,), daemon=True)
    child.start()
    try:
        yield child.join
    finally:
        if child.is_alive():  # the build failed or found its outputs current before it waited
            child.terminate()
        child.join()


def _fork_skeleton(settings: Settings, jobs: int | None) -> bool:
    """Whether the cache lacks the skeleton and the build may use more than one process."""
    folder = _cache.cache_dir(settings.out_dir)
    if _cache.has_text(folder, "skeleton", _cache.render_fingerprint(settings.gazetteer_dir)):
        return False
    from geo import parallel

    return (jobs or parallel.cores()) > 1


def _cores(jobs: int | None) -> int:
    """The processes a build may use: ``jobs``, by default every core."""
    from geo import parallel

    return jobs or parallel.cores()


def _keep_skeleton(settings: Settings) -> None:
    """Make the page's skeleton and keep it in the cache (in a process of its own, which
    needs only the gazetteer's context layers)."""
    try:
        _skeleton(settings, lambda: context_layers(settings.gazetteer_dir))
    except Exception:  # noqa: BLE001 - the build's own process makes it again and reports why
        os._exit(1)


def _label_places(gazetteer_dir: Path) -> Iterator[Place]:
    """The gazetteer's countries, first-level units and cities (the basemap's labels), read
    from its ``places.tsv``."""
    with (gazetteer_dir / "places.tsv").open(encoding="utf-8") as f:
        next(f)  # the header
        for line in f:
            pid, name, kind, country, admin1, lat, lon, pop, _ = line.split("\t")
            if kind in render.LABEL_KINDS:
                yield Place(id=pid, name=name, kind=kind, country=country, admin1=admin1,
                            lat=float(lat), lon=float(lon), population=int(pop))


def _name_counts(gazetteer_dir: Path) -> Counter[str]:
    """How many names each place id has in the gazetteer's ``names.tsv`` (its prominence)."""
    counts: Counter[str] = Counter()
    with (gazetteer_dir / "names.tsv").open(encoding="utf-8") as f:
        for line in f:
            counts.update(line.rstrip("\n").partition("\t")[2].split(","))
    return counts


@contextmanager
def _regions(settings: Settings, mapped: Sequence[MappedPlace], shape_of: ShapeOf, *,
             forks: bool = False) -> Iterator[Callable[[], render.Regions]]:
    """The mentioned regions' polygons, cell by cell (``render.region_groups``): a cell's are
    kept in the cache for the same regions, code and gazetteer, else simplified again; with
    ``forks``, the cells to simplify are shared among forked processes, which start at once
    (this process goes on meanwhile), and the callable gives the polygons when they are done."""
    folder = _cache.cache_dir(settings.out_dir)
    fp = _cache.render_fingerprint(settings.gazetteer_dir)
    kept = _cache.load_json(folder, "regions", fp)
    cells: dict[str, Any] = kept if isinstance(kept, dict) else {}
    number = {mp.place.id: i for i, mp in enumerate(mapped)}
    parts: dict[str, render.Regions | None] = {}  # by cell, in order; None: to simplify
    todo: dict[str, list[int]] = {}
    for numbers in render.region_groups(mapped).values():
        ids = [mapped[i].place.id for i in numbers]
        key = hashlib.sha256("\0".join(ids).encode("utf-8", "surrogatepass")).hexdigest()
        try:
            parts[key] = render.Regions(places=tuple(number[pid] for pid in cells[key]["ids"]),
                                        topology=cells[key]["topology"])
        except (TypeError, KeyError):
            parts[key], todo[key] = None, numbers
    with _cells_made(settings, mapped, shape_of, list(todo.values()), forks=forks) as made:

        def finish() -> render.Regions:
            done = {**parts, **dict(zip(todo, made(), strict=True))}
            ready = [part for part in done.values() if part is not None]
            if done.keys() != cells.keys():
                _cache.keep_json(folder, "regions", fp, {
                    k: {"ids": [mapped[i].place.id for i in part.places],
                        "topology": part.topology} for k, part in zip(done, ready, strict=True)})
            return render.merged(mapped, ready)

        yield finish


@contextmanager
def _cells_made(settings: Settings, mapped: Sequence[MappedPlace], shape_of: ShapeOf,
                todo: Sequence[Sequence[int]], *, forks: bool
                ) -> Iterator[Callable[[], list[render.Regions]]]:
    """``render.regions_of`` each group of ``todo``: here when it is called, or, with
    ``forks`` and more than one, in a pool of forked processes started now."""
    if not forks or len(todo) < 2:
        yield lambda: [render.regions_of(mapped, shape_of, numbers) for numbers in todo]
        return
    from geo import parallel

    method = parallel.start_method()
    if method == "fork":
        # loaded here once, the forked workers share it (else each would load it again) and
        # start with the places too (nothing is pickled)
        load(settings.gazetteer_dir)
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(min(parallel.cores(), len(todo)), initializer=_forked_cells,
                  initargs=(mapped, settings.gazetteer_dir)) as pool:
        pending = pool.map_async(_cell_regions, todo, chunksize=1)
        yield lambda: pending.get()


_CELLS: list[tuple[Sequence[MappedPlace], Path]] = []  # in a worker of _cells_made


def _forked_cells(mapped: Sequence[MappedPlace], gazetteer_dir: Path) -> None:
    _CELLS.append((mapped, gazetteer_dir))


def _cell_regions(numbers: Sequence[int]) -> render.Regions:
    mapped, gazetteer_dir = _CELLS[-1]
    return render.regions_of(mapped, load(gazetteer_dir).shape, numbers)


def _places_text(settings: Settings, mapped: Sequence[MappedPlace], shape_of: ShapeOf,
                 shown: Sequence[tuple[str, str]]) -> bytes:
    """``places.geojson`` (UTF-8) of the places of the articles ``shown`` (id and extraction
    key), as ``geojson.dumps`` writes it.

    When the lines kept in the cache were made from articles all still shown, in the same
    order, with only new ones among them (articles added), a place none of the new articles
    names keeps its line, which nothing else can have changed; the other lines are made
    anew."""
    folder = _cache.cache_dir(settings.out_dir)
    key = _features_key(settings)
    before, kept = _cache.load_features(folder, key)
    new = _added(before, shown)
    lines: dict[str, bytes] = {}
    fresh: list[MappedPlace] = []
    for mp in mapped:
        pid = mp.place.id
        line = None if new is None else kept.get(pid)
        if line is None or (new and any(a in new for a in mp.articles)):
            fresh.append(mp)
        else:
            lines[pid] = line
    made = _feature_lines(settings, fresh, shape_of)
    lines.update((mp.place.id, line.encode()) for mp, line in zip(fresh, made, strict=True))
    ordered = {mp.place.id: lines[mp.place.id] for mp in mapped}
    if fresh or len(kept) != len(ordered) or before != list(shown):
        _cache.keep_features(folder, key, shown, ordered)
    return geojson.join_feature_bytes(ordered.values())


def _features_key(settings: Settings) -> str:
    """What a place's line of ``places.geojson`` depends on besides its articles: the code,
    gazetteer and packages, the score a mention needs, and the geocoder's kept answers."""
    answers = overlay.geocoded_path(settings.gazetteer_dir)
    fp = _cache.render_fingerprint(settings.gazetteer_dir)
    held = _cache.file_hash(answers) if answers.exists() else None
    return hashlib.sha256(f"{fp}\0{settings.min_score!r}\0{held}".encode()).hexdigest()


def _added(before: Sequence[tuple[str, str]], now: Sequence[tuple[str, str]]
           ) -> frozenset[str] | None:
    """The ids of the articles ``now`` holds beyond ``before`` (both id and extraction key, in
    order), when ``before`` is what ``now`` holds without them; else None."""
    earlier = set(before)
    if [a for a in now if a in earlier] != list(before):
        return None
    return frozenset(aid for aid, key in now if (aid, key) not in earlier)


def _feature_lines(settings: Settings, mapped: Sequence[MappedPlace],
                   shape_of: ShapeOf) -> list[str]:
    """Each place's line of ``places.geojson``, with each polygon's text kept in the cache for
    the same code and gazetteer (dumping thousands of polygons is most of a first build's
    work here)."""
    folder = _cache.cache_dir(settings.out_dir)
    key = _cache.render_fingerprint(settings.gazetteer_dir)
    kept = _cache.load_json(folder, "polygons", key)
    texts: dict[str, str] = kept if isinstance(kept, dict) else {}
    features, polygons, new = [], [], False
    for mp in mapped:
        pid = mp.place.id
        if pid not in texts:
            shape = shape_of(pid) if mp.place.has_shape and mp.place.kind in AREA_KINDS else None
            texts[pid] = "" if shape is None else geojson.feature_text(shape)
            new = True
        if texts[pid]:
            features.append(geojson.place_feature(mp, lambda _: geojson.RAW_GEOMETRY))
            polygons.append(texts[pid])
        else:
            features.append(geojson.place_feature(mp, lambda _: None))
    if new:
        _cache.keep_json(folder, "polygons", key, texts)
    return geojson.feature_lines(features, polygons)


def _outputs(settings: Settings, view: _Map, corpus: Corpus, *,
             ready: Callable[[], None], forks: bool, aside: bool) -> dict[Path, bytes]:
    """The bytes of each output file, UTF-8 (``ready`` is called before the skeleton is
    needed, see ``_skeleton_ahead``; with ``forks``, the regions are simplified in forked
    processes; with ``aside``, ``places.geojson`` is made in a forked process while this one
    makes the page, see ``_aside``). The gazetteer is loaded only if a polygon or the context layers are not in the
    cache."""
    folder = _cache.cache_dir(settings.out_dir)
    fp = _cache.render_fingerprint(settings.gazetteer_dir)

    @cache
    def shape_of(place_id: str) -> dict[str, Any] | None:
        return gazetteer(settings).shape(place_id)  # both the GeoJSON and the page need it

    @cache
    def context() -> dict[str, Any]:
        return gazetteer(settings).context()

    context_text = _cache.load_text(folder, "context", fp)
    if context_text is None:  # a damaged entry is a miss already (see _cache.seal)
        context_text = geojson.dumps(context())
        _cache.keep_text(folder, "context", fp, context_text)
    mapped = view.places
    shown = [r.article for r in corpus.results]
    keys = [(a.id, key) for a, key in zip(shown, corpus.keys, strict=True)]

    def geojson_text() -> bytes:
        if view.keep:
            _cache.keep_places(folder, _rows_key(settings), keys, mapped)
        return _places_text(settings, mapped, shape_of, keys)

    with _regions(settings, mapped, shape_of, forks=forks) as regions, \
            _aside(geojson_text, fork=aside) as places_text:
        ready()
        page = render.render(mapped, articles=shown, shape_of=shape_of,
                             sentences=view.sentences, skeleton=_skeleton(settings, context),
                             regions=regions())
        paths = [settings.out_dir / name for name in OUTPUT_NAMES]
        return {paths[0]: places_text(), paths[1]: context_text.encode(),
                paths[2]: page.encode()}


@contextmanager
def _aside(make: Callable[[], bytes], *, fork: bool) -> Iterator[Callable[[], bytes]]:
    """``make()`` in a process forked now (with ``fork``, where the platform forks), while
    this one goes on; the callable gives its bytes (made in this process after all if that
    one failed, so that any error is raised here)."""
    from geo import parallel

    if not fork or parallel.start_method() != "fork":
        yield make
        return
    ctx = multiprocessing.get_context("fork")
    received, sent = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_send, args=(make, sent), daemon=True)
    child.start()
    sent.close()

    def result() -> bytes:
        try:
            return received.recv_bytes()
        except EOFError:  # it failed before sending
            return make()

    try:
        yield result
    finally:
        received.close()
        child.join()


def _send(make: Callable[[], bytes], to: Any) -> None:
    """Send ``make()``'s bytes (in a process of ``_aside``); on failure send nothing and exit,
    so that the build's own process makes them again and reports why."""
    try:
        data = make()
    except Exception:  # noqa: BLE001 - the build's own process makes them again
        os._exit(1)
    to.send_bytes(data)
    to.close()


def build(settings: Settings, *, progress: Track | None = None,
          on_wait: Callable[[], None] | None = None, jobs: int | None = None,
          mentions: Path | None = None, metadata: str | None = None) -> BuildReport:
    """Read every article in ``settings.seeds_dir`` and write the map and GeoJSON files.

    When the outputs already hold what these articles give, nothing else is read: the report
    repeats what the build that wrote them found. A second build of the same output folder
    waits for the first (``on_wait`` is called when it starts waiting), then builds from the
    articles as they are by then. Articles are extracted in ``jobs`` processes (see
    ``analyse``); with ``mentions`` (and ``metadata``), the map is built from mentions
    ``geo extract`` wrote instead (see ``mapped_corpus``).
    """
    t0 = time.perf_counter()
    out = settings.out_dir
    paths = tuple(out / name for name in OUTPUT_NAMES)
    folder = _cache.cache_dir(out)
    check_folders(settings)  # before the lock, which would write into the seeds folder
    with build_lock(out, on_wait=on_wait), _skeleton_ahead(settings, jobs=jobs) as ready:
        if mentions is not None:  # no seeds folder: nothing to compare with or to cache
            corpus = mapped_corpus(settings, mentions, metadata)
            mapped = aggregate.places(corpus.results, min_score=settings.min_score)
            _write(settings, corpus, _Map(mapped), paths, ready=ready)
            return _built(corpus, mapped, paths, seconds=time.perf_counter() - t0)
        geocoding = _geocoding(settings)
        with _acyclic():
            seeds = _read(settings, stamps=not geocoding)  # the geocoder needs every text
        key = _render_key(settings, seeds)
        # with a geocoder named, the build asks it about what it could not answer before
        summary = None if settings.geocoder else _cache.outputs_current(folder, key, paths)
        if summary is not None:
            _keep_known(settings, seeds)
            return _unchanged(seeds, summary, paths, seconds=time.perf_counter() - t0)
        # the geocoder needs every mention (what the gazetteer matched, placed or not); the
        # map alone needs only what each article gives it, read from one smaller file
        unread = seeds.unread
        forks = _forks(seeds, jobs)
        if geocoding:
            corpus = _resolve(settings, seeds, _extractions(settings, seeds),
                              progress=progress, jobs=jobs)
            view = _Map(aggregate.places(corpus.results, min_score=settings.min_score))
        else:
            seeds, corpus, view = _map_corpus(settings, seeds, progress=progress, jobs=jobs)
        texts = _write(settings, corpus, view, paths, ready=ready, forks=forks,
                       aside=_cores(jobs) > 1)
        mapped = view.places
        failed = sorted(set(corpus.skipped) - set(seeds.skipped), key=lambda s: s.path)
        # a geocoder may have kept new answers, and an article read after all may have
        # changed, which the key covers: then the key as of now
        if settings.geocoder or seeds.unread != unread:
            key = _render_key(settings, seeds)
        _cache.stamp_outputs(folder, key, texts, {
            "places": len(mapped), "mentions": sum(mp.mentions for mp in mapped),
            "failed": [[str(s.path), s.reason] for s in failed]})
        _cache.prune(folder, seeds.keys.values())
        _keep_known(settings, seeds)
    return _built(corpus, mapped, paths, seconds=time.perf_counter() - t0)


def _write(settings: Settings, corpus: Corpus, view: _Map, paths: Sequence[Path], *,
           ready: Callable[[], None] = lambda: None, forks: bool = False,
           aside: bool = False) -> dict[Path, bytes]:
    """Write the outputs of ``corpus`` and its map (see ``_outputs``); the bytes written."""
    with _acyclic():
        texts = _outputs(settings, view, corpus, ready=ready, forks=forks, aside=aside)
    remove_leftovers(paths)
    write_all_atomic(texts)
    return texts


def _built(corpus: Corpus, mapped: Sequence[MappedPlace], paths: tuple[Path, ...], *,
           seconds: float) -> BuildReport:
    return BuildReport(articles=len(corpus.results), skipped=corpus.skipped, places=len(mapped),
                       mentions=sum(mp.mentions for mp in mapped), seconds=seconds,
                       outputs=paths, extracted=corpus.extracted, cached=corpus.cached,
                       rendered=True, repaired=corpus.repaired)


def _unchanged(seeds: _Seeds, summary: dict[str, Any], paths: tuple[Path, ...], *,
               seconds: float) -> BuildReport:
    """The report of a build that found its outputs current (``summary`` as stamped)."""
    failed = [Skipped(Path(path), reason) for path, reason in summary.get("failed", [])]
    mapped = len(seeds.good) - len(failed)
    return BuildReport(articles=mapped,
                       skipped=tuple(sorted([*seeds.skipped, *failed], key=lambda s: s.path)),
                       places=summary["places"], mentions=summary["mentions"], seconds=seconds,
                       outputs=paths, extracted=0, cached=mapped, rendered=False,
                       repaired=seeds.repaired)


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
    check_folders(settings)
    items = articles.incoming(sources, stdin=stdin)
    # one add at a time per seeds folder: the check for an article already there and the copy
    # go together, so three simultaneous adds of one article store it once
    with build_lock(settings.seeds_dir, name=ADD_LOCK, on_wait=on_wait), _acyclic():
        done = articles.add(items, settings.seeds_dir, max_bytes=settings.max_article_bytes)
    if not any(a.status == "added" for a in done):
        return done, None
    return done, build(settings, progress=progress, on_wait=on_wait)
