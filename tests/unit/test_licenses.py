"""The About dialog's licence list (resources/licenses, written by
installer/collect_licenses.py) names what the build bundles: every runtime dependency
pinned in pyproject.toml, at the pinned version; and the version the program reports is
pyproject's."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

import boligsag
from boligsag.resources import load_json

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


def test_the_program_reports_pyprojects_version() -> None:
    assert boligsag.__version__ == PROJECT["version"]


def test_every_pinned_runtime_dependency_is_listed_at_its_pinned_version() -> None:
    listed = {_key(c["name"]): c["version"] for c in load_json("licenses", "components.json")}
    for text in PROJECT["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue  # another platform's wheel (sqlcipher3-wheels on Windows)
        pinned = str(requirement.specifier).removeprefix("==")
        assert listed.get(_key(requirement.name)) == pinned, (
            f"{requirement.name} {pinned}: run installer/collect_licenses.py")
