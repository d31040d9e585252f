"""SQLCipher 4 through SQLAlchemy: opening, creating and checking the encrypted database.

Facts this module is built on (measured with sqlcipher3-binary 0.6.0 / SQLCipher 4.12):

- ``PRAGMA key`` never fails by itself; a wrong key shows as SQLITE_NOTADB ("file is not a
  database") on the first read. So every connection reads ``sqlite_master`` right after
  the key, and the key is the first statement (anything earlier on a new file creates a
  plaintext database).
- A read/write connection with a WRONG key still changes files: when a ``-wal`` is left
  over from a crash, closing that connection checkpoints the (still encrypted) frames into
  the main file and deletes the ``-wal``/``-shm``. So an existing file is first opened
  ``mode=ro&immutable=1`` (no locks, no WAL, no ``-shm``), the key is verified there, and
  only then is the file opened for writing.
- A read/write connection with the RIGHT key folds any ``-wal`` beside the file into
  it, whoever wrote it. So before the first such connection, wal_guard.py decides
  whether the ``-wal`` is this file's own and refuses one that is not.
- A damaged page fails its HMAC and surfaces as SQLITE_CORRUPT or SQLITE_NOMEM (Python
  ``MemoryError``), and after that as "SQL logic error": the connection stays in that
  error state. damage.py throws such a connection away and refuses further writes.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlcipher3 import dbapi2 as sqlcipher

from boligsag.collation import danish_compare
from boligsag.storage.collation_upkeep import refresh_if_icu_changed
from boligsag.storage.damage import refuse_writes_if_damaged, watch_for_damage
from boligsag.storage.dialect import DANISH_SQLITE
from boligsag.storage.errors import (
    CipherSettingsMismatch,
    DatabaseExists,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    IntegrityFailed,
    NotABoligsagDatabase,
    StrPath,
)
from boligsag.storage.file_access import write_problem
from boligsag.storage.file_checks import quick_check_driver
from boligsag.storage.read_only import (
    IN_READ_INFO,
    allow_writes,
    end_reads_with_transactions,
    refuse_writes,
)
from boligsag.storage.wal_guard import check_wal, wal_has_frames
from boligsag.storage.write_errors import explain_write_failures
from boligsag.storage.write_lock import WriteWait, begin_immediate

__all__ = ["export_plain_copy", "keyed_connection", "open_engine", "plain_engine"]

_PLAINTEXT_HEADER = b"SQLite format 3\x00"
# SQLCipher 4 defaults, which make the file openable by the stock sqlcipher shell with
# the raw key. Another build (e.g. a v3-compatible one) would write an incompatible file.
_EXPECTED_CIPHER = {
    "cipher_page_size": "4096",
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
    "cipher_use_hmac": "1",
    "cipher_plaintext_header_size": "0",
}
# Per connection, after the key is verified. temp_store=MEMORY: sorts and temp tables
# never reach an (unencrypted) temp file, whatever the build's default. cache_size: a
# 64 MiB page cache per connection keeps decrypted pages of the busiest tables in
# memory (a heavy person's timeline: 50 ms with the 2 MiB default, ~30 ms with it).
_CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
)


IMMEDIATE_OPTION = "boligsag_begin_immediate"
# Execution option of read units of work (database.py): a deferred transaction in
# which the connection refuses writes to the main database (read_only.py).
READ_ONLY_OPTION = "boligsag_read_only"
_CHANGES_AT_BEGIN = "boligsag_total_changes_at_begin"


def open_engine(path: StrPath, db_key: bytes, *, create: bool = False,
                integrity_check: bool = True, busy_timeout_ms: int = 5000,
                pool_size: int = 5, read_only: bool = False,
                write_wait: WriteWait | None = None) -> Engine:
    """Open (or with ``create`` make) the encrypted database at ``path``.

    Raises DatabaseMissing / DatabaseExists, NotABoligsagDatabase (plaintext SQLite,
    random bytes, or a key that is not this file's), CipherSettingsMismatch,
    DatabaseWalMismatch (a -wal beside it that is not its own), DatabaseReadOnly,
    IntegrityFailed (``PRAGMA quick_check``), DatabaseLocked. On a failed create the
    files this call made are removed again.

    ``read_only`` (for commands that only read): no connection can write or checkpoint
    the file. ``write_wait``: how units of work wait for another writer (write_lock.py).
    """
    path = Path(path).absolute()  # a later chdir must not redirect pooled connections
    key_sql = _key_statement(db_key)
    if create:
        _create_empty_file(path)
    else:
        _preflight(path)
    mode = "rw"
    try:
        _verify_key_read_only(path, key_sql)
        if not create:  # before any connection that could fold a WAL into the file
            check_wal(path, db_key)
            mode = _open_mode(path, read_only)
        engine = _make_engine(path, key_sql, busy_timeout_ms, pool_size, mode,
                              write_wait or WriteWait())
        try:
            with engine.connect() as conn:  # first real connection: WAL recovery, pragmas
                if integrity_check:
                    quick_check_driver(conn.connection.driver_connection, path)
            if mode == "rw":  # before any list reads the Danish name indexes
                refresh_if_icu_changed(engine, {IMMEDIATE_OPTION: True})
        except BaseException:
            engine.dispose()
            raise
    except DBAPIError as exc:  # raised by the pool around our creator
        if create:
            _remove_created(path)
        raise _translate(exc.orig, path) from None
    except MemoryError:  # SQLCipher's page-HMAC failure while recovering the WAL
        if create:
            _remove_created(path)
        raise IntegrityFailed(path, "a page failed authentication") from None
    except BaseException:
        if create:
            _remove_created(path)
        raise
    return engine


def plain_engine(path: StrPath, *, busy_timeout_ms: int = 5000) -> Engine:
    """Unencrypted SQLite through the same module and settings. Benchmark comparison only."""
    return _make_engine(Path(path).absolute(), None, busy_timeout_ms, 5, mode="rwc")


def export_plain_copy(source: Engine | StrPath, db_key: bytes | None,
                      target: StrPath) -> Path:
    """Write a PLAINTEXT copy of the database to ``target`` with ``sqlcipher_export``.

    For the benchmark's encrypted-vs-plain comparison on synthetic data ONLY. It writes
    every row unencrypted to disk; never call it on real data. ``source`` is an engine
    from ``open_engine`` (``db_key`` is then ignored) or a path plus its key.
    """
    target = Path(target).absolute()
    engine = source if isinstance(source, Engine) else open_engine(
        source, db_key or b"", integrity_check=False)
    try:
        _create_empty_file(target)
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            # Bound parameter: no quoting problems with the target path.
            conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (os.fspath(target),))
            conn.execute("SELECT sqlcipher_export('plaintext')")
            conn.execute("DETACH DATABASE plaintext")
        except BaseException:
            _remove_created(target)
            raise
        finally:
            raw.close()
    finally:
        if engine is not source:
            engine.dispose()
    return target


def keyed_connection(path: StrPath, db_key: bytes, *, create: bool = False) -> Any:
    """A bare read/write SQLCipher connection to ``path`` under ``db_key`` (no pool, no
    pragmas), for whole-file work on a file no engine has open: a rekey, the target of
    a backup (file_copies.py). The key is verified first on a connection that cannot
    write (NotABoligsagDatabase); with ``create`` a new empty file (0600) is made
    instead (DatabaseExists). The caller closes it."""
    path = Path(path).absolute()
    key_sql = _key_statement(db_key)
    if create:
        _create_empty_file(path)
    else:
        _verify_key_read_only(path, key_sql)
    conn = _connect(_uri(path, "rw"))
    try:
        _apply_key(conn, key_sql)
    except sqlcipher.Error as exc:
        conn.close()
        raise _translate(exc, path) from None
    return conn


def key_opens(path: StrPath, db_key: bytes) -> bool:
    """Whether ``db_key`` is the key of the file at ``path``, asked on a connection that
    cannot write (after an interrupted key rotation: which key the file has now)."""
    try:
        _verify_key_read_only(Path(path).absolute(), _key_statement(db_key))
    except NotABoligsagDatabase:
        return False
    return True


# -- opening steps -------------------------------------------------------------------------


def _key_statement(db_key: bytes) -> str:
    if not isinstance(db_key, bytes) or len(db_key) != 32:
        raise ValueError("the database key must be 32 bytes")
    # Raw-key form: SQLCipher skips PBKDF2, so a connection opens in well under 1 ms.
    return f"PRAGMA key = \"x'{db_key.hex()}'\""


def _uri(path: Path, mode: str) -> str:
    # as_uri() percent-encodes "?", "#", spaces and æøå, which a raw "file:" string would not.
    return f"{path.as_uri()}?mode={mode}"


def _connect(uri: str, busy_timeout_ms: int = 5000) -> Any:
    # isolation_level=None: the DB-API driver must not issue its own BEGINs; SQLAlchemy's
    # "begin" event below does, so transactions (incl. DDL) are real and complete.
    conn = sqlcipher.connect(uri, uri=True, check_same_thread=False, isolation_level=None,
                             timeout=busy_timeout_ms / 1000)
    # Every connection, whatever it is for: the name indexes are built under the
    # collation "da" (migration 0010), and without it SQLite refuses the quick check,
    # any write to people and any query through those indexes.
    conn.create_collation(DANISH_SQLITE, danish_compare)
    return conn


def _apply_key(conn: Any, key_sql: str) -> None:
    conn.execute(key_sql)  # must be the first statement on the connection
    with contextlib.suppress(sqlcipher.DatabaseError):  # older builds lack this pragma
        conn.execute("PRAGMA cipher_log_level = NONE")


def _create_empty_file(path: Path) -> None:
    # O_EXCL: refusing to overwrite is atomic; 0600 before SQLite writes a byte, and
    # SQLite gives the -wal and -shm files the same permissions as the database.
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except FileExistsError:
        raise DatabaseExists(path) from None
    os.close(fd)


def _remove_created(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def _preflight(path: Path) -> None:
    """Cheap checks that read a few bytes and never open the file for writing."""
    if not path.exists():
        raise DatabaseMissing(path)
    if not path.is_file():
        raise NotABoligsagDatabase(path, "not a file")
    with path.open("rb") as f:
        head = f.read(len(_PLAINTEXT_HEADER))
    if not head:
        raise NotABoligsagDatabase(path, "the file is empty")
    if head == _PLAINTEXT_HEADER:
        raise NotABoligsagDatabase(path, "unencrypted SQLite file")


def _open_mode(path: Path, read_only: bool) -> str:
    """The URI mode for the file's connections; DatabaseReadOnly if it cannot be used."""
    problem = write_problem(path)
    if not read_only:
        if problem is not None:
            raise DatabaseReadOnly(path, problem)
        return "rw"
    if problem is None:
        return "ro"  # reads the -wal through the -shm; a read-only connection never folds
    if wal_has_frames(path):
        raise DatabaseReadOnly(path, f"{problem}, and its -wal holds changes that only "
                               "a writable open takes in; open it once where it can be written")
    # Nothing can change the file (and SQLite cannot make a -shm here): read it as is.
    return "ro&immutable=1"


def _verify_key_read_only(path: Path, key_sql: str) -> None:
    """Check library settings and the key on a connection that cannot write anything:
    the file alone first (``immutable``: no -wal read, no -shm made). A checkpoint cut
    short by a kill or a power cut leaves the file's pages half folded in until the
    -wal, which still holds them all, is folded in again; read alone the file is then
    "malformed" though nothing is lost. So when the first read finds the file
    malformed (page 1 decrypted, so the key is right: a wrong key fails there, as "not
    a database", and is tried no further, which would touch the -shm) and a -wal is
    beside it, the schema is read again through the -wal, read-only (such a connection
    never folds the -wal into the file)."""
    try:
        _read_schema(path, key_sql, _uri(path, "ro") + "&immutable=1")
    except IntegrityFailed:
        if not wal_has_frames(path):
            raise
        _read_schema(path, key_sql, _uri(path, "ro"))


def _read_schema(path: Path, key_sql: str, uri: str) -> None:
    conn = _connect(uri)
    try:
        _apply_key(conn, key_sql)
        _check_cipher_settings(conn, path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.Error as exc:
        raise _translate(exc, path) from None
    except MemoryError:  # SQLCipher's HMAC failure beyond page 1 (see module docstring)
        raise IntegrityFailed(path, "a page of the schema failed authentication") from None
    finally:
        conn.close()


def _check_cipher_settings(conn: Any, path: Path) -> None:
    version = _pragma(conn, "cipher_version")
    if not version.startswith("4."):
        raise CipherSettingsMismatch(path, f"SQLCipher 4 required, found {version or 'none'}")
    for name, expected in _EXPECTED_CIPHER.items():
        found = _pragma(conn, name)
        if found != expected:
            raise CipherSettingsMismatch(path, f"{name} is {found!r}, expected {expected!r}")


def _pragma(conn: Any, name: str) -> str:
    row = conn.execute(f"PRAGMA {name}").fetchone()
    return "" if row is None else str(row[0])


def _translate(exc: BaseException | None, path: Path) -> Exception:
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return NotABoligsagDatabase(path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseLocked(path)
    if name.startswith("SQLITE_READONLY"):
        return DatabaseReadOnly(path, "SQLite could not write it")
    if name.startswith("SQLITE_CORRUPT") or isinstance(exc, MemoryError):
        return IntegrityFailed(path, str(exc))
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))


def _make_engine(path: Path, key_sql: str | None, busy_timeout_ms: int, pool_size: int,
                 mode: str = "rw", write_wait: WriteWait | None = None) -> Engine:
    uri = _uri(path, mode)
    write_wait = write_wait or WriteWait()
    # A read-only connection must not ask for WAL mode (on an immutable file that is a
    # write) nor for a sync level it never uses.
    pragmas = _CONNECTION_PRAGMAS if not mode.startswith("ro") else tuple(
        p for p in _CONNECTION_PRAGMAS if "journal_mode" not in p and "synchronous" not in p)

    def creator() -> Any:
        conn = _connect(uri, busy_timeout_ms)
        try:
            if key_sql is not None:
                _apply_key(conn, key_sql)
            # Verify before anything can write (journal_mode below may write the header).
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            for pragma in pragmas:
                conn.execute(pragma)
        except BaseException:
            conn.close()
            raise
        return conn

    # QueuePool: a few connections shared by the GUI thread and workers, each used by one
    # thread at a time (check_same_thread=False only allows the hand-over). WAL lets
    # readers run while one writer commits. hide_parameters keeps row values (personal
    # data) out of exception messages that end up in logs and crash reports.
    # LIFO: the connection returned last is handed out first. Each connection has its
    # own cache of decrypted pages, and after a commit through one connection every
    # other one drops its whole cache at its next transaction; handed out in turn
    # (FIFO), a summary after a save ran on the other connection and decrypted
    # everything again (benchmark database: a year's summary right after an XLSX
    # export, whose audit entry is a commit, ~610 ms against ~420 ms; plain SQLite
    # re-reads from the OS cache and barely noticed).
    engine = create_engine("sqlite+pysqlite://", module=sqlcipher, creator=creator,
                           poolclass=QueuePool, pool_size=pool_size, max_overflow=pool_size,
                           pool_use_lifo=True, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's documented pysqlite fix, part 1

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Part 2: we start every transaction ourselves. Units of work that may write
        # ask for IMMEDIATE through an execution option (storage/database.py): it takes
        # the write lock up front, waiting up to busy_timeout for it, whereas a
        # deferred transaction that reads and then writes fails at once with "database
        # is locked" in WAL mode if another connection committed in between.
        # The wait for the write lock is write_lock.py's: it can tell the user it waits
        # and ends in DatabaseLocked rather than the driver's "database is locked".
        options = conn.get_execution_options()
        if options.get(IMMEDIATE_OPTION, False):
            refuse_writes_if_damaged(path)  # damage.py: reads still work
            begin_immediate(conn.connection.driver_connection, write_wait, path,
                            busy_timeout_ms)
        else:
            conn.exec_driver_sql("BEGIN")
            # On PostgreSQL a read is a READ ONLY transaction, made by server_engine.py's
            # own hook; no dialect branch here because this engine is only SQLite(Cipher).
            if options.get(READ_ONLY_OPTION, False):
                refuse_writes(conn.connection.driver_connection, conn.info)
                conn.info[IN_READ_INFO] = True
                return
        conn.info[_CHANGES_AT_BEGIN] = conn.connection.driver_connection.total_changes

    @event.listens_for(engine, "commit")
    def _bump_page_one(conn: Any) -> None:
        # Every commit that wrote rows also writes page 1 (user_version + 1), so the
        # header's change counter orders the WAL's frames against the file: the check
        # in wal_guard.py that refuses a stale -wal relies on it. DDL writes page 1
        # (sqlite_master) by itself. Costs one 4 KiB WAL frame per writing commit.
        driver = conn.connection.driver_connection
        if conn.info.pop(IN_READ_INFO, False):  # wrote nothing but TEMP tables: no bump
            allow_writes(driver, conn.info)
            return
        if driver.total_changes != conn.info.pop(_CHANGES_AT_BEGIN, driver.total_changes):
            version = driver.execute("PRAGMA user_version").fetchone()[0]
            driver.execute(f"PRAGMA user_version = {(int(version) + 1) & 0x7FFFFFFF}")

    end_reads_with_transactions(engine)
    watch_for_damage(engine, path)
    explain_write_failures(engine, path)
    return engine
