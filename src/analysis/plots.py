"""House style for the report's figures: CJK font, units in axis labels, the source under each
figure, and the few chart types the chapters use (series with benchmarks, fan charts, the
coverage chart, the scorecard at a glance)."""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from analysis import config, vocabulary  # noqa: E402
from analysis.errors import FontMissing  # noqa: E402,F401  (raised by cjk_font)
from analysis.i18n import join, t  # noqa: E402

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Noto Sans SC",
    "SimHei",
    "Microsoft YaHei",
)
CJK_FILE_HINTS = (
    "wqy-microhei",
    "wqy-zenhei",
    "notosanscjk",
    "sourcehansans",
    "notosanssc",
    "simhei",
    "msyh",
)

# colour of an entity by its place relative to the report's focal entity (entities.csv parents)
ROLE_COLOURS = {
    "focus": "#1b6ca8",
    "child": "#d1495b",
    "parent": "#edae49",
    "grandparent": "#66a182",
    "other": "#8d6a9f",
}
STATUS_COLOURS = {s.id: s.colour for s in vocabulary.load().status.values()}  # metadata.yaml
# Figures are drawn at FIGSIZE inches and shown FIGSIZE[0] × BASE_DPI pixels wide (a phone shrinks
# them to its ~350 px column), as PNG at 2 × BASE_DPI so that they stay sharp on high-density
# screens. Text is at least MIN_FONT points: 10.5 pt × BASE_DPI/72 px × 350/(5.6 × BASE_DPI) ≈ 9.1 px
# on a phone. The source line is not drawn into the image: it is written under it as text.
FIGSIZE = (5.6, 3.6)
BASE_DPI = 110
MIN_FONT = 10.5
TITLE_FONT = 12.0
DERIVED_MARKER = {"marker": "o", "mfc": "white", "mew": 1.6, "ms": 6.5, "ls": ""}
OBSERVED_MARKER = {"marker": "o", "ms": 5.5, "ls": ""}

_font_family: str | None = None


def cjk_font() -> str:
    """Register a CJK font with matplotlib and return its family name.

    Raises FontMissing, naming the command that installs one, when none is on the machine.
    """
    global _font_family
    if _font_family:
        return _font_family
    names = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in names:
            _font_family = fam
            return fam
    for path in font_manager.findSystemFonts():
        if any(
            h in Path(path).name.lower().replace("-", "").replace("_", "") or h in Path(path).name.lower()
            for h in CJK_FILE_HINTS
        ):
            font_manager.fontManager.addfont(path)
            _font_family = font_manager.FontProperties(fname=path).get_name()
            return _font_family
    raise FontMissing(
        "No CJK font found, so Chinese names cannot be drawn. Install one with "
        "`make font` (Debian package fonts-wqy-microhei)."
    )


def setup() -> str:
    """Apply the house style; returns the CJK font family in use."""
    fam = cjk_font()
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [fam, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.figsize": FIGSIZE,
            "figure.dpi": BASE_DPI,
            "savefig.dpi": 2 * BASE_DPI,
            "figure.constrained_layout.use": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": MIN_FONT,
            "axes.titlesize": TITLE_FONT,
            "axes.titleweight": "normal",
            "axes.labelsize": MIN_FONT,
            "xtick.labelsize": MIN_FONT,
            "ytick.labelsize": MIN_FONT,
            "legend.fontsize": MIN_FONT,
            "legend.frameon": False,
            "svg.hashsalt": "ordos-report",
        }
    )
    return fam


def unit_label(unit: str) -> str:
    """How a unit is written on axes and in tables (metadata.yaml)."""
    return vocabulary.load().unit_label(unit)


def _text_width(text: str, size: float) -> float:
    """Approximate width of a line of text in points: CJK characters 1 em, others 0.55 em."""
    return sum(size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55) for ch in text)


