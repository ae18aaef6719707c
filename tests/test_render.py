"""The map page: self-contained, escaped, with the layers a user expects."""

from __future__ import annotations

import re
from pathlib import Path


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
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_attribution_names_every_source(seed_build: Path) -> None:
    page = (seed_build / "index.html").read_text(encoding="utf-8")
    for source in ("GeoNames", "Natural Earth", "geoBoundaries"):
        assert source in page
