"""Fixtures shared by every test: real stores in temporary folders, built through the app's
own functions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.demo.load import load_demo_data
from models.store.open import Store, open_store

# A fixed Tuesday afternoon, so demo data and day plans are the same on every run.
FIXED_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "profile")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile with 600 demo leads, made once; tests that edit it copy it first."""
    folder = tmp_path_factory.mktemp("demo")
    created = open_store(folder)
    load_demo_data(created.engine, leads=600, accounts=300, seed=11, now=FIXED_NOW)
    created.close()
    return folder


@pytest.fixture
def demo_store(demo_folder: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "demo-copy"
    copy.mkdir()
    for name in ("repdesk.db",):
        (copy / name).write_bytes((demo_folder / name).read_bytes())
    opened = open_store(copy)
    yield opened
    opened.close()
