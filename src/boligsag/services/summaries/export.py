"""Exporting a summary to XLSX, CSV or PDF: one user action, from the Opgørelser screen
or ``boligsag summary``.

The file is written by ``output_files.write_output``, as a saved letter is: never over
the database or one of its files, atomically next to its final name (short temp name,
fsync, rename) so a failure leaves no half-written file and never touches an existing
one, owner-only (0600) like every export, and audited *before* the rename, with an
OUTPUT_FAILED entry after it when the rename fails. The entry says what was exported
(format, period, selection ids, row counts), never where: the path is free text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.exports.csv_export import to_csv
from boligsag.exports.report_pdf import ReportHeader, to_pdf
from boligsag.exports.xlsx import to_xlsx
from boligsag.i18n import current_language
from boligsag.services import org_settings
from boligsag.services.context import AppContext
from boligsag.services.output_files import OutputRecord, check_output_target, write_output
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.published import PublishedSummary, publish

from .engine import compute_summary
from .filter import validate_filter

Progress = Callable[[str, float], None]
Cancelled = Callable[[], bool]


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    PDF = "pdf"


class ExportFailed(UserError):
    pass


class FolderMissing(ExportFailed):
    def __init__(self, folder: Path) -> None:
        super().__init__("The folder {folder} does not exist. Choose another folder.",
                         folder=str(folder))


class FolderNotWritable(ExportFailed):
    def __init__(self, folder: Path) -> None:
        super().__init__("The folder {folder} cannot be written to. Choose another folder.",
                         folder=str(folder))


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
    NothingToExport, OutputRefused (the database's file, or not a regular file),
    FolderMissing, FolderNotWritable or ExportFailed.
    """
    ctx.require(Permission.EXPORT)
    fmt = ExportFormat(fmt)
    target = Path(target_path).expanduser().absolute()
    language = language or current_language()
    validate_filter(summary_filter)
    check_target(ctx, target)  # before the work: a wrong folder should not cost a summary

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
    with ctx.read() as r:  # the letterhead; EXPORT was checked above
        organisation = str(org_settings.get_setting(r.session, "organisation_name") or "")
        logo = org_settings.get_logo(r.session)
    data = render(published, fmt, organisation=organisation, logo=logo, language=language)
    _write(ctx, target, data, _detail(fmt, summary_filter, published))
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


def check_target(ctx: AppContext, target: Path) -> None:
    """Everything that can be said about the target before the work: the path rule
    (a folder, a device, the database's own files), then the folder."""
    check_output_target(ctx, target)
    folder = target.parent
    if not folder.is_dir():
        raise FolderMissing(folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FolderNotWritable(folder)


def _write(ctx: AppContext, target: Path, data: bytes, detail: str) -> None:
    try:
        write_output(ctx, target, data, OutputRecord(AuditAction.EXPORT, "summary", detail))
    except FileNotFoundError:  # the folder went away after the check
        raise FolderMissing(target.parent) from None
    except OSError as error:  # disk full, quota, a USB stick pulled, the file open in Excel
        raise ExportFailed("The file could not be written: {reason}",
                           reason=error.strerror or str(error)) from error


def _detail(fmt: ExportFormat, f: SummaryFilter, published: PublishedSummary) -> str:
    """What was exported, for the audit log: format, period, selection ids and how many
    tables and rows. Not the file name or folder (free text that may name a person) and
    no figures (not personal data, but the log is not a copy of the report)."""
    selection = " ".join(
        f"{name}={','.join(map(str, ids))}" for name, ids in (
            ("plan", f.plan_ids), ("area", f.area_ids), ("focus_area", f.focus_area_ids),
            ("activity", f.activity_ids), ("staff", f.staff_ids)) if ids)
    rows = sum(len(table.rows) for table in published.tables)
    text = (f"summary {fmt.value} {f.date_from}..{f.date_to} {selection} "
            f"tables={len(published.tables)} rows={rows}")
    return " ".join(text.split())[:300]
