"""The map page: self-contained, escaped, with the layers a user expects."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from geo import _assets, _map_ui, _page, aggregate, geojson, pipeline, render
from geo.errors import AssetError
from geo.gazetteer.store import Gazetteer
from geo.records import Article, MappedPlace, Place
from geo.settings import Settings

from . import synthetic

ASSETS = (_assets.LEAFLET_JS_URL, _assets.LEAFLET_CSS_URL, _assets.CLUSTER_JS_URL,
          *_assets.CLUSTER_CSS_URLS, *_assets.MAP_JS_URLS, _assets.MAP_CSS_URL)


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
    """The JSON text of the data document (its own JSON block) and of the legend that the
    page passes to geoMap (with this page's map and layers)."""
    data = re.search(r'<script type="application/json" id="geo-data">(\{.*?\})</script>', own,
                     re.DOTALL)
    call = re.search(r'geoMap\(map_\w+, script_layer_\w+,\s+feature_group_\w+,\s+'
                     r'geoData\(document.getElementById\("geo-data"\)\), '
                     r'("\\u003cdetails open class=\'geo-legend\'.*?")\);', own, re.DOTALL)
    assert data and call
    return data.group(1), call.group(1)


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
    assert "\\u003cscript\\u003ewindow.__pwned" in page  # plain text, inside the JSON data
    assert "javascript:" not in page  # never kept, so never a link
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
    return render.map_data(places, articles=articles,
                           regions=render.regions_of(places, synthetic.shape_of),
                           scale=render.scale_of(places))


def test_map_data_is_tables_of_articles_places_and_sentences() -> None:
    data = _map_data(synthetic.PLACES, synthetic.ARTICLES)
    arts = data["articles"]
    assert arts["d"] == ["2020-01-01", "2020-06-01", "2021-01-01"]  # oldest first
    assert arts["t"][1] == "Second <b>report</b>"  # plain text: the page shows it as text
    assert arts["u"] == ["https://example.org/a", "", ""]
    assert [data["sources"][s] if s >= 0 else None for s in arts["s"]] == ["Wire", "Wire", None]
    places = data["places"]
    assert places["n"] == ["Alpha Town", "Beta Gov", "Gamma"]
    assert places["ll"][:2] == [35.0, 44.0]  # (lat, lon), Leaflet's order
    assert places["alt"] == [[], ["Beta"], []]
    # (article, sentence) pairs: Gamma is named by articles 0 and 2, quoted from the second
    assert places["a"][2] == [0, -1, 2, 2]
    assert data["sentences"][places["a"][1][1]] == "Talks in Beta."
    assert data["regions"]["p"] == [1]  # only the governorate has a polygon
    ring = data["regions"]["topology"]["shapes"][0][0][0]
    assert ring in ([0], [~0])  # one arc, the square's outline, whichever way it runs
    # the view to fit: ((south, west), (north, east)), (lat, lon) as Leaflet takes it, padded
    assert data["bounds"] == ((33.5, 42.5), (37.0, 45.5))


def test_sentences_are_kept_once_and_urls_only_when_they_are_web_addresses() -> None:
    arts = (Article(id="x", text="", url="javascript:alert(1)"),
            Article(id="y", text="", url="HTTPS://example.org/y"))
    one = "Both Alpha and Beta."
    places = (MappedPlace(Place("t:1", "Alpha", "town", "IQ", 35.0, 44.0), 1, ("x",), ("Alpha",),
                          (("x", one),)),
              MappedPlace(Place("t:2", "Beta", "town", "IQ", 35.1, 44.1), 1, ("x", "y"), ("Beta",),
                          (("x", one), ("y", "Beta alone."))))
    data = _map_data(places, arts)
    assert data["articles"]["u"] == ["", "HTTPS://example.org/y"]
    assert data["sentences"] == [one, "Beta alone."]


def test_search_names_are_plain_text() -> None:
    place = Place("t:9", "A & B <i>", "town", "IQ", 35.0, 44.0)
    mp = MappedPlace(place, 1, ("a",), ("A & B <i>", "A&B"), (("a", "In A & B <i>."),))
    data = _map_data((mp,), synthetic.ARTICLES)
    assert data["places"]["n"] == ["A & B <i>"] and data["places"]["alt"] == [["A&B"]]
    assert data["sentences"] == ["In A & B <i>."]


def test_undated_or_odd_dates_stay_out_of_the_time_filter() -> None:
    arts = (Article(id="x", text="", date="14 June 2020"), Article(id="y", text=""))
    data = _map_data((), arts)
    assert data["articles"]["d"] == ["", ""]
    assert "bounds" not in data  # nothing mapped: the map keeps its initial view


def test_size_and_shade_classes_begin_at_quantiles_of_the_counts() -> None:
    counts = [1] * 50 + [2] * 25 + [5] * 15 + [40] * 7 + [900] * 3
    assert render.quantile_classes(counts) == (1, 2, 5, 40, 900)
    assert render.quantile_classes([3, 3, 3]) == (3,)
    assert render.quantile_classes([]) == (1,)
    classes = (1, 2, 5, 40, 900)
    assert [render.class_of(n, classes) for n in (1, 4, 5, 899, 5000)] == [0, 1, 2, 3, 4]
    radii = render.radii(5)
    assert radii[0] == render.MIN_RADIUS and radii[-1] == render.MAX_RADIUS
    assert list(radii) == sorted(radii)
    colours = _map_ui.ramp(len(classes))
    assert render.shade(1, classes) == colours[0] and render.shade(999, classes) == colours[-1]


def test_basemap_labels_put_cities_before_provinces_and_the_city_before_its_district() -> None:
    places = [Place("a", "Old Quarter", "city", "IQ", 36.3, 43.1, population=2_000_000),
              Place("b", "Mosul", "city", "IQ", 36.34, 43.12, population=1_700_000),
              Place("c", "Nineveh", "adm1", "IQ", 36.0, 42.5),
              Place("d", "Iraq", "country", "IQ", 33.0, 44.0),
              Place("e", "Hamlet", "city", "IQ", 36.0, 44.0, population=5_000)]
    found = render.labels(places, names={"b": 40, "a": 2})
    assert [lb.name for lb in found] == ["Iraq", "Mosul", "Old Quarter", "Nineveh"]
    assert (found[1].low, found[3].low) == (5, 6)  # cities of a million from zoom 5


def test_legend_lists_the_kinds_the_scale_and_the_context_layers() -> None:
    page = synthetic.page()
    found = re.search(r'"\\u003cdetails.*?\\u003c/details\\u003e"', page)
    assert found
    legend = json.loads(found.group())
    for piece in ("town", "governorate / province", "city", "Mentioned regions",
                  "Kurdistan Region", "Disputed territories", "largest 3", "geo-size"):
        assert piece in legend


def test_map_page_is_deterministic() -> None:
    assert synthetic.page() == synthetic.page()


def _folium_page(backdrop: render.Backdrop, parts: render.Parts) -> str:
    """The page folium renders with the parts themselves in place (no skeleton, no holes)."""
    return _page.page(basemap=backdrop.basemap, context=backdrop.context, data=parts.data,
                      legend=parts.legend, css=parts.css)


@pytest.mark.parametrize("places", [synthetic.PLACES, ()], ids=["places", "no-places"])
def test_filled_skeleton_is_the_page_folium_renders(places: tuple[MappedPlace, ...]) -> None:
    parts = render.parts(places, articles=synthetic.ARTICLES,
                         regions=render.regions_of(places, synthetic.shape_of))
    backdrop = render.backdrop(synthetic.CONTEXT, synthetic.BASEMAP, synthetic.LABELS)
    page = render.render(places, articles=synthetic.ARTICLES, shape_of=synthetic.shape_of,
                         skeleton=synthetic.skeleton())
    assert page == _folium_page(backdrop, parts)
    assert ("bounds" in json.loads(parts.data)) == bool(places)  # the view geo-map.js fits


def test_built_map_is_the_page_folium_renders(seed_build: Path, gaz: Gazetteer) -> None:
    settings = Settings(seeds_dir=seed_build.parent / "seeds", out_dir=seed_build)
    corpus = pipeline.analyse(settings)
    mapped = aggregate.places(corpus.results, min_score=settings.min_score)
    parts = render.parts(mapped, articles=[r.article for r in corpus.results],
                         regions=render.regions_of(mapped, gaz.shape))
    basemap = (settings.gazetteer_dir / "basemap.geojson").read_text("utf-8").rstrip()
    labels = render.labels(pipeline._label_places(settings.gazetteer_dir),
                           names=pipeline._name_counts(settings.gazetteer_dir))
    page = _folium_page(render.backdrop(gaz.context(), basemap, labels), parts)
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
    assert _map_ui.script_json(odd)[1:-1] in page
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
        return real(url) + (f"/* {render.HOLES['css']} */" if url == _assets.MAP_JS_URLS[0] else "")

    monkeypatch.setattr(_assets, "read_asset", read_asset)
    with pytest.raises(AssetError, match="placeholder"):
        synthetic.skeleton()


def _numbers(text: str) -> list[int]:
    """The numbers of an arc's text (what geo-regions.js decodes)."""
    out, z, shift = [], 0, 0
    for ch in text:
        c = ord(ch) - 63
        z |= (c & 0x1F) << shift
        if c & 0x20:
            shift += 5
            continue
        out.append((z >> 1) ^ -(z & 1))
        z, shift = 0, 0
    return out


def test_neighbours_share_one_border_arc_and_small_rings_go() -> None:
    from geo import _topo

    left, right = synthetic.square(0.5, 0.5), synthetic.square(0.5, 1.5)  # touching at lon 1
    tiny = synthetic.square(10.0, 10.0)
    tiny["coordinates"] = [[[x / 10_000 + 9, y / 10_000 + 9] for x, y in tiny["coordinates"][0]]]
    topo = _topo.topology([(left, 2), (right, 2), (tiny, 2)])
    assert render.TOPO_SCALE == _topo.SCALE
    arcs_of = [{r if r >= 0 else ~r for poly in shape for ring in poly for r in ring}
               for shape in topo["shapes"][:2]]
    [shared] = arcs_of[0] & arcs_of[1]  # the border between them, stored once
    points = _numbers(topo["arcs"][shared])
    xs = [sum(points[0:i + 1:2]) for i in range(0, len(points), 2)]
    assert set(xs) == {1000}  # all along lon 1 (grid of 1/1000 degree, longitude first)
    assert len(topo["arcs"]) == 3
    assert topo["shapes"][2] == []  # 0.0001 degree wide: nothing left at this tolerance


def test_sentences_spliced_into_the_page_data_stay_script_safe() -> None:
    hostile = "Alpha said </script><script>alert(1)</script> & \u2028 left."
    mp = MappedPlace(Place("t:1", "Alpha", "town", "IQ", 35.0, 44.0), 1, ("a",), ("Alpha",),
                     (("a", hostile),))
    regions = render.regions_of((mp,), synthetic.shape_of)
    data = render.parts((mp,), articles=synthetic.ARTICLES, regions=regions).data
    assert "<" not in data and "\u2028" not in data
    assert json.loads(data)["sentences"] == [hostile]


def test_places_text_in_one_dump_equals_one_dump_per_feature() -> None:
    odd = 'x}, {"geometry": {"type": "geo:raw", "coordinates": "\\u0000"}, "id": "y'
    polygon = {"type": "Polygon", "coordinates": [[[44.0, 35.0], [45.0, 35.0], [44.0, 36.0],
                                                   [44.0, 35.0]]]}
    places = [MappedPlace(Place("t:1", odd, "adm1", "IQ", 35.0, 44.0, has_shape=True), 2,
                          ("a", odd), (odd,)),
              MappedPlace(Place("t:2", "Beta", "town", "IQ", 35.1, 44.1), 1, ("b",), ("Beta",))]
    features = [geojson.place_feature(places[0], lambda _: geojson.RAW_GEOMETRY),
                geojson.place_feature(places[1], lambda _: None)]
    expected = geojson.dumps(geojson.places_collection(places, lambda _: polygon))
    assert geojson.places_text(features, [geojson.feature_text(polygon)]) == expected
