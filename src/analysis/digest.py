"""Content digests of the report's inputs, for the build cache and the committed-output stamp.

Light on purpose (standard library only): the up-to-date check of a build runs before pandas is
imported.

A chapter notebook may declare in its metadata which indicator families it reads::

    "metadata": {"analysis": {"depends_on": ["patents"]}}

Its cache key then covers only the observation rows of those families (plus the small reference
tables, the last year of data and the library code), so that changing a patent figure
re-executes the chapters that show patents and not the R&D chapter. ``"*"`` (the default) means
every row; ``"targets"`` means the families of the indicators that have targets.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from analysis import csvio

ROOT = Path(__file__).resolve().parents[2]
# the data package; a build from another directory sets ANALYSIS_DATA_DIR for its kernels
DATA_ENV = "ANALYSIS_DATA_DIR"
DATA_DIR = Path(os.environ.get(DATA_ENV) or ROOT / "data").resolve()
LOCK_FILE = ROOT / "uv.lock"
LIB_DIR = Path(__file__).resolve().parent
REFERENCE_TABLES = ("entities", "indicators", "sources", "targets", "conflicts")
# families whose values are derived from another family's rows (R&D intensity = R&D / GDP)
FAMILY_INPUTS = {"rd": {"economy"}}


def library_digest() -> str:
    """Every module of the library (sub-packages included) and its label catalog."""
    h = hashlib.sha256()
    for p in sorted([*LIB_DIR.rglob("*.py"), *LIB_DIR.rglob("*.yml")]):
        h.update(p.relative_to(LIB_DIR).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def environment_digest() -> str:
    """The locked environment (uv.lock) and the Python version: a dependency change re-executes."""
    h = hashlib.sha256(sys.version.encode())
    if LOCK_FILE.exists():
        h.update(LOCK_FILE.read_bytes())
    return h.hexdigest()


def data_digest(data_dir: Path | None = None, families: list[str] | None = None) -> str:
    """Digest of the data package, or of the rows of some indicator families only.

    Every file's bytes for the whole package (cheap, no parsing); for some families, the rows
    as :func:`analysis.csvio.read_table` parses them, the same parsing the loader uses, so a cell
    the loader strips (a trailing space, a byte-order mark) selects the same rows here.
    """
    data_dir = Path(data_dir or DATA_DIR)
    h = hashlib.sha256()
    meta = data_dir / "metadata.yaml"  # the vocabularies: unit labels, status words
    if meta.exists():
        h.update(meta.read_bytes())
    if not families or "*" in families:
        for p in sorted(data_dir.glob("*.csv")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
        return h.hexdigest()
    for name in REFERENCE_TABLES:
        p = data_dir / f"{name}.csv"
        if p.exists():
            h.update(name.encode())
            h.update(p.read_bytes())
    wanted = resolve_families(families, data_dir)
    family = _indicator_families(data_dir)
    header, body = csvio.read_table(data_dir / "observations.csv", allow_no_rows=True)
    ii, yi = _column(header, "indicator", "observations.csv"), _column(header, "year", "observations.csv")
    h.update(json.dumps(header).encode())
    h.update(str(max((r[yi] for r in body), default="")).encode())  # the data's last year
    for r in body:
        if family.get(r[ii]) in wanted:
            h.update(json.dumps(r, ensure_ascii=False).encode())
    return h.hexdigest()


def _column(header: list[str], name: str, file: str) -> int:
    if name not in header:
        from analysis.errors import DataError, Problem

        raise DataError([Problem(file, 1, name, f"missing column '{name}'")])
    return header.index(name)


def resolve_families(families: list[str], data_dir: Path | None = None) -> set[str]:
    out = set(families)
    data_dir = Path(data_dir or DATA_DIR)
    if "targets" in out:
        out.discard("targets")
        family = _indicator_families(data_dir)
        out |= {family.get(r.get("indicator", "")) for r in csvio.read_records(data_dir / "targets.csv")}
        out.discard(None)
    for fam in list(out):
        out |= FAMILY_INPUTS.get(fam, set())
    return out


def _indicator_families(data_dir: Path) -> dict[str, str]:
    return {
        r.get("indicator_id", ""): r.get("family", "")
        for r in csvio.read_records(data_dir / "indicators.csv")
    }


def config_digest() -> str:
    """The report configuration (report.yml): scorecard rules, peers, headline indicators."""
    path = ROOT / "report.yml"
    return hashlib.sha256(path.read_bytes() if path.exists() else b"").hexdigest()


def inputs_digest(data_dir: Path | None = None, families: list[str] | None = None) -> str:
    """Data (all, or the declared families), report configuration, library code and locked
    environment together."""
    parts = data_digest(data_dir, families) + config_digest() + library_digest() + environment_digest()
    return hashlib.sha256(parts.encode()).hexdigest()
