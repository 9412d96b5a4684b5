"""Values implied by reported shares, growth rates and ratios — computed, never typed by hand.

Each derived row carries ``derived=True``, the formula with its numbers and the ids of the
observations it comes from. The rules follow the ``relation`` column of indicators.csv:

- ``share_of_parent``: a child's count is s% of the parent's → parent = child / (s / 100)
  (e.g. the zone's 49 high-tech enterprises are 23.8% of the city's → the city's ≈ 206);
- ``share_of_indicator``: x is s% of another indicator of the same entity → that = x / (s / 100);
- ``yoy_growth_rate``: x_t grew g% → x_(t−1) = x_t / (1 + g / 100);
- ``yoy_increase``: x_t rose by d → x_(t−1) = x_t − d;
- ``yoy_change_pp``: x_t rose by p points → x_(t−1) = x_t − p;
- ratios: R&D intensity = R&D expenditure / GDP × 100, for an entity and year with no reported
  intensity, when both are reported on the same GDP basis.

Only reported values are used as inputs (no chains of derivations).
"""

from __future__ import annotations

import pandas as pd

from analysis import vocabulary
from analysis.data import Dataset, without_excluded

RATIO_RULES = [
    # (result, numerator, denominator, scale, unit)
    ("rd_intensity", "rd_expenditure", "gdp", 100.0, "percent"),
]

KEYS = ["entity", "indicator", "year", "period"]

# The notes on a derived count no whole number fits (kept in the data in English, where
# growth.model_values recognises them; shown to readers through :func:`explain`).
NOTE_SHARE = "No whole number is consistent with the share as rounded: the share may refer to another total."
NOTE_RATE = (
    "No whole number is consistent with the growth rate as rounded: the rate may refer to another "
    "base (see the source row's note)."
)


def _inputs(ds: Dataset) -> pd.DataFrame:
    return without_excluded(ds.observations, ds)


def _first_by_key(order: pd.DataFrame) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    for rec in order.to_dict("records"):
        out.setdefault((rec["entity"], rec["indicator"], rec["year"], rec["period"]), rec)
    return out


def _decimals(x: float) -> int:
    s = repr(float(x))
    return 0 if s.endswith(".0") else len(s.split(".")[1])


