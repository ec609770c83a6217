"""Changing rules: field paths, re-validated changes, the changes between two rule sets.

A rule change names fields by dotted path (``"leadership.plp_threshold_vacancy"``)
or by nested mappings. :func:`apply_changes` (what ``RuleSet.with_changes``
does) checks every path against the schema, resets the fields that depend on
a switched controlling field (:data:`DEPENDENTS`), re-validates the whole rule
set and records the change in its sources; :func:`rule_changes_between` is the
inverse, the changes that turn one rule set into another. Problems become one
readable line per field (:func:`format_validation_error`).

The functions take the rule set's class from the objects they are given, so
this module needs nothing from `model.rules.schema` at run time (the schema
calls it; type checkers see the import below).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from model.rules.errors import RulesError
from model.rules.methods import METHOD_DEFAULT_SOURCES, METHOD_PARAMS

if TYPE_CHECKING:
    from model.rules.schema import RuleSet

__all__ = [
    "DEPENDENTS",
    "apply_changes",
    "collect_numbers",
    "flatten_changes",
    "format_validation_error",
    "rule_changes_between",
    "rule_sections",
    "source_for",
    "walk_schema",
]


def _field_kind(annotation: Any) -> tuple[str, type[BaseModel] | None]:
    """('model', cls) for a nested model, ('dict', None) for a mapping, else ('leaf', None)."""
    options = (
        get_args(annotation)
        if get_origin(annotation) in (Union, types.UnionType)
        else (annotation,)
    )
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            return "model", option
        if get_origin(option) is dict:
            return "dict", None
    return "leaf", None


def rule_sections(root: type[BaseModel]) -> tuple[str, ...]:
    """The sections of a rule set (its nested models: leadership, reselection, conference).

    Derived from the schema, so a new section is editable as soon as it is a
    field of ``RuleSet``.
    """
    return tuple(
        name
        for name, info in root.model_fields.items()
        if _field_kind(info.annotation)[0] == "model"
    )


def _allowed(model: type[BaseModel], where: str) -> str:
    return f"allowed fields in '{where}' are: " + ", ".join(model.model_fields)


def walk_schema(root: type[BaseModel], parts: Sequence[str]) -> tuple[str, type[BaseModel] | None]:
    """Check a field path against the schema; return the kind of its last step.

    Args:
        root: the rule set's class (``RuleSet``).
        parts: the path, split on dots.

    Returns:
        ``("model", cls)``, ``("dict", None)`` or ``("leaf", None)``.

    Raises:
        RulesError: an unknown field, or a path that goes below a single value.
    """
    sections = rule_sections(root)
    if not parts or parts[0] not in sections:
        head = parts[0] if parts else ""
        raise RulesError(
            f"unknown rule field '{head}': rule changes name a field under "
            + ", ".join(sections)
            + " (e.g. 'leadership.plp_threshold_vacancy')"
        )
    model: type[BaseModel] = root
    kind: str = "model"
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "rules"
        if kind == "dict":
            if depth != len(parts) - 1:
                raise RulesError(
                    f"'{'.'.join(parts)}': '{'.'.join(parts[: depth + 1])}' is a single value"
                )
            return "leaf", None
        if kind == "leaf":
            raise RulesError(f"'{'.'.join(parts)}': '{where}' is a single value, not a section")
        if part not in model.model_fields:
            raise RulesError(f"unknown rule field '{'.'.join(parts)}': {_allowed(model, where)}")
        kind, sub = _field_kind(model.model_fields[part].annotation)
        if kind == "model":
            assert sub is not None
            model = sub
    return kind, model if kind == "model" else None


def flatten_changes(
    root: type[BaseModel], changes: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Dotted-path changes from nested mappings and/or dotted keys (schema-checked)."""
    flat: dict[str, Any] = {}
    for key, value in changes.items():
        parts = (*prefix, *str(key).split("."))
        kind, _ = walk_schema(root, parts)
        if kind == "model" and isinstance(value, Mapping):
            flat.update(flatten_changes(root, value, parts))
        else:
            flat[".".join(parts)] = value
    return flat


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if isinstance(value, Mapping):
        value = dict(value)
    node[parts[-1]] = value


def _delete_path(data: dict[str, Any], path: str) -> None:
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def _value_at(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, Mapping) else getattr(obj, part, None)
    return obj


def _value_text(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, str) else str(value)


def _modified_name(name: str) -> str:
    return name if name.endswith(" modified") else f"{name} modified"


DEPENDENTS: dict[str, tuple[str, ...]] = {
    "reselection.method": tuple(f"reselection.{p}" for p in (*METHOD_PARAMS, "trigger_decided_by")),
    "leadership.electorate": ("leadership.college_sections", "leadership.multiple_voting"),
    "leadership.registered_supporters": (
        "leadership.registered_supporter_fee_gbp",
        "leadership.registered_supporter_window_hours",
    ),
}
"""A controlling field -> the fields reset (unless given) when it changes value."""


def _dependents_to_reset(rules: RuleSet, flat: Mapping[str, Any]) -> list[str]:
    reset = []
    for control, dependents in DEPENDENTS.items():
        if control in flat and flat[control] != _value_at(rules, control):
            if control == "leadership.registered_supporters" and flat[control]:
                continue  # switching supporters on needs a fee: keep any given, else error
            reset += [
                d for d in dependents if not any(p == d or p.startswith(d + ".") for p in flat)
            ]
    return reset


