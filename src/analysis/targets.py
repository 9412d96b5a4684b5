"""The scorecard: progress toward every target for a chosen report year.

Rules (one per target kind; every row of the scorecard says which rule gave its status). Only
values fit for a status count (``growth.model_values``: no derived value marked inconsistent, no
value of doubtful year or scope).

**Target year passed** (target_year ≤ report year)
  - level, share, rank, multiple of baseline: the observation *for the target year* decides:
    ``achieved`` / ``not_achieved``; none for that year → ``not_reported`` (never guessed). A value
    reported as "over N" achieves a "≥ target" when N ≥ target; below the target it cannot decide.
  - cumulative ("90 new high-tech enterprises within three years"): achieved as soon as the
    reported additions sum to the target (also before the target year: "met early"); not achieved
    only when every year is reported; otherwise not reported.
  - annual minimum ("at least 2亿 a year"): a year below the minimum fails the target at once
    (``not_achieved``, also before the target year); achieved when every year is reported and
    meets it.

**Target still ahead** — Eurostat's method for quantitative targets (as in Open SDG):
  actual CAGR = (latest / base)^(1 / (latest_year − base_year)) − 1,
  required CAGR = (target / base)^(1 / (target_year − base_year)) − 1 (from the *base year*),
  R = actual / required: R ≥ 95% ``on_track``; 60% ≤ R < 95% ``moderate``; 0 ≤ R < 60%
  ``insufficient``; R < 0 ``moving_away``. The base is the value for the target's baseline year
  (or its stated baseline value), else the first reported value from the baseline year on. A
  status needs ``min_points`` reported values in the window from the base to the report year and
  a latest value no older than ``max_data_age`` years (both in report.yml, key ``scorecard``);
  otherwise ``insufficient_data``, saying which. Separately labelled, the forward-looking
  growth still needed from the latest value (``required_cagr_from_latest``).

**Probability of meeting the target** (``p_meet``): from the pooled growth model's predictive
distribution at the target year (``forecast.Pooled``), for every target still ahead whose series
has at least two values; cumulative targets from the yearly additions so far (Student-t for the
sum still to come), annual minimums from the model's probability of every remaining year meeting
the minimum. A target already achieved has probability 1, one already failed 0.

**Claims**: where the data cannot decide (e.g. the city's doubling targets, whose 2020 baseline
is not reported) and an official source states the target was met, the status is
``claimed_achieved``, with the claim and its source.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import i18n, vocabulary
from analysis.data import Dataset
from analysis.growth import cagr, comparable_segment, model_values, series

ON_TRACK, MODERATE = 0.95, 0.60
DEFAULT_RULES = {"min_points": 2, "max_data_age": 3}

STATUS_LABELS = vocabulary.load().status_labels  # status ids in report order (metadata.yaml)
STATUS_ORDER = list(STATUS_LABELS)


def status_label(status: str) -> str:
    """A status as tables show it, in the current edition's language: symbol and words
    ('↑ On track' / '↑ 进展顺利'), so it reads without colour."""
    return vocabulary.load().status[status].marked


COLUMNS = [
    "target_id",
    "plan",
    "plan_en",
    "theme",
    "name_en",
    "name_zh",
    "entity",
    "indicator",
    "kind",
    "comparator",
    "target_value",
    "unit",
    "baseline_year",
    "baseline_value",
    "target_year",
    "latest_year",
    "latest_value",
    "n_points",
    "uses_derived",
    "gap",
    "progress_share",
    "required_cagr",
    "actual_cagr",
    "ratio",
    "required_cagr_from_latest",
    "status",
    "status_label",
    "p_meet",
    "rule",
    "claim",
    "source_id",
    "locator",
]


def method_text(rules: dict | None = None) -> str:
    """The scorecard's method in words a policy reader follows (shown by the scorecard chapter)."""
    r = {**DEFAULT_RULES, **(rules or {})}
    return i18n.t(
        "targets.method",
        on_track=f"{ON_TRACK:.0%}",
        moderate=f"{MODERATE:.0%}",
        min_points=r["min_points"],
        max_data_age=r["max_data_age"],
    )


