"""pandera schemas of the data package and the translation of their failures into Problems.

Imported only when data are validated (``data.load``), so that pages that read a computed report
do not pay for pandera's import.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.errors import Problem
from analysis.vocabulary import Vocabulary

KEYS = {
    "entities": "entity_id",
    "indicators": "indicator_id",
    "sources": "source_id",
    "observations": "obs_id",
    "targets": "target_id",
    "conflicts": "conflict_id",
}
MIN_YEAR, MAX_YEAR = 1978, 2035
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


def _row(index) -> int | None:
    """Spreadsheet row of a DataFrame index label (header is row 1)."""
    try:
        return int(index) + 2
    except (TypeError, ValueError):
        return None


def _text(nullable=False, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kw)


def _one_of(values, nullable=False) -> pa.Column:
    values = list(values)
    return pa.Column(
        str, pa.Check.isin(values, error=f"must be one of: {', '.join(values)}"), nullable=nullable
    )


def _int(nullable=False) -> pa.Column:
    return pa.Column("Int64", coerce=True, nullable=nullable)


def _float(nullable=False) -> pa.Column:
    return pa.Column(float, coerce=True, nullable=nullable)


TYPES: dict[str, dict[str, pa.Column]] = {
    "entities": {
        "entity_id": _text(),
        "name_en": _text(),
        "name_zh": _text(),
        "level": _text(),
        "parent": _text(True),
        "note": _text(True),
    },
    "indicators": {
        "indicator_id": _text(),
        "name_en": _text(),
        "name_zh": _text(),
        "unit": _text(),
        "family": _text(),
        "measure": _text(),
        "direction": _text(),
        "base_indicator": _text(True),
        "relation": _text(True),
        "denominator_indicator": _text(True),
        "definition": _text(True),
    },
    "sources": {
        "source_id": _text(),
        "title": _text(),
        "title_en": _text(True),
        "title_zh": _text(True),
        "issuer": _text(),
        "issuer_zh": _text(True),
        "doc_number": _text(True),
        "publication_date": _text(),
        "type": _text(),
        "url": _text(True),
        "local_copy": _text(True),
        "note": _text(True),
        "note_zh": _text(True),
    },
    "observations": {
        "obs_id": _text(),
        "entity": _text(),
        "indicator": _text(),
        "year": _int(),
        "period": _text(),
        "period_start": _int(True),
        "value": _float(),
        "qualifier": _text(True),
        "unit": _text(),
        "basis": _text(True),
        "source_id": _text(),
        "locator": _text(),
        "confidence": _text(),
        "note": _text(True),
    },
    "targets": {
        "target_id": _text(),
        "entity": _text(),
        "indicator": _text(),
        "kind": _text(),
        "comparator": _text(),
        "target_value": _float(True),
        "unit": _text(),
        "baseline_year": _int(True),
        "baseline_value": _float(True),
        "period_start": _int(True),
        "target_year": _int(),
        "adopted_year": _int(),
        "theme": _text(),
        "name_zh": _text(),
        "name_en": _text(),
        "plan": _text(True),
        "plan_en": _text(True),
        "source_id": _text(),
        "locator": _text(),
        "status_claim": _text(True),
        "status_claim_source": _text(True),
        "status_claim_locator": _text(True),
        "status_claim_year": _int(True),
        "note": _text(True),
    },
    "conflicts": {
        "conflict_id": _text(),
        "entity": _text(),
        "indicator": _text(),
        "years": _text(),
        "kind": _text(),
        "description": _text(),
        "resolution": _text(),
        "exclude_obs_ids": _text(True),
        "reason": _text(True),
        "description_zh": _text(True),
        "resolution_zh": _text(True),
    },
}


def _year_range(col: str) -> pa.Check:
    return pa.Check.in_range(MIN_YEAR, MAX_YEAR, error=f"year must be between {MIN_YEAR} and {MAX_YEAR}")


def rules(table: str, ids: dict[str, list[str]], vocab: Vocabulary) -> pa.DataFrameSchema:
    """Value rules and references for one file, given the ids defined by the other files and
    the vocabularies of metadata.yaml."""
    enum = vocab.enumerations

    def ref(kind, nullable=False):
        return pa.Column(
            str,
            pa.Check.isin(
                ids[kind],
                error=f"unknown {kind[:-1] if kind != 'entities' else 'entity'} id (not in {kind}.csv)",
            ),
            nullable=nullable,
        )

    key = KEYS[table]
    cols: dict[str, pa.Column] = {
        key: pa.Column(
            str,
            [
                pa.Check.str_matches(
                    ID_PATTERN if table != "observations" else r"^o\d{4,}$",
                    error="ids are lower-case letters, digits and '_'"
                    if table != "observations"
                    else "observation ids look like o0001",
                ),
                pa.Check(lambda s: ~s.duplicated(keep="first"), element_wise=False, error="duplicate id"),
            ],
        )
    }
    checks: list[pa.Check] = []
    if table == "entities":
        cols["level"] = _one_of(enum["entity_level"])
        cols["parent"] = ref("entities", nullable=True)
    elif table == "indicators":
        cols["unit"] = _one_of(vocab.units)
        cols["family"] = _one_of(enum["family"])
        cols["measure"] = _one_of(enum["measure"])
        cols["direction"] = _one_of(enum["direction"])
        cols["relation"] = _one_of(enum["relation"], nullable=True)
        cols["base_indicator"] = ref("indicators", nullable=True)
        cols["denominator_indicator"] = ref("indicators", nullable=True)
    elif table == "sources":
        cols["publication_date"] = pa.Column(
            str,
            pa.Check.str_matches(
                r"^(19|20)\d\d(-[01]\d(-[0-3]\d)?)?$", error="dates are written YYYY, YYYY-MM or YYYY-MM-DD"
            ),
        )
        cols["type"] = _one_of(enum["source_type"])
        cols["url"] = pa.Column(
            str,
            pa.Check.str_matches(r"^https?://", error="a URL starts with http:// or https://"),
            nullable=True,
        )
    elif table == "observations":
        cols["entity"] = ref("entities")
        cols["indicator"] = ref("indicators")
        cols["source_id"] = ref("sources")
        cols["year"] = pa.Column("Int64", _year_range("year"))
        cols["period"] = _one_of(enum["period"])
        cols["qualifier"] = _one_of(enum["qualifier"], nullable=True)
        cols["unit"] = _one_of(vocab.units)
        cols["confidence"] = _one_of(enum["confidence"])
        units = dict(zip(ids["indicators"], ids["indicator_units"]))
        nonnegative = list(vocab.nonnegative_units())
        measures = dict(zip(ids["indicators"], ids["indicator_measures"]))
        checks += [
            pa.Check(
                lambda d: d["unit"] == d["indicator"].map(units).fillna(d["unit"]),
                name="unit_matches_indicator",
                error="the unit differs from the indicator's unit in indicators.csv",
            ),
            pa.Check(
                lambda d: (
                    ~(
                        (d["unit"] == "percent")
                        & d["indicator"].map(measures).isin(["ratio", "share"])
                        & ~d["value"].between(0, 100)
                    )
                ),
                name="percent_in_range",
                error="a percentage share must lie between 0 and 100",
            ),
            pa.Check(
                lambda d: (
                    ~(
                        d["unit"].isin(nonnegative)
                        & ~d["indicator"].map(measures).isin(["change", "growth_rate"])
                        & (d["value"] < 0)
                    )
                ),
                name="not_negative",
                error="a count or amount cannot be negative",
            ),
            pa.Check(
                lambda d: ~((d["unit"] == "rank") & (d["value"] < 1)),
                name="rank_positive",
                error="a rank is 1 or more",
            ),
            pa.Check(
                lambda d: (
                    ~(d["unit"] == "percent")
                    | (d["value"] > -100)
                    | d["indicator"].map(measures).isin(["ratio", "share"])
                ),
                name="growth_above_minus_100",
                error="a growth rate cannot be -100% or less",
            ),
            pa.Check(
                lambda d: (
                    ~(
                        (d["period"] == "multi_year")
                        & (d["period_start"].isna() | (d["period_start"] >= d["year"]))
                    )
                ),
                name="multi_year_start",
                error="a multi_year period needs a period_start before its year",
            ),
            pa.Check(
                lambda d: ~d.duplicated(["entity", "indicator", "year", "period", "source_id"], keep="first"),
                name="duplicate_row",
                error="duplicate row: the same source already gives this entity, indicator, year and period",
            ),
        ]
    elif table == "targets":
        cols["entity"] = ref("entities")
        cols["indicator"] = ref("indicators")
        cols["source_id"] = ref("sources")
        cols["status_claim_source"] = ref("sources", nullable=True)
        cols["kind"] = _one_of(enum["target_kind"])
        cols["comparator"] = _one_of(enum["comparator"])
        cols["target_year"] = pa.Column("Int64", _year_range("target_year"))
        checks += [
            pa.Check(
                lambda d: ~(d["baseline_year"].notna() & (d["target_year"] < d["baseline_year"])),
                name="target_after_baseline",
                error="the target year precedes the baseline year",
            ),
            pa.Check(
                lambda d: d["adopted_year"] <= d["target_year"],
                name="adopted_before_target",
                error="a target cannot be adopted after its target year",
            ),
            pa.Check(
                lambda d: (
                    ~(
                        d["status_claim"].notna()
                        & (d["status_claim_source"].isna() | d["status_claim_year"].isna())
                    )
                ),
                name="claim_needs_source",
                error="a status_claim needs its status_claim_source and status_claim_year",
            ),
            pa.Check(
                lambda d: ~(d["period_start"].notna() & (d["target_year"] < d["period_start"])),
                name="target_after_period_start",
                error="the target year precedes the period start",
            ),
            pa.Check(
                lambda d: d["target_value"].notna() | d["status_claim"].notna(),
                name="target_value_required",
                error="a target needs a target_value (or a status_claim with its source)",
            ),
            pa.Check(
                lambda d: ~((d["kind"] == "cumulative") & d["period_start"].isna()),
                name="cumulative_needs_start",
                error="a cumulative target needs period_start",
            ),
            pa.Check(
                lambda d: (
                    ~d.duplicated(
                        ["entity", "indicator", "kind", "target_year", "target_value"], keep="first"
                    )
                ),
                name="duplicate_row",
                error="duplicate target",
            ),
        ]
    elif table == "conflicts":
        cols["entity"] = ref("entities")
        cols["kind"] = _one_of(enum["conflict_kind"])
        known_ind, known_obs = set(ids["indicators"]), set(ids["observations"])
        cols["indicator"] = pa.Column(
            str,
            pa.Check(
                lambda s: s.str.split(";").map(lambda xs: all(x.strip() in known_ind for x in xs)),
                error="lists indicator ids separated by ';' that are in indicators.csv",
            ),
        )
        cols["exclude_obs_ids"] = pa.Column(
            str,
            pa.Check(
                lambda s: s.str.split(";").map(lambda xs: all(x.strip() in known_obs for x in xs)),
                error="lists obs_id values separated by ';' that are in observations.csv",
            ),
            nullable=True,
        )
    return pa.DataFrameSchema(cols, checks=checks)


CHECK_COLUMNS = {
    "unit_matches_indicator": "unit",
    "percent_in_range": "value",
    "not_negative": "value",
    "rank_positive": "value",
    "growth_above_minus_100": "value",
    "multi_year_start": "period_start",
    "duplicate_row": None,
    "target_after_baseline": "target_year",
    "target_after_period_start": "target_year",
    "target_value_required": "target_value",
    "cumulative_needs_start": "period_start",
    "adopted_before_target": "adopted_year",
    "claim_needs_source": "status_claim",
}


def _problems(name: str, err: pa.errors.SchemaErrors, df: pd.DataFrame, schema) -> list[Problem]:
    out: list[Problem] = []
    seen = set()
    fc = err.failure_cases
    for rec in fc.to_dict("records"):
        column, check, case, index = (
            rec.get("column"),
            str(rec.get("check")),
            rec.get("failure_case"),
            rec.get("index"),
        )
        if check == "column_in_dataframe":
            msg, column, row = (
                f"missing column '{case}' (expected columns: {', '.join(schema.columns)})",
                case,
                1,
            )
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


def validate_frame(
    name: str, df: pd.DataFrame, schema: pa.DataFrameSchema
) -> tuple[pd.DataFrame, list[Problem]]:
    try:
        return schema.validate(df, lazy=True), []
    except pa.errors.SchemaErrors as err:
        return df, _problems(name, err, df, schema)


def type_schema(table: str) -> pa.DataFrameSchema:
    """Columns present and of the right type (the first pass)."""
    return pa.DataFrameSchema(TYPES[table], strict=False)
