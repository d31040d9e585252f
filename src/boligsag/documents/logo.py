"""The organisation's logo as the PDFs draw it: read once from the stored bytes, and
scaled to fit a box. Letters (``letterhead``) and summary reports
(``exports.report_page``) both use it.
"""

from __future__ import annotations

import logging
from io import BytesIO

from reportlab.lib.utils import ImageReader

log = logging.getLogger(__name__)


def read_logo(data: bytes | None) -> ImageReader | None:
    """The logo, or None if there is none or it cannot be read: a document without the
    logo is better than no document."""
    if not data:
        return None
    try:
        reader = ImageReader(BytesIO(data))
        reader.getSize()
        return reader
    except Exception:  # any unreadable image, whatever reportlab or PIL raises
        log.warning("organisation logo could not be read; drawing the page without it")
        return None


def fit(logo: ImageReader, max_width: float, max_height: float) -> tuple[float, float]:
    """Width and height of the logo scaled, ratio kept, to fit the box."""
    width, height = logo.getSize()
    scale = min(max_width / width, max_height / height)
    return width * scale, height * scale
