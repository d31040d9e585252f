"""The "Forbind til teamserver…" dialog (ui/sync_join) against a REAL team server (HTTPS
on PostgreSQL, tests/server/conftest.py): chosen on the first-run wizard's first page,
a join fills a new replica and the main window opens on it as the staff member; from
Administration, a join stopped with Annuller is kept and resumed by opening the dialog
again; a join that ends while the window is locked waits behind the login; a finished
copy of the same server is opened; a wrong fingerprint is refused with the clear message
and nothing else to press; a wrong password likewise; what is typed is checked beside
each field; Esc stops a running join before it closes the dialog. Screenshots go to
/tmp/shots/D/."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QProgressBar, QTabWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.app_settings import (
    LAST_DATABASE,
    LAST_USERNAME,
    AppSettings,
    default_database_path,
)
from boligsag.services.sync_client import engine, join, team
from boligsag.services.sync_client.errors import FingerprintMismatch
from boligsag.services.sync_client.transport import ServerConnection
from boligsag.services.unlock import lock
from boligsag.storage.models import Person
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync_join import JoinDialog
from boligsag.ui.sync_join.admin_panel import TeamServerPanel
from boligsag.ui.sync_join.work import JoinServices

from ..conftest import CreatedDb
from ..server import conftest as server_fixtures
from ..server.conftest import ADMIN, ADMIN_PASSWORD, STAFF, STAFF_PASSWORD, Running
from .helpers import child, click, type_into

# The team server of tests/server, for these GUI tests (assigned, not imported, so the
# fixture names are ordinary module attributes pytest collects).
migrated_template = server_fixtures.migrated_template
server_url = server_fixtures.server_url
setup = server_fixtures.setup
running = server_fixtures.running

SHOTS = Path("/tmp/shots/D")
OTHER_FINGERPRINT = ":".join(["5A"] * 32)


def shot(widget: object, name: str) -> None:
    """Saved once the dialog has grown to its messages (FieldError asks after a turn of
    the event loop)."""
    QTest.qWait(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def people_on_server(running: Running, count: int) -> set[str]:
    """``count`` people in the staff member's area, pushed by the administrator."""
    with ServerConnection(running.base_url, running.setup.fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        page = admin.pull(None, 500)
        area = next(row["uuid"] for row in page["rows"] if row["table"] == "areas")
        people = [{"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
                   "deleted": False,
                   "fields": {"first_name": f"Person{n}", "last_name": "Holm", "area": area}}
                  for n in range(count)]
        admin.push({"batch_id": str(uuid.uuid4()), "changes": people, "audit": []})
    return {p["uuid"] for p in people}


def wait_for_window(qtbot: QtBot, controller: AppController) -> MainWindow:
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20_000)
    assert controller.window is not None
    return controller.window


def held_people(controller: AppController) -> set[str]:
    assert controller.ctx is not None
    with controller.ctx.db.reading() as session:
        return set(session.scalars(select(Person.uuid).where(Person.deleted_at.is_(None))))


def fill(qtbot: QtBot, dialog: JoinDialog, running: Running, fingerprint: str) -> None:
    type_into(qtbot, dialog, "serverUrlEdit", running.base_url)
    type_into(qtbot, dialog, "fingerprintEdit", fingerprint)
    type_into(qtbot, dialog, "joinUsernameEdit", STAFF)
    type_into(qtbot, dialog, "joinPasswordEdit", STAFF_PASSWORD)