def rules_from_config() -> dict:
    from analysis import config

    return {**DEFAULT_RULES, **(config.load().extra.get("scorecard") or {})}


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


def meets(value, target: float, comparator: str):
    """Whether `value` (a number or an array of them) meets the target."""
    return value >= target if comparator == ">=" else value <= target


def _years(years) -> str:
    """'2022, 2023' / '2022、2023': years in a list, in the edition's words."""
    return i18n.t("targets.year_sep").join(str(int(y)) for y in years)


def _year(y) -> str:
    return "–" if _num(y) is None else str(int(y))


def theme_label(theme) -> str:
    """A theme of targets.csv in the edition's language (labels/targets.yml ``theme_…``); the
    theme as written in the data when the catalog has no entry for it."""
    try:
        return i18n.t(f"targets.theme_{theme}")
    except KeyError:
        return str(theme)


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA else x


def _over(rec) -> bool:
    return str(rec.get("qualifier") or "").strip().lower() == "over"


def _claim(t: dict) -> str | None:
    if not t.get("status_claim"):
        return None
    return f"{t['status_claim']} ({t['status_claim_source']}: {t.get('status_claim_locator') or ''})".strip()


def _passed(v: float, over: bool, target: float, comp: str) -> str | None:
    """Status from the target year's value; None when an 'over N' value cannot decide."""
    if over:
        if comp == ">=" and v >= target:
            return "achieved"
        if comp == "<=" and v > target:
            return "not_achieved"
        return None
    return "achieved" if meets(v, target, comp) else "not_achieved"


