"""The one error boundary: mistakes a user can fix are `UserError`s with a hint (converted once in the CLI/app)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix. `message` says what is wrong (naming the file), `hint` how to fix it."""

    def __init__(self, message: str, hint: str = "", *, file: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.file = file
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.file}: {self.message}" if self.file else self.message
        return f"{text}\n  提示 / hint: {self.hint}" if self.hint else text


class BadReportError(UserError):
    """A report file that cannot be ingested (empty, binary, unsupported, scanned, corrupt, oversized)."""