_FIELD_MESSAGE = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): (.*)$", re.DOTALL)


def _model_at(root: type[BaseModel], loc: Sequence[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = root
    for part in loc:
        if part not in model.model_fields:
            return None
        kind, sub = _field_kind(model.model_fields[part].annotation)
        if kind != "model" or sub is None:
            return None
        model = sub
    return model


def format_validation_error(err: ValidationError, root: type[BaseModel]) -> str:
    """One readable line per problem: 'path: what is wrong (got …)'."""
    lines = []
    for error in err.errors():
        loc = [str(part) for part in error["loc"] if part != "[key]"]
        message = error["msg"].removeprefix("Value error, ")
        kind = error["type"]
        matched = _FIELD_MESSAGE.match(message)
        if kind == "value_error" and matched:
            loc.append(matched.group(1))
            message = matched.group(2)
        elif kind == "extra_forbidden":
            parent = _model_at(root, loc[:-1])
            where = ".".join(loc[:-1]) or "rules"
            message = "unknown field; " + (_allowed(parent, where) if parent else "")
        elif kind == "missing":
            message = "required field is missing"
        elif "input" in error and kind != "value_error":
            got = error["input"]
            message += f" (got {_value_text(got) if isinstance(got, Fraction) else repr(got)})"
        lines.append(f"{'.'.join(loc) or 'rules'}: {message}")
    return "; ".join(lines)


def source_for(sources: Mapping[str, str], path: str) -> str | None:
    """The citation covering a field path: its own entry or its nearest parent's."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def collect_numbers(obj: Any, path: str, found: dict[str, int | float | Fraction]) -> None:
    """Add every numeric value under ``obj`` (not booleans, not unset) to ``found`` by path."""
    if isinstance(obj, BaseModel):
        for field in type(obj).model_fields:
            collect_numbers(getattr(obj, field), f"{path}.{field}", found)
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            collect_numbers(value, f"{path}.{key}", found)
    elif isinstance(obj, int | float | Fraction) and not isinstance(obj, bool):
        found[path] = obj


def apply_changes(
    rules: RuleSet,
    changes: Mapping[str, Any],
    *,
    name: str | None = None,
    reason: str | None = None,
) -> RuleSet:
    """A new rule set with some fields changed, re-validated (``RuleSet.with_changes``).

    Args:
        rules: the rule set to change (unchanged itself).
        changes: field path -> new value, dotted or nested.
        name: name of the new rule set (default: this name + " modified").
        reason: why, recorded in the sources of the changed fields.

    Returns:
        The new rule set; ``basis`` keeps the preset the chain started from.

    Raises:
        RulesError: an unknown path or an invalid value (one line per problem).
    """
    root = type(rules)
    flat = flatten_changes(root, changes)
    data = {section: getattr(rules, section).model_dump() for section in rule_sections(root)}
    for path in _dependents_to_reset(rules, flat):
        _delete_path(data, path)
    for path, value in flat.items():
        _set_path(data, path, value)
    why = reason or "override"
    description = rules.description
    if flat:
        listed = "; ".join(f"{path} = {_value_text(v)}" for path, v in flat.items())
        description = f"{description} Changed from {rules.name} ({why}): {listed}."
    try:
        changed = root.model_validate(
            {
                "name": name or _modified_name(rules.name),
                "description": description,
                **data,
                "basis": rules.basis or rules.name,
            }
        )
    except ValidationError as err:
        raise RulesError(format_validation_error(err, root)) from None
    sources = {
        path: text
        for path, text in rules.sources.items()
        if not any(path == p or path.startswith(p + ".") for p in flat)
        and _value_at(changed, path) is not None
    }
    for path, value in flat.items():
        if _value_at(changed, path) is not None:
            old = _value_text(_value_at(rules, path))
            sources[path] = (
                f"change: {why}; set to {_value_text(value)} (was {old} in {rules.name})"
            )
    # Parameters filled in by a method switch carry the method's own source.
    method = changed.reselection.method
    for path in changed.numeric_paths():
        if source_for(sources, path) is None:
            section, field = path.split(".")[:2]
            sources[f"{section}.{field}"] = METHOD_DEFAULT_SOURCES.get(
                (method, field), "assumption: model default, no source"
            )
    return changed.model_copy(update={"sources": sources})


def rule_changes_between(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    """The field changes that turn ``old`` into ``new``, for a conference motion.

    Mappings (college sections and weights) and nested models that appear or
    disappear are compared and replaced whole.

    Args:
        old: the rule set in force.
        new: the proposed rule set (e.g. a preset such as ``open_selection``).

    Returns:
        Dotted field path -> new value; ``old.with_changes(result)`` has the same
        leadership, reselection and conference rules as ``new``.
    """
    changes: dict[str, Any] = {}

    def compare(a: Any, b: Any, path: str) -> None:
        if isinstance(a, BaseModel) and isinstance(b, BaseModel) and type(a) is type(b):
            for field in type(a).model_fields:
                compare(getattr(a, field), getattr(b, field), f"{path}.{field}")
        elif a != b:
            changes[path] = b.model_dump() if isinstance(b, BaseModel) else b

    for section in rule_sections(type(old)):
        compare(getattr(old, section), getattr(new, section), section)
    return changes
