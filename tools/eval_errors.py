"""Development only (not part of the geo package): list geo's errors on a gold corpus.

    .venv/bin/python tools/eval_errors.py ../shared/eval/lgl.jsonl > lgl-errors.jsonl

One JSON line per error, with ``t``: FP (a prediction no gold span overlaps), FN (a gold span
no prediction overlaps), FAR (an overlap pair placed over 161 km from the gold point, with the
rank of the first candidate within 161 km of it, or null when the gazetteer has none) and
BOUND (an overlap pair whose offsets differ). Each line carries the text around the span
(``ctx``, the span in [[ ]]) so that errors can be grouped into classes and counted; a FAR
line also the first candidates as resolution scored them (``cands``) and the reasons
``geo explain`` gives for the pick (``why``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geo import evaluate, languages, pipeline
from geo.gazetteer.store import Gazetteer
from geo.recognize import spans as find_spans
from geo.resolve import decide, reasons, resolve
from geo.settings import Settings


def _ctx(text: str, start: int, end: int) -> str:
    return (text[max(0, start - 60):start] + "[[" + text[start:end] + "]]"
            + text[end:end + 60]).replace("\n", " ")


def errors(doc: dict[str, Any], gaz: Gazetteer) -> Iterator[dict[str, Any]]:
    """The errors of geo on one gold document."""
    text, gold = doc["text"], doc["toponyms"]
    lang = languages.get(languages.detect(text))
    found = list(find_spans(text, gaz, lang))
    pred = [m.as_dict() for m in resolve(text, found, gaz, lang)]
    decision = decide(text, found, gaz, lang)
    pairs = evaluate.match(gold, pred, exact=False)
    paired_gold, paired_pred = {g for g, _ in pairs}, {p for _, p in pairs}
    for pi, p in enumerate(pred):
        if pi not in paired_pred:
            yield {"t": "FP", "name": p["name"], "role": p["role"], "kind": p["kind"],
                   "country": p["country"], "ctx": _ctx(text, p["start"], p["end"])}
    for gi, g in enumerate(gold):
        if gi not in paired_gold:
            yield {"t": "FN", "name": g["name"], "type": g.get("type"),
                   "ctx": _ctx(text, g["start"], g["end"])}
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        if (g["start"], g["end"]) != (p["start"], p["end"]):
            yield {"t": "BOUND", "name": p["name"], "gold": g["name"],
                   "ctx": _ctx(text, g["start"], g["end"])}
        if g.get("lat") is None or p.get("lat") is None:
            continue
        km = evaluate.km(g["lat"], g["lon"], p["lat"], p["lon"])
        if km > 161:
            cands = gaz.candidates(found[pi].key)
            near = [r for r, c in enumerate(cands)
                    if evaluate.km(g["lat"], g["lon"], c.lat, c.lon) <= 161]
            yield {"t": "FAR", "name": p["name"], "km": round(km), "kind": p["kind"],
                   "country": p["country"], "id": p["id"], "type": g.get("type"),
                   "right_rank": near[0] if near else None, "ctx": _ctx(text, g["start"], g["end"]),
                   "cands": [f"{s:.2f} {c.name} ({c.kind}, {c.admin1 or c.country})"
                             for s, c in decision.ranked[pi][:5]],
                   "why": reasons(decision, pi, gaz)}


def main(corpus: str) -> None:
    gaz = pipeline.gazetteer(Settings())
    for doc in evaluate.read_corpus(Path(corpus)):
        for row in errors(doc, gaz):
            print(json.dumps({"doc": doc["id"], **row}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
