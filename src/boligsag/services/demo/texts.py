"""Danish text for the demo: contact notes, goals, reasons and purposes.

Templates rather than generated prose: short, in the voice of a busy social worker,
and about invented situations. No real names appear; people are "mor", "sønnen"...
"""

from __future__ import annotations

import random

RELATIVES = ("sønnen", "datteren", "den ældste", "den yngste", "lillebror", "storesøster")
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag")

# Notes by contact-topic code. {rel} is a child, {day} a weekday.
NOTES: dict[str, tuple[str, ...]] = {
    "school": (
        "Mor fortæller, at {rel} har meget fravær. Aftalt at jeg deltager i møde på skolen {day}.",
        "Snak om trivsel i klassen. {rel} har det bedre efter klasseskift.",
        "Far bekymret for {rel}s fravær. Vi ringer sammen til klasselæreren.",
    ),
    "homework": (
        "Hjælp til matematikafleveringen. Kommer igen i lektiecaféen {day}.",
        "Lektiehjælp til dansk stil. Motiveret og godt forberedt.",
    ),
    "youth_education": (
        "Drøftet valg af ungdomsuddannelse. Interesse for EUD – aftalt besøg på erhvervsskolen.",
        "Har søgt HF. Hjælp til at udfylde ansøgningen på optagelse.dk.",
        "Er faldet fra på gymnasiet. Aftalt møde med UU-vejleder.",
    ),
    "daycare": (
        "Hjælp til at skrive {rel} op til vuggestue. Mor vil gerne starte i sprogskole.",
        "Snak om opstart i børnehave. Forældrene er usikre på rutinerne.",
    ),
    "parenting": (
        "Samtale om grænser og skærmtid. Mor vil prøve faste sengetider.",
        "Far ønsker råd om {rel}, som er meget ude om aftenen.",
        "Forældremøde forberedt sammen. Mor har svært ved at forstå Aula.",
    ),
    "health": (
        "Henvendelse om søvnproblemer. Opfordret til at kontakte egen læge.",
        "Snak om trivsel og ensomhed. Aftalt at følge op {day}.",
    ),
    "language": (
        "Hjælp til at finde et danskhold om aftenen.",
        "Læst brev fra kommunen sammen og forklaret indholdet.",
    ),
    "leisure_job": (
        "Skrevet ansøgning til fritidsjob i Netto. Øvet jobsamtale.",
        "Opfølgning på fritidsjob: trives og får flere timer.",
        "Har mistet fritidsjobbet. Vi kigger på nye muligheder.",
    ),
    "job_search": (
        "CV opdateret. Søger job som chauffør og lagermedarbejder.",
        "Øvet jobsamtale til stilling i rengøring. Samtale {day}.",
    ),
    "jobcentre": (
        "Hjælp til at forstå brev fra jobcentret om samtale. Tager med til mødet.",
        "Har fået sanktion. Vi ringer sammen til jobcentret.",
    ),
    "economy": (
        "Restance på husleje. Aftalt afdragsordning med ejendomskontoret.",
        "Gennemgang af budget. Henvist til gældsrådgivning.",
    ),
    "risk_behaviour": (
        "Samtale med ung om vennekreds og aftener i området.",
        "Bekymring fra forældre om {rel}. Aftalt tæt kontakt de næste uger.",
    ),
    "conflict": (
        "Naboklage om støj. Mæglende samtale med begge parter.",
        "Konflikt mellem unge ved beboerhuset. Snakket med de involverede.",
    ),
    "ssp": (
        "Orienteret forældrene om SSP's forældremøde om unge og nattelivet.",
        "Fortalt om klubbens tilbud og SSP-samarbejdet i området.",
    ),
    "leisure_activities": (
        "Hjulpet {rel} i gang med fodbold i den lokale klub. Kontingent via fritidspas.",
        "Snak om fritidsaktiviteter. Vil gerne prøve boksning.",
    ),
    "volunteering": (
        "Vil gerne være frivillig i lektiecaféen. Aftalt introduktion {day}.",
        "Tak for hjælpen til sommerfesten. Vil gerne hjælpe igen.",
    ),
    "neighbours": (
        "Ny i området. Fortalt om fællesspisning og kvindecaféen.",
        "Snak om ensomhed. Inviteret med til fællesspisning.",
    ),
    "democracy": (
        "Interesseret i afdelingsbestyrelsen. Fortalt om næste afdelingsmøde.",
        "Hjælp til at forstå dagsorden til afdelingsmødet.",
    ),
    "authorities": (
        "Hjælp til e-Boks og brev fra Udbetaling Danmark.",
        "Udfyldt ansøgning om boligstøtte sammen.",
        "Hjælp til at bestille tid i borgerservice til pas.",
    ),
}
FOLLOW_UP_NOTES = (" Følger op om en uge.", " Aftalt at ringe igen.", " Opfølgning aftalt.")
SSP_NOTE = "SSP-notat (retsplejeloven § 115): drøftet på SSP-møde, koordineret indsats aftalt."

NETWORK_MOTHER_REFERRALS = (
    "Kvindecaféen i beboerhuset", "Sprogskolen", "Egen læge", "Lektiecaféen",
    "Frivilligcenteret", "Åben rådgivning i beboerhuset",
)

