"""Regenerate ``resources/reference/postal_codes.json`` from the PyPI package
countrystatecity-postal-codes (data from the countries-states-cities-database project,
Open Database License 1.0).

Run it by hand when the list should be refreshed; the app never downloads anything:

    python -m pip download --no-deps countrystatecity-postal-codes==2.0.1 -d /tmp/pc
    python tools/postal_codes.py /tmp/pc/countrystatecity_postal_codes-2.0.1-py3-none-any.whl

Only Denmark's own list is kept. Greenland (39xx) and the Faroe Islands (3 digits) have
their own postal systems, housing law and municipalities outside the Danish social-housing
areas this app serves; an address there can still be typed, the form only says it does
not know the code.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

MEMBER = "countrystatecity_postal_codes/data/by-country/DK/postcodes.json"
TARGET = Path(__file__).resolve().parents[1] / "resources" / "reference" / "postal_codes.json"


def main(wheel: str) -> None:
    name = Path(wheel).name  # e.g. countrystatecity_postal_codes-2.0.1-py3-none-any.whl
    version = name.split("-")[1]
    with zipfile.ZipFile(wheel) as archive:
        records = json.loads(archive.read(MEMBER))
    towns: dict[str, str] = {}
    for record in records:
        code, town = record["code"], record["localityName"]
        if len(code) != 4 or not code.isdigit():
            raise SystemExit(f"unexpected Danish postal code {code!r}")
        if towns.setdefault(code, town) != town:
            raise SystemExit(f"{code} has two towns: {towns[code]!r} and {town!r}")
    data = {
        "_source": f"PyPI package countrystatecity-postal-codes {version}, file {MEMBER}; "
                   "regenerated with tools/postal_codes.py",
        "_licence": "Open Database License (ODbL) 1.0, "
                    "https://opendatacommons.org/licenses/odbl/1-0/ ; data from the "
                    "countries-states-cities-database project (dr5hn)",
        "postal_codes": dict(sorted(towns.items())),
    }
    text = json.dumps(data, ensure_ascii=False, indent=0)
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"{len(towns)} postal codes written to {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
