"""``boligsag server import``: a team's laptop database moves onto a new team server, and
a staff member's first pull over the real server brings her areas' people and their
contacts (issue 11; services/server/import_laptop.py)."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from boligsag.services.demo import DEMO_PASSWORD, create_demo_database
from boligsag.services.server import import_laptop
from boligsag.services.server.accounts import ServerDb
from boligsag.services.server_audit import derive_key
from boligsag.storage import audit, keys
from boligsag.storage.engine import open_engine
from boligsag.storage.models import AuditEntry, Person, Plan, SyncChange, User

from .conftest import ADMIN, ADMIN_PASSWORD, Setup, cli, logged_in, serving
from .test_server_sync import _pull_all

STAFF_ON_LAPTOP = "jonas"  # a staff member of the demo data, in one area
STAFF_SERVER_PASSWORD = "jonas-nye-server-kodeord"
AREA_ON_BOTH = "Kildevangen"  # given to `server init` too: one area on the server


@pytest.fixture(scope="module")
def laptop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("laptop") / "boligsag.db"
    create_demo_database(path, people=60, contacts=600, seed=5)
    return path


@pytest.fixture
def laptop(laptop_file: Path, tmp_path: Path) -> Path:
    """A copy of the demo laptop database for one test (some tests change it)."""
    path = tmp_path / "team-laptop.db"
    shutil.copy(laptop_file, path)
    shutil.copy(keys.keys_path_for(laptop_file), keys.keys_path_for(path))
    return path


@pytest.fixture
def setup(server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Setup:
    """``server init`` only (the administrator ``admin``, as on the laptop, and one of the
    laptop's areas): the state in which IT imports a laptop."""
    folder = tmp_path / "boligsag-server"
    code = cli(["server", "init", server_url, "--organisation", "Boligsocialt Hus",
                "--admin-name", "Åse Nørgaard", "--config", str(folder),
                "--area", AREA_ON_BOTH, "--plan", "Serverens plan", "--host", "127.0.0.1",
                "--password-stdin"],
               monkeypatch, ADMIN_PASSWORD + "\n")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    match = re.search(r"fingerprint \(SHA-256\): ([0-9A-F:]{95})", captured.out)
    assert match, captured.out
    return Setup(server_url, folder, match.group(1))


@pytest.fixture
def server(setup: Setup) -> Iterator[ServerDb]:
    from boligsag.server import run as server_run
    db = server_run.open_server(setup.config)
    try:
        yield db
    finally:
        db.dispose()


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_import(setup: Setup, laptop: Path, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str], password: str = DEMO_PASSWORD) -> Outcome:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", password)
    code = cli(["server", "import", str(laptop), "--config", str(setup.folder)], monkeypatch)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


@dataclass(frozen=True)
class Snapshot:
    users: int
    people: int
    changes: int
    audit: int


def snapshot(server: ServerDb) -> Snapshot:
    with server.db.reading() as session:
        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
        return Snapshot(count(User), count(Person), count(SyncChange), count(AuditEntry))


def laptop_rows(path: Path, sql: str, **params: object) -> list:
    _, db_key = keys.KeyStore.load(keys.keys_path_for(path)).unwrap_for_user(
        "admin", DEMO_PASSWORD)
    engine = open_engine(path, db_key, read_only=True, integrity_check=False)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params))
    finally:
        engine.dispose()


def chain_breaks(server: ServerDb) -> list:
    with server.db.reading() as session:
        return list(audit.scan(session, derive_key(server.secret)).breaks)


