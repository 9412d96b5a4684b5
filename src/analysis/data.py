"""Load and validate the data package in ``data/``.

Every file is read as text first, so that encoding problems, empty files and values of the wrong
type are reported with the file, the row (the line number a spreadsheet shows, header = row 1) and
the column, instead of a traceback.  Validation uses pandera schemas in two passes: types first,
then value rules and references between files (a value rule on a column that failed to convert
would only repeat the same problem).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import csvio, digest
from analysis.errors import DataError, Problem  # noqa: F401  (re-exported)

REPO_ROOT = digest.ROOT
DEFAULT_DATA_DIR = digest.DATA_DIR

FILES = ("entities", "indicators", "sources", "observations", "targets", "conflicts")

UNITS = {
    "100m_cny": "亿元 (100 million yuan)",
    "10k_cny": "万元 (10 thousand yuan)",
    "percent": "%",
    "pp": "percentage points",
    "count": "count",
    "rank": "rank",
    "multiple": "multiple of baseline",
    "per_10k_employees": "per 10,000 employees",
    "per_10k_people": "per 10,000 residents",
    "sq_m": "m²",
}
FAMILIES = ("rd", "patents", "enterprises", "platforms", "talent", "finance", "incubation",
            "zone_scale", "economy")
MEASURES = ("flow", "stock", "ratio", "share", "attainment", "growth_rate", "change", "rank")
RELATIONS = ("share_of_parent", "share_of_indicator", "yoy_growth_rate", "yoy_increase",
             "yoy_change_pp")
PERIODS = ("year", "jan_aug", "jan_sep", "h1", "end_mar", "end_apr", "end_may", "as_of_date",
           "multi_year")
SOURCE_TYPES = ("statistical_release", "policy_document", "reply_letter", "work_bulletin",
                "news_report")
CONFIDENCE = ("high", "medium", "low")
QUALIFIERS = ("over", "about", "at_least", "nearly")
TARGET_KINDS = ("level", "share", "rank", "cumulative", "annual_minimum", "multiple_of_baseline")
COMPARATORS = (">=", "<=")
CONFLICT_KINDS = ("year_assignment", "value_conflict", "series_break", "restatement", "scope")
ENTITY_LEVELS = ("country", "province", "city", "zone", "zone_group")

MIN_YEAR, MAX_YEAR = 1978, 2035
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


@dataclass
class Dataset:
    """The validated data package as pandas DataFrames."""

    entities: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame
    conflicts: pd.DataFrame
    data_dir: Path = field(default=DEFAULT_DATA_DIR)
    as_of: int | None = None

    def summary(self) -> str:
        obs = self.observations
        return (f"{len(obs)} observations ({obs['year'].min()}–{obs['year'].max()}) of "
                f"{obs['indicator'].nunique()} indicators for {obs['entity'].nunique()} entities, "
                f"{len(self.targets)} targets, {len(self.sources)} sources, "
                f"{len(self.conflicts)} recorded conflicts")


# --------------------------------------------------------------------------- reading

def read_csv_text(path: Path, allow_no_rows: bool = False) -> pd.DataFrame:
    """Read a CSV of the data package as strings (empty cells become missing values).

    The parsing is :func:`analysis.csvio.read_table`'s, the same the build's cache keys use
    (BOM, stripped header and cells, no field-size limit); its DataError names the file.
    """
    header, rows = csvio.read_table(path, allow_no_rows=allow_no_rows, name=_display(path))
    df = pd.DataFrame(rows, columns=header, dtype=object)
    if df.empty:
        return df.astype(str)
    return df.replace("", None)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- schemas

OPTIONAL_ROWS = ("conflicts",)  # a package may record no conflict

KEYS = {"entities": "entity_id", "indicators": "indicator_id", "sources": "source_id",
        "observations": "obs_id", "targets": "target_id", "conflicts": "conflict_id"}


def load(data_dir: str | Path = DEFAULT_DATA_DIR) -> Dataset:
    """Read and validate every file of the data package; raise DataError listing all problems."""
    from analysis import schema

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError([Problem(_display(data_dir), None, None, "data directory not found")])
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    # pass 1: every file readable, every column present and of the right type
    for table in FILES:
        path = data_dir / f"{table}.csv"
        try:
            raw = read_csv_text(path, allow_no_rows=(table in OPTIONAL_ROWS))
        except DataError as exc:
            problems += exc.problems
            continue
        typed, found = schema.validate_frame(_display(path), raw, schema.type_schema(table))
        problems += found
        if not found:
            frames[table] = typed
    if problems:
        raise DataError(problems)
    # pass 2: value rules and references between files
    ids = {t: frames[t][KEYS[t]].dropna().tolist() for t in FILES}
    ids["indicator_units"] = frames["indicators"]["unit"].tolist()
    ids["indicator_measures"] = frames["indicators"]["measure"].tolist()
    for table in FILES:
        path = data_dir / f"{table}.csv"
        _, found = schema.validate_frame(_display(path), frames[table], schema.rules(table, ids))
        problems += found
    if problems:
        raise DataError(problems)
    return Dataset(data_dir=data_dir, **frames)


# --------------------------------------------------------------------------- use

SOURCE_TYPE_RANK = {t: i for i, t in enumerate(SOURCE_TYPES)}
CONFIDENCE_RANK = {c: i for i, c in enumerate(CONFIDENCE)}


def as_of(ds: Dataset, year: int) -> Dataset:
    """What a report for `year` may use.

    Observations for reference years up to `year` (whenever published: statistics for a year
    appear in the following year), targets adopted by `year`, and claims about a target's status
    that refer to a year up to `year`.
    """
    obs = ds.observations[ds.observations["year"] <= year]
    tgt = ds.targets[ds.targets["adopted_year"] <= year].copy()
    late = tgt["status_claim_year"].notna() & (tgt["status_claim_year"] > year)
    tgt.loc[late, ["status_claim", "status_claim_source", "status_claim_locator"]] = None
    return Dataset(ds.entities, ds.indicators, ds.sources, obs.copy(), tgt, ds.conflicts,
                   data_dir=ds.data_dir, as_of=year)


def excluded_obs_ids(ds: Dataset) -> set[str]:
    ids: set[str] = set()
    for cell in ds.conflicts["exclude_obs_ids"].dropna():
        ids.update(x.strip() for x in cell.split(";") if x.strip())
    return ids


def with_source_info(obs: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    src = ds.sources.set_index("source_id")
    out = obs.copy()
    out["source_type"] = out["source_id"].map(src["type"])
    out["source_title"] = out["source_id"].map(src["title"])
    out["source_issuer"] = out["source_id"].map(src["issuer"])
    out["publication_date"] = out["source_id"].map(src["publication_date"])
    return out


def preferred(obs: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """One value per (entity, indicator, year, period): the rule the report uses.

    Observations excluded by a recorded conflict (conflicts.csv) are dropped first. Then, among
    several sources for the same point: higher confidence, then the source type ranked as
    statistical release > policy document > reply letter > work bulletin > news report, then the
    later publication. Derived values (column ``derived``) rank below every reported value.
    """
    df = with_source_info(obs, ds)
    df = df[~df["obs_id"].isin(excluded_obs_ids(ds))]
    if "derived" not in df:
        df["derived"] = False
    df = df.assign(
        _d=df["derived"].astype(bool).astype(int),
        _c=df["confidence"].map(CONFIDENCE_RANK).fillna(len(CONFIDENCE)),
        _t=df["source_type"].map(SOURCE_TYPE_RANK).fillna(len(SOURCE_TYPES)),
        _p=df["publication_date"].fillna(""),
    ).sort_values(["_d", "_c", "_t", "_p"], ascending=[True, True, True, False], kind="stable")
    keys = ["entity", "indicator", "year", "period"]
    df["n_sources"] = df.groupby(keys)["value"].transform("size")
    df["sources_disagree"] = _relative_spread(df, keys) > DISAGREEMENT_TOLERANCE
    best = df.drop_duplicates(keys, keep="first").drop(columns=["_d", "_c", "_t", "_p"])
    return best.sort_values(keys).reset_index(drop=True)


DISAGREEMENT_TOLERANCE = 0.01  # relative: a derived value off by rounding is not a conflict


def _relative_spread(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    g = df.groupby(keys)["value"]
    hi, lo = g.transform("max"), g.transform("min")
    return (hi - lo) / hi.abs().where(hi != 0, 1.0)


def disagreements(obs: pd.DataFrame, ds: Dataset, tolerance: float = DISAGREEMENT_TOLERANCE) -> pd.DataFrame:
    """Every point for which sources (or a derivation) give values further apart than
    `tolerance` (relative to the largest: rounding of a reported rate is not a conflict)."""
    df = with_source_info(obs, ds)
    keys = ["entity", "indicator", "year", "period"]
    return df[_relative_spread(df, keys) > tolerance].sort_values(keys).reset_index(drop=True)


def names(ds: Dataset, kind: str) -> dict[str, str]:
    """'English (中文)' labels for entities or indicators."""
    table = ds.entities if kind == "entities" else ds.indicators
    key = "entity_id" if kind == "entities" else "indicator_id"
    return {r[key]: f"{r['name_en']} ({r['name_zh']})" for r in table.to_dict("records")}
