"""The build benchmark: synthetic articles, then a first build, a no-change rebuild and an add.

The articles are generated here from sentence templates and place names drawn from the
gazetteer, so the benchmark needs no text from anywhere else. Each step runs ``geo`` in a fresh
process, so the times are the ones a user sees (interpreter start and imports included).
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer.store import Gazetteer

KINDS = frozenset({"city", "town", "adm1", "country"})
COUNTRIES = frozenset({"IQ", "SY", "TR", "IR"})
SOURCES = ("Bench Wire", "Synthetic Post", "Example Daily")
TEMPLATES = (
    "Officials in {a} said on {day} that talks with delegates from {b} would resume next week.",
    "Heavy rain closed the road between {a} and {b} for most of {day}.",
    "Traders from {a} reported higher prices for wheat and fuel this month.",
    "A delegation travelled from {a} to {b} to discuss water sharing and grazing land.",
    "Residents of {a} gathered on {day} to demand better power supply and clean water.",
    "The governor of {a} opened a new school, the third this year.",
    "Local reporters in {b} said the market reopened after two days of closure.",
    "Farmers near {a} expect a smaller harvest because of the dry spring.",
    "A football match between teams from {a} and {b} drew a large crowd on {day}.",
    "Engineers began repairing a bridge outside {a} that floods damaged last winter.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class BuildBench:
    """The measured times of one run of the build benchmark, in seconds.

    ``identical`` says that the rebuild left the outputs as they were and that the outputs
    after the add are those a build from scratch of the same articles writes.
    """

    articles: int
    first_build: float
    rebuild: float
    add_one: float
    identical: bool

    def lines(self) -> list[str]:
        """The human-readable report."""
        def ratio(x: float) -> str:
            return f"{x / self.first_build:.2f} of the first build"

        return [
            f"articles:            {self.articles}",
            f"first build:         {self.first_build:.2f} s",
            f"no-change rebuild:   {self.rebuild:.2f} s  ({ratio(self.rebuild)})",
            f"add one article:     {self.add_one:.2f} s  ({ratio(self.add_one)})",
            f"identical outputs:   {'yes' if self.identical else 'NO'}",
        ]

    @property
    def ok(self) -> bool:
        """Whether the rebuild and the add each took at most half the first build."""
        return self.identical and max(self.rebuild, self.add_one) <= self.first_build / 2


def place_names(gaz: Gazetteer) -> list[str]:
    """Names of prominent places in the region that the gazetteer resolves back to themselves."""
    names: set[str] = set()
    for place in (p for c in COUNTRIES for kind in KINDS for p in gaz.units(c, kind)):
        small = place.kind in ("city", "town") and place.population < 50_000
        if place.name.isalpha() and not small:
            top = gaz.lookup(place.name)
            if top and top[0].id == place.id:
                names.add(place.name)
    return sorted(names)


def article_text(n: int, names: Sequence[str], *, sentences: int = 24) -> str:
    """One synthetic article (header and body), fully determined by ``n``."""
    rng = random.Random(n)
    first = rng.choice(names)
    body = []
    for _ in range(sentences):
        template = rng.choice(TEMPLATES)
        body.append(template.format(a=rng.choice(names), b=rng.choice(names),
                                    day=rng.choice(DAYS)))
    paragraphs = [" ".join(body[i:i + 4]) for i in range(0, len(body), 4)]
    header = (f"---\ntitle: Report {n} from {first}\nsource: {SOURCES[n % len(SOURCES)]}\n"
              f"date: 2024-{1 + n % 12:02d}-{1 + n % 28:02d}\n---\n")
    return header + f"{first.upper()} — " + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, names: Sequence[str], count: int) -> None:
    """Write ``count`` synthetic articles into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"report-{n:04d}.md").write_text(article_text(n, names), encoding="utf-8")


def timed_geo(*args: str) -> float:
    """Wall time of ``geo ARGS...`` run as a whole new process (its output discarded)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*"))
            if p.is_file() and not p.name.startswith(".")}


def run(gaz: Gazetteer, *, count: int = 200) -> BuildBench:
    """Time a first build of ``count`` articles, a rebuild with nothing changed, and an add;
    then build the same articles from scratch (untimed) to check the add's outputs."""
    names = place_names(gaz)
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        base = Path(tmp)
        seeds, out = base / "seeds", base / "maps"
        write_corpus(seeds, names, count)
        common = ("--gazetteer", str(gaz.folder))
        first = timed_geo(*common, "build", "--seeds", str(seeds), "--out", str(out))
        before = _outputs(out)
        rebuild = timed_geo(*common, "build", "--seeds", str(seeds), "--out", str(out))
        identical = _outputs(out) == before
        extra = base / "extra.md"
        extra.write_text(article_text(count, names), encoding="utf-8")
        add_one = timed_geo(*common, "add", str(extra), "--seeds", str(seeds), "--out", str(out))
        timed_geo(*common, "build", "--seeds", str(seeds), "--out", str(base / "fresh"))
        identical = identical and _outputs(out) == _outputs(base / "fresh")
    return BuildBench(articles=count, first_build=first, rebuild=rebuild, add_one=add_one,
                      identical=identical)
