"""The map in a real browser (headless Chromium), with the network cut off.

Skips with a reason when Chromium is missing, unless GEO_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import render
from geo.records import MappedPlace, Place

from . import synthetic

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if os.environ.get("GEO_REQUIRE_BROWSER") == "1":
            pytest.fail("GEO_REQUIRE_BROWSER=1 but Chromium is missing: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium) - browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield b
        b.close()


def _open(browser, path: Path):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    page.wait_for_timeout(300)
    return page, errors


def test_map_loads_offline_with_layers_and_places(browser, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, seed_build / "index.html")
    labels = page.locator(".leaflet-control-layers label").all_inner_texts()
    text = " ".join(labels)
    for name in ("Mentioned places", "Mentioned regions", "Kurdistan Region", "Disputed territories"):
        assert name in text
    assert page.locator("path.leaflet-interactive").count() > 10  # units and regions drawn
    assert page.locator(".geo-pin, .marker-cluster").count() >= 3  # the places
    assert page.locator(".geo-legend").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-map.png"))
    assert errors == []


def test_land_is_drawn_not_a_blank_canvas(browser, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ = _open(browser, seed_build / "index.html")
    fills = page.eval_on_selector_all("path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert "#f4f1ea" in fills  # the offline basemap's land colour


# Opens every popup and tooltip: those of the layers on the map, and (with the same content)
# those of the markers a cluster holds; returns the text the reader saw.
_OPEN_ALL = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const cluster = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
    const texts = [];
    const show = (el) => { if (el) texts.push(el.innerText); };
    map.eachLayer(l => {
        if (l.getTooltip && l.getTooltip()) { l.openTooltip(); }
        if (l.getPopup && l.getPopup()) { l.openPopup(); show(l.getPopup().getElement()); }
    });
    cluster.getLayers().forEach(m => {
        const tip = L.tooltip().setLatLng(m.getLatLng()).setContent(m.getTooltip().getContent());
        map.openTooltip(tip);
        show(tip.getElement());
        const pop = L.popup().setLatLng(m.getLatLng()).setContent(m.getPopup().getContent());
        map.openPopup(pop);
        show(pop.getElement());
    });
    return texts;
}"""


def test_popups_and_tooltips_run_no_article_code(browser, hostile_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, hostile_map)
    shown = page.evaluate(_OPEN_ALL)
    assert len(shown) > 10
    page.wait_for_timeout(200)
    # the hostile title and body were shown to the reader as plain text
    assert any('<script>window.__pwned = "title"</script>' in t for t in shown)
    assert any("onerror=" in t for t in shown)
    options = page.locator(".geo-article option").all_inner_texts()
    assert any('<script>window.__pwned = "title"</script>' in t for t in options)
    page.fill(".geo-search input", "Kirkuk")
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    assert page.evaluate("window.__pwned") is None
    assert errors == []


@pytest.fixture(scope="module")
def dated_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.write(tmp_path_factory.mktemp("dated"))


def _count(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(".geo-count").inner_text())


def test_article_and_date_filters_show_one_articles_places(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    assert _count(page) == "3 of 3 articles, 3 of 3 places"
    page.select_option(".geo-article", label="2020-06-01 · Second <b>report</b>")
    assert _count(page) == "1 of 3 articles, 1 of 3 places"
    assert page.locator(".leaflet-geoRegions-pane path").count() == 1  # Beta Gov's polygon
    page.select_option(".geo-article", value="")
    sliders = page.locator(".geo-range")
    sliders.nth(0).fill("2")  # from the third date: only the 2021 article is left
    assert page.locator(".geo-date-label").inner_text() == "2021-01-01 – 2021-01-01"
    assert _count(page) == "1 of 3 articles, 1 of 3 places"
    assert page.locator(".geo-article option").count() == 2  # "All articles" and the one left
    assert page.locator(".leaflet-geoRegions-pane path").count() == 0
    assert errors == []


def test_search_finds_a_place_by_any_spelling_and_opens_it(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    page.fill(".geo-search input", "beta")
    assert page.locator(".geo-search li").all_inner_texts() == ["Beta Gov"]
    page.locator(".geo-search li").first.click()
    page.wait_for_selector(".leaflet-popup-content")
    assert "Talks in Beta." in page.locator(".leaflet-popup-content").inner_text()
    page.fill(".geo-search input", "nowhere")
    assert page.locator(".geo-search li").all_inner_texts() == ["no match"]
    assert errors == []


def test_search_shows_a_hostile_spelling_as_text(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    odd = '<img src=x onerror="window.__pwned=1">Delta'
    place = MappedPlace(Place("t:9", "Delta", "town", "IQ", 35.5, 44.5), 1, ("a",),
                        ("Delta", odd), (("a", "In Delta."),))
    page, errors = _open(browser, synthetic.write(tmp_path, (*synthetic.PLACES, place)))
    page.fill(".geo-search input", "onerror")
    assert page.locator(".geo-search li").all_inner_texts() == ["Delta"]
    page.fill(".geo-search input", "delta")
    assert page.locator(".geo-search li").all_inner_texts() == ["Delta"]
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert errors == []


_VIEW = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const c = map.getCenter();
    return [c.lat, c.lng, map.getZoom()];
}"""


def test_the_map_opens_on_its_places(browser, dated_map: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    lat, lon, zoom = page.evaluate(_VIEW)
    box = render.bounds(synthetic.PLACES)
    assert box is not None
    (south, west), (north, east) = box
    assert abs(lat - (south + north) / 2) < 0.1 and abs(lon - (west + east) / 2) < 0.1
    assert zoom == page.evaluate(f"""() => Object.values(window).find(v => v instanceof L.Map)
                                 .getBoundsZoom({list(map(list, box))})""")
    assert errors == []
    empty, errors = _open(browser, synthetic.write(tmp_path, ()))
    assert empty.evaluate(_VIEW) == [36.0, 44.0, 6]  # nothing mapped: the initial view
    assert errors == []


def test_full_screen_button_fills_the_screen(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    page.click(".geo-fullscreen-button")
    page.wait_for_timeout(200)
    assert page.evaluate("""() => document.fullscreenElement !== null
        || document.querySelector('.leaflet-container').classList.contains('geo-full')""")
    assert errors == []
