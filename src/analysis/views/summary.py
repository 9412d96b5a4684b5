"""Summary (摘要): the targets at a glance, the latest key indicators in two sentences and a
table, and the charts that matter most (drawn by the R&D and enterprise chapters)."""
from __future__ import annotations

import pandas as pd

from analysis import growth, plots, targets
from analysis.report import Report
from analysis.tables import fmt_number, fmt_value
from analysis.views.enterprises import enterprise_figure  # noqa: F401  (shown in the summary)
from analysis.views.rd import rd_figure  # noqa: F401  (shown in the summary)
from analysis.views.shared import entity_row, latest, source_line

KEY_INDICATORS = ["rd_expenditure", "rd_intensity", "high_tech_enterprises", "tech_smes",
                  "patent_applications", "invention_patent_applications", "valid_invention_patents",
                  "invention_patents_per_10k_employees"]


def plan_document(rep: Report) -> str:
    """Document number of the source most targets come from (the three-year action plan)."""
    src = rep.ds.sources.set_index("source_id")
    plan = rep.ds.targets["source_id"].mode()
    return str(src.loc[plan.iloc[0], "doc_number"]) if len(plan) else "–"


def summary_values(rep: Report) -> dict:
    """Prose values of the summary: status counts and the two sentences on the focal entity."""
    card = rep.card
    counts = targets.status_counts(card).set_index("status")["targets"]
    vals = {
        "report_year": rep.year, "data_end": rep.data_end, "n_targets": int(len(card)),
        "n_achieved": int(counts["achieved"] + counts["claimed_achieved"]),
        "n_claimed": int(counts["claimed_achieved"]),
        "n_on_track": int(counts["on_track"]), "n_moderate": int(counts["moderate"]),
        "n_insufficient": int(counts["insufficient"]), "n_moving_away": int(counts["moving_away"]),
        "n_not_achieved": int(counts["not_achieved"]), "n_not_reported": int(counts["not_reported"]),
        "n_insufficient_data": int(counts["insufficient_data"]),
        "n_plan_targets": int(card["entity"].isin(rep.children()).sum()),
    }
    vals["enterprise_sentence"] = enterprise_sentence(rep, rep.entity)
    vals["rd_sentence"] = rd_sentence(rep, rep.entity)
    vals["plan_doc"] = plan_document(rep)
    return vals


def latest_values(rep: Report, entity: str, indicators: list[str]) -> pd.DataFrame:
    """Latest annual value of each indicator for an entity, with year, unit and source."""
    rows = []
    for ind in indicators:
        last = latest(rep, entity, ind)
        if last is None:
            continue
        rows.append({"indicator": rep.label("indicators", ind), "entity": rep.label("entities", entity),
                     "year": int(last["year"]), "value": float(last["value"]),
                     "qualifier": last["qualifier"] if isinstance(last["qualifier"], str) else "",
                     "unit": plots.unit_label(last["unit"]),
                     "derived": "derived" if last["derived"] else "reported",
                     "source": last["source_id"]})
    return pd.DataFrame(rows, columns=["indicator", "entity", "year", "value", "qualifier", "unit",
                                       "derived", "source"])


def key_indicators(rep: Report, entities: list[str]) -> pd.DataFrame:
    """The latest value of each key indicator for each of `entities`."""
    return pd.concat([latest_values(rep, e, KEY_INDICATORS) for e in entities])


def _count_phrase(rep: Report, entity: str, indicator: str, noun: str) -> str:
    last = latest(rep, entity, indicator)
    if last is None:
        return f"no reported count of {noun}"
    if last["derived"]:
        return (f"about {fmt_number(round(float(last['value'])))} {noun} in {int(last['year'])} "
                "(derived, not reported)")
    return f"{fmt_number(float(last['value']))} {noun} in {int(last['year'])}"


def enterprise_sentence(rep: Report, entity: str) -> str:
    """'Ordos City had 330 national high-tech enterprises in 2024 and 701 …' from the data."""
    name = entity_row(rep, entity)["name_en"]
    hte = _count_phrase(rep, entity, "high_tech_enterprises", "national high-tech enterprises")
    smes = _count_phrase(rep, entity, "tech_smes", "registered tech-based SMEs")
    return f"{name} had {hte} and {smes}."


def rd_sentence(rep: Report, entity: str) -> str:
    """The latest reported R&D expenditure and intensity, and the gap to the country that year."""
    exp = latest(rep, entity, "rd_expenditure", reported_only=True)
    inten = latest(rep, entity, "rd_intensity")
    top = rep.parents(entity)[-1:]  # the country: the top of the chain of parents
    parts = []
    if exp is not None:
        parts.append(f"Its latest reported R&D expenditure is {fmt_number(float(exp['value']))} 亿元 "
                     f"({int(exp['year'])})")
    if inten is not None:
        y, v = int(inten["year"]), float(inten["value"])
        text = (f"its latest R&D intensity is {fmt_value(v, 'percent')}% of GDP ({y}"
                f"{', derived' if inten['derived'] else ''})")
        country = growth.series(rep.obs, top[0], "rd_intensity") if top else pd.DataFrame()
        c = country[country["year"] == y] if len(country) else country
        if len(c):
            cv = float(c.iloc[0]["value"])
            name = entity_row(rep, top[0])["name_en"]
            text += (f", {fmt_value(abs(v - cv), 'pp')} percentage points below {name}'s "
                     f"{fmt_value(cv, 'percent')}% that year")
        parts.append(text)
    if not parts:
        return "No R&D figure for the city is in the data for this report year."
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def status_figure(rep: Report):
    """Targets by status, in words and colour."""
    counts = targets.status_counts(rep.card)
    counts = counts[counts["targets"] > 0]
    src = source_line(rep, rep.card["source_id"].unique())
    return plots.status_chart(counts, f"Targets by status, report year {rep.year} (目标进展)", src)
