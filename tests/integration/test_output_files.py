"""Files written on a user's request — a letter's "Gem som PDF" / ``boligsag letter`` and
a summary export / ``boligsag summary`` — go only where they may: never over the
database or one of its own files, never into something that is not a regular file,
with a short temporary name, owner-only permissions, and an audit entry that is
committed before the file has its final name and holds no text from the path."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag import cli
from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.letters import LetterKind, LetterPdf, save_pdf
from boligsag.services.summaries.export import ExportFormat, export_summary
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import AuditEntry, Referral
from boligsag.summaries.filter import SummaryFilter

from ..conftest import CHEAP_KDF, CreatedDb

YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database (people, contacts, referrals), made once and copied."""
    path = tmp_path_factory.mktemp("output-template") / "boligsag.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=12, contacts=80, seed=3, today=TODAY)
    return path


@pytest.fixture
def db_path(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in (template.name, template.name + ".keys"):
        shutil.copy2(template.parent / name, folder / name)
    return folder / template.name


@pytest.fixture
def demo(db_path: Path) -> Iterator[AppContext]:
    ctx = unlock(db_path, DEMO_USERNAME, DEMO_PASSWORD, clock=FixedClock(datetime(2026, 11, 25, 9)),
                 options=UnlockOptions(integrity_check=False))
    yield ctx
    lock(ctx)


def fake_letter(ctx: AppContext) -> LetterPdf:
    """save_pdf only writes and audits the bytes it is given, so any bytes will do."""
    with ctx.read() as unit:
        referral = unit.session.scalars(select(Referral)).first()
        assert referral is not None
        return LetterPdf(b"%PDF-1.4 a letter\n", "henvisning.pdf", referral.person.uuid,
                         LetterKind.REFERRAL, "referrals", referral.uuid)


def audit_entries(ctx: AppContext) -> list[AuditEntry]:
    with ctx.read() as unit:
        return list(unit.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def snapshot(folder: Path) -> dict[str, bytes]:
    """The folder's files and contents; not the WAL index (-shm), which readers update."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith("-shm")}


Writer = Callable[[AppContext, Path], object]


def write_letter(ctx: AppContext, target: Path) -> object:
    return save_pdf(ctx, fake_letter(ctx), target)


def write_summary(ctx: AppContext, target: Path) -> object:
    return export_summary(ctx, YEAR, ExportFormat.CSV, target, language="da")


WRITERS = [pytest.param(write_letter, id="letter"), pytest.param(write_summary, id="summary")]


# -- 1. never over the database or one of its files -------------------------------------------

def _own_files(db: Path, outside: Path) -> dict[str, Path]:
    """Every way of naming the database or one of its files that an export must refuse."""
    (db.parent / "x").mkdir(exist_ok=True)
    wal = db.with_name(db.name + "-wal")
    links = {
        "symlink.pdf": db, "hardlink.pdf": db, "keys-symlink.csv": keys.keys_path_for(db),
    }
    for name, to in links.items():
        if name.startswith("hard"):
            os.link(to, outside / name)
        else:
            os.symlink(to, outside / name)
    backup = outside / "sikkerhedskopi.db"
    shutil.copy2(db, backup)
    key_copy = outside / "nøgler-kopi.keys"
    shutil.copy2(keys.keys_path_for(db), key_copy)
    return {
        "database": db,
        "database via ..": db.parent / "x" / ".." / db.name,
        "key file": keys.keys_path_for(db),
        "wal": wal,
        "shm": db.with_name(db.name + "-shm"),
        "journal": db.with_name(db.name + "-journal"),
        "key-file lock": db.with_name(db.name + ".keys.lock"),
        "migration backup": db.with_name(db.name + ".before-0004.bak"),
        "other backup beside it": db.with_name(db.name + ".bak"),
        "symlink to the database": outside / "symlink.pdf",
        "hard link to the database": outside / "hardlink.pdf",
        "symlink to the key file": outside / "keys-symlink.csv",
        "copy of the database elsewhere": backup,
        "copy of the key file elsewhere": key_copy,
    }


@pytest.mark.parametrize("write", WRITERS)
def test_an_export_never_overwrites_the_database_or_its_files(
        demo: AppContext, db_path: Path, tmp_path: Path, write: Writer) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    targets = _own_files(db_path, outside)
    db_path.with_name(db_path.name + ".before-0004.bak").write_bytes(db_path.read_bytes())
    before = len(audit_entries(demo))
    files_before, outside_before = snapshot(db_path.parent), snapshot(outside)
    slipped = []
    for label, target in targets.items():
        try:
            write(demo, target)
        except UserError as error:
            assert "belongs to a database" in str(error), label
        else:
            slipped.append(label)
    assert slipped == []
    assert snapshot(db_path.parent) == files_before
    assert snapshot(outside) == outside_before
    assert len(audit_entries(demo)) == before  # the database still works, nothing recorded


@pytest.mark.parametrize("write", WRITERS)
def test_an_export_refuses_what_is_not_a_regular_file(
        demo: AppContext, tmp_path: Path, write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "kanal.pdf"
    os.mkfifo(fifo)
    folder = tmp_path / "mappe.pdf"
    folder.mkdir()
    # This test runs as root on some machines: a service that does not refuse /dev/null
    # must fail here, not replace the machine's /dev/null. Nothing may be opened or
    # renamed in /dev at all.
    real_open, real_replace = os.open, os.replace

    def guarded_open(path: object, *args: object, **kwargs: object) -> int:
        assert not os.fspath(path).startswith("/dev/"), "an export wrote into /dev"  # type: ignore[arg-type]
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_replace(src: object, dst: object) -> None:
        assert not os.fspath(dst).startswith("/dev/"), "an export replaced a device"  # type: ignore[arg-type]
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "replace", guarded_replace)
    before = len(audit_entries(demo))
    for target in (Path("/dev/null"), fifo, folder):
        with pytest.raises(UserError, match="not a regular file"):
            write(demo, target)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir()
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert len(audit_entries(demo)) == before


def _cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", DEMO_PASSWORD)
    return cli.main(list(args))


def letter_referral(ctx: AppContext) -> str:
    """A referral whose letter the demo can print (its consent covers it)."""
    from boligsag.services.letters import render_referral_letter

    with ctx.read() as unit:
        uuids = list(unit.session.scalars(select(Referral.uuid)))
    for referral_uuid in uuids:
        try:
            render_referral_letter(ctx, referral_uuid)
        except UserError:
            continue
        return referral_uuid
    raise AssertionError("the demo has no printable referral")


def test_the_commands_refuse_the_database_with_one_line(
        demo: AppContext, db_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    referral_uuid = letter_referral(demo)
    files_before = snapshot(db_path.parent)
    key_file = str(keys.keys_path_for(db_path))
    runs = [
        ("letter", str(db_path), referral_uuid, "--out", str(db_path)),
        ("summary", str(db_path), "--from", "2025-01-01", "--to", "2025-12-31",
         "--format", "csv", "--out", key_file),
        ("summary", str(db_path), "--from", "2025-01-01", "--to", "2025-12-31",
         "--format", "pdf", "--out", str(db_path.with_name(db_path.name + "-wal"))),
    ]
    for args in runs:
        capsys.readouterr()
        assert _cli(monkeypatch, *args) == 1, args[0]
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and "belongs to a database" in lines[0], captured.err
        assert "Traceback" not in captured.err and captured.out == ""
    # Each run logs in (an audit entry, a WAL frame), so the files change; what must not
    # happen is a letter or a summary in their place. The database and keys still open.
    assert set(snapshot(db_path.parent)) == set(files_before)
    assert snapshot(db_path.parent)[db_path.name][:16] == files_before[db_path.name][:16]
    key_doc = json.loads(Path(key_file).read_text(encoding="utf-8"))
    assert key_doc["format"] == "boligsag-keys"
    ctx = unlock(db_path, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions())
    try:
        assert audit_entries(ctx)
    finally:
        lock(ctx)


# -- 2. short temporary names ----------------------------------------------------------------

@pytest.mark.parametrize("write", WRITERS)
def test_a_245_character_file_name_can_be_written(
        demo: AppContext, tmp_path: Path, write: Writer) -> None:
    folder = tmp_path / "ud"
    folder.mkdir()
    suffix = ".pdf" if write is write_letter else ".csv"
    target = folder / ("b" * (245 - len(suffix)) + suffix)
    assert len(target.name.encode()) == 245
    write(demo, target)
    assert [p.name for p in folder.iterdir()] == [target.name]  # no temp file left either


def test_a_245_character_name_through_the_command_line(
        demo: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    target = tmp_path / ("r" * 241 + ".csv")
    assert _cli(monkeypatch, "summary", str(db_path), "--from", "2025-01-01", "--to",
                "2025-12-31", "--out", str(target)) == 0
    assert target.stat().st_size > 0


# -- 3. the audit entry is committed before the file has its final name -----------------------

@pytest.mark.parametrize("write", WRITERS)
def test_the_audit_entry_is_committed_before_the_file_is_visible(
        demo: AppContext, tmp_path: Path, write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "brev.pdf"
    before = len(audit_entries(demo))
    real_replace = os.replace
    seen: list[int] = []

    def replace(src: object, dst: object) -> None:
        if Path(os.fspath(dst)) == target:  # type: ignore[arg-type]
            seen.append(len(audit_entries(demo)))  # a separate, read-only session
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    write(demo, target)
    assert seen == [before + 1]
    assert audit_entries(demo)[-1].action in (AuditAction.SAVE_PDF, AuditAction.EXPORT)


@pytest.mark.parametrize("write", WRITERS)
def test_a_failed_rename_is_recorded_as_failed(
        demo: AppContext, tmp_path: Path, write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry is committed before the rename; when the rename then fails, a second
    entry says that the output did not happen, so the log never claims a file that
    isn't there (bar a crash in between, which over-reports rather than hides)."""
    target = tmp_path / "brev.pdf"
    target.write_bytes(b"old")
    before = len(audit_entries(demo))

    def replace(src: object, dst: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises((OSError, UserError)):
        write(demo, target)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["brev.pdf"]
    assert target.read_bytes() == b"old"
    new = audit_entries(demo)[before:]
    assert [e.action for e in new][1:] == [AuditAction.OUTPUT_FAILED]
    assert new[0].action in (AuditAction.SAVE_PDF, AuditAction.EXPORT)
    assert (new[1].entity, new[1].entity_uuid, new[1].person_uuid) == (
        new[0].entity, new[0].entity_uuid, new[0].person_uuid)


@pytest.mark.parametrize("write", WRITERS)
def test_a_failure_while_writing_records_nothing(
        demo: AppContext, tmp_path: Path, write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ud"
    folder.mkdir()
    before = len(audit_entries(demo))

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises((OSError, UserError)):
        write(demo, folder / "brev.pdf")
    monkeypatch.undo()
    assert list(folder.iterdir()) == []
    assert len(audit_entries(demo)) == before


KILLED_AFTER_RENAME = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from boligsag.storage import keys
    from boligsag.storage.kdf import KdfParams
    keys.KDF_PARAMS = KdfParams(memory_cost=1024, iterations=1, lanes=1)
    from boligsag.services.unlock import UnlockOptions, unlock
    sys.path.insert(0, sys.argv[4])
    from tests.integration.test_output_files import write_letter, write_summary

    ctx = unlock(Path(sys.argv[1]), "admin", sys.argv[2],
                 options=UnlockOptions(integrity_check=False))
    target = Path(sys.argv[3])
    real_replace = os.replace

    def replace(src, dst):
        real_replace(src, dst)
        if Path(dst) == target:  # the file has its name: die at once, no clean-up
            os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace
    {"letter": write_letter, "summary": write_summary}[sys.argv[5]](ctx, target)
""")


@pytest.mark.parametrize("kind", ["letter", "summary"])
def test_killed_after_the_rename_the_entry_is_already_there(
        db_path: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "brev.pdf"
    root = Path(__file__).resolve().parents[2]
    action = AuditAction.SAVE_PDF if kind == "letter" else AuditAction.EXPORT

    def outputs() -> int:
        ctx = unlock(db_path, DEMO_USERNAME, DEMO_PASSWORD,
                     options=UnlockOptions(integrity_check=False))
        try:
            return sum(1 for entry in audit_entries(ctx) if entry.action == action)
        finally:
            lock(ctx)

    before = outputs()
    done = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_RENAME, str(db_path), DEMO_PASSWORD, str(target),
         str(root), kind], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert target.is_file()
    assert outputs() == before + 1


# -- 4. no text from the path in the audit log ------------------------------------------------

def test_audit_entries_hold_no_text_from_the_path(
        demo: AppContext, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "Ayşe Kaya 010190-1234"
    folder.mkdir()
    before = len(audit_entries(demo))
    save_pdf(demo, fake_letter(demo), folder / "brev til Ayşe Kaya 0101901234.pdf")
    for fmt in ExportFormat:
        export_summary(demo, YEAR, fmt, folder / f"Ayşe Kaya 0101901234.{fmt.value}")
    referral_uuid = letter_referral(demo)
    assert _cli(monkeypatch, "letter", str(db_path), referral_uuid, "--out",
                str(folder / "Kaya-010190-1234.pdf")) == 0
    assert _cli(monkeypatch, "summary", str(db_path), "--from", "2025-01-01", "--to",
                "2025-12-31", "--out", str(folder / "Kaya-010190-1234.xlsx")) == 0
    new = audit_entries(demo)[before:]
    assert len(new) >= 6
    for entry in new:
        text = " ".join(str(v) for v in (entry.entity, entry.entity_uuid, entry.person_uuid,
                                         entry.detail))
        for forbidden in ("Ayşe", "Kaya", "0101901234", "010190-1234", "brev", str(tmp_path)):
            assert forbidden not in text, (entry.action, entry.detail)
    summaries = [e for e in new if e.action == AuditAction.EXPORT]
    assert {e.detail.split()[1] for e in summaries} == {"xlsx", "csv", "pdf"}
    assert all("2025-01-01..2025-12-31" in e.detail and "rows=" in e.detail for e in summaries)
    letters = [e for e in new if e.action == AuditAction.SAVE_PDF]
    assert letters and all(e.person_uuid and e.entity_uuid for e in letters)


# -- 5. owner-only files ---------------------------------------------------------------------

@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Most desktops run with umask 022: files are world-readable unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_database_key_file_and_every_export_are_owner_only(
        usual_umask: None, created_db: CreatedDb, tmp_path: Path) -> None:
    db = created_db.path
    ctx = unlock(db, "admin", created_db.password, clock=FixedClock(datetime(2026, 11, 25, 9)),
                 options=UnlockOptions(integrity_check=False))
    try:
        with ctx.write(None) as unit:  # a write, so that the WAL and shared memory exist
            unit.audit(AuditAction.VIEW, entity="test")
        for companion in ("", "-wal", "-shm", ".keys"):
            path = Path(f"{db}{companion}")
            assert path.exists(), companion
            assert mode_of(path) == 0o600, companion
    finally:
        lock(ctx)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_letters_and_summaries_are_owner_only_also_when_replacing(
        usual_umask: None, demo: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "ud"
    folder.mkdir()
    letter = folder / "brev.pdf"
    letter.write_bytes(b"an older, world-readable file")
    letter.chmod(0o644)
    save_pdf(demo, fake_letter(demo), letter)
    assert mode_of(letter) == 0o600
    for fmt in ExportFormat:
        target = folder / f"opgørelse.{fmt.value}"
        target.write_bytes(b"old")
        target.chmod(0o664)
        export_summary(demo, YEAR, fmt, target)
        assert mode_of(target) == 0o600, fmt
        assert target.read_bytes() != b"old"


def test_the_commands_refuse_before_asking_for_a_password(
        db_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--out boligsag.db.keys`` is refused at once: no password prompt, no work, and
    not a "give --format" usage error that hides the real problem."""
    monkeypatch.delenv("BOLIGSAG_PASSWORD", raising=False)
    key_file = str(keys.keys_path_for(db_path))
    for args in (["summary", str(db_path), "--from", "2025-01-01", "--to", "2025-12-31",
                  "--out", key_file],
                 ["letter", str(db_path), "00000000-0000-4000-8000-000000000000",
                  "--out", str(db_path)]):
        capsys.readouterr()
        assert cli.main(args) == 1, args[0]
        assert "belongs to a database" in capsys.readouterr().err
