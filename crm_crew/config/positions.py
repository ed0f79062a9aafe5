"""YAML loading that remembers where every key and value came from.

`parse_yaml` turns YAML text into plain dicts, lists and scalars plus a `SourceMap` that
gives the 1-based line and column of every mapping key and every value, addressed by a
path tuple such as ("data", "tools", 2). Syntax errors and duplicate keys become Problems.

Config is data, never a way to take the machine down: files over MAX_CONFIG_BYTES are not
read, nesting is bounded, and aliases may not expand a document by more than
MAX_ALIAS_EXPANSION nodes (a "billion laughs" document is refused before it is built).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

# A key path: mapping keys (usually str) and list indexes, e.g. ("data", "tools", 2).
YamlPath = tuple[Any, ...]

_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_CONFIG_BYTES = 1_000_000
MAX_DEPTH = 64
# Nodes that aliases may add to a document beyond the ones written out: `<<: *defaults` merges
# and shared lists stay far below it; nested aliases that multiply (billion laughs) do not.
MAX_ALIAS_EXPANSION = 10_000


@dataclass
class Problem:
    """One thing wrong with the configuration, at a place in a file."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based line and column."""

    line: int
    col: int


START = Pos(1, 1)


@dataclass(frozen=True)
class _Scalar:
    start: Pos
    end: Pos
    style: str | None


@dataclass(frozen=True)
class Duplicate:
    """A mapping key given twice: `path` is the key's path, `first` where it first appeared."""

    path: YamlPath
    key: Any
    first: Pos
    again: Pos


@dataclass
class SourceMap:
    """Where each key and value of one YAML document sits in its file."""

    lines: list[str] = field(default_factory=list)
    keys: dict[YamlPath, Pos] = field(default_factory=dict)
    values: dict[YamlPath, Pos] = field(default_factory=dict)
    scalars: dict[YamlPath, _Scalar] = field(default_factory=dict)

    def has(self, path: YamlPath) -> bool:
        return path in self.values

    def key(self, path: YamlPath) -> Pos:
        """The key of `path` (for a list item, the item itself); else the nearest ancestor."""
        if not path:
            return START
        if path in self.keys:
            return self.keys[path]
        if path in self.values:
            return self.values[path]
        return self.key(path[:-1])

    def value(self, path: YamlPath) -> Pos:
        """The value at `path`; when absent, the key of its nearest present ancestor."""
        if path in self.values and path:
            return self.values[path]
        return self.key(path[:-1]) if path else START

    def char(self, path: YamlPath, text: str, offset: int) -> Pos:
        """Where character `offset` of the string `text` at `path` sits in the file.

        Exact for single-line plain or quoted scalars without escapes and for literal (`|`)
        blocks; the start of the value otherwise (folded blocks, multi-line plain scalars).
        """
        scalar = self.scalars.get(path)
        if scalar is None:
            return self.value(path)
        start = scalar.start
        if scalar.style in (None, "'", '"') and start.line == scalar.end.line:
            line = self._line(start.line)
            quote = 0 if scalar.style is None else 1
            inner = line[start.col - 1 + quote : scalar.end.col - 1 - quote]
            if inner == text:
                return Pos(start.line, start.col + quote + offset)
        elif scalar.style == "|":
            row = text.count("\n", 0, offset)
            line_start = text.rfind("\n", 0, offset) + 1
            line_end = text.find("\n", offset)
            content = text[line_start : line_end if line_end >= 0 else len(text)]
            source = self._line(start.line + 1 + row)
            indent = len(source) - len(content)
            if content and source.endswith(content) and not source[:indent].strip():
                return Pos(start.line + 1 + row, indent + offset - line_start + 1)
        return start

    def _line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


@dataclass
class ParsedYaml:
    data: Any
    source: SourceMap
    duplicates: list[Duplicate]
    error: Problem | None = None


