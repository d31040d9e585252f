"""The look: Fusion style, a calm palette, DejaVu Sans from ``resources/fonts``.

Qt wheels ship no fonts, and a social worker's laptop may lack glyphs for the names
residents actually have (æøå, Ş ğ ı, ễ...). Loading DejaVu Sans from our own
resources makes every name render the same on every machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from boligsag.resources import resource_path

log = logging.getLogger(__name__)

UI_FAMILY = "DejaVu Sans"
BASE_POINT_SIZE = 10

@dataclass(frozen=True)
class Scheme:
    """The colours of one look, named by purpose. ``standard`` is the calm default;
    ``high_contrast`` is for Windows' high-contrast themes, a dark system theme or a
    user who asks for it (View → High contrast): white and yellow on black, every text
    colour at least 7:1 against its background (tests/unit/test_contrast.py)."""

    window: str
    surface: str
    text: str
    muted: str
    border: str
    primary: str
    primary_hover: str
    primary_pressed: str
    primary_soft: str  # a selected row, a hovered button, a blue chip's background
    on_primary: str  # text on a primary button
    on_error: str  # text on a red badge
    sidebar: str
    sidebar_text: str
    sidebar_selected: str
    sidebar_hover: str
    sidebar_subtitle: str
    accent: str
    error: str
    error_soft: str
    warning: str
    warning_soft: str
    warning_border: str  # a notice's frame ("changed by someone else", restricted)
    success: str
    success_soft: str
    grey_soft: str
    disabled_field: str
    disabled_text: str
    disabled_border: str
    header: str  # a table's header row
    gridline: str
    alternate: str  # every other row
    placeholder: str
    tooltip: str
    hover_border: str
    icon: str  # line icons on buttons
    high_contrast: bool = False


STANDARD = Scheme(
    window="#f3f5f7", surface="#ffffff", text="#1d2a35", muted="#5a6774", border="#d3dae1",
    primary="#1f6e8c", primary_hover="#195d77", primary_pressed="#144c61",
    primary_soft="#e3f0f5", on_primary="#ffffff", on_error="#ffffff", sidebar="#16394b",
    sidebar_text="#cfe0e9",
    sidebar_selected="#235068", sidebar_hover="#1d4559", sidebar_subtitle="#94b3c3",
    accent="#76cbbf", error="#b3261e", error_soft="#fbeceb", warning="#9a5b00",
    warning_soft="#fbf0dc", warning_border="#f0c987", success="#2b774b",
    success_soft="#e4f3ea", grey_soft="#eef1f4",
    disabled_field="#eef1f4",
    disabled_text="#5f6b77",  # muted, yet 4.8:1 on the disabled field: still readable
    disabled_border="#dde2e7", header="#eef2f5", gridline="#e7ebef", alternate="#f7f9fa",
    placeholder="#8a96a3", tooltip="#fffdf2", hover_border="#a9c6d3", icon="#3c4a57")

HIGH_CONTRAST = Scheme(
    window="#000000", surface="#000000", text="#ffffff", muted="#dcdcdc", border="#ffffff",
    primary="#ffff00", primary_hover="#ffff80", primary_pressed="#e6e600",
    primary_soft="#003a70", on_primary="#000000", on_error="#000000", sidebar="#000000",
    sidebar_text="#ffffff",
    sidebar_selected="#003a70", sidebar_hover="#1a1a1a", sidebar_subtitle="#dcdcdc",
    accent="#00ffff", error="#ff9a9a", error_soft="#000000", warning="#ffd27a",
    warning_soft="#000000", warning_border="#ffd27a", success="#8dff8d",
    success_soft="#000000", grey_soft="#000000",
    disabled_field="#1a1a1a", disabled_text="#c8c8c8", disabled_border="#9a9a9a",
    header="#1a1a1a", gridline="#808080", alternate="#0d0d0d", placeholder="#c8c8c8",
    tooltip="#000000", hover_border="#ffff00", icon="#ffffff", high_contrast=True)

# The chosen scheme's colours as module names (``from boligsag.ui.theme import TEXT``).
# :func:`use_scheme` rebinds them; it runs before any module that imports them is loaded
# (ui/shell/app.py), so every such module sees the chosen look.
WINDOW = SURFACE = TEXT = MUTED = BORDER = PRIMARY = PRIMARY_HOVER = PRIMARY_PRESSED = ""
PRIMARY_SOFT = ON_PRIMARY = ON_ERROR = SIDEBAR = SIDEBAR_TEXT = SIDEBAR_SELECTED = ""
SIDEBAR_HOVER = ""
SIDEBAR_SUBTITLE = ACCENT = ERROR = ERROR_SOFT = WARNING = WARNING_SOFT = WARNING_BORDER = ""
SUCCESS = ""
SUCCESS_SOFT = GREY_SOFT = DISABLED_FIELD = DISABLED_TEXT = DISABLED_BORDER = HEADER = ""
GRIDLINE = ALTERNATE = PLACEHOLDER = TOOLTIP = HOVER_BORDER = ICON = ""
COLOUR_NAMES = tuple(f.name.upper() for f in fields(Scheme) if f.type in ("str", str))
_scheme = STANDARD


def use_scheme(scheme: Scheme) -> None:
    """Make ``scheme`` the look: the module's colour names and :func:`scheme`."""
    global _scheme
    _scheme = scheme
    globals().update({name: getattr(scheme, name.lower()) for name in COLOUR_NAMES})


