"""Reading articles: headers, titles, encodings, and clear reasons for files that are skipped."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from geo.articles import article_id, decode, parse, read_all
from geo.errors import ArticleError


def test_header_gives_metadata_and_is_removed_from_text() -> None:
    art = parse("---\ntitle: T\nsource: S\nurl: https://x.org/a\ndate: 2024-01-02\n---\nBody Kirkuk.",
                "a")
    assert (art.title, art.source, art.url, art.date) == ("T", "S", "https://x.org/a", "2024-01-02")
    assert art.text == "Body Kirkuk."


def test_without_header_the_first_line_is_the_title() -> None:
    assert parse("\n\n# Clashes in Sinjar\n\nText.", "a").title == "Clashes in Sinjar"


@pytest.mark.parametrize("data", [
    "Erbil – café".encode(), codecs.BOM_UTF8 + "Erbil – café".encode(),
    "Erbil – café".encode("utf-16"), "Erbil – café".encode("cp1252"),
    "Erbil – café".encode("utf-16-le"), "Erbil – café".encode("utf-16-be"),  # no BOM
])
def test_decodes_common_encodings(data: bytes) -> None:
    assert decode(data) == "Erbil – café"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"), (b"   \n", "empty"), (b"abc\x00def", "binary"), (bytes(range(1, 32)) * 20, "binary"),
    (b"\x00" * 8, "NUL bytes"),
    ("Rain in Halabja".encode("utf-16-le")[:-1], "NUL bytes"),  # UTF-16 cut to an odd length
    ("Erbil\x00café".encode("utf-16-le"), "NUL bytes"),  # a NUL character is not text
])
def test_bad_content_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        decode(data, "x.txt")


def test_read_all_skips_bad_files_and_keeps_the_good(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("News from Mosul.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00\x10JFIF")
    out = list(read_all(tmp_path, max_bytes=1000))
    good = [a for a in out if hasattr(a, "text")]
    skipped = {s.path.name: s.reason for s in out if hasattr(s, "reason")}
    assert [a.id for a in good] == ["good"]
    assert set(skipped) == {"empty.txt", "photo.jpg"}


def test_ids_are_safe() -> None:
    assert article_id(Path("../Kirkuk News (2).txt")) == "kirkuk-news-2"