def _level(
    t: dict,
    s: pd.DataFrame,
    report_year: int,
    target_value: float,
    baseline: dict | None,
    rules: dict,
    fc=None,
) -> dict:
    comp, ty = t["comparator"], int(t["target_year"])
    row: dict = {}
    upto = s[s["year"] <= report_year]
    if not upto.empty:
        last = upto.iloc[-1]
        row.update(
            latest_year=int(last["year"]),
            latest_value=float(last["value"]),
            uses_derived=bool(last["derived"]),
        )
        row["gap"] = target_value - float(last["value"])
        if baseline and baseline["value"] is not None and target_value != baseline["value"]:
            row["progress_share"] = (float(last["value"]) - baseline["value"]) / (
                target_value - baseline["value"]
            )
    if ty <= report_year:
        at = s[s["year"] == ty]
        if at.empty:
            return {
                **row,
                "status": "not_reported",
                "rule": i18n.t("targets.passed_no_obs", ty=ty),
            }
        rec = at.iloc[-1].to_dict()
        v = float(rec["value"])
        row = {**row, "latest_year": ty, "latest_value": v, "gap": target_value - v}
        st = _passed(v, _over(rec), target_value, comp)
        if st is None:
            return {
                **row,
                "status": "insufficient_data",
                "rule": i18n.t("targets.passed_over", ty=ty, v=f"{v:g}"),
            }
        return {**row, "status": st, "rule": i18n.t("targets.passed", ty=ty)}
    if upto.empty:
        return {**row, "status": "insufficient_data", "rule": i18n.t("targets.ahead_no_obs")}
    seg = comparable_segment(upto)
    last = seg.iloc[-1]
    ly, lv = int(last["year"]), float(last["value"])
    row["required_cagr_from_latest"] = cagr(lv, target_value, ly, ty)
    by = baseline["year"] if baseline else None
    window = seg if by is None else seg[seg["year"] >= by]
    row["n_points"] = len(window)
    age = report_year - ly
    if age > rules["max_data_age"]:
        return {
            **row,
            "status": "insufficient_data",
            "rule": i18n.t("targets.ahead_too_old", ly=ly, age=rules["max_data_age"], year=report_year),
        }
    already = _passed(lv, _over(last.to_dict()), target_value, comp) == "achieved"
    if baseline and baseline.get("stated") and baseline["year"] < ly:
        base = {"year": baseline["year"], "value": baseline["value"]}
        n_in = len(window) + (0 if (window["year"] == by).any() else 1)
    elif len(window) >= 1:
        first = window.iloc[0]
        base = {"year": int(first["year"]), "value": float(first["value"])}
        row["uses_derived"] = bool(row.get("uses_derived")) or bool(first["derived"])
        n_in = len(window)
    else:
        base, n_in = None, 0
    row["n_points"] = n_in
    since = i18n.t("targets.since_base", by=by) if by is not None else i18n.t("targets.since_segment")
    if already:
        # met already: on track unless the series moves away fast enough to fall short again
        if base is None or n_in < rules["min_points"] or base["year"] >= ly:
            return {**row, "status": "on_track", "rule": i18n.t("targets.ahead_already_met")}
        actual = cagr(base["value"], lv, base["year"], ly)
        away = actual < 0 if comp == ">=" else actual > 0
        if not away:
            return {
                **row,
                "actual_cagr": actual,
                "baseline_year": base["year"],
                "baseline_value": base["value"],
                "status": "on_track",
                "rule": i18n.t("targets.ahead_already_met"),
            }
        if fc is not None and getattr(fc, "fitted", None) is not None:
            median = fc.fitted.dist(ty).centre()
            how = i18n.t("targets.how_model")
        else:
            median = lv * (1 + actual) ** (ty - ly) if not math.isnan(actual) else lv
            how = i18n.t("targets.how_pace")
        st = "on_track" if meets(median, target_value, comp) else "moving_away"
        return {
            **row,
            "actual_cagr": actual,
            "baseline_year": base["year"],
            "baseline_value": base["value"],
            "status": st,
            "rule": i18n.t(
                "targets.ahead_moved_away_still" if st == "on_track" else "targets.ahead_moved_away_short",
                rate=f"{actual:+.1%}",
                base=base["year"],
                how=how,
                ty=ty,
            ),
        }
    if base is None or n_in < rules["min_points"] or base["year"] >= ly:
        return {
            **row,
            "status": "insufficient_data",
            "rule": i18n.t("targets.ahead_few_points", n=n_in, since=since, min=rules["min_points"]),
        }
    actual = cagr(base["value"], lv, base["year"], ly)
    required = cagr(base["value"], target_value, base["year"], ty)
    has_over = "qualifier" in s and s["qualifier"].astype(str).str.lower().eq("over").any()
    qual = i18n.t("targets.over_lower_bound") if has_over else ""
    if (
        required is None
        or math.isnan(required)
        or required == 0
        or (meets(base["value"], target_value, comp))
    ):
        return {
            **row,
            "actual_cagr": actual,
            "baseline_year": base["year"],
            "baseline_value": base["value"],
            "status": "moving_away",
            "rule": i18n.t("targets.ahead_base_met", base=base["year"]),
        }
    ratio = actual / required
    return {
        **row,
        "actual_cagr": actual,
        "required_cagr": required,
        "ratio": ratio,
        "baseline_year": base["year"],
        "baseline_value": base["value"],
        "status": assess_ratio(ratio),
        "rule": i18n.t("targets.ahead_eurostat", base=base["year"], ly=ly, ty=ty, qual=qual),
    }


