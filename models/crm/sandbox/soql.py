"""The SOQL subset the adapter sends: SELECT … FROM … [WHERE …] [ORDER BY …] [LIMIT n].

WHERE takes AND, OR, NOT and parentheses; =, !=, <, <=, >, >=, IN, LIKE; strings, numbers,
true/false/null, datetime and date literals, TODAY and LAST_N_DAYS:n.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.crm.datetimes import parse_datetime

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
    )""", re.VERBOSE)


class SoqlError(ValueError):
    """MALFORMED_QUERY: the message says what could not be read."""


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    object: str
    where: Callable[[Mapping[str, Any]], bool]
    order_by: tuple[str, bool] | None  # field, descending
    limit: int | None
    filtered: bool = False  # whether there is a WHERE
    # Every match was modified at or after this moment (from a top-level AND of
    # "SystemModstamp >[=] literal"): lets the store skip older records, as an index would.
    modstamp_from: datetime | None = None


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise SoqlError(f"unexpected token at character {position + 1}: "
                            f"{text[position:position + 20]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _literal(kind: str, value: str, today: date) -> Any:
    if kind == "string":
        return value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    if kind == "number":
        return float(value) if "." in value else int(value)
    if kind == "datetime":
        return parse_datetime(value)
    if kind == "date":
        return date.fromisoformat(value)
    upper = value.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if upper == "NULL":
        return None
    if upper == "TODAY":
        return today
    if upper.startswith("LAST_N_DAYS:"):
        return ("since", today - timedelta(days=int(upper.split(":")[1])))
    raise SoqlError(f"unknown value {value!r}")


def _comparable(value: Any, other: Any) -> Any:
    """Stored values are JSON: datetimes and dates come back as text."""
    if isinstance(other, datetime) and isinstance(value, str):
        return parse_datetime(value)
    if isinstance(other, date) and not isinstance(other, datetime) and isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(right, tuple) and right[0] == "since":
        left = _comparable(left, right[1])
        return left is not None and left >= right[1]
    left = _comparable(left, right)
    if op in ("=",):
        return bool(left == right)
    if op in ("!=", "<>"):
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool({"<": left < right, "<=": left <= right, ">": left > right,
                     ">=": left >= right}[op])
    except TypeError:
        return False


Predicate = Callable[[Mapping[str, Any]], bool]


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) or second(record)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) and second(record)


def _everything(_record: Mapping[str, Any]) -> bool:
    return True


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], today: date) -> None:
        self.tokens, self.index, self.today = tokens, 0, today
        self.depth = 0  # inside parentheses or NOT
        self.top_or = False
        self.modstamp_bounds: list[datetime] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SoqlError("the query ends too early")
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].upper() == word:
            self.index += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.keyword(word):
            raise SoqlError(f"expected {word}")

    def condition(self) -> Callable[[Mapping[str, Any]], bool]:
        left = self.conjunction()
        while self.keyword("OR"):
            self.top_or |= self.depth == 0
            left = _either(left, self.conjunction())
        return left

    def conjunction(self) -> Callable[[Mapping[str, Any]], bool]:
        left = self.negation()
        while self.keyword("AND"):
            left = _both(left, self.negation())
        return left

    def negation(self) -> Callable[[Mapping[str, Any]], bool]:
        if self.keyword("NOT"):
            self.depth += 1
            inner = self.negation()
            self.depth -= 1
            return lambda r: not inner(r)
        token = self.peek()
        if token == ("op", "("):
            self.take()
            self.depth += 1
            inner = self.condition()
            self.depth -= 1
            if self.take() != ("op", ")"):
                raise SoqlError("a '(' is not closed")
            return inner
        return self.comparison()

    def value(self) -> Any:
        kind, text = self.take()
        return _literal(kind, text, self.today)

    def comparison(self) -> Callable[[Mapping[str, Any]], bool]:
        kind, field = self.take()
        if kind != "word":
            raise SoqlError(f"expected a field name, got {field!r}")
        if self.keyword("IN"):
            if self.take() != ("op", "("):
                raise SoqlError("IN needs a list in parentheses")
            values = [self.value()]
            while self.peek() == ("op", ","):
                self.take()
                values.append(self.value())
            if self.take() != ("op", ")"):
                raise SoqlError("an IN list is not closed")
            return lambda r: r.get(field) in values
        if self.keyword("LIKE"):
            pattern = self.value()
            regex = re.compile("^" + re.escape(str(pattern)).replace("%", ".*")
                               .replace("_", ".") + "$", re.IGNORECASE)
            return lambda r: r.get(field) is not None and bool(regex.match(str(r.get(field))))
        op_kind, op = self.take()
        if op_kind != "op" or op not in ("=", "!=", "<>", "<", "<=", ">", ">="):
            raise SoqlError(f"expected a comparison after {field}")
        right = self.value()
        if self.depth == 0 and field == "SystemModstamp" and op in (">", ">=") \
                and isinstance(right, datetime):
            self.modstamp_bounds.append(right)
        return lambda r: _compare(op, r.get(field), right)


def parse(text: str, today: date | None = None) -> Query:
    parser = _Parser(_tokens(text), today or datetime.now(UTC).date())
    parser.expect("SELECT")
    fields = [parser.take()[1]]
    while parser.peek() == ("op", ","):
        parser.take()
        fields.append(parser.take()[1])
    parser.expect("FROM")
    kind, obj = parser.take()
    if kind != "word":
        raise SoqlError("expected an object after FROM")
    where: Callable[[Mapping[str, Any]], bool] = _everything
    if parser.keyword("WHERE"):
        where = parser.condition()
    order = None
    if parser.keyword("ORDER"):
        parser.expect("BY")
        field = parser.take()[1]
        descending = parser.keyword("DESC")
        if not descending:
            parser.keyword("ASC")
        order = (field, descending)
    limit = None
    if parser.keyword("LIMIT"):
        kind, number = parser.take()
        # Salesforce takes a whole number from 0 up; "LIMIT -1" is an error, not "all rows".
        if kind != "number" or not number.isdigit():
            raise SoqlError(f"LIMIT needs a whole number of 0 or more, not {number!r}")
        limit = int(number)
    if parser.peek() is not None:
        raise SoqlError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    bounds = [] if parser.top_or else parser.modstamp_bounds
    return Query(tuple(fields), obj, where, order, limit, filtered=where is not _everything,
                 modstamp_from=max(bounds, default=None))
