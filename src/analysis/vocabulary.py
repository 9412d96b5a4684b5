"""The data package's vocabularies, read from ``data/metadata.yaml`` (defined there once).

Units (label, decimals, the range a level can take), the enumerations a column may take (ranked
where order matters: confidence, source type) and the scorecard's status words and colours. The
schema, the preferred-source rule, the figures, the tables and the models all read them here;
nothing else lists a unit or a status.

Standard library and PyYAML only (no pandas), so that any module may import it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.digest import DATA_DIR

METADATA_FILE = "metadata.yaml"
ENUMERATIONS = (
    "family",
    "measure",
    "direction",
    "relation",
    "period",
    "source_type",
    "confidence",
    "qualifier",
    "target_kind",
    "comparator",
    "conflict_kind",
    "entity_level",
)


def _in_language(value) -> str:
    from analysis import i18n

    return str(i18n.localized(value))


@dataclass(frozen=True)
class Unit:
    id: str
    labels: object  # what tables and axes show: one text, or {language: text}
    names: object  # the unit in words: the same
    decimals: int | None = None  # fixed decimals when shown; None: up to four significant digits
    lower: float = -math.inf  # the range a level in this unit can take
    upper: float = math.inf

    @property
    def label(self) -> str:
        """The label in the current edition's language."""
        return _in_language(self.labels)

    @property
    def name(self) -> str:
        return _in_language(self.names)


@dataclass(frozen=True)
class Status:
    id: str
    labels: object  # the status in words: one text, or {language: text}
    colour: str  # background colour in the scorecard and the status chart
    text: str  # colour of the words on that background
    symbol: str = ""  # a mark that tells the statuses apart without colour

    @property
    def label(self) -> str:
        """The status in words in the current edition's language."""
        return _in_language(self.labels)

    @property
    def marked(self) -> str:
        """'✓ Achieved': symbol and words, as tables and legends show a status."""
        return f"{self.symbol} {self.label}".strip()


@dataclass(frozen=True)
class Vocabulary:
    units: dict[str, Unit]
    enumerations: dict[str, tuple[str, ...]]
    status: dict[str, Status]  # in report order

    def unit_label(self, unit: str) -> str:
        u = self.units.get(unit)
        return u.label if u else unit

    def rank(self, enumeration: str) -> dict[str, int]:
        """Position of each value in a ranked enumeration (0 = preferred)."""
        return {v: i for i, v in enumerate(self.enumerations[enumeration])}

    def nonnegative_units(self) -> tuple[str, ...]:
        """Units of counts and amounts: never negative, no upper bound."""
        return tuple(u.id for u in self.units.values() if u.lower == 0 and u.upper == math.inf)

    @property
    def status_labels(self) -> dict[str, str]:
        return {s.id: s.label for s in self.status.values()}


def metadata_path(data_dir: str | Path | None = None) -> Path:
    """The metadata of a data directory, or the shipped one when that directory has none."""
    p = Path(data_dir or DATA_DIR) / METADATA_FILE
    return p if p.exists() else DATA_DIR / METADATA_FILE


@lru_cache(maxsize=8)
def _load(path: Path, _stamp: tuple[int, int]) -> Vocabulary:
    import yaml

    from analysis.errors import DataError, Problem

    def fail(where: str, message: str):
        raise DataError([Problem(path.name, None, where, message)])

    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError([Problem(path.name, None, None, f"cannot be read ({exc})")]) from None
    units = {}
    for uid, u in (meta.get("units") or {}).items():
        if not isinstance(u, dict) or "label" not in u:
            fail(f"units.{uid}", "each unit needs at least a label")
        units[uid] = Unit(
            uid,
            u["label"],
            u.get("name", u["label"]),
            u.get("decimals"),
            float(u.get("lower", -math.inf)),
            float(u.get("upper", math.inf)),
        )
    enums = meta.get("enumerations") or {}
    missing = [e for e in ENUMERATIONS if not enums.get(e)]
    if missing:
        fail("enumerations", f"missing or empty: {', '.join(missing)}")
    status = {}
    for sid, s in (meta.get("status") or {}).items():
        if not isinstance(s, dict) or not {"label", "colour", "text"} <= set(s):
            fail(f"status.{sid}", "each status needs a label, a colour and a text colour")
        status[sid] = Status(sid, s["label"], str(s["colour"]), str(s["text"]), str(s.get("symbol", "")))
    if not units or not status:
        fail(None, "needs 'units' and 'status' sections")
    return Vocabulary(units, {e: tuple(str(v) for v in enums[e]) for e in ENUMERATIONS}, status)


def load(data_dir: str | Path | None = None) -> Vocabulary:
    """The vocabularies of a data package (default: the shipped ``data/``); read again when the
    file changes."""
    path = metadata_path(data_dir).resolve()
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (0, 0)  # _load names the file it cannot read
    return _load(path, stamp)
