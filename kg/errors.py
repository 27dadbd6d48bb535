"""The one exception tree of kg: every error a user can cause is a :class:`KgError`."""

from __future__ import annotations

import re

#: Line breaks, with the spaces around them: a message from elsewhere (a server's reply, a
#: parser's) may hold some, and an error is shown on one line.
_BREAKS = re.compile(r"[ \t]*[\r\n][\s]*")


class KgError(Exception):
    """Base class: an error with where it happened, what went wrong, and what to do."""

    def __init__(self, where: str, what: str, hint: str = "") -> None:
        self.where = where
        self.what = what
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line message: ``<where>: <what> — <hint>``, each line break a space."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        return _BREAKS.sub(" ", f"{text} — {self.hint}" if self.hint else text)


class InputError(KgError):
    """The input (a file, a page, an item, a value) is not what kg can read."""


class StoreError(KgError):
    """The store cannot be opened, is locked, empty, or cannot be written."""


class ValidationFailed(KgError):
    """Data does not conform to the SHACL shapes and the chosen policy is to abort."""


class ExportError(KgError):
    """An export that cannot be made: unknown format, unwritable output, unwritable data."""


class QueryError(KgError):
    """A query is unknown, malformed, has bad parameters or ran too long."""


class FetchError(KgError):
    """A page could not be fetched from the API after every retry."""


class RemoteError(KgError):
    """A remote SPARQL endpoint was down, failed, timed out or answered nonsense."""
