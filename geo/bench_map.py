"""The map benchmark: the page of a real seeds folder (or of synthetic articles), its size, how
fast headless Chromium opens it and how much memory it takes, and how long rebuilding it takes.

A real folder is copied into a scratch folder without its last article (by name); the first
build, a rebuild with nothing changed and ``geo add`` of the held-back article are timed in the
same run, so their ratios compare like with like: once in this process (the gazetteer, once
loaded, stays loaded for the rebuild and the add) and once as a user runs them, the ``geo``
command in a new process for each step, on a fresh copy. Synthetic articles come from ``geo.bench``
(sentence templates and place names drawn from the gazetteer).

The page is opened in headless Chromium through Playwright with the network cut off, ``runs``
times: *first frame* runs from navigation to the first frame painted after the map's script has
run; *all drawn* to the moment the region polygons, drawn right after that frame, are on the
map; the JS heap is measured after a garbage collection once all is drawn.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geo import bench, pipeline
from geo.errors import BrowserMissingError, InputError
from geo.settings import Settings

SIZE_LIMIT = 10_000_000  # bytes
LOAD_LIMIT = 2.0  # seconds, to the first frame
HEAP_LIMIT = 150.0  # MB
ADD_LIMIT, NO_CHANGE_LIMIT = 0.10, 0.05  # of the first build
# set by geo-map.js, in ms since navigation: the first frame after its script ran, and the
# frame after the regions were drawn
_FIRST_FRAME, _ALL_DRAWN = "document.body.dataset.geoFirstFrame", "document.body.dataset.geoDrawn"


@dataclass(frozen=True, slots=True)
class PageLoad:
    """One open of the page: seconds to the first frame and until all is drawn, heap in MB."""

    first_frame: float
    drawn: float
    heap_mb: float


@dataclass(frozen=True, slots=True)
class Commands:
    """The same three steps run as a user runs them: ``geo build``, ``geo build`` again and
    ``geo add``, each a new process that pays its own start-up (imports, the gazetteer)."""

    build_seconds: float
    no_change_seconds: float
    add_seconds: float


@dataclass(frozen=True, slots=True)
class MapBench:
    """What one run of the map benchmark measured (build times in seconds)."""

    articles: int
    places: int
    build_seconds: float
    size_bytes: int
    loads: tuple[PageLoad, ...]
    no_change_seconds: float | None = None
    add_seconds: float | None = None
    commands: Commands | None = None

    def _median(self, field: str) -> float:
        return float(statistics.median(getattr(x, field) for x in self.loads))

    @property
    def load(self) -> float:
        """The median time to the first frame, in seconds."""
        return self._median("first_frame")

    def checks(self) -> list[tuple[str, bool]]:
        """Each limit and whether it holds."""
        out = [("size", self.size_bytes <= SIZE_LIMIT), ("load", self.load <= LOAD_LIMIT),
               ("heap", self._median("heap_mb") <= HEAP_LIMIT)]
        if self.add_seconds is not None and self.no_change_seconds is not None:
            out += [("add", self.add_seconds <= ADD_LIMIT * self.build_seconds),
                    ("no-change", self.no_change_seconds <= NO_CHANGE_LIMIT * self.build_seconds)]
        if self.commands is not None:
            c = self.commands
            out += [("add (new process)", c.add_seconds <= ADD_LIMIT * c.build_seconds),
                    ("no-change (new process)",
                     c.no_change_seconds <= NO_CHANGE_LIMIT * c.build_seconds)]
        return out

    def _verdict(self) -> str:
        failed = [name for name, ok in self.checks() if not ok]
        return "NO: " + ", ".join(failed) if failed else "yes"

    @property
    def ok(self) -> bool:
        """Whether every limit holds."""
        return all(ok for _, ok in self.checks())

    def lines(self) -> list[str]:
        """The human-readable report."""
        def runs(field: str, unit: str = "s", digits: int = 2) -> str:
            values = ", ".join(f"{getattr(x, field):.{digits}f}" for x in self.loads)
            return f"{self._median(field):.{digits}f} {unit} median of {values}"

        out = [
            f"articles:          {self.articles}",
            f"places on the map: {self.places}",
            f"first build:       {self.build_seconds:.2f} s",
        ]
        if self.no_change_seconds is not None and self.add_seconds is not None:
            out += [_ratio_line("no-change rebuild", self.no_change_seconds, self.build_seconds,
                                NO_CHANGE_LIMIT),
                    _ratio_line("geo add of one", self.add_seconds, self.build_seconds,
                                ADD_LIMIT)]
        if self.commands is not None:
            c = self.commands
            out += [f"as new processes:  geo build {c.build_seconds:.2f} s",
                    _ratio_line("  no-change", c.no_change_seconds, c.build_seconds,
                                NO_CHANGE_LIMIT),
                    _ratio_line("  geo add of one", c.add_seconds, c.build_seconds, ADD_LIMIT)]
        out += [
            f"index.html:        {self.size_bytes / 1e6:.2f} MB (limit {SIZE_LIMIT / 1e6:.0f} MB)",
            f"first frame:       {runs('first_frame')} (limit {LOAD_LIMIT:.0f} s)",
            f"all drawn:         {runs('drawn')}",
            f"JS heap:           {runs('heap_mb', 'MB', 0)} (limit {HEAP_LIMIT:.0f} MB)",
            f"within limits:     {self._verdict()}",
        ]
        return out


def _ratio_line(what: str, seconds: float, first: float, limit: float) -> str:
    return (f"{what + ':':<19}{seconds:.2f} s = {seconds / first:.3f} of the first build "
            f"(limit {limit})")


def chromium_path() -> str:
    """The Chromium executable to drive; raises BrowserMissingError if there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        msg = "the map benchmark needs Chromium: apt-get install chromium"
        raise BrowserMissingError(msg)
    return found