class PositionLoader(yaml.SafeLoader):
    """A SafeLoader that builds plain Python data while recording positions in a SourceMap."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.source_map = SourceMap(lines=_LINE_BREAK.split(text))
        self.duplicates: list[Duplicate] = []
        self._active: set[int] = set()
        self._depth = 0
        self._first_alias: yaml.Mark | None = None

    def load_document(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self._first_alias is not None and _alias_expansion(node) > MAX_ALIAS_EXPANSION:
            raise yaml.composer.ComposerError(
                None, None, f"aliases expand this document by more than {MAX_ALIAS_EXPANSION} nodes "
                "(nested aliases that multiply, a 'billion laughs' document): write the values out",
                self._first_alias)
        return self._build(node, ())

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent) and self._first_alias is None:
            self._first_alias = self.peek_event().start_mark
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def _build(self, node: Node, path: YamlPath) -> Any:
        start = _pos(node.start_mark)
        self.source_map.values[path] = start
        if isinstance(node, ScalarNode):
            self.source_map.scalars[path] = _Scalar(start, _pos(node.end_mark), node.style)
            return self.construct_object(node, deep=True)
        if id(node) in self._active:
            raise yaml.constructor.ConstructorError(
                None, None, "recursive alias is not supported", node.start_mark
            )
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
                return [self._build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == _MAP_TAG:
                return self._build_mapping(node, path)
            return self.construct_object(node, deep=True)
        finally:
            self._active.discard(id(node))

    def _build_mapping(self, node: MappingNode, path: YamlPath) -> dict[Any, Any]:
        # Keys merged in with `<<` may be overridden; only keys written twice are duplicates.
        explicit = {id(key_node) for key_node, _ in node.value if key_node.tag != _MERGE_TAG}
        self.flatten_mapping(node)
        result: dict[Any, Any] = {}
        written: set[Any] = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found an unhashable key", key_node.start_mark,
                ) from None
            key_pos = _pos(key_node.start_mark)
            child = (*path, key)
            if id(key_node) in explicit:
                if key in written:
                    self.duplicates.append(Duplicate(child, key, self.source_map.keys[child], key_pos))
                written.add(key)
            self.source_map.keys[child] = key_pos
            result[key] = self._build(value_node, child)
        return result


def _alias_expansion(root: Node) -> int:
    """How many nodes aliases add: the size of the document fully expanded minus the nodes written.

    Sizes are memoized per node, so this takes time linear in the written document however
    far the aliases would expand it. A recursive alias counts once (the builder refuses it).
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
        elif key not in sizes and key not in on_path:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return sizes[id(root)] - len(sizes)


def _children(node: Node) -> list[Node]:
    if not isinstance(node, CollectionNode):
        return []
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def read_yaml_file(path: Path) -> ParsedYaml:
    """Read and parse one config file; `error` says why when it cannot be used (never its content)."""
    file = str(path)

    def failed(message: str) -> ParsedYaml:
        return ParsedYaml(None, SourceMap(), [], Problem(file, 1, 1, message))

    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return failed("cannot read file: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return failed("file not found")
    except OSError as exc:
        return failed(f"cannot read file: {exc.strerror or exc}")
    if len(data) > MAX_CONFIG_BYTES:
        return failed(f"file is larger than {MAX_CONFIG_BYTES:,} bytes, the limit for a config file: "
                      "is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return failed(f"cannot read file: not valid UTF-8 ({exc.reason} at byte {exc.start})")
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> ParsedYaml:
    """Parse one YAML document; a syntax error becomes `error` (data is then None)."""
    loader = PositionLoader(text)
    try:
        data = loader.load_document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else START
        return ParsedYaml(None, loader.source_map, [], Problem(file, pos.line, pos.col, _describe_yaml_error(exc)))
    except yaml.YAMLError as exc:
        return ParsedYaml(None, loader.source_map, [], Problem(file, 1, 1, f"invalid YAML: {exc}"))
    finally:
        loader.dispose()
    return ParsedYaml(data, loader.source_map, loader.duplicates)


def _describe_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "syntax error"
    if exc.context:
        return f"invalid YAML: {problem} ({exc.context})"
    return f"invalid YAML: {problem}"


def _pos(mark: yaml.Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)