def test_a_staff_member_pulls_her_areas_people_and_their_contacts_after_an_import(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    done = run_import(setup, laptop, monkeypatch, capsys)
    assert done.code == 0, done.err
    assert "Traceback" not in done.err and "audit log verified" in done.err
    assert f"Server accounts, kept as they were: {ADMIN}." in done.out
    assert STAFF_ON_LAPTOP in done.out.split("without a server password yet:")[1]
    code = cli(["server", "set-password", STAFF_ON_LAPTOP, "--config", str(setup.folder),
                "--password-stdin"], monkeypatch, STAFF_SERVER_PASSWORD + "\n")
    assert code == 0, capsys.readouterr().err

    # What the laptop says she works with: her areas' people (not restricted), and
    # every contact about them alone (a contact with someone she may not see on it
    # stays hidden, services/sync/scope_rules.py).
    areas = {r.area_id for r in laptop_rows(
        laptop, "SELECT ua.area_id FROM user_areas ua JOIN users u ON u.id = ua.user_id "
        "WHERE u.username = :name", name=STAFF_ON_LAPTOP)}
    assert areas
    everyone = {r.uuid: r for r in laptop_rows(
        laptop, "SELECT uuid, area_id, restricted, deleted_at FROM people")}
    hers = {u for u, r in everyone.items()
            if r.area_id in areas and not r.restricted and r.deleted_at is None}
    assert hers and len(hers) < len(everyone)
    links = laptop_rows(laptop, "SELECT c.uuid AS contact, p.uuid AS person FROM contacts c "
                        "JOIN contact_people cp ON cp.contact_id = c.id "
                        "JOIN people p ON p.id = cp.person_id")
    on_contact: dict[str, set[str]] = {}
    for r in links:
        on_contact.setdefault(r.contact, set()).add(r.person)
    her_contacts = {c for c, on in on_contact.items() if on <= hers}
    assert her_contacts

    with serving(setup) as running, running.client() as client:
        staff = logged_in(client, STAFF_ON_LAPTOP, STAFF_SERVER_PASSWORD)
        rows = _pull_all(client, staff.headers)
        admin = logged_in(client, ADMIN, ADMIN_PASSWORD)  # init's account still works
        assert admin.token
    people = {r["uuid"] for r in rows if r["table"] == "people"}
    contacts = {r["uuid"]: r for r in rows if r["table"] == "contacts"}
    assert hers <= people <= set(everyone)
    assert her_contacts <= set(contacts)
    one = next(iter(sorted(her_contacts)))
    assert set(contacts[one]["fields"]["people"]) == on_contact[one]
    # Each row arrives once, in its version; the admin is one account, not two.
    assert len(people) == len([r for r in rows if r["table"] == "people"])
    with server.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User).where(
            User.username == ADMIN)) == 1
        kildevangen = session.execute(text(
            "SELECT count(*), min(municipality) FROM areas WHERE name = :n"),
            {"n": AREA_ON_BOTH}).one()
    assert tuple(kildevangen) == (1, "Odense Kommune")  # the laptop's details


