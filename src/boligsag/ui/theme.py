"""The look: Fusion style, a calm palette, DejaVu Sans from ``resources/fonts``.

Qt wheels ship no fonts, and a social worker's laptop may lack glyphs for the names
residents actually have (æøå, Ş ğ ı, ễ...). Loading DejaVu Sans from our own
resources makes every name render the same on every machine.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from boligsag.resources import resource_path

log = logging.getLogger(__name__)

UI_FAMILY = "DejaVu Sans"
BASE_POINT_SIZE = 10

# One palette, named by purpose.
WINDOW = "#f3f5f7"
SURFACE = "#ffffff"
TEXT = "#1d2a35"
MUTED = "#5a6774"
BORDER = "#d3dae1"
PRIMARY = "#1f6e8c"
PRIMARY_HOVER = "#195d77"
PRIMARY_PRESSED = "#144c61"
PRIMARY_SOFT = "#e3f0f5"
SIDEBAR = "#16394b"
SIDEBAR_TEXT = "#cfe0e9"
SIDEBAR_SELECTED = "#235068"
ACCENT = "#76cbbf"
ERROR = "#b3261e"
ERROR_SOFT = "#fbeceb"
WARNING = "#9a5b00"
SUCCESS = "#2e7d4f"
DISABLED_FIELD = "#eef1f4"
DISABLED_TEXT = "#5f6b77"  # muted, yet 4.8:1 on DISABLED_FIELD: still readable
DISABLED_BORDER = "#dde2e7"


def load_fonts() -> str:
    """Register the bundled fonts; return the family to use for the UI."""
    families: set[str] = set()
    fonts = resource_path("fonts")
    for path in sorted(fonts.glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load font %s", path)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    return UI_FAMILY if UI_FAMILY in families else QApplication.font().family()


def monospace_font(point_size: int) -> QFont:
    """For the recovery key: every character the same width, 0 and O unmistakable."""
    if "DejaVu Sans Mono" in QFontDatabase.families():
        font = QFont("DejaVu Sans Mono", point_size)
    else:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(point_size)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def _palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: SURFACE,
        QPalette.ColorRole.AlternateBase: "#f7f9fa",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#f8fafb",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: PRIMARY,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#fffdf2",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#8a96a3",
        QPalette.ColorRole.Link: PRIMARY,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#9aa5b0"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor("#9aa5b0"))
    return palette


# Styling a combo box's drop-down replaces the style's arrow, so we ship our own; an
# absolute path, with forward slashes as Qt style sheets want them on Windows too.
CHEVRON = (Path(__file__).resolve().parent / "images" / "chevron-down.svg").as_posix()

STYLESHEET = f"""
QWidget {{ color: {TEXT}; }}
QMainWindow, QDialog, QWizard {{ background: {WINDOW}; }}
QToolTip {{ border: 1px solid {BORDER}; padding: 4px 6px; }}

QLabel[role="pageTitle"] {{ font-size: 19pt; font-weight: bold; color: {TEXT}; }}
QLabel[role="heading"] {{ font-size: 14pt; font-weight: bold; }}
QLabel[role="cardTitle"] {{ font-size: 12pt; font-weight: bold; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="small"] {{ color: {MUTED}; font-size: 8.5pt; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QLabel[role="banner"] {{ background: {ERROR_SOFT}; color: {ERROR}; border-radius: 6px;
                         padding: 8px 10px; }}
QLabel[role="figure"] {{ font-size: 22pt; font-weight: bold; color: {PRIMARY}; }}
QLabel[role="recoveryKey"] {{ background: {SURFACE}; border: 2px dashed {PRIMARY};
                              border-radius: 8px; padding: 18px; color: {TEXT}; }}
QLabel[strength="0"] {{ color: {ERROR}; }}
QLabel[strength="1"] {{ color: {WARNING}; }}
QLabel[strength="2"] {{ color: {SUCCESS}; }}
QLabel[strength="3"] {{ color: {SUCCESS}; font-weight: bold; }}

QFrame[role="card"] {{ background: {SURFACE}; border: 1px solid {BORDER};
                       border-radius: 8px; }}
QFrame[role="card"] QLabel {{ background: transparent; border: none; }}

QLineEdit, QDateEdit, QComboBox, QSpinBox, QPlainTextEdit {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 5px;
    padding: 5px 7px; min-height: 20px; selection-background-color: {PRIMARY}; }}
QLineEdit:focus, QDateEdit:focus, QComboBox:focus, QSpinBox:focus, QPlainTextEdit:focus {{
    border: 2px solid {PRIMARY}; padding: 4px 6px; }}
QLineEdit[invalid="true"] {{ border: 2px solid {ERROR}; padding: 4px 6px; }}
/* A field that cannot be changed now (while joining, settings the team server owns)
   must not look like one waiting for input: grey, its text still readable. */
QLineEdit:disabled, QDateEdit:disabled, QComboBox:disabled, QSpinBox:disabled,
QPlainTextEdit:disabled {{ background: {DISABLED_FIELD}; color: {DISABLED_TEXT};
    border-color: {DISABLED_BORDER}; }}

QPushButton {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 5px;
               padding: 6px 16px; min-height: 20px; }}
QPushButton:hover {{ background: {PRIMARY_SOFT}; border-color: #a9c6d3; }}
QPushButton:focus {{ border: 2px solid {PRIMARY}; padding: 5px 15px; }}
QPushButton:default, QPushButton[role="primary"] {{
    background: {PRIMARY}; color: white; border: 1px solid {PRIMARY_PRESSED}; }}
QPushButton:default:hover, QPushButton[role="primary"]:hover {{ background: {PRIMARY_HOVER}; }}
QPushButton:default:pressed, QPushButton[role="primary"]:pressed {{
    background: {PRIMARY_PRESSED}; }}
QPushButton:default:focus, QPushButton[role="primary"]:focus {{
    border: 2px solid {PRIMARY_PRESSED}; }}
QPushButton:disabled {{ background: #eef1f4; color: #9aa5b0; border-color: #dde2e7; }}

QListWidget#navigationList {{ background: {SIDEBAR}; border: none; outline: none;
                              padding: 10px 0; color: {SIDEBAR_TEXT}; font-size: 10.5pt; }}
QListWidget#navigationList::item {{ padding: 10px 14px; margin: 1px 8px; border-radius: 6px; }}
QListWidget#navigationList::item:hover {{ background: #1d4559; }}
QListWidget#navigationList::item:selected {{ background: {SIDEBAR_SELECTED}; color: white;
                                             border-left: 3px solid {ACCENT}; }}
/* ".QWidget" (exactly QWidget): Qt's file dialog has a list named "sidebar" too,
   which must keep its light background and dark text. */
.QWidget#sidebar {{ background: {SIDEBAR}; }}
QLabel#sidebarTitle {{ color: white; font-size: 14pt; font-weight: bold;
                       padding: 18px 20px 2px 20px; }}
