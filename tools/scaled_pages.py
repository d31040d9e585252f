"""Every page at 150 % and 200 % display scaling, with a large system font, in English
and in high contrast, as a screenshot and as a check that no label or button is too small for its
text.

    xvfb-run -a -s "-screen 0 2732x1536x24" .venv/bin/python tools/scaled_pages.py /tmp/shots/scaled

For each look it starts itself again (Qt reads the scale factor once, before the
application exists) with ``QT_SCALE_FACTOR`` and, for the large font, a font 30 %
larger than the theme's. The child opens a small demo in a 1366×768 window (device
independent pixels: a 1920×1080 laptop at 150 %, or 2732×1536 at 200 %), shows each page,
a person's page and eleven dialogs, saves ``<look>-<page>.png`` and prints one line per clipped
widget. Exit code 1 when anything is clipped. tests/gui/test_scaling.py runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# look -> (scale factor, font enlargement, language, contrast setting)
LOOKS: dict[str, tuple[str, float, str, str]] = {
    "scale150": ("1.5", 1.0, "da", "standard"),
    "scale200": ("2", 1.0, "da", "standard"),
    "largefont": ("1", 1.3, "da", "standard"),
    "english": ("1", 1.0, "en", "standard"),
    "contrast": ("1", 1.0, "da", "high"),
}


# Dialogs shown in every look: from a person's page, and from the pages (page, action).
PERSON_DIALOGS = ("actionEditPerson", "actionLogContactWithPerson", "actionPersonNewConsent",
                  "actionPersonNewReferral", "actionEditHousehold", "actionNewJob")
PAGE_DIALOGS = (("people", "actionNewPerson"), ("contacts", "actionContactsLogContact"),
                ("referrals", "actionNewReferral"), ("start", "actionChangePassword"),
                ("start", "actionAbout"))


def clipped(window: object) -> list[str]:
    """Visible labels and buttons whose text needs more room than they have."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

    assert isinstance(window, QWidget)
    problems = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.width() <= 0:
            continue
        name = widget.objectName() or type(widget).__name__
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            if widget.property("elided"):  # cut with "…" on purpose, whole text as tooltip
                continue
            if widget.wordWrap():
                needed = widget.heightForWidth(widget.width())
                if needed > widget.height() + 1:
                    problems.append(f"{name}: {needed} px high text in {widget.height()} px")
            elif widget.minimumSizeHint().width() > widget.width() + 1:
                problems.append(f"{name}: {widget.minimumSizeHint().width()} px wide text "
                                f"in {widget.width()} px")
        elif (isinstance(widget, QAbstractButton) and widget.text()
              and widget.sizeHint().width() > widget.width() + 1):
            problems.append(f"{name}: button needs {widget.sizeHint().width()} px, "
                            f"has {widget.width()} px")
    return problems


def stale_colours() -> list[str]:
    """Modules holding a colour of another look than the chosen one: imported before
    the look was chosen (ui/shell/app.py must choose it first)."""
    from boligsag.ui import theme

    stale = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("boligsag.ui.") or name == "boligsag.ui.theme":
            continue
        for colour in theme.COLOUR_NAMES:
            value = getattr(module, colour, None)
            if isinstance(value, str) and value != getattr(theme, colour):
                stale.append(f"{name}.{colour} is {value}, the look has "
                             f"{getattr(theme, colour)}")
    return stale


