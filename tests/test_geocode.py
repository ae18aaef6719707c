"""The opt-in online geocoder: geopy's Nominatim driven through a local HTTP server on
127.0.0.1 that answers as Nominatim does (no outside network), the answers kept in the
gazetteer's overlay, and offline builds that open no socket.

The article and the server's answers are written here: Dakishman is a village near Kirkuk
that no bundled source has; the points answered for it are made up (one inside Iraq, one in
Iran for the refused case).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from geo import cli, geocode, pipeline
from geo.errors import GeocoderError
from geo.gazetteer import overlay
from geo.gazetteer.store import Gazetteer
from geo.records import Article, ArticleResult, Mention
from geo.settings import GeocoderSettings, Settings

from .conftest import ROOT

ARTICLE = """---
title: Two farmers killed near Kirkuk
source: written for geo's tests
date: 2026-11-30
---
Two farmers killed near Kirkuk

KIRKUK – Two farmers were killed on Sunday in the village of Dakishman in Kirkuk province,
officials in Kirkuk said. Families from Dakishman fled to Daquq and Tuz Khurmatu.
"""
IN_IRAQ = [{"place_id": 1, "lat": "35.2000", "lon": "44.3000", "display_name":
            "Dakishman, Daquq District, Kirkuk Governorate, Iraq"}]
IN_IRAN = [{"place_id": 2, "lat": "35.7000", "lon": "51.4000", "display_name":
            "Dakishman, Tehran Province, Iran"}]


class Service:
    """A Nominatim look-alike on 127.0.0.1: ``answers`` maps a query's first part (the name)
    to Nominatim's JSON list, or to "error" (HTTP 500) or "slow" (answers after 2 s); every
    query received is in ``asked``."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.asked: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                q = parse_qs(urlparse(self.path).query)["q"][0]
                service.asked.append(q)
                answer = service.answers.get(q.split(",")[0], [])
                if answer == "slow":
                    time.sleep(2)
                    answer = []
                status = 500 if answer == "error" else 200
                body = json.dumps([] if status == 500 else answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a slow answer the client no longer waits for

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def options(self) -> list[str]:
        """The command line options that point geo's Nominatim at this server."""
        return ["--geocoder", "nominatim", "--user-agent", "geo-tests",
                "--geocoder-option", f"domain=127.0.0.1:{self.port}",
                "--geocoder-option", "scheme=http", "--geocoder-delay", "0",
                "--geocoder-timeout", "0.5"]

    def settings(self) -> GeocoderSettings:
        return geocode.service_settings(
            "nominatim", user_agent="geo-tests", delay=0, timeout=0.5,
            options=[f"domain=127.0.0.1:{self.port}", "scheme=http"])


@pytest.fixture(scope="module")
def gazetteer_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A gazetteer folder of links to data/gazetteer/ (so nothing there is written)."""
    base = tmp_path_factory.mktemp("gazetteer-links")
    folder = base / "gazetteer"
    folder.mkdir()
    for path in (ROOT / "data" / "gazetteer").iterdir():
        if path.is_file():
            (folder / path.name).symlink_to(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        yield folder


@pytest.fixture()
def gdir(gazetteer_dir: Path) -> Iterator[Path]:
    """The linked gazetteer with no geocoded answers before or after the test."""
    overlay.write_geocoded(gazetteer_dir, [])
    yield gazetteer_dir
    overlay.write_geocoded(gazetteer_dir, [])


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.server.shutdown()


@pytest.fixture()
def nominatim(service: Service, monkeypatch: pytest.MonkeyPatch) -> Service:
    """The local service with no answers and nothing asked yet (and no proxy in the way)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    service.answers.clear()
    service.asked.clear()
    return service


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "dakishman.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def build(seeds: Path, out: Path, gdir: Path, *extra: str) -> int:
    return cli.main(["--gazetteer", str(gdir), "build", "--seeds", str(seeds), "--out",
                     str(out), *extra])


def features(out: Path) -> dict[str, dict[str, Any]]:
    """The places of a build's places.geojson, by name."""
    doc = json.loads((out / "places.geojson").read_text("utf-8"))
    return {f["properties"]["name"]: f for f in doc["features"]}


# --- which names, in which context ---------------------------------------------------------

def test_feature_words_name_the_places_the_gazetteer_lacks() -> None:
    text = ("In Dakishman village, a man died. They reached the Sazan Border Crossing near the "
            "village of Khanasor; families fled to Domiz refugee camp. The camp is full. Gali "
            "Ali Beg waterfall. Iraqi Army camp. Dakishman is quiet.")
    names = geocode.unresolved_names(text, [])
    assert [(n.text, n.kind) for n in names] == [
        ("Dakishman", "village"), ("Sazan", "physical"), ("Khanasor", "village"),
        ("Domiz", "village"), ("Gali Ali Beg", "physical"), ("Dakishman", "village")]
    assert all(text[n.start:n.end] == n.text for n in names)


@pytest.mark.parametrize("text", [
    "Students of the High school went to Summer camp; the camp had a summer pool.",  # lower case
    "The PRIDE camp opened.",  # capitals
    "They met at Tuesday's camp.",  # a possessive
    "The Iraqi Army camp and the Kurdistan Police checkpoint.",  # ends with an organisation word
    "Clashes across the school district, the Arab Spring town hall.",  # not feature words
])
def test_words_that_are_no_names_are_not_asked_about(text: str) -> None:
    assert geocode.unresolved_names(text, []) == []


def test_names_the_gazetteer_matched_are_not_asked_about(gaz: Gazetteer) -> None:
    text = "Clashes in Kirkuk city and in the village of Dakishman, near Makhmour camp."
    mentions = pipeline.extract(text, gaz)
    assert {m.text for m in mentions} >= {"Kirkuk", "Makhmour"}
    assert [n.text for n in geocode.unresolved_names(text, mentions)] == ["Dakishman"]


def test_a_mention_left_without_a_place_is_asked_about() -> None:
    unplaced = Mention(start=0, end=6, text="Qushqa", place=None, score=0.0)
    names = geocode.unresolved_names("Qushqa was shelled.", [unplaced])
    assert [(n.text, n.kind) for n in names] == [("Qushqa", geocode.UNRESOLVED_KIND)]


def test_the_context_is_the_articles_country_and_unit(gaz: Gazetteer) -> None:
    text = ARTICLE.split("---\n", 2)[2]
    context = geocode.article_context(pipeline.extract(text, gaz), min_score=0.2)
    assert context == geocode.Context("IQ", "iso:IQ-KI")
    assert geocode.query("Dakishman", context, gaz) == "Dakishman, Kirkuk, Iraq"
    assert geocode.article_context([], min_score=0.2) == geocode.Context("", "")


def test_answers_outside_the_country_are_refused(gaz: Gazetteer) -> None:
    from geo._geocoder import Answer

    inside = geocode.inside_country(gaz, "IQ")
    tehran, kirkuk = Answer(35.7, 51.4, "Tehran"), Answer(35.2, 44.3, "near Kirkuk")
    assert geocode.judge([tehran, kirkuk], inside) == kirkuk  # the first one inside
    assert geocode.judge([tehran], inside) == geocode.REFUSED
    assert geocode.judge([], inside) == geocode.NONE
    assert geocode.judge([tehran], geocode.inside_country(gaz, "")) == tehran


# --- builds with the local service -----------------------------------------------------------

def test_a_resolved_name_is_kept_and_a_second_build_asks_nothing(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service) -> None:
    nominatim.answers["Dakishman"] = IN_IRAQ
    assert build(seeds, tmp_path / "maps", gdir, *nominatim.options()) == 0
    assert nominatim.asked == ["Dakishman, Kirkuk, Iraq"]
    place = features(tmp_path / "maps")["Dakishman"]
    assert place["properties"]["source"] == "geocoder/nominatim"
    assert place["geometry"] == {"type": "Point", "coordinates": [44.3, 35.2]}  # (lon, lat)
    assert place["properties"]["mentions"] == 2
    kept = overlay.read_geocoded(gdir)
    assert [(e["query"], e["status"]) for e in kept] == [("Dakishman, Kirkuk, Iraq", "found")]
    page = (tmp_path / "maps" / "index.html").read_text("utf-8")
    # the attribution, and the place's source that its popup shows ("source: ...")
    assert "Geocoded names: Nominatim" in page and '"geocoder/nominatim"' in page

    assert build(seeds, tmp_path / "again", gdir, *nominatim.options()) == 0
    assert build(seeds, tmp_path / "offline", gdir) == 0
    assert nominatim.asked == ["Dakishman, Kirkuk, Iraq"]  # asked once, in three builds
    for out in ("again", "offline"):
        for name in pipeline.OUTPUT_NAMES:
            assert (tmp_path / out / name).read_bytes() == (tmp_path / "maps" / name).read_bytes()


def test_a_name_answered_outside_the_country_is_refused_and_kept(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service) -> None:
    nominatim.answers["Dakishman"] = IN_IRAN
    assert build(seeds, tmp_path / "maps", gdir, *nominatim.options()) == 0
    assert "Dakishman" not in features(tmp_path / "maps")
    assert [e["status"] for e in overlay.read_geocoded(gdir)] == ["refused"]
    build(seeds, tmp_path / "again", gdir, *nominatim.options())
    assert len(nominatim.asked) == 1


@pytest.mark.parametrize("failure", ["error", "slow"])
def test_a_service_error_or_timeout_leaves_the_name_unresolved(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service, failure: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    nominatim.answers["Dakishman"] = failure
    assert build(seeds, tmp_path / "maps", gdir, *nominatim.options()) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "'Dakishman'" in err[0] and "stays unresolved" in err[0], err
    assert "Dakishman" not in features(tmp_path / "maps")
    assert "Kirkuk" in features(tmp_path / "maps")
    assert overlay.read_geocoded(gdir) == []  # not kept: the next build asks again
    nominatim.answers["Dakishman"] = IN_IRAQ
    build(seeds, tmp_path / "maps", gdir, *nominatim.options())
    assert "Dakishman" in features(tmp_path / "maps")


def test_a_dead_service_is_given_up_after_a_few_names(
        gdir: Path, nominatim: Service, gaz: Gazetteer) -> None:
    names = [geocode.Name(0, 1, f"Gund{i}", f"gund{i}", "village") for i in range(6)]
    for n in names:
        nominatim.answers[n.text] = "error"
    lines: list[str] = []
    context = geocode.Context("IQ", "")
    got = geocode.ask_all([(n, context) for n in names], nominatim.settings(), gaz,
                          warn=lines.append)
    assert got == [] and len(lines) == geocode.MAX_FAILURES + 1
    assert "3 more names stay unresolved" in lines[-1]


def test_remove_geocoded_forgets_the_answer(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service,
        capsys: pytest.CaptureFixture[str]) -> None:
    nominatim.answers["Dakishman"] = IN_IRAQ
    build(seeds, tmp_path / "maps", gdir, *nominatim.options())
    assert cli.main(["--gazetteer", str(gdir), "gazetteer", "remove-geocoded", "Sazan"]) == 0
    assert "nothing to remove" in capsys.readouterr().out
    assert cli.main(["--gazetteer", str(gdir), "gazetteer", "remove-geocoded",
                     "DAKISHMAN"]) == 0
    assert "removed 'Dakishman'" in capsys.readouterr().out
    assert not overlay.geocoded_path(gdir).exists()
    build(seeds, tmp_path / "maps", gdir)
    assert "Dakishman" not in features(tmp_path / "maps")


@pytest.mark.parametrize("line", ["not JSON", '["a list"]', '{"key": "x"}'])
def test_a_damaged_answers_file_is_a_clear_error_and_can_be_removed(
        seeds: Path, tmp_path: Path, gdir: Path, line: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = overlay.geocoded_path(gdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n", encoding="utf-8")
    assert build(seeds, tmp_path / "maps", gdir) != 0  # a GeoError: "geo: error: ..."
    err = capsys.readouterr().err
    assert err.startswith("geo: error: ") and "remove-geocoded" in err and str(path) in err
    assert cli.main(["--gazetteer", str(gdir), "gazetteer", "remove-geocoded"]) == 0
    assert build(seeds, tmp_path / "maps", gdir) == 0


def test_exports_mark_the_geocoded_places(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service) -> None:
    nominatim.answers["Dakishman"] = IN_IRAQ
    build(seeds, tmp_path / "maps", gdir, *nominatim.options())
    out = tmp_path / "places.csv"
    assert cli.main(["--gazetteer", str(gdir), "export", "--seeds", str(seeds), "--out",
                     str(tmp_path / "maps"), "-o", str(out)]) == 0
    lines = out.read_text("utf-8").splitlines()
    assert "source" in lines[0].split(",")
    assert any(line.startswith("Dakishman,") and "geocoder/nominatim" in line for line in lines)


def test_lookup_online_asks_once_and_checks_the_country(
        gdir: Path, nominatim: Service, capsys: pytest.CaptureFixture[str]) -> None:
    nominatim.answers["Dakishman"] = IN_IRAQ
    args = ["--gazetteer", str(gdir), "gazetteer", "lookup", "Dakishman", "--online",
            "--country", "iq", *nominatim.options()[2:]]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "(no match)" in out and "online: 35.2 44.3" in out and "'Dakishman, Iraq'" in out
    assert cli.main([*args, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["Dakishman"]
    assert found["candidates"] == [] and found["online"]["status"] == "found"
    assert nominatim.asked == ["Dakishman, Iraq"]


@pytest.mark.parametrize(("options", "message"), [
    (["--geocoder", "nominatim"], "needs --user-agent"),
    (["--geocoder", "nominatim", "--user-agent", " "], "needs --user-agent"),
    (["--geocoder", "nomnatim", "--user-agent", "x"], "unknown geocoder 'nomnatim'; geopy knows"),
    (["--geocoder", "nominatim", "--user-agent", "x", "--geocoder-option", "colour=red"],
     "takes no option 'colour'; its options are"),
    (["--geocoder", "nominatim", "--user-agent", "x", "--geocoder-option", "domain"],
     "is not KEY=VALUE"),
    (["--geocoder", "nominatim", "--user-agent", "x", "--geocoder-option", "timeout=3"],
     "with --geocoder-timeout"),
])
def test_geocoder_setup_errors_are_clear(seeds: Path, tmp_path: Path, gdir: Path,
                                         options: list[str], message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert build(seeds, tmp_path / "maps", gdir, *options) != 0  # a GeoError
    err = capsys.readouterr().err
    assert err.startswith("geo: error: ") and message in err
    assert not (tmp_path / "maps").exists()  # refused before any article is read
    with pytest.raises(GeocoderError):
        geocode.service_settings("nominatim", user_agent=None)


def test_help_says_a_user_agent_is_required() -> None:
    assert "--user-agent" in (cli.cmd_build.__doc__ or "")
    done = subprocess.run([sys.executable, "-m", "geo", "build", "--help"], text=True,
                          capture_output=True, check=True)
    assert "Requires --user-agent" in " ".join(done.stdout.split())


# --- offline stays offline -------------------------------------------------------------------

GUARD = """
import socket, sys
def refuse(*args, **kwargs):
    print("geo-test: a connection was attempted", args[1:2] or args[:1], file=sys.stderr)
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from geo.cli import main
sys.exit(main(sys.argv[1:]))
"""


def guarded_build(*args: str) -> subprocess.CompletedProcess[str]:
    """``geo ARGS`` in a fresh process in which every socket connection is refused, and
    reported on standard error."""
    return subprocess.run([sys.executable, "-c", GUARD, *args], text=True,
                          capture_output=True, cwd=ROOT, check=False,
                          env={**os.environ, "NO_PROXY": "127.0.0.1"})


def test_a_build_without_a_geocoder_opens_no_connection(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service) -> None:
    nominatim.answers["Dakishman"] = IN_IRAQ
    paths = ["--gazetteer", str(gdir), "build", "--seeds", str(seeds)]
    # the guard does catch a connection: with a geocoder, the one to the local service
    online = guarded_build(*paths, "--out", str(tmp_path / "online"), *nominatim.options())
    assert "a connection was attempted" in online.stderr and online.returncode == 0
    assert nominatim.asked == []
    build(seeds, tmp_path / "kept", gdir, *nominatim.options())  # an answer to use offline
    offline = guarded_build(*paths, "--out", str(tmp_path / "offline"))
    assert offline.returncode == 0, offline.stderr
    assert "connection" not in offline.stderr
    assert "Dakishman" in features(tmp_path / "offline")  # the kept answer, used offline


def test_without_answers_kept_nothing_is_read_or_changed(tmp_path: Path, gaz: Gazetteer) -> None:
    result = ArticleResult(Article(id="a", text="In the village of Dakishman."), ())
    settings = Settings(gazetteer_dir=tmp_path / "no-gazetteer")
    assert geocode.place_unresolved([result], settings) == (result,)


@pytest.mark.browser
def test_the_map_names_the_service_in_its_attribution(
        seeds: Path, tmp_path: Path, gdir: Path, nominatim: Service) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("GEO_REQUIRE_BROWSER") == "1":
            pytest.fail("GEO_REQUIRE_BROWSER=1 but Chromium is missing: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium) - browser test skipped")
    from playwright.sync_api import sync_playwright

    nominatim.answers["Dakishman"] = IN_IRAQ
    build(seeds, tmp_path / "maps", gdir, *nominatim.options())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        page.goto((tmp_path / "maps" / "index.html").as_uri())
        text = page.locator(".leaflet-control-attribution").inner_text()
        browser.close()
    assert "Geocoded names: Nominatim, © OpenStreetMap contributors (ODbL)" in text
    assert "GeoNames" in text  # the gazetteer's attribution stays
