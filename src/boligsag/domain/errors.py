"""Broken business rules: user errors that also say *which* rule.

A domain error is something the user can act on ("the consent has expired"), not a bug.
It is a :class:`~boligsag.errors.UserError` (an English message id and named params,
rendered by ``message()`` in the UI and ``str()`` on the command line) with a stable
machine ``code`` (``"consent.expired"``) on top, so a service can word the refusal for
its own screen, or offer the fix, without parsing text.

Messages and params must never contain personal data (a CPR number, a name): exceptions
end up in logs and crash reports, which are plaintext.
"""

from __future__ import annotations

from boligsag.errors import UserError


class DomainError(UserError):
    """A rule of the domain refused something.

    ``code`` is dotted, ``<area>.<problem>``, and never changes once released, because
    services and tests key on it.
    """

    def __init__(self, code: str, source: str, /, **params: object) -> None:
        super().__init__(source, **params)
        self.code = str(code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, source={self.source!r})"
