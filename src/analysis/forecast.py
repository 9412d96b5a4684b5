"""Forecasts for short annual series, with intervals that say how little the data can tell.

The report's model (``method="pooled"``, the default) is one model for every series: a random
walk with drift on the log scale (counts and amounts; shares bounded by 100% on the logit scale),
gaps between observations counted by their length, with drift and spread shrunk toward what the
indicator's family does across every entity of the report (an empirical-Bayes
normal–inverse-gamma prior; the predictive distribution is Student's t in closed form). A series
needs ``POOLED_MIN_OBS`` observations; below that it gets no forecast and the reason. The same
distribution gives the intervals, the target probabilities and the projections of the scorecard.
Its out-of-sample calibration is measured by ``benchmarks/calibration.py`` (a pseudo-real-time
backtest, priors recomputed at every origin).

Simpler candidates, shown beside it where a series is long enough (one-step rolling-origin
backtest from ``INITIAL_WINDOW`` observations), and still available as ``method="selected"`` (the
earlier rule: the candidate with the lowest rolling-origin mean absolute error; exactly 3
observations use the random walk with drift, marked "not evaluated"):

- ``naive``: the last value carries forward; a random walk, spread grows with √h.
- ``drift``: random walk with drift; the drift is the average change per year between the
  first and the last observation.
- ``log_linear``: OLS of log(value) on the year (statsmodels); keeps counts positive; its
  prediction interval uses Student's t with the residual degrees of freedom.
- ``ets_damped`` (statsmodels ``ETSModel``) and ``arima_drift`` (ARIMA(0,1,0) with drift) — only
  for regular (no gaps) series of at least 8 observations.

Intervals are on the original scale; counts and amounts are never negative and percentages stay
within 0–100. The same data and parameters always give the same numbers.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Z975 = 1.959963984540054  # standard normal 97.5% quantile
INTERVAL_LEVELS = (0.80, 0.95)  # the prediction intervals the report shows (lo80/hi80, lo95/hi95)
MIN_OBS = 3
PATHS = 20_000  # joint draws for targets that concern several years at once
INITIAL_WINDOW = 3
LONG_SERIES = 8
LONG_WINDOW = 6
MODEL_ORDER = ["naive", "drift", "log_linear", "arima_drift", "ets_damped", "pooled"]


def model_label(model: str) -> str:
    """A model's name in the edition's language (labels/forecast.yml ``model_<id>``)."""
    from analysis.i18n import t

    return t(f"forecast.model_{model}")


def _scale_words(scale: str) -> str:
    from analysis.i18n import t

    return t(f"forecast.scale_{scale}")


@dataclass
class Dist:
    """Predictive distribution at one horizon: loc + scale · T(df), then `transform`."""

    loc: float
    scale: float
    df: float = math.inf
    log: bool = False
    logit: bool = False  # the value is 100 · expit(x): a percentage bounded by 0 and 100

    def _back(self, x):
        if self.logit:
            return 100.0 / (1.0 + np.exp(-x))
        return np.exp(x) if self.log else x

    def _forward(self, v: float) -> float:
        """The threshold `v` on the model's scale (±inf beyond the scale's bounds)."""
        if self.logit:
            if v <= 0:
                return -math.inf
            if v >= 100:
                return math.inf
            return math.log(v / (100.0 - v))
        if self.log:
            return math.log(v) if v > 0 else -math.inf
        return v

    def _t(self):
        from scipy import stats

        return stats.norm if not np.isfinite(self.df) else stats.t(self.df)

    def quantile(self, q: float) -> float:
        z = self._t().ppf(q)
        return float(self._back(self.loc + z * self.scale))

    def centre(self) -> float:
        """The median (the mean on the model's scale, transformed back)."""
        return float(self._back(self.loc))

    def cdf(self, value: float) -> float:
        """P(value at that year ≤ `value`)."""
        x = self._forward(value)
        if math.isinf(x):
            return 0.0 if x < 0 else 1.0
        if self.scale <= 0:
            return float(self.loc <= x)
        return float(self._t().cdf((x - self.loc) / self.scale))

    def prob_at_least(self, threshold: float) -> float:
        return 1.0 - self.cdf(threshold)


def forecast_path(fitted, last_year: int, end_year: int, unit: str) -> pd.DataFrame:
    """Point forecast with 80% and 95% intervals for every year after the last observation."""
    return pd.DataFrame(
        [{"year": y, **interval_row(fitted.dist(y), unit)} for y in range(last_year + 1, end_year + 1)],
        columns=["year", "mean", "lo80", "hi80", "lo95", "hi95"],
    )


class Model:
    name = ""
    min_obs = 2

    def fit(self, years: np.ndarray, values: np.ndarray) -> Model:
        raise NotImplementedError

    def dist(self, year: int) -> Dist:
        raise NotImplementedError


class Naive(Model):
    name, min_obs = "naive", 2

    def fit(self, years, values):
        self.t_last, self.y_last = int(years[-1]), float(values[-1])
        gaps, d = np.diff(years), np.diff(values)
        self.sigma = math.sqrt(np.mean(d**2 / gaps))
        self.df = len(d)
        return self

    def dist(self, year):
        h = year - self.t_last
        return Dist(self.y_last, self.sigma * math.sqrt(h), self.df)


class Drift(Model):
    name, min_obs = "drift", 3

    def fit(self, years, values):
        self.t_last, self.y_last = int(years[-1]), float(values[-1])
        self.span = float(years[-1] - years[0])
        self.c = (values[-1] - values[0]) / self.span
        gaps, d = np.diff(years), np.diff(values)
        e = d - self.c * gaps
        self.df = len(d) - 1
        self.sigma = math.sqrt(np.sum(e**2 / gaps) / self.df)
        return self

    def dist(self, year):
        h = year - self.t_last
        return Dist(self.y_last + self.c * h, self.sigma * math.sqrt(h * (1 + h / self.span)), self.df)


class LogLinear(Model):
    name, min_obs = "log_linear", 3

    def fit(self, years, values):
        import statsmodels.api as sm

        if np.any(values <= 0):
            raise ValueError("log-linear trend needs positive values")
        self.t0 = float(np.mean(years))
        X = sm.add_constant(years - self.t0)
        self.res = sm.OLS(np.log(values), X).fit()
        return self

    def dist(self, year):
        X = np.array([[1.0, year - self.t0]])
        pred = self.res.get_prediction(X)
        se_obs = math.sqrt(float(pred.se_mean[0]) ** 2 + float(self.res.scale))
        return Dist(float(pred.predicted_mean[0]), se_obs, float(self.res.df_resid), log=True)


class _StatsmodelsForecaster(Model):
    """ETS and ARIMA on a regular series: distribution read from the 95% interval."""

    def _frame(self, h: int) -> pd.DataFrame:
        raise NotImplementedError

    def dist(self, year):
        h = year - self.t_last
        if h > len(self._cache):
            self._cache = self._frame(max(h, 2 * len(self._cache) or 1))
        row = self._cache.iloc[h - 1]
        scale = (row["hi"] - row["lo"]) / (2 * Z975)
        return Dist(float(row["mean"]), float(scale))


class ETSDamped(_StatsmodelsForecaster):
    name, min_obs = "ets_damped", LONG_WINDOW

    def fit(self, years, values):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        self.t_last, self.n = int(years[-1]), len(values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.res = ETSModel(
                pd.Series(np.asarray(values, float)), error="add", trend="add", damped_trend=True
            ).fit(disp=False)
        self.converged = (
            bool(self.res.mle_retvals.get("converged", True))
            if isinstance(self.res.mle_retvals, dict)
            else True
        )
        self._cache = self._frame(10)
        return self

    def _frame(self, h):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = self.res.get_prediction(start=self.n, end=self.n + h - 1).summary_frame(alpha=0.05)
        return pd.DataFrame(
            {"mean": f["mean"].to_numpy(), "lo": f["pi_lower"].to_numpy(), "hi": f["pi_upper"].to_numpy()}
        )


class ARIMADrift(_StatsmodelsForecaster):
    name, min_obs = "arima_drift", LONG_WINDOW

    def fit(self, years, values):
        from statsmodels.tsa.arima.model import ARIMA

        self.t_last = int(years[-1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.res = ARIMA(np.asarray(values, float), order=(0, 1, 0), trend="t").fit()
        self._cache = self._frame(10)
        return self

    def _frame(self, h):
        f = self.res.get_forecast(h).summary_frame(alpha=0.05)
        return pd.DataFrame(
            {
                "mean": f["mean"].to_numpy(),
                "lo": f["mean_ci_lower"].to_numpy(),
                "hi": f["mean_ci_upper"].to_numpy(),
            }
        )


# --------------------------------------------------------------------------- pooled model

SHARE_MEASURES = ("share", "ratio")


def scale_of(unit: str, measure: str | None, values) -> str:
    """The scale a series is modelled on: ``logit`` for percentages bounded by 100% (shares,
    intensities), ``log`` for positive amounts and counts (they grow multiplicatively),
    ``identity`` otherwise (values at or below zero)."""
    v = np.asarray(values, float)
    if unit == "percent" and (measure in SHARE_MEASURES or measure is None) and np.all((v > 0) & (v < 100)):
        return "logit"
    if np.all(v > 0):
        return "log"
    return "identity"


def to_scale(values, scale: str) -> np.ndarray:
    v = np.asarray(values, float)
    if scale == "logit":
        return np.log(v / (100.0 - v))
    return np.log(v) if scale == "log" else v


@dataclass(frozen=True)
class Prior:
    """Normal–inverse-gamma prior for a random walk with drift on the model's scale.

    Yearly change ~ N(mu, sigma²); mu | sigma² ~ N(m0, sigma² / k0); sigma² ~ IG(a0, b0).
    ``k0`` is the prior's weight in years of data; ``a0 = nu0 / 2`` and ``b0 = nu0 · s2 / 2``
    hold a prior scale s2 worth nu0 degrees of freedom. ``basis`` says where it came from.
    """

    m0: float
    k0: float
    a0: float
    b0: float
    basis: str = ""


# Prior strength (years of data for the drift, degrees of freedom for the scale): calibrated on
# the pseudo-real-time backtest (benchmarks/calibration.py), not fitted to one series.
PRIOR_YEARS = 3.0
PRIOR_DF = 1.5


def _increments(years, z) -> tuple[np.ndarray, np.ndarray]:
    return np.diff(np.asarray(years, float)), np.diff(np.asarray(z, float))


def pooled_priors(
    series_list: list[tuple[str, str, list[int], list[float]]], groups: dict | None = None
) -> dict:
    """Empirical-Bayes priors by (indicator, scale) from every series of the same indicator.

    `series_list`: (indicator, scale, years, values) for every annual series (all entities).
    The drift prior is the indicator's pooled yearly change (Σ changes / Σ years), shrunk toward
    the pooled change of every series on the same scale; the scale prior is the geometric mean
    (weighted by degrees of freedom) of each series' residual variance around its own drift, so
    that one noisy series does not set the spread of smooth ones; it is shrunk toward the same
    mean over every series on the scale. An indicator seen in no other series gets the
    scale's overall prior. `groups` maps an indicator to its group (the report uses the
    indicator family, so that GDP growth does not steady patent counts); the overall pool is then
    per group and scale. Returns {(indicator, scale): Prior, (None, scale, group): Prior}.
    """
    from analysis.i18n import t

    groups = groups or {}
    by_ind: dict = {}
    for ind, scale, years, values in series_list:
        if len(years) < 2:
            continue
        g, d = _increments(years, to_scale(values, scale))
        by_ind.setdefault((ind, scale), []).append((g, d))

    def pooled(parts):
        """Pooled drift (Σ changes / Σ years), and the within-series variance (each series
        around its own drift; geometric mean over series) as a sum of squares with its df."""
        G = sum(float(g.sum()) for g, _ in parts)
        D = sum(float(d.sum()) for _, d in parts)
        m = D / G if G > 0 else 0.0
        per = [
            (len(g) - 1, float(np.sum((d - d.sum() / g.sum() * g) ** 2 / g)) / (len(g) - 1))
            for g, d in parts
            if len(g) > 1
        ]
        per = [(k, v) for k, v in per if v > 0]
        if not per:
            return m, 0.0, 0, G
        k = sum(a for a, _ in per)
        s2 = math.exp(sum(a * math.log(v) for a, v in per) / k)  # geometric mean, weighted by df
        return m, s2 * k, k, G

    out: dict = {}
    for scale, grp in sorted({(k[1], groups.get(k[0]) or "") for k in by_ind}):
        members = {k: v for k, v in by_ind.items() if k[1] == scale and (groups.get(k[0]) or "") == grp}
        allg = [x for v in members.values() for x in v]
        m_all, ss_all, dof_all, _ = pooled(allg)
        s2_all = ss_all / dof_all if dof_all > 0 else 0.01
        out[(None, scale, grp)] = Prior(
            m_all,
            PRIOR_YEARS,
            PRIOR_DF / 2,
            PRIOR_DF * s2_all / 2,
            t(f"forecast.prior_{'group' if grp else 'all'}_series", n=len(allg), scale=_scale_words(scale)),
        )
        for (ind, sc), series_of in members.items():
            m, ss, dof, G = pooled(series_of)
            w = G / (G + PRIOR_YEARS)  # the indicator's own evidence against the overall pool
            m0 = w * m + (1 - w) * m_all
            s2 = (ss + PRIOR_DF * s2_all) / (dof + PRIOR_DF)
            n = sum(len(g) for g, _ in series_of)
            out[(ind, sc)] = Prior(
                m0,
                PRIOR_YEARS,
                PRIOR_DF / 2,
                PRIOR_DF * s2 / 2,
                t("forecast.prior_indicator_series", n=len(series_of), changes=n),
            )
    return out


class Pooled(Model):
    """Random walk with drift on the log (or logit) scale, with a pooled conjugate prior.

    Changes over a gap of g years have mean g·mu and variance g·sigma². With the prior above the
    posterior is normal–inverse-gamma in closed form and the value h years after the last
    observation is Student-t: loc z_T + m_n·h, scale² = (b_n / a_n)(h + h² / k_n), 2·a_n df.
    """

    name, min_obs = "pooled", 2

    def __init__(self, prior: Prior | None = None, scale: str = "log"):
        self.prior = prior or Prior(0.0, 1e-6, 1.0, 0.01, "flat")
        self.scale = scale

    def fit(self, years, values):
        years = np.asarray(years, float)
        z = to_scale(values, self.scale)
        g, d = _increments(years, z)
        p = self.prior
        self.t_last, self.z_last = int(years[-1]), float(z[-1])
        self.kn = p.k0 + float(g.sum())
        self.mn = (p.k0 * p.m0 + float(d.sum())) / self.kn
        self.an = p.a0 + len(d) / 2.0
        ss = float(np.sum(d**2 / g)) if len(d) else 0.0
        self.bn = p.b0 + 0.5 * (ss + p.k0 * p.m0**2 - self.kn * self.mn**2)
        self.bn = max(self.bn, 1e-12)
        self.df = 2.0 * self.an
        return self

    @property
    def drift(self) -> float:
        """Posterior mean yearly change on the model's scale (a log growth rate on the log scale)."""
        return self.mn

    def dist(self, year):
        h = year - self.t_last
        var = self.bn / self.an * (h + h * h / self.kn)
        return Dist(
            self.z_last + self.mn * h,
            math.sqrt(max(var, 0.0)),
            self.df,
            log=self.scale == "log",
            logit=self.scale == "logit",
        )

    def paths(self, years: list[int], n: int = PATHS, seed: int = 0) -> np.ndarray:
        """Joint draws of the values in `years` (after the last observation) from the posterior:
        sigma² ~ inverse-gamma(a_n, b_n), mu | sigma² ~ N(m_n, sigma²/k_n), then yearly steps
        mu + N(0, sigma²). One row per draw, on the original scale; the same seed, the same draws."""
        rng = np.random.default_rng(seed)
        sigma2 = self.bn / rng.gamma(self.an, 1.0, size=n)
        mu = rng.normal(self.mn, np.sqrt(sigma2 / self.kn))
        h = np.asarray(years, float) - self.t_last
        steps = np.diff(np.concatenate([[0.0], h]))
        noise = rng.normal(0.0, 1.0, size=(n, len(h))) * np.sqrt(sigma2[:, None] * steps[None, :])
        z = self.z_last + mu[:, None] * h[None, :] + np.cumsum(noise, axis=1)
        return Dist(0.0, 1.0, log=self.scale == "log", logit=self.scale == "logit")._back(z)


MODELS = {m.name: m for m in (Naive, Drift, LogLinear, ARIMADrift, ETSDamped, Pooled)}


def candidates(years: np.ndarray, values: np.ndarray) -> list[str]:
    names = ["naive", "drift"]
    if np.all(values > 0):
        names.append("log_linear")
    regular = len(years) >= LONG_SERIES and np.all(np.diff(years) == 1)
    if regular:
        names += ["arima_drift", "ets_damped"]
    return names


def fit_model(name: str, years, values, prior: Prior | None = None, scale: str = "log") -> Model:
    m = Pooled(prior, scale) if name == "pooled" else MODELS[name]()
    return m.fit(np.asarray(years, float), np.asarray(values, float))


def _bounds(unit: str) -> tuple[float, float]:
    """The range a level in `unit` can take (metadata.yaml): counts never negative, % in 0–100."""
    from analysis import vocabulary

    u = vocabulary.load().units.get(unit)
    return (u.lower, u.upper) if u else (-math.inf, math.inf)


def interval_row(d: Dist, unit: str) -> dict:
    lo_b, hi_b = _bounds(unit)
    clip = lambda x: float(min(max(x, lo_b), hi_b))  # noqa: E731
    (a80, a95) = ((1 - level) / 2 for level in INTERVAL_LEVELS)
    return {
        "mean": clip(d.centre()),
        "lo80": clip(d.quantile(a80)),
        "hi80": clip(d.quantile(1 - a80)),
        "lo95": clip(d.quantile(a95)),
        "hi95": clip(d.quantile(1 - a95)),
    }


def mase_scale(values: np.ndarray) -> float:
    d = np.abs(np.diff(values))
    return float(np.mean(d)) if len(d) else math.nan


def backtest(
    years: np.ndarray,
    values: np.ndarray,
    names: list[str],
    unit: str,
    initial: int,
    prior: Prior | None = None,
    scale: str = "log",
) -> pd.DataFrame:
    """One-step rolling-origin forecasts of each candidate: one row per model and origin."""
    rows = []
    for k in range(initial, len(years)):
        for name in names:
            if k < MODELS[name].min_obs:
                continue
            try:
                m = fit_model(name, years[:k], values[:k], prior, scale)
                iv = interval_row(m.dist(int(years[k])), unit)
            except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
                continue
            actual = float(values[k])
            rows.append(
                {
                    "model": name,
                    "origin_year": int(years[k - 1]),
                    "year": int(years[k]),
                    "actual": actual,
                    "forecast": iv["mean"],
                    "abs_error": abs(iv["mean"] - actual),
                    "in80": iv["lo80"] <= actual <= iv["hi80"],
                    "in95": iv["lo95"] <= actual <= iv["hi95"],
                }
            )
    return pd.DataFrame(
        rows, columns=["model", "origin_year", "year", "actual", "forecast", "abs_error", "in80", "in95"]
    )


def summarise_backtest(bt: pd.DataFrame, scale: float) -> pd.DataFrame:
    if bt.empty:
        return pd.DataFrame(columns=["model", "n_forecasts", "mae", "mase", "coverage80", "coverage95"])
    g = bt.groupby("model")
    out = pd.DataFrame(
        {
            "n_forecasts": g.size(),
            "mae": g["abs_error"].mean(),
            "coverage80": g["in80"].mean(),
            "coverage95": g["in95"].mean(),
        }
    )
    out["mase"] = out["mae"] / scale if scale and scale > 0 else math.nan
    out = out.reset_index()
    out["_o"] = out["model"].map(MODEL_ORDER.index)
    return (
        out.sort_values("_o")
        .drop(columns="_o")[["model", "n_forecasts", "mae", "mase", "coverage80", "coverage95"]]
        .reset_index(drop=True)
    )


@dataclass
class SeriesForecast:
    """The forecast of one series, or the reason there is none."""

    entity: str
    indicator: str
    unit: str
    years: list[int]
    values: list[float]
    status: str  # "ok" or "too_short"
    model: str | None = None
    rule: str = ""
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    path: pd.DataFrame = field(default_factory=pd.DataFrame)
    fitted: Model | None = None
    n_derived: int = 0

    @property
    def n_obs(self) -> int:
        return len(self.years)

    def prob_meets(self, year: int, target: float, comparator: str = ">=") -> float:
        """Probability, under the chosen model, that the value in `year` meets the target."""
        if self.fitted is None or year <= self.years[-1]:
            return math.nan
        p = self.fitted.dist(year).prob_at_least(target)
        return p if comparator == ">=" else 1.0 - p

    def as_row(self) -> dict:
        row = {
            "entity": self.entity,
            "indicator": self.indicator,
            "unit": self.unit,
            "n_obs": self.n_obs,
            "first_year": self.years[0] if self.years else None,
            "last_year": self.years[-1] if self.years else None,
            "status": self.status,
            "model": self.model,
            "rule": self.rule,
            "n_derived": self.n_derived,
        }
        if not self.scores.empty and self.model in set(self.scores["model"]):
            s = self.scores.set_index("model").loc[self.model]
            row.update(mae=s["mae"], mase=s["mase"], coverage80=s["coverage80"], coverage95=s["coverage95"])
        return row


POOLED_MIN_OBS = 2
DISPLAY_CANDIDATES = ["naive", "drift", "log_linear"]


def forecast_series(
    entity: str,
    indicator: str,
    unit: str,
    years,
    values,
    end_year: int,
    n_derived: int = 0,
    prior: Prior | None = None,
    measure: str | None = None,
    method: str = "pooled",
) -> SeriesForecast:
    """Forecast one annual series to `end_year`.

    ``method="pooled"`` (the report's model): the pooled growth model with `prior` (from
    ``pooled_priors``; a flat prior when none is given), for every series of two or more
    observations; the one-step errors of the simple candidates are shown beside its own.
    ``method="selected"``: the earlier rule (a candidate chosen by rolling-origin MAE), kept so
    the calibration benchmark can compare the two.
    """
    from analysis.i18n import t

    years = np.asarray(years, dtype=int)
    values = np.asarray(values, dtype=float)
    sf = SeriesForecast(
        entity, indicator, unit, years.tolist(), values.tolist(), "too_short", n_derived=n_derived
    )
    if method == "pooled":
        return _forecast_pooled(sf, years, values, end_year, prior, measure)
    if len(years) < MIN_OBS:
        sf.rule = t("forecast.too_short", n=len(years), min_obs=MIN_OBS)
        return sf
    names = candidates(years, values)
    if len(years) == MIN_OBS:
        choice = "drift"
        sf.rule = t("forecast.three_observations", n=MIN_OBS)
    else:
        initial = LONG_WINDOW if "ets_damped" in names else INITIAL_WINDOW
        bt = backtest(years, values, names, unit, initial)
        scores = summarise_backtest(bt, mase_scale(values))
        sf.backtest, sf.scores = bt, scores
        if scores.empty:
            choice = "drift"
            sf.rule = t("forecast.no_candidate")
        else:
            common = scores[scores["n_forecasts"] == scores["n_forecasts"].max()]
            best = common.sort_values("mae", kind="stable").iloc[0]
            choice = str(best["model"])
            sf.rule = t("forecast.lowest_mae", n=int(best["n_forecasts"]), initial=initial)
    try:
        fitted = fit_model(choice, years, values)
    except (ValueError, np.linalg.LinAlgError):
        choice, fitted = "naive", fit_model("naive", years, values)
        sf.rule += t("forecast.fit_failed")
    sf.model, sf.fitted, sf.status = choice, fitted, "ok"
    sf.path = forecast_path(fitted, int(years[-1]), end_year, unit)
    return sf


def _forecast_pooled(sf: SeriesForecast, years, values, end_year, prior, measure) -> SeriesForecast:
    from analysis.i18n import t

    if len(years) < POOLED_MIN_OBS:
        sf.rule = t("forecast.too_short", n=len(years), min_obs=POOLED_MIN_OBS)
        return sf
    scale = scale_of(sf.unit, measure, values)
    fitted = fit_model("pooled", years, values, prior, scale)
    sf.model, sf.fitted, sf.status = "pooled", fitted, "ok"
    basis = prior.basis if prior is not None and prior.basis else t("forecast.flat_prior")
    sf.rule = t("forecast.pooled_rule", scale=_scale_words(scale), basis=basis)
    if len(years) > INITIAL_WINDOW:
        names = [n for n in candidates(years, values) if n in DISPLAY_CANDIDATES] + ["pooled"]
        bt = backtest(years, values, names, sf.unit, INITIAL_WINDOW, prior, scale)
        sf.backtest, sf.scores = bt, summarise_backtest(bt, mase_scale(values))
    sf.path = forecast_path(fitted, int(years[-1]), end_year, sf.unit)
    return sf


# --------------------------------------------------------------------------- per entity

FORECAST_MEASURES = ("flow", "stock", "ratio", "share")


def model_series(obs: pd.DataFrame, indicators: pd.DataFrame, entity: str | None = None):
    """(entity, indicator, unit, measure, segment) for every annual series the models may use:
    the latest stretch on one basis of the values fit for a model (``growth.model_values``)."""
    from analysis.growth import comparable_segment, model_values, series

    meta = indicators.set_index("indicator_id")
    annual = obs[obs["period"] == "year"]
    if entity is not None:
        annual = annual[annual["entity"] == entity]
    fit = model_values(annual)
    out = []
    # every series keeps its place: one whose values are all set aside gets an empty segment, so
    # the forecast says why there is none instead of leaving the series out silently
    for (e, indicator), g in annual.groupby(["entity", "indicator"], sort=True):
        if meta.loc[indicator, "measure"] not in FORECAST_MEASURES:
            continue
        s = comparable_segment(series(fit.loc[fit.index.intersection(g.index)], e, indicator))
        out.append((e, indicator, meta.loc[indicator, "unit"], meta.loc[indicator, "measure"], s))
    return out


def priors_for(obs: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """The pooled priors of every indicator, from every entity's series in `obs`, with the
    indicator family as the group (a family's rows are all a prior depends on)."""
    lst = [
        (i, scale_of(u, m, s["value"]), s["year"].astype(int).tolist(), s["value"].tolist())
        for _, i, u, m, s in model_series(obs, indicators)
    ]
    return pooled_priors(lst, indicators.set_index("indicator_id")["family"].to_dict())


def prior_for(priors: dict, indicator: str, scale: str, group: str | None = None) -> Prior | None:
    return priors.get((indicator, scale)) or priors.get((None, scale, group or ""))


def set_aside_rule() -> str:
    """Why a reported series gets no forecast when every value is set aside for models."""
    from analysis.i18n import t

    return t("forecast.set_aside")


def entity_forecasts(
    obs: pd.DataFrame,
    indicators: pd.DataFrame,
    entity: str,
    end_year: int,
    priors: dict | None = None,
    method: str = "pooled",
) -> list[SeriesForecast]:
    """A forecast (or the reason for none) for every annual series of `entity` in `obs`.

    `obs` is one value per point (``growth.analysis_observations``). Only the latest stretch on
    one basis is modelled (no model across a series break). Growth rates and reported changes are
    inputs to derivations, not series to forecast.
    """
    if priors is None and method == "pooled":  # pass `priors` when forecasting many entities
        priors = priors_for(obs, indicators)
    out = []
    fam = indicators.set_index("indicator_id")["family"].to_dict()
    for e, indicator, unit, measure, s in model_series(obs, indicators, entity):
        if s.empty:  # the series is reported, but every value is set aside for models
            out.append(SeriesForecast(e, indicator, unit, [], [], "too_short", rule=set_aside_rule()))
            continue
        scale = scale_of(unit, measure, s["value"])
        out.append(
            forecast_series(
                e,
                indicator,
                unit,
                s["year"].astype(int).tolist(),
                s["value"].tolist(),
                end_year,
                n_derived=int(s["derived"].astype(bool).sum()),
                prior=prior_for(priors or {}, indicator, scale, fam.get(indicator)),
                measure=measure,
                method=method,
            )
        )
    return out


def forecast_table(sfs: list[SeriesForecast]) -> pd.DataFrame:
    """One row per series: the model, why, and its backtest scores (or why there is none)."""
    cols = [
        "entity",
        "indicator",
        "unit",
        "n_obs",
        "first_year",
        "last_year",
        "status",
        "model",
        "rule",
        "n_derived",
        "mae",
        "mase",
        "coverage80",
        "coverage95",
    ]
    return pd.DataFrame([sf.as_row() for sf in sfs]).reindex(columns=cols)


def paths_table(sfs: list[SeriesForecast]) -> pd.DataFrame:
    """Forecast paths with 80% and 95% intervals, long format."""
    frames = [
        sf.path.assign(entity=sf.entity, indicator=sf.indicator, model=sf.model, unit=sf.unit)
        for sf in sfs
        if sf.status == "ok" and not sf.path.empty
    ]
    cols = ["entity", "indicator", "model", "unit", "year", "mean", "lo80", "hi80", "lo95", "hi95"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


def scores_table(sfs: list[SeriesForecast]) -> pd.DataFrame:
    """Backtest scores of every candidate for every evaluated series."""
    frames = [
        sf.scores.assign(entity=sf.entity, indicator=sf.indicator, chosen=sf.scores["model"] == sf.model)
        for sf in sfs
        if not sf.scores.empty
    ]
    cols = [
        "entity",
        "indicator",
        "model",
        "chosen",
        "n_forecasts",
        "mae",
        "mase",
        "coverage80",
        "coverage95",
    ]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]
