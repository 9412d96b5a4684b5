"""Tables in the book: deterministic HTML, a CSV download beside each, and values for prose.

The build passes each notebook a ``downloads_dir`` parameter (see :func:`set_downloads`); every
table shown with :func:`show` is then written there as CSV (UTF-8 with BOM, so spreadsheet
software opens the Chinese text correctly) and the site serves it under ``downloads/``. Without
it (tests, a notebook opened by hand) nothing is written and the page looks the same.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd

DOWNLOADS_URL = "../downloads"
SOURCES_PAGE = "07_data_methods.html"  # the page listing the sources, beside every chapter page
_downloads_dir: Path | None = None


def set_downloads(directory: str | Path | None) -> None:
    """Where :func:`show` writes each table's CSV (None: nowhere)."""
    global _downloads_dir
    _downloads_dir = Path(directory) if directory else None


def fmt_number(x, digits: int = 4) -> str:
    """A number as the report prints it: thousands separators, no float noise; '–' for none."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, (int,)) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def fmt_value(x, unit: str, signed: bool = False) -> str:
    """A value in `unit` as the report prints it: the unit's decimals from metadata.yaml (R&D
    intensity: 2.65), otherwise :func:`fmt_number`; `signed` for a gap (+0.12); '–' for none."""
    from analysis import vocabulary

    if _missing(x):
        return "–"
    u = vocabulary.load().units.get(unit)
    decimals = u.decimals if u else None
    if decimals is None:
        return ("+" if signed and x > 0 else "") + fmt_number(x)
    return f"{x:{'+' if signed else ''}.{decimals}f}"


def is_year(x) -> bool:
    return isinstance(x, (int,)) and not isinstance(x, bool) and 1900 <= x <= 2100


def fmt_pct(x, digits: int = 1) -> str:
    """A fraction (0.05) as a percentage ('5.0%')."""
    if x is None or x is pd.NA or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "–"
    return f"{100 * x:.{digits}f}%"


def source_anchor(source_id: str) -> str:
    """The HTML id of a source's entry in the sources list of the Data and methods page."""
    return "src-" + re.sub(r"[^A-Za-z0-9_\-]", "-", str(source_id))


def source_links(ids) -> list[str]:
    """For a column of source ids (one id, or several joined by ';' as in a derived value), the
    cells as HTML links to each source's entry on the Data and methods page::

        df["来源"] = tables.source_links(df["source_id"])

    :func:`styled` leaves the HTML as it is (the CSV gets the plain ids)."""
    from html import escape

    from analysis.i18n import t

    title = escape(t("tables.source_link_title"), quote=True)
    out = []
    for v in ids:
        parts = [] if _missing(v) else [x.strip() for x in str(v).split(";") if x.strip()]
        out.append(
            ", ".join(
                f'<a class="source-link" href="{SOURCES_PAGE}#{source_anchor(x)}" title="{title}">'
                f"{escape(x)}</a>"
                for x in parts
            )
            or "–"
        )
    return out


_TAG = re.compile(r"<[^>]+>")


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """The table without HTML markup in its text cells (links become their text): for the CSV."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: _TAG.sub("", v) if isinstance(v, str) and "<" in v else v)
    return out


def csv_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_\-]+", "_", name.lower()).strip("_") + ".csv"


def write_csv(df: pd.DataFrame, name: str, directory: str | Path | None = None) -> Path | None:
    directory = directory or _downloads_dir
    if not directory:
        return None
    path = Path(directory) / csv_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    plain(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def styled(
    df: pd.DataFrame,
    name: str,
    formats: dict | None = None,
    caption: str | None = None,
    cell_styles: pd.DataFrame | None = None,
):
    """A pandas Styler with a fixed id (so the HTML is the same on every run)."""
    from analysis.i18n import t

    view = df.copy()
    for col in view.columns:
        if formats and col in formats:
            view[col] = view[col].map(formats[col])
        elif pd.api.types.is_bool_dtype(view[col]):  # a yes/no column reads in words, not True/False
            view[col] = view[col].map(
                lambda v: "–" if pd.isna(v) else t("tables.word_yes" if v else "tables.word_no")
            )
        elif _is_year_column(col) and pd.api.types.is_numeric_dtype(view[col]):
            view[col] = view[col].map(lambda v: "–" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_numeric_dtype(view[col]) and not pd.api.types.is_bool_dtype(view[col]):
            view[col] = view[col].map(fmt_number)
        else:
            view[col] = view[col].map(
                lambda v: "–" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
            )
    st = view.style.hide(axis="index").set_uuid(re.sub(r"\W", "", name))
    st = st.set_table_attributes('class="report-table"')
    # numbers, years, short words: one line, never one character per line; longer text wraps in
    # a column wide enough to read (a table wider than the screen scrolls sideways)
    widths = [
        "white-space: nowrap;" if _is_short_column(col, view.iloc[:, i]) else f"min-width: {LONG_MIN_WIDTH};"
        for i, col in enumerate(view.columns)
    ]
    st = st.set_table_styles(
        [{"selector": f".col{i}", "props": props} for i, props in enumerate(widths)], overwrite=False
    )
    if caption:
        st = st.set_caption(caption)
    if cell_styles is not None:
        st = st.apply(lambda _: cell_styles.reindex(columns=view.columns).fillna(""), axis=None)
    return st


LONG_MIN_WIDTH = "8em"  # the narrowest a column of longer text gets (about eight Chinese characters)
SHORT_WIDTH = 16  # a column whose header and cells are at most this wide (a CJK character counts 2)


def _width(text) -> int:
    """The width of a cell's text as shown (tags left out): a Chinese character counts twice."""
    text = _TAG.sub("", str(text))
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_short_column(col, values: pd.Series) -> bool:
    """Is every text of the column (header included) short enough to stay on one line?"""
    return _width(col) <= SHORT_WIDTH and all(_width(v) <= SHORT_WIDTH for v in values)


def _is_year_column(col) -> bool:
    name = str(col).lower()
    return "year" in name or name.endswith("年") or name in ("年份", "年度")


def show(
    df: pd.DataFrame,
    name: str,
    caption: str | None = None,
    formats: dict | None = None,
    cell_styles: pd.DataFrame | None = None,
    csv: pd.DataFrame | None = None,
    fold: str | None = None,
):
    """Display a table and a link to its CSV (the full-precision data behind it). A string in
    place of the table (a view's sentence saying why there is none) is shown as Markdown.

    ``fold``: a one-line summary; the table is then folded under it (an HTML ``<details>``
    element, opened by a click, and open in the PDF) — for detail a reader rarely needs first
    (backtests, model details, long lists)."""
    from IPython.display import HTML, Markdown, display

    if isinstance(df, str):
        display(Markdown(df))
        return

    write_csv(csv if csv is not None else df, name)
    body = styled(df, name, formats, caption, cell_styles).to_html() + (
        f'<p class="csv-download"><a href="{DOWNLOADS_URL}/{csv_name(name)}" download>'
        f"{_csv_link_text()}</a></p>"
    )
    if fold:
        body = f'<details class="fold"><summary>{fold}</summary>\n{body}</details>'
    display(HTML(body))


def _csv_link_text() -> str:
    from analysis.i18n import t

    return t("tables.csv_link")


def glue_values(values: dict) -> None:
    """Make values available to the page's prose, unseen here: the prose writes
    ``{glue:md}`key` `` and the build pastes the value, so no number is typed into text."""
    from IPython.display import Markdown
    from myst_nb import glue

    for key, value in values.items():
        text = value if isinstance(value, str) else (str(value) if is_year(value) else fmt_number(value))
        glue(key, Markdown(text), display=False)
