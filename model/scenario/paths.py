"""Dotted paths into nested dicts and lists: the one implementation.

A path names one value in data as parsed from TOML or JSON (dicts, lists,
scalars), one step per dot:

    party.scale                       a key of a table
    factions.0.organisers             a list item by index
    factions.Momentum.organisers      a list item by its "name"
    factions[name=Momentum].line      a list item by any field's value
    contests.scheduled[2].candidates  an index in brackets (the same as ".2")

A step that is all digits is an index when it meets a list and a key when
it meets a table (so "historical_seats.2019-12" and "members.ideology.0"
both work). Names are matched exactly; indices count from 0.

Every error is a `PathError` (a KeyError, so ``except KeyError`` keeps
working) whose message names the part of the path that is wrong and what
would have been allowed there, e.g.
``factions.Momentm: no item named 'Momentm' (use an index 0..1 or a name: Momentum, Labour to Win)``.

Scenarios (`model.scenario.schema.Scenario.with_changes`), experiment files
(`model.study.experiment`) and sweep tables use these functions; so can the
rules and validation layers (see `is_open_map` for schema-aware checks).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

__all__ = [
    "PathError",
    "Selector",
    "delete_path",
    "flatten",
    "get_path",
    "is_open_map",
    "join_path",
    "set_path",
    "split_path",
]


class PathError(KeyError):
    """A path that does not fit the data, with a message fit for a user.

    Attributes:
        path: the whole path.
        message: what is wrong, naming the bad part and what is allowed.
    """

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        # KeyError's own str() would quote the message like a key.
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt whole when it crosses back from a worker process (see ScenarioError).
        return (type(self), (self.path, self.message))


@dataclass(frozen=True)
class Selector:
    """A list item chosen by a field's value: ``[field=value]``."""

    field: str
    value: str

    def __str__(self) -> str:
        return f"[{self.field}={self.value}]"


Step = str | int | Selector
"""One step of a path: a key (str), an index (int) or a Selector."""

_SEGMENT = re.compile(r"([^.\[\]]*)((?:\[[^\[\]]*\])*)")


def split_path(path: str) -> tuple[Step, ...]:
    """Parse a path into its steps.

    Args:
        path: e.g. "factions.Momentum.organisers" or "factions[name=Momentum].line".

    Returns:
        The steps: keys as str (digits stay str: whether they are an index
        depends on the data they meet), bracketed indices as int, and
        bracketed ``field=value`` as Selector.

    Raises:
        PathError: an empty path, an empty step ("a..b") or a malformed bracket.
    """
    if not isinstance(path, str) or not path.strip():
        raise PathError(str(path), "empty path (give keys joined by dots, e.g. party.scale)")
    steps: list[Step] = []
    pos = 0
    text = path.strip()
    while True:
        match = _SEGMENT.match(text, pos)
        assert match is not None  # the pattern matches the empty string
        key, brackets = match.group(1).strip(), match.group(2)
        if not key and not brackets:
            raise PathError(
                path, f"{path}: empty step at position {pos} (steps are joined by one dot)"
            )
        if key:
            steps.append(key)
        for inner in re.findall(r"\[([^\[\]]*)\]", brackets):
            steps.append(_bracket(path, inner.strip()))
        pos = match.end()
        if pos == len(text):
            return tuple(steps)
        if text[pos] != ".":
            raise PathError(path, f"{path}: unexpected {text[pos]!r} at position {pos}")
        pos += 1
        if pos == len(text):
            raise PathError(path, f"{path}: ends with a dot")


def _bracket(path: str, inner: str) -> int | Selector:
    if inner.isdigit():
        return int(inner)
    if "=" in inner:
        field, value = (part.strip() for part in inner.split("=", 1))
        if field and value:
            return Selector(field, value)
    raise PathError(path, f"{path}: [{inner}] is neither an index [N] nor a selector [FIELD=VALUE]")


def join_path(steps: Iterable[Step]) -> str:
    """The dotted text of some steps (the inverse of `split_path`)."""
    text = ""
    for step in steps:
        if isinstance(step, Selector):
            text += str(step)
        elif isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + str(step)
    return text


def get_path(data: Any, path: str | Sequence[Step]) -> Any:
    """The value at a path.

    Args:
        data: nested dicts and lists.
        path: a dotted path (see the module docstring) or its steps.

    Returns:
        The value found there (not a copy).

    Raises:
        PathError: a step does not exist; the message names it and what exists.
    """
    text, steps = _parse(path)
    node = data
    for depth, step in enumerate(steps):
        node = node[_locate(node, step, text, steps[:depth])]
    return node


def set_path(
    data: Any,
    path: str | Sequence[Step],
    value: Any,
    *,
    create: bool | Callable[[tuple[Step, ...]], bool] = False,
) -> None:
    """Set the value at a path, in place.

    Args:
        data: nested dicts and lists (changed in place).
        path: a dotted path (see the module docstring) or its steps.
        value: the new value (stored as given, not copied).
        create: whether a table may gain a key it does not have yet: False
            (only existing keys: a typo is an error), True (anywhere; missing
            tables on the way are created), or a function of the steps that
            lead to the table, e.g. `is_open_map` bound to a schema.

    Raises:
        PathError: a step does not exist (and may not be created), or leads
            into a single value; the message names it and what is allowed.
    """
    text, steps = _parse(path)
    node = data
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        walked = steps[:depth]
        if isinstance(node, dict) and isinstance(step, str) and step not in node:
            if not _may_create(create, walked):
                _locate(node, step, text, walked)  # raises, listing the allowed keys
            if last:
                node[step] = value
                return
            node[step] = {}
            node = node[step]
            continue
        key = _locate(node, step, text, walked)
        if last:
            node[key] = value
            return
        node = node[key]


