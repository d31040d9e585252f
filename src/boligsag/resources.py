"""Where the data files in ``resources/`` are, both in a source checkout and when
installed as a wheel (where the build copies them into ``boligsag/resources``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGED = Path(__file__).resolve().parent / "resources"
_CHECKOUT = Path(__file__).resolve().parents[2] / "resources"


@cache
def resources_dir() -> Path:
    for candidate in (_PACKAGED, _CHECKOUT):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"Boligsag resources not found in {_PACKAGED} or {_CHECKOUT}")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def load_json(*parts: str) -> Any:
    with resource_path(*parts).open(encoding="utf-8") as handle:
        return json.load(handle)
