"""The leads table model: Qt-correct, and lazy about what it reads."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from models.leads import LeadDirectory
from models.records import LeadRow
from models.store.open import Store
from views.itemmodels.lead_table_model import ID_ROLE, PAGE, Column, LeadTableModel


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, demo_store: Store) -> None:
    directory = LeadDirectory(demo_store.sessions)
    model = LeadTableModel(directory.rows)
    model.set_ids(directory.search(""))
    qtmodeltester.check(model)
    model.set_ids(directory.search("smith"))
    qtmodeltester.check(model)


def test_model_reads_only_the_pages_shown(demo_store: Store) -> None:
    directory = LeadDirectory(demo_store.sessions)
    asked: list[int] = []

    def fetch(ids: Sequence[str]) -> list[LeadRow]:
        asked.append(len(ids))
        return directory.rows(ids)

    model = LeadTableModel(fetch)
    ids = directory.search("")
    model.set_ids(ids)
    assert model.rowCount() == len(ids) == 600
    assert asked == []
    last = model.index(len(ids) - 1, Column.NAME)
    assert model.data(last, ID_ROLE) == ids[-1]
    assert model.data(last) == directory.rows([ids[-1]])[0].name
    model.data(model.index(len(ids) - 2, Column.COMPANY), Qt.ItemDataRole.DisplayRole)
    assert asked == [len(ids) - (len(ids) - 1) // PAGE * PAGE]