GOALS: dict[str, tuple[str, ...]] = {
    "youth_mentoring": (
        "Gennemføre 9. klasse og søge ungdomsuddannelse",
        "Komme i skole hver dag og mindske fraværet",
        "Afklare valg af ungdomsuddannelse sammen med UU",
        "Komme tilbage i uddannelse efter frafald",
    ),
    "job_mentoring": (
        "Skrive CV og søge job", "Komme i praktik via jobcentret",
        "Forbedre dansk med henblik på job", "Fastholde nyt job de første måneder",
    ),
    "parent_guidance": (
        "Styrke samarbejdet med skolen", "Tryg start i daginstitution for den yngste",
        "Faste rutiner ved sengetid", "Forberede skolestart",
    ),
    "network_mothers": ("Gennemføre bydelsmor-uddannelsen",),
    "homework_course": ("Forberede afgangsprøve i dansk og matematik",),
    "mothers_danish": ("Bruge dansk i hverdagen", "Forstå breve fra skole og kommune"),
    "pocket_money": ("Få erfaring med et første job", "Møde til tiden og passe sit arbejde"),
    "leisure_jobs": ("Finde og fastholde et fritidsjob", "Gå fra lommepengejob til fritidsjob"),
}
ABSENCE_REASONS = ("Syg", "Meldt afbud", "Udeblevet", "Lægebesøg", "Familiebesøg", "Eksamen")

POCKET_MONEY_EMPLOYERS = (
    "Ejendomskontoret – grønne områder", "Beboerhuset – café og opvask",
    "Genbrugsbutikken i afdelingen", "Boldklubben – banepasning", "Ejendomskontoret – oprydning",
)
LEISURE_EMPLOYERS = (
    "Netto", "REMA 1000", "Lidl", "Føtex", "McDonald's", "Sunset Boulevard", "Bilka",
    "Jysk", "Avisomdeling", "Bageriet på torvet", "Pizzeria Napoli", "Tankstationen",
)

# Referral reasons and consent purposes by service code.
REASONS: dict[str, tuple[str, ...]] = {
    "health_visitor": ("Mor ønsker råd om amning og søvn.",
                       "Bekymring for barnets trivsel og vægt."),
    "daycare": ("Hjælp til at finde plads i dagtilbud.",
                "Ønske om tidligere opstart i børnehave."),
    "family_caseworker": ("Familien ønsker støtte i hjemmet.",
                          "Behov for afklaring af støtte til familien."),
    "jobcentre": ("Ønsker hjælp til at komme i praktik.",
                  "Vil gerne afklare muligheder for job og uddannelse."),
    "youth_guidance": ("Afklaring af ungdomsuddannelse efter 9. klasse.",
                       "Er faldet fra uddannelse og ønsker vejledning."),
    "ssp": ("Koordinering omkring ung med bekymrende adfærd.",),
    "ppr": ("Skolen og forældrene ønsker vurdering af barnets læring.",),
    "citizen_service": ("Hjælp til sag om boligstøtte og pas.",),
    "addiction": ("Ønsker hjælp til at stoppe med hash.",),
    "debt_counselling": ("Gæld og huslejerestancer; ønsker rådgivning.",),
    "school": ("Samarbejde om højt fravær.", "Forældrene ønsker møde om trivsel i klassen."),
    "adult_social": ("Ønsker støtte til at klare hverdagen.",),
}
CONCERN_REASON = ("Underretning: bekymring for barnets trivsel og forældrenes overskud. "
                  "Barnet har højt fravær og fremstår utrygt.")
PURPOSE = "Henvisning til {service} med henblik på {aim}."
AIMS: dict[str, str] = {
    "health_visitor": "råd og vejledning om barnets sundhed",
    "daycare": "plads i dagtilbud",
    "family_caseworker": "afklaring af støtte til familien",
    "jobcentre": "afklaring af job- og uddannelsesmuligheder",
    "youth_guidance": "vejledning om ungdomsuddannelse",
    "ssp": "koordineret forebyggende indsats",
    "ppr": "vurdering af barnets læring og trivsel",
    "citizen_service": "hjælp til ansøgninger",
    "addiction": "behandling",
    "debt_counselling": "rådgivning om gæld og økonomi",
    "school": "samarbejde om barnets skolegang",
    "adult_social": "støtte i hverdagen",
}
EVENT_NOTES = {
    "draft": "Henvisning oprettet.",
    "sent": "Sendt med sikker post.",
    "received": "Modtagelse bekræftet.",
    "first_meeting": "Første møde holdt; medarbejder deltog.",
    "closed": "Afsluttet: borgeren er i forløb hos modtageren.",
    "declined": "Modtageren har afvist henvisningen.",
    "cancelled": "Annulleret efter aftale med borgeren.",
}


def notes_by_topic(rng: random.Random, variants: int = 6) -> dict[str, list[str]]:
    """Filled-in notes per topic code, made once: choosing from a list per contact is
    far cheaper than formatting half a million strings."""
    out: dict[str, list[str]] = {}
    for code, templates in NOTES.items():
        filled = [
            rng.choice(templates).format(rel=rng.choice(RELATIVES), day=rng.choice(WEEKDAYS))
            for _ in range(variants * len(templates))
        ]
        out[code] = [text[:1].upper() + text[1:] for text in filled]
    return out
