"""Growth, shares and benchmark gaps on short, gappy annual series.

Series have gaps, so every rate uses the actual years: the compound annual growth rate between
years t0 and t1 is (y1 / y0) ** (1 / (t1 − t0)) − 1. A rate is never computed across a series
break (two observations on a different ``basis``, e.g. Ordos GDP before and after the 2018
revision).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.data import Dataset, preferred
from analysis.derive import with_derived


def cagr(v0: float, v1: float, t0: int, t1: int) -> float:
    """Compound annual growth rate from (t0, v0) to (t1, v1), as a fraction (0.05 = 5%).

    NaN when the years are not increasing or either value is not positive.
    """
    if t1 <= t0 or not (v0 > 0 and v1 > 0):
        return math.nan
    return (v1 / v0) ** (1.0 / (t1 - t0)) - 1.0


def required_cagr(current: float, target: float, t: int, target_year: int) -> float:
    """Growth rate a year needed from (t, current) to reach `target` in `target_year`."""
    return cagr(current, target, t, target_year)


def analysis_observations(ds: Dataset, candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reported and derived values, one per point, by the preferred-source rule.

    `candidates`: the reported and derived values already computed (``derive.with_derived``).
    """
    return preferred(candidates if candidates is not None else with_derived(ds), ds)


INCONSISTENT_NOTE = "No whole number is consistent"  # derive.py's note on an impossible derived count
DOUBTFUL_CONFIDENCE = "low"  # year or scope in doubt (data/README.md, the sources' caveats)


def model_values(obs: pd.DataFrame) -> pd.DataFrame:
    """The values fit for a status or a model: a derived value its derivation marks as
    inconsistent (no whole number fits the rounded rate) and a value of ``low`` confidence
    (year or scope in doubt) stay out. They remain in the data and on the data pages."""
    keep = pd.Series(True, index=obs.index)
    if "note" in obs:
        keep &= ~obs["note"].fillna("").astype(str).str.startswith(INCONSISTENT_NOTE)
    if "confidence" in obs:
        keep &= obs["confidence"].fillna("") != DOUBTFUL_CONFIDENCE
    return obs[keep]


def series(obs: pd.DataFrame, entity: str, indicator: str, period: str = "year") -> pd.DataFrame:
    """One indicator of one entity by year (columns year, value, derived, basis, qualifier, ...)."""
    s = obs[(obs["entity"] == entity) & (obs["indicator"] == indicator) & (obs["period"] == period)]
    return s.sort_values("year").reset_index(drop=True)


def comparable_segment(s: pd.DataFrame) -> pd.DataFrame:
    """The latest stretch of a series on one basis (the part a rate or a model may use)."""
    if s.empty or "basis" not in s or s["basis"].isna().all():
        return s
    last = s["basis"].dropna().iloc[-1]
    keep = s["basis"].isna() | (s["basis"] == last)
    # stop at the most recent break: drop everything before the last other-basis row
    other = s.index[~keep]
    if len(other):
        s = s.loc[s.index > other.max()]
    return s


def period_cagr(s: pd.DataFrame, start_year: int | None = None, end_year: int | None = None) -> dict:
    """CAGR between the first and last observation in [start_year, end_year] on one basis."""
    seg = s
    if start_year is not None:
        seg = seg[seg["year"] >= start_year]
    if end_year is not None:
        seg = seg[seg["year"] <= end_year]
    seg = comparable_segment(seg)
    if len(seg) < 2:
        return {"from_year": None, "to_year": None, "cagr": math.nan, "n": len(seg)}
    a, b = seg.iloc[0], seg.iloc[-1]
    return {
        "from_year": int(a["year"]),
        "to_year": int(b["year"]),
        "cagr": cagr(a["value"], b["value"], int(a["year"]), int(b["year"])),
        "n": len(seg),
    }


def share(part: float, whole: float) -> float:
    """part / whole in percent (NaN when whole is not positive)."""
    return 100.0 * part / whole if whole and whole > 0 else math.nan


def share_table(obs: pd.DataFrame, part: tuple[str, str], whole: tuple[str, str]) -> pd.DataFrame:
    """Share (%) of one series in another for every year both have: e.g. (zone, HTE) in (city,
    HTE), or (city, invention applications) in (city, applications)."""
    a = series(obs, *part)[["year", "value", "derived"]]
    b = series(obs, *whole)[["year", "value", "derived"]]
    m = a.merge(b, on="year", suffixes=("_part", "_whole"))
    m["share_pct"] = [share(p, w) for p, w in zip(m["value_part"], m["value_whole"])]
    m["uses_derived"] = m["derived_part"].astype(bool) | m["derived_whole"].astype(bool)
    return m.drop(columns=["derived_part", "derived_whole"])


def benchmark_gaps(obs: pd.DataFrame, indicator: str, entity: str, benchmarks: list[str]) -> pd.DataFrame:
    """Levels of `indicator` for `entity` and each benchmark by year, and the gap to each
    benchmark in the indicator's own unit (percentage points for an intensity)."""
    wide = obs[
        (obs["indicator"] == indicator)
        & (obs["period"] == "year")
        & obs["entity"].isin([entity, *benchmarks])
    ].pivot_table(index="year", columns="entity", values="value", aggfunc="first")
    wide = wide.reindex(columns=[entity, *benchmarks])
    for b in benchmarks:
        wide[f"gap_to_{b}"] = wide[entity] - wide[b]
    wide.index = wide.index.astype(int)
    return wide.reset_index()
