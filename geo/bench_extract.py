"""Benchmarks that print figures: gazetteer start-up, lookup as a whole process, extraction
throughput and memory. Speed targets live here, never in timed unit tests."""

from __future__ import annotations

import resource
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import zip_longest
from pathlib import Path

from geo import _compiled, languages
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
    # characters/s per detected language, and as a ratio to English's in the same run
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
    # the languages take turns, text by text, so that a machine whose load drifts during the
    # run slows them alike and the ratios hold
    for batch in zip_longest(*by_lang.values()):
        for lang, text in zip(by_lang, batch):
            if text is not None:
                t1 = time.perf_counter()
                extract(text, gaz, lang)
                seconds[lang] += time.perf_counter() - t1
    extract_s = sum(seconds.values())
    speeds = {lang: round(sum(map(len, by_lang[lang])) / s) if s else 0.0
              for lang, s in sorted(seconds.items())}
    chars = sum(map(len, texts))
    english = speeds.get("en")
    return ExtractBench(
        gazetteer_load_s=round(load_s, 3), rss_after_load_mb=round(rss_load, 1),
        lookup_process_s=round(lookup_process_seconds(gazetteer_dir), 3),
        articles=len(texts), characters=chars, extract_s=round(extract_s, 3),
        articles_per_s=round(len(texts) / extract_s, 1) if extract_s else 0.0,
        characters_per_s=round(chars / extract_s) if extract_s else 0.0,
        peak_rss_mb=round(_rss_mb(), 1), compiled=_compiled.in_use(),
        characters_per_s_by_language=speeds,
        ratio_to_english={k: round(v / english, 2) for k, v in speeds.items()} if english else {})
