"""Evaluation against a gold corpus: the definitions of ``shared/eval/score.py``, in the product.

Gold lines are ``{"id", "text", "toponyms": [{"start", "end", "name", "lat", "lon"}]}``.
Recognition is scored on spans matched one to one, exactly and by overlap; resolution on the
overlap matches where both sides have coordinates: error in km, accuracy within 161 km, mean
and median error, and the AUC of the log error (Gritta et al.; lower is better).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from geopy.distance import great_circle

from geo.errors import InputError

Inside = Callable[[str, float, float], bool]  # (place id, lat, lon) -> within its polygon
EARTH_KM = 6371.0088
HALF_CIRCUMFERENCE_KM = 20039.0
Span = dict[str, Any]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (geopy's), on the sphere of score.py's radius."""
    return float(great_circle((lat1, lon1), (lat2, lon2), radius=EARTH_KM).km)


def _placed(s: Span) -> bool:
    return s.get("lat") is not None and s.get("lon") is not None


def match(gold: Sequence[Span], pred: Sequence[Span], *, exact: bool) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, predictions taken left to right."""
    pairs, used = [], set()
    for pi, p in sorted(enumerate(pred), key=lambda t: (t[1]["start"], t[1]["end"])):
        for gi, g in enumerate(gold):
            if gi in used:
                continue
            if exact:
                hit = g["start"] == p["start"] and g["end"] == p["end"]
            else:
                hit = g["start"] < p["end"] and p["start"] < g["end"]
            if hit:
                used.add(gi)
                pairs.append((gi, pi))
                break
    return pairs


def _prf(tp: int, n_gold: int, n_pred: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _auc(errors: Sequence[float]) -> float | None:
    if len(errors) < 2:
        return None
    ys = sorted(math.log(e + 1) for e in errors)
    area = sum((a + b) / 2 for a, b in pairwise(ys))
    return round(area / (math.log(HALF_CIRCUMFERENCE_KM) * (len(ys) - 1)), 4)


@dataclass(slots=True)
class _Tally:
    n_gold: int = 0
    n_pred: int = 0
    tp_exact: int = 0
    tp_overlap: int = 0
    gold_placed: int = 0
    pred_placed: int = 0
    inside: int = 0  # pairs beyond 161 km whose gold point lies in the predicted polygon

    def add(self, gold: Sequence[Span], pred: Sequence[Span], errors: list[float],
            inside: Inside | None = None) -> None:
        self.n_gold += len(gold)
        self.n_pred += len(pred)
        self.tp_exact += len(match(gold, pred, exact=True))
        pairs = match(gold, pred, exact=False)
        self.tp_overlap += len(pairs)
        self.gold_placed += sum(_placed(g) for g in gold)
        matched = {pi: gi for gi, pi in pairs}
        for pi, p in enumerate(pred):
            if not _placed(p):
                continue
            gi = matched.get(pi)
            if gi is not None and not _placed(gold[gi]):
                continue  # gold has no location to judge against
            self.pred_placed += 1
            if gi is not None:
                g = gold[gi]
                err = km(g["lat"], g["lon"], p["lat"], p["lon"])
                errors.append(err)
                if err > 161 and inside is not None and p.get("id"):
                    self.inside += inside(p["id"], g["lat"], g["lon"])


def score(gold: dict[str, list[Span]], pred: dict[str, list[Span]], *,
          inside: Inside | None = None) -> dict[str, Any]:
    """The scores of predictions against gold, keyed by document id (as score.py).

    With ``inside``, one figure more that score.py does not give: ``acc@161+polygon``, the
    share of pairs within 161 km *or* whose gold point lies inside the predicted place's
    polygon (a country or region resolved right but represented by another point than the
    corpus's).
    """
    tally, errors = _Tally(), list[float]()
    for doc_id, spans in gold.items():
        tally.add(spans, pred.get(doc_id, []), errors, inside)
    errors.sort()
    n = len(errors)
    hits = sum(e <= 161 for e in errors)
    return {
        "docs": len(gold),
        "docs_missing_in_pred": sum(d not in pred for d in gold),
        "gold_toponyms": tally.n_gold,
        "pred_mentions": tally.n_pred,
        "exact": _prf(tally.tp_exact, tally.n_gold, tally.n_pred),
        "overlap": _prf(tally.tp_overlap, tally.n_gold, tally.n_pred),
        "resolution": {
            "pairs": n,
            "acc@161": round(hits / n, 4) if n else None,
            "mean_km": round(sum(errors) / n, 1) if n else None,
            "median_km": round(errors[n // 2], 1) if n else None,
            "auc": _auc(errors),
            **({"acc@161+polygon": round((hits + tally.inside) / n, 4) if n else None}
               if inside is not None else {}),
        },
        "map_recall@161": round(hits / tally.gold_placed, 4) if tally.gold_placed else None,
        "map_precision@161": round(hits / tally.pred_placed, 4) if tally.pred_placed else None,
    }


def read_corpus(path: Path) -> list[dict[str, Any]]:
    """The documents of a gold corpus (JSON Lines with id, text, toponyms)."""
    docs = []
    try:
        f = path.open(encoding="utf-8")
    except OSError as e:
        msg = f"cannot read the corpus {str(path)!r} ({e.strerror}); give a JSON Lines file"
        raise InputError(msg) from e
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                docs.append({"id": str(row["id"]), "text": row["text"],
                             "toponyms": row["toponyms"]})
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                msg = (f"{path}:{n}: not a gold line with 'id', 'text' and 'toponyms' ({e}); "
                       "see shared/eval/README.md for the format")
                raise InputError(msg) from e
    return docs


def evaluate(docs: Iterable[dict[str, Any]], extract: Callable[[str], list[dict[str, Any]]],
             *, inside: Inside | None = None) -> dict[str, Any]:
    """Run ``extract`` on every document's text and score it against the gold toponyms."""
    gold, pred = {}, {}
    for d in docs:
        gold[d["id"]] = d["toponyms"]
        pred[d["id"]] = extract(d["text"])
    return score(gold, pred, inside=inside)


def polygon_test(shape_of: Callable[[str], dict[str, Any] | None]) -> Inside:
    """An ``Inside`` test over the polygons ``shape_of`` gives (GeoJSON, lon/lat), memoised."""
    from shapely.geometry import Point, shape  # only `geo eval` needs shapely here
    from shapely.prepared import prep

    prepared: dict[str, Any] = {}

    def inside(place_id: str, lat: float, lon: float) -> bool:
        if place_id not in prepared:
            geometry = shape_of(place_id)
            prepared[place_id] = prep(shape(geometry)) if geometry else None
        poly = prepared[place_id]
        return poly is not None and bool(poly.covers(Point(lon, lat)))  # shapely is (x=lon, y=lat)

    return inside


def report(result: dict[str, Any]) -> str:
    """The human-readable lines score.py prints."""
    r = result["resolution"]
    lines = [(f"docs {result['docs']} (missing in pred: {result['docs_missing_in_pred']}), "
              f"gold {result['gold_toponyms']}, pred {result['pred_mentions']}")]
    for k in ("exact", "overlap"):
        m = result[k]
        lines.append(f"recognition {k:7s} P {m['precision']:.3f}  R {m['recall']:.3f}  "
                     f"F1 {m['f1']:.3f}")
    lines.append(f"resolution  pairs {r['pairs']}  acc@161 {r['acc@161']}  mean {r['mean_km']} km"
                 f"  median {r['median_km']} km  AUC {r['auc']}")
    if "acc@161+polygon" in r:
        lines.append(f"            acc@161 or inside the resolved polygon {r['acc@161+polygon']}"
                     " (not a score.py figure)")
    lines.append(f"map recall@161 {result['map_recall@161']}  "
                 f"map precision@161 {result['map_precision@161']}")
    return "\n".join(lines)
