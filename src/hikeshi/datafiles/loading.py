"""Reading YAML data files into models, with errors that name file, line, entry and field.

Every problem becomes one ``DataFileError`` line a person can act on without reading
Python: ``items.yaml: line 3, column 9: invalid YAML: …`` for a file that does not parse,
``items.yaml: entry id=x, field title.ja: String should have at least 1 character (line 12)``
for one that does not follow its schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

Model = TypeVar("Model", bound=BaseModel)

# Keys that name an entry of a list in an error ("entry id=…"), in the order they are tried;
# only a scalar value counts, so a translated `name: {ja: …, en: …}` is passed over.
ENTRY_KEYS: tuple[str, ...] = ("number", "id", "code", "name")

if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    # libyaml's safe loader is several times faster; the pure-Python one is the fallback.
    # Both offer the same interface, so the type checker is shown the pure-Python one.
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE_TAG = "tag:yaml.org,2002:merge"

# Clearer words for the pydantic errors a hand-edited file most often runs into.
_MESSAGES = {
    "extra_forbidden": "unknown field: check its spelling, or remove it",
    "missing": "required field is missing",
}


class DataFileError(ValueError):
    """A data file is missing, unreadable, not YAML, or does not follow its schema.

    ``problems`` holds one line per problem, each naming the file; ``str()`` joins them.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


