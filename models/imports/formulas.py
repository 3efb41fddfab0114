"""Keeping spreadsheet formulas out of exported cells (CSV injection), without spoiling the
phone numbers reps export the most.

A cell that starts with = + - @, a tab or a carriage return could run as a formula when the
file is opened in Excel or LibreOffice, so it gets a leading apostrophe, which spreadsheets
read as "this is text". One exception: a cell that is a whole E.164 phone number
("+14155550100") is left as it is. It holds only digits after the plus, so a spreadsheet can
at worst read it as a number, never call a function; and it stays a number a softphone or a
re-import takes as is. An import takes the apostrophe off again, so a round trip keeps values.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def neutralise(cell: str) -> str:
    if not cell.startswith(FORMULA_START) or _E164.fullmatch(cell):
        return cell
    return "'" + cell


def restore(cell: str) -> str:
    """An exported cell's value: without the apostrophe ``neutralise`` put in front."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
        return cell[1:]
    return cell
