"""Names for synthetic residents, reflecting who lives in Danish social-housing areas.

Danish names come from Faker ``da_DK``; Faker has no Latin-script names for several of
the other backgrounds (its Arabic locales write Arabic script), so curated lists ship in
``resources/demo/names.json``. Each culture also says how a family's names hang
together, because a search for "Familien Abdi" or a household of "Nguyễn" and "Trần"
only looks right if the pattern is the real one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from boligsag.domain.enums import Gender
from boligsag.resources import load_json


@dataclass(frozen=True)
class Culture:
    code: str
    weight: float
    faker_locale: str | None
    faker_share: float
    naming: str  # family | patronymic | vietnamese | polish
    language: str  # Danish name of the language, for Person.languages
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    male_middle: tuple[str, ...] = ()
    female_middle: tuple[str, ...] = ()


@dataclass(frozen=True)
class FamilyName:
    """What a family passes on: the surname stem (or, for patronymic naming, the
    father's given name)."""

    culture: Culture
    stem: str


class NameMaker:
    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        data = load_json("demo", "names.json")["cultures"]
        self.cultures = [
            Culture(
                code=code,
                weight=float(c["weight"]),
                faker_locale=c.get("faker"),
                faker_share=float(c.get("faker_share", 0.0)),
                naming=c["naming"],
                language=c["language"],
                male=tuple(c["male"]),
                female=tuple(c["female"]),
                surnames=tuple(c["surnames"]),
                male_middle=tuple(c.get("male_middle", ())),
                female_middle=tuple(c.get("female_middle", ())),
            )
            for code, c in data.items()
        ]
        self.by_code = {c.code: c for c in self.cultures}
        self._weights = [c.weight for c in self.cultures]
        self._fakers: dict[str, Faker] = {}
        for culture in self.cultures:
            if culture.faker_locale and culture.faker_locale not in self._fakers:
                fake = Faker(culture.faker_locale)
                fake.seed_instance(seed)  # Faker keeps its own RNG; seed it for determinism
                self._fakers[culture.faker_locale] = fake
        self.danish = self.by_code["danish"]

    def faker(self, locale: str = "da_DK") -> Faker:
        if locale not in self._fakers:
            fake = Faker(locale)
            fake.seed_instance(self.rng.getrandbits(32))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def pick_culture(self) -> Culture:
        return self.rng.choices(self.cultures, weights=self._weights)[0]

    # -- given names -------------------------------------------------------------------

    def given_name(self, culture: Culture, gender: Gender, *, born_in_denmark: bool = False) -> str:
        male = gender == Gender.MALE
        if culture.naming == "vietnamese":
            given = self.rng.choice(culture.male if male else culture.female)
            if born_in_denmark and self.rng.random() < 0.4:
                # Many children born here get a Danish first name and keep a Vietnamese one.
                return f"{self._danish_given(male)} {given}"
            middle = self.rng.choice(culture.male_middle if male else culture.female_middle)
            return f"{middle} {given}"
        locale = culture.faker_locale
        if locale and (not culture.male or self.rng.random() < culture.faker_share):
            fake = self._fakers[locale]
            return fake.first_name_male() if male else fake.first_name_female()
        return self.rng.choice(culture.male if male else culture.female)

    def _danish_given(self, male: bool) -> str:
        fake = self._fakers["da_DK"]
        return fake.first_name_male() if male else fake.first_name_female()

    # -- family names ------------------------------------------------------------------

    def new_family(self, culture: Culture) -> FamilyName:
        if culture.naming == "patronymic":
            # The stem is the father's given name: his children carry it as surname.
            return FamilyName(culture, self.rng.choice(culture.male))
        if culture.faker_locale and not culture.surnames:
            return FamilyName(culture, self._fakers[culture.faker_locale].last_name())
        return FamilyName(culture, self.rng.choice(culture.surnames))

    def surname(self, family: FamilyName, gender: Gender) -> str:
        """The surname of a child (or a wife who took the name) of ``family``."""
        if family.culture.naming == "polish" and gender == Gender.FEMALE:
            return polish_feminine(family.stem)
        return family.stem

    def own_surname(self, culture: Culture, gender: Gender) -> str:
        """The surname an adult brought into the household (e.g. a mother who kept hers)."""
        if culture.naming == "patronymic":
            # Her father's given name, sometimes followed by her grandfather's.
            name = self.rng.choice(culture.male)
            if self.rng.random() < 0.3:
                name = f"{name} {self.rng.choice(culture.male)}"
            return name
        return self.surname(self.new_family(culture), gender)

    def father_surname(self, family: FamilyName) -> str:
        """Under patronymic naming the father's own surname is *his* father's name."""
        if family.culture.naming == "patronymic":
            return self.rng.choice(family.culture.male)
        return family.stem

    def father_given(self, family: FamilyName) -> str:
        if family.culture.naming == "patronymic":
            return family.stem
        return self.given_name(family.culture, Gender.MALE)

    def keeps_own_surname(self, culture: Culture) -> bool:
        """Whether a mother keeps her own surname rather than the family's."""
        if culture.naming in ("vietnamese", "patronymic"):
            return True  # women keep their own names in these traditions
        share = {"danish": 0.35, "pakistani": 0.4, "arabic": 0.3, "polish": 0.1}
        return self.rng.random() < share.get(culture.code, 0.15)


def polish_feminine(surname: str) -> str:
    """Kowalski → Kowalska, Górecki → Górecka; Nowak and Mazur do not change."""
    for ending, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + feminine
    return surname
