"""Every storage error, wherever in storage/ it is defined, has its own Danish text.

tests/gui/test_dialogs.py covers the errors in storage/errors.py; some live beside the
code that raises them (kdf.py's KdfOutOfMemory, keys.py's KeyFileBusy), and one of those
fell through to the generic "could not be opened: <English detail>".
"""

from __future__ import annotations

import importlib
import pkgutil

import boligsag.storage as storage
from boligsag.i18n import tr
from boligsag.storage.errors import BoligsagStorageError
from boligsag.storage.kdf import KdfOutOfMemory
from boligsag.ui.errors import storage_error_text


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_storage_error_code_has_a_text_of_its_own() -> None:
    for module in pkgutil.iter_modules(storage.__path__):
        importlib.import_module(f"{storage.__name__}.{module.name}")
    codes = {cls.code for cls in _all_subclasses(BoligsagStorageError)
             if cls.__module__.startswith("boligsag.storage")}
    assert "kdf_out_of_memory" in codes
    fallback = tr("The database could not be opened: {detail}", detail="")
    source = storage_error_text.__code__.co_consts
    missing = sorted(code for code in codes if code not in source)
    assert missing == []
    assert not storage_error_text(KdfOutOfMemory(4096)).startswith(fallback)


def test_not_enough_memory_for_the_password_check_is_said_in_danish() -> None:
    text = storage_error_text(KdfOutOfMemory(4096))
    assert text.startswith("Der er ikke nok ledig hukommelse")
    assert "MiB" not in text and "Argon2" not in text  # not the English detail
