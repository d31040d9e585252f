"""Every storage error, wherever in storage/ it is defined, has its own Danish text.

tests/gui/test_dialogs.py covers the errors in storage/errors.py; some live beside the
code that raises them (kdf.py's KdfOutOfMemory, keys.py's KeyFileBusy), and one of those
once fell through to a generic "could not be opened: <English detail>".
"""

from __future__ import annotations

from pathlib import Path

from boligsag.i18n import catalogue
from boligsag.storage.kdf import KdfOutOfMemory
from boligsag.storage.keys import KeyFileBusy
from boligsag.ui.errors import error_text

from ..unit.test_user_errors import message_ids_by_class, user_error_classes


def test_every_storage_error_has_a_text_of_its_own() -> None:
    storage = {name for name, cls in user_error_classes().items()
               if cls.__module__.startswith("boligsag.storage")}
    assert {"KdfOutOfMemory", "KeyFileBusy", "WrongPassword"} <= storage
    found = message_ids_by_class()
    danish = catalogue("da")
    assert [name for name in sorted(storage) if not found[name]] == []
    assert all(msgid in danish for name in storage for msgid in found[name])


def test_not_enough_memory_for_the_password_check_is_said_in_danish() -> None:
    text = error_text(KdfOutOfMemory(4096))
    assert text.startswith("Der er ikke nok ledig hukommelse")
    assert "MiB" not in text and "Argon2" not in text  # not the English detail
    assert "4096 MiB" in str(KdfOutOfMemory(4096))  # the command line keeps it


def test_a_busy_key_file_is_said_in_danish(tmp_path: Path) -> None:
    text = error_text(KeyFileBusy(tmp_path / "boligsag.db.keys"))
    assert text.startswith("Nøglefilen ") and "Prøv igen om lidt" in text