QLabel#sidebarSubtitle {{ color: #94b3c3; font-size: 8.5pt; padding: 0 20px 10px 20px; }}

QTableView {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
              gridline-color: #e7ebef; selection-background-color: {PRIMARY_SOFT};
              selection-color: {TEXT}; }}
QTableView::item {{ padding: 4px 10px; }}
/* Only our tables: the file dialog sizes its columns for the plain header font. */
QTableView QHeaderView::section {{ background: #eef2f5; border: none;
    border-bottom: 1px solid {BORDER}; padding: 7px 10px; font-weight: bold; color: {MUTED}; }}
QLabel[role="overline"] {{ color: {MUTED}; font-size: 8.5pt; font-weight: bold;
                           letter-spacing: 1px; }}

QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
QMenuBar {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QMenuBar::item {{ padding: 5px 10px; background: transparent; }}
QMenuBar::item:selected {{ background: {PRIMARY_SOFT}; border-radius: 4px; }}
QMenu {{ background: {SURFACE}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 6px 28px 6px 24px; border-radius: 4px; }}
QMenu::item:selected {{ background: {PRIMARY_SOFT}; color: {TEXT}; }}
QMenu::separator {{ height: 1px; background: {BORDER}; margin: 4px 8px; }}
QProgressBar {{ border: 1px solid {BORDER}; border-radius: 5px; background: {SURFACE};
                text-align: center; min-height: 16px; }}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: 4px; }}
QCheckBox {{ spacing: 8px; }}
QComboBox::drop-down, QDateEdit::drop-down {{ subcontrol-origin: padding;
    subcontrol-position: center right; width: 24px; border: none; }}
QComboBox::down-arrow, QDateEdit::down-arrow {{ image: url("{CHEVRON}"); width: 12px;
    height: 12px; }}
QComboBox QAbstractItemView {{ background: {SURFACE}; border: 1px solid {BORDER};
    selection-background-color: {PRIMARY_SOFT}; selection-color: {TEXT}; outline: none; }}
QPushButton[role="link"] {{ background: transparent; border: none; color: {PRIMARY};
    text-decoration: underline; padding: 2px 0; text-align: left; }}
QPushButton[role="link"]:hover {{ color: {PRIMARY_PRESSED}; background: transparent; }}
QPushButton[role="link"]:focus {{ border: none; color: {PRIMARY_PRESSED};
    background: {PRIMARY_SOFT}; border-radius: 3px; padding: 2px 0; }}
QListWidget#areasList {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 5px; padding: 4px; }}
QListWidget#areasList::item {{ padding: 6px 8px; border-radius: 4px; }}
QListWidget#areasList::item:selected {{ background: {PRIMARY_SOFT}; color: {TEXT}; }}
QWizard QFrame#wizardHeader {{ background: {SURFACE}; }}
"""


def apply_theme(app: QApplication) -> None:
    family = load_fonts()
    app.setStyle("Fusion")
    app.setPalette(_palette())
    app.setFont(QFont(family, BASE_POINT_SIZE))
    app.setStyleSheet(STYLESHEET)
