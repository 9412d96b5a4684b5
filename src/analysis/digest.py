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

import csv
import hashlib
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
LIB_DIR = Path(__file__).resolve().parent
REFERENCE_TABLES = ("entities", "indicators", "sources", "targets", "conflicts")
# families whose values are derived from another family's rows (R&D intensity = R&D / GDP)
FAMILY_INPUTS = {"rd": {"economy"}}


def library_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(LIB_DIR.rglob("*.py")):  # the views/ package too
        h.update(p.relative_to(LIB_DIR).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def data_digest(data_dir: Path | None = None, families: list[str] | None = None) -> str:
    """Digest of the data package, or of the rows of some indicator families only."""
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
    obs = (data_dir / "observations.csv").read_bytes().decode("utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(obs)))
    if rows:
        header, body = rows[0], rows[1:]
        ii, yi = header.index("indicator"), header.index("year")
        h.update(json.dumps(header).encode())
        h.update(str(max((r[yi] for r in body if len(r) > yi), default="")).encode())  # data end
        for r in body:
            if len(r) > ii and family.get(r[ii]) in wanted:
                h.update(json.dumps(r, ensure_ascii=False).encode())
    return h.hexdigest()


def resolve_families(families: list[str], data_dir: Path | None = None) -> set[str]:
    out = set(families)
    if "targets" in out:
        out.discard("targets")
        family = _indicator_families(Path(data_dir or DATA_DIR))
        with open(Path(data_dir or DATA_DIR) / "targets.csv", encoding="utf-8", errors="replace") as f:
            out |= {family.get(r.get("indicator", "")) for r in csv.DictReader(f)} - {None}
    for fam in list(out):
        out |= FAMILY_INPUTS.get(fam, set())
    return out


def _indicator_families(data_dir: Path) -> dict[str, str]:
    with open(data_dir / "indicators.csv", encoding="utf-8", errors="replace") as f:
        return {r["indicator_id"]: r["family"] for r in csv.DictReader(f)}


def inputs_digest(data_dir: Path | None = None, families: list[str] | None = None) -> str:
    """Data (all, or the declared families) and library code together."""
    return hashlib.sha256((data_digest(data_dir, families) + library_digest()).encode()).hexdigest()
