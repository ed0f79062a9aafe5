"""What crm-crew prints is data: the one rule for every Rich console of the CLI.

Customers' subjects, names and bodies, file paths and config values reach the terminal.
None of it is Rich markup (`[/b]` in a subject is text, not a closing tag), none of it is an
emoji code (`file:100:` stays `file:100:`), and no control character in it reaches the
terminal as such: escape sequences are shown as `\\x1b`. Styling, where wanted, is given as
Rich `Text` or `Style` objects, never as markup in a string.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from rich.console import Console
from rich.text import Text


def terminal_safe(value: Any) -> str:
    """A value as safe terminal text: control characters other than newline and tab made visible."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return "".join(c if c in "\n\t" or unicodedata.category(c) != "Cc" else f"\\x{ord(c):02x}" for c in text)


class DataConsole(Console):
    """A Rich console that never reads markup or emoji codes in strings and escapes control characters."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        options.update(markup=False, emoji=False)
        return super().render_str(terminal_safe(text), **options)
