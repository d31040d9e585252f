"""Render the application icon (``boligsag.ui.icons.app_icon``, drawn with QPainter) to
PNG files and a Windows .ico, for the PyInstaller build and the Linux package:

    python installer/make_icons.py OUT_DIR

writes ``boligsag-<size>.png`` for each size of the icon and ``boligsag.ico``. The app
draws its icon at run time and ships no icon file; installers need files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256)


def main(out_dir: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication

    from boligsag.ui.icons import app_icon

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    icon = app_icon()
    for size in SIZES:
        pixmap = icon.pixmap(QSize(size, size))
        if pixmap.width() != size or not pixmap.save(str(out_dir / f"boligsag-{size}.png")):
            raise SystemExit(f"could not render the {size} px icon")
    largest = Image.open(out_dir / f"boligsag-{SIZES[-1]}.png")
    largest.save(out_dir / "boligsag.ico", sizes=[(s, s) for s in SIZES])
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