def test_first_run_choice_joins_a_team_and_the_main_window_opens_on_the_replica(
        qtbot: QtBot, running: Running, tmp_path: Path, settings: AppSettings) -> None:
    made = people_on_server(running, 5)
    controller = AppController(settings, tmp_path / "data" / "boligsag.db")
    controller.start()
    wizard = controller.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    welcome = wizard.welcome
    assert welcome.choice.create.isChecked() and welcome.intro.isVisible()  # as before
    shot(wizard, "first_run_welcome")
    welcome.choice.join.setFocus()
    qtbot.keyClick(welcome.choice.join, Qt.Key.Key_Space)  # keyboard only
    assert welcome.choice.joining() and not welcome.intro.isVisible()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert next_button.text() == "Fo&rbind…"
    qtbot.wait(50)  # the button row is laid out again for the longer text
    assert not next_button.geometry().intersects(
        wizard.button(QWizard.WizardButton.CancelButton).geometry())
    shot(wizard, "first_run_choice")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    dialog = wizard.join_launcher.dialog
    assert isinstance(dialog, JoinDialog)
    qtbot.waitExposed(dialog)
    assert wizard.currentPage() is welcome  # nothing of the wizard moved on
    assert dialog.focusWidget() is dialog.url
    shot(dialog, "dialog_empty")

    # The fingerprint as `boligsag server init` printed it, in lower case and without
    # colons: both are accepted.
    fill(qtbot, dialog, running, running.setup.fingerprint.replace(":", "").lower())
    path = Path(dialog.path.text())
    assert path == tmp_path / "data" / "127.0.0.1-team.db"  # named after the server
    shot(dialog, "dialog_filled")
    steps: list[tuple[int, int, str]] = []
    dialog.progress.valueChanged.connect(lambda _v: steps.append(
        (dialog.progress.value(), dialog.progress.maximum(), dialog.stage.text())))
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter = Forbind
    window = wait_for_window(qtbot, controller)

    assert controller.wizard is None  # closed (and deleted) without quitting
    assert not shiboken6.isValid(wizard) or not wizard.isVisible()
    assert controller.exit_code is None
    assert controller.ctx is not None and controller.ctx.actor.username == STAFF
    assert controller.db_path == path and team.is_replica(controller.ctx)
    assert join.first_pull_complete(controller.ctx)
    assert held_people(controller) == made
    assert settings.get(LAST_DATABASE) == str(path)
    assert settings.get(LAST_USERNAME) == STAFF
    assert steps and steps[-1][0] == steps[-1][1]  # the bar reached 100 %
    assert "Henter teamets data" in steps[-1][2]
    assert window.isVisible()
    assert window.sync is not None  # a replica: its sync started with the join's password
    controller.quit(0)


