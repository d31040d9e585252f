"""Regenerate the screenshots of the user guide (``resources/help/images``).

Run it under a virtual display when a screen the guide shows has changed::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/help_screenshots.py

It creates a fresh DEMO database (synthetic people only, in a temporary folder that is
removed afterwards), opens the real main window at 1366×768 in Danish and in English,
drives it to each screen the guide explains and saves a scaled, palette-reduced PNG per
screen and language. ``--only NAME`` redoes one picture; ``--out DIR`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QApplication, QDialog, QTableView, QWidget

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "resources" / "help" / "images"
WINDOW = (1366, 768)
#: Whole-window shots are scaled to this width so they fit the help window unscaled.
WIDTH = 800


def wait_until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Let Qt run (background loads deliver on the main thread) until ``condition``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screen not ready: {condition}")
        QApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.6) -> None:
    """Run the event loop a moment so animations, elisions and lazy panels finish."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, path: Path, *, width: int | None = WIDTH) -> None:
    """Grab ``widget``; scale a wide shot down to ``width``; store as a 256-colour PNG."""
    settle()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    if width is not None and image.width > width:
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{image.width}×{image.height}, {path.stat().st_size // 1024} KB")


def top_dialog(kind: type[QDialog] = QDialog) -> QDialog:
    wait_until(lambda: any(isinstance(w, kind) and w.isVisible()
                           for w in QApplication.topLevelWidgets()))
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, kind) and w.isVisible())


def close_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    settle(0.2)


def table(window: QWidget, name: str) -> QTableView:
    view = window.findChild(QTableView, name)
    assert view is not None, name
    wait_until(lambda: view.model() is not None and view.model().rowCount() > 0)
    return view


class Shooter:
    """The real main window on the demo database, logged in as the demo administrator."""

    def __init__(self, db: Path, username: str, password: str, language: str,
                 config: Path) -> None:
        from boligsag.app_settings import AppSettings
        from boligsag.i18n import set_language
        from boligsag.services.unlock import UnlockOptions, unlock
        from boligsag.ui.events import AppEvents
        from boligsag.ui.qt_translations import install_qt_translations
        from boligsag.ui.shell.main_window import MainWindow

        set_language(language)
        install_qt_translations(language)
        self.db, self.username, self.password = db, username, password
        self.language, self.config = language, config
        self.ctx = unlock(db, username, password, options=UnlockOptions(integrity_check=False))
        self.window = MainWindow(self.ctx, AppEvents(), AppSettings(config), demo=True)
        self.window.resize(*WINDOW)
        self.window.show()
        settle(1.5)

    def page(self, page_id: str) -> QWidget:
        self.window.show_page(page_id)
        page = self.window.page(page_id)
        assert page is not None, page_id
        settle(1.0)
        return page

    def close(self) -> None:
        from boligsag.services.unlock import lock

        close_dialogs()
        self.window.idle.detach()
        self.window.hide()
        self.window.deleteLater()
        settle(0.3)
        lock(self.ctx)


def person_with_jobs(shooter: Shooter) -> int:
    from boligsag.services.jobs import list_jobs

    jobs = list_jobs(shooter.ctx)
    counts: dict[int, int] = {}
    for job in jobs:
        counts[job.person_id] = counts.get(job.person_id, 0) + 1
    return max(counts, key=lambda person: counts[person])


def shoot_login(s: Shooter, path: Path, *, recovery: bool = False) -> None:
    """The log-in dialog, or (``recovery``) its "Glemt adgangskode?" dialog."""
    from boligsag.ui.recovery_dialog import RecoveryDialog
    from boligsag.ui.unlock_dialog import UnlockDialog

    dialog = (RecoveryDialog if recovery else UnlockDialog)(s.db, s.username)
    dialog.show()
    save(dialog, path)
    dialog.deleteLater()


def shoot_people(s: Shooter, path: Path) -> None:
    from PySide6.QtWidgets import QLineEdit

    page = s.page("people")
    page.show_list()  # type: ignore[attr-defined]
    search = page.findChild(QLineEdit, "peopleSearchEdit")
    search.setText("")
    search.insert("ha")
    table(page, "peopleTable")
    settle(1.0)
    save(s.window, path)
    search.setText("")


