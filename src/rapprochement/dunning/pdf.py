"""Letters as PDF: the letter's HTML (A4 print CSS) laid out by WeasyPrint.

WeasyPrint is pure Python over Pango (text layout) and its system libraries: on Debian or
Ubuntu ``apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core`` (``make
system-deps``). Rendering is deterministic for a given letter: the PDF's metadata dates are
the letter's date, not the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from rapprochement.errors import DunningError

__all__ = ["pdf_available", "render_pdf"]


@functools.cache
def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its libraries missing
        raise DunningError(
            f"cannot render PDF letters: {exc}",
            hint="install WeasyPrint's system libraries (Debian/Ubuntu: apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core, or `make system-deps`)",
        ) from None
    for name in ("weasyprint", "fontTools"):  # layout chatter, not the user's business
        logging.getLogger(name).setLevel(logging.ERROR)
    return weasyprint


def pdf_available() -> bool:
    """Whether PDF letters can be rendered here (WeasyPrint and Pango load)."""
    try:
        _weasyprint()
    except DunningError:
        return False
    return True


def render_pdf(html: str, *, title: str = "", day: dt.date | None = None) -> bytes:
    """The PDF of an HTML letter (A4, as its ``@page`` rule says).

    Args:
        html: a self-contained HTML document (:attr:`Letter.html`).
        title: the PDF's title (default: the document's ``<title>``).
        day: the letter's date, written as the PDF's creation and modification dates so that
            the same letter gives the same bytes.

    Raises:
        DunningError: WeasyPrint or its system libraries are missing.
    """
    wp = _weasyprint()
    doc = wp.HTML(string=html).render()
    if title:
        doc.metadata.title = title
    stamp = (day or dt.date(2000, 1, 1)).isoformat() + "T00:00:00Z"
    doc.metadata.created = stamp
    doc.metadata.modified = stamp
    return bytes(doc.write_pdf())