def wrap(text: str, size: float = TITLE_FONT, width_in: float = FIGSIZE[0]) -> str:
    """Break `text` into lines that fit `width_in` inches at `size` points (titles never run off
    the figure): at spaces in Latin text, anywhere between CJK characters."""
    room = width_in * 72 * 0.94
    lines: list[str] = []
    for para in str(text).split("\n"):
        cur = ""
        for tok in re.findall(
            r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+\s*|\s+",
            para,
        ):
            if cur and _text_width((cur + tok).rstrip(), size) > room:
                lines.append(cur.rstrip())
                cur = tok.lstrip()
            else:
                cur += tok
        lines.append(cur.rstrip())
    return "\n".join(lines)


def finish(fig, source: str, note: str | None = None):
    """Keep the source (and an optional note) of the figure: :func:`show` writes them under the
    image as text, in the edition's language."""
    fig._report_caption = (t("plots.source", sources=source) if source else "", note or "")
    return fig


def caption(fig) -> tuple[str, str]:
    """(source line, note) kept by :func:`finish`."""
    return getattr(fig, "_report_caption", ("", ""))


def _integer_years(ax):
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def is_stale(year: int, report_year: int) -> bool:
    """A latest value is dated when it is older than the report year by more than
    ``stale_after_years`` (report.yml)."""
    from analysis import config

    return report_year - int(year) > config.stale_after_years()


def latest_label(value_text: str, year: int, report_year: int | None) -> str:
    """'2.65% (2023)', flagged '(2019, dated)' when the year is stale for the report year."""
    stale = report_year is not None and is_stale(year, report_year)
    return t("plots.latest_stale" if stale else "plots.latest", value=value_text, year=int(year))


def derived_handle():
    """The legend entry of derived values, the same in every figure."""
    h = matplotlib.lines.Line2D([], [], color="#555555", **DERIVED_MARKER)
    return h, t("plots.derived_legend")


def _draw_points(ax, years, values, derived, colour, zorder=3, grow=0.0):
    """Reported points filled, derived points hollow (one style in every figure); `grow` points
    larger than the house size."""
    years, values = np.asarray(years), np.asarray(values, float)
    derived = np.zeros(len(years), bool) if derived is None else np.asarray(derived, bool)
    obs = OBSERVED_MARKER | {"ms": OBSERVED_MARKER["ms"] + grow}
    ax.plot(years[~derived], values[~derived], color=colour, zorder=zorder, **obs)
    if derived.any():
        der = DERIVED_MARKER | {"ms": DERIVED_MARKER["ms"] + grow}
        ax.plot(years[derived], values[derived], color=colour, zorder=zorder, **der)
    return derived.any()


LEGEND_HANDLE_PT = 3.4 * MIN_FONT  # a legend entry's symbol, the gap after it and the gap between columns


