"""Letter templates: the shipped ones load, and every mistake an administrator can make
in one is reported with file, line and placeholder instead of being printed."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from boligsag.documents import concern_letter, consent_form, referral_letter
from boligsag.documents.errors import TemplateError
from boligsag.documents.fonts import printable
from boligsag.documents.templates import load_template
from boligsag.i18n import check_catalogue

LETTERS = [referral_letter, consent_form, concern_letter]


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = folder / f"{name}.txt"
    path.write_text(text, encoding=encoding)
    return path


def load(folder: Path, name: str = "test", **kwargs: object) -> object:
    options: dict[str, object] = {"sections": {"subject", "body"},
                                  "placeholders": {"person_name", "service_name"}}
    options.update(kwargs)
    return load_template(name, directory=folder, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("letter", LETTERS, ids=lambda m: m.TEMPLATE)
@pytest.mark.parametrize("language", ["da", "en"])
def test_shipped_templates_are_valid(letter: object, language: str) -> None:
    template = load_template(
        letter.TEMPLATE, sections=letter.SECTIONS, placeholders=letter.PLACEHOLDERS,  # type: ignore[attr-defined]
        language=language, optional_sections=frozenset({"marking"}),
    )
    assert set(template.sections) >= letter.SECTIONS  # type: ignore[attr-defined]


def test_sections_paragraphs_and_comments(tmp_path: Path) -> None:
    write(tmp_path, "test", "# a comment {not_checked}\n[subject]\nHenvisning: {person_name}\n\n"
          "[body]\nFørste linje\nanden linje til {service_name}\n\nNyt afsnit med {{krøller}}\n")
    template = load(tmp_path)
    values = {"person_name": "Şükrü Yılmaz", "service_name": "Jobcenter"}
    assert template.text("subject", values) == "Henvisning: Şükrü Yılmaz"  # type: ignore[attr-defined]
    assert template.paragraphs("body", values) == [  # type: ignore[attr-defined]
        "Første linje\nanden linje til Jobcenter", "Nyt afsnit med {krøller}"]


def test_unknown_placeholder_names_file_line_and_placeholder(tmp_path: Path) -> None:
    write(tmp_path, "test", "[subject]\nHenvisning\n[body]\nHej\nVi henviser {person_nme}.\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    error = caught.value
    assert error.code == "template.unknown_placeholder"
    assert error.params["placeholder"] == "{person_nme}"
    assert error.params["line"] == 5
    assert error.params["file"] == "test.txt"
    assert "{person_name}" in str(error.params["known"])
    assert "{person_nme}" in str(error) and "test.txt" in str(error)
    assert "ukendte pladsholder {person_nme}" in error.message()


@pytest.mark.parametrize("field", ["{person_name.upper}", "{person_name!r}", "{0}", "{}",
                                   "{person_name:>20}"])
def test_only_bare_known_names_are_placeholders(tmp_path: Path, field: str) -> None:
    write(tmp_path, "test", f"[subject]\n{field}\n[body]\nx\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.unknown_placeholder"


def test_stray_brace(tmp_path: Path) -> None:
    write(tmp_path, "test", "[subject]\nHenvisning {person_name\n[body]\nx\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.syntax" and caught.value.params["line"] == 2


def test_missing_and_unknown_sections(tmp_path: Path) -> None:
    write(tmp_path, "test", "[subject]\nHenvisning\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.missing_section"
    assert caught.value.params["section"] == "body"
    write(tmp_path, "test", "[subject]\nx\n[body]\ny\n[clossing]\nz\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.unknown_section"
    assert caught.value.params["section"] == "clossing"


def test_text_before_the_first_section(tmp_path: Path) -> None:
    write(tmp_path, "test", "Kære modtager\n[subject]\nx\n[body]\ny\n")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.text_outside_section"


def test_missing_file_and_wrong_encoding(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        load(tmp_path, "nothing")
    assert caught.value.code == "template.missing_file"
    write(tmp_path, "test", "[subject]\nSøren\n[body]\nÆblegrød\n", encoding="cp1252")
    with pytest.raises(TemplateError) as caught:
        load(tmp_path)
    assert caught.value.code == "template.encoding"


def test_a_byte_order_mark_from_notepad_is_accepted(tmp_path: Path) -> None:
    write(tmp_path, "test", "[subject]\nx\n[body]\ny\n", encoding="utf-8-sig")
    assert load(tmp_path).text("subject", {}) == "x"  # type: ignore[attr-defined]


def test_language_file_with_danish_fallback(tmp_path: Path) -> None:
    write(tmp_path, "test", "[subject]\nHenvisning\n[body]\nx\n")
    assert load(tmp_path, language="en").text("subject", {}) == "Henvisning"  # type: ignore[attr-defined]
    write(tmp_path, "test.en", "[subject]\nReferral\n[body]\nx\n")
    assert load(tmp_path, language="en").text("subject", {}) == "Referral"  # type: ignore[attr-defined]


def test_the_letter_fonts_draw_every_name() -> None:
    names = "Nguyễn Thị Hằng Şükrü Yılmaz Ümit Çelik Ayşe İbrahim Ğ ğ ı æøåÆØÅ § ☐☒ – ·"
    # printable() replaces what any of the regular, bold and oblique faces lacks.
    assert printable(names) == unicodedata.normalize("NFC", names)


# -- every message of the referral/letter code is translated -----------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "boligsag"
MODULES = [*sorted((SRC / "documents").glob("*.py")), SRC / "formatting.py",
           *(SRC / "services" / name for name in (
               "service_catalogue.py", "consents.py", "referrals.py", "referral_queries.py",
               "referral_texts.py", "letters.py"))]
CALLS = {"tr", "tr_in", "t", "__init__", "UserError", "ConsentNotValid", "TransitionRefused",
         "DomainError", "TemplateError"}
TABLES = {"REFUSAL_MESSAGES", "CONSENT_MESSAGES", "MISSING_FIELD_LABELS", "MONTHS"}


def _messages() -> set[str]:
    """Message ids in calls, (msgid, {params}) pairs and the message tables; codes
    ("consent.expired"), field names and language codes are not messages."""
    def is_message(value: object) -> bool:
        return isinstance(value, str) and (" " in value or value[:1].isupper() or "-" in value)

    found: set[str] = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in CALLS:
                    found |= {a.value for a in node.args
                              if isinstance(a, ast.Constant) and is_message(a.value)}
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(
                    node.elts[1], ast.Dict) and isinstance(node.elts[0], ast.Constant):
                found.add(node.elts[0].value)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in TABLES for t in targets):
                    found |= {c.value for c in ast.walk(node.value)  # type: ignore[arg-type]
                              if isinstance(c, ast.Constant) and is_message(c.value)}
    return found


def test_letter_and_referral_messages_are_translated() -> None:
    messages = _messages()
    assert len(messages) > 80  # the scan found the messages, not nothing
    assert check_catalogue("da", sorted(messages)) == []
