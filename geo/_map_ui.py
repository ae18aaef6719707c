"""The map page's own parts that need no folium: the legend, kind colours, and JSON that is
safe inside a ``<script>`` element (the folium elements are in ``geo._page``)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

KIND_LABELS = {
    "continent": "continent", "country": "country", "region": "region",
    "adm1": "governorate / province", "adm2": "district", "adm3": "sub-district",
    "city": "city", "town": "town", "village": "village", "physical": "physical feature",
}
RAMP_ENDS = ((0xe8, 0xe0, 0xf0), (0x4a, 0x1f, 0x85))  # light to dark, for mention counts
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_safe(json_text: str) -> str:
    """JSON text made safe to stand inside an HTML ``<script>`` element as a JavaScript value.

    ``<``, ``>`` and ``&`` become ``\\u`` escapes, so no string can close the element; so do
    U+2028 and U+2029, which JavaScript once did not allow in strings.
    """
    for char, escape in _SCRIPT_UNSAFE.items():
        json_text = json_text.replace(char, escape)
    return json_text


def script_json(value: Any) -> str:
    """``value`` as compact JSON that can stand inside an HTML ``<script>`` element."""
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def sentence_list(sentences: Sequence[str]) -> tuple[int, str]:
    """One article's sentences as ``geo.render.Sentences`` holds them: how many, and their
    compact JSON text (made script-safe with the rest of the page's data)."""
    return len(sentences), json.dumps(list(sentences), ensure_ascii=False, separators=(",", ":"))


def kinds_on_map(kinds: Sequence[str]) -> list[str]:
    """The distinct kinds, in the legend's order (unknown kinds last, alphabetically)."""
    order = list(KIND_LABELS)
    return sorted(set(kinds), key=lambda k: (order.index(k) if k in order else len(order), k))


def ramp(n: int) -> list[str]:
    """``n`` colours from light to dark (one colour is a middle shade)."""
    (r0, g0, b0), (r1, g1, b1) = RAMP_ENDS
    steps = [0.6] if n == 1 else [0.2 + 0.8 * i / (n - 1) for i in range(n)]
    return [f"#{round(r0 + (r1 - r0) * t):02x}{round(g0 + (g1 - g0) * t):02x}"
            f"{round(b0 + (b1 - b0) * t):02x}" for t in steps]


def kind_css(kinds: Sequence[str], colours: Mapping[str, str], other: str) -> str:
    """CSS giving the marker of kind number ``i`` (class ``geo-k{i}``) its colour."""
    return "".join(f".geo-k{i}{{background:{colours.get(k, other)}}}" for i, k in enumerate(kinds))


def _class_labels(classes: Sequence[int]) -> list[str]:
    """"1", "2", "3–4", "5+" style labels of classes that begin at these counts."""
    highs = [c - 1 for c in classes[1:]]
    labels = [str(lo) if lo == hi else f"{lo}–{hi}" for lo, hi in zip(classes, highs, strict=False)]
    return [*labels, f"{classes[-1]}+"] if classes else []


def _swatch(style: str, label: str) -> str:
    return f"<div><i class='geo-swatch' style='{style}'></i>{label}</div>"


def legend_html(kinds: Sequence[str], *, sizes: Sequence[int], radii: Sequence[float],
                classes: Sequence[int], top: int, context: Mapping[str, str]) -> str:
    """The legend: marker kinds and sizes, the regions' colour scale, the context layers.

    The size and shade classes begin at quantiles of the mention counts (see
    ``geo.render.quantile_classes``). Built only from geo's own constants and numbers, never
    from article text (a kind that geo has no label for is shown as the gazetteer spells it,
    escaped).
    """
    rows = ["<details open class='geo-legend'><summary>Legend</summary>",
            "<div class='geo-legend-h'>Mentioned places</div>"]
    rows += [f"<div><i class='geo-dot geo-k{i}'></i>{html.escape(KIND_LABELS.get(k, k))}</div>"
             for i, k in enumerate(kinds)]
    rows.append(f"<div class='geo-legend-h'>Size: mentions (largest {top})</div><div>")
    rows += [f"<span class='geo-step'><i class='geo-size' style='width:{2 * r:g}px;"
             f"height:{2 * r:g}px'></i>{lab}</span>"
             for r, lab in zip(radii, _class_labels(sizes), strict=True)]
    rows.append("</div><div class='geo-note'>a numbered circle groups nearby places</div>")
    rows.append("<div class='geo-legend-h'>Mentioned regions: mentions</div><div>")
    rows += [f"<span class='geo-step'><i class='geo-swatch' style='background:{c}'></i>{lab}"
             "</span>" for c, lab in zip(ramp(len(classes)), _class_labels(classes), strict=True)]
    rows.append("</div><div class='geo-legend-h'>Context</div>")
    rows += [_swatch(f"border:2px solid {c};background:{c}22", title)
             for title, c in context.items()]
    rows.append("<div class='geo-note'>click a disputed unit for the sources counting it</div>")
    return "".join(rows) + "</details>"
