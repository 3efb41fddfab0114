"""The digest's HTML page in a real browser engine: in a 900 px window its reps table does not
scroll sideways (the least needed columns leave, the headers wrap); in a wide one every
column is there."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from models.kpis.digest_html import digest_html
from models.kpis.sheet import compute_sheet
from models.store.open import Store
from tests.kpi_week import THURSDAY, WEEK, build_week


def _laid_out(page: Path, width: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "desktop.page_shot", str(page),
                           "--width", str(width)], capture_output=True, text=True,
                          timeout=120, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_digest_fits_a_900_px_browser_window(store: Store, tmp_path: Path) -> None:
    build_week(store)
    sheet = compute_sheet(store.sessions, WEEK, THURSDAY)
    # The longest names and figures a team may have, to be sure of the widths.
    reps = [replace(rep, name="Maximilian Oberhauser-Lindqvist", pipeline_added=12_345_678.0)
            for rep in sheet.reps]
    page = tmp_path / "digest.html"
    page.write_text(digest_html(replace(sheet, reps=reps), "Team"), encoding="utf-8")
    narrow = _laid_out(page, 900)
    assert narrow["page_width"] <= narrow["window_width"], narrow
    wide = _laid_out(page, 1280)
    assert wide["page_width"] <= wide["window_width"], wide
    assert "Selling time" in page.read_text(encoding="utf-8")  # hidden by the style only
