"""Colours live in the theme: views name a colour by what it means (``brush("problem")``), so
one palette change reaches every screen."""

from __future__ import annotations

import re
from pathlib import Path

import views
from ui.theme import hex_colour
from views.import_dialog import STATUS_COLOURS

VIEWS = Path(views.__file__).parent
LITERAL = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b(?!\w)|QColor\(|Qt\.GlobalColor|"
                     r"setStyleSheet\(")
NAMED = re.compile(r"""(?:brush|hex_colour|coloured)\((?:[^()]*?,\s*)?["'](\w+)["']\)""")


def _sources() -> list[Path]:
    return sorted(VIEWS.rglob("*.py"))


def test_no_view_writes_a_colour_of_its_own() -> None:
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in _sources()
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if LITERAL.search(line.split("  #")[0])]
    assert found == []


def test_every_colour_a_view_names_is_in_the_palette() -> None:
    names = {name for path in _sources() for name in NAMED.findall(path.read_text())}
    assert {"problem", "muted", "highlight_back"} <= names
    names |= set(STATUS_COLOURS.values())  # the import names its rows' colours in a table
    for name in names:
        assert hex_colour(name).startswith("#"), name