def shoot_person(s: Shooter, path: Path) -> None:
    page = s.page("people")
    page.show_person(person_with_jobs(s))  # type: ignore[attr-defined]
    settle(1.5)
    save(s.window, path)


def shoot_jobs(s: Shooter, path: Path) -> None:
    from PySide6.QtWidgets import QTabWidget

    page = s.page("people")
    page.show_person(person_with_jobs(s))  # type: ignore[attr-defined]
    settle(1.0)
    tabs = page.findChild(QTabWidget, "personTabs")
    tabs.setCurrentIndex(next(i for i in range(tabs.count())
                              if tabs.widget(i).objectName() == "jobsPanel"))
    settle(1.5)
    save(s.window, path)


def shoot_quick_log(s: Shooter, path: Path) -> None:
    page = s.page("people")
    page.show_person(person_with_jobs(s))  # type: ignore[attr-defined]
    settle(1.0)
    s.window.quick_log()
    save(top_dialog(), path)


def choose_course(s: Shooter) -> QWidget:
    """The activities page with the first activity that has enrolled participants."""
    page = s.page("activities")
    view = table(page, "activitiesTable")
    participants = page.findChild(QTableView, "enrollmentsTable")
    for row in range(view.model().rowCount()):
        view.selectRow(row)
        settle(0.8)
        if participants.model().rowCount() >= 4:
            return page
    raise RuntimeError("no activity with participants in the demo data")


def shoot_activities(s: Shooter, path: Path) -> None:
    choose_course(s)
    settle(1.0)
    save(s.window, path)


def shoot_attendance(s: Shooter, path: Path) -> None:
    page = choose_course(s)
    page.findChild(QWidget, "activityDetail").record_session()  # type: ignore[attr-defined]
    dialog = top_dialog()
    settle(1.0)
    # As the guide tells it: everyone present, then one absent with a reason typed.
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPushButton

    dialog.findChild(QPushButton, "sessionAllPresentButton").click()
    view = dialog.findChild(QTableView, "attendanceTable")
    view.setFocus()
    view.setCurrentIndex(view.model().index(2, 0))
    QTest.keyClick(view, Qt.Key.Key_Space)
    reason = "til tandlæge" if s.language == "da" else "at the dentist"
    for char in reason:  # as a keyboard delivers them, æ too
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(QApplication.focusWidget() or view, QKeyEvent(
                kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))
        settle(0.05)
    save(dialog, path)


def shoot_referrals(s: Shooter, path: Path) -> None:
    page = s.page("referrals")
    table(page, "referralsTable").selectRow(0)
    settle(1.5)
    save(s.window, path)


def shoot_letter(s: Shooter, path: Path) -> None:
    page = s.page("referrals")
    table(page, "referralsTable").selectRow(0)
    settle(1.0)
    page.show_letter()  # type: ignore[attr-defined]
    dialog = top_dialog()
    dialog.resize(1000, 720)
    settle(1.5)
    save(dialog, path)


def shoot_summaries(s: Shooter, path: Path) -> None:
    page = s.page("summaries")
    settle(1.0)
    page.action_compute.trigger()  # type: ignore[attr-defined]
    wait_until(lambda: page.summary is not None, 60)  # type: ignore[attr-defined]
    settle(1.5)
    save(s.window, path)


def staff_tab(s: Shooter) -> QWidget:
    from PySide6.QtWidgets import QTabWidget

    page = s.page("admin")
    page.findChild(QTabWidget, "adminTabs").setCurrentIndex(0)
    settle(1.5)
    return page


def shoot_staff(s: Shooter, path: Path) -> None:
    staff_tab(s)
    save(s.window, path)


def shoot_new_staff(s: Shooter, path: Path) -> None:
    staff_tab(s).staff.add_staff()  # type: ignore[attr-defined]
    save(top_dialog(), path)


