"""Evaluating the simple formulas a workbook saved without their values (never with eval()).

A workbook written by a program, or saved with calculation switched off, holds formulas whose values
were never calculated; the reader records them in ``Sheet.formulas``. A figure is never taken as 0
for such a cell: a simple formula is worked out here, anything else is refused (the row is then
quarantined with "công thức chưa được tính"). Simple means numbers, + - * / and parentheses, cell
references of the same sheet and SUM over cells or ranges, each referenced cell holding a plain
number or nothing (a blank counts 0, as in Excel).
"""

from __future__ import annotations

import re

from etl.extract.workbook import Sheet

MAX_LENGTH = 2000  # far above any formula a clerk types; keeps the work per cell bounded
MAX_RANGE_CELLS = 100_000
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
                    r"|(?P<range>\$?[A-Z]{1,3}\$?\d{1,7}:\$?[A-Z]{1,3}\$?\d{1,7})"
                    r"|(?P<ref>\$?[A-Z]{1,3}\$?\d{1,7})(?![A-Z0-9(!])"
                    r"|(?P<sum>SUM)\s*\("
                    r"|(?P<op>[-+*/(),]))", re.IGNORECASE)


class FormulaError(ValueError):
    """The formula is not one of the simple kinds, or refers to a cell that is not a plain number."""


def cell_name(row: int, col: int) -> str:
    """'D12' for the 0-based (11, 3)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _position(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.upper())
    assert match is not None
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, col - 1


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise FormulaError("formula too long")
    out, at, text = [], 0, text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            raise FormulaError(f"not a simple formula at {text[at:at + 10]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        at = match.end()
    return out


class _Parser:
    def __init__(self, text: str, sheet: Sheet) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.sheet = sheet

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (expected is not None and token[1] != expected):
            raise FormulaError(f"expected {expected or 'more'}")
        self.at += 1
        return token

    def value(self, row: int, col: int) -> float:
        if (row, col) in self.sheet.formulas:
            raise FormulaError(f"{cell_name(row, col)} is itself an uncalculated formula")
        value = self.sheet.cell(row, col)
        if value is None or (isinstance(value, str) and not value.strip()):
            return 0.0
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise FormulaError(f"{cell_name(row, col)} does not hold a number")

    def expression(self) -> float:
        total = self.term()
        while self.peek()[1] in ("+", "-"):
            total = total + self.term() if self.take()[1] == "+" else total - self.term()
        return total

    def term(self) -> float:
        product = self.factor()
        while self.peek()[1] in ("*", "/"):
            if self.take()[1] == "*":
                product *= self.factor()
            else:
                divisor = self.factor()
                if divisor == 0:
                    raise FormulaError("division by zero")
                product /= divisor
        return product

    def factor(self) -> float:
        kind, text = self.take()
        if text in ("+", "-"):
            return self.factor() if text == "+" else -self.factor()
        if kind == "number":
            return float(text)
        if kind == "ref":
            return self.value(*_position(text))
        if kind == "sum":
            return self.sum_arguments()
        if text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        raise FormulaError(f"unexpected {text!r}")

    def sum_arguments(self) -> float:
        total = 0.0
        while True:
            total += self.range_sum(self.take()[1]) if self.peek()[0] == "range" else self.expression()
            separator = self.take()[1]
            if separator == ")":
                return total
            if separator != ",":
                raise FormulaError("expected ',' or ')'")

    def range_sum(self, text: str) -> float:
        (r0, c0), (r1, c1) = (_position(part) for part in text.split(":"))
        r0, r1, c0, c1 = min(r0, r1), max(r0, r1), min(c0, c1), max(c0, c1)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_RANGE_CELLS:
            raise FormulaError("range too large")
        return sum(self.value(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))


def evaluate(formula: str, sheet: Sheet) -> float:
    """The value of a simple formula (its text without '=') over ``sheet``'s cells; raises
    ``FormulaError`` for anything else."""
    parser = _Parser(formula.lstrip("="), sheet)
    try:
        result = parser.expression()
    except RecursionError:  # "((((...5))))" a thousand deep: no report's figure is written so
        raise FormulaError("nested too deeply") from None
    if parser.peek()[0] != "end":
        raise FormulaError(f"unexpected {parser.peek()[1]!r}")
    return result