def _cumulative(t: dict, s: pd.DataFrame, report_year: int, target_value: float, rules: dict) -> dict:
    start, ty = int(t["period_start"]), int(t["target_year"])
    end = min(ty, report_year)
    years = list(range(start, end + 1))
    got = s[s["year"].isin(years)]
    total = float(got["value"].sum()) if not got.empty else math.nan
    row = {
        "latest_year": int(got["year"].max()) if not got.empty else None,
        "latest_value": total if not got.empty else None,
        "n_points": len(got),
        "uses_derived": bool(got["derived"].any()) if not got.empty else False,
        "gap": target_value - total if not got.empty else None,
        "progress_share": total / target_value if not got.empty and target_value else None,
    }
    missing = [y for y in years if y not in set(got["year"].astype(int))]
    if not got.empty and total >= target_value:
        early = "" if ty <= report_year else i18n.t("targets.cum_met_early", ty=ty)
        return {
            **row,
            "status": "achieved",
            "p_meet": 1.0,
            "rule": i18n.t("targets.cum_met", start=start, end=int(got["year"].max()), early=early),
        }
    if ty <= report_year:
        if missing:
            return {
                **row,
                "status": "not_reported",
                "rule": i18n.t("targets.cum_passed_missing", years=_years(missing)),
            }
        return {
            **row,
            "status": "not_achieved",
            "p_meet": 0.0,
            "rule": i18n.t("targets.cum_short", start=start, ty=ty),
        }
    if report_year < start:
        return {**row, "status": "insufficient_data", "rule": i18n.t("targets.cum_not_started", start=start)}
    if got.empty or missing:
        return {
            **row,
            "status": "insufficient_data",
            "rule": i18n.t("targets.cum_missing", years=_years(missing)),
        }
    if len(got) < rules["min_points"]:
        return {
            **row,
            "status": "insufficient_data",
            "rule": i18n.t("targets.cum_few", n=len(got), min=rules["min_points"]),
        }
    k, m = len(years), ty - end
    a = got["value"].astype(float).to_numpy()
    actual, required = total / k, (target_value - total) / m
    ratio = actual / required
    sd = float(np.std(a, ddof=1))
    from analysis.forecast import Dist

    p = Dist(m * a.mean(), sd * math.sqrt(m + m * m / k), k - 1).prob_at_least(target_value - total)
    return {
        **row,
        "ratio": ratio,
        "status": assess_ratio(ratio),
        "p_meet": p,
        "rule": i18n.t("targets.cum_ratio"),
    }


def _annual_minimum(t: dict, s: pd.DataFrame, report_year: int, target_value: float, fc=None) -> dict:
    start, ty = int(t["period_start"]), int(t["target_year"])
    years = list(range(start, min(ty, report_year) + 1))
    got = s[s["year"].isin(years)]
    row = {
        "latest_year": int(got["year"].max()) if not got.empty else None,
        "latest_value": float(got.iloc[-1]["value"]) if not got.empty else None,
        "n_points": len(got),
        "uses_derived": bool(got["derived"].any()) if not got.empty else False,
    }
    below = got[~got["value"].map(lambda v: meets(v, target_value, t["comparator"]))]
    missing = [y for y in years if y not in set(got["year"].astype(int))]
    if not below.empty:
        when = "" if ty <= report_year else i18n.t("targets.min_no_longer")
        return {
            **row,
            "status": "not_achieved",
            "p_meet": 0.0,
            "rule": i18n.t("targets.min_below", years=_years(below["year"].astype(int)), when=when),
        }
    if report_year < start or (got.empty and ty > report_year):
        return {**row, "status": "insufficient_data", "rule": i18n.t("targets.min_none")}
    if missing:
        return {
            **row,
            "status": "not_reported" if ty <= report_year else "insufficient_data",
            "rule": i18n.t("targets.min_missing", years=_years(missing)),
        }
    if ty <= report_year:
        return {**row, "status": "achieved", "p_meet": 1.0, "rule": i18n.t("targets.min_all")}
    p = math.nan
    fitted = getattr(fc, "fitted", None) if fc is not None else None
    if fitted is not None and hasattr(fitted, "paths"):
        # the years move together (a random walk): simulate whole paths, not year by year
        draws = fitted.paths(list(range(report_year + 1, ty + 1)))
        p = float(meets(draws, target_value, t["comparator"]).all(axis=1).mean())  # elementwise
    return {
        **row,
        "status": "on_track",
        "p_meet": p,
        "rule": i18n.t("targets.min_on_track"),
    }