def delete_path(data: Any, path: str | Sequence[Step], *, missing_ok: bool = False) -> Any:
    """Remove the value at a path (a table's key or a list's item), in place.

    Args:
        data: nested dicts and lists (changed in place).
        path: a dotted path or its steps.
        missing_ok: return None instead of raising when the path does not exist.

    Returns:
        The value removed (None if it was missing and `missing_ok`).

    Raises:
        PathError: the path does not exist (unless `missing_ok`).
    """
    text, steps = _parse(path)
    try:
        parent = get_path(data, steps[:-1]) if len(steps) > 1 else data
        key = _locate(parent, steps[-1], text, steps[:-1])
    except PathError:
        if missing_ok:
            return None
        raise
    return parent.pop(key)


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted paths: {"party": {"scale": 1}} -> {"party.scale": 1}.

    TOML writes a path either as a quoted dotted key ("party.scale" = 1) or as
    nested tables; both mean the same. Empty tables and lists are values.

    Args:
        mapping: nested tables, with or without dotted keys.
        prefix: a path to put in front of every key.

    Returns:
        Dotted path -> leaf value, in the order given.
    """
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def is_open_map(model: type, steps: Sequence[Step]) -> bool:
    """True if the steps lead, in a pydantic model, to a free-form table (a dict field).

    Such tables (rule overrides, seats by month) may gain keys that the data
    does not have yet; every other table has a fixed set of keys, and a new
    one is a typo. Use as ``set_path(..., create=partial(is_open_map, Scenario))``.

    Args:
        model: the pydantic model class of the data's root.
        steps: the steps from the root to the table.

    Returns:
        Whether the table at the end of `steps` is a dict-typed field.
    """
    annotation: Any = model
    for step in steps:
        annotation = _unwrap(annotation)
        if annotation is Any:
            return True  # inside a free-form table: anything goes
        origin = typing.get_origin(annotation)
        if isinstance(step, int | Selector) or origin in (list, tuple):
            args = typing.get_args(annotation)
            if origin not in (list, tuple) or not args:
                return False
            annotation = args[0]
        elif origin is dict:
            args = typing.get_args(annotation)
            annotation = args[1] if len(args) == 2 else Any
        else:
            fields = getattr(annotation, "model_fields", None)
            if not fields or step not in fields:
                return False
            annotation = fields[step].annotation
    annotation = _unwrap(annotation)
    return annotation is Any or annotation is dict or typing.get_origin(annotation) is dict


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] (X | None) from a type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


# --- walking ------------------------------------------------------------------------


def _parse(path: str | Sequence[Step]) -> tuple[str, tuple[Step, ...]]:
    if isinstance(path, str):
        return path, split_path(path)
    steps = tuple(path)
    return join_path(steps), steps


def _may_create(create: bool | Callable[[tuple[Step, ...]], bool], walked: Sequence[Step]) -> bool:
    return create(tuple(walked)) if callable(create) else bool(create)


def _locate(node: Any, step: Step, path: str, walked: Sequence[Step]) -> str | int:
    """The key or index that `step` names in `node`, or a PathError saying what is allowed."""
    here = join_path([*walked, step]) if walked else join_path([step])
    where = join_path(walked) or "the top level"
    if isinstance(node, list):
        return _list_index(node, step, here, path)
    if isinstance(node, Mapping):
        if isinstance(step, str) and step in node:
            return step
        if not isinstance(step, str):
            raise PathError(
                path, f"{here}: {where} is a table, not a list (use a key: {_listing(node)})"
            )
        raise PathError(path, f"{here}: unknown key {step!r} (allowed: {_listing(node)})")
    shown = "not set (None)" if node is None else f"a single value ({_short(node)})"
    raise PathError(path, f"{here}: {where} is {shown}; it has no {_step_text(step)}")


def _list_index(items: list[Any], step: Step, here: str, path: str) -> int:
    span = f"0..{len(items) - 1}" if items else "none: the list is empty"
    names = [item.get("name") for item in items if isinstance(item, Mapping) and "name" in item]
    if isinstance(step, Selector):
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and str(item.get(step.field)) == step.value:
                return i
        values = [str(item.get(step.field)) for item in items if isinstance(item, Mapping)]
        raise PathError(
            path,
            f"{here}: no item with {step.field} = {step.value} "
            f"({step.field} values: {', '.join(values) or 'none'})",
        )
    if isinstance(step, int) or step.isdigit():
        index = int(step)
        if 0 <= index < len(items):
            return index
        raise PathError(path, f"{here}: index {index} out of range ({span})")
    if step in names:
        return names.index(step)
    by_name = f" or a name: {', '.join(map(str, names))}" if names else ""
    raise PathError(path, f"{here}: no item named {step!r} (use an index {span}{by_name})")


def _listing(node: Mapping[str, Any]) -> str:
    keys = sorted(map(str, node))
    return ", ".join(keys) if keys else "none: the table is empty"


def _step_text(step: Step) -> str:
    if isinstance(step, Selector):
        return f"item {step}"
    if isinstance(step, int):
        return f"item [{step}]"
    return f"key {step!r}"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
