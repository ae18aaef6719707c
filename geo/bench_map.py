"""The map benchmark: the page of 1,000 synthetic articles, its size and Chromium's load time.

The articles come from ``geo.bench`` (sentence templates and place names drawn from the
gazetteer). The page is opened in headless Chromium through Playwright with the network cut off;
the load time runs from navigation to the first frame painted after the map's script has run.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from geo import bench, pipeline
from geo.errors import BrowserMissingError
from geo.settings import Settings

SIZE_LIMIT = 10_000_000  # bytes
LOAD_LIMIT = 3.0  # seconds
_READY = "() => new Promise(done => requestAnimationFrame(() => done(performance.now())))"


@dataclass(frozen=True, slots=True)
class MapBench:
    """What one run of the map benchmark measured."""

    articles: int
    places: int
    build_seconds: float
    size_bytes: int
    load_seconds: tuple[float, ...]

    @property
    def load(self) -> float:
        """The median load time, in seconds."""
        return statistics.median(self.load_seconds)

    @property
    def ok(self) -> bool:
        """Whether the page is under 10 MB and opens in under 3 s."""
        return self.size_bytes < SIZE_LIMIT and self.load < LOAD_LIMIT

    def lines(self) -> list[str]:
        """The human-readable report."""
        runs = ", ".join(f"{s:.2f}" for s in self.load_seconds)
        return [
            f"articles:          {self.articles}",
            f"places on the map: {self.places}",
            f"build:             {self.build_seconds:.1f} s",
            f"index.html:        {self.size_bytes / 1e6:.2f} MB (limit {SIZE_LIMIT / 1e6:.0f} MB)",
            f"Chromium load:     {self.load:.2f} s median of {runs} (limit {LOAD_LIMIT:.0f} s)",
            f"within limits:     {'yes' if self.ok else 'NO'}",
        ]


def chromium_path() -> str:
    """The Chromium executable to drive; raises BrowserMissingError if there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        msg = "the map benchmark needs Chromium: apt-get install chromium"
        raise BrowserMissingError(msg)
    return found


def load_times(page_path: Path, *, runs: int = 3) -> tuple[float, ...]:
    """Seconds from navigation to the first painted frame, for each of ``runs`` cold opens."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        msg = "the map benchmark needs Playwright: pip install -e '.[test]'"
        raise BrowserMissingError(msg) from e
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                       else r.abort())
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_selector(".geo-legend")
            times.append(page.evaluate(_READY) / 1000)
            page.close()
        browser.close()
    return tuple(times)


def run(settings: Settings, *, count: int = 1000, runs: int = 3) -> MapBench:
    """Build the map of ``count`` synthetic articles and measure its size and load time."""
    names = bench.place_names(pipeline.gazetteer(settings))
    with tempfile.TemporaryDirectory(prefix="geo-bench-map-") as tmp:
        seeds, out = Path(tmp) / "seeds", Path(tmp) / "maps"
        bench.write_corpus(seeds, names, count)
        report = pipeline.build(replace(settings, seeds_dir=seeds, out_dir=out))
        page = out / "index.html"
        return MapBench(articles=report.articles, places=report.places,
                        build_seconds=report.seconds, size_bytes=page.stat().st_size,
                        load_seconds=load_times(page, runs=runs))
