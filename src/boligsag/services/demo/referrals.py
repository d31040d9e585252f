"""Consents and referrals (brobygning) with their status history.

Every referral walks the real state machine (``domain.referral_flow``) one step at a
time, with plausible days between steps; the walk is cut at ``today``, so recent
referrals are still open and some are overdue. A referral is sent only under a consent
that covers it on that day (to that service, not withdrawn); a child's consent is given
by a parent holding custody. Notifications of concern need no consent.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date, datetime, timedelta

from sqlalchemy import select

from boligsag.domain.consent import default_valid_to
from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.storage.models import Consent, Referral, ReferralEvent, Service

from .bulk import Gen, Row, cumulative, table
from .contacts import contact_days
from .texts import AIMS, CONCERN_REASON, EVENT_NOTES, PURPOSE, REASONS
from .world import PersonInfo, World

S = ReferralStatus
SERVICES_BY_AGE = (  # (up to age, {service code: weight})
    (2, {"health_visitor": 50, "daycare": 35, "family_caseworker": 15}),
    (5, {"daycare": 40, "ppr": 25, "family_caseworker": 20, "health_visitor": 15}),
    (15, {"ppr": 30, "school": 30, "family_caseworker": 30, "ssp": 10}),
    (17, {"youth_guidance": 45, "ssp": 15, "family_caseworker": 20, "school": 20}),
    (29, {"jobcentre": 35, "youth_guidance": 25, "debt_counselling": 10, "citizen_service": 10,
          "addiction": 8, "adult_social": 12}),
    (64, {"jobcentre": 35, "debt_counselling": 20, "citizen_service": 15, "adult_social": 15,
          "family_caseworker": 10, "addiction": 5}),
    (200, {"citizen_service": 45, "adult_social": 40, "debt_counselling": 15}),
)
SCOPES_BY_SERVICE = {  # beyond "identity": what the letter to each service needs
    "health_visitor": ("health", "household"), "daycare": ("household",),
    "family_caseworker": ("household", "social"), "jobcentre": ("employment",),
    "youth_guidance": ("employment", "school"), "ssp": ("school", "social"),
    "ppr": ("school", "health"), "citizen_service": ("social",), "addiction": ("health",),
    "debt_counselling": ("social",), "school": ("school", "household"),
    "adult_social": ("social", "health"),
}
# Fate of a referral if nothing stops it first (weights); steps are (status, min, max days).
FATES = (
    (64, ((S.SENT, 0, 6), (S.RECEIVED, 1, 10), (S.FIRST_MEETING, 7, 45), (S.CLOSED, 14, 150))),
    (5, ((S.SENT, 0, 6), (S.DECLINED, 3, 20))),
    (7, ((S.SENT, 0, 6), (S.RECEIVED, 1, 10), (S.DECLINED, 5, 30))),
    (4, ((S.CANCELLED, 1, 20),)),
    (3, ((S.SENT, 0, 6), (S.CANCELLED, 3, 30))),
    (4, ((S.SENT, 0, 6), (S.RECEIVED, 1, 10), (S.CANCELLED, 5, 40))),
    (4, ((S.SENT, 0, 6), (S.RECEIVED, 1, 10), (S.FIRST_MEETING, 7, 45), (S.CANCELLED, 10, 90))),
)
CONCERN_SHARE = 0.04
WITHDRAWN_SHARE = 0.06


def timeline(rng: random.Random, created: date) -> list[tuple[ReferralStatus, date]]:
    steps = rng.choices([s for _, s in FATES], weights=[w for w, _ in FATES])[0]
    out = [(S.DRAFT, created)]
    day = created
    for status, low, high in steps:
        if status == S.SENT and rng.random() < 0.2:
            low, high = 7, 20  # the letter waited for a signature
        day += timedelta(days=rng.randint(low, high))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        out.append((status, day))
    return out


class _Referrals:
    def __init__(self, g: Gen, world: World) -> None:
        self.g, self.world = g, world
        self.rng = g.rng
        ref = world.ref
        self.service_ids = ref.services
        self.service_names = {code: name for code, name in
                              g.conn.execute(select(Service.code, Service.name))}
        self.scopes = set(ref.consent_scopes)
        self.by_age = [(high, [c for c in w if c in ref.services],
                        cumulative(w[c] for c in w if c in ref.services))
                       for high, w in SERVICES_BY_AGE]
        self.cum = cumulative(world.people[i].weight for i in world.by_registration)
        # Latest consent per (person id, service id): (consent id, valid_to, withdrawn_on)
        self.consents_by_key: dict[tuple[int, int], tuple[int, date, date | None]] = {}
        self.consents: list[Row] = []
        self.referrals: list[Row] = []
        self.events: list[Row] = []
        self.concern_years: set[int] = set()  # the years with a notification of concern

    def person(self, day: date) -> PersonInfo | None:
        known = self.world.known_count(day)
        for _ in range(6):
            if known == 0:
                return None
            i = bisect_left(self.cum, self.rng.random() * self.cum[known - 1], 0, known - 1)
            person = self.world.people[self.world.by_registration[i]]
            if person.birth_date <= day:
                return person
        return None

    def consent(self, person: PersonInfo, service: str, sent: date, start: date) -> int | None:
        """A consent covering ``service`` on ``sent``: an existing one, or a new one."""
        g, rng = self.g, self.rng
        service_id = self.service_ids[service]
        known = self.consents_by_key.get((person.id, service_id))
        if known and sent <= known[1] and (known[2] is None or sent < known[2]):
            return known[0]
        valid_from = max(person.registered_on, person.birth_date,
                         start - timedelta(days=rng.randint(0, 7)))
        valid_to = default_valid_to(valid_from)
        withdrawn: date | None = None
        if rng.random() < WITHDRAWN_SHARE:
            withdrawn = sent + timedelta(days=rng.randint(5, 150))
            if withdrawn > valid_to or withdrawn > g.today:
                withdrawn = None
        scope = ["identity"] + (["contact"] if rng.random() < 0.7 else []) + list(
            SCOPES_BY_SERVICE.get(service, ())) + (["cpr"] if rng.random() < 0.4 else [])
        scope = [s for s in dict.fromkeys(scope) if s in self.scopes] or sorted(self.scopes)[:1]
        giver: PersonInfo | None = person
        if person.age_on(valid_from) < 18:
            parents = [self.world.people[p] for p in person.parents]
            # The mother more often signs; either custody holder may.
            parents.sort(key=lambda p: p.gender != "female")
            giver = parents[0] if parents and rng.random() < 0.75 else (
                rng.choice(parents) if parents else None)
        at = g.at_work(valid_from)
        row = g.record(table(Consent), at, self._worker(valid_from))
        if withdrawn is not None:
            row["updated_at"] = g.at_work(withdrawn)
        row.update(person_id=person.id, service_id=service_id, scope=scope,
                   purpose=PURPOSE.format(service=self.service_names.get(service, service),
                                          aim=AIMS.get(service, "samarbejde")),
                   # As the consent service stores it: no giver = the person themself; a
                   # registered custody holder by id; an unregistered one by name.
                   given_by_person_id=giver.id if giver and giver is not person else None,
                   given_by_name="" if giver else "Forælder med forældremyndighed",
                   valid_from=valid_from, valid_to=valid_to, signed_on=valid_from,
                   withdrawn_on=withdrawn, note="")
        self.consents.append(row)
        self.consents_by_key[(person.id, service_id)] = (row["id"], valid_to, withdrawn)
        return int(row["id"])

    def referral(self, created: date, force_concern: bool) -> None:
        g, rng = self.g, self.rng
        person = self.person(created)
        if person is None:
            return
        age = person.age_on(created)
        concern = age < 18 and "family_caseworker" in self.service_ids and (
            force_concern or rng.random() < CONCERN_SHARE)
        if concern:
            service = "family_caseworker"
        else:
            codes, cum = next((c, w) for high, c, w in self.by_age if age <= high)
            if not codes:
                return
            service = rng.choices(codes, cum_weights=cum)[0]
        steps = timeline(rng, created)
        sent = next((d for s, d in steps if s == S.SENT), None)
        consent_id = None
        if not concern:
            consent_id = self.consent(person, service, sent or created, created)
            withdrawn = self.consents_by_key[(person.id, self.service_ids[service])][2]
            if withdrawn is not None and withdrawn < steps[-1][1]:
                # Consent withdrawn while the referral was open: it is cancelled that day.
                steps = [s for s in steps if s[1] < withdrawn] + [(S.CANCELLED, withdrawn)]
        steps = [s for s in steps if s[1] <= g.today]
        staff = self._worker(created)
        dates = {status: day for status, day in steps}
        row = g.record(table(Referral), g.at_work(created), staff)
        referral_id = row["id"]
        previous: ReferralStatus | None = None
        recorded: datetime | None = None
        first_recorded: datetime | None = None
        for status, day in steps:
            # Steps on the same day are recorded a few minutes apart, in order.
            recorded = max(g.at_work(day), (recorded or datetime.min) + timedelta(minutes=5))
            first_recorded = first_recorded or recorded
            event = g.record(table(ReferralEvent), recorded, staff)
            event.update(referral_id=referral_id, from_status=None if previous is None
                         else str(previous), to_status=str(status), on=day, recorded_at=recorded,
                         note=EVENT_NOTES[status] if rng.random() < 0.6 else "")
            self.events.append(event)
            previous = status
        assert previous is not None and recorded is not None
        row["created_at"], row["updated_at"] = first_recorded, recorded
        row.update(person_id=person.id, service_id=self.service_ids[service],
                   consent_id=consent_id,
                   kind=str(ReferralKind.CONCERN if concern else ReferralKind.REFERRAL),
                   reason=CONCERN_REASON if concern else rng.choice(
                       REASONS.get(service, ("Ønsker hjælp og vejledning.",))),
                   contact_user_id=staff, status=str(previous), status_changed_on=steps[-1][1],
                   created_on=created, sent_on=dates.get(S.SENT),
                   first_meeting_on=dates.get(S.FIRST_MEETING), closed_on=dates.get(S.CLOSED))
        self.referrals.append(row)
        if concern:
            self.concern_years.add(created.year)

    def _worker(self, day: date) -> int:
        return self.rng.choice(self.world.workers(day)).id

    def expiring_consents(self, count: int) -> None:
        """Consents signed a year ago, expiring within 30 days: the renewal reminder."""
        for _ in range(count):
            valid_from = self.g.today - timedelta(days=365 - self.rng.randint(1, 29))
            person = self.person(valid_from)
            if person is not None:
                service = self.rng.choice(list(SCOPES_BY_SERVICE))
                if service in self.service_ids:
                    self.consent(person, service, valid_from, valid_from)

    def flush(self) -> None:
        self.g.insert(table(Consent), self.consents)
        self.g.insert(table(Referral), self.referrals)
        self.g.insert(table(ReferralEvent), self.events)
        self.consents, self.referrals, self.events = [], [], []


def create_referrals(g: Gen, world: World, count: int) -> None:
    maker = _Referrals(g, world)
    days = contact_days(g, count)
    for n, day in enumerate(days, 1):
        # At least one notification of concern a year (a year's summary shows the
        # kind), even in a tiny demo: forced from July of a year that has none yet.
        maker.referral(day, force_concern=day.year not in maker.concern_years and (
            day.month >= 7 or (not maker.concern_years and n > len(days) // 2)))
        if n % 5_000 == 0:
            maker.flush()
            g.progress.update(n / len(days))
    maker.expiring_consents(3 + count // 100)
    maker.flush()
