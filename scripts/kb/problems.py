"""Problems found in the content, reported to trainers as `file:line:col: field: message`."""
from __future__ import annotations

from dataclasses import dataclass
from .i18n import N_, _


WARNING, HINT = N_("warning:"), N_("hint:")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" blocks the build, "warning" does not

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        text = f"{where}:{field} {self.message}"
        if self.severity == "warning":
            text = f"{where}: {_(WARNING)}{field} {self.message}"
        if self.hint:
            text += f"\n    {_(HINT)} {self.hint}"
        return text


class ContentError(Exception):
    """Raised with every problem found, so the trainer can fix them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the content")

    def report(self) -> str:
        lines = [p.format() for p in self.problems]
        lines.append(_("{count} problem(s) found; nothing was written.").format(count=len(self.problems)))
        return "\n".join(lines)


def path_text(path) -> str:
    """Render a key path like ('response', 'steps', 0) as response.steps[0]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
