"""The team server's Danish name indexes follow the server's ICU (issue 14 §3): after the
operating system's ICU changed under ``boligsag_da``, ``boligsag server migrate`` rebuilds
the indexes under it and records the new version, even at the head revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from boligsag.storage import migrate

from .conftest import cli
from .test_server_migrate import _folder

_INDEXES = ("ix_people_da_name", "ix_people_da_first_name")


def test_server_migrate_rebuilds_the_danish_indexes_after_an_icu_change(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(pg_url)
    try:
        migrate.upgrade(engine)

        def files() -> dict[str, int]:  # a rebuilt index gets a new file
            with engine.connect() as conn:
                return {name: conn.execute(text("SELECT relfilenode FROM pg_class "
                                                "WHERE relname = :n"), {"n": name}).scalar_one()
                        for name in _INDEXES}

        def versions() -> tuple[str, str]:
            with engine.connect() as conn:
                recorded, actual = conn.execute(text(
                    "SELECT collversion, pg_collation_actual_version(oid) FROM pg_collation "
                    "WHERE collname = 'boligsag_da'")).one()
                return recorded, actual

        recorded, actual = versions()
        assert recorded == actual
        folder = ["--config", str(_folder(tmp_path, pg_url))]
        before = files()
        assert cli(["server", "migrate", *folder], monkeypatch) == 0
        assert files() == before  # the same ICU: nothing rebuilt
        with engine.begin() as conn:  # as if the indexes were built under an older ICU
            conn.execute(text("UPDATE pg_collation SET collversion = '1.0' "
                              "WHERE collname = 'boligsag_da'"))
        assert cli(["server", "migrate", *folder], monkeypatch) == 0, capsys.readouterr().err
        assert versions() == (actual, actual)
        after = files()
        assert all(after[name] != before[name] for name in _INDEXES)
    finally:
        engine.dispose()
