"""Load and validate the data package in ``data/``.

Every file is read as text first, so that encoding problems, empty files and values of the wrong
type are reported with the file, the row (the line number a spreadsheet shows, header = row 1) and
the column, instead of a traceback.  Validation uses pandera schemas in two passes: types first,
then value rules and references between files (a value rule on a column that failed to convert
would only repeat the same problem).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.errors import DataError, Problem  # noqa: F401  (re-exported)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "data"

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

def _row(index) -> int | None:
    """Spreadsheet row of a DataFrame index label (header is row 1)."""
    try:
        return int(index) + 2
    except (TypeError, ValueError):
        return None


def read_csv_text(path: Path, allow_no_rows: bool = False) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells become missing values).

    Raises DataError naming the file for an empty file or a file that is not UTF-8; a file that
    decodes as GBK is named as such, since that is what Chinese spreadsheet software often saves.
    """
    name = _display(path)
    if not path.exists():
        raise DataError([Problem(name, None, None, "file not found")])
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError([Problem(name, None, None,
                                 "the file is empty: it needs a header row and at least one data row")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gbk")
            hint = ("it decodes as GBK (GB2312), the encoding Chinese spreadsheet software such as "
                    "Excel or WPS often uses: save it again as 'CSV UTF-8'")
        except UnicodeDecodeError:
            hint = "save it again as 'CSV UTF-8'"
        raise DataError([Problem(name, line, None,
                                 f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); {hint}")])
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise DataError([Problem(name, int(m.group(1)) if m else None, None,
                                 f"the file is not well-formed CSV ({exc})")])
    if df.empty and not allow_no_rows:
        raise DataError([Problem(name, None, None, "the file has a header row but no data rows")])
    df.columns = [c.strip() for c in df.columns]
    if df.empty:
        return df
    return df.apply(lambda s: s.str.strip()).replace("", None)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- schemas

def _text(nullable=False, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kw)


def _one_of(values, nullable=False) -> pa.Column:
    return pa.Column(str, pa.Check.isin(list(values), error=f"must be one of: {', '.join(values)}"),
                     nullable=nullable)


def _int(nullable=False) -> pa.Column:
    return pa.Column("Int64", coerce=True, nullable=nullable)


def _float(nullable=False) -> pa.Column:
    return pa.Column(float, coerce=True, nullable=nullable)


TYPES: dict[str, dict[str, pa.Column]] = {
    "entities": {"entity_id": _text(), "name_en": _text(), "name_zh": _text(), "level": _text(),
                 "parent": _text(True), "note": _text(True)},
    "indicators": {"indicator_id": _text(), "name_en": _text(), "name_zh": _text(),
                   "unit": _text(), "family": _text(), "measure": _text(), "direction": _text(),
                   "base_indicator": _text(True), "relation": _text(True),
                   "denominator_indicator": _text(True), "definition": _text(True)},
    "sources": {"source_id": _text(), "title": _text(), "title_en": _text(True),
                "issuer": _text(), "doc_number": _text(True), "publication_date": _text(),
                "type": _text(), "url": _text(True), "local_copy": _text(True),
                "note": _text(True)},
    "observations": {"obs_id": _text(), "entity": _text(), "indicator": _text(), "year": _int(),
                     "period": _text(), "period_start": _int(True), "value": _float(),
                     "qualifier": _text(True), "unit": _text(), "basis": _text(True),
                     "source_id": _text(), "locator": _text(), "confidence": _text(),
                     "note": _text(True)},
    "targets": {"target_id": _text(), "entity": _text(), "indicator": _text(), "kind": _text(),
                "comparator": _text(), "target_value": _float(True), "unit": _text(),
                "baseline_year": _int(True), "baseline_value": _float(True),
                "period_start": _int(True), "target_year": _int(), "adopted_year": _int(),
                "theme": _text(),
                "name_zh": _text(), "name_en": _text(), "source_id": _text(), "locator": _text(),
                "status_claim": _text(True), "status_claim_source": _text(True),
                "status_claim_locator": _text(True), "status_claim_year": _int(True),
                "note": _text(True)},
    "conflicts": {"conflict_id": _text(), "entity": _text(), "indicator": _text(),
                  "years": _text(), "kind": _text(), "description": _text(),
                  "resolution": _text(), "exclude_obs_ids": _text(True), "reason": _text(True)},
}

OPTIONAL_ROWS = ("conflicts",)  # a package may record no conflict

KEYS = {"entities": "entity_id", "indicators": "indicator_id", "sources": "source_id",
        "observations": "obs_id", "targets": "target_id", "conflicts": "conflict_id"}


def _year_range(col: str) -> pa.Check:
    return pa.Check.in_range(MIN_YEAR, MAX_YEAR, error=f"year must be between {MIN_YEAR} and {MAX_YEAR}")


def _rules(table: str, ids: dict[str, list[str]]) -> pa.DataFrameSchema:
    """Value rules and references for one file, given the ids defined by the other files."""
    def ref(kind, nullable=False):
        return pa.Column(str, pa.Check.isin(ids[kind], error=f"unknown {kind[:-1] if kind != 'entities' else 'entity'} id (not in {kind}.csv)"),
                         nullable=nullable)

    key = KEYS[table]
    cols: dict[str, pa.Column] = {key: pa.Column(str, [pa.Check.str_matches(
        ID_PATTERN if table != "observations" else r"^o\d{4,}$",
        error="ids are lower-case letters, digits and '_'" if table != "observations"
        else "observation ids look like o0001"),
        pa.Check(lambda s: ~s.duplicated(keep="first"), element_wise=False,
                 error="duplicate id")])}
    checks: list[pa.Check] = []
    if table == "entities":
        cols["level"] = _one_of(ENTITY_LEVELS)
        cols["parent"] = ref("entities", nullable=True)
    elif table == "indicators":
        cols["unit"] = _one_of(UNITS)
        cols["family"] = _one_of(FAMILIES)
        cols["measure"] = _one_of(MEASURES)
        cols["direction"] = _one_of(("higher", "lower"))
        cols["relation"] = _one_of(RELATIONS, nullable=True)
        cols["base_indicator"] = ref("indicators", nullable=True)
        cols["denominator_indicator"] = ref("indicators", nullable=True)
    elif table == "sources":
        cols["publication_date"] = pa.Column(str, pa.Check.str_matches(
            r"^(19|20)\d\d(-[01]\d(-[0-3]\d)?)?$", error="dates are written YYYY, YYYY-MM or YYYY-MM-DD"))
        cols["type"] = _one_of(SOURCE_TYPES)
        cols["url"] = pa.Column(str, pa.Check.str_matches(r"^https?://", error="a URL starts with http:// or https://"), nullable=True)
    elif table == "observations":
        cols["entity"] = ref("entities")
        cols["indicator"] = ref("indicators")
        cols["source_id"] = ref("sources")
        cols["year"] = pa.Column("Int64", _year_range("year"))
        cols["period"] = _one_of(PERIODS)
        cols["qualifier"] = _one_of(QUALIFIERS, nullable=True)
        cols["unit"] = _one_of(UNITS)
        cols["confidence"] = _one_of(CONFIDENCE)
        units = dict(zip(ids["indicators"], ids["indicator_units"]))
        measures = dict(zip(ids["indicators"], ids["indicator_measures"]))
        checks += [
            pa.Check(lambda d: d["unit"] == d["indicator"].map(units).fillna(d["unit"]),
                     name="unit_matches_indicator",
                     error="the unit differs from the indicator's unit in indicators.csv"),
            pa.Check(lambda d: ~((d["unit"] == "percent")
                                 & d["indicator"].map(measures).isin(["ratio", "share"])
                                 & ~d["value"].between(0, 100)),
                     name="percent_in_range", error="a percentage share must lie between 0 and 100"),
            pa.Check(lambda d: ~(d["unit"].isin(["count", "100m_cny", "10k_cny", "sq_m",
                                                 "per_10k_employees", "per_10k_people"])
                                 & ~d["indicator"].map(measures).isin(["change", "growth_rate"])
                                 & (d["value"] < 0)),
                     name="not_negative", error="a count or amount cannot be negative"),
            pa.Check(lambda d: ~((d["unit"] == "rank") & (d["value"] < 1)), name="rank_positive",
                     error="a rank is 1 or more"),
            pa.Check(lambda d: ~(d["unit"] == "percent") | (d["value"] > -100) | d["indicator"].map(measures).isin(["ratio", "share"]),
                     name="growth_above_minus_100", error="a growth rate cannot be -100% or less"),
            pa.Check(lambda d: ~((d["period"] == "multi_year")
                                 & (d["period_start"].isna() | (d["period_start"] >= d["year"]))),
                     name="multi_year_start",
                     error="a multi_year period needs a period_start before its year"),
            pa.Check(lambda d: ~d.duplicated(["entity", "indicator", "year", "period", "source_id"], keep="first"),
                     name="duplicate_row",
                     error="duplicate row: the same source already gives this entity, indicator, year and period"),
        ]
    elif table == "targets":
        cols["entity"] = ref("entities")
        cols["indicator"] = ref("indicators")
        cols["source_id"] = ref("sources")
        cols["status_claim_source"] = ref("sources", nullable=True)
        cols["kind"] = _one_of(TARGET_KINDS)
        cols["comparator"] = _one_of(COMPARATORS)
        cols["target_year"] = pa.Column("Int64", _year_range("target_year"))
        checks += [
            pa.Check(lambda d: ~(d["baseline_year"].notna() & (d["target_year"] < d["baseline_year"])),
                     name="target_after_baseline", error="the target year precedes the baseline year"),
            pa.Check(lambda d: d["adopted_year"] <= d["target_year"], name="adopted_before_target",
                     error="a target cannot be adopted after its target year"),
            pa.Check(lambda d: ~(d["status_claim"].notna() & (d["status_claim_source"].isna() | d["status_claim_year"].isna())),
                     name="claim_needs_source", error="a status_claim needs its status_claim_source and status_claim_year"),
            pa.Check(lambda d: ~(d["period_start"].notna() & (d["target_year"] < d["period_start"])),
                     name="target_after_period_start", error="the target year precedes the period start"),
            pa.Check(lambda d: d["target_value"].notna() | d["status_claim"].notna(),
                     name="target_value_required",
                     error="a target needs a target_value (or a status_claim with its source)"),
            pa.Check(lambda d: ~((d["kind"] == "cumulative") & d["period_start"].isna()),
                     name="cumulative_needs_start", error="a cumulative target needs period_start"),
            pa.Check(lambda d: ~d.duplicated(["entity", "indicator", "kind", "target_year", "target_value"], keep="first"),
                     name="duplicate_row", error="duplicate target"),
        ]
    elif table == "conflicts":
        cols["entity"] = ref("entities")
        cols["kind"] = _one_of(CONFLICT_KINDS)
        known_ind, known_obs = set(ids["indicators"]), set(ids["observations"])
        cols["indicator"] = pa.Column(str, pa.Check(
            lambda s: s.str.split(";").map(lambda xs: all(x.strip() in known_ind for x in xs)),
            error="lists indicator ids separated by ';' that are in indicators.csv"))
        cols["exclude_obs_ids"] = pa.Column(str, pa.Check(
            lambda s: s.str.split(";").map(lambda xs: all(x.strip() in known_obs for x in xs)),
            error="lists obs_id values separated by ';' that are in observations.csv"), nullable=True)
    return pa.DataFrameSchema(cols, checks=checks)


CHECK_COLUMNS = {"unit_matches_indicator": "unit", "percent_in_range": "value",
                 "not_negative": "value", "rank_positive": "value",
                 "growth_above_minus_100": "value", "multi_year_start": "period_start",
                 "duplicate_row": None, "target_after_baseline": "target_year",
                 "target_after_period_start": "target_year",
                 "target_value_required": "target_value", "cumulative_needs_start": "period_start",
                 "adopted_before_target": "adopted_year", "claim_needs_source": "status_claim"}


def _problems(name: str, err: pa.errors.SchemaErrors, df: pd.DataFrame, schema) -> list[Problem]:
    out: list[Problem] = []
    seen = set()
    fc = err.failure_cases
    for rec in fc.to_dict("records"):
        column, check, case, index = rec.get("column"), str(rec.get("check")), rec.get("failure_case"), rec.get("index")
        if check == "column_in_dataframe":
            msg, column, row = f"missing column '{case}' (expected columns: {', '.join(schema.columns)})", case, 1
        elif check.startswith("dtype("):
            continue  # reported by the coerce_dtype case for the same cell
        elif check.startswith("coerce_dtype"):
            kind = "a whole number (a year is written like 2024)" if "int" in check.lower() else "a number"
            msg, row = f"{case!r} is not {kind}", _row(index)
        elif check.startswith("not_nullable"):
            msg, row = "a value is required here", _row(index)
        elif column is None or rec.get("schema_context") == "DataFrameSchema":
            # a row-wise rule: the error text is the check's own message
            rule = next((c for c in schema.checks if c.error == check or c.name == check), None)
            column = CHECK_COLUMNS.get(rule.name if rule is not None else "", None)
            msg, row = check, _row(index)
            if row is not None and column and column in df.columns:
                msg = f"{_fmt(df.loc[index, column])}: {check}" if column != "target_value" else check
        else:
            msg, row = f"{_fmt(case)}: {check}", _row(index)
        key = (row, column, msg)
        if key not in seen:
            seen.add(key)
            out.append(Problem(name, row, column, msg))
    return sorted(out, key=lambda p: (p.row or 0, p.column or ""))


def _fmt(value) -> str:
    """A cell value as the user typed it (no numpy reprs)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "(empty)"
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    return repr(str(value))


def _validate_frame(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list[Problem]]:
    try:
        return schema.validate(df, lazy=True), []
    except pa.errors.SchemaErrors as err:
        return df, _problems(name, err, df, schema)


def load(data_dir: str | Path = DEFAULT_DATA_DIR) -> Dataset:
    """Read and validate every file of the data package; raise DataError listing all problems."""
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
        schema = pa.DataFrameSchema(TYPES[table], strict=False)
        typed, found = _validate_frame(_display(path), raw, schema)
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
        _, found = _validate_frame(_display(path), frames[table], _rules(table, ids))
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
    n = df.groupby(keys)["value"].transform("size")
    distinct = df.groupby(keys)["value"].transform("nunique")
    df["n_sources"] = n
    df["sources_disagree"] = distinct > 1
    best = df.drop_duplicates(keys, keep="first").drop(columns=["_d", "_c", "_t", "_p"])
    return best.sort_values(keys).reset_index(drop=True)


def disagreements(obs: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Every point reported with different values by different sources (or by a derivation)."""
    df = with_source_info(obs, ds)
    keys = ["entity", "indicator", "year", "period"]
    nvals = df.groupby(keys)["value"].transform("nunique")
    return df[nvals > 1].sort_values(keys).reset_index(drop=True)


def names(ds: Dataset, kind: str) -> dict[str, str]:
    """'English (中文)' labels for entities or indicators."""
    table = ds.entities if kind == "entities" else ds.indicators
    key = "entity_id" if kind == "entities" else "indicator_id"
    return {r[key]: f"{r['name_en']} ({r['name_zh']})" for r in table.to_dict("records")}