def scheme() -> Scheme:
    return _scheme


use_scheme(STANDARD)


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
        QPalette.ColorRole.AlternateBase: ALTERNATE,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: SURFACE,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: PRIMARY,
        QPalette.ColorRole.HighlightedText: ON_PRIMARY,
        QPalette.ColorRole.ToolTipBase: TOOLTIP,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: PLACEHOLDER,
        QPalette.ColorRole.Link: PRIMARY,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text,
                     QColor(DISABLED_TEXT))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor(DISABLED_TEXT))
    return palette


# Styling a combo box's drop-down replaces the style's arrow, so we ship our own (a
# light one for the high-contrast look); an absolute path, with forward slashes as Qt
# style sheets want them on Windows too.
_IMAGES = Path(__file__).resolve().parent / "images"
CHEVRON = (_IMAGES / "chevron-down.svg").as_posix()
CHEVRON_LIGHT = (_IMAGES / "chevron-down-light.svg").as_posix()


def chevron() -> str:
    """The drop-down arrow that shows on the chosen scheme's fields."""
    return CHEVRON_LIGHT if _scheme.high_contrast else CHEVRON


def _indicators() -> str:
    """On black, Fusion draws a check box's square and a radio button's ring in black
    too (its outline is the window colour, darkened): the high-contrast look draws them
    in white, the tick and the dot in yellow."""
    if not _scheme.high_contrast:
        return ""
    image = {name: (_IMAGES / f"{name}.svg").as_posix()
             for name in ("check-light-off", "check-light-on", "radio-light-off",
                          "radio-light-on")}
    return f"""
QCheckBox::indicator, QAbstractItemView::indicator, QGroupBox::indicator,
QRadioButton::indicator {{ width: 16px; height: 16px; }}
QCheckBox::indicator:unchecked, QAbstractItemView::indicator:unchecked,
QGroupBox::indicator:unchecked {{ image: url("{image['check-light-off']}"); }}
QCheckBox::indicator:checked, QAbstractItemView::indicator:checked,
QGroupBox::indicator:checked {{ image: url("{image['check-light-on']}"); }}
QRadioButton::indicator:unchecked {{ image: url("{image['radio-light-off']}"); }}
QRadioButton::indicator:checked {{ image: url("{image['radio-light-on']}"); }}
QCheckBox:focus, QRadioButton:focus {{ outline: 1px solid {PRIMARY}; }}
"""


def stylesheet() -> str:
    """The style sheet of the chosen scheme."""
    return _indicators() + f"""
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
QPushButton:hover {{ background: {PRIMARY_SOFT}; border-color: {HOVER_BORDER}; }}
QPushButton:focus {{ border: 2px solid {PRIMARY}; padding: 5px 15px; }}
QPushButton:default, QPushButton[role="primary"] {{
    background: {PRIMARY}; color: {ON_PRIMARY}; border: 1px solid {PRIMARY_PRESSED}; }}
QPushButton:default:hover, QPushButton[role="primary"]:hover {{ background: {PRIMARY_HOVER}; }}
QPushButton:default:pressed, QPushButton[role="primary"]:pressed {{
    background: {PRIMARY_PRESSED}; }}
QPushButton:default:focus, QPushButton[role="primary"]:focus {{
    border: 2px solid {PRIMARY_PRESSED}; }}
QPushButton:disabled {{ background: {DISABLED_FIELD}; color: {DISABLED_TEXT};
    border-color: {DISABLED_BORDER}; }}

QListWidget#navigationList {{ background: {SIDEBAR}; border: none; outline: none;
                              padding: 10px 0; color: {SIDEBAR_TEXT}; font-size: 10.5pt; }}
QListWidget#navigationList::item {{ padding: 10px 14px; margin: 1px 8px; border-radius: 6px; }}
QListWidget#navigationList::item:hover {{ background: {SIDEBAR_HOVER}; }}
QListWidget#navigationList::item:selected {{ background: {SIDEBAR_SELECTED}; color: {SIDEBAR_TEXT};
                                             border-left: 3px solid {ACCENT}; }}
/* ".QWidget" (exactly QWidget): Qt's file dialog has a list named "sidebar" too,
   which must keep its light background and dark text. */
.QWidget#sidebar {{ background: {SIDEBAR}; }}
QLabel#sidebarTitle {{ color: {SIDEBAR_TEXT}; font-size: 14pt; font-weight: bold;
                       padding: 18px 20px 2px 20px; }}
QLabel#sidebarSubtitle {{ color: {SIDEBAR_SUBTITLE}; font-size: 8.5pt; padding: 0 20px 10px 20px; }}

QTableView {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
              gridline-color: {GRIDLINE}; selection-background-color: {PRIMARY_SOFT};
              selection-color: {TEXT}; }}
QTableView::item {{ padding: 4px 10px; }}
QTableView[list="true"] {{ outline: 0; }}
/* Only our tables: the file dialog sizes its columns for the plain header font. */
QTableView QHeaderView::section {{ background: {HEADER}; border: none;
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
QComboBox::down-arrow, QDateEdit::down-arrow {{ image: url("{chevron()}"); width: 12px;
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
    app.setStyleSheet(stylesheet())