def legend_columns(labels: list[str], width_in: float = FIGSIZE[0], most: int = 2) -> int:
    """How many columns a legend below the plot can have without running off the figure: every
    column is as wide as the longest label plus its symbol."""
    widest = max((_text_width(lb, MIN_FONT) for lb in labels), default=0) + LEGEND_HANDLE_PT
    room = width_in * 72 * 0.96
    return max(1, min(most, len(labels), int(room // widest)))


def _legend_below(fig, ax, handles, labels):
    if handles:
        labels = [wrap(lb, MIN_FONT, FIGSIZE[0] * 0.96 - LEGEND_HANDLE_PT / 72) for lb in labels]
        fig.legend(handles, labels, loc="outside lower center", ncol=legend_columns(labels))


def series_chart(
    lines: list[dict],
    title: str,
    unit: str,
    source: str,
    note: str | None = None,
    reference: dict | None = None,
    report_year: int | None = None,
):
    """Lines over years. Each line: {'label', 'years', 'values', 'colour', 'derived' (mask)}.

    Derived points are drawn hollow and named in the legend. `reference`: {'value', 'label'} for a
    horizontal line. With `report_year`, each line's legend entry gives its latest value and
    year, flagged when dated (:func:`latest_label`).
    """
    fig, ax = plt.subplots()
    any_derived, stale = False, False
    for i, ln in enumerate(lines):
        colour = ln.get("colour")
        years, values = np.asarray(ln["years"]), np.asarray(ln["values"], float)
        label = ln["label"]
        if report_year is not None and len(years):
            latest = latest_label(ln.get("fmt", "{:g}").format(values[-1]), years[-1], report_year)
            label = t("plots.legend_latest", label=label, latest=latest)
            stale |= is_stale(years[-1], report_year)
        # the first line (the focal entity) is drawn on top, its points smaller than the others'
        # so that a benchmark's point at the same value still shows as a ring around it
        z, grow = 3 + len(lines) - i, (0 if i == 0 else 2.0)
        ax.plot(years, values, "-", color=colour, label=label, lw=1.8, zorder=z)
        any_derived |= bool(_draw_points(ax, years, values, ln.get("derived"), colour, z, grow))
    if reference:  # named in the legend, never written over the plot (it would meet the title)
        ax.axhline(reference["value"], ls="--", color="#444444", lw=1.2, label=reference["label"], zorder=2)
    ax.set_title(wrap(title))
    ax.set_xlabel(t("plots.year_axis"))
    ax.set_ylabel(unit_label(unit))
    _integer_years(ax)
    ax.margins(x=0.08, y=0.15)
    handles, labels = ax.get_legend_handles_labels()
    if any_derived:
        h, lb = derived_handle()
        handles, labels = [*handles, h], [*labels, lb]
    if len(lines) > 1 or any_derived:
        _legend_below(fig, ax, handles, labels)
    if stale:
        note = " ".join(
            x for x in (note, t("plots.stale_note", n=config.stale_after_years(), year=report_year)) if x
        )
    return finish(fig, source, note)


def fan_chart(
    history_years,
    history_values,
    path: pd.DataFrame,
    title: str,
    unit: str,
    source: str,
    target: dict | None = None,
    note: str | None = None,
    colour: str = ROLE_COLOURS["focus"],
    derived=None,
    levels: tuple[float, float] = (0.8, 0.95),
):
    """Observed series (derived points hollow: `derived` is a mask over the history), then the
    forecast mean with its inner and outer prediction intervals (`levels`)."""
    fig, ax = plt.subplots()
    ax.plot(history_years, history_values, "-", color=colour, lw=1.8, label=t("plots.observed"))
    any_derived = _draw_points(ax, history_years, history_values, derived, colour)
    if not path.empty:
        yrs = np.concatenate([[history_years[-1]], path["year"].to_numpy()])

        def ext(col):
            return np.concatenate([[history_values[-1]], path[col].to_numpy()])

        # the outer band first, the inner one drawn darker over it (path columns lo80/hi80, lo95/hi95)
        for level, alpha in ((levels[1], 0.15), (levels[0], 0.30)):
            pct = round(100 * level)
            ax.fill_between(
                yrs,
                ext(f"lo{pct}"),
                ext(f"hi{pct}"),
                color=colour,
                alpha=alpha,
                lw=0,
                label=t("plots.interval", level=f"{level:.0%}"),
            )
        ax.plot(yrs, ext("mean"), "--", color=colour, lw=1.5, label=t("plots.forecast"))
    if target:
        ax.plot(
            [target["year"]],
            [target["value"]],
            marker="*",
            ms=13,
            color="#c62828",
            ls="",
            label=target["label"],
        )
    clipped = _keep_history_readable(ax, history_values, path, target, levels)
    # the last observed value written beside its point: readable however wide the intervals
    ax.annotate(
        _fmt(float(history_values[-1])),
        (history_years[-1], history_values[-1]),
        xytext=(-6, 6),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=MIN_FONT,
        color=colour,
    )
    ax.set_title(wrap(title))
    ax.set_xlabel(t("plots.year_axis"))
    ax.set_ylabel(unit_label(unit))
    _integer_years(ax)
    handles, labels = ax.get_legend_handles_labels()
    if any_derived:
        h, lb = derived_handle()
        handles, labels = [*handles, h], [*labels, lb]
    _legend_below(fig, ax, handles, labels)
    if clipped:
        note = " ".join(x for x in (note, t("plots.band_clipped", level=join(clipped))) if x)
    return finish(fig, source, note)


CLIP_FACTOR = 1.3  # the y axis reaches this far above the observed values, forecast mean and target
INNER_REACH = 2.0  # ... and above the inner band's top when that is at most this many times higher


def _keep_history_readable(ax, history_values, path: pd.DataFrame, target: dict | None, levels) -> list[str]:
    """Wide intervals must not flatten the observed series: the y axis stops at CLIP_FACTOR × the
    highest of the observed values, the forecast mean, the target and the inner interval (the
    latter only up to INNER_REACH × the others); a series that cannot be negative (all observed
    values and the interval's bottom ≥ 0) starts at 0. Returns the levels of the intervals cut at
    the top (the figure's note then says so)."""
    if path.empty:
        return []
    base = [float(np.nanmax(history_values)), float(np.nanmax(path["mean"]))]
    if target:
        base.append(float(target["value"]))
    b = max(base)
    top = CLIP_FACTOR * max(b, min(float(np.nanmax(path["hi80"])), INNER_REACH * b))
    low = min(float(np.nanmin(history_values)), float(np.nanmin(path["lo95"])))
    if low >= 0:
        ax.set_ylim(bottom=0)
    cut = [f"{lv:.0%}" for lv, col in zip(levels, ("hi80", "hi95")) if float(np.nanmax(path[col])) > top]
    if cut and top > 0:
        ax.set_ylim(top=top)
        return cut
    return []


def coverage_chart(cov: pd.DataFrame, title: str, source: str):
    """Which series have a value in which year: rows 'label', columns years, values 0/1/2/3
    (none / reported / derived only / part-year or point-in-time only)."""
    years = cov.columns.astype(int).tolist()
    width = FIGSIZE[0] + 3.4
    # row labels wrapped to at most 36% of the figure, so that the grid keeps the rest
    rows = [wrap(r, MIN_FONT, width * 0.36) for r in cov.index]
    n_lines = sum(r.count("\n") + 1 for r in rows)
    height = max(3.0, 0.18 * n_lines + 0.08 * len(rows) + 2.4)
    fig, ax = plt.subplots(figsize=(width, height))
    cmap = matplotlib.colors.ListedColormap(["#f2f2f2", "#1b6ca8", "#9ecae1", "#edae49"])
    ax.imshow(cov.to_numpy(), aspect="auto", cmap=cmap, vmin=0, vmax=3, interpolation="nearest")
    ax.set_yticks(range(len(rows)), rows, fontsize=MIN_FONT)
    ax.set_xticks(range(len(years)), [str(y) for y in years], fontsize=MIN_FONT, rotation=90)
    ax.set_xticks(np.arange(-0.5, len(years)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", lw=1)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.set_title(wrap(title, width_in=width * 0.62))
    handles = [
        matplotlib.patches.Patch(color="#1b6ca8", label=t("plots.coverage_reported")),
        matplotlib.patches.Patch(color="#9ecae1", label=t("plots.coverage_derived")),
        matplotlib.patches.Patch(color="#edae49", label=t("plots.coverage_partial")),
        matplotlib.patches.Patch(color="#f2f2f2", label=t("plots.coverage_none")),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=legend_columns([h.get_label() for h in handles], width, most=4),
    )
    return finish(fig, source)


def status_chart(counts: pd.DataFrame, title: str, source: str):
    """Horizontal bars: number of targets in each status, coloured and labelled in words."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 3.4))
    c = counts[::-1]
    ax.barh(c["label"], c["targets"], color=[STATUS_COLOURS[s] for s in c["status"]])
    for y, v in enumerate(c["targets"]):
        ax.text(v + 0.2, y, str(int(v)), va="center", fontsize=MIN_FONT)
    ax.set_xlabel(t("plots.targets_axis"))
    ax.set_title(wrap(title))
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(1, c["targets"].max()) * 1.15 + 1)
    return finish(fig, source)


def _fmt(v: float) -> str:
    from analysis.tables import fmt_number

    return fmt_number(v)


def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    unit: str,
    source: str,
    colours: list[str] | None = None,
    note: str | None = None,
):
    """Horizontal bars, one per label, each with its value at its end (labels never overlap)."""
    return grouped_bar_chart(labels, [{"label": "", "values": values}], title, unit, source, colours, note)


def grouped_bar_chart(
    groups: list[str],
    series: list[dict],
    title: str,
    unit: str,
    source: str,
    colours: list[str] | None = None,
    note: str | None = None,
):
    """Horizontal bars: one row per group (its label on the left), one bar per series in each
    (``{'label', 'values', 'alpha'}``), each bar labelled with its value. A group's bars take the
    group's colour (``colours``, e.g. the entity's role colour); the series differ in shade, and
    the legend names the series in the first group's colour."""
    n_g, n_s = len(groups), len(series)
    height = max(2.6, 0.42 * n_g * n_s + 1.9)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    colours = colours or [ROLE_COLOURS["focus"]] * n_g
    bar_h = 0.8 / n_s
    vmax = max([v for s in series for v in s["values"] if not _isnan(v)] or [1])
    for j, s in enumerate(series):
        alpha = s.get("alpha", 1.0)
        ys = np.arange(n_g) + (j - (n_s - 1) / 2) * bar_h
        vals = [0 if _isnan(v) else v for v in s["values"]]
        ax.barh(ys, vals, height=bar_h * 0.92, color=colours, alpha=alpha)
        for y, v in zip(ys, s["values"]):
            if not _isnan(v):
                ax.text(v + vmax * 0.01, y, _fmt(v), va="center", ha="left", fontsize=MIN_FONT)
    ax.set_yticks(range(n_g), [wrap(g, MIN_FONT, FIGSIZE[0] * 0.3) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, vmax * 1.22)
    ax.set_xlabel(unit_label(unit))
    ax.set_title(wrap(title))
    ax.grid(axis="y", visible=False)
    if n_s > 1:
        first = colours[0]  # the legend's swatches in the first group's colour, as its bars
        handles = [
            matplotlib.patches.Patch(color=first, alpha=s.get("alpha", 1.0), label=s["label"]) for s in series
        ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=legend_columns([s["label"] for s in series], most=n_s),
        )
    return finish(fig, source, note)


def _isnan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def show(fig, width: int | None = None) -> None:
    """Display a figure as PNG at twice its display resolution (sharp on high-density screens;
    deterministic bytes: no software stamp), shown ``width`` px wide (default: the figure's width
    at BASE_DPI), with its source line and note written under it as text; then close it. A
    string in place of the figure (a view's sentence saying why there is none) is shown as
    Markdown."""
    import html
    import io

    from IPython.display import HTML, Image, Markdown, display

    if isinstance(fig, str):
        display(Markdown(fig))
        return

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=2 * BASE_DPI, metadata={"Software": None})
    width = width or round(fig.get_figwidth() * BASE_DPI)
    source, note = caption(fig)
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png", width=width))
    lines = [x for x in (source, note) if x]
    if lines:
        body = "<br/>".join(html.escape(x) for x in lines)
        display(HTML(f'<p class="figure-source" style="font-size:0.85em;color:#555;margin-top:0">{body}</p>'))
