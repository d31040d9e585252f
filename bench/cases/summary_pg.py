"""Issue 11 §5: a year's and ten years' summary on the team server's PostgreSQL against
the same summary on the laptop's SQLCipher file (bar: PostgreSQL ≤ 1.5× SQLCipher).

``python bench/run.py --only summary-pg``: the first case's untimed preparation starts
a throwaway PostgreSQL cluster (tests/pg.py's, in a temporary folder, removed at exit)
and copies the benchmark database into it with storage/copy_database.py (its time is
printed). Each case times the summary on PostgreSQL; its comparison column is the same
summary on the encrypted file, so the ratio is PostgreSQL / SQLCipher.
"""

from __future__ import annotations

import atexit
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.storage import migrate
from boligsag.storage.copy_database import copy_database
from boligsag.storage.database import Database
from boligsag.storage.server_engine import open_server_engine
from boligsag.summaries.filter import SummaryFilter

from . import Case
from .summaries import _ten_years, _year

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for tests.pg
from tests.pg import PgCluster, find_bin_dir


@dataclass(frozen=True)
class OnServer:
    server: AppContext
    summary_filter: SummaryFilter


_SERVER: list[AppContext] = []  # one copy per run, shared by both cases


def _server_copy(laptop: AppContext) -> AppContext:
    if _SERVER:
        return _SERVER[0]
    root = Path(tempfile.mkdtemp(prefix="boligsag-bench-pg-"))
    root.chmod(0o755)  # the cluster runs as the postgres user under root
    cluster = PgCluster(find_bin_dir(), root)
    cluster.start()
    atexit.register(cluster.stop)
    engine = open_server_engine(cluster.url(cluster.create_database()))
    atexit.register(engine.dispose)  # registered last, so it runs before the stop
    migrate.upgrade(engine)
    print("copying the benchmark database into PostgreSQL …", file=sys.stderr, flush=True)
    started = time.monotonic()
    counts = copy_database(laptop.db.engine, engine)
    print(f"copied {sum(counts.values()):,} rows ({counts['contacts']:,} contacts) in "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    _SERVER.append(AppContext(Database(engine), laptop.actor, keys_path=laptop.keys_path,
                              clock=laptop.clock))
    return _SERVER[0]


def _prepare(period: Any) -> Any:
    def prepare(laptop: AppContext) -> OnServer:
        return OnServer(_server_copy(laptop), period(laptop))
    return prepare


def _on_postgres(_laptop: AppContext, state: OnServer) -> object:
    return compute_summary(state.server, state.summary_filter)


def _on_sqlcipher(laptop: AppContext, state: OnServer) -> object:
    return compute_summary(laptop, state.summary_filter)


CASES = [
    Case("summary-pg, one year (vs SQLCipher)", _on_postgres, prepare=_prepare(_year),
         baseline=_on_sqlcipher, opt_in=True),
    Case("summary-pg, ten years (vs SQLCipher)", _on_postgres, prepare=_prepare(_ten_years),
         baseline=_on_sqlcipher, opt_in=True),
]
