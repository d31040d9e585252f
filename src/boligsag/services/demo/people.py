"""Households and their members: names, ages, addresses, phones, CPR numbers and the
parent–child links that decide who gives consent for a child."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from sqlalchemy import select
from stdnum.dk import cpr as stdnum_cpr

from boligsag.domain.enums import Gender
from boligsag.storage.models import Area, Household, Person, PersonRelation

from .bulk import Gen, Row, table
from .names import Culture, FamilyName, NameMaker
from .world import HouseholdInfo, PersonInfo, World

HOUSEHOLD_KINDS = ("single", "couple", "family", "single_parent", "elderly")
HOUSEHOLD_WEIGHTS = (24, 9, 37, 22, 8)
FLOORS = ("st.", "1.", "2.", "3.", "4.")
SIDES = ("th.", "tv.", "mf.")
PERSON_NOTES = (
    "Foretrækker kontakt på sms.",
    "Har brug for tolk ved møder.",
    "Træffes bedst om eftermiddagen.",
    "Ønsker ikke at blive ringet op i arbejdstiden.",
    "Kontakt gerne via mor.",
)
_ASCII = str.maketrans({"ø": "o", "æ": "ae", "å": "aa", "ı": "i", "ł": "l", "đ": "d",
                        "Ø": "O", "Æ": "AE", "Å": "AA", "Ł": "L", "Đ": "D"})


def create_people(g: Gen, world: World, names: NameMaker, count: int) -> None:
    maker = _PeopleMaker(g, world, names)
    done = 0
    while done < count:
        done += maker.household(count - done)
        if len(maker.households) >= 500:
            maker.flush()
            g.progress.update(done / count)
    maker.flush()
    world.index_registrations()


class _PeopleMaker:
    def __init__(self, g: Gen, world: World, names: NameMaker) -> None:
        self.g, self.world, self.names = g, world, names
        self.rng = g.rng
        self.used_cprs: set[str] = set()
        self.households: list[Row] = []
        self.people: list[Row] = []
        self.relations: list[Row] = []
        fake = names.faker("da_DK")
        areas = g.conn.execute(select(Area.id, Area.name, Area.postal_code, Area.city)).all()
        self.places = {a.id: (a.postal_code, a.city) for a in areas}
        # Each estate's own street plus a few nearby, so neighbours share street names.
        self.streets = {
            a.id: [a.name] + [fake.street_name() for _ in range(self.rng.randint(2, 3))]
            for a in areas
        }
        self.history_days = (g.today - g.start).days

    # -- one household -----------------------------------------------------------------

    def household(self, room: int) -> int:
        """Create one household of at most ``room`` people; return its size."""
        rng, g = self.rng, self.g
        kind = rng.choices(HOUSEHOLD_KINDS, weights=HOUSEHOLD_WEIGHTS)[0]
        culture = self.names.pick_culture()
        family = self.names.new_family(culture)
        area_id = rng.choices(self.world.area_ids, weights=self.world.area_weights)[0]
        # Skewed early: most residents have been known to the team for years.
        registered = g.start + timedelta(days=int(self.history_days * rng.random() ** 1.6))
        members = self._members(kind, culture, family)[:room]
        hh_index = len(self.world.households)
        hh_id = g.next_id(table(Household))
        street = (f"{rng.choice(self.streets[area_id])} {rng.randint(1, 140)}, "
                  f"{rng.choice(FLOORS)} {rng.choice(SIDES)}")
        first_index = len(self.world.people)
        phone = ""
        for offset, (first, last, gender, birth, role) in enumerate(members):
            person = PersonInfo(
                id=0, first_name=first, last_name=last, gender=gender, birth_date=birth,
                household=hh_index, area_id=area_id,
                registered_on=min(g.today, max(registered, _earliest_known(rng, birth, role))),
                weight=rng.lognormvariate(0, 0.9) * _age_weight(_age(birth, g.today)),
            )
            row = self._person_row(person, culture, role, street, hh_id)
            person.id = row["id"]
            if offset == 0:
                phone = row["phone"]
            self.world.people.append(person)
            self.people.append(row)
        indexes = list(range(first_index, first_index + len(members)))
        self._link_parents(indexes, [m[4] for m in members])
        self.world.households.append(HouseholdInfo(hh_id, indexes, area_id))
        # Named after the children's surname where there are children.
        head = self.world.people[indexes[-1] if members[-1][4] == "child" else indexes[0]]
        label = "Familien" if len(members) > 1 else "Husstanden"
        created = g.at_work(min(self.world.people[i].registered_on for i in indexes))
        row = g.record(table(Household), created, self._worker(created.date()),
                       id=hh_id)
        row.update(name=f"{label} {head.last_name}", street=street,
                   postal_code=self.places[area_id][0], city=self.places[area_id][1],
                   phone=phone, area_id=area_id, note="")
        self.households.append(row)
        return len(members)

    def _members(self, kind: str, culture: Culture,
                 family: FamilyName) -> list[tuple[str, str, Gender, date, str]]:
        rng, names, today = self.rng, self.names, self.g.today
        out: list[tuple[str, str, Gender, date, str]] = []

        def mother_surname() -> str:
            if names.keeps_own_surname(culture):
                return names.own_surname(culture, Gender.FEMALE)
            return names.surname(family, Gender.FEMALE)

        def adult(gender: Gender, age: int, surname: str, role: str, given: str = "") -> None:
            given = given or names.given_name(culture, gender)
            out.append((given, surname, gender, _birth(rng, today, age), role))

        if kind in ("single", "elderly", "couple"):
            low, high = {"single": (18, 64), "elderly": (65, 88), "couple": (21, 60)}[kind]
            age = rng.randint(low, high)
            if kind == "single" or (kind == "elderly" and rng.random() < 0.55):
                gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
                adult(gender, age, names.own_surname(culture, gender), "adult")
                return out
            # A couple: he carries the family name; she took it or kept her own.
            adult(Gender.MALE, age, names.father_surname(family), "adult",
                  names.father_given(family))
            adult(Gender.FEMALE, max(18, age + rng.randint(-8, 3)), mother_surname(), "adult")
            return out
        mother_age = rng.randint(24, 54)
        two_parents = kind == "family"
        stepfamily = two_parents and rng.random() < 0.06
        if two_parents:
            adult(Gender.MALE, max(21, mother_age + rng.randint(-2, 8)),
                  names.father_surname(family), "stepparent" if stepfamily else "parent",
                  names.father_given(family))
            adult(Gender.FEMALE, mother_age, mother_surname(), "parent")
            if stepfamily:  # the children carry the name of a father who lives elsewhere
                family = names.new_family(culture)
        elif rng.random() < 0.85:
            adult(Gender.FEMALE, mother_age, names.own_surname(culture, Gender.FEMALE), "parent")
        else:
            adult(Gender.MALE, mother_age + rng.randint(0, 6), names.father_surname(family),
                  "parent", names.father_given(family))
        kids = rng.choices((1, 2, 3, 4, 5), weights=_KIDS[culture.code])[0]
        # The eldest was born when the mother was 19–32 (and is at most 24 now); each
        # sibling follows 15–60 months later, now and then as a twin.
        oldest = max(0, min(24, mother_age - rng.randint(19, 32)))
        birth = _birth(rng, today, oldest)
        for _ in range(kids):
            if birth > today:
                break
            gender = Gender.FEMALE if rng.random() < 0.49 else Gender.MALE
            out.append((names.given_name(culture, gender, born_in_denmark=True),
                        names.surname(family, gender), gender, birth, "child"))
            if rng.random() >= 0.02:
                birth += timedelta(days=rng.randint(15 * 30, 60 * 30))
        return out

    def _link_parents(self, indexes: list[int], roles: list[str]) -> None:
        parents = [i for i, r in zip(indexes, roles, strict=True) if r in ("parent", "stepparent")]
        for child, role in zip(indexes, roles, strict=True):
            if role != "child":
                continue
            info = self.world.people[child]
            for parent in parents:
                # A stepparent lives with the child but holds no custody: a consent for
                # the child must come from the mother (or the absent father).
                custody = roles[indexes.index(parent)] == "parent"
                if custody:
                    info.parents.append(parent)
                self.world.people[parent].children.append(child)
                at = self.g.at_work(info.registered_on)
                row = self.g.record(table(PersonRelation), at, self._worker(at.date()))
                row.update(parent_id=self.world.people[parent].id, child_id=info.id,
                           has_custody=custody)
                self.relations.append(row)

    def _person_row(self, person: PersonInfo, culture: Culture, role: str, street: str,
                    household_id: int) -> Row:
        g, rng = self.g, self.rng
        age = _age(person.birth_date, g.today)
        at = g.at_work(person.registered_on)
        row = g.record(table(Person), at, self._worker(at.date()))
        has_cpr = rng.random() < (0.66 if age >= 18 else 0.52)
        cpr = make_cpr(rng, person.birth_date, person.gender, self.used_cprs) if has_cpr else None
        # A few adults were written down with a name only (no birth date given yet).
        birth: date | None = person.birth_date
        if cpr is None and age >= 18 and rng.random() < 0.04:
            birth = None
        phone = g.phone() if (age >= 18 and rng.random() < 0.85) or (
            13 <= age < 18 and rng.random() < 0.6) else ""
        email = _email(rng, person) if age >= 18 and rng.random() < 0.3 else ""
        if culture.code == "danish":
            languages = "dansk"
        elif role == "child" or age < 30:
            languages = f"dansk, {culture.language}"
        else:
            languages = culture.language + (", dansk" if rng.random() < 0.6 else "")
        restricted = rng.random() < 0.015
        workers = self.world.workers(g.today)
        responsible = rng.choice(workers).id if restricted or rng.random() < 0.2 else None
        row.update(
            first_name=person.first_name, last_name=person.last_name, cpr=cpr,
            birth_date=birth, gender=str(person.gender), phone=phone, email=email,
            street=street, postal_code=self.places[person.area_id][0],
            city=self.places[person.area_id][1], area_id=person.area_id, household_id=household_id,
            languages=languages, restricted=restricted, responsible_user_id=responsible,
            note=rng.choice(PERSON_NOTES) if rng.random() < 0.05 else "", anonymised_at=None,
        )
        return row

    def _worker(self, day: date) -> int:
        return self.rng.choice(self.world.workers(day)).id

    def flush(self) -> None:
        self.g.insert(table(Household), self.households)
        self.g.insert(table(Person), self.people)
        self.g.insert(table(PersonRelation), self.relations)
        self.households, self.people, self.relations = [], [], []


_KIDS = {  # weights for 1..5 children by background
    "danish": (35, 45, 17, 3, 0), "polish": (40, 45, 13, 2, 0), "vietnamese": (35, 50, 13, 2, 0),
    "somali": (10, 20, 25, 25, 20), "afghan": (12, 22, 26, 22, 18),
}
_KIDS.update({c: (18, 32, 28, 14, 8) for c in ("turkish", "arabic", "pakistani", "kurdish")})


def make_cpr(rng: random.Random, birth: date, gender: Gender, used: set[str]) -> str:
    """A CPR number that encodes ``birth`` (century digit included) and ``gender`` (odd
    last digit = male) and passes the classic modulus-11 check, so it raises no typo
    warning. Synthetic: a real person may hold the same number, as with any valid one."""
    yy = birth.year % 100
    if 1900 <= birth.year <= 1999:
        sevenths = "0123" + ("49" if yy >= 37 else "")
    elif 2000 <= birth.year <= 2036:
        sevenths = "5678" + ("49" if yy < 37 else "")
    else:
        raise ValueError("CPR numbers here cover 1900–2036")
    prefix = birth.strftime("%d%m%y")
    want_odd = gender == Gender.MALE
    for _ in range(20):
        seventh = rng.choice(sevenths)
        offset = rng.randrange(1000)
        for step in range(1000):
            number = f"{prefix}{seventh}{(offset + step) % 1000:03d}"
            if (int(number[-1]) % 2 == 1) == want_odd and stdnum_cpr.checksum(number) == 0 \
                    and number not in used:
                used.add(number)
                return number
    raise ValueError("no free CPR number for this birth date")


def _birth(rng: random.Random, today: date, age: int) -> date:
    # A day within the year of life that gives exactly ``age`` completed years today.
    latest = _anniversary(today, -age)
    earliest = _anniversary(today, -age - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _earliest_known(rng: random.Random, birth: date, role: str) -> date:
    """A child is written down soon after birth; an adult in the household was never
    known as a minor without a parent (nobody could have consented for them)."""
    if role == "child":
        return birth + timedelta(days=rng.randint(20, 120))
    return _anniversary(birth, 18)


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - int((on.month, on.day) < (birth.month, birth.day))


def _age_weight(age: int) -> float:
    # Contacts about small children are held with their parents.
    if age < 10:
        return 0.03
    if age < 13:
        return 0.3
    return 0.6 if age >= 65 else 1.0


def _email(rng: random.Random, person: PersonInfo) -> str:
    def plain(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.translate(_ASCII))
        return "".join(c for c in text if c.isascii() and (c.isalnum() or c == " ")).lower()

    local = ".".join(plain(person.first_name).split()[:1] + plain(person.last_name).split()[-1:])
    suffix = str(rng.randint(1, 99)) if rng.random() < 0.5 else ""
    # example.* domains are reserved: a demo must never mail a real inbox.
    return f"{local}{suffix}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
