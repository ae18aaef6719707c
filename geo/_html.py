"""Saved web pages: the article's main text and metadata, extracted offline with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

from geo.errors import ArticleError

HTML_SUFFIXES = (".html", ".htm")
_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<body")


@dataclass(frozen=True, slots=True)
class Page:
    """What a saved page holds: the main text (paragraphs split by blank lines) and metadata."""

    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    date: str = ""


def looks_like_html(data: bytes) -> bool:
    """Whether bytes (standard input, say) open like an HTML page."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_SNIFF)


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())


def page(data: bytes, name: str = "<page>") -> Page:
    """The article in a saved HTML page (its encoding is read from the page).

    Raises
    ------
    ArticleError
        When the page holds no article text.
    """
    import trafilatura  # slow to import; only pages need it

    doc = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(doc, "text", None) or ""
    paragraphs = [" ".join(p.split()) for p in text.splitlines() if p.strip()]
    if not paragraphs:
        msg = f"{name}: no article text found in the page; save the article's text as .txt"
        raise ArticleError(msg)
    return Page(text="\n\n".join(paragraphs), title=_one_line(getattr(doc, "title", "")),
                source=_one_line(getattr(doc, "sitename", "") or getattr(doc, "hostname", "")),
                url=_one_line(getattr(doc, "url", "")), date=_one_line(getattr(doc, "date", "")))
