"""The team side of tools/team_screenshots.py: a real team server made with the project's
own commands (``boligsag server init`` / ``server add-user`` on a throwaway PostgreSQL
cluster, ``boligsag server run`` as a subprocess that can be stopped and started again on
the same address), and Jonas's laptop replica, which joins, adds fictional casework
(Faker da_DK names) and syncs with the services and the sync engine, as the app does.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.pg import PgCluster  # noqa: E402  (the tests' cluster code)

BOLIGSAG = str(Path(sys.executable).with_name("boligsag"))
AREA = "Nordparken"
ADMIN, ADMIN_PASSWORD = "admin", "administratorens-lange-kodeord"  # throwaway accounts
METTE, METTE_PASSWORD = "mette", "mettes-lange-kodeord"
JONAS, JONAS_PASSWORD = "jonas", "jonas-lange-kodeord"
SEED = 12
# Real postal codes with their towns (Faker's are random digits beside a random town).
TOWNS = (("8210", "Aarhus V"), ("8220", "Brabrand"), ("8200", "Aarhus N"))


class StepFailed(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the team server -----------------------------------------------------------------------


@dataclass
class TeamServer:
    """``boligsag server run`` on one configuration folder and port, stoppable and
    startable again on the same address (a laptop keeps the address it joined)."""

    folder: Path
    port: int
    fingerprint: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [BOLIGSAG, "server", "run", "--config", str(self.folder),
                 "--listen", f"127.0.0.1:{self.port}"], stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        cert = str(self.folder / "tls" / "cert.pem")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StepFailed("the server stopped: " + self.log_path.read_text()[-2000:])
            try:
                if httpx.get(f"{self.base_url}/v1/health", verify=cert,
                             timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling a starting process: nothing to wait on
        raise StepFailed("the server did not answer /v1/health within a minute")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(*args: str, password: str) -> str:
    """One ``boligsag`` command with the password on standard input; its output."""
    result = subprocess.run([BOLIGSAG, *args, "--password-stdin"], input=password + "\n",
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StepFailed(f"boligsag {' '.join(args[:2])} failed: {result.stderr[-2000:]}")
    return result.stdout


def set_up_server(pg: PgCluster, work: Path) -> TeamServer:
    with pg._admin_connection() as connection:
        connection.execute('CREATE DATABASE "boligsag"')
    folder = work / "server"
    out = cli("server", "init", pg.url("boligsag"), "--organisation", "Boligsocialt Hus",
              "--admin-name", "Åse Nørgaard", "--config", str(folder), "--area", AREA,
              "--plan", "Helhedsplan Nord", "--host", "127.0.0.1", "--host", "localhost",
              password=ADMIN_PASSWORD)
    match = re.search(r"fingerprint \(SHA-256\): ([0-9A-F:]{95})", out)
    if match is None:
        raise StepFailed(f"server init printed no fingerprint: {out}")
    for username, name, password in ((METTE, "Mette Kjær", METTE_PASSWORD),
                                     (JONAS, "Jonas Lund", JONAS_PASSWORD)):
        cli("server", "add-user", username, "--name", name, "--role", "staff",
            "--area", AREA, "--config", str(folder), password=password)
    server = TeamServer(folder, free_port(), match.group(1), work / "server.log")
    server.start()
    log(f"team server on {server.base_url}")
    return server


# -- Jonas's laptop --------------------------------------------------------------------------


def jonas_sync(path: Path, server: TeamServer,
               work: Callable[[Any], None] | None = None) -> None:
    """Jonas opens his replica, does ``work`` and syncs it (push, pull) with the server."""
    from boligsag.services.sync_client import engine, team
    from boligsag.services.unlock import UnlockOptions, lock, unlock

    ctx = unlock(path, JONAS, JONAS_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        if work is not None:
            work(ctx)
        connection = team.connect(ctx)
        try:
            team.log_in(ctx, connection, JONAS_PASSWORD)
            engine.sync_once(ctx, connection)
        finally:
            connection.close()
    finally:
        lock(ctx)


def casework(ctx: Any) -> None:
    """Fictional people of Nordparken and contacts with them, as Jonas logs them."""
    from faker import Faker
    from sqlalchemy import select

    from boligsag.domain.enums import Gender
    from boligsag.services.casework_common import current_plan
    from boligsag.services.contact_rows import ContactDraft
    from boligsag.services.contacts import log_contact
    from boligsag.services.people import PersonDraft, create_person
    from boligsag.storage.models import Area, Channel, Topic

    fake = Faker("da_DK")
    Faker.seed(SEED)
    chance = random.Random(SEED)
    with ctx.db.reading() as session:
        area = session.scalars(select(Area.id).where(Area.name == AREA)).one()
        channels = list(session.scalars(select(Channel.code).where(Channel.active.is_(True))))
        # The topics the quick log offers: contact topics of the plan's focus areas.
        plan = current_plan(session)
        topics = list(session.scalars(select(Topic.id).where(
            Topic.category == "contact", Topic.active.is_(True),
            Topic.focus_area_id.in_([f.id for f in plan.focus_areas]) if plan else True)))
    notes = ["Ønsker hjælp til budget.", "Søger fritidsjob.", "Kontakt via mor.",
             "Flyttet ind i foråret.", "Taler bedst engelsk.", ""]
    people = []
    for _ in range(24):
        male = chance.random() < 0.5
        first = fake.first_name_male() if male else fake.first_name_female()
        born = fake.date_of_birth(minimum_age=8, maximum_age=70)
        postal_code, city = chance.choice(TOWNS)
        draft = PersonDraft(first, fake.last_name(), birth_date=born,
                            gender=Gender.MALE if male else Gender.FEMALE, area_id=area,
                            phone=fake.phone_number(), postal_code=postal_code, city=city,
                            street=fake.street_address(), note=chance.choice(notes))
        people.append(create_person(ctx, draft).person.id)
    now = ctx.clock.now()
    for n in range(40):
        log_contact(ctx, ContactDraft(
            chance.choice(channels), person_ids=(chance.choice(people),),
            occurred_at=now - timedelta(days=n, hours=chance.randint(0, 6)),
            topic_ids=tuple(chance.sample(topics, k=min(len(topics), chance.randint(1, 2)))),
            duration_minutes=chance.choice((10, 15, 30, 45)),
            note=chance.choice(("Opfølgning på samtale.", "Ringede om skolen.",
                                "Hjælp til ansøgning.", ""))))


def set_note(person_name: str, note: str) -> Callable[[Any], None]:
    def edit(ctx: Any) -> None:
        from boligsag.services.people import get_person, update_person

        detail = get_person(ctx, person_id_of(ctx, person_name))
        update_person(ctx, detail.person.id, detail.person.version,
                      replace(detail.to_draft(), note=note))
    return edit


def note_of(ctx: Any, full_name: str) -> str:
    from boligsag.services.people import get_person

    return get_person(ctx, person_id_of(ctx, full_name)).note


def person_id_of(ctx: Any, full_name: str) -> int:
    from sqlalchemy import select

    from boligsag.storage.models import Person

    with ctx.db.reading() as session:
        for person in session.scalars(select(Person).where(Person.deleted_at.is_(None))):
            if f"{person.first_name} {person.last_name}" == full_name:
                return int(person.id)
    raise StepFailed(f"nobody called {full_name} here")