class _DataFileLoader(_SafeLoader):
    """The safe loader, turning the Python errors of its value constructors into YAML ones."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:
            # PyYAML's safe constructors let plain Python errors through for malformed
            # values (`2001-02-30` → ValueError, `!!bool maybe` → KeyError); give them the
            # node's line like every other YAML error instead of a traceback.
            kind = str(node.tag).rsplit(":", 1)[-1]
            value = node.value if isinstance(node, ScalarNode) else "this value"
            shown = value if len(value) <= 60 else f"{value[:57]}..."
            raise ConstructorError(
                problem=f"cannot read {shown!r} as {kind}: {exc}",
                problem_mark=node.start_mark,
            ) from exc


def load_file(path: Path, model: type[Model], *, entry_keys: Sequence[str] = ENTRY_KEYS) -> Model:
    """Return the YAML file at ``path`` validated against ``model``; raise DataFileError."""
    return load_text(_read_bytes(path), model, name=path.name, entry_keys=entry_keys)


def load_folder(
    folder: Path,
    model: type[Model],
    *,
    pattern: str = "*.yaml",
    entry_keys: Sequence[str] = ENTRY_KEYS,
) -> dict[Path, Model]:
    """Return each file in ``folder`` matching ``pattern``, validated, by path in name order.

    Every file is read before anything is raised, so one DataFileError lists the problems
    of all the broken files, each line naming its file.
    """
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "folder not found"
        raise DataFileError(f"{folder}: {reason}")
    # Names starting with a dot are editors' lock and backup files, not data.
    paths = sorted(
        (p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    if not paths:
        raise DataFileError(f"{folder}: no data files named {pattern}")
    loaded: dict[Path, Model] = {}
    problems: list[str] = []
    for path in paths:
        try:
            loaded[path] = load_file(path, model, entry_keys=entry_keys)
        except DataFileError as error:
            problems += error.problems
    if problems:
        raise DataFileError(*problems)
    return loaded


def load_text(
    content: str | bytes,
    model: type[Model],
    *,
    name: str,
    entry_keys: Sequence[str] = ENTRY_KEYS,
) -> Model:
    """Return YAML ``content`` validated against ``model``; ``name`` heads each error line."""
    raw, root = _parse(_decode(content, name), name)
    if root is None:
        raise DataFileError(f"{name}: the file is empty")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(
            *(_schema_problem(name, raw, root, error, entry_keys) for error in exc.errors())
        ) from None


def read_yaml(path: Path) -> Any:
    """Return the parsed YAML document of ``path`` (None if empty); raise DataFileError."""
    raw, _ = _parse(_decode(_read_bytes(path), path.name), path.name)
    return raw


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{path}: data file not found") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a data file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _decode(content: str | bytes, name: str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            f"{name}: line {line}: not UTF-8 (byte 0x{content[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _parse(text: str, name: str) -> tuple[Any, Node | None]:
    """Return the document's value and its node tree (which knows every value's line)."""
    loader = _DataFileLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        duplicates = list(_duplicate_keys(root))
        if duplicates:
            raise DataFileError(*(f"{name}: {problem}" for problem in duplicates))
        return loader.construct_document(root), root
    except yaml.YAMLError as exc:
        raise DataFileError(_yaml_problem(name, text, exc)) from None
    except RecursionError:
        raise DataFileError(f"{name}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _duplicate_keys(root: Node) -> Iterator[str]:
    """Yield a problem for every key repeated within one mapping.

    PyYAML keeps the last of two equal keys without a word, so a second ``note:`` added
    to an entry would silently replace the first. Checked on the nodes, before merge keys
    (``<<: *base``) are expanded, because overriding a merged key is intended.
    """
    seen: set[int] = set()
    pending: list[Node] = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias: the same node again, perhaps inside itself
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            pending += node.value
        elif isinstance(node, MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                pending += (key, value)
                if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                    continue
                where = (key.tag, key.value)
                if where in first:
                    mark = key.start_mark
                    yield (
                        f"line {mark.line + 1}, column {mark.column + 1}: invalid YAML: key "
                        f"{key.value!r} appears twice in one mapping (first on line "
                        f"{first[where] + 1}); keep one"
                    )
                else:
                    first[where] = key.start_mark.line


def _yaml_problem(name: str, text: str, exc: yaml.YAMLError) -> str:
    """Return the error line for a YAML error: file, line and column, and the problem."""
    line: int | None = None
    column: int | None = None
    problem = str(exc)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        problem = exc.problem or exc.context or problem
    elif isinstance(exc, ReaderError) and isinstance(exc.character, int):
        # The reader reports an offset that counts bytes or characters depending on the
        # parser; finding the character itself gives the line either way.
        offset = text.find(chr(exc.character))
        if offset >= 0:
            line = text.count("\n", 0, offset) + 1
            column = offset - text.rfind("\n", 0, offset)
        problem = f"character U+{exc.character:04X} is not allowed: {exc.reason}"
    where = f"line {line}, column {column}: " if line is not None else ""
    return f"{name}: {where}invalid YAML: {problem}"


def _schema_problem(
    name: str, raw: Any, root: Node, error: ErrorDetails, entry_keys: Sequence[str]
) -> str:
    """Return the error line for one pydantic error: file, entry, field, message and line."""
    loc: tuple[int | str, ...] = tuple(error["loc"])
    message = _MESSAGES.get(error["type"], error["msg"])
    # "Value error, " is pydantic's wrapping of a validator's own, already readable, message.
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    line = _line_of(root, loc)
    return f"{name}: {_describe_location(raw, loc, entry_keys)}: {message} (line {line})"


def _describe_location(raw: Any, loc: tuple[int | str, ...], entry_keys: Sequence[str]) -> str:
    """Return 'entry …, field …' for a pydantic error location inside ``raw``."""
    node: Any = raw
    entry = ""
    fields: list[str] = []
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            label = _entry_label(node, entry_keys)
            if label and not entry:
                # Fields are named from the entry on: "entry id=x, field title.ja".
                entry = label
                fields = []
            else:
                fields.append(f"[{part}]")
            continue
        fields.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    field = ".".join(fields).replace(".[", "[") or "(document)"
    return f"entry {entry}, field {field}" if entry else f"field {field}"


def _entry_label(node: Any, entry_keys: Sequence[str]) -> str:
    if isinstance(node, dict):
        for key in entry_keys:
            value = node.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return f"{key}={value}"
    return ""


def _line_of(root: Node, loc: tuple[int | str, ...]) -> int:
    """Return the 1-based line of the deepest node of ``loc`` that the file has.

    A missing field points at its entry, an unknown or wrong one at its own key.
    """
    node = root
    line = root.start_mark.line
    for part in loc:
        if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
        elif isinstance(node, MappingNode):
            # The last equal key wins, as in the loaded value (merged keys come first).
            match = [
                (k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)
            ]
            if not match:
                break
            key, node = match[-1]
            line = key.start_mark.line
        else:
            break
    return line + 1
