"""The shortest password anyone may choose, apart from the setup service that enforces
it: the login and password dialogs show it without importing the storage layer."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 10
