"""A SOQL subset: enough for what crm-crew sends, and an error for anything else.

  SELECT f, Rel.f, ... FROM Object
  [WHERE cond]   cond: = != <> < > <= >= LIKE, IN (...), NOT IN (...), AND, OR, NOT, parentheses;
                 values: 'quoted\\'strings', numbers, true/false/null, date and datetime literals
  [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]

Text comparisons are case-insensitive, as in Salesforce. Errors are raised as `SoqlError`
carrying the errorCode the real API uses (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm_crew.testing.salesforce.schema import ObjectSpec, object_named


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
)""", re.VERBOSE)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\",
            "%": "\\%", "_": "\\_"}
_KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by", "asc", "desc", "nulls",
             "first", "last", "limit", "offset", "true", "false", "null"}


@dataclass
class Token:
    kind: str
    value: Any
    text: str
    pos: int


@dataclass
class Condition:
    op: str                                      # and, or, not, cmp
    children: list[Condition] = field(default_factory=list)
    path: str = ""
    operator: str = ""
    value: Any = None


@dataclass
class Query:
    obj: ObjectSpec
    fields: list[str]                            # canonical names; relationship paths as "Account.Name"
    where: Condition | None
    order: list[tuple[str, bool, bool]]          # (path, descending, nulls_last)
    limit: int | None
    offset: int


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise SoqlError("MALFORMED_QUERY", f"Invalid string literal: unknown escape sequence \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            bad = text[pos:].strip()[:20]
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{bad}'")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        value: Any = raw
        if kind == "string":
            value = _unescape(raw[1:-1])
        elif kind == "number":
            value = float(raw) if "." in raw else int(raw)
        tokens.append(Token(kind, value, raw, match.start(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token and token.kind == "word" and token.text.lower() in words:
            self.i += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            token = self.peek()
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text if token else '<EOF>'}'"
                            if token else f"expecting '{word.upper()}', found '<EOF>'")

    def take(self, kind: str) -> Token:
        token = self.peek()
        if token is None or token.kind != kind:
            found = token.text if token else "<EOF>"
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{found}'")
        self.i += 1
        return token

    def punct(self, char: str) -> bool:
        token = self.peek()
        if token and token.kind == "punct" and token.text == char:
            self.i += 1
            return True
        return False

    def parse(self) -> Query:
        self.expect_keyword("select")
        raw_fields = [self.take("word")]
        while self.punct(","):
            raw_fields.append(self.take("word"))
        self.expect_keyword("from")
        obj_token = self.take("word")
        obj = object_named(obj_token.text)
        if obj is None:
            raise SoqlError("INVALID_TYPE", f"\n{self.text}\n{' ' * obj_token.pos}^\nERROR at Row:1:Column:"
                            f"{obj_token.pos + 1}\nsObject type '{obj_token.text}' is not supported. If you are "
                            "attempting to use a custom object, be sure to append the '__c' after the entity name. "
                            "Please reference your WSDL or the describe call for the appropriate names.")
        self.obj = obj
        fields = [self.resolve(t) for t in raw_fields]
        where = self.condition() if self.keyword("where") else None
        order: list[tuple[str, bool, bool]] = []
        if self.keyword("order"):
            self.expect_keyword("by")
            while True:
                path = self.resolve(self.take("word"))
                descending = self.keyword("desc")
                if not descending:
                    self.keyword("asc")
                nulls_last = False
                if self.keyword("nulls"):
                    nulls_last = self.keyword("last")
                    if not nulls_last:
                        self.expect_keyword("first")
                order.append((path, descending, nulls_last))
                if not self.punct(","):
                    break
        limit = int(self.take("number").value) if self.keyword("limit") else None
        offset = int(self.take("number").value) if self.keyword("offset") else 0
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{self.peek().text}'")  # type: ignore[union-attr]
        return Query(obj, fields, where, order, limit, offset)

    def resolve(self, token: Token) -> str:
        """The canonical spelling of a field or relationship path; INVALID_FIELD when unknown."""
        if token.text.lower() in _KEYWORDS:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        parts = token.text.split(".")
        if len(parts) > 1 and parts[0].lower() == self.obj.name.lower():
            parts = parts[1:]
        spec: ObjectSpec | None = self.obj
        canonical = []
        for index, part in enumerate(parts):
            assert spec is not None
            if index < len(parts) - 1:
                rel = spec.relationship_named(part)
                target = object_named(rel.reference_to[0]) if rel and len(rel.reference_to) == 1 else None
                if rel is None or target is None:
                    raise self.invalid_field(token, f"Didn't understand relationship '{part}' in field path. If "
                                             "you are attempting to use a custom relationship, be sure to append "
                                             "the '__r' after the custom relationship name.")
                canonical.append(rel.relationship or part)
                spec = target
            else:
                found = spec.field_named(part)
                if found is None:
                    raise self.invalid_field(token, f"No such column '{part}' on entity '{spec.name}'. If you are "
                                             "attempting to use a custom field, be sure to append the '__c' after "
                                             "the custom field name. Please reference your WSDL or the describe "
                                             "call for the appropriate names.")
                canonical.append(found.name)
        return ".".join(canonical)

    def invalid_field(self, token: Token, detail: str) -> SoqlError:
        return SoqlError("INVALID_FIELD", f"\n{self.text}\n{' ' * token.pos}^\nERROR at Row:1:Column:"
                         f"{token.pos + 1}\n{detail}")

    def condition(self) -> Condition:
        terms = [self.conjunction()]
        while self.keyword("or"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else Condition("or", terms)

    def conjunction(self) -> Condition:
        factors = [self.factor()]
        while self.keyword("and"):
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else Condition("and", factors)

    def factor(self) -> Condition:
        if self.keyword("not"):
            return Condition("not", [self.factor()])
        if self.punct("("):
            inner = self.condition()
            if not self.punct(")"):
                raise SoqlError("MALFORMED_QUERY", "expecting a right parentheses, found '<EOF>'")
            return inner
        path = self.resolve(self.take("word"))
        if self.keyword("not"):
            self.expect_keyword("in")
            return Condition("cmp", path=path, operator="not in", value=self.value_list())
        if self.keyword("in"):
            return Condition("cmp", path=path, operator="in", value=self.value_list())
        if self.keyword("like"):
            value = self.value()
            if not isinstance(value, str):
                raise SoqlError("MALFORMED_QUERY", "LIKE needs a string value")
            return Condition("cmp", path=path, operator="like", value=value)
        op = self.take("op").text
        return Condition("cmp", path=path, operator="!=" if op == "<>" else op, value=self.value())

    def value_list(self) -> list[Any]:
        if not self.punct("("):
            raise SoqlError("MALFORMED_QUERY", "expecting a left parentheses")
        values = [self.value()]
        while self.punct(","):
            values.append(self.value())
        if not self.punct(")"):
            raise SoqlError("MALFORMED_QUERY", "expecting a right parentheses")
        return values

    def value(self) -> Any:
        token = self.peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected token: '<EOF>'")
        self.i += 1
        if token.kind in ("string", "number", "date"):
            return token.value
        if token.kind == "datetime":
            return _datetime_literal(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        if token.kind == "word" and token.text.lower() == "null":
            return None
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")


def _datetime_literal(text: str) -> str:
    """2026-01-02T03:04:05Z -> the stored shape 2026-01-02T03:04:05.000+0000 (UTC only)."""
    stamp = text[:19]
    return f"{stamp}.000+0000"


def parse(text: str) -> Query:
    return _Parser(text).parse()


Getter = Callable[[dict[str, Any], str], Any]


def matches(cond: Condition | None, record: dict[str, Any], get: Getter) -> bool:
    if cond is None:
        return True
    if cond.op == "and":
        return all(matches(c, record, get) for c in cond.children)
    if cond.op == "or":
        return any(matches(c, record, get) for c in cond.children)
    if cond.op == "not":
        return not matches(cond.children[0], record, get)
    return _compare(get(record, cond.path), cond.operator, cond.value)


def _norm(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "in":
        return any(_compare(actual, "=", v) for v in expected)
    if op == "not in":
        return not any(_compare(actual, "=", v) for v in expected)
    if op == "like":
        return actual is not None and like(str(actual), expected)
    if op == "=":
        return _norm(actual) == _norm(expected)
    if op == "!=":
        return _norm(actual) != _norm(expected)
    if actual is None or expected is None:
        return False
    a, b = _norm(actual), _norm(expected)
    try:
        return bool({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op])
    except TypeError:
        return False


def like(text: str, pattern: str) -> bool:
    """SOQL LIKE: % any run, _ one character, \\% and \\_ literal; case-insensitive."""
    regex, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(regex), text, re.IGNORECASE | re.DOTALL) is not None


def sort_records(records: list[dict[str, Any]], order: list[tuple[str, bool, bool]], get: Getter) -> None:
    """Stable multi-key sort; nulls first unless NULLS LAST (the SOQL default is nulls first)."""
    for path, descending, nulls_last in reversed(order):
        present = [r for r in records if get(r, path) is not None]
        absent = [r for r in records if get(r, path) is None]
        present.sort(key=lambda r: _norm(get(r, path)), reverse=descending)
        records[:] = present + absent if nulls_last else absent + present
