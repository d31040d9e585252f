"""One user-facing error type: every UserError in src/ has its message id translated to
Danish (same placeholders), and renders in English for the command line.

The message ids are found where the error classes are defined and raised: the literal
in ``super().__init__(...)`` inside the class, the literal at the ``source`` position
of a call to the class, the default of a ``source`` parameter, and, for a class fed
from a table of message ids, that table.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import boligsag
from boligsag.errors import UserError
from boligsag.i18n import catalogue, check_catalogue, current_language, set_language, tr_in

SRC = Path(boligsag.__file__).resolve().parent
# Classes whose message ids come from a table rather than a literal at the call.
TABLES = {"ConsentNotValid": ("boligsag.services.referral_texts", "CONSENT_MESSAGES")}


def _every_module() -> None:
    for info in pkgutil.walk_packages(boligsag.__path__, "boligsag."):
        # __main__ would start the program; migrations only run inside Alembic.
        if not info.name.endswith("__main__") and ".migrations" not in info.name:
            importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache  # importing every module and parsing every file once is enough
def user_error_classes() -> dict[str, type[UserError]]:
    _every_module()
    found: dict[str, type[UserError]] = {"UserError": UserError}
    for cls in _subclasses(UserError):
        if cls.__module__.startswith("boligsag."):
            assert found.get(cls.__name__, cls) is cls, f"two classes named {cls.__name__}"
            found[cls.__name__] = cls
    return found


def _source_position(cls: type) -> int | None:
    """Where ``source`` is among the positional arguments of ``cls(...)``, or None when
    the class chooses its own message."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # not self
    for position, param in enumerate(params):
        if param.name == "source" and param.kind in (param.POSITIONAL_ONLY,
                                                     param.POSITIONAL_OR_KEYWORD):
            return position
    return None


def _literal_at(call: ast.Call, position: int | None) -> str | None:
    if position is None or len(call.args) <= position:
        return None
    node = call.args[position]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "__init__"
            and isinstance(func.value, ast.Call) and _name(func.value.func) == "super")


@cache
def _trees() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text(encoding="utf-8")))
                 for path in sorted(SRC.rglob("*.py")))


@cache
def message_ids_by_class() -> dict[str, set[str]]:
    classes = user_error_classes()
    found: dict[str, set[str]] = {name: set() for name in classes}
    for name, cls in classes.items():
        default = inspect.signature(cls.__init__).parameters.get("source")
        if default is not None and isinstance(default.default, str):
            found[name].add(default.default)
        if name in TABLES:
            module, table = TABLES[name]
            found[name] |= set(getattr(importlib.import_module(module), table).values())
    for _path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                parent = classes[node.name].__mro__[1]
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and _is_super_init(call):
                        msgid = _literal_at(call, _source_position(parent))
                        if msgid:
                            found[node.name].add(msgid)
            elif isinstance(node, ast.Call) and _name(node.func) in classes:
                name = _name(node.func)
                msgid = _literal_at(node, _source_position(classes[name]))
                if msgid:
                    found[name].add(msgid)
    return found


def test_every_user_error_has_a_message_with_a_danish_translation() -> None:
    found = message_ids_by_class()
    classes = user_error_classes()
    assert {"WrongPassword", "StaleRecord", "InvalidCpr", "MissingLetterData", "PrintFailed",
            "CommandUsageError", "KdfOutOfMemory", "KeyFileBusy"} <= set(classes)
    # A class without a message of its own only groups others for catching.
    silent = sorted(name for name, ids in found.items()
                    if not ids and not classes[name].__subclasses__())
    assert silent == []
    problems = [f"{problem} ({name})" for name, ids in sorted(found.items())
                for problem in check_catalogue("da", sorted(ids))]
    assert problems == []
    untranslated = sorted(msgid for ids in found.values() for msgid in ids
                          if catalogue("da")[msgid] == msgid)
    assert untranslated == []


@pytest.fixture
def danish() -> Iterator[None]:
    before = current_language()
    set_language("da")
    yield
    set_language(before)


def _samples(tmp_path: Path) -> list[UserError]:
    from boligsag.commands import CommandUsageError
    from boligsag.documents.errors import MissingLetterData
    from boligsag.domain.cpr import parse_cpr
    from boligsag.services.errors import NotFound, StaleRecord, ValidationFailed
    from boligsag.storage import errors as storage

    samples: list[UserError] = [
        storage.WrongPassword(), storage.SidecarCorrupt(tmp_path / "a.keys", "not valid JSON"),
        storage.DatabaseLocked(tmp_path / "a.db", waited_s=30),
        storage.DatabaseReadOnly(tmp_path / "a.db", "SQLite could not write it"),
        NotFound("person"), StaleRecord(),
        ValidationFailed({"name": ("Enter a name.", {})}),
        MissingLetterData(["person.address", "service.city"]),
        CommandUsageError("{username} is not an administrator", username="ole"),
    ]
    with pytest.raises(UserError) as caught:
        parse_cpr("3102991234")
    return [*samples, caught.value]


def test_the_ui_gets_danish_and_the_command_line_english(
        tmp_path: Path, danish: None) -> None:
    for error in _samples(tmp_path):
        english = tr_in("en", error.source, **error.params_in("en"))
        assert str(error) == (f"{english} {error.detail}" if error.detail else english)
        assert error.english() == english
        assert error.message() == tr_in("da", error.source, **error.params_in("da"))
        assert error.message() != english, error.source
    letter = _samples(tmp_path)[7]
    assert "personens adresse" in letter.message()  # the list of fields in Danish too
    assert "the person's address" in str(letter)


def test_the_technical_detail_is_for_the_command_line_only(tmp_path: Path, danish: None) -> None:
    from boligsag.services.errors import ValidationFailed
    from boligsag.storage.errors import DatabaseReadOnly, SidecarCorrupt

    corrupt = SidecarCorrupt(tmp_path / "a.keys", "nested too deeply")
    assert str(corrupt).endswith(". (nested too deeply)")
    assert str(tmp_path / "a.keys") in corrupt.message()
    assert "nested" not in corrupt.message()
    read_only = DatabaseReadOnly(tmp_path / "a.db", "SQLite could not write it")
    assert "skrivebeskyttet" in read_only.message() and "SQLite" not in read_only.message()
    assert "read-only" in str(read_only) and str(read_only).endswith(
        "(SQLite could not write it)")
    invalid = ValidationFailed({"date_from": ("Choose a date between {first} and {last}.",
                                              {"first": "1900", "last": "2100"})})
    assert str(invalid) == ("Please correct the marked fields. date_from: Choose a date "
                            "between 1900 and 2100.")


def test_no_message_id_is_built_at_run_time() -> None:
    """An f-string or a concatenation as ``source`` would have no Danish entry, and could
    carry personal data into the message; params are for the variable parts."""
    classes = user_error_classes()
    built = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in classes:
                position = _source_position(classes[_name(node.func)])
                if position is not None and len(node.args) > position and isinstance(
                        node.args[position], ast.JoinedStr | ast.BinOp):
                    built.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert built == []
