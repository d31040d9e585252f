"""The one base class for broken business rules.

A domain error is something the user can act on ("the consent has expired"), not a bug.
It carries a stable machine ``code`` (``"consent.expired"``) and named ``params`` so the UI
can show a translated message with the details filled in; the English exception message
is for logs and developers only, so the UI never parses it.

Messages and params must never contain personal data (a CPR number, a name): exceptions
end up in logs and crash reports, which are plaintext.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused something.

    ``code`` is dotted, ``<area>.<problem>``, and never changes once released, because
    translation catalogues and tests key on it. ``params`` are the named placeholders of
    the translated message.
    """

    code: str
    params: dict[str, object]

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = str(code)
        self.params = dict(params)

    @property
    def message(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"
