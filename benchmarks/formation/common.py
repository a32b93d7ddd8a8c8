"""Shared helpers for the cohort-formation benchmarks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DATA_ENV = "PEERNET_MDGPLIB"


def mdgplib_dir(override: str | None = None) -> Path:
    """The MDGPLIB folder: the flag, else $PEERNET_MDGPLIB, else ../shared/data/mdgplib."""
    if override:
        return Path(override)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return (REPO_ROOT / ".." / "shared" / "data" / "mdgplib").resolve()


def instance_path(data: Path, name: str) -> Path:
    return data / name.split("_")[0] / f"{name}.txt"


def read_reference(data: Path) -> list[tuple[str, float, str]]:
    rows = []
    lines = (data / "reference.tsv").read_text().splitlines()
    for line in lines[1:]:
        if line.strip():
            name, value, kind, *_ = line.split("\t")
            rows.append((name, float(value), kind))
    return rows
