"""The map page: self-contained, escaped, with the layers a user expects."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from geo import _assets, _map_ui, _page, aggregate, pipeline, render
from geo.errors import AssetError
from geo.gazetteer.store import Gazetteer
from geo.records import Article, MappedPlace, Place
from geo.settings import Settings

from . import synthetic

ASSETS = (_assets.LEAFLET_JS_URL, _assets.LEAFLET_CSS_URL, _assets.CLUSTER_JS_URL,
          *_assets.CLUSTER_CSS_URLS, _assets.MAP_JS_URL, _assets.MAP_CSS_URL)


def _inlined(url: str) -> str:
    """An asset's text as ``_assets.inline`` puts it in the page."""
    text = _assets.read_asset(url)
    return text.replace("</script", "<\\/script") if url.endswith(".js") else text


def _own_code(page: str) -> str:
    """The page without its inlined assets: what geo and folium wrote for this page."""
    for url in ASSETS:
        assert _inlined(url) in page, url
        page = page.replace(_inlined(url), "")
    return page


def _geo_map_call(own: str) -> tuple[str, str]:
    """The JSON text of the data document and of the legend that the page passes to geoMap
    (with this page's map and layers)."""
    call = re.search(r'geoMap\(map_\w+, script_layer_\w+,\s+feature_group_\w+, (\{.*?\}), '
                     r'("\\u003cdetails open class=\'geo-legend\'.*?")\);', own, re.DOTALL)
    assert call
    return call.group(1), call.group(2)


