"""Writes as commands: each service a screen calls to change something is wrapped here so it
returns its result together with what it changed (``models.changes``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from models.changes import Changed, Changes, Kind

T = TypeVar("T")


def first_argument(args: Sequence[Any], _value: Any) -> list[str | None]:
    """Most writes take the record they change first (a lead id, an opportunity id)."""
    return [args[0]] if args and isinstance(args[0], str) else []


def changing(write: Callable[..., T], *kinds: Kind,
             records: Callable[[Sequence[Any], T], list[str | None]] = first_argument,
             ) -> Callable[..., Changed[T]]:
    """``write`` as a command that says it changed ``kinds`` (and which records)."""

    def command(*args: Any, **kwargs: Any) -> Changed[T]:
        value = write(*args, **kwargs)
        return Changed(value, Changes.of(*kinds, records=records(args, value)))

    return command
