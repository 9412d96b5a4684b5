"""House style for the report's figures: CJK font, units in axis labels, the source under each
figure, and the few chart types the chapters use (series with benchmarks, fan charts, the
coverage chart, the scorecard at a glance)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from analysis import vocabulary  # noqa: E402
from analysis.errors import FontMissing  # noqa: E402,F401  (raised by cjk_font)

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
FIGSIZE = (8.0, 4.2)

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
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 11.5,
            "axes.titleweight": "normal",
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "svg.hashsalt": "ordos-report",
        }
    )
    return fam


def unit_label(unit: str) -> str:
    """How a unit is written on axes and in tables (metadata.yaml)."""
    return vocabulary.load().unit_label(unit)


def finish(fig, source: str, note: str | None = None):
    """Put the source (and an optional note) under the figure and tighten the layout."""
    text = f"Source: {source}" + (f"\n{note}" if note else "")
    lines = text.count("\n") + 1 + len(source) // 140
    bottom = (0.12 + 0.14 * lines) / fig.get_figheight()
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.text(0.01, 0.01, text, fontsize=7.5, color="#555555", ha="left", va="bottom", wrap=True)
    return fig


def _integer_years(ax):
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def series_chart(
    lines: list[dict],
    title: str,
    unit: str,
    source: str,
    note: str | None = None,
    reference: dict | None = None,
):
    """Lines over years. Each line: {'label', 'years', 'values', 'colour', 'derived' (mask)}.

    Derived points are drawn hollow. `reference`: {'value', 'label'} for a horizontal line.
    """
    fig, ax = plt.subplots()
    for ln in lines:
        colour = ln.get("colour")
        years, values = np.asarray(ln["years"]), np.asarray(ln["values"], float)
        ax.plot(years, values, "-", color=colour, label=ln["label"], lw=1.8)
        derived = np.asarray(ln.get("derived", np.zeros(len(years), bool)), bool)
        ax.plot(years[~derived], values[~derived], "o", color=colour, ms=5)
        if derived.any():
            ax.plot(years[derived], values[derived], "o", mfc="white", color=colour, ms=5)
    if reference:
        ax.axhline(reference["value"], ls="--", color="#444444", lw=1.2)
        ax.annotate(
            reference["label"],
            (ax.get_xlim()[0], reference["value"]),
            ha="left",
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8.5,
            color="#333333",
        )
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel(unit_label(unit))
    _integer_years(ax)
    if len(lines) > 1 or any(np.asarray(ln.get("derived", []), bool).any() for ln in lines):
        handles, labels = ax.get_legend_handles_labels()
        if any(np.asarray(ln.get("derived", []), bool).any() for ln in lines):
            handles.append(matplotlib.lines.Line2D([], [], marker="o", mfc="white", color="#555555", ls=""))
            labels.append("derived value (computed, see Data and methods)")
        ax.legend(handles, labels, loc="best")
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
):
    """Observed series, then the forecast mean with 80% and 95% prediction intervals."""
    fig, ax = plt.subplots()
    ax.plot(history_years, history_values, "o-", color=colour, lw=1.8, ms=5, label="observed")
    if not path.empty:
        yrs = np.concatenate([[history_years[-1]], path["year"].to_numpy()])

        def ext(col):
            return np.concatenate([[history_values[-1]], path[col].to_numpy()])

        ax.fill_between(yrs, ext("lo95"), ext("hi95"), color=colour, alpha=0.15, lw=0, label="95% interval")
        ax.fill_between(yrs, ext("lo80"), ext("hi80"), color=colour, alpha=0.30, lw=0, label="80% interval")
        ax.plot(yrs, ext("mean"), "--", color=colour, lw=1.5, label="forecast")
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
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel(unit_label(unit))
    _integer_years(ax)
    ax.legend(loc="upper left")
    return finish(fig, source, note)


def coverage_chart(cov: pd.DataFrame, title: str, source: str):
    """Which series have a value in which year: rows 'label', columns years, values 0/1/2/3
    (none / reported / derived only / part-year or point-in-time only)."""
    rows, years = cov.index.tolist(), cov.columns.astype(int).tolist()
    height = max(2.5, 0.28 * len(rows) + 1.3)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0] + 1.5, height))
    cmap = matplotlib.colors.ListedColormap(["#f2f2f2", "#1b6ca8", "#9ecae1", "#edae49"])
    ax.imshow(cov.to_numpy(), aspect="auto", cmap=cmap, vmin=0, vmax=3, interpolation="nearest")
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xticks(range(len(years)), [str(y) for y in years], fontsize=8, rotation=90)
    ax.set_xticks(np.arange(-0.5, len(years)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", lw=1)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.set_title(title)
    handles = [
        matplotlib.patches.Patch(color="#1b6ca8", label="reported"),
        matplotlib.patches.Patch(color="#9ecae1", label="derived only"),
        matplotlib.patches.Patch(color="#edae49", label="part-year or\npoint-in-time only"),
        matplotlib.patches.Patch(color="#f2f2f2", label="no value"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1))
    return finish(fig, source)


def status_chart(counts: pd.DataFrame, title: str, source: str):
    """Horizontal bars: number of targets in each status, coloured and labelled in words."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 3.4))
    c = counts[::-1]
    ax.barh(c["label"], c["targets"], color=[STATUS_COLOURS[s] for s in c["status"]])
    for y, v in enumerate(c["targets"]):
        ax.text(v + 0.2, y, str(int(v)), va="center", fontsize=9)
    ax.set_xlabel("Number of targets")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(1, c["targets"].max()) * 1.15 + 1)
    return finish(fig, source)


def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    unit: str,
    source: str,
    colours: list[str] | None = None,
    note: str | None = None,
):
    fig, ax = plt.subplots()
    ax.bar(labels, values, color=colours or "#1b6ca8")
    for x, v in enumerate(values):
        if not (isinstance(v, float) and math.isnan(v)):
            ax.text(x, v, f"{v:,.4g}", ha="center", va="bottom", fontsize=9)
    ax.set_title(title)
    ax.set_ylabel(unit_label(unit))
    ax.grid(axis="x", visible=False)
    return finish(fig, source, note)


def show(fig, width: int | None = None) -> None:
    """Display a figure as PNG (deterministic bytes: no software stamp) and close it. A string
    in place of the figure (a view's sentence saying why there is none) is shown as Markdown."""
    import io

    from IPython.display import Image, Markdown, display

    if isinstance(fig, str):
        display(Markdown(fig))
        return

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png", width=width))