def test_a_wrong_fingerprint_is_refused_with_the_message_and_nothing_is_made(
        qtbot: QtBot, running: Running, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    folder.mkdir()
    dialog = JoinDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fill(qtbot, dialog, running, OTHER_FINGERPRINT)
    click(qtbot, dialog, "connectButton")
    error = child(dialog, QLabel, "joinError")
    qtbot.waitUntil(lambda: error.isVisible() and not dialog.busy(), timeout=20_000)
    assert error.text() == FingerprintMismatch("", "").user_message()
    assert error.text().startswith("Teamserverens certifikat passer ikke")
    shot(dialog, "dialog_error_fingerprint")
    # Nothing was made, and there is no way past the refusal: Forbind and Annuller only.
    assert list(folder.iterdir()) == []
    buttons = {b.objectName() for b in dialog.findChildren(QAbstractButton) if b.isVisible()}
    assert buttons == {"connectButton", "joinCancelButton", "chooseTeamDatabaseButton"}
    assert dialog.connect_button.text() == "Forbind"
    assert dialog.focusWidget() is dialog.fingerprint
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc closes
    assert not dialog.isVisible()


def test_connecting_again_to_a_finished_copy_of_the_same_server_opens_it(
        qtbot: QtBot, running: Running, tmp_path: Path) -> None:
    made = people_on_server(running, 2)
    folder = tmp_path / "laptop"
    path = folder / "127.0.0.1-team.db"
    assert join.join_team(path, running.base_url, running.setup.fingerprint, STAFF,
                          STAFF_PASSWORD).complete
    dialog = JoinDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fill(qtbot, dialog, running, running.setup.fingerprint)
    assert dialog.resuming() and Path(dialog.path.text()) == path
    with qtbot.waitSignal(dialog.joined, timeout=20_000) as joined:
        click(qtbot, dialog, "connectButton")
    ctx, password = joined.args
    try:
        assert ctx.db.path == path and ctx.actor.username == STAFF
        assert password == STAFF_PASSWORD and dialog.password.text() == ""
        with ctx.db.reading() as session:
            assert set(session.scalars(select(Person.uuid))) == made
    finally:
        lock(ctx)


def test_a_wrong_password_is_refused_in_danish_and_the_password_can_be_typed_again(
        qtbot: QtBot, running: Running, tmp_path: Path) -> None:
    dialog = JoinDialog(tmp_path / "laptop")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fill(qtbot, dialog, running, running.setup.fingerprint)
    type_into(qtbot, dialog, "joinPasswordEdit", "forkert-kodeord")
    click(qtbot, dialog, "connectButton")
    error = child(dialog, QLabel, "joinError")
    qtbot.waitUntil(lambda: error.isVisible() and not dialog.busy(), timeout=20_000)
    assert error.text() == "Teamserveren godkendte ikke brugernavnet eller adgangskoden."
    assert dialog.focusWidget() is dialog.password and dialog.password.selectedText()
    assert not (tmp_path / "laptop").exists()  # nothing made before the server said yes


def test_each_field_is_checked_in_danish_before_anything_is_sent(
        qtbot: QtBot, tmp_path: Path) -> None:
    dialog = JoinDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "serverUrlEdit", "http://boligsag.example.dk")
    type_into(qtbot, dialog, "fingerprintEdit", "AB:CD")
    click(qtbot, dialog, "connectButton")
    assert not dialog.busy()
    texts = {name: child(dialog, QLabel, f"{name}JoinError").text()
             for name in ("url", "fingerprint", "username", "password")}
    assert texts == {
        "url": "Serveradressen skal begynde med https://.",
        "fingerprint": "Certifikatets fingeraftryk skal være 64 hexadecimale tegn (0-9, A-F), "
                       "med eller uden kolon, sådan som `boligsag server init` skrev det.",
        "username": "Skriv dit brugernavn på teamserveren.",
        "password": "Skriv din adgangskode til teamserveren.",
    }, texts
    assert dialog.focusWidget() is dialog.url  # the first field with a message
    shot(dialog, "dialog_invalid")
    # The suggested file follows the address until the user chooses one.
    type_into(qtbot, dialog, "serverUrlEdit", "https://Team.Example.dk:8443")
    assert dialog.path.text() == str(tmp_path / "team.example.dk-team.db")
    # Tab order: address → fingerprint → username → password → file → Vælg → Forbind.
    order = [dialog.url]
    for _ in range(6):
        order.append(order[-1].nextInFocusChain())
    assert order[1:] == [dialog.fingerprint, dialog.username, dialog.password, dialog.path,
                         dialog.choose, dialog.connect_button]


