""""…" is written one way: the single character, straight after the word ("Udskriv…",
"Henter…"), never " …" or "...". Checked over every message id in the source and every
text in the catalogues, so a new button cannot bring the other spellings back."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .test_translations import message_ids

CATALOGUES = Path(__file__).resolve().parents[2] / "resources" / "i18n"
# A space before "…" that ends a text or a word ("Gem som PDF …"), or three dots.
# " … " between words ("Ctrl+1, Ctrl+2 … skifter") is an ellipsis in a sentence, not
# an action's mark, and stays.
WRONG = re.compile(r" …$|\.\.\.")


def test_no_message_id_writes_the_ellipsis_another_way() -> None:
    assert [m for m in message_ids() if WRONG.search(m)] == []


def test_no_translation_writes_the_ellipsis_another_way() -> None:
    wrong = [(path.name, text) for path in sorted(CATALOGUES.rglob("*.json"))
             for pair in json.loads(path.read_text(encoding="utf-8")).items()
             for text in pair if WRONG.search(text)]
    assert wrong == []


def test_an_action_and_its_translation_agree_on_the_ellipsis() -> None:
    """"Udskriv…" opens a dialog that asks for more, so its Danish says so too."""
    danish: dict[str, str] = {}
    for path in sorted((CATALOGUES / "da").glob("*.json")):
        danish.update(json.loads(path.read_text(encoding="utf-8")))
    disagree = [(msgid, danish[msgid]) for msgid in message_ids() if msgid in danish
                and msgid.endswith("…") != danish[msgid].endswith("…")]
    assert disagree == []
