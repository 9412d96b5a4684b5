"""One report = data as of a year + its forecasts + its scorecard; parameters checked first.

The notebooks and the command line both start here, so a report year, an entity or a horizon
that cannot work fails the same way everywhere: with a one-line message that says what is valid.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config, data, digest, forecast, growth, peers, targets
from analysis.errors import ParameterError

MAX_HORIZON = 15


def data_years(ds: data.Dataset) -> tuple[int, int]:
    """First and last year with any observation."""
    years = ds.observations["year"].astype(int)
    return int(years.min()), int(years.max())


def latest_full_year(ds: data.Dataset, entity: str | None = None) -> int:
    """The latest year with a full-year observation for `entity`: the default report year."""
    entity = entity or config.load().default_entity
    obs = ds.observations
    sel = obs[(obs["entity"] == entity) & (obs["period"] == "year")]
    return int((sel if not sel.empty else obs)["year"].max())


def check_parameters(ds: data.Dataset, year: int | None, entity: str, horizon: int) -> int:
    """Validate the parameters; return the report year (default: latest full year of data)."""
    entities = ds.entities["entity_id"].tolist()
    if entity not in entities:
        raise ParameterError(f"unknown entity {entity!r}; valid entities: {', '.join(entities)}")
    first, last = data_years(ds)
    if year is None:
        year = latest_full_year(ds, entity)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ParameterError(
            f"report year must be a whole number between {first} and {last}, not {year!r}"
        ) from None
    if not first <= year <= last:
        raise ParameterError(f"no data for report year {year}; valid report years: {first}–{last}")
    try:
        horizon = int(horizon)
    except (TypeError, ValueError):
        raise ParameterError(
            f"horizon must be a whole number of years from 0 to {MAX_HORIZON}, not {horizon!r}"
        ) from None
    if not 0 <= horizon <= MAX_HORIZON:
        raise ParameterError(f"horizon must be between 0 and {MAX_HORIZON} years, not {horizon}")
    return year


@dataclass
class Report:
    ds: data.Dataset  # the data as of `year`: all a report for `year` may use (data.as_of)
    year: int
    entity: str
    horizon: int
    obs: pd.DataFrame  # one value per point, reported and derived, as of `year`
    candidates: pd.DataFrame  # every reported and derived value as of `year`, before the choice
    forecasts: list[forecast.SeriesForecast]
    card: pd.DataFrame

    @property
    def forecast_by_series(self) -> dict:
        return {(f.entity, f.indicator): f for f in self.forecasts}

    @property
    def data_end(self) -> int:
        """Last year with an observation the report uses."""
        return int(self.ds.observations["year"].max())

    def label(self, kind: str, key: str) -> str:
        return data.names(self.ds, kind)[key]

    def children(self, entity: str | None = None) -> list[str]:
        """Entities whose parent is `entity` (default: the focal one), e.g. its zones."""
        return peers.children(self.ds, entity or self.entity)

    def parents(self, entity: str | None = None) -> list[str]:
        """The chain of parents of `entity` (default: the focal one): its benchmarks."""
        return peers.benchmarks(self.ds, entity or self.entity)


MEMO_DIR = data.REPO_ROOT / ".cache" / "reports"


def _memo_path(year, entity, horizon, data_dir=None) -> Path:
    """Where the report for these parameters and the current data, library and environment is kept."""
    from analysis import i18n

    inputs = digest.inputs_digest(Path(data_dir).resolve() if data_dir else None)
    # the report holds words (status labels, the basis of each status): one per edition language
    key = hashlib.sha256(json.dumps([year, entity, int(horizon), inputs, i18n.current()]).encode())
    return MEMO_DIR / f"{key.hexdigest()[:24]}.pkl"


def _load_memo(path: Path) -> Report | None:
    """A stored report, only if its bytes match the digest written with them (a flipped bit or a
    partial file is discarded with a notice and the report recomputed)."""
    from analysis import cache

    payload = cache.read_verified(path, f"the stored report {path.name}")
    if payload is None:
        return None
    try:
        rep = pickle.loads(payload)  # our own file, verified above
    except Exception as exc:  # noqa: BLE001  (written by another library version: recompute)
        cache.notice(f"the stored report {path.name} could not be read ({type(exc).__name__}); recomputed")
        path.unlink(missing_ok=True)
        return None
    return rep if isinstance(rep, Report) else None


def _store_memo(path: Path, rep: Report) -> None:
    from analysis import cache

    # fitted model objects are large and not needed by the pages: stored without them, while the
    # report returned to the caller keeps them
    light = dataclasses.replace(rep, forecasts=[dataclasses.replace(f, fitted=None) for f in rep.forecasts])
    cache.write_verified(path, pickle.dumps(light, protocol=pickle.HIGHEST_PROTOCOL))


def build_report(
    year: int | None = None,
    entity: str | None = None,
    horizon: int | None = None,
    data_dir: str | Path | None = None,
    ds: data.Dataset | None = None,
    memo: bool = True,
) -> Report:
    """Load (or take) the data, check the parameters, and compute forecasts and the scorecard.

    With ``memo`` (the default), the result is kept in
    ``.cache/reports/`` under a key of the parameters, every data file, the library code and the locked
    environment, with a digest checked before loading, so
    the chapters of one build share one computation. A memoised report carries the forecasts'
    paths and the scorecard's probabilities, not the fitted model objects.
    """
    cfg = config.load()
    entity = entity or cfg.default_entity
    horizon = cfg.default_horizon if horizon is None else horizon
    use_memo = memo and ds is None
    if use_memo:
        path = _memo_path(year, entity, horizon, data_dir)
        memoised = _load_memo(path)
        if memoised is not None:
            return memoised
    ds = ds if ds is not None else data.load(data_dir or data.DEFAULT_DATA_DIR)
    year = check_parameters(ds, year, entity, horizon)
    horizon = int(horizon)
    view = data.as_of(ds, year)
    family = [entity, *peers.children(ds, entity), *peers.benchmarks(ds, entity)]
    # the plans that apply: the focal entity's own, its zones' and its parents' (a peer city is
    # not assessed on Ordos' plans)
    view = dataclasses.replace(view, targets=view.targets[view.targets["entity"].isin(family)])
    from analysis.derive import with_derived

    candidates = with_derived(view)
    obs = growth.analysis_observations(view, candidates)
    modelled = list(dict.fromkeys([*family, *view.targets["entity"].tolist()]))
    fcs: list[forecast.SeriesForecast] = []
    priors = forecast.priors_for(obs, ds.indicators)  # pooled once across every entity
    for e in modelled:
        fcs += forecast.entity_forecasts(obs, ds.indicators, e, year + horizon, priors=priors)
    fmap = {(f.entity, f.indicator): f for f in fcs}
    card = targets.scorecard(view, obs, year, fmap)
    rep = Report(view, year, entity, horizon, obs, candidates, fcs, card)
    if use_memo:
        _store_memo(path, rep)
    return rep
