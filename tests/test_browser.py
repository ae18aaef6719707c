"""The map in a real browser (headless Chromium), with the network cut off.

Skips with a reason when Chromium is missing, unless GEO_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import render
from geo.records import Article, MappedPlace, Place

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
    # the offline basemap names the large cities and the governorates
    labels = page.locator(".geo-label").all_inner_texts()
    assert {"Baghdad", "Mosul", "Erbil"} <= set(labels) and "Sulaymaniyah" in labels
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-map.png"))
    assert errors == []


def test_land_is_drawn_not_a_blank_canvas(browser, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ = _open(browser, seed_build / "index.html")
    fills = page.eval_on_selector_all("path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert "#f4f1ea" in fills  # the offline basemap's land colour


# Opens every popup and tooltip: those of the layers on the map (the context layers), and
# the shared ones of every mentioned place, marker or region (fired as a reader's hover and
# click would); returns the text the reader saw.
_OPEN_ALL = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const cluster = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
    const texts = [];
    const show = (el) => { if (el) texts.push(el.innerText); };
    map.eachLayer(l => {
        if (l.getTooltip && l.getTooltip()) { l.openTooltip(); show(l.getTooltip().getElement()); }
        if (l.getPopup && l.getPopup()) { l.openPopup(); show(l.getPopup().getElement()); }
    });
    const places = [];
    cluster.eachLayer(m => places.push([cluster, m, m.getLatLng()]));
    map.eachLayer(l => { if (l instanceof L.Polygon && l.geoPlace !== undefined) {
        places.push([null, l, l.getBounds().getCenter()]); } });
    places.forEach(([group, layer, latlng]) => {
        (group || layer).fire("mouseover", {layer: layer, latlng: latlng}, true);
        document.querySelectorAll(".leaflet-tooltip").forEach(show);
        (group || layer).fire("click", {layer: layer, latlng: latlng}, true);
        document.querySelectorAll(".leaflet-popup-content").forEach(show);
        document.querySelectorAll(".leaflet-popup-content .geo-more").forEach(b => b.click());
        document.querySelectorAll(".leaflet-popup-content").forEach(show);
    });
    return texts;
}"""


def test_popups_and_tooltips_run_no_article_code(browser, hostile_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, hostile_map)
    shown = page.evaluate(_OPEN_ALL)
    assert len(shown) > 10
    page.wait_for_timeout(200)
    # the hostile title, source and body were shown to the reader as plain text
    assert any('<script>window.__pwned = "title"</script>' in t for t in shown)
    assert any("onerror=" in t for t in shown)
    listed = page.locator(".geo-articles li").all_inner_texts()
    assert any('<script>window.__pwned = "title"</script>' in t for t in listed)
    assert page.locator("a[href^='javascript']").count() == 0  # the url never became a link
    for more in page.locator(".geo-more:visible").all():
        more.click()
    page.fill(".geo-article-search", "script")
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


