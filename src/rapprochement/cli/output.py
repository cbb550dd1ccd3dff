"""How the command line shows data: always literally.

Names, remittance text, ids, file names and error messages that quote them are data. They never
go through rich markup or emoji codes: a payer named ``[/bold]`` is printed as ``[/bold]``
(it used to crash the command), ``[link=http://…]x[/link]`` is not a link, ``:warning:`` is not
an emoji. Control characters in data (an ANSI escape sequence, a bell, a backspace) are shown
as ``\\x1b``-style escapes, so data cannot drive the terminal either.

How: every console of the CLI comes from :func:`console` (markup, emoji and highlighting off),
and everything printed is a :class:`rich.text.Text` built by :func:`literal`, :func:`line` or
:func:`cells`; our own styling is given as a style, never as markup inside a string.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

__all__ = ["cells", "console", "line", "literal"]

#: C0 controls but tab and newline, DEL, C1 controls: shown as escapes, never sent as they are.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def console(*, stderr: bool = False) -> Console:
    """A console that reads nothing in what it prints: no markup, no emoji, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def literal(value: Any, style: str = "") -> Text:
    """``value`` (any data) as text shown exactly, in ``style``."""
    return Text(_visible("" if value is None else str(value)), style=style)


def line(*parts: Any) -> Text:
    """One printed line from parts: data (shown literally) or ``(data, style)`` pairs.

    >>> line(("error:", "bold red"), " ", "[/bold] is not a customer").plain
    'error: [/bold] is not a customer'
    """
    out = Text()
    for part in parts:
        out.append_text(literal(*part) if isinstance(part, tuple) else literal(part))
    return out


def cells(*values: Any) -> list[Text]:
    """Table cells from data, each shown literally: ``table.add_row(*cells(a, b, c))``."""
    return [literal(v) for v in values]
