"""The one exception hierarchy of geo: every error a user can meet is a GeoError."""

from __future__ import annotations


class GeoError(Exception):
    """Root of every error geo raises on purpose."""


class ArticleError(GeoError, ValueError):
    """An article cannot be read or parsed (bad encoding, empty, binary, too large)."""


class GazetteerError(GeoError, RuntimeError):
    """The bundled gazetteer is missing, corrupt or cannot be built."""


class InputError(GeoError, ValueError):
    """A command got input it cannot use (bad JSON line, unknown format, bad path)."""


class OutputError(GeoError, OSError):
    """An output, cache or lock file cannot be written (read-only folder, full disk, a file or
    folder in the way); the previous outputs are left whole."""


class BuildLockedError(GeoError, RuntimeError):
    """Another build holds the lock on the output folder."""


class AssetError(GeoError, RuntimeError):
    """A map asset is missing from the installed packages, or would load from the network."""


class ExportError(GeoError, RuntimeError):
    """An export could not be written (a missing driver or dependency, an unwritable path)."""


class BoundaryError(GeoError, ValueError):
    """A boundary file cannot be imported or compared (unreadable, unknown fields or level)."""


class BrowserMissingError(GeoError, RuntimeError):
    """Playwright or Chromium, which the map benchmark drives, is not installed."""


class GeocoderError(GeoError, ValueError):
    """The online geocoder cannot be set up (no user agent, an unknown service or option)."""


class LanguageError(GeoError, ValueError):
    """A language code geo has no tables for."""
