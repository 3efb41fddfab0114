"""Sync with the central CRM: outbox push, delta pull, three-way merge, conflicts."""
