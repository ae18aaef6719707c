"""Benchmarks that print figures: gazetteer start-up, lookup as a whole process, extraction
throughput and memory. Speed targets live here, never in timed unit tests."""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import zip_longest
from pathlib import Path

from geo import _compiled, geocode, languages
from geo.bench import timed_geo
from geo.evaluate import read_corpus
from geo.gazetteer.store import Gazetteer
from geo.pipeline import extract


@dataclass(frozen=True, slots=True)
class ExtractBench:
    """Figures of one run of the extraction benchmark."""

    gazetteer_load_s: float
    rss_after_load_mb: float
    lookup_process_s: float
    articles: int
    characters: int
    extract_s: float
    articles_per_s: float
    characters_per_s: float
    peak_rss_mb: float
    compiled: bool  # whether the hot path ran compiled (see setup.py)
    # time finding the names an online geocoder may place (geo.geocode: run only when answers
    # are kept or a geocoder is asked), as a share of the extraction time
    geocode_names_share: float
    # characters per CPU second of this process per detected language (other processes' load on
    # a shared machine stretches wall time in bursts that would tilt the ratios), and as a ratio
    # to English's in the same run
    characters_per_s_by_language: dict[str, float] = field(default_factory=dict)
    ratio_to_english: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float | int | bool | dict[str, float]]:
        """The figures as a plain dict (for --json)."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The human-readable report."""
        return [f"{key:<20} {value}" for key, value in self.as_dict().items()]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def lookup_process_seconds(gazetteer_dir: Path) -> float:
    """Wall time of ``geo gazetteer lookup Kirkuk --json`` as a whole new process."""
    return timed_geo("--gazetteer", str(gazetteer_dir), "gazetteer", "lookup", "Kirkuk", "--json")


def run(corpora: Sequence[Path], gazetteer_dir: Path, *, limit: int = 5000) -> ExtractBench:
    """Load the gazetteer, then extract the text of the first ``limit`` documents of each
    corpus (as ``geo eval`` reads it), the texts of each detected language together."""
    t0 = time.perf_counter()
    gaz = Gazetteer(gazetteer_dir)
    load_s = time.perf_counter() - t0
    rss_load = _rss_mb()
    texts = [doc["text"] for corpus in corpora for doc in read_corpus(corpus)[:limit]]
    by_lang: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        by_lang[languages.detect(text)].append(text)
    for lang, group in by_lang.items():  # one untimed warm-up text per language: what a
        extract(group[0], gaz, lang)     # language sets up once per process is not per text
    seconds: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    names_s = 0.0
    # the languages take turns, text by text, so that a machine whose load drifts during the
    # run slows them alike and the ratios hold
    for batch in zip_longest(*by_lang.values()):
        for lang, text in zip(by_lang, batch):
            if text is not None:
                c1, t1 = time.process_time(), time.perf_counter()
                found = extract(text, gaz, lang)
                t2, c2 = time.perf_counter(), time.process_time()
                geocode.unresolved_names(text, found)
                seconds[lang] += t2 - t1
                cpu[lang] += c2 - c1
                names_s += time.perf_counter() - t2
    extract_s = sum(seconds.values())
    speeds = {lang: round(sum(map(len, by_lang[lang])) / s) if s else 0.0
              for lang, s in sorted(cpu.items())}
    chars = sum(map(len, texts))
    english = speeds.get("en")
    return ExtractBench(
        gazetteer_load_s=round(load_s, 3), rss_after_load_mb=round(rss_load, 1),
        lookup_process_s=round(lookup_process_seconds(gazetteer_dir), 3),
        articles=len(texts), characters=chars, extract_s=round(extract_s, 3),
        articles_per_s=round(len(texts) / extract_s, 1) if extract_s else 0.0,
        characters_per_s=round(chars / extract_s) if extract_s else 0.0,
        geocode_names_share=round(names_s / extract_s, 3) if extract_s else 0.0,
        peak_rss_mb=round(_rss_mb(), 1), compiled=_compiled.in_use(),
        characters_per_s_by_language=speeds,
        ratio_to_english={k: round(v / english, 2) for k, v in speeds.items()} if english else {})


LIST_COUNTRIES = ("IQ", "IR", "TR", "SY", "US", "IN", "FR", "DE", "BR", "MX", "RU", "CN")


def village_list(gaz: Gazetteer, count: int, *, seed: int = 1) -> str:
    """A list of ``count`` distinct village and town names drawn from the gazetteer, one a line
    (a list of villages, a gazetteer page: the longest ordinary input per character)."""
    names = sorted({p.name for c in LIST_COUNTRIES for kind in ("village", "town")
                    for p in gaz.units(c, kind) if p.name.isascii() and p.name[:1].isupper()})
    if count > len(names):
        msg = f"asked for {count:,} names; the gazetteer offers {len(names):,}"
        raise ValueError(msg)
    picked = random.Random(seed).sample(names, count)
    return "Villages\n\n" + "\n".join(f"{n}. {name}" for n, name in enumerate(picked, 1)) + "\n"


@dataclass(frozen=True, slots=True)
class ListBench:
    """Time and peak memory of extracting one list article of ``names`` names, in a fresh
    process (so each size's peak is its own)."""

    names: int
    characters: int
    mentions: int
    extract_s: float
    peak_rss_mb: float


def _list_child(gazetteer_dir: str, count: int) -> None:
    """The child process of :func:`list_run`: print one ListBench as JSON."""
    gaz = Gazetteer(Path(gazetteer_dir))
    text = village_list(gaz, count)
    t0 = time.perf_counter()
    found = extract(text, gaz)
    seconds = time.perf_counter() - t0
    print(json.dumps(asdict(ListBench(count, len(text), len(found), round(seconds, 3),
                                      round(_rss_mb(), 1)))))


def list_run(gazetteer_dir: Path, sizes: Sequence[int]) -> list[ListBench]:
    """Extract a list article of each size in ``sizes``, each in its own process."""
    out = []
    for count in sizes:
        code = f"from geo.bench_extract import _list_child; _list_child({str(gazetteer_dir)!r}, {count})"
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                              text=True)
        out.append(ListBench(**json.loads(done.stdout.splitlines()[-1])))
    return out


def list_lines(results: Sequence[ListBench]) -> list[str]:
    """The report of :func:`list_run`: each size's figures and its time over the first's."""
    first = results[0].extract_s or 1e-9
    header = (f"{'names':>8} {'chars':>9} {'mentions':>9} {'extract s':>10} {'x first':>8} "
              f"{'peak MB':>8}")
    lines = [header]
    lines += [f"{r.names:>8} {r.characters:>9} {r.mentions:>9} {r.extract_s:>10.2f} "
              f"{r.extract_s / first:>8.1f} {r.peak_rss_mb:>8.0f}" for r in results]
    return lines