@pytest.fixture
def slow_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small pages, each reported a moment later: time to press Annuller mid-join."""
    monkeypatch.setattr(engine, "FIRST_PULL_LIMIT", 3)
    real = join.join_team

    def slow(*args: object, progress: object = None, cancelled: object = None) -> object:
        def step(value: join.JoinProgress) -> None:
            progress(value)  # type: ignore[operator]
            time.sleep(0.15)

        return real(*args, progress=step, cancelled=cancelled)  # type: ignore[arg-type]

    monkeypatch.setattr(join, "join_team", slow)


def test_administration_join_cancelled_then_resumed_by_opening_the_dialog_again(
        qtbot: QtBot, running: Running, created_db: CreatedDb, settings: AppSettings,
        slow_pages: None) -> None:
    made = people_on_server(running, 15)
    controller = AppController(settings, created_db.path)
    controller.start()
    unlock = controller.unlock_dialog
    assert unlock is not None
    type_into(qtbot, unlock, "usernameEdit", "admin")
    type_into(qtbot, unlock, "passwordEdit", created_db.password)
    click(qtbot, unlock, "unlockButton")
    first_window = wait_for_window(qtbot, controller)
    first_window.show_page("admin")
    admin = first_window.page("admin")
    tabs = child(admin, QTabWidget, "adminTabs")
    tabs.setCurrentWidget(admin.team_server)  # type: ignore[union-attr]
    shot(first_window, "admin_team_server_tab")
    click(qtbot, admin, "joinTeamButton")
    dialog = admin.team_server.launcher.dialog  # type: ignore[union-attr]
    assert isinstance(dialog, JoinDialog)
    qtbot.waitExposed(dialog)
    fill(qtbot, dialog, running, running.setup.fingerprint)
    path = Path(dialog.path.text())
    assert path == created_db.path.parent / "127.0.0.1-team.db"  # beside the one in use
    click(qtbot, dialog, "connectButton")
    bar = child(dialog, QProgressBar, "joinProgress")
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() > 0, timeout=20_000)
    shot(dialog, "dialog_progress")
    click(qtbot, dialog, "joinCancelButton")  # Annuller stops the join, keeps the dialog
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=20_000)
    notice = child(dialog, QLabel, "joinNotice")
    assert notice.isVisible() and notice.text().startswith("Hentningen blev afbrudt.")
    assert str(path) in notice.text()
    assert dialog.connect_button.text() == "Fortsæt" and path.is_file()
    shot(dialog, "dialog_cancelled")
    assert controller.window is first_window  # still the stand-alone database
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: admin.team_server.launcher.dialog is None)  # type: ignore[union-attr]

    # Opened again: the same file, which resumes with the credentials alone.
    click(qtbot, admin, "joinTeamButton")
    again = admin.team_server.launcher.dialog  # type: ignore[union-attr]
    assert isinstance(again, JoinDialog) and again is not dialog
    qtbot.waitExposed(again)
    assert Path(again.path.text()) == path and again.resuming()
    assert again.connect_button.text() == "Fortsæt"
    assert child(again, QLabel, "resumeJoinNote").isVisible()
    type_into(qtbot, again, "joinUsernameEdit", STAFF)
    type_into(qtbot, again, "joinPasswordEdit", STAFF_PASSWORD)
    shot(again, "dialog_resume")
    click(qtbot, again, "connectButton")
    qtbot.waitUntil(lambda: controller.window is not first_window
                    and controller.window is not None, timeout=30_000)

    assert controller.ctx is not None and controller.ctx.actor.username == STAFF
    assert controller.db_path == path and join.first_pull_complete(controller.ctx)
    assert held_people(controller) == made
    assert settings.get(LAST_DATABASE) == str(path)
    controller.quit(0)


def test_a_join_that_ends_while_the_window_is_locked_waits_behind_the_login(
        qtbot: QtBot, running: Running, created_db: CreatedDb, settings: AppSettings,
        slow_pages: None) -> None:
    made = people_on_server(running, 6)
    controller = AppController(settings, created_db.path)
    controller.start()
    unlock = controller.unlock_dialog
    assert unlock is not None
    type_into(qtbot, unlock, "usernameEdit", "admin")
    type_into(qtbot, unlock, "passwordEdit", created_db.password)
    click(qtbot, unlock, "unlockButton")
    window = wait_for_window(qtbot, controller)
    window.show_page("admin")
    admin = window.page("admin")
    dialog = admin.team_server.open_dialog()  # type: ignore[union-attr]
    qtbot.waitExposed(dialog)
    fill(qtbot, dialog, running, running.setup.fingerprint)
    path = Path(dialog.path.text())
    click(qtbot, dialog, "connectButton")
    window.lock_now()  # as the idle lock does, while the join runs
    qtbot.waitUntil(lambda: controller.unlock_dialog is not None, timeout=30_000)
    assert controller.window is None and controller.ctx is None  # nothing opened unseen
    login = controller.unlock_dialog
    assert login.db_path == path and login.username.text() == STAFF
    type_into(qtbot, login, "passwordEdit", STAFF_PASSWORD)
    click(qtbot, login, "unlockButton")
    wait_for_window(qtbot, controller)
    assert controller.ctx is not None and controller.ctx.db.path == path
    assert held_people(controller) == made
    controller.quit(0)


def _filled_stand_in_dialog(qtbot: QtBot, tmp_path: Path,
                            join_team: Callable[..., join.JoinResult]) -> JoinDialog:
    """The join dialog with ``join_team`` standing in for the service, filled in."""
    services = JoinServices(lambda _url, _fingerprint: None, join_team, join.finish_join,
                            engine.SyncCancelled, join.AlreadyJoined)
    dialog = JoinDialog(tmp_path, services=services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for name, text in (("serverUrlEdit", "https://team.example.dk"),
                       ("fingerprintEdit", OTHER_FINGERPRINT), ("joinUsernameEdit", STAFF),
                       ("joinPasswordEdit", STAFF_PASSWORD)):
        type_into(qtbot, dialog, name, text)
    return dialog


def test_esc_while_joining_stops_the_join_and_only_the_next_esc_closes(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Keyboard only, with a stand-in for the service that runs until it is stopped."""

    def join_team(path: Path, _url: str, _fingerprint: str, username: str, _password: str,
                  *, progress, cancelled) -> join.JoinResult:  # type: ignore[no-untyped-def]
        progress(join.JoinProgress(40, 200, ""))
        while not cancelled():
            time.sleep(0.01)
        return join.JoinResult(path, username, 40, False)

    dialog = _filled_stand_in_dialog(qtbot, tmp_path, join_team)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.progress.maximum() == 200, timeout=10_000)
    # The percentage is said beside the bar, never drawn on it (dark on the dark fill).
    assert dialog.progress.value() == 40 and not dialog.progress.isTextVisible()
    assert dialog.stage.text() == "Henter teamets data: 40 af 200 poster (20 %)"
    Path("/tmp/shots/J2").mkdir(parents=True, exist_ok=True)
    dialog.grab().save("/tmp/shots/J2/join_progress.png")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # Esc stopped the join, it did not close the dialog
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert dialog.notice.text() == "Forbindelsen blev afbrudt, før noget blev gemt."
    assert dialog.connect_button.isEnabled() and dialog.password.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_team_snapshot_download_shows_megabytes_and_a_stop_during_it_saves_nothing(
        qtbot: QtBot, tmp_path: Path) -> None:
    """A team lead's join downloads the team snapshot first (sync_client/
    snapshot_client.py): the bar counts its megabytes; Annuller stops the download and
    the service leaves nothing (SyncCancelled from inside the staging folder)."""

    def join_team(path: Path, _url: str, _fingerprint: str, username: str, _password: str,
                  *, progress, cancelled) -> join.JoinResult:  # type: ignore[no-untyped-def]
        progress(join.JoinProgress(150_000_000, 444_000_000, "", "download"))
        while not cancelled():
            time.sleep(0.01)
        raise engine.SyncCancelled()

    dialog = _filled_stand_in_dialog(qtbot, tmp_path, join_team)
    click(qtbot, dialog, "connectButton")
    qtbot.waitUntil(lambda: dialog.progress.maximum() == 444_000, timeout=10_000)
    assert dialog.progress.value() == 150_000
    assert dialog.stage.text() == ("Henter en samlet kopi af teamets data: 150,0 af 444,0 MB "
                                   "(33 %)")
    Path("/tmp/shots/J2").mkdir(parents=True, exist_ok=True)
    dialog.grab().save("/tmp/shots/J2/join_snapshot_download.png")
    click(qtbot, dialog, "joinCancelButton")
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert dialog.notice.text() == "Forbindelsen blev afbrudt, før noget blev gemt."
    assert dialog.kept_path() is None


def test_the_team_database_is_suggested_beside_the_one_in_use_but_never_in_the_demo(
        tmp_path: Path) -> None:
    def folder_for(path: Path | None) -> Path:
        panel = SimpleNamespace(ctx=SimpleNamespace(db=SimpleNamespace(path=path)))
        return TeamServerPanel.folder(panel)  # type: ignore[arg-type]

    assert folder_for(tmp_path / "kontor" / "boligsag.db") == tmp_path / "kontor"
    # The demo's folder is deleted when the app ends; a server's database has no file.
    assert folder_for(tmp_path / "boligsag-demo-x1" / "demo.db") == \
        default_database_path().parent
    assert folder_for(None) == default_database_path().parent
