"""Exports: the mapped places, or every mention, as GeoJSON, GeoPackage, CSV, KML or Parquet.

The places carry the properties of ``maps/places.geojson``; lists (``articles``, ``names``)
are joined with ``"; "`` in formats without lists (GeoPackage, CSV, KML). The mention table has
one row per resolved or unresolved mention, for analysts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import aggregate, articles, geojson
from geo._io import replace_atomic, write_atomic
from geo.errors import ExportError, InputError
from geo.records import ArticleResult

if TYPE_CHECKING:
    import geopandas
    import pandas


FORMATS = {"geojson": (".geojson", ".json"), "gpkg": (".gpkg",), "csv": (".csv",),
           "kml": (".kml",), "parquet": (".parquet", ".geoparquet")}
LIST_FORMATS = frozenset({"geojson", "parquet"})
MENTION_COLUMNS = ("article", "lang", "title", "sentence", "start", "end", "text", "role", "place_id",
                   "place", "kind", "country", "lat", "lon", "score", "on_map")
KML_NS = "http://www.opengis.net/kml/2.2"


def format_for(path: Path, fmt: str | None) -> str:
    """The export format: ``fmt`` if given, else the one ``path``'s suffix names.

    Raises
    ------
    InputError
        For an unknown format or suffix.
    """
    if fmt is None:
        fmt = next((f for f, sfx in FORMATS.items() if path.suffix.lower() in sfx), None)
        if fmt is None:
            msg = (f"cannot tell the format of {str(path)!r} from its suffix; pass --format "
                   f"with one of {', '.join(FORMATS)}")
            raise InputError(msg)
    if fmt not in FORMATS:
        msg = f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg)
    return fmt


def mention_features(results: Iterable[ArticleResult], *, min_score: float,
                     ) -> list[dict[str, Any]]:
    """One GeoJSON Feature per mention (null geometry when unresolved), in article order."""
    out = []
    for result in results:
        art = result.article
        lang = articles.language(art)
        for m in result.mentions:
            p = m.place
            props: dict[str, Any] = {
                "article": art.id, "lang": lang, "title": art.title, "sentence": m.sentence,
                "start": m.start, "end": m.end, "text": m.text, "role": m.role,
                "place_id": p and p.id, "place": p and p.name, "kind": p and p.kind,
                "country": p and p.country, "lat": p and p.lat, "lon": p and p.lon,
                "score": round(m.score, 4), "on_map": aggregate.on_map(m, min_score=min_score),
            }
            out.append({"type": "Feature", "geometry": m.__geo_interface__, "properties": props})
    return out


def _frame(features: list[dict[str, Any]], *, flat: bool) -> geopandas.GeoDataFrame:
    import geopandas

    if not features:
        return geopandas.GeoDataFrame({"geometry": []}, geometry="geometry", crs="EPSG:4326")
    frame = geopandas.GeoDataFrame.from_features(features, crs="EPSG:4326")
    # every feature's properties, in order of first appearance ("source" only some places have)
    columns = list(dict.fromkeys(k for f in features for k in f["properties"]))
    frame = frame[[*columns, "geometry"]]
    if flat:
        for col in columns:
            if frame[col].map(lambda v: isinstance(v, list)).any():
                frame[col] = frame[col].map(lambda v: "; ".join(map(str, v)))
    return frame


def kml_text(features: list[dict[str, Any]], *, layer: str) -> str:
    """A KML document with one Placemark per feature (its representative point), for when GDAL
    has no KML driver. All text is escaped by ElementTree."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = ET.SubElement(ET.SubElement(root, f"{{{KML_NS}}}Document"), f"{{{KML_NS}}}Folder")
    ET.SubElement(doc, f"{{{KML_NS}}}name").text = layer
    for feature in features:
        props = feature["properties"]
        mark = ET.SubElement(doc, f"{{{KML_NS}}}Placemark")
        ET.SubElement(mark, f"{{{KML_NS}}}name").text = str(props.get("name") or
                                                            props.get("text") or "")
        data = ET.SubElement(mark, f"{{{KML_NS}}}ExtendedData")
        for key, value in props.items():
            item = ET.SubElement(data, f"{{{KML_NS}}}Data", name=key)
            shown = "; ".join(map(str, value)) if isinstance(value, list) else value
            ET.SubElement(item, f"{{{KML_NS}}}value").text = "" if shown is None else str(shown)
        if props.get("lat") is not None:
            point = ET.SubElement(mark, f"{{{KML_NS}}}Point")
            # KML coordinates are lon,lat
            ET.SubElement(point, f"{{{KML_NS}}}coordinates").text = f"{props['lon']},{props['lat']}"
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads these as a formula


def defused(table: pandas.DataFrame) -> pandas.DataFrame:
    """The table with every text cell that a spreadsheet would run as a formula (OWASP's CSV
    injection rule: one opening with = + - @, a tab or a carriage return) prefixed with ``'``,
    which shows it as the text it is. Numbers are left alone (-44.1 is a longitude)."""
    from pandas.api.types import is_numeric_dtype

    out = table.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return out


def _kml_driver() -> str | None:
    import pyogrio

    drivers = pyogrio.list_drivers(write=True)
    return next((d for d in ("LIBKML", "KML") if d in drivers), None)


def write(features: list[dict[str, Any]], path: Path, fmt: str, *, layer: str) -> None:
    """Write features to ``path`` in ``fmt`` (atomically: a temporary file, then a rename).

    Raises
    ------
    ExportError
        When the writer fails (a missing driver or dependency, an unwritable folder).
    """
    if fmt == "geojson":
        write_atomic(path, geojson.dumps({"type": "FeatureCollection", "features": features}))
        return
    frame = _frame(features, flat=fmt not in LIST_FORMATS)
    try:
        if fmt == "csv":
            table = defused(frame.drop(columns="geometry"))
            text = table.to_csv(index=False, lineterminator="\n")
            write_atomic(path, text)
        elif fmt == "parquet":
            replace_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
        else:
            driver = "GPKG" if fmt == "gpkg" else _kml_driver()
            if driver is None:  # this GDAL writes no KML
                write_atomic(path, kml_text(features, layer=layer))
            else:
                replace_atomic(path, lambda tmp: frame.to_file(tmp, driver=driver, layer=layer,
                                                               engine="pyogrio"))
    except (ImportError, OSError, ValueError, RuntimeError) as e:
        msg = f"cannot write {str(path)!r} as {fmt} ({type(e).__name__}: {e}); {_hint(fmt)}"
        raise ExportError(msg) from e


def _hint(fmt: str) -> str:
    if fmt == "parquet":
        return "parquet needs pyarrow: pip install 'geo[parquet]' (or pip install pyarrow)"
    return "check the folder exists and is writable, or try another --format"

