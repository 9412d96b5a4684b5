"""Fault injection: what a careful user's machine does to a build (Excel files, kills, full disks,
a second terminal), and what the build must do about it: keep the previous site or publish the
new one, say so in one line, and recover at the next normal build."""
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest

from analysis import cli, csvio, data, digest, pipeline
from analysis.errors import DataError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --------------------------------------------------------------------------- one CSV reader

def _rewrite(path: Path, fn) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def _set_cell(path: Path, obs_id: str, column: str, value: str) -> None:
    """Change one cell of a row of observations.csv by hand (keeping every other byte)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].lstrip("\ufeff").split(",")
    col = [c.strip() for c in header].index(column)
    for i, line in enumerate(lines):
        if line.startswith(obs_id + ","):
            cells = line.split(",")
            cells[col] = value
            lines[i] = ",".join(cells)
            break
    else:
        raise AssertionError(f"{obs_id} not found")
    path.write_text("\n".join(lines), encoding="utf-8")


def _first_row(path: Path, indicator: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.split(",")[2] == indicator and '"' not in line:
            return line.split(",")[0]
    raise AssertionError(indicator)


def _validates(data_dir: Path) -> data.Dataset:
    """The library loads it and the command line says OK (exit 0, no traceback)."""
    ds = data.load(data_dir)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["validate", "--data", str(data_dir)])
    assert status == 0 and out.getvalue().startswith("OK"), err.getvalue()
    return ds


def _bom(data_dir):
    p = data_dir / "indicators.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())


def _spaced_header(data_dir):
    _rewrite(data_dir / "observations.csv", lambda t: t.replace("obs_id,entity,indicator,",
                                                                "obs_id, entity , indicator ,", 1))


def _huge_note(data_dir):
    _set_cell(data_dir / "observations.csv", _first_row(data_dir / "observations.csv", "gdp"),
              "note", "长" * 5_000_000)


def _spaced_indicator(data_dir):
    obs = data_dir / "observations.csv"
    _set_cell(obs, _first_row(obs, "patent_applications"), "indicator", "patent_applications ")


VARIANTS = {"bom": _bom, "header_space": _spaced_header, "huge_note": _huge_note,
            "indicator_space": _spaced_indicator}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_csv_variant_is_read_the_same_by_validation_loader_and_cache_keys(variant, data_copy):
    """Each variant validates, and the cache key of the patents chapter follows a later edit of a
    patent row and ignores an edit of an R&D row -- the keys parse rows as the loader does."""
    VARIANTS[variant](data_copy)
    ds = _validates(data_copy)
    obs = data_copy / "observations.csv"
    if variant == "indicator_space":  # the loader stripped the cell: the row counts as patents
        assert (ds.observations["indicator"] == "patent_applications").sum() == \
            sum(",patent_applications," in ln for ln in
                (digest.DATA_DIR / "observations.csv").read_text(encoding="utf-8").splitlines())
    if variant == "huge_note":
        assert ds.observations["note"].str.len().max() == 5_000_000
    patents_before = digest.inputs_digest(data_copy, ["patents"])
    rd_before = digest.inputs_digest(data_copy, ["rd"])
    row = _first_row(obs, "patent_applications") if variant != "indicator_space" else None
    if row is None:  # edit the very row whose indicator cell has the trailing space
        row = next(ln.split(",")[0] for ln in obs.read_text(encoding="utf-8").splitlines()
                   if ",patent_applications ," in ln)
    _set_cell(obs, row, "value", "123457")
    assert digest.inputs_digest(data_copy, ["patents"]) != patents_before
    assert digest.inputs_digest(data_copy, ["rd"]) == rd_before
    data.load(data_copy)


def test_reader_strips_and_names_problems(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("\ufeff a , b \n 1 ,\" x, y \"\n\n2\n".encode("utf-8"))
    assert csvio.read_table(p) == (["a", "b"], [["1", "x, y"], ["2", ""]])
    p.write_text("a,b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2.*3 cells, the header 2"):
        csvio.read_table(p)
    p.write_bytes("a,b\n高,新\n".encode("gbk"))
    with pytest.raises(DataError, match="GBK"):
        csvio.read_table(p)