def test_no_remote_scripts_or_styles(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "geo-asset:" not in page  # every asset reference was replaced ...
    for url in ASSETS:  # ... by the asset itself, Leaflet's own code among them
        assert _inlined(url) in page, url


def test_layers_are_named(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    for name in ("Mentioned places", "Mentioned regions", "Kurdistan Region",
                 "Disputed territories", "Offline basemap"):
        assert name in page


def test_article_text_is_escaped(hostile_map: Path) -> None:
    page = hostile_map.read_text(encoding="utf-8")
    assert "window.__pwned" in page  # the text is there ...
    assert '<script>window.__pwned' not in page  # ... but never as markup
    assert "<img src=x" not in page
    assert 'onmouseover="window' not in page
    assert "\\u0026lt;script\\u0026gt;" in page  # escaped HTML, inside the JSON data
    assert 'href="javascript:' not in page
    # the articles' text reaches the page only through the data document
    own = _own_code(page)
    data, _ = _geo_map_call(own)
    assert "__pwned" in data and "__pwned" not in own.replace(data, "")


def test_attribution_names_every_source(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    osm = "OpenStreetMap\\u003c/a\\u003e contributors"  # the online tiles' own credit
    for source in ("GeoNames", "Natural Earth", "geoBoundaries", osm):
        assert source in page


def test_every_layer_and_control_is_on_the_page(seed_build: Path) -> None:
    own = _own_code((seed_build / "index.html").read_text(encoding="utf-8"))
    for piece in ("L.markerClusterGroup({", "geoBasemap({", "L.control.layers(",
                  "OpenStreetMap (online)", "Mentioned regions", "geo-k0{background:#"):
        assert piece in own, piece
    assert own.count("geoContext({") == len(render.CONTEXT_STYLES)
    # geo's controls: one call with this page's map, layers, data and legend
    data, legend = map(json.loads, _geo_map_call(own))
    assert data["places"] and data["bounds"] and "Mentioned regions" in legend


def test_no_string_in_the_data_can_close_the_script() -> None:
    text = _map_ui.script_json({"t": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><script>alert(1)</script> & \u2028"}


def _map_data(places: tuple[MappedPlace, ...], articles: tuple[Article, ...]) -> dict:
    return render.map_data(places, articles=articles, shape_of=synthetic.shape_of,
                           scale=render.scale_of(places))


def test_map_data_orders_articles_and_escapes_their_titles() -> None:
    data = _map_data(synthetic.PLACES, synthetic.ARTICLES)
    assert [a["d"] for a in data["articles"]] == ["2020-01-01", "2020-06-01", "2021-01-01"]
    assert data["articles"][1]["t"] == "Second &lt;b&gt;report&lt;/b&gt;"
    assert [p["a"] for p in data["places"]] == [[0], [1], [0, 2]]
    assert data["places"][0]["ll"] == [35.0, 44.0]  # (lat, lon), Leaflet's order
    assert [r["p"] for r in data["regions"]] == [1]  # only the governorate has a polygon
    assert data["regions"][0]["g"]["coordinates"][0][0] == [44.5, 33.5]  # GeoJSON (lon, lat)
    # the view to fit: ((south, west), (north, east)), (lat, lon) as Leaflet takes it, padded
    assert data["bounds"] == ((33.5, 42.5), (37.0, 45.5))


def test_search_names_are_plain_text_and_popups_escaped() -> None:
    place = Place("t:9", "A & B <i>", "town", "IQ", 35.0, 44.0)
    mp = MappedPlace(place, 1, ("a",), ("A & B <i>", "A&B"), (("a", "In A & B <i>."),))
    [rec] = _map_data((mp,), synthetic.ARTICLES)["places"]
    assert rec["s"] == ["A & B <i>", "A&B"]  # compared and shown as text by geo-map.js
    assert "<b>A &amp; B &lt;i&gt;</b>" in rec["tip"] and "<i>" not in rec["pop"].split(")")[1]


def test_undated_or_odd_dates_stay_out_of_the_time_filter() -> None:
    arts = (Article(id="x", text="", date="14 June 2020"), Article(id="y", text=""))
    data = _map_data((), arts)
    assert [a["d"] for a in data["articles"]] == ["", ""]
    assert "bounds" not in data  # nothing mapped: the map keeps its initial view


def test_marker_sizes_and_region_classes_scale_with_mentions() -> None:
    assert render.radius(1, 1) == render.MAX_RADIUS
    assert render.radius(1, 10_000) == render.MIN_RADIUS
    assert render.radius(25, 100) == render.MAX_RADIUS / 2
    assert render.mention_classes(1) == (1,)
    assert render.mention_classes(7) == (1, 2, 3, 5)
    classes = render.mention_classes(1000)
    assert classes[0] == 1 and len(classes) == 5 and classes[-1] < 1000
    colours = _map_ui.ramp(len(classes))
    assert render.shade(1, classes) == colours[0] and render.shade(999, classes) == colours[-1]


def test_popup_counts_the_articles_it_does_not_quote() -> None:
    mp = MappedPlace(Place("t:9", "Delta", "town", "IQ", 35.0, 44.0), 9,
                     tuple("abcdefg"), ("Delta",), tuple((a, "In Delta.") for a in "abcde"))
    html = render.popup_html(mp, {})
    assert "9 mentions in 7 articles" in html and "and 2 more articles" in html


def test_legend_lists_the_kinds_the_scale_and_the_context_layers() -> None:
    page = synthetic.page()
    found = re.search(r'"\\u003cdetails.*?\\u003c/details\\u003e"', page)
    assert found
    legend = json.loads(found.group())
    for piece in ("town", "governorate / province", "city", "Mentioned regions",
                  "Kurdistan Region", "Disputed territories", "largest 3"):
        assert piece in legend


def test_map_page_is_deterministic() -> None:
    assert synthetic.page() == synthetic.page()


def _folium_page(backdrop: render.Backdrop, parts: render.Parts) -> str:
    """The page folium renders with the parts themselves in place (no skeleton, no holes)."""
    return _page.page(basemap=backdrop.basemap, context=backdrop.context, data=parts.data,
                      legend=parts.legend, css=parts.css)


@pytest.mark.parametrize("places", [synthetic.PLACES, ()], ids=["places", "no-places"])
def test_filled_skeleton_is_the_page_folium_renders(places: tuple[MappedPlace, ...]) -> None:
    parts = render.parts(places, articles=synthetic.ARTICLES, shape_of=synthetic.shape_of)
    backdrop = render.backdrop(synthetic.CONTEXT, synthetic.BASEMAP)
    page = render.render(places, articles=synthetic.ARTICLES, shape_of=synthetic.shape_of,
                         skeleton=synthetic.skeleton())
    assert page == _folium_page(backdrop, parts)
    assert ("bounds" in json.loads(parts.data)) == bool(places)  # the view geo-map.js fits


def test_built_map_is_the_page_folium_renders(seed_build: Path, gaz: Gazetteer) -> None:
    settings = Settings(seeds_dir=seed_build.parent / "seeds", out_dir=seed_build)
    corpus = pipeline.analyse(settings)
    mapped = aggregate.places(corpus.results, min_score=settings.min_score)
    parts = render.parts(mapped, articles=[r.article for r in corpus.results],
                         shape_of=gaz.shape)
    basemap = (settings.gazetteer_dir / "basemap.geojson").read_text("utf-8").rstrip()
    page = _folium_page(render.backdrop(gaz.context(), basemap), parts)
    assert (seed_build / "index.html").read_bytes() == page.encode("utf-8")


def test_the_gazetteers_basemap_is_compact_json_the_page_embeds_as_it_is(gaz: Gazetteer) -> None:
    text = (Settings().gazetteer_dir / "basemap.geojson").read_text("utf-8").rstrip()
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def test_skeleton_round_trips_and_a_damaged_one_is_refused() -> None:
    skeleton = synthetic.skeleton()
    assert skeleton.holes and len(skeleton.pieces) == len(skeleton.holes) + 1
    assert set(skeleton.holes) == set(render.HOLES)
    assert render.Skeleton.parse(skeleton.text) == skeleton
    data = render.HOLES["data"]
    assert render.Skeleton.parse(skeleton.text.replace(data, "")) is None
    assert render.Skeleton.parse(skeleton.text + data) is None
    assert render.Skeleton.parse(skeleton.text[: len(skeleton.text) // 2]) is None


def test_text_that_looks_like_a_hole_or_an_element_id_stays_as_written() -> None:
    odd = "0123456789abcdef0123456789abcdef " + render.HOLES["css"] + " @@geo-hole:data@@ "
    arts = (Article(id="a", text="", title=odd, date="2020-01-01"),)
    page = render.render(synthetic.PLACES[:1], articles=arts, shape_of=synthetic.shape_of,
                         skeleton=synthetic.skeleton())
    assert _map_ui.script_json(render._e(odd))[1:-1] in page
    assert page.count(".geo-k0{") == 1  # the css went into its own hole only


@pytest.mark.parametrize("text", ["Mosul", "a & b < c > d", "\"'`${x}\\", "Sécurité ‘x’", 42])
def test_escaping_is_html_escape_with_quotes(text: object) -> None:
    assert render._e(text) == html.escape(str(text), quote=True)


def test_a_gazetteer_text_that_looks_like_a_hole_stays_as_written() -> None:
    feature = {**synthetic.CONTEXT["features"][0], "properties": {
        "layer": "kurdistan-region", "name": render.HOLES["data"]}}
    backdrop = render.backdrop({**synthetic.CONTEXT, "features": [feature]}, synthetic.BASEMAP)
    skeleton = render.skeleton(backdrop)
    assert _map_ui.script_json(render._e(render.HOLES["data"]))[1:-1] in skeleton.text


def test_an_asset_holding_a_hole_stops_the_render_instead_of_misplacing_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = _assets.read_asset

    def read_asset(url: str) -> str:
        return real(url) + (f"/* {render.HOLES['css']} */" if url == _assets.MAP_JS_URL else "")

    monkeypatch.setattr(_assets, "read_asset", read_asset)
    with pytest.raises(AssetError, match="placeholder"):
        synthetic.skeleton()
