"""The validator rejects each kind of bad input with the file, the row and the column; exit 2."""

import contextlib
import io
import subprocess
import sys

import pytest

from analysis import cli, data
from analysis.errors import DataError
from conftest import edit_csv


def problems_for(data_dir):
    """The problems the library reports, after checking the command line says the same way:
    exit status 2, one line per problem naming the file, and no traceback."""
    with pytest.raises(DataError) as info:
        data.load(data_dir)
    problems = info.value.problems
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(["validate", "--data", str(data_dir)])
    text = err.getvalue()
    assert status == 2 and "Traceback" not in text
    assert all(str(p) in text for p in problems)
    return problems


def only(problems, file, row, column, contains):
    hits = [
        p
        for p in problems
        if p.file.endswith(file) and p.row == row and p.column == column and contains in p.message
    ]
    assert hits, f"expected {file} row {row} column {column} '{contains}', got: {[str(p) for p in problems]}"
    return hits[0]


def test_shipped_data_is_valid(ds):
    assert len(ds.observations) > 100 and len(ds.targets) > 20


def test_missing_column(data_copy):
    edit_csv(data_copy / "observations.csv", lambda d: d.drop(columns=["unit"]))
    only(problems_for(data_copy), "observations.csv", 1, "unit", "missing column 'unit'")


def set_cell(path, index, column, value):
    """Write `value` into one cell (DataFrame row `index`, i.e. spreadsheet row index + 2)."""

    def f(d):
        d.loc[index, column] = value
        return d

    edit_csv(path, f)


# (file, row index, column, bad value, spreadsheet row, column named, words of the message)
CELL_CASES = [
    ("observations", 4, "value", "about 50", 6, "value", "'about 50' is not a number"),
    ("observations", 0, "year", "2021年", 2, "year", "is not a whole number"),
    ("observations", 7, "source_id", "no_such_source", 9, "source_id", "unknown source id"),
    ("observations", 7, "indicator", "no_such_indicator", 9, "indicator", "unknown indicator id"),
    ("observations", 7, "entity", "atlantis", 9, "entity", "unknown entity id"),
    ("observations", 3, "value", "123.8", 5, "value", "between 0 and 100"),  # a share of the city
    ("observations", 0, "value", "-49", 2, "value", "cannot be negative"),
    ("observations", 0, "unit", "percent", 2, "unit", "differs from the indicator's unit"),
    ("targets", 0, "baseline_year", "2026", 2, "target_year", "precedes the baseline year"),
    ("conflicts", 0, "exclude_obs_ids", "o0042;o7777", 2, "exclude_obs_ids", "obs_id"),
]


@pytest.mark.parametrize(
    "table,index,column,bad,row,named,words", CELL_CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CELL_CASES]
)
def test_bad_cell(data_copy, table, index, column, bad, row, named, words):
    set_cell(data_copy / f"{table}.csv", index, column, bad)
    only(problems_for(data_copy), f"{table}.csv", row, named, words)


def test_percentage_case_is_a_share(ds):
    assert ds.observations.iloc[3]["indicator"] == "high_tech_enterprises_share_of_parent"


def test_duplicate_row(data_copy):
    def f(d):
        dup = d.iloc[[3]].copy()
        dup["obs_id"] = "o9999"
        return __import__("pandas").concat([d, dup], ignore_index=True)

    edit_csv(data_copy / "observations.csv", f)
    problems = problems_for(data_copy)
    n = len(__import__("pandas").read_csv(data_copy / "observations.csv"))
    only(problems, "observations.csv", n + 1, None, "duplicate row")


def test_empty_file(data_copy):
    (data_copy / "sources.csv").write_bytes(b"")
    p = problems_for(data_copy)[0]
    assert p.file.endswith("sources.csv") and "empty" in p.message


def test_gbk_file(data_copy):
    path = data_copy / "entities.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    p = problems_for(data_copy)[0]
    assert p.file.endswith("entities.csv") and p.row == 2  # first Chinese name: 中国
    assert "not valid UTF-8" in p.message and "GBK" in p.message and "CSV UTF-8" in p.message


def test_every_problem_is_reported_at_once(data_copy):
    def f(d):
        d.loc[0, "value"] = "x"
        d.loc[1, "year"] = "y"
        return d

    edit_csv(data_copy / "observations.csv", f)
    rows = {(p.row, p.column) for p in problems_for(data_copy)}
    assert {(2, "value"), (3, "year")} <= rows


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)


def test_cli_validate_ok():
    r = run_cli("validate")
    assert r.returncode == 0
    assert r.stdout.count("\n") == 1 and r.stdout.startswith("OK:") and "observations" in r.stdout


def test_cli_validate_bad_data_exits_2_without_traceback(data_copy):
    def f(d):
        d.loc[0, "year"] = "2021年"
        return d

    edit_csv(data_copy / "observations.csv", f)
    r = run_cli("validate", "--data", str(data_copy))
    assert r.returncode == 2
    assert "observations.csv, row 2, column 'year'" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_package_may_record_no_conflict(data_copy):
    path = data_copy / "conflicts.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert data.load(data_copy).conflicts.empty


def test_header_only_observations_are_rejected(data_copy):
    path = data_copy / "observations.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    p = problems_for(data_copy)[0]
    assert p.file.endswith("observations.csv") and "no data rows" in p.message


def test_bad_data_never_half_builds_a_site(tmp_path):
    """End to end: a broken row in data/ stops `build` before anything is executed or written."""
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("previous site")
    obs = data.DEFAULT_DATA_DIR / "observations.csv"
    original = obs.read_bytes()
    try:
        obs.write_bytes(original.replace(b",458,", b",four hundred,", 1))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = cli.main(["build", "--force", "--out", str(site)])
    finally:
        obs.write_bytes(original)
    assert status == 2
    assert "observations.csv, row" in err.getvalue() and "column 'value'" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert [p.name for p in site.iterdir()] == ["index.html"] and (
        site / "index.html"
    ).read_text() == "previous site"
    assert not list(tmp_path.glob(".staging-*"))
