"""The scorecard: progress toward every target for a chosen report year.

Rules (one per target kind; every row of the scorecard says which rule gave its status):

**Target year passed** (target_year ≤ report year)
  - level, share, rank, multiple of baseline: the observation *for the target year* decides:
    ``achieved`` / ``not_achieved``; none for that year → ``not_reported`` (never guessed).
  - cumulative ("90 new high-tech enterprises within three years"): the yearly additions from
    period_start to the target year are summed; achieved if the sum meets the target, even with
    years missing; not achieved only when every year is reported; otherwise not reported.
  - annual minimum ("at least 2亿 a year"): every year of the period must be reported and meet
    the minimum; a year below it → not achieved; a year missing → not reported.

**Target still ahead** — the Eurostat method on compound growth rates:
  required CAGR = (target / latest)^(1 / (target_year − latest_year)) − 1,
  actual CAGR = (latest / baseline)^(1 / (latest_year − baseline_year)) − 1,
  R = actual / required: R ≥ 95% ``on_track``; 60% ≤ R < 95% ``moderate`` (needs
  acceleration); 0 ≤ R < 60% ``insufficient``; R < 0 ``moving_away``. A level already at the
  target is on track. Fewer than two observations → ``insufficient_data``. The baseline is the
  observation for the target's baseline year (or its stated baseline value), else the earliest
  observation. Rank targets use the same formula on the rank (lower is better, and the signs
  work out). Cumulative targets compare the average yearly addition so far with the average
  still needed; annual minimums are on track while every reported year meets the minimum.

**Claims**: where the data cannot decide (e.g. the city's doubling targets, whose 2020 baseline
is not reported) and an official source states the target was met, the status is
``claimed_achieved``, with the claim and its source.

The probability of meeting a target that is still ahead comes from the chosen forecast model's
predictive distribution for the target year, where a model could be fitted.
"""
from __future__ import annotations

import math

import pandas as pd

from analysis import vocabulary
from analysis.data import Dataset
from analysis.growth import cagr, comparable_segment, series

ON_TRACK, MODERATE = 0.95, 0.60

STATUS_LABELS = vocabulary.load().status_labels  # status words, in report order (metadata.yaml)
STATUS_ORDER = list(STATUS_LABELS)

COLUMNS = ["target_id", "theme", "name_en", "name_zh", "entity", "indicator", "kind",
           "comparator", "target_value", "unit", "baseline_year", "baseline_value", "target_year",
           "latest_year", "latest_value", "uses_derived", "gap", "progress_share",
           "required_cagr", "actual_cagr", "ratio", "status", "status_label", "p_meet", "rule",
           "claim", "source_id", "locator"]


def assess_ratio(ratio: float) -> str:
    """Eurostat category for R = actual / required growth."""
    if ratio is None or math.isnan(ratio):
        return "insufficient_data"
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= MODERATE:
        return "moderate"
    if ratio >= 0:
        return "insufficient"
    return "moving_away"


def meets(value: float, target: float, comparator: str) -> bool:
    return value >= target if comparator == ">=" else value <= target


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA else x


def _claim(t: dict) -> str | None:
    if not t.get("status_claim"):
        return None
    return f"{t['status_claim']} ({t['status_claim_source']}: {t.get('status_claim_locator') or ''})".strip()


