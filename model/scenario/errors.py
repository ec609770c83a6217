"""Scenario errors: `ScenarioError` and the readable lines it is made of.

Every problem with a scenario becomes one line, "key.path: what is wrong (what
is allowed; what was given)", so the command line can print them and exit with
status 2 and an experiment file can reuse the same wording (:func:`describe`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["ScenarioError", "describe"]


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with a message fit for a user.

    Attributes:
        file: the scenario file (or "<scenario>" for an in-memory mapping).
        problems: one line per problem: "key.path: what is wrong (what is allowed)".
    """

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid scenario {file}:\n{lines}")

    def __reduce__(self) -> tuple[Any, ...]:
        # An error raised in a worker process crosses back by pickle, which
        # rebuilds an exception from its args (the message alone): without
        # this the pool fails with a TypeError and the user never sees the
        # problems.
        return (type(self), (self.file, self.problems))


def describe(err: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per problem: "key.path: what is wrong (what is allowed; what was given)"."""
    problems = []
    for item in err.errors():
        loc = tuple(item["loc"])
        where = ".".join(str(p) for p in loc)
        if item["type"] == "extra_forbidden":
            allowed = _allowed_keys(root, loc[:-1])
            hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
            problems.append(f"{where}: unknown key{hint}")
        elif item["type"] == "missing":
            problems.append(f"{where}: required key is missing")
        else:
            msg = item["msg"].removeprefix("Value error, ")
            given = item.get("input")
            for line in msg.splitlines():
                # Validators that see a whole table name the field they mean
                # ("plp_size: ..."); put it on the key path.
                head, sep, rest = line.partition(": ")
                if sep and _is_field_path(root, loc, head):
                    path, line = ".".join(p for p in (where, head) if p), rest
                else:
                    path = where or "scenario"
                # A whole table as "what was given" would be a screenful.
                shown = "" if isinstance(given, Mapping | list) else f" (got {_short(given)})"
                problems.append(f"{path}: {line}{shown}")
    return problems


def _is_field_path(root: type[BaseModel], loc: tuple[Any, ...], head: str) -> bool:
    """Whether `head` ("plp_size", "factions.member_share") is a field path under loc."""
    first = head.split(".")[0]
    return bool(first) and first in _allowed_keys(root, loc)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model reached by following loc from root."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _inner_model(field.annotation)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
