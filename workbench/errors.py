"""The one error type for bad input: a card, a rate string, a CSV or a command-line value."""

from __future__ import annotations


class BadInputError(Exception):
    """Bad user input; the CLI prints it as one line and exits with status 2.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    source
        The file (or ``--rate`` / ``--param`` option) the input came from.
    claim
        The claim id, where the problem is inside one claim.
    field
        The card field or CSV column at fault.
    """

    def __init__(
        self, message: str, *, source: str = "", claim: str = "", field: str = ""
    ) -> None:
        self.message = message
        self.source = source
        self.claim = claim
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = [part for part in (self.source, self.claim and f"claim {self.claim!r}",
                                   self.field and f"field {self.field!r}") if part]
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def located(self, *, source: str = "", claim: str = "", field: str = "") -> BadInputError:
        """Return a copy with the missing location parts filled in."""
        return BadInputError(
            self.message,
            source=self.source or source,
            claim=self.claim or claim,
            field=self.field or field,
        )