def _level(t: dict, s: pd.DataFrame, report_year: int, target_value: float, baseline: dict | None) -> dict:
    comp, ty = t["comparator"], int(t["target_year"])
    row: dict = {}
    upto = s[s["year"] <= report_year]
    if not upto.empty:
        last = upto.iloc[-1]
        row.update(latest_year=int(last["year"]), latest_value=float(last["value"]),
                   uses_derived=bool(last["derived"]))
        row["gap"] = target_value - float(last["value"])
        if baseline and target_value != baseline["value"]:
            row["progress_share"] = (float(last["value"]) - baseline["value"]) / (target_value - baseline["value"])
    if ty <= report_year:
        at = s[s["year"] == ty]
        if at.empty:
            return {**row, "status": "not_reported",
                    "rule": f"target year {ty} passed; no observation for {ty}"}
        v = float(at.iloc[-1]["value"])
        return {**row, "latest_year": ty, "latest_value": v, "gap": target_value - v,
                "status": "achieved" if meets(v, target_value, comp) else "not_achieved",
                "rule": f"target year passed; the {ty} value decides"}
    if upto.empty:
        return {**row, "status": "insufficient_data", "rule": "target ahead; no observation yet"}
    seg = comparable_segment(upto)
    last = seg.iloc[-1]
    if meets(float(last["value"]), target_value, comp):
        return {**row, "status": "on_track", "rule": "target ahead; the latest value already meets it"}
    base = baseline if baseline and baseline["year"] < int(last["year"]) else None
    if base is None and len(seg) >= 2:
        first = seg.iloc[0]
        base = {"year": int(first["year"]), "value": float(first["value"])}
        row["uses_derived"] = bool(row.get("uses_derived")) or bool(first["derived"])
    if base is None:
        return {**row, "status": "insufficient_data",
                "rule": "target ahead; fewer than two observations, so no growth rate"}
    actual = cagr(base["value"], float(last["value"]), base["year"], int(last["year"]))
    required = cagr(float(last["value"]), target_value, int(last["year"]), ty)
    ratio = actual / required if required and not math.isnan(required) else math.nan
    return {**row, "actual_cagr": actual, "required_cagr": required, "ratio": ratio,
            "baseline_year": base["year"], "baseline_value": base["value"],
            "status": assess_ratio(ratio),
            "rule": f"target ahead; R = actual CAGR {base['year']}–{int(last['year'])} / required CAGR {int(last['year'])}–{ty}"}


def _cumulative(t: dict, s: pd.DataFrame, report_year: int, target_value: float) -> dict:
    start, ty = int(t["period_start"]), int(t["target_year"])
    end = min(ty, report_year)
    years = list(range(start, end + 1))
    got = s[s["year"].isin(years)]
    total = float(got["value"].sum()) if not got.empty else math.nan
    row = {"latest_year": int(got["year"].max()) if not got.empty else None,
           "latest_value": total if not got.empty else None,
           "uses_derived": bool(got["derived"].any()) if not got.empty else False,
           "gap": target_value - total if not got.empty else None,
           "progress_share": total / target_value if not got.empty and target_value else None}
    missing = [y for y in years if y not in set(got["year"].astype(int))]
    if ty <= report_year:
        if not got.empty and total >= target_value:
            return {**row, "status": "achieved", "rule": f"sum of additions {start}–{ty} meets the target"}
        if missing:
            return {**row, "status": "not_reported",
                    "rule": f"target year passed; additions not reported for {', '.join(map(str, missing))}"}
        return {**row, "status": "not_achieved", "rule": f"sum of additions {start}–{ty} falls short"}
    if report_year < start:
        return {**row, "status": "insufficient_data", "rule": f"the period starts in {start}"}
    if got.empty or missing:
        return {**row, "status": "insufficient_data",
                "rule": f"additions not reported for {', '.join(map(str, missing))}"}
    done_years, left_years = len(years), ty - end
    actual = total / done_years
    required = (target_value - total) / left_years
    ratio = actual / required if required > 0 else math.inf
    return {**row, "actual_cagr": None, "required_cagr": None, "ratio": ratio,
            "status": assess_ratio(ratio) if required > 0 else "on_track",
            "rule": "target ahead; R = average yearly addition so far / average still needed"}


def _annual_minimum(t: dict, s: pd.DataFrame, report_year: int, target_value: float) -> dict:
    start, ty = int(t["period_start"]), int(t["target_year"])
    years = list(range(start, min(ty, report_year) + 1))
    got = s[s["year"].isin(years)]
    row = {"latest_year": int(got["year"].max()) if not got.empty else None,
           "latest_value": float(got.iloc[-1]["value"]) if not got.empty else None,
           "uses_derived": bool(got["derived"].any()) if not got.empty else False}
    below = got[~got["value"].map(lambda v: meets(v, target_value, t["comparator"]))]
    missing = [y for y in years if y not in set(got["year"].astype(int))]
    if not below.empty:
        return {**row, "status": "not_achieved" if ty <= report_year else "moving_away",
                "rule": f"below the minimum in {', '.join(map(str, below['year'].astype(int)))}"}
    if report_year < start or (got.empty and ty > report_year):
        return {**row, "status": "insufficient_data", "rule": "no year of the period reported yet"}
    if missing:
        return {**row, "status": "not_reported" if ty <= report_year else "insufficient_data",
                "rule": f"not reported for {', '.join(map(str, missing))}"}
    return {**row, "status": "achieved" if ty <= report_year else "on_track",
            "rule": "every reported year meets the minimum"}