def test_the_laptops_plans_replace_the_plan_server_init_made(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """One plan list, the laptop's: a replica never meets init's plan beside them."""
    with server.db.reading() as session:
        (init_plan,) = session.scalars(select(Plan.uuid)).all()
    done = run_import(setup, laptop, monkeypatch, capsys)
    assert done.code == 0, done.err
    theirs = sorted(r.uuid for r in laptop_rows(laptop, "SELECT uuid FROM plans"))
    assert theirs and init_plan not in theirs
    with server.db.reading() as session:
        plans = sorted(session.scalars(select(Plan.uuid)))
        logged = sorted(session.scalars(select(SyncChange.row_uuid).where(
            SyncChange.table_name == "plans")))
        areas = {a.name for p in session.scalars(select(Plan)) for a in p.areas}
    assert plans == logged == theirs
    assert AREA_ON_BOTH in areas  # the laptop's plan covers the area init made too


def test_the_server_audit_chain_verifies_with_the_laptop_trail_and_the_import_entry(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(server)
    trail = laptop_rows(laptop, "SELECT username, action, detail FROM audit_entries "
                        "ORDER BY id")
    done = run_import(setup, laptop, monkeypatch, capsys)
    assert done.code == 0, done.err
    assert chain_breaks(server) == []
    with server.db.reading() as session:
        entries = session.execute(select(AuditEntry.username, AuditEntry.action,
                                         AuditEntry.detail).order_by(AuditEntry.id)).all()
    appended = entries[before.audit:]
    assert [tuple(e) for e in appended[:-1]] == [tuple(t) for t in trail]
    rows = int(re.search(r"Imported ([\d,]+) rows", done.out).group(1).replace(",", ""))
    assert appended[-1].detail == f"import of {rows} rows from laptop database {laptop.name}"


def test_a_wrong_laptop_password_is_refused_and_writes_nothing(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(server)
    done = run_import(setup, laptop, monkeypatch, capsys, password="forkert-kodeord")
    assert done.code == 1
    assert done.err.strip() == "boligsag server: Wrong username or password."
    assert snapshot(server) == before


def test_a_server_that_holds_case_data_is_refused(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(setup, laptop, monkeypatch, capsys).code == 0
    after_first = snapshot(server)
    # Said before any password is asked: none is at hand here.
    monkeypatch.delenv("BOLIGSAG_PASSWORD")
    monkeypatch.setattr("sys.stdin", None)
    assert cli_no_stdin(["server", "import", str(laptop), "--config", str(setup.folder)]) == 1
    err = capsys.readouterr().err
    assert "already holds case data (people)" in err and "through sync" in err
    assert snapshot(server) == after_first


def test_an_import_that_fails_half_way_leaves_the_server_as_it_was(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(server)

    def broken(*_args: object) -> int:  # after the copy and the change log
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(import_laptop, "append_laptop_trail", broken)
        failed = run_import(setup, laptop, monkeypatch, capsys)
    assert failed.code == 1 and "unexpected error (RuntimeError)" in failed.err
    assert "copied" in failed.err  # it had got that far
    assert snapshot(server) == before
    assert chain_breaks(server) == []
    # Nothing half-made stands in the way of the next try.
    assert run_import(setup, laptop, monkeypatch, capsys).code == 0
    assert snapshot(server).people > 0


def test_a_laptop_whose_audit_log_was_changed_is_refused_naming_the_entry(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, db_key = keys.KeyStore.load(keys.keys_path_for(laptop)).unwrap_for_user(
        "admin", DEMO_PASSWORD)
    engine = open_engine(laptop, db_key, integrity_check=False)
    try:
        with engine.begin() as connection:
            connection.execute(update(AuditEntry).where(AuditEntry.id == 3)
                               .values(detail="ingenting at se her"))
    finally:
        engine.dispose()
    before = snapshot(server)
    done = run_import(setup, laptop, monkeypatch, capsys)
    assert done.code == 1
    assert "audit log is broken" in done.err and "Audit entry 3 (" in done.err
    assert snapshot(server) == before


def test_no_password_on_a_closed_stdin_or_ctrl_d_is_one_line_and_nothing_written(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(server)
    monkeypatch.delenv("BOLIGSAG_PASSWORD", raising=False)
    argv = ["server", "import", str(laptop), "--config", str(setup.folder)]
    monkeypatch.setattr("sys.stdin", None)  # started with stdin closed
    assert cli_no_stdin(argv) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("boligsag server: no password: set BOLIGSAG_PASSWORD or run in "
                           "a terminal")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def ctrl_d(_prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", ctrl_d)
    assert cli_no_stdin(argv) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith("boligsag server: no password given")
    assert "Traceback" not in err
    assert snapshot(server) == before


def cli_no_stdin(argv: list[str]) -> int:
    from boligsag.cli import main
    return main(argv)


def test_a_laptop_user_who_is_a_server_account_already_is_that_account(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Added on the server before the import, Jonas keeps his server name, area and
    password, and the contacts he wrote on the laptop are his account's."""
    code = cli(["server", "add-user", STAFF_ON_LAPTOP, "--name", "Jonas Server",
                "--role", "staff", "--area", AREA_ON_BOTH, "--config", str(setup.folder),
                "--password-stdin"], monkeypatch, STAFF_SERVER_PASSWORD + "\n")
    assert code == 0, capsys.readouterr().err
    done = run_import(setup, laptop, monkeypatch, capsys)
    assert done.code == 0, done.err
    assert f"Server accounts, kept as they were: {ADMIN}, {STAFF_ON_LAPTOP}." in done.out
    (written,) = laptop_rows(
        laptop, "SELECT count(*) AS n FROM contacts c JOIN users u ON u.id = c.staff_user_id "
        "WHERE u.username = :name", name=STAFF_ON_LAPTOP)
    assert written.n > 0
    with server.db.reading() as session:
        jonas = session.execute(text(
            "SELECT u.id, u.full_name, string_agg(a.name, ',') AS areas FROM users u "
            "JOIN user_areas ua ON ua.user_id = u.id JOIN areas a ON a.id = ua.area_id "
            "WHERE u.username = :name GROUP BY u.id, u.full_name"),
            {"name": STAFF_ON_LAPTOP}).one()
        his = session.scalar(text("SELECT count(*) FROM contacts WHERE staff_user_id = :id"),
                             {"id": jonas.id})
    assert (jonas.full_name, jonas.areas, his) == ("Jonas Server", AREA_ON_BOTH, written.n)
    with serving(setup) as running, running.client() as client:
        assert logged_in(client, STAFF_ON_LAPTOP, STAFF_SERVER_PASSWORD).token


def test_a_one_time_laptop_password_opens_nothing_here_either(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As on the laptop's own command line: an administrator's reset password must be
    replaced (boligsag passwd) before it opens the database for anything."""
    store = keys.KeyStore.load(keys.keys_path_for(laptop))
    admin_uuid, db_key = store.unwrap_for_user("admin", DEMO_PASSWORD)
    store.set_password(admin_uuid, "admin", "engangs-kodeord-123", db_key, must_change=True)
    store.save(keys.keys_path_for(laptop))
    before = snapshot(server)
    done = run_import(setup, laptop, monkeypatch, capsys, password="engangs-kodeord-123")
    assert done.code == 1
    assert "one-time password" in done.err and "boligsag passwd" in done.err
    assert snapshot(server) == before


def test_only_a_laptop_administrator_may_import_it(
        setup: Setup, server: ServerDb, laptop: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    store = keys.KeyStore.load(keys.keys_path_for(laptop))
    _, db_key = store.unwrap_for_user("admin", DEMO_PASSWORD)
    (jonas,) = laptop_rows(laptop, "SELECT uuid FROM users WHERE username = :name",
                           name=STAFF_ON_LAPTOP)
    store.set_password(jonas.uuid, STAFF_ON_LAPTOP, "jonas-eget-kodeord", db_key)
    store.save(keys.keys_path_for(laptop))
    before = snapshot(server)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", "jonas-eget-kodeord")
    code = cli(["server", "import", str(laptop), "--user", STAFF_ON_LAPTOP, "--config",
                str(setup.folder)], monkeypatch)
    err = capsys.readouterr().err
    assert code == 1
    assert "jonas is not an administrator of the laptop database" in err
    assert snapshot(server) == before