def _whole_number_possible(lo: float, hi: float) -> bool:
    """Is there a whole number in [lo, hi] (the range the rounding of a rate allows)?"""
    lo, hi = min(lo, hi), max(lo, hi)
    return int(hi // 1) >= -int(-lo // 1)


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def _row(
    entity,
    indicator,
    year,
    period,
    value,
    unit,
    inputs: list[dict],
    formula: str,
    qualifier=None,
    basis=None,
    note="",
) -> dict:
    rank = vocabulary.load().rank("confidence")  # a derived value is as weak as its weakest input
    confidence = max((r["confidence"] for r in inputs), key=rank.__getitem__)
    ids = [r["obs_id"] for r in inputs]
    return {
        "obs_id": "d_" + "_".join(ids),
        "entity": entity,
        "indicator": indicator,
        "year": int(year),
        "period": period,
        "period_start": pd.NA,
        "value": float(value),
        "qualifier": qualifier,
        "unit": unit,
        "basis": basis,
        "source_id": ";".join(dict.fromkeys(r["source_id"] for r in inputs)),
        "locator": "derived from " + ", ".join(ids),
        "confidence": confidence,
        "note": note,
        "derived": True,
        "formula": formula,
    }


def derived_values(ds: Dataset) -> pd.DataFrame:
    """Every value the rules above imply from the reported data."""
    obs = _inputs(ds)
    best = _first_by_key(obs.sort_values("obs_id"))
    ind = ds.indicators.set_index("indicator_id")
    parent = ds.entities.set_index("entity_id")["parent"]
    rows: list[dict] = []
    rel_ind = ind[ind["relation"].notna()]
    for rec in obs[obs["indicator"].isin(rel_ind.index)].to_dict("records"):
        meta = rel_ind.loc[rec["indicator"]]
        base, relation = meta["base_indicator"], meta["relation"]
        e, y, p, v = rec["entity"], rec["year"], rec["period"], rec["value"]
        base_unit = ind.loc[base, "unit"]
        if relation in ("share_of_parent", "share_of_indicator"):
            part = best.get((e, base, y, p))
            if part is None or v <= 0:
                continue
            if relation == "share_of_parent":
                target_entity, target_ind = parent.get(e), base
                if not isinstance(target_entity, str):
                    continue
                what = f"{e} {base} {y} ÷ its share of {target_entity}"
            else:
                target_entity, target_ind = e, meta["denominator_indicator"]
                what = f"{base} {y} ÷ its share of {target_ind}"
            value = part["value"] / (v / 100.0)
            formula = f"{_fmt(part['value'])} / {_fmt(v)}% = {_fmt(value)} ({what})"
            note = ""
            half = 0.5 * 10 ** -_decimals(v)
            if ind.loc[target_ind, "unit"] == "count" and not _whole_number_possible(
                part["value"] / ((v + half) / 100), part["value"] / ((v - half) / 100)
            ):
                note = NOTE_SHARE
            rows.append(
                _row(
                    target_entity,
                    target_ind,
                    y,
                    p,
                    value,
                    ind.loc[target_ind, "unit"],
                    [part, rec],
                    formula,
                    part.get("qualifier"),
                    part.get("basis"),
                    note,
                )
            )
        else:
            level = best.get((e, base, y, p))
            if level is None:
                continue
            if relation == "yoy_growth_rate":
                if v <= -100:
                    continue
                value = level["value"] / (1 + v / 100.0)
                formula = (
                    f"{_fmt(level['value'])} / (1 + {_fmt(v)}%) = {_fmt(value)} "
                    f"({base} {y} and its growth rate)"
                )
            elif relation == "yoy_increase":
                value = level["value"] - v
                formula = (
                    f"{_fmt(level['value'])} − {_fmt(v)} = {_fmt(value)} "
                    f"({base} {y} minus the stated increase)"
                )
            else:  # yoy_change_pp
                value = level["value"] - v
                formula = (
                    f"{_fmt(level['value'])} − {_fmt(v)} pp = {_fmt(value)} "
                    f"({base} {y} minus the stated change)"
                )
            note = ""
            half = 0.5 * 10 ** -_decimals(v)
            if (
                relation == "yoy_growth_rate"
                and base_unit == "count"
                and not _whole_number_possible(
                    level["value"] / (1 + (v + half) / 100), level["value"] / (1 + (v - half) / 100)
                )
            ):
                note = NOTE_RATE
            rows.append(
                _row(
                    e,
                    base,
                    y - 1,
                    p,
                    value,
                    base_unit,
                    [level, rec],
                    formula,
                    level.get("qualifier"),
                    level.get("basis"),
                    note,
                )
            )
    # ratios such as R&D intensity where none is reported
    for result, num, den, scale, unit in RATIO_RULES:
        for key, n in best.items():
            e, i, y, p = key
            if i != num:
                continue
            d = best.get((e, den, y, p))
            if d is None or (e, result, y, p) in best or d["value"] <= 0:
                continue
            if (
                isinstance(n.get("basis"), str)
                and isinstance(d.get("basis"), str)
                and n["basis"] != d["basis"]
            ):
                continue
            value = n["value"] / d["value"] * scale
            formula = f"{_fmt(n['value'])} / {_fmt(d['value'])} × {scale:g} = {_fmt(value)} ({num} ÷ {den})"
            rows.append(_row(e, result, y, p, value, unit, [n, d], formula, None, d.get("basis")))
    cols = list(ds.observations.columns) + ["derived", "formula"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    out["period_start"] = out["period_start"].astype("Int64")
    return out[cols].sort_values(KEYS).reset_index(drop=True)


def with_derived(ds: Dataset) -> pd.DataFrame:
    """Reported observations (derived=False) and derived values (derived=True) together."""
    rep = ds.observations.assign(derived=False, formula=None)
    der = derived_values(ds)
    if der.empty:
        return rep.reset_index(drop=True)
    return pd.concat([rep, der], ignore_index=True)


def input_ids(row) -> list[str]:
    """The obs_ids a derived row comes from (its ``locator``: 'derived from o0001, o0002')."""
    loc = str(row.get("locator") or "")
    return [x for x in loc.removeprefix("derived from ").split(", ") if x]


def explain(row, ds: Dataset) -> dict[str, str]:
    """A derived row's formula, inputs and note in the current edition's language, with names in
    place of ids: ``{"formula": "49 / 23.8% = 205.9（鄂尔多斯高新区2022年高新技术企业数 ÷ 其占…）",
    "inputs": ..., "note": ...}``. The numbers are those the derivation wrote."""
    from analysis import data, i18n
    from analysis.i18n import t

    ents, inds = data.names(ds, "entities"), data.names(ds, "indicators")
    meta = ds.indicators.set_index("indicator_id")
    obs = ds.observations.set_index("obs_id")
    ids = input_ids(row)
    inputs = obs.loc[[i for i in ids if i in obs.index]]
    math = str(row.get("formula") or "").rsplit(" (", 1)[0]
    math = math.replace(" pp ", f" {t('derive.percentage_points')} ")
    if " = " in math and isinstance(row.get("unit"), str):  # the result as the tables show it
        from analysis.tables import fmt_value

        math = math.rsplit(" = ", 1)[0] + " = " + fmt_value(float(row["value"]), row["unit"])
    what = ""
    rate = inputs[inputs["indicator"].map(lambda i: isinstance(meta["relation"].get(i), str))]
    if len(inputs) == 2 and len(rate) == 1:
        r = rate.iloc[0]
        level = inputs[inputs.index != rate.index[0]].iloc[0]
        relation = meta.loc[r["indicator"], "relation"]
        base = inds.get(level["indicator"], level["indicator"])
        year = int(level["year"])
        if relation == "share_of_parent":
            what = t(
                "derive.share_of_parent",
                entity=ents.get(level["entity"], level["entity"]),
                indicator=base,
                year=year,
                parent=ents.get(row["entity"], row["entity"]),
            )
        elif relation == "share_of_indicator":
            what = t(
                "derive.share_of_indicator",
                indicator=base,
                year=year,
                other=inds.get(row["indicator"], row["indicator"]),
            )
        elif relation in ("yoy_growth_rate", "yoy_increase", "yoy_change_pp"):
            what = t(f"derive.{relation}", indicator=base, year=year)
    else:
        for result, num, den, _scale, _unit in RATIO_RULES:
            if row.get("indicator") == result:
                what = t("derive.ratio", numerator=inds.get(num, num), denominator=inds.get(den, den))
    note = str(row.get("note") or "")
    if note == "nan":
        note = ""
    note = {NOTE_SHARE: t("derive.note_share"), NOTE_RATE: t("derive.note_rate")}.get(note, note)
    return {
        "formula": t("derive.formula", math=math, what=what) if what else math,
        "inputs": t("derive.inputs", ids=("、" if i18n.is_chinese() else ", ").join(ids)),
        "note": note,
    }
