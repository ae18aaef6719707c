"""Build the Arabic and Kurdish development set: authored markup -> ``shared/eval`` JSON Lines.

Each ``<lang>.txt`` holds documents written here. A line ``## <id>`` opens a document; the lines
after it, up to the next ``## `` line, are its text (joined by newlines, blank lines at either
end dropped). A place name is marked ``[[name as written|key]]``: the marked text becomes the
toponym's span, and ``key`` is a row of ``places.tsv`` (coordinates, GeoNames id, type). Clitics,
prepositions and case endings stay outside the brackets. Lines before the first ``## `` are
comments.

Run ``python3 tests/devset/build.py`` to rewrite ``ar.jsonl``, ``ckb.jsonl`` and ``kmr.jsonl``
beside this file, or ``python3 tests/devset/build.py tests/heldback`` for another folder laid out
the same way (its own ``places.tsv``); ``tests/test_devset.py`` checks the committed files equal
a fresh build.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

HERE = Path(__file__).resolve().parent
LANGUAGES = ("ar", "ckb", "kmr")
MARK = re.compile(r"\[\[([^\[\]|]+)\|([a-z0-9_]+)\]\]")
HEADER = "## "


class MarkupError(ValueError):
    """A source file that does not follow the markup; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Place:
    """One row of places.tsv: where a marked name really is."""

    key: str
    name: str
    lat: float
    lon: float
    geonameid: int | None
    type: str
    country: str


class Toponym(TypedDict):
    """One gold span, as shared/eval writes it."""

    start: int
    end: int
    name: str
    lat: float
    lon: float
    geonameid: int | None
    type: str


def read_places(path: Path) -> dict[str, Place]:
    """The places table, by key."""
    places: dict[str, Place] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = row["key"]
            if key in places:
                raise MarkupError(f"{path.name}: key {key!r} is defined twice; keep one row")
            gid = row["geonameid"]
            places[key] = Place(key, row["name"], float(row["lat"]), float(row["lon"]),
                                int(gid) if gid else None, row["type"], row["country"])
    return places


def split_documents(source: str, origin: str) -> list[tuple[str, str, int]]:
    """(id, marked-up text, line number of the header) for each document in a source file."""
    docs: list[tuple[str, list[str], int]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        if line.startswith(HEADER):
            doc_id = line[len(HEADER):].strip()
            if not re.fullmatch(r"[a-z]+-\d{3}", doc_id):
                msg = f"{origin}:{number}: document id {doc_id!r} is not like 'ar-001'"
                raise MarkupError(msg)
            docs.append((doc_id, [], number))
        elif docs:
            docs[-1][1].append(line.rstrip())
    return [(doc_id, "\n".join(lines).strip(), number) for doc_id, lines, number in docs]


def unmark(marked: str, places: dict[str, Place], where: str) -> tuple[str, list[Toponym]]:
    """The plain text and its toponyms, with Python str offsets into the plain text."""
    parts: list[str] = []
    toponyms: list[Toponym] = []
    length, last = 0, 0
    for m in MARK.finditer(marked):
        parts.append(marked[last:m.start()])
        length += m.start() - last
        name, key = m.group(1), m.group(2)
        if key not in places:
            raise MarkupError(f"{where}: [[{name}|{key}]] names no row of places.tsv; add {key!r}")
        if name != name.strip():
            raise MarkupError(f"{where}: [[{name}|{key}]] has spaces inside the brackets")
        place = places[key]
        toponyms.append({"start": length, "end": length + len(name), "name": name,
                         "lat": place.lat, "lon": place.lon, "geonameid": place.geonameid,
                         "type": place.type})
        parts.append(name)
        length += len(name)
        last = m.end()
    parts.append(marked[last:])
    text = "".join(parts)
    stray = min((i for i in (text.find("[["), text.find("]]")) if i >= 0), default=-1)
    if stray >= 0:
        msg = (f"{where}: malformed markup near {text[max(0, stray - 15):stray + 20]!r}; "
               "write [[name as written|key]]")
        raise MarkupError(msg)
    return text, toponyms


def build_language(lang: str, places: dict[str, Place], folder: Path = HERE) -> str:
    """The JSON Lines for one language, as the committed ``<lang>.jsonl`` should read."""
    path = folder / f"{lang}.txt"
    lines, seen = [], set()
    for doc_id, marked, number in split_documents(path.read_text(encoding="utf-8"), path.name):
        if doc_id in seen:
            raise MarkupError(f"{path.name}:{number}: document id {doc_id!r} is used twice")
        seen.add(doc_id)
        text, toponyms = unmark(marked, places, f"{path.name}:{number}")
        doc = {"id": doc_id, "text": text, "toponyms": toponyms}
        lines.append(json.dumps(doc, ensure_ascii=False) + "\n")
    return "".join(lines)


def build_all(folder: Path = HERE) -> dict[str, str]:
    """File name -> content for every language's JSON Lines."""
    places = read_places(folder / "places.tsv")
    return {f"{lang}.jsonl": build_language(lang, places, folder) for lang in LANGUAGES}


def main(argv: list[str]) -> int:
    """Rewrite the JSON Lines in the folder given (this script's by default); print the counts."""
    if len(argv) > 1:
        print("usage: build.py [folder with places.tsv and ar/ckb/kmr.txt]", file=sys.stderr)
        return 2
    folder = Path(argv[0]) if argv else HERE
    if not (folder / "places.tsv").is_file():
        print(f"error: {folder} has no places.tsv; give a folder laid out like {HERE}",
              file=sys.stderr)
        return 2
    try:
        built = build_all(folder)
    except MarkupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for name, content in built.items():
        (folder / name).write_text(content, encoding="utf-8")
        docs = [json.loads(line) for line in content.splitlines()]
        spans = sum(len(d["toponyms"]) for d in docs)
        print(f"{name}: {len(docs)} documents, {spans} toponyms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
