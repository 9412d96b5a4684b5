"""The report configuration (``report.yml`` at the repository root): defaults, in one place.

Standard library and PyYAML only, so that the command line's fast paths stay light. Every module
that needs a default entity, horizon or time limit reads it from here; none writes an id itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.digest import ROOT

CONFIG_FILE = ROOT / "report.yml"


@dataclass(frozen=True)
class ReportConfig:
    default_entity: str
    default_horizon: int = 3
    notebook_timeout: float = 600.0
    extra: dict = field(default_factory=dict)  # keys other modules read (peers, headline indicators)


def stale_after_years() -> int:
    """report.yml ``stale_after_years``: a latest value older than the report year by more than
    this many years is flagged as dated (in tables and figures); 2 when not set."""
    return int(load().extra.get("stale_after_years", 2))


@lru_cache(maxsize=4)
def load(path: str | Path = CONFIG_FILE) -> ReportConfig:
    """Read the configuration; a missing key or a wrong type is named with the file."""
    import yaml

    from analysis.errors import ParameterError

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path.name}: cannot be read ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("default_entity"), str):
        raise ParameterError(f"{path.name}: 'default_entity' must name an entity of data/entities.csv")
    known = {"default_entity", "default_horizon", "notebook_timeout"}
    try:
        return ReportConfig(
            default_entity=raw["default_entity"],
            default_horizon=int(raw.get("default_horizon", 3)),
            notebook_timeout=float(raw.get("notebook_timeout", 600)),
            extra={k: v for k, v in raw.items() if k not in known},
        )
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{path.name}: {exc}") from None
