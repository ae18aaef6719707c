"""Country names in the languages geo reads, from the CLDR data of the pinned babel package.

Babel keeps each locale's data as a pickle (``babel/locale-data/<locale>.dat``). It is read
here with an unpickler that builds no object of babel's own classes (plural rules, date
patterns): the territory names are plain strings, and nothing in the file runs.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from geo.errors import GazetteerError


class _Stub:
    """What an object of one of babel's classes becomes: nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in ("dict", "list", "tuple", "set", "frozenset"):
            return super().find_class(module, name)
        return _Stub


def territory_names(babel: Path, locale: str) -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the locale's name of the country ("IQ" -> "العراق")."""
    path = babel / "babel" / "locale-data" / f"{locale}.dat"
    if not path.is_file():
        msg = f"babel has no CLDR locale {locale!r} (no {str(path)!r}); fix 'cldr' in about.toml"
        raise GazetteerError(msg)
    with path.open("rb") as f:
        data = _DataOnly(f).load()
    names = data.get("territories", {}) if isinstance(data, dict) else {}
    return {code: name for code, name in names.items()
            if len(code) == 2 and code.isalpha() and code.isupper() and isinstance(name, str)}
