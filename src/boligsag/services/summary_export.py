"""Exporting a summary to XLSX, CSV or PDF: one user action, from the Opgørelser screen
or ``boligsag summary``.

The file is written atomically next to its final name (temp file, fsync, rename), so a
failure leaves no half-written file and never touches an existing one. The audit entry
is committed *before* the rename: there is never an export that the log does not know
about (at worst, after a failed rename, a logged export that did not happen).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.exports.csv_export import to_csv
from boligsag.exports.report_pdf import ReportHeader, to_pdf
from boligsag.exports.suppressed import PublishedSummary, publish
from boligsag.exports.xlsx import to_xlsx
from boligsag.i18n import current_language
from boligsag.storage.atomic import fsync_directory

from . import org_settings
from .context import AppContext
from .errors import ServiceError
from .summaries import SummaryFilter, compute_summary

Progress = Callable[[str, float], None]
Cancelled = Callable[[], bool]


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    PDF = "pdf"


class ExportFailed(ServiceError):
    pass


class FolderMissing(ExportFailed):
    def __init__(self, folder: Path) -> None:
        super().__init__("The folder {folder} does not exist. Choose another folder.",
                         folder=str(folder))


class FolderNotWritable(ExportFailed):
    def __init__(self, folder: Path) -> None:
        super().__init__("The folder {folder} cannot be written to. Choose another folder.",
                         folder=str(folder))


class NotAFile(ExportFailed):
    def __init__(self, path: Path) -> None:
        super().__init__("{path} is a folder. Choose a file name.", path=str(path))


class NothingToExport(ExportFailed):
    def __init__(self) -> None:
        super().__init__("Nothing was registered in the period for this selection, so there "
                         "is nothing to export. Choose another period or fewer filters.")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: ExportFormat
    size: int


def export_summary(
    ctx: AppContext,
    summary_filter: SummaryFilter,
    fmt: ExportFormat | str,
    target_path: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    language: str | None = None,
) -> ExportResult:
    """Compute, suppress and write the summary; record the export in the audit log.

    Raises PermissionDenied, ValidationFailed (bad period), SummaryCancelled,
    NothingToExport, FolderMissing, FolderNotWritable, NotAFile or ExportFailed.
    """
    ctx.require(Permission.EXPORT)
    fmt = ExportFormat(fmt)
    target = Path(target_path).expanduser().absolute()
    language = language or current_language()
    summary_filter.validate()
    check_target(target)  # before the work: a wrong folder should not cost a summary

    def part(scale: float, offset: float) -> Progress | None:
        if progress is None:
            return None
        return lambda stage, fraction: progress(stage, offset + fraction * scale)

    summary = compute_summary(ctx, summary_filter, progress=part(0.85, 0.0),
                              cancelled=cancelled)
    if summary.is_empty:
        raise NothingToExport()
    published = publish(summary)
    if progress is not None:
        progress("writing", 0.9)
    with ctx.uow() as session:
        organisation = str(org_settings.get_setting(session, "organisation_name") or "")
        logo = org_settings.get_logo(session)
    data = render(published, fmt, organisation=organisation, logo=logo, language=language)
    _write_with_audit(ctx, target, data, _detail(fmt, summary_filter, target))
    if progress is not None:
        progress("done", 1.0)
    return ExportResult(target, fmt, len(data))


def render(published: PublishedSummary, fmt: ExportFormat, *, organisation: str,
           logo: bytes | None, language: str) -> bytes:
    """The export's bytes, built in memory."""
    if fmt is ExportFormat.XLSX:
        return to_xlsx(published, organisation=organisation, language=language)
    if fmt is ExportFormat.CSV:
        return to_csv(published, organisation=organisation, language=language)
    return to_pdf(published, header=ReportHeader(organisation, logo), language=language)


def check_target(target: Path) -> None:
    folder = target.parent
    if target.is_dir():
        raise NotAFile(target)
    if not folder.is_dir():
        raise FolderMissing(folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FolderNotWritable(folder)


def _write_with_audit(ctx: AppContext, target: Path, data: bytes, detail: str) -> None:
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o644)
    except PermissionError:
        raise FolderNotWritable(folder) from None
    except FileNotFoundError:
        raise FolderMissing(folder) from None
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:  # disk full, quota, a USB stick pulled out
            raise ExportFailed("The file could not be written: {reason}",
                               reason=error.strerror or str(error)) from error
        with ctx.uow() as session:
            ctx.audit(session, AuditAction.EXPORT, entity="summary", detail=detail)
            session.commit()
        try:
            os.replace(temp, target)
        except OSError as error:  # e.g. the target is open in Excel on Windows
            raise ExportFailed("The file could not be written: {reason}",
                               reason=error.strerror or str(error)) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_directory(folder)


def _detail(fmt: ExportFormat, f: SummaryFilter, target: Path) -> str:
    """What was exported, for the audit log: format, period, selection ids and file name
    (no figures: they are not personal data, but the log is not a copy of the report)."""
    selection = " ".join(
        f"{name}={','.join(map(str, ids))}" for name, ids in (
            ("plan", f.plan_ids), ("area", f.area_ids), ("focus_area", f.focus_area_ids),
            ("activity", f.activity_ids), ("staff", f.staff_ids)) if ids)
    text = f"summary {fmt.value} {f.date_from}..{f.date_to} {selection} -> {target.name}"
    return " ".join(text.split())[:300]
