"""The map page: self-contained, escaped, with the layers a user expects."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from geo import _cache, _map_ui, _page, aggregate, pipeline, render
from geo.errors import AssetError
from geo.gazetteer.store import Gazetteer
from geo.records import Article, MappedPlace, Place
from geo.settings import Settings

from . import synthetic


def test_no_remote_scripts_or_styles(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "L.map(" in page or "L.map (" in page  # Leaflet itself is inlined


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
    assert "${window" not in page  # no template-literal interpolation either
    assert "\\u0026lt;script\\u0026gt;" in page  # escaped HTML, inside the JSON data
    assert 'href="javascript:' not in page


def test_attribution_names_every_source(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    osm = "OpenStreetMap\\u003c/a\\u003e contributors"  # the online tiles' own credit
    for source in ("GeoNames", "Natural Earth", "geoBoundaries", osm):
        assert source in page


def test_every_layer_and_control_is_on_the_page(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    for piece in ("L.markerClusterGroup(", "window.geoMap = function", "geo-legend",
                  "OpenStreetMap (online)", ".marker-cluster-small"):
        assert piece in page


def test_no_string_in_the_data_can_close_the_script() -> None:
    text = _map_ui.script_json({"t": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><script>alert(1)</script> & \u2028"}


def test_map_data_orders_articles_and_escapes_their_titles() -> None:
    data = render.map_data(synthetic.PLACES, articles=synthetic.ARTICLES,
                           shape_of=synthetic.shape_of)
    assert [a["d"] for a in data["articles"]] == ["2020-01-01", "2020-06-01", "2021-01-01"]
    assert data["articles"][1]["t"] == "Second &lt;b&gt;report&lt;/b&gt;"
    assert [p["a"] for p in data["places"]] == [[0], [1], [0, 2]]
    assert data["places"][0]["ll"] == [35.0, 44.0]  # (lat, lon), Leaflet's order
    assert [r["p"] for r in data["regions"]] == [1]  # only the governorate has a polygon
    assert data["regions"][0]["g"]["coordinates"][0][0] == [44.5, 33.5]  # GeoJSON (lon, lat)


def test_undated_or_odd_dates_stay_out_of_the_time_filter() -> None:
    arts = [Article(id="x", text="", date="14 June 2020"), Article(id="y", text="")]
    data = render.map_data([], articles=arts, shape_of=synthetic.shape_of)
    assert [a["d"] for a in data["articles"]] == ["", ""]


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
    return _page.page(basemap=backdrop.basemap, cluster=render.CLUSTER_JS,
                      context=backdrop.context, data=parts.data, legend=parts.legend,
                      css=parts.css, bounds=parts.bounds)


@pytest.mark.parametrize("places", [synthetic.PLACES, ()], ids=["places", "no-places"])
def test_filled_skeleton_is_the_page_folium_renders(places: tuple[MappedPlace, ...]) -> None:
    parts = render.parts(places, articles=synthetic.ARTICLES, shape_of=synthetic.shape_of)
    backdrop = render.backdrop(synthetic.CONTEXT, synthetic.BASEMAP)
    page = render.render(places, context=synthetic.CONTEXT, basemap=synthetic.BASEMAP,
                         shape_of=synthetic.shape_of, articles=synthetic.ARTICLES)
    assert page == _folium_page(backdrop, parts)
    assert ("fitBounds(" in page.split("</head>")[1]) == bool(places)


def test_built_map_is_the_page_folium_renders(seed_build: Path, gaz: Gazetteer) -> None:
    settings = Settings(seeds_dir=seed_build.parent / "seeds", out_dir=seed_build)
    corpus = pipeline.analyse(settings)
    mapped = aggregate.places(corpus.results, min_score=settings.min_score)
    parts = render.parts(mapped, articles=[r.article for r in corpus.results],
                         shape_of=gaz.shape)
    basemap = _cache.compact_json(_cache.cache_dir(seed_build),
                                  _cache.fingerprint(settings.gazetteer_dir),
                                  settings.gazetteer_dir / "basemap.geojson")
    page = _folium_page(render.backdrop(gaz.context(), basemap), parts)
    assert (seed_build / "index.html").read_bytes() == page.encode("utf-8")


def test_skeleton_round_trips_and_a_damaged_one_is_refused() -> None:
    backdrop = render.backdrop(synthetic.CONTEXT, synthetic.BASEMAP)
    skeleton = render.skeleton(backdrop, bounded=True)
    assert skeleton.holes and len(skeleton.pieces) == len(skeleton.holes) + 1
    assert render.Skeleton.parse(skeleton.text, bounded=True) == skeleton
    assert render.Skeleton.parse(skeleton.text, bounded=False) is None  # has the bounds hole
    data = render.HOLES["data"]
    assert render.Skeleton.parse(skeleton.text.replace(data, ""), bounded=True) is None
    assert render.Skeleton.parse(skeleton.text + data, bounded=True) is None
    assert render.Skeleton.parse(skeleton.text[: len(skeleton.text) // 2], bounded=True) is None


def test_text_that_looks_like_a_hole_or_an_element_id_stays_as_written() -> None:
    odd = ("0123456789abcdef0123456789abcdef " + render.HOLES["css"] + " @@geo-hole:data@@ "
           + render.HOLES["bounds"])
    arts = (Article(id="a", text="", title=odd, date="2020-01-01"),)
    page = render.render(synthetic.PLACES[:1], context=synthetic.CONTEXT,
                         basemap=synthetic.BASEMAP, shape_of=synthetic.shape_of, articles=arts)
    assert _map_ui.script_json(render._e(odd))[1:-1] in page
    assert page.count(".geo-k0{") == 1  # the css went into its own hole only


@pytest.mark.parametrize("text", ["Mosul", "a & b < c > d", "\"'`${x}\\", "Sécurité ‘x’", 42])
def test_escaping_is_html_escape_plus_template_literal_characters(text: object) -> None:
    expected = html.escape(str(text), quote=True)
    for char, entity in (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;")):
        expected = expected.replace(char, entity)
    assert render._e(text) == expected


def test_a_gazetteer_text_that_is_a_hole_stops_the_render_instead_of_misplacing_it() -> None:
    feature = {**synthetic.CONTEXT["features"][0], "properties": {
        "layer": "kurdistan-region", "name": json.loads(render.HOLES["bounds"])}}
    backdrop = render.backdrop({**synthetic.CONTEXT, "features": [feature]}, synthetic.BASEMAP)
    with pytest.raises(AssetError, match="placeholder"):
        render.skeleton(backdrop, bounded=True)