def _regions_drawn(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let n = 0;
        map.eachLayer(l => { if (l instanceof L.Polygon && l.geoPlace !== undefined) { n++; } });
        return n;
    }"""))


def test_picking_an_article_shows_its_places_alone(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    assert _count(page) == "3 of 3 articles, 3 of 3 places"
    second = page.locator(".geo-articles li", has_text="Second <b>report</b>")
    second.locator(".geo-pick").click()
    assert _count(page) == "1 of 3 articles, 1 of 3 places"
    assert _regions_drawn(page) == 1  # Beta Gov's polygon
    page.locator(".geo-articles li.geo-picked .geo-pick").click()
    assert _count(page) == "3 of 3 articles, 3 of 3 places"
    assert errors == []


def test_article_search_finds_an_article_by_a_word_of_its_title(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    page.fill(".geo-article-search", "second")
    assert _count(page) == "1 of 3 articles, 1 of 3 places"
    assert page.locator(".geo-articles .geo-title").all_inner_texts() == ["Second <b>report</b>"]
    page.fill(".geo-article-search", "gamma")  # a place the article names
    assert page.locator(".geo-articles .geo-title").all_inner_texts() == [
        "Third report", "First report"]
    page.fill(".geo-article-search", "wire")  # a source
    assert _count(page).startswith("2 of 3 articles")
    assert errors == []


def test_a_time_range_hides_undated_articles_and_those_outside_it(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    undated = Article(id="u", text="", title="Undated report")
    place = MappedPlace(Place("t:8", "Delta", "town", "IQ", 35.5, 44.5), 1, ("u",), ("Delta",),
                        (("u", "Delta was calm."),))
    page, errors = _open(browser, synthetic.write(tmp_path, (*synthetic.PLACES, place),
                                                  (*synthetic.ARTICLES, undated)))
    assert _count(page) == "4 of 4 articles, 4 of 4 places"
    assert "1 undated" in page.locator(".geo-filter").inner_text()
    box = page.locator(".geo-hist").bounding_box()
    assert box is not None
    bins = page.locator(".geo-bar").count()
    assert bins == 13  # months from 2020-01 to 2021-01
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5 / bins, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 5.5 / bins, y, steps=4)
    page.mouse.up()
    assert page.locator(".geo-date-label").inner_text() == "2020-01 – 2020-06"
    assert _count(page) == "2 of 4 articles, 3 of 4 places"  # neither 2021 nor the undated one
    page.click(".geo-reset")
    assert _count(page) == "4 of 4 articles, 4 of 4 places"
    assert errors == []


def _open_popup(page, name: str):  # type: ignore[no-untyped-def]
    page.fill(".geo-search input", name)
    page.locator(".geo-search li").first.click()
    page.wait_for_selector(".leaflet-popup-content .geo-popup")
    return page.locator(".leaflet-popup-content .geo-popup")


def test_popup_shows_the_first_sentences_highlighted_and_more_on_request(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    arts = tuple(Article(id=f"n{i}", text="", title=f"Report {i}", date=f"2020-01-0{i + 1}")
                 for i in range(5))
    place = MappedPlace(Place("t:7", "Epsilon", "town", "IQ", 35.5, 44.5), 5,
                        tuple(a.id for a in arts), ("Epsilon", "Epsilón"),
                        tuple((a.id, f"News {i} from Epsilón today.") for i, a in enumerate(arts)))
    page, errors = _open(browser, synthetic.write(tmp_path, (place,), arts))
    popup = _open_popup(page, "epsilon")
    assert popup.locator(".geo-entry").count() == 3
    assert popup.locator(".geo-sentence").first.inner_text() == "News 0 from Epsilón today."
    assert popup.locator(".geo-sentence mark").all_inner_texts() == ["Epsilón"] * 3
    popup.locator(".geo-more").click()
    popup.locator(".geo-entry").nth(4).wait_for()
    assert popup.locator(".geo-more").is_hidden()
    assert errors == []


def test_the_address_hash_restores_the_view_and_the_filters(browser, dated_map: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, dated_map)
    page.fill(".geo-article-search", "first")
    page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).setView([35, 44], 9)")
    page.wait_for_timeout(300)
    link = page.evaluate("location.href")
    assert "q=first" in link and "map=9/35.0000/44.0000" in link
    again, errors2 = _open(browser, Path(dated_map))
    again.goto(link)
    again.reload()
    again.wait_for_selector(".geo-count")
    assert again.evaluate(_VIEW) == [35.0, 44.0, 9]
    assert again.input_value(".geo-article-search") == "first"
    assert _count(again) == "1 of 3 articles, 2 of 3 places"
    assert errors == [] and errors2 == []


ARABIC_TITLE = "وفد حكومي يصل إلى أربيل لبحث الأوضاع"
ARABIC_SENTENCE = "وصل وفد من بغداد إلى أربيل يوم الأحد لبحث الأوضاع الأمنية."


def _arabic_map(folder: Path) -> Path:
    """A page of one Arabic article, from hand-made mentions (written here, in the style of
    the region's press), so the test does not depend on recognising Arabic."""
    art = Article(id="ar1", text="", title=ARABIC_TITLE, source="\u202eكوردستان 24",
                  date="2020-06-14")
    erbil = MappedPlace(Place("t:11", "Erbil", "city", "IQ", 36.19, 44.01), 1, ("ar1",),
                        ("أربيل",), (("ar1", ARABIC_SENTENCE),))
    return synthetic.write(folder, (erbil,), (art, *synthetic.ARTICLES[:1]))


def test_an_arabic_popup_reads_right_to_left_with_the_name_highlighted(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, _arabic_map(tmp_path))
    popup = _open_popup(page, "اربيل")  # found by its Arabic spelling, hamza or not
    sentence = popup.locator(".geo-sentence")
    assert sentence.get_attribute("dir") == "auto"
    assert sentence.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert sentence.inner_text() == ARABIC_SENTENCE  # the name highlighted where it stands
    assert sentence.locator("mark").all_inner_texts() == ["أربيل"]
    title = popup.locator(".geo-title")
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator(".geo-articles .geo-title").first.evaluate(
        "e => getComputedStyle(e).direction") == "rtl"
    assert errors == []


# x of the first and of the last character of an element's text, as laid out
_ENDS = """e => {
    const t = e.firstChild, r = document.createRange();
    r.setStart(t, 0); r.setEnd(t, 1); const first = r.getBoundingClientRect().left;
    r.setStart(t, t.length - 1); r.setEnd(t, t.length); const last = r.getBoundingClientRect().left;
    return [first, last];
}"""


def test_a_right_to_left_override_in_a_source_does_not_reorder_the_text_after_it(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, _arabic_map(tmp_path))
    popup = _open_popup(page, "erbil")
    date = popup.locator(".geo-meta span").nth(1)  # " · 2020-06-14", after the source
    assert date.inner_text().strip() == "· 2020-06-14"
    first, last = date.evaluate(_ENDS)
    assert first < last  # still read left to right
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
