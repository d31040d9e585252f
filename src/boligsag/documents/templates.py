"""Letter texts, kept in editable text files in ``resources/templates``.

An administrator changes the wording of a letter without touching code, so the files
are plain UTF-8 text in the simplest format that still has structure::

    # A comment line.
    [subject]
    Henvisning: {person_name}

    [intro]
    Vi henviser hermed {person_name} til {service_name}.

    Et nyt afsnit begynder efter en tom linje.

A file is ``<letter>.txt`` (Danish) or ``<letter>.<language>.txt``. Each letter declares
which sections and placeholders exist; a template is checked completely *before*
anything is drawn, and any mistake (an unknown or misspelt placeholder, a missing
section, a stray brace) raises :class:`TemplateError` naming the file, the line and the
placeholder. A letter with "{person_nme}" or a blank where a name should be must never
reach a printer. Files are read on every render, so an edit shows at the next preview.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from boligsag.resources import resource_path

from .errors import TemplateError

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class LetterTemplate:
    name: str
    path: Path
    sections: Mapping[str, str]

    def paragraphs(self, section: str, values: Mapping[str, str]) -> list[str]:
        """The section's paragraphs with placeholders filled; lines inside a paragraph
        are kept as line breaks (the administrator sees the layout they typed)."""
        filled = self.sections.get(section, "").format_map(values)
        blocks = [block.strip("\n") for block in filled.split("\n\n")]
        return [block for block in blocks if block.strip()]

    def text(self, section: str, values: Mapping[str, str]) -> str:
        return "\n\n".join(self.paragraphs(section, values))


def template_path(name: str, language: str = "da", directory: Path | None = None) -> Path:
    folder = Path(directory) if directory is not None else resource_path("templates")
    localised = folder / f"{name}.{language}.txt"
    return localised if language != "da" and localised.is_file() else folder / f"{name}.txt"


def load_template(
    name: str,
    *,
    sections: Set[str],
    placeholders: Set[str],
    language: str = "da",
    directory: Path | None = None,
    optional_sections: Set[str] = frozenset(),
) -> LetterTemplate:
    """Read and check a template. ``sections`` must all be present; ``optional_sections``
    may be; ``placeholders`` are the only fields the text may use."""
    path = template_path(name, language, directory)
    file = path.name
    try:
        raw = path.read_text(encoding="utf-8-sig")  # -sig: Notepad writes a BOM
    except FileNotFoundError:
        raise TemplateError(
            "template.missing_file", "The letter template {file} does not exist.", file=str(path)
        ) from None
    except UnicodeDecodeError:
        raise TemplateError(
            "template.encoding", "The letter template {file} is not saved as UTF-8.", file=file
        ) from None

    known_sections = set(sections) | set(optional_sections)
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(raw.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            if section not in known_sections:
                raise TemplateError(
                    "template.unknown_section",
                    "The letter template {file} has an unknown section [{section}] on line "
                    "{line}. Known sections: {known}.",
                    file=file,
                    section=section,
                    line=number,
                    known=", ".join(sorted(known_sections)),
                )
            current = found.setdefault(section, [])
            continue
        if current is None:
            if stripped:
                raise TemplateError(
                    "template.text_outside_section",
                    "The letter template {file} has text before its first [section] on line "
                    "{line}.",
                    file=file,
                    line=number,
                )
            continue
        _check_line(line, number, file, placeholders)
        current.append(line.rstrip())

    for section in sorted(sections):
        if section not in found:
            raise TemplateError(
                "template.missing_section",
                "The letter template {file} has no [{section}] section.",
                file=file,
                section=section,
            )
    return LetterTemplate(
        name=name, path=path, sections={k: "\n".join(v).strip("\n") for k, v in found.items()}
    )


def _check_line(line: str, number: int, file: str, allowed: Set[str]) -> None:
    try:
        parts = list(_FORMATTER.parse(line))
    except ValueError:
        raise TemplateError(
            "template.syntax",
            "The letter template {file} has a stray brace on line {line}. Placeholders look "
            "like {example}; write a literal brace twice.",
            file=file,
            line=number,
            example="{person_name}",
        ) from None
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            raise TemplateError(
                "template.unknown_placeholder",
                "The letter template {file} uses the unknown placeholder {placeholder} on "
                "line {line}. Known placeholders: {known}.",
                file=file,
                placeholder="{" + field + "}",
                line=number,
                known=", ".join("{" + p + "}" for p in sorted(allowed)),
            )
