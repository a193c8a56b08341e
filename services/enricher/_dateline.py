"""Datelines: "KYIV, Feb 17 (Reuters) -", "KHERSON, Ukraine —", "MOSCOW, March 13. /TASS/." — where a story was filed.

A dateline names a city (never a region) and says nothing about what happened there.
"""

from __future__ import annotations

import re

_AGENCY_AFTER = re.compile(r"[^\n]{0,40}?(?:\([A-Z][\w .&-]{1,30}\)\s*[-–—]|/[A-Z][\w-]{1,15}/)")
_DASH_AFTER = re.compile(r"[^\n]{0,40}?\s[-–—]\s")
"""An all-capitals place opening a line ("KYIV, Ukraine — ...") needs only the dash."""
_OPENING = re.compile(r"[A-Z][A-Z '/-]*")


def is_dateline(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a place of the dateline opening its line."""
    line_start = text.rfind("\n", 0, start) + 1
    opening = text[line_start:start].strip()
    # only at the start of a line, or after another place of the same dateline ("KYIV/MOSCOW, ...")
    if opening and not _OPENING.fullmatch(opening):
        return False
    window = min(len(text), end + 60)
    if _AGENCY_AFTER.match(text, end, window):
        return True
    return text[start:end].isupper() and _DASH_AFTER.match(text, end, window) is not None