#: A demo social worker (every demo account has the demo password): the administrator
#: is responsible for nobody, so her Mine sager would be empty.
SOCIAL_WORKER = "ayse"


def shoot_my_cases(s: Shooter, path: Path) -> None:
    worker = Shooter(s.db, SOCIAL_WORKER, s.password, s.language, s.config)
    try:
        worker.page("my_cases")
        settle(2.0)
        save(worker.window, path)
    finally:
        worker.close()


def shoot_start_as_worker(s: Shooter, path: Path) -> None:
    """Overblik as a social worker sees it: her Mine sager card and reminders."""
    from boligsag.services.my_cases import CaseKind, my_cases
    from boligsag.services.reminders import create_reminder, my_due_reminders
    from boligsag.services.unlock import UnlockOptions, lock, unlock

    # The reminders exist before her window opens, so its first load shows them.
    ctx = unlock(s.db, SOCIAL_WORKER, s.password, options=UnlockOptions(integrity_check=False))
    try:
        if not my_due_reminders(ctx):
            people = [row.id for row in my_cases(ctx) if row.kind == CaseKind.PERSON]
            texts = ("Ring om lejligheden", "Spørg til skolestarten")
            for person_id, text in zip(people, texts, strict=False):
                create_reminder(ctx, ctx.today(), text, person_id=person_id)
    finally:
        lock(ctx)
    worker = Shooter(s.db, SOCIAL_WORKER, s.password, s.language, s.config)
    try:
        worker.page("start")
        settle(2.5)
        save(worker.window, path)
    finally:
        worker.close()


def shoot_remind_me(s: Shooter, path: Path) -> None:
    page = s.page("people")
    page.show_person(person_with_jobs(s))  # type: ignore[attr-defined]
    settle(1.0)
    page.person_view.remind_me()  # type: ignore[attr-defined]
    save(top_dialog(), path)


#: Picture name (``images/<language>/<name>.png``) → how to get the screen.
SCREENS: dict[str, Callable[[Shooter, Path], None]] = {
    "log-ind": shoot_login,
    "glemt-adgangskode": lambda s, path: shoot_login(s, path, recovery=True),
    "personer": shoot_people,
    "person": shoot_person,
    "job": shoot_jobs,
    "hurtig-kontakt": shoot_quick_log,
    "aktiviteter": shoot_activities,
    "fremmoede": shoot_attendance,
    "henvisninger": shoot_referrals,
    "brev": shoot_letter,
    "opgoerelser": shoot_summaries,
    "medarbejdere": shoot_staff,
    "ny-medarbejder": shoot_new_staff,
    "mine-sager": shoot_my_cases,
    "overblik-medarbejder": shoot_start_as_worker,
    "paamind-mig": shoot_remind_me,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES)
    parser.add_argument("--only", action="append", default=[], choices=sorted(SCREENS))
    args = parser.parse_args()

    # A private settings folder: the developer's own settings are never read or written.
    config = Path(tempfile.mkdtemp(prefix="boligsag-help-config-"))
    os.environ["BOLIGSAG_CONFIG_DIR"] = str(config)
    folder = Path(tempfile.mkdtemp(prefix="boligsag-help-demo-"))
    failed: list[str] = []
    try:
        from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
        from boligsag.ui.shell.app import create_application

        create_application(sys.argv[:1])
        db = folder / "demo.db"
        create_demo_database(db, people=300, contacts=6000, seed=7)
        for language in ("da", "en"):
            shooter = Shooter(db, DEMO_USERNAME, DEMO_PASSWORD, language, config)
            try:
                for name, shoot in SCREENS.items():
                    if not args.only or name in args.only:
                        try:
                            shoot(shooter, args.out / language / f"{name}.png")
                        except Exception as error:  # one broken screen keeps its old picture
                            failed.append(f"{language}/{name}: {error!r}")
                        close_dialogs()
            finally:
                shooter.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(config, ignore_errors=True)
    total = sum(p.stat().st_size for p in args.out.rglob("*.png"))
    print(f"total {total // 1024} KB in {args.out}")
    for line in failed:
        print(f"NOT UPDATED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