def child(out: Path, look: str, enlarge: float, language: str, contrast: str) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from boligsag.app_settings import CONTRAST, AppSettings
    from boligsag.i18n import set_language
    from boligsag.ui.qt_translations import install_qt_translations
    from boligsag.ui.shell.app import create_application

    set_language(language)
    with tempfile.TemporaryDirectory() as folder:
        settings = AppSettings(Path(folder))
        settings.set(CONTRAST, contrast)
        app = create_application([sys.argv[0]], settings)
        # As the program does: the windows' modules load after the look is chosen.
        from boligsag.ui import demo
        from boligsag.ui.shell.controller import AppController

        install_qt_translations(language)
        if enlarge != 1.0:
            font = app.font()
            font.setPointSizeF(font.pointSizeF() * enlarge)
            app.setFont(font)
        demo.DEMO_PEOPLE, demo.DEMO_CONTACTS = 30, 200
        controller = AppController(settings, Path(folder) / "never-used.db", demo=True)
        controller.start()
        report: dict[str, list[str]] = {}

        def wait(condition: object, ms: int = 60_000) -> None:
            from PySide6.QtCore import QDeadlineTimer
            deadline = QDeadlineTimer(ms)
            while not condition() and not deadline.hasExpired():  # type: ignore[operator]
                app.processEvents()
            if not condition():  # type: ignore[operator]
                raise SystemExit(f"{look}: timed out")

        wait(lambda: controller.window is not None)
        window = controller.window
        assert window is not None
        window.resize(1366, 768)
        window.show()

        def settle(ms: int = 500) -> None:
            from PySide6.QtCore import QElapsedTimer
            timer = QElapsedTimer()
            timer.start()
            while timer.elapsed() < ms:
                app.processEvents()

        def capture(name: str) -> None:
            settle()
            window.grab().save(str(out / f"{look}-{name}.png"))
            problems = clipped(window)
            if window.width() > 1366:  # grew past the laptop's screen to fit its content
                problems.append(f"the window needs {window.width()} px, the screen has 1366")
            if problems:
                report[name] = problems

        for page in list(window.pages):
            window.show_page(page.page_id)
            capture(page.page_id)
        # The summaries with their charts: the last ten years of the demo, computed.
        window.show_page("summaries")
        summaries = window.page("summaries")
        window.findChild(QWidget, "presetLast10Years").click()
        window.findChild(QWidget, "computeButton").click()
        wait(lambda: summaries.summary is not None and summaries.compute_task is None)
        capture("summaries-computed")
        window.resize(1366, 1600)  # the charts below the figures, in one picture
        settle()
        window.grab().save(str(out / f"{look}-summaries-charts.png"))
        window.resize(1366, 768)
        window.show_page("people")
        table = window.findChild(QWidget, "peopleTable")
        wait(lambda: table.model().rowCount() > 0)
        table.setFocus()
        table.selectRow(0)
        from PySide6.QtTest import QTest
        QTest.keyClick(table, Qt.Key.Key_Return)
        wait(window.page("people").showing_person)
        capture("person")

        def windows() -> dict[int, QWidget]:
            from shiboken6 import getCppPointer
            return {getCppPointer(w)[0]: w for w in app.topLevelWidgets() if w.isVisible()}

        def capture_dialog(action_name: str) -> None:
            from PySide6.QtGui import QAction
            action = window.findChild(QAction, action_name)
            if action is None or not action.isEnabled():
                report[f"dialog {action_name}"] = ["cannot be opened"]
                return
            before = windows()
            action.trigger()
            wait(lambda: bool(windows().keys() - before.keys()), 10_000)
            opened = windows()
            dialog = next(opened[key] for key in opened.keys() - before.keys())
            settle()
            dialog.grab().save(str(out / f"{look}-dialog-{action_name}.png"))
            if problems := clipped(dialog):
                report[f"dialog {action_name}"] = problems
            dialog.close()
            settle(100)

        # The dialogs a person's page opens, then those of the pages.
        for action_name in PERSON_DIALOGS:
            capture_dialog(action_name)
        for page_id, action_name in PAGE_DIALOGS:
            window.show_page(page_id)
            settle(200)
            capture_dialog(action_name)
        if stale := stale_colours():
            report["colours"] = stale
        print(json.dumps(report))
        controller.quit(0)
        settle(200)
    return 1 if report else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the screenshots")
    parser.add_argument("--look", choices=sorted(LOOKS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.look:
        _scale, enlarge, language, contrast = LOOKS[args.look]
        return child(args.out, args.look, enlarge, language, contrast)
    failed = False
    for look, (scale, *_rest) in LOOKS.items():
        env = {**os.environ, "QT_SCALE_FACTOR": scale}
        done = subprocess.run([sys.executable, __file__, str(args.out), "--look", look],
                              env=env, capture_output=True, text=True, timeout=600)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        report = json.loads(lines[-1]) if lines else {"(no report)": [done.stderr[-2000:]]}
        print(f"{look}: {'ok' if not report else json.dumps(report, indent=1)}")
        failed |= bool(report) or done.returncode not in (0, 1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
