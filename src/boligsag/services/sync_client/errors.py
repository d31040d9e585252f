"""What can go wrong talking to the team server, as a small family of UserErrors.

Each has an English ``str()`` for the command line and the log, and a Danish
``user_message()`` (the UI's language, via :mod:`boligsag.i18n`) in words a social worker
can act on. None carries personal data: never a request body, a username or a password;
a ``detail`` is the server's own English refusal text, which names tables, fields and
uuids only (services/sync/errors.py), and is shown on the command line, never in the UI.
"""

from __future__ import annotations

from boligsag.errors import UserError

__all__ = ["BadRequest", "CursorRejected", "DeviceRevoked", "FingerprintMismatch",
           "InvalidFingerprint", "InvalidServerAddress", "LoginRefused", "LoginThrottled",
           "ServerBusy", "ServerFailed", "ServerRefused", "ServerUnreachable",
           "SyncClientError", "TokenExpired", "UserDisabled"]

MAX_DETAIL = 300  # characters of the server's refusal text kept for the log


class SyncClientError(UserError):
    """Base of the team-server client's errors (groups them for catching)."""

    def user_message(self) -> str:
        """The message in the UI's language, for the app."""
        return self.message()


class ServerUnreachable(SyncClientError):
    def __init__(self, reason: str = "") -> None:
        super().__init__("The team server cannot be reached. You can keep working; your "
                         "changes are sent when the connection is back.")
        self.detail = f"({reason})" if reason else ""


class FingerprintMismatch(SyncClientError):
    """The server's certificate is not the pinned one: nothing was sent to it."""

    def __init__(self, expected: str, seen: str) -> None:
        super().__init__("The team server's certificate does not match the fingerprint "
                         "this computer was set up with, so nothing was sent to it. "
                         "Contact your IT administrator.")
        self.expected = expected
        self.seen = seen
        self.detail = f"(expected {expected}, the server showed {seen})"


class LoginRefused(SyncClientError):
    """Unknown username or wrong password: the server gives one answer for both."""

    def __init__(self) -> None:
        super().__init__("The team server did not accept the username or password.")


class LoginThrottled(SyncClientError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed logins. Try again in {seconds} seconds.",
                         seconds=retry_after)
        self.retry_after = retry_after


class DeviceRevoked(SyncClientError):
    def __init__(self) -> None:
        super().__init__("This computer has been removed from the team server by an "
                         "administrator.")


class UserDisabled(SyncClientError):
    def __init__(self) -> None:
        super().__init__("Your account on the team server has been disabled.")


class TokenExpired(SyncClientError):
    """The login has run out (or was never made): log in again with the password."""

    def __init__(self) -> None:
        super().__init__("The connection to the team server has expired. Log in again.")


class ServerBusy(SyncClientError):
    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__("The team server is busy. Your changes are sent at the next try.")
        self.retry_after = retry_after


class ServerRefused(SyncClientError):
    """HTTP 403: well formed, but outside what this user may see or change."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("The team server refused a change: it concerns something you do "
                         "not have access to.")
        self.detail = _detail(detail)


class BadRequest(SyncClientError):
    """HTTP 400: the laptop sent something the server cannot read (a bug on our side)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("The team server could not read what this computer sent. "
                         "Contact your IT support.")
        self.detail = _detail(detail)


class CursorRejected(SyncClientError):
    """HTTP 409: the pull cursor is from another server database (or from before a
    restore); the caller forgets it and pulls everything again."""

    def __init__(self) -> None:
        super().__init__("The team server has been replaced or restored; everything is "
                         "fetched again.")


class ServerFailed(SyncClientError):
    """HTTP 500 or an answer the client cannot understand."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("The team server had an unexpected error. Try again later, and "
                         "tell your IT support if it happens again.")
        self.detail = _detail(detail)


class SnapshotUnavailable(SyncClientError):
    """HTTP 404 from a team snapshot route: none for this user, or it was replaced
    between two calls. A join then fills the replica with an ordinary first pull."""

    def __init__(self) -> None:
        super().__init__("The team server has no ready copy of the team's data for you; "
                         "everything is fetched record by record.")


class InvalidServerAddress(SyncClientError):
    """A server address that is not ``https://host[:port]``; ``source`` says what is
    wrong."""

    def __init__(self, source: str, /, **params: object) -> None:
        super().__init__(source, **params)


class InvalidFingerprint(SyncClientError):
    def __init__(self) -> None:
        super().__init__("The certificate fingerprint must be 64 hexadecimal digits "
                         "(0-9, A-F), with or without colons, as `boligsag server init` "
                         "printed it.")


def _detail(text: str) -> str:
    text = " ".join(text.split())[:MAX_DETAIL]
    return f"({text})" if text else ""
