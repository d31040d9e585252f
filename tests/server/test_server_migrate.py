"""``boligsag server migrate`` on an existing server database, and every server command
(``server run`` too) refusing a database at another schema or one it cannot reach with
one clear line (issue 11 §2/§4: upgrades of a server that already has data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.server import config as server_config
from boligsag.server import run as server_run
from boligsag.server import tls
from boligsag.services import server_audit
from boligsag.storage import audit, migrate
from boligsag.storage.models import Area, AuditEntry, Person, User
from boligsag.storage.reference_data import load_reference_data

from ..pg import PgCluster
from .conftest import ADMIN_PASSWORD, Setup, cli, free_port

SECRET = bytes(range(32))
OLD = "0005"  # the last revision before the team server's tables


@pytest.fixture(autouse=True)
def never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``server run`` that should have been refused fails the test instead of serving
    until it is stopped."""
    def started(_self: object) -> None:
        raise AssertionError("the server started")

    monkeypatch.setattr(server_run._Server, "run", started)


def _folder(tmp_path: Path, url: str) -> Path:
    """A configuration folder as ``server init`` writes it, for ``url``."""
    folder = tmp_path / "conf"
    server_config.new_folder(folder)
    config = server_config.ServerConfig(folder, url, "127.0.0.1", free_port())
    server_config.write_config(config, SECRET)
    cert, key = tls.self_signed(["localhost"], "Hus")
    tls.write_pair(config.cert_path, config.key_path, cert, key)
    return folder


@pytest.fixture
def old_engine(pg_url: str) -> Iterator[Engine]:
    """A database at revision 0005 holding an area, a staff member and two people."""
    engine = create_engine(pg_url)
    migrate.upgrade(engine, OLD)
    with Session(engine) as session, session.begin():
        load_reference_data(session)
        area = Area(name="Nordparken")
        mette = User(username="mette", full_name="Mette Holm", role=Role.STAFF)
        session.add_all([area, mette])
        session.flush()
        session.add_all([Person(first_name="Yasmin", last_name="Abdi", area_id=area.id,
                                responsible_user_id=mette.id, note="bor hos sin moster"),
                         Person(first_name="Bent", last_name="Ø", area_id=area.id)])
    try:
        yield engine
    finally:
        engine.dispose()


def _people(engine: Engine) -> list[tuple[str, str, str, int]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(Person.uuid, Person.first_name, Person.note, Person.version)
            .order_by(Person.id))]


