"""What a screen says when a write failed, by kind: the rep's message as the service wrote it,
the environment's with what to do, a bug's without its guts (the log has those)."""

from __future__ import annotations

from models.failures import Failure, environment_problem, kind_of

BUG_TEXT = "something went wrong inside RepDesk; it is in the log (Help ▸ About the log)."


def failure_text(error: BaseException) -> str:
    kind = kind_of(error)
    if kind is Failure.ENVIRONMENT:
        return environment_problem(error) or str(error)
    if kind is Failure.REP:
        text = str(error).strip()
        return text if text.endswith((".", "!", "?")) else f"{text}."
    return BUG_TEXT
