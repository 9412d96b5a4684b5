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
# The vocabularies (units, periods, confidence, source types, ...) are in data/metadata.yaml,
# read by analysis.vocabulary; the rules that check the files are in analysis.schema.


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
        return (
            f"{len(obs)} observations ({obs['year'].min()}–{obs['year'].max()}) of "
            f"{obs['indicator'].nunique()} indicators for {obs['entity'].nunique()} entities, "
            f"{len(self.targets)} targets, {len(self.sources)} sources, "
            f"{len(self.conflicts)} recorded conflicts"
        )


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


def load(data_dir: str | Path = DEFAULT_DATA_DIR) -> Dataset:
    """Read and validate every file of the data package; raise DataError listing all problems."""
    from analysis import schema, vocabulary

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
    vocab = vocabulary.load(data_dir)
    ids = {t: frames[t][schema.KEYS[t]].dropna().tolist() for t in FILES}
    ids["indicator_units"] = frames["indicators"]["unit"].tolist()
    ids["indicator_measures"] = frames["indicators"]["measure"].tolist()
    for table in FILES:
        path = data_dir / f"{table}.csv"
        _, found = schema.validate_frame(_display(path), frames[table], schema.rules(table, ids, vocab))
        problems += found
    if problems:
        raise DataError(problems)
    return Dataset(data_dir=data_dir, **frames)


# --------------------------------------------------------------------------- use


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
    return Dataset(
        ds.entities,
        ds.indicators,
        ds.sources,
        obs.copy(),
        tgt,
        ds.conflicts,
        data_dir=ds.data_dir,
        as_of=year,
    )


def excluded_obs_ids(ds: Dataset) -> set[str]:
    """Observations a recorded conflict sets aside (conflicts.csv, column exclude_obs_ids)."""
    ids: set[str] = set()
    for cell in ds.conflicts["exclude_obs_ids"].dropna():
        ids.update(x.strip() for x in cell.split(";") if x.strip())
    return ids


def without_excluded(obs: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """The rows of `obs` that no recorded conflict sets aside: the one filter every use applies."""
    return obs[~obs["obs_id"].isin(excluded_obs_ids(ds))]


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
    several sources for the same point: higher confidence, then the source type, both in the
    order of their enumerations in metadata.yaml (statistical release > policy document > reply
    letter > work bulletin > news report), then the later publication. Derived values (column
    ``derived``) rank below every reported value.
    """
    from analysis import vocabulary

    vocab = vocabulary.load(ds.data_dir)
    confidence, source_type = vocab.rank("confidence"), vocab.rank("source_type")
    df = without_excluded(with_source_info(obs, ds), ds)
    if "derived" not in df:
        df["derived"] = False
    df = df.assign(
        _d=df["derived"].astype(bool).astype(int),
        _c=df["confidence"].map(confidence).fillna(len(confidence)),
        _t=df["source_type"].map(source_type).fillna(len(source_type)),
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
    """Labels for entities or indicators in the current edition's language: the official Chinese
    name in the Chinese edition, 'English (中文)' in the English one (analysis.i18n.name)."""
    from analysis import i18n

    table = ds.entities if kind == "entities" else ds.indicators
    key = "entity_id" if kind == "entities" else "indicator_id"
    memo = ds.__dict__.setdefault("_names", {})  # a page asks for labels hundreds of times
    slot = (kind, i18n.current())
    if slot not in memo or memo[slot][0] is not table:  # kept while the table is the same object
        memo[slot] = (table, {r[key]: i18n.name(r) for r in table.to_dict("records")})
    return memo[slot][1]
