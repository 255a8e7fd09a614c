"""Safe YAML and JSON reading that keeps line numbers and refuses hostile input.

Only the YAML node graph is ever built (no Python objects from tags); it is then
walked by hand, which is where duplicate keys, alias bombs, deep nesting and
unknown tags are caught.  Every problem is a ``PainAdvisorError`` naming the
file and line.
"""

from __future__ import annotations

from typing import Any

import yaml

from painadvisor.files.reading import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, LocatedDict, LocatedList, ParseError

try:  # libyaml's composer is several times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", _STR, "tag:yaml.org,2002:timestamp",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_scalars = yaml.constructor.SafeConstructor()


def load_yaml(text: str, name: str) -> Any:
    """Parse one YAML document into dicts, lists and scalars with line numbers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        problem = err.problem or err.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {problem}", path=name, line=line) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        line = text[: err.position].count("\n") + 1 if isinstance(err.position, int) else None
        character = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        raise ParseError(f"invalid YAML: {err.reason} (character {character})", path=name, line=line) from None
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else "not YAML"
        raise ParseError(f"invalid YAML: {first}", path=name) from None
    except RecursionError:
        raise ParseError("invalid YAML: nested too deeply", path=name) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Builder(name).build(node, depth=0)


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def fail(self, message: str, node: yaml.Node) -> ParseError:
        return ParseError(message, path=self.name, line=node.start_mark.line + 1)

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"too many values (more than {MAX_NODES}, aliases included)", node)
        if depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep", node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return self.sequence(node, depth)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self.mapping(node, depth)
        raise self.fail(f"unsupported YAML tag '{node.tag}'", node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(f"unsupported YAML tag '{node.tag}'", node)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates and times as the text written
        try:  # an explicit tag on a value it does not fit (`!!int abc`, `!!bool maybe`) fails here
            value = _scalars.yaml_constructors[node.tag](_scalars, node)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError):
            if len(node.value) > MAX_INT_DIGITS:
                raise self.fail(f"a number has more than {MAX_INT_DIGITS} digits", node) from None
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.fail(f"'{_short(node.value)}' is not a valid {kind}", node) from None
        if isinstance(value, int) and value.bit_length() > MAX_INT_DIGITS * 3:  # 0x... or 0b... of any length
            raise self.fail("a number is too large", node)
        return value

    def sequence(self, node: yaml.SequenceNode, depth: int) -> LocatedList:
        items = LocatedList()
        items.line = node.start_mark.line + 1
        for child in node.value:
            items.append(self.build(child, depth + 1))
            items.item_lines.append(child.start_mark.line + 1)
        return items

    def mapping(self, node: yaml.MappingNode, depth: int) -> LocatedDict:
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail("keys must be plain text", key_node)
            key = key_node.value
            if key in mapping:
                raise self.fail(f"duplicate key '{key}'", key_node)
            mapping[key] = self.build(value_node, depth + 1)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
