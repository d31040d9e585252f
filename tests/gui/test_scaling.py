"""At 150 % and 200 % display scaling, with a 30 % larger font and in high contrast,
every page and a person's page fit a 1366×768 window (device-independent pixels), and
they and eleven dialogs have no label or button too small for its text, and no module
keeps a colour of the other look
(tools/scaled_pages.py, in a process of its own: Qt reads the scale factor once, and
the look is chosen before the windows' modules load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

TOOL = Path(__file__).resolve().parents[2] / "tools" / "scaled_pages.py"


@pytest.mark.parametrize(("look", "scale"),
                         [("scale150", "1.5"), ("scale200", "2"), ("largefont", "1"),
                          ("contrast", "1")])
def test_every_page_fits_at_high_display_scaling(tmp_path: Path, look: str, scale: str) -> None:
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, str(TOOL), str(tmp_path / "shots"), "--look", look],
                          env=env, capture_output=True, text=True, timeout=300)
    reports = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert reports, done.stderr[-3000:]
    assert json.loads(reports[-1]) == {}
    assert done.returncode == 0
    # Every page was looked at, at the scaled size (2 device pixels per pixel at 200 %).
    shots = sorted((tmp_path / "shots").glob("*.png"))
    names = {p.stem.split("-", 1)[1] for p in shots}
    assert {"person", "people", "summaries", "admin", "dialog-actionNewPerson",
            "dialog-actionPersonNewConsent"} <= names
    windows = [p for p in shots if "-dialog-" not in p.name]
    assert {QImage(str(p)).width() for p in windows} == {round(1366 * float(scale))}
    # The high-contrast look is black behind the page title, the standard one light grey.
    factor = float(scale)
    behind_title = QImage(str(tmp_path / "shots" / f"{look}-people.png")).pixelColor(
        round(1000 * factor), round(40 * factor))
    assert behind_title.name() == ("#000000" if look == "contrast" else "#f3f5f7")


def test_the_check_finds_a_button_too_small_for_its_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    sys.path.insert(0, str(TOOL.parent))
    try:
        from scaled_pages import clipped
    finally:
        sys.path.remove(str(TOOL.parent))
    window = QWidget()
    qtbot.addWidget(window)
    QVBoxLayout(window).addWidget(button := QPushButton("Registrér mødegang for alle"))
    button.setObjectName("narrowButton")
    window.show()
    assert clipped(window) == []
    button.setFixedWidth(40)
    assert clipped(window) == [f"narrowButton: button needs {button.sizeHint().width()} px, "
                               "has 40 px"]