def assess_target(
    t: dict, obs: pd.DataFrame, report_year: int, forecasts: dict | None = None, rules: dict | None = None
) -> dict:
    """Status and the numbers behind it for one target (a row of targets.csv as a dict)."""
    forecasts = forecasts or {}
    rules = {**DEFAULT_RULES, **(rules or {})}
    s = series(model_values(obs), t["entity"], t["indicator"])
    kind, target_value = t["kind"], _num(t["target_value"])
    baseline = None
    if _num(t.get("baseline_value")) is not None and _num(t.get("baseline_year")) is not None:
        baseline = {"year": int(t["baseline_year"]), "value": float(t["baseline_value"]), "stated": True}
    elif _num(t.get("baseline_year")) is not None:
        b = s[s["year"] == int(t["baseline_year"])]
        baseline = {
            "year": int(t["baseline_year"]),
            "value": float(b.iloc[-1]["value"]) if not b.empty else None,
        }
    out = {k: t.get(k) for k in COLUMNS if k in t}
    out["claim"] = _claim(t)
    fc = forecasts.get((t["entity"], t["indicator"]))
    res: dict
    if kind == "multiple_of_baseline":
        if baseline is None or baseline["value"] is None:
            target_value = None  # the level to reach is unknown without the baseline
            upto = s[s["year"] <= report_year]
            res = {
                "status": "insufficient_data",
                "rule": i18n.t("targets.no_baseline", year=_year(t.get("baseline_year"))),
            }
            if not upto.empty:
                res.update(
                    latest_year=int(upto.iloc[-1]["year"]),
                    latest_value=float(upto.iloc[-1]["value"]),
                    uses_derived=bool(upto.iloc[-1]["derived"]),
                )
        else:
            target_value = target_value * baseline["value"]
            res = _level(t, s, report_year, target_value, baseline, rules, fc)
            res["rule"] = i18n.t(
                "targets.multiple", k=f"{t['target_value']:g}", year=baseline["year"], rule=res["rule"]
            )
    elif target_value is None:
        res = {"status": "insufficient_data", "rule": i18n.t("targets.not_stated")}
    elif kind == "cumulative":
        res = _cumulative(t, s, report_year, target_value, rules)
    elif kind == "annual_minimum":
        res = _annual_minimum(t, s, report_year, target_value, fc)
    else:
        res = _level(t, s, report_year, target_value, baseline, rules, fc)
    if (
        res["status"] in ("insufficient_data", "not_reported")
        and out["claim"]
        and str(t.get("status_claim") or "").startswith("achieved")
    ):
        res["rule"] = i18n.t("targets.claimed", rule=res["rule"])
        res["status"] = "claimed_achieved"
    out.update({k: v for k, v in res.items()})
    out["target_value"] = target_value
    out.setdefault("baseline_year", t.get("baseline_year"))
    if baseline and baseline["value"] is not None and _num(out.get("baseline_value")) is None:
        out["baseline_value"] = baseline["value"]
    if (
        fc is not None
        and target_value is not None
        and kind in ("level", "share", "rank", "multiple_of_baseline")
        and int(t["target_year"]) > report_year
        and fc.n_obs >= 2
    ):
        out["p_meet"] = fc.prob_meets(int(t["target_year"]), target_value, t["comparator"])
    out["status_label"] = status_label(out["status"])
    return out


def scorecard(
    ds: Dataset,
    obs: pd.DataFrame,
    report_year: int,
    forecasts: dict | None = None,
    entity: str | None = None,
    rules: dict | None = None,
) -> pd.DataFrame:
    """Every target in `ds` (already filtered with ``data.as_of``) assessed for `report_year`,
    grouped by the plan (document) that set it."""
    rules = rules if rules is not None else rules_from_config()
    rows = [
        assess_target(t, obs, report_year, forecasts, rules)
        for t in ds.targets.to_dict("records")
        if entity is None or t["entity"] == entity
    ]
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    if "plan" in ds.targets:
        df["plan"] = df["plan"].fillna(df["source_id"])
    else:
        df["plan"] = df["source_id"]
    df["plan_en"] = df["plan_en"].fillna(df["plan"])  # a plan without an English title keeps its own
    return df.sort_values(["plan", "theme", "target_id"], kind="stable").reset_index(drop=True)


def status_counts(card: pd.DataFrame) -> pd.DataFrame:
    """How many targets fall in each status, in report order (zeros included)."""
    counts = card["status"].value_counts()
    return pd.DataFrame(
        {
            "status": STATUS_ORDER,
            "label": [status_label(s) for s in STATUS_ORDER],
            "targets": [int(counts.get(s, 0)) for s in STATUS_ORDER],
        }
    )