def page_loads(page_path: Path, *, runs: int = 3) -> tuple[PageLoad, ...]:
    """Each of ``runs`` cold opens of the page (see :class:`PageLoad`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        msg = "the map benchmark needs Playwright: pip install -e '.[test]'"
        raise BrowserMissingError(msg) from e
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        for _ in range(runs):
            out.append(_open(browser, page_path))
        browser.close()
    return tuple(out)


def _open(browser: Any, page_path: Path) -> PageLoad:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    cdp = page.context.new_cdp_session(page)
    page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
    page.wait_for_selector(".geo-legend", timeout=120_000)
    page.wait_for_function(_ALL_DRAWN, timeout=120_000)
    first = float(page.evaluate(_FIRST_FRAME)) / 1000
    drawn = float(page.evaluate(_ALL_DRAWN)) / 1000
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
    page.close()
    return PageLoad(first_frame=first, drawn=drawn, heap_mb=heap)


def run(settings: Settings, *, count: int = 1000, runs: int = 3) -> MapBench:
    """Build the map of ``count`` synthetic articles and measure its size and loads."""
    names = bench.place_names(pipeline.gazetteer(settings))
    with tempfile.TemporaryDirectory(prefix="geo-bench-map-") as tmp:
        seeds, out = Path(tmp) / "seeds", Path(tmp) / "maps"
        bench.write_corpus(seeds, names, count)
        report = pipeline.build(replace(settings, seeds_dir=seeds, out_dir=out))
        page = out / "index.html"
        return MapBench(articles=report.articles, places=report.places,
                        build_seconds=report.seconds, size_bytes=page.stat().st_size,
                        loads=page_loads(page, runs=runs))


def run_seeds(settings: Settings, folder: Path, *, runs: int = 3) -> MapBench:
    """The map of a real seeds folder: first build, no-change rebuild and ``geo add`` of its
    last article, timed in one run on a scratch copy; then the page's loads.

    Raises
    ------
    InputError
        If the folder holds fewer than two files.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())
    if len(files) < 2:
        msg = f"--seeds {str(folder)!r} holds {len(files)} files; the benchmark needs two or more"
        raise InputError(msg)
    with tempfile.TemporaryDirectory(prefix="geo-bench-map-") as tmp:
        seeds, out = Path(tmp) / "seeds", Path(tmp) / "maps"
        seeds.mkdir()
        for path in files[:-1]:
            shutil.copyfile(path, seeds / path.name)
        scratch = replace(settings, seeds_dir=seeds, out_dir=out)
        first = _timed(lambda: pipeline.build(scratch))
        no_change = _timed(lambda: pipeline.build(scratch))
        add = _timed(lambda: pipeline.add(scratch, [str(files[-1])], stdin=bytes))
        report = pipeline.build(scratch)
        page = out / "index.html"
        commands = _commands(settings, files, Path(tmp) / "commands")
        return MapBench(articles=report.articles, places=report.places, build_seconds=first,
                        size_bytes=page.stat().st_size, loads=page_loads(page, runs=runs),
                        no_change_seconds=no_change, add_seconds=add, commands=commands)


def _commands(settings: Settings, files: list[Path], scratch: Path) -> Commands:
    """The first build, the no-change rebuild and the add of the last file, each by the ``geo``
    command in a new process on a fresh copy, as a user runs them."""
    seeds, out = scratch / "seeds", scratch / "maps"
    seeds.mkdir(parents=True)
    for path in files[:-1]:
        shutil.copyfile(path, seeds / path.name)
    folders = ["--seeds", str(seeds), "--out", str(out),
               "--gazetteer", str(settings.gazetteer_dir)]

    def geo(*argv: str) -> float:
        return _timed(lambda: subprocess.run([sys.executable, "-m", "geo", *argv, *folders],
                                             check=True, capture_output=True))

    first = geo("build")
    return Commands(build_seconds=first, no_change_seconds=geo("build"),
                    add_seconds=geo("add", str(files[-1])))


def _timed(step: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0