def assess_target(t: dict, obs: pd.DataFrame, report_year: int, forecasts: dict | None = None) -> dict:
    """Status and the numbers behind it for one target (a row of targets.csv as a dict)."""
    forecasts = forecasts or {}
    s = series(obs, t["entity"], t["indicator"])
    kind, target_value = t["kind"], _num(t["target_value"])
    baseline = None
    if _num(t.get("baseline_value")) is not None and _num(t.get("baseline_year")) is not None:
        baseline = {"year": int(t["baseline_year"]), "value": float(t["baseline_value"])}
    elif _num(t.get("baseline_year")) is not None:
        b = s[s["year"] == int(t["baseline_year"])]
        if not b.empty:
            baseline = {"year": int(t["baseline_year"]), "value": float(b.iloc[-1]["value"])}
    out = {k: t.get(k) for k in COLUMNS if k in t}
    out["claim"] = _claim(t)
    res: dict
    if kind == "multiple_of_baseline":
        if baseline is None:
            target_value = None  # the level to reach is unknown without the baseline
            upto = s[s["year"] <= report_year]
            res = {"status": "insufficient_data",
                   "rule": f"baseline ({t.get('baseline_year')}) not reported, so the target level is unknown"}
            if not upto.empty:
                res.update(latest_year=int(upto.iloc[-1]["year"]), latest_value=float(upto.iloc[-1]["value"]),
                           uses_derived=bool(upto.iloc[-1]["derived"]))
        else:
            target_value = target_value * baseline["value"]
            res = _level(t, s, report_year, target_value, baseline)
            res["rule"] = f"target = {t['target_value']:g} × the {baseline['year']} value; " + res["rule"]
    elif target_value is None:
        res = {"status": "insufficient_data", "rule": "the target value is not stated"}
    elif kind == "cumulative":
        res = _cumulative(t, s, report_year, target_value)
    elif kind == "annual_minimum":
        res = _annual_minimum(t, s, report_year, target_value)
    else:
        res = _level(t, s, report_year, target_value, baseline)
    if res["status"] in ("insufficient_data", "not_reported") and out["claim"] and "achiev" in (t.get("status_claim") or ""):
        res["rule"] = res["rule"] + "; the status is the source's claim"
        res["status"] = "claimed_achieved"
    out.update({k: v for k, v in res.items()})
    out["target_value"] = target_value
    out.setdefault("baseline_year", t.get("baseline_year"))
    if baseline and out.get("baseline_value") is None:
        out["baseline_value"] = baseline["value"]
    fc = forecasts.get((t["entity"], t["indicator"]))
    if fc is not None and target_value is not None and kind in ("level", "share", "rank", "multiple_of_baseline") \
            and int(t["target_year"]) > report_year:
        out["p_meet"] = fc.prob_meets(int(t["target_year"]), target_value, t["comparator"])
    out["status_label"] = STATUS_LABELS[out["status"]]
    return out


def scorecard(ds: Dataset, obs: pd.DataFrame, report_year: int, forecasts: dict | None = None,
              entity: str | None = None) -> pd.DataFrame:
    """Every target in `ds` (already filtered with ``data.as_of``) assessed for `report_year`."""
    rows = [assess_target(t, obs, report_year, forecasts) for t in ds.targets.to_dict("records")
            if entity is None or t["entity"] == entity]
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    return df.sort_values(["theme", "target_id"], kind="stable").reset_index(drop=True)


def status_counts(card: pd.DataFrame) -> pd.DataFrame:
    """How many targets fall in each status, in report order (zeros included)."""
    counts = card["status"].value_counts()
    return pd.DataFrame({"status": STATUS_ORDER,
                         "label": [STATUS_LABELS[s] for s in STATUS_ORDER],
                         "targets": [int(counts.get(s, 0)) for s in STATUS_ORDER]})