def test_migrate_brings_an_old_database_to_the_head_with_its_data(
        old_engine: Engine, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--config", str(_folder(tmp_path, pg_url))]
    before = _people(old_engine)
    head = migrate.head_revision()
    # Not migrated yet: the server and its commands refuse it, naming the command.
    for argv in (["server", "run", *folder], ["server", "devices", *folder]):
        assert cli(argv, monkeypatch) == 1
        err = capsys.readouterr().err
        assert f"older schema (revision {OLD})" in err and f"({head})" in err, err
        assert "run `boligsag server migrate` first" in err
    assert migrate.current_revision(old_engine) == OLD

    assert cli(["server", "migrate", *folder], monkeypatch) == 0
    assert f"upgraded from schema {OLD} to {head}" in capsys.readouterr().out
    assert migrate.current_revision(old_engine) == head
    assert _people(old_engine) == before
    with Session(old_engine) as session:
        entries = session.scalars(select(AuditEntry)).all()
        scan = audit.scan(session, server_audit.derive_key(SECRET))
    assert [(e.username, e.entity, e.detail) for e in entries] == [
        ("server-admin", "database", f"schema migrated from {OLD} to {head}")]
    assert scan.keyed_entries == 1 and scan.breaks == ()

    # Again: nothing to do, nothing audited; the migrated database is served.
    assert cli(["server", "migrate", *folder], monkeypatch) == 0
    assert f"already at schema {head}" in capsys.readouterr().out
    assert cli(["server", "add-user", "bent", "--name", "Bent Holm", "--role", "staff",
                "--area", "Nordparken", *folder, "--password-stdin"], monkeypatch,
               "bents-lange-kodeord\n") == 0, capsys.readouterr().err
    with Session(old_engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_a_database_of_a_newer_program_is_refused_untouched(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(setup.url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        with Session(engine) as session:
            audited = session.scalar(select(func.count()).select_from(AuditEntry))
        folder = ["--config", str(setup.folder)]
        for argv in (["server", "migrate", *folder], ["server", "run", *folder],
                     ["server", "set-password", "mette", *folder, "--password-stdin"]):
            assert cli(argv, monkeypatch, ADMIN_PASSWORD + "\n") == 1
            err = capsys.readouterr().err
            assert "upgraded by a newer version of Boligsag (schema revision 0099)" in err
            assert "nothing was changed" in err and "unexpected" not in err
        assert migrate.current_revision(engine) == "0099"
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    finally:
        engine.dispose()


# -- a database that cannot be reached ----------------------------------------------------

PASSWORD_ROLE = "f1_kodeord"
ROLE_PASSWORD = "rigtig-kode-2026"


@pytest.fixture(scope="module")
def password_role(pg_cluster: PgCluster) -> str:
    """A role that must give a password over the cluster's socket (the others are
    trusted): a line for it alone ahead of pg_hba.conf's, then a reload."""
    hba = pg_cluster.data_dir / "pg_hba.conf"
    line = f"local all {PASSWORD_ROLE} scram-sha-256\n"
    if line not in hba.read_text():
        hba.write_text(line + hba.read_text())
    admin = create_engine(pg_cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT count(*) FROM pg_roles WHERE "
                                            "rolname = :r"), {"r": PASSWORD_ROLE})
            if not exists:
                connection.execute(text(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD "
                                        f"'{ROLE_PASSWORD}'"))
            connection.execute(text("SELECT pg_reload_conf()"))
    finally:
        admin.dispose()
    return PASSWORD_ROLE


def _unreachable(tmp_path: Path, pg_cluster: PgCluster, pg_url: str,
                 role: str) -> list[tuple[str, str, dict[str, str]]]:
    """(url, libpq's reason, environment) for each way of not getting in."""
    database = make_url(pg_url).database
    socket = f"host={pg_cluster.socket_dir}&port=5432"
    role_url = f"postgresql://{role}@/{database}?{socket}"
    return [
        (f"postgresql://boligsag@127.0.0.1:{free_port()}/boligsag", "Connection refused", {}),
        (f"postgresql://boligsag@/boligsag?host={tmp_path / 'no-socket'}",
         "No such file or directory", {}),
        (f"postgresql://postgres@/no_such_database?{socket}",
         'database "no_such_database" does not exist', {}),
        (role_url, "no password supplied", {}),
        (role_url, f'password authentication failed for user "{role}"',
         {"PGPASSWORD": "forkert-kode-4711"}),
    ]


def test_a_database_that_cannot_be_reached_is_one_clear_line(
        password_role: str, pg_cluster: PgCluster, pg_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGSERVICE", raising=False)
    for n, (url, reason, env) in enumerate(_unreachable(tmp_path, pg_cluster, pg_url,
                                                        password_role)):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        folder = tmp_path / f"conf{n}"
        commands = [["server", "init", url, "--organisation", "Hus", "--admin-name", "Åse",
                     "--plan", "Plan", "--config", str(folder), "--password-stdin"]]
        _folder(tmp_path / f"made{n}", url)
        made = ["--config", str(tmp_path / f"made{n}" / "conf")]
        commands += [["server", "run", *made], ["server", "migrate", *made],
                     ["server", "devices", *made]]
        for argv in commands:
            assert cli(argv, monkeypatch, ADMIN_PASSWORD + "\n") == 1, (argv, url)
            err = capsys.readouterr().err
            assert err.count("\n") == 1, err
            assert err.startswith("boligsag server: Cannot connect to the server "
                                  "database. ("), err
            assert reason in err, (reason, err)
            assert "forkert-kode-4711" not in err and "unexpected" not in err
        assert not folder.exists()  # init stopped before writing anything
        for name in env:
            monkeypatch.delenv(name)
    # The right password gets in: it was the password, not the set-up, that was refused.
    monkeypatch.setenv("PGPASSWORD", ROLE_PASSWORD)
    url = _unreachable(tmp_path, pg_cluster, pg_url, password_role)[-1][0]
    assert cli(["server", "devices", "--config", str(_folder(tmp_path / "ok", url))],
               monkeypatch) == 1
    assert "has no Boligsag tables" in capsys.readouterr().err
