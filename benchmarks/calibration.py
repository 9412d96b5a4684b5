"""Pseudo-real-time calibration backtest of the forecast models (not part of the tests).

For every year Y from the first data year + 1 to the last − 1: take the data as a report for Y
would (``data.as_of``: reference years ≤ Y), forecast every annual series of every entity, and
score each forecast against the values later reported for years > Y (the same entity, indicator
and basis, values fit for a model). Three methods side by side, in one run:

- ``pooled``   the report's model (log/logit random walk with drift, empirical-Bayes prior
               pooled across entities, priors computed from the as-of data only);
- ``selected`` the earlier rule (candidate chosen by rolling-origin MAE; needs 3 observations);
- ``naive``    the last value carried forward, spread from the past yearly changes.

Scores: coverage of the 80% and 95% intervals, mean PIT (predictive CDF at the later value;
0.5 when the forecasts are unbiased), the interval score of both intervals and the CRPS, both
divided by the later value so that series in 亿元 and in counts weigh alike (lower is better).
The comparison rows use only the pairs that every method can forecast; the last row gives the
report's model on every pair it can forecast (series with two observations included).

Limitation: ``as_of`` filters by reference year, not by publication date, so some restated
figures that were not known at Y are used.

    .venv/bin/python benchmarks/calibration.py [--first 2013] [--last 2023] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import data, forecast, growth  # noqa: E402

TAUS = np.linspace(0.01, 0.99, 99)


def _bounded(unit: str, x: float) -> float:
    lo, hi = forecast._bounds(unit)
    return float(min(max(x, lo), hi))


def score(d: forecast.Dist, unit: str, x: float) -> dict:
    q = np.array([_bounded(unit, d.quantile(t)) for t in TAUS])
    pin = np.where(x < q, (1 - TAUS) * (q - x), TAUS * (x - q))
    crps = 2 * float(pin.mean())
    out = {"pit": d.cdf(x), "crps_rel": crps / abs(x)}
    for level in forecast.INTERVAL_LEVELS:
        a = 1 - level
        lo, hi = _bounded(unit, d.quantile(a / 2)), _bounded(unit, d.quantile(1 - a / 2))
        inside = lo <= x <= hi
        isc = (hi - lo) + 2 / a * max(lo - x, 0) + 2 / a * max(x - hi, 0)
        out[f"in{int(level * 100)}"] = inside
        out[f"is{int(level * 100)}_rel"] = isc / abs(x)
    return out


def later_values(full_obs: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """{(entity, indicator): segment} on the full data, for looking up what was reported later."""
    return {(e, i): s for e, i, _, _, s in forecast.model_series(full_obs, indicators)}


def run(first: int, last: int) -> pd.DataFrame:
    ds = data.load(data.DEFAULT_DATA_DIR)
    full_obs = growth.analysis_observations(ds)
    later = later_values(full_obs, ds.indicators)
    fam = ds.indicators.set_index("indicator_id")["family"].to_dict()
    rows = []
    for y in range(first, last + 1):
        view = data.as_of(ds, y)
        obs = growth.analysis_observations(view)
        priors = forecast.priors_for(obs, ds.indicators)
        for e, ind, unit, measure, s in forecast.model_series(obs, ds.indicators):
            fut = later.get((e, ind))
            if fut is None or len(s) < 2:
                continue
            basis = s["basis"].dropna().iloc[-1] if s["basis"].notna().any() else None
            fut = fut[(fut["year"] > y) & ~fut["derived"].astype(bool)]
            if basis is not None:
                fut = fut[fut["basis"].isna() | (fut["basis"] == basis)]
            if fut.empty:
                continue
            years, values = s["year"].astype(int).to_numpy(), s["value"].astype(float).to_numpy()
            scale = forecast.scale_of(unit, measure, values)
            models = {
                "pooled": forecast.fit_model(
                    "pooled", years, values, forecast.prior_for(priors, ind, scale, fam.get(ind)), scale
                ),
                "naive": forecast.fit_model("naive", years, values),
            }
            if len(years) >= forecast.MIN_OBS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sel = forecast.forecast_series(
                        e, ind, unit, years, values, int(years[-1]) + 1, method="selected"
                    )
                if sel.fitted is not None:
                    models["selected"] = sel.fitted
            for t, x in zip(fut["year"].astype(int), fut["value"].astype(float)):
                if x == 0:
                    continue
                for name, m in models.items():
                    rows.append(
                        {
                            "as_of": y,
                            "entity": e,
                            "indicator": ind,
                            "year": t,
                            "horizon": t - int(years[-1]),
                            "n_obs": len(years),
                            "model": name,
                            "actual": x,
                            **score(m.dist(t), unit, x),
                        }
                    )
    return pd.DataFrame(rows)


def summary(pairs: pd.DataFrame) -> pd.DataFrame:
    key = ["as_of", "entity", "indicator", "year"]
    counts = pairs.groupby(key)["model"].nunique()
    common = counts[counts == pairs["model"].nunique()].index
    both = pairs.set_index(key).loc[common].reset_index()
    out = []
    for label, frame in [
        *((f"{m} (common pairs)", both[both["model"] == m]) for m in ("pooled", "selected", "naive")),
        ("pooled (every pair)", pairs[pairs["model"] == "pooled"]),
    ]:
        out.append(
            {
                "method": label,
                "pairs": len(frame),
                "series": frame[["entity", "indicator"]].drop_duplicates().shape[0],
                "coverage80": frame["in80"].mean(),
                "coverage95": frame["in95"].mean(),
                "mean_pit": frame["pit"].mean(),
                "interval_score80_rel": frame["is80_rel"].mean(),
                "interval_score95_rel": frame["is95_rel"].mean(),
                "crps_rel": frame["crps_rel"].mean(),
            }
        )
    return pd.DataFrame(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=2013)
    ap.add_argument("--last", type=int, default=2023)
    ap.add_argument("--pairs", help="write every scored pair to this CSV")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pairs = run(args.first, args.last)
    tab = summary(pairs)
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.float_format", lambda v: f"{v:.3f}"
    ):
        print(tab.to_string(index=False))
    pooled = pairs[pairs["model"] == "pooled"]
    hist = np.histogram(pooled["pit"], bins=5, range=(0, 1))[0]
    print(f"PIT histogram of the report's model (5 bins): {hist.tolist()}")
    print(f"{time.perf_counter() - t0:.1f} s")
    if args.pairs:
        pairs.to_csv(args.pairs, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
