"""Reading a guidance data file and turning schema violations into readable errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

# libyaml's safe loader is several times faster; the pure-Python one is the fallback.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Keys that identify an entry in a list, in the order they are tried.
_ENTRY_KEYS = ("number", "id", "code")


class GuidanceDataError(ValueError):
    """A guidance data file is missing, unreadable or does not follow its schema."""


def load_model(path: Path, model: type[Model]) -> Model:
    """Return the file's content validated against ``model``; raise GuidanceDataError."""
    raw = read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{path.name}: {describe_location(raw, err['loc'])}: {err['msg']}"
            for err in exc.errors()
        ]
        raise GuidanceDataError("\n".join(problems)) from None


def read_yaml(path: Path) -> Any:
    """Return the parsed YAML document of ``path``; raise GuidanceDataError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GuidanceDataError(f"{path}: guidance data file not found") from None
    except UnicodeDecodeError as exc:
        raise GuidanceDataError(
            f"{path.name}: not UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from None
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - _LOADER is a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise GuidanceDataError(f"{path.name}:{where}: invalid YAML: {problem}") from None


def describe_location(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Return 'entry … field …' for a pydantic error location inside ``raw``."""
    node: Any = raw
    entry = ""
    fields: list[str] = []
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            label = _entry_label(node)
            if label and not entry:
                entry = label
                fields = []
            else:
                fields.append(f"[{part}]")
            continue
        fields.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    field = ".".join(fields).replace(".[", "[") or "(document)"
    return f"entry {entry}, field {field}" if entry else f"field {field}"


def _entry_label(node: Any) -> str:
    if isinstance(node, dict):
        for key in _ENTRY_KEYS:
            if key in node:
                return f"{key}={node[key]}"
    return ""
