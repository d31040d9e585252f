"""installer/server/smoke_test.py, the check an IT department runs against a new team
server (installer/server/README.md), run here against a real server: it must keep
passing as the HTTP API changes, and refuse a server whose certificate is not the
pinned one."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ADMIN, ADMIN_PASSWORD, Running

SCRIPT = Path(__file__).resolve().parents[2] / "installer" / "server" / "smoke_test.py"


def smoke_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("boligsag_smoke_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_smoke_script_logs_in_pushes_and_pulls_back(
        running: Running, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    code = smoke_script().main([running.base_url, "--fingerprint",
                                running.setup.fingerprint, "--username", ADMIN])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    steps = [line.split("  ")[0] for line in captured.out.splitlines()[:-1]]
    assert steps == ["ok"] * 9
    assert captured.out.splitlines()[-1] == "smoke test passed"


def test_the_smoke_script_refuses_a_certificate_that_is_not_the_pinned_one(
        running: Running, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    other = ":".join(["AB"] * 32)
    code = smoke_script().main([running.base_url, "--fingerprint", other])
    captured = capsys.readouterr()
    assert code == 1
    assert f"not the pinned {other}" in captured.err
    assert "log-in" not in captured.out  # nothing was sent to the wrong server
