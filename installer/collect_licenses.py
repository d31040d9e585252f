"""Write the licence notices of everything the built program bundles into
``resources/licenses/``, where the About dialog reads them (from a checkout and from the
PyInstaller build, which bundles resources/):

    python installer/collect_licenses.py [OUT_DIR]      (default: resources/licenses)

``components.json`` lists each component (name, version, licence) and names its text
file in ``texts/``. The Python packages are the runtime dependencies of ``boligsag`` as
installed (the closure of pyproject's dependencies, never the dev tools), with the licence
texts their wheels carry; the libraries inside those wheels that carry no text of their
own (Qt, SQLCipher, ICU, OpenSSL, the Python runtime) get theirs from the Debian system
this runs on. Run it again after changing a pinned version; tests/unit/test_licenses.py
fails while the list names another version than pyproject.toml.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import re
import sys
import sysconfig
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
COMMON = Path("/usr/share/common-licenses")

SQLCIPHER = """SQLCipher Community Edition
Copyright (c) 2008, ZETETIC LLC
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
    * Redistributions of source code must retain the above copyright
      notice, this list of conditions and the following disclaimer.
    * Redistributions in binary form must reproduce the above copyright
      notice, this list of conditions and the following disclaimer in the
      documentation and/or other materials provided with the distribution.
    * Neither the name of the ZETETIC LLC nor the
      names of its contributors may be used to endorse or promote products
      derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY ZETETIC LLC ''AS IS'' AND ANY
EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL ZETETIC LLC BE LIABLE FOR ANY
DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
(INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND
ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
(INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

SQLCipher is built on SQLite, which is in the public domain.
"""


def _runtime_distributions() -> list[md.Distribution]:
    """boligsag's dependencies and theirs, as installed here (markers evaluated, no
    extras but those a requirement names); plus PyICU when it is installed."""
    seen: dict[str, md.Distribution] = {}
    queue = [(r, ()) for r in md.requires("boligsag") or []]
    if _installed("pyicu-wheels"):
        queue.append(("pyicu-wheels", ()))
    while queue:
        text, extras = queue.pop()
        req = Requirement(text)
        env = {"extra": extras[0]} if extras else {"extra": ""}
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        key = req.name.lower().replace("_", "-")
        if key in seen or not _installed(req.name):
            continue
        dist = md.distribution(req.name)
        seen[key] = dist
        for sub in dist.requires or []:
            for extra in req.extras or [""]:
                queue.append((sub, (extra,) if extra else ()))
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def _installed(name: str) -> bool:
    try:
        md.distribution(name)
    except md.PackageNotFoundError:
        return False
    return True


def _licence_name(dist: md.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    return (meta.get("License") or "see text").splitlines()[0][:80]


def _licence_texts(dist: md.Distribution) -> str:
    pattern = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
    parts = []
    for file in dist.files or []:
        if ".dist-info" in str(file) and pattern.search(file.name):
            parts.append(f"----- {file.name} -----\n{file.read_text(encoding='utf-8')}")
    return "\n\n".join(parts)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _system_components(versions: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(name, version, licence, text) of the libraries inside the wheels."""
    icu = (Path("/usr/share/doc/libicu72/copyright").read_text(encoding="utf-8")
           .split("Files: debian/*")[0])
    python_licence = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    return [
        ("Qt", versions.get("pyside6-essentials", ""), "LGPL-3.0-only",
         "Qt and Qt for Python (PySide6, shiboken6) are used under the GNU Lesser General "
         "Public License version 3. The Qt libraries are separate files in the program "
         "folder and can be replaced with modified versions.\n\n"
         + (COMMON / "LGPL-3").read_text(encoding="utf-8") + "\n\n"
         + (COMMON / "GPL-3").read_text(encoding="utf-8")),
        ("SQLCipher", "4", "BSD-3-Clause", SQLCIPHER),
        ("ICU", _qt_icu_version(), "Unicode-3.0 (ICU licence)", icu),
        ("OpenSSL", "3", "Apache-2.0", (COMMON / "Apache-2.0").read_text(encoding="utf-8")),
        ("Python", ".".join(map(str, sys.version_info[:3])), "PSF-2.0",
         python_licence.read_text(encoding="utf-8")),
        ("DejaVu fonts", "2.37", "Bitstream Vera / DejaVu (free)",
         (ROOT / "resources" / "fonts" / "DejaVu-LICENSE.txt").read_text(encoding="utf-8")),
    ]


def _qt_icu_version() -> str:
    """The ICU inside the PySide6 wheel (libicuuc.so.<major>)."""
    import PySide6

    found = sorted(Path(PySide6.__file__).parent.glob("Qt/lib/libicuuc.so.*"))
    return found[0].name.rsplit(".", 1)[1] if found else ""


def collect(out_dir: Path) -> list[dict[str, str]]:
    texts = out_dir / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    for old in texts.glob("*.txt"):
        old.unlink()
    entries: list[dict[str, str]] = []
    dists = _runtime_distributions()
    versions = {_slug(d.metadata["Name"]): d.version for d in dists}
    for name, version, licence, text in _system_components(versions):
        file = f"{_slug(name)}.txt"
        (texts / file).write_text(text, encoding="utf-8")
        entries.append({"name": name, "version": version, "licence": licence, "text": file})
    for dist in dists:
        name = dist.metadata["Name"]
        file = f"{_slug(name)}.txt"
        text = _licence_texts(dist)
        if not text and _slug(name).startswith(("pyside6", "shiboken6")):
            file = "qt.txt"  # Qt for Python's wheels carry no text: Qt's LGPL is it
        else:
            (texts / file).write_text(text or _licence_name(dist), encoding="utf-8")
        entries.append({"name": name, "version": dist.version,
                        "licence": _licence_name(dist), "text": file})
    (out_dir / "components.json").write_text(
        json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return entries


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "licenses"
    print(f"{len(collect(target))} components written to {target}")
