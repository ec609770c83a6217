"""Experiment files: many seeds × many rule variants of one base scenario.

An experiment names a base scenario, the variants to compare (named variants
and/or factors: a grid of levels, or a Latin hypercube or Sobol sample of
ranges), how many replications to run, and which outcomes to keep::

    [experiment]
    name = "trigger_thresholds"
    scenario = "../scenarios/default.toml"   # relative to this file
    months = 120                             # optional: override the calendar
    replications = 20
    root_seed = 20240601

    [changes]                                # applied to every run
    "party.scale" = 0.05

    [[variants]]                             # optional named variants
    name = "2018: a third of branches"
    set = { "rules.overrides.reselection.method" = "either_third" }

    [[factors]]                              # optional factors, crossed with the variants
    path = "factions.Momentum.organisers"    # a dotted path into the scenario
    levels = [0, 60, 120]                    # grid; or range = [lo, hi] with design lhs/sobol

    [design]
    kind = "grid"                            # "grid", "lhs" or "sobol"
    samples = 16                             # points for lhs/sobol
    seed = 1                                 # sampling seed (default: root_seed)

    [outcomes]
    scalars = ["deselections", "gap_last12"] # names in model.analysis.measures (default: all)
    series = ["members_full", "clps_*"]      # series columns to keep (default: all)
    events = ["selection"]                   # event types to keep (default: all but "agm")

Replications use common random numbers: replication r has the same seed in
every variant (``SeedSequence(root_seed).spawn(replications)[r]``), so that
variants differ only by their rules. Loading validates everything, including
every variant's scenario; a bad file gives one `ExperimentError` whose message
names the file, the key (or factor) and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.analysis.measures import OUTCOMES

# The scenario's translation of pydantic errors into "key.path: problem
# (allowed ...)" lines; reused so that both kinds of file read alike.
from model.scenario.errors import describe as _describe_validation
from model.scenario.paths import PathError, get_path, is_open_map, set_path
from model.scenario.paths import flatten as _flatten
from model.scenario.schema import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = [
    "DesignPoint",
    "Experiment",
    "ExperimentError",
    "ExperimentFile",
    "RunSpec",
    "apply_factors",
    "get_path",
    "load_experiment",
    "parse_experiment",
    "replication_seeds",
]

_MAX_RUNS = 1_000_000


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used, with a message fit for a user.

    A ScenarioError subclass so that the command line treats both alike (one
    line per problem, exit status 2).

    Attributes:
        file: the experiment file (or "<experiment>" for an in-memory mapping).
        problems: one line per problem: "key: what is wrong (what is allowed)".
    """

    def __init__(self, file: str, problems: list[str]):
        super().__init__(file, problems)
        lines = "\n".join(f"  {p}" for p in problems)
        self.args = (f"invalid experiment {file}:\n{lines}",)

    def __str__(self) -> str:
        return str(self.args[0])


# --- the file schema ---------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentInfo(_Strict):
    """The ``[experiment]`` table."""

    name: str = Field(min_length=1, description="Short identifier; the default result folder.")
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    months: int | None = Field(None, gt=0, le=1200, description="Override calendar.months.")
    replications: int = Field(gt=0, le=100_000, description="Seeds per variant.")
    root_seed: int = Field(ge=0, lt=2**63, description="Root of every replication's seed.")


class VariantSpec(_Strict):
    """One named variant: scenario fields to set, by dotted path."""

    name: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)


class FactorSpec(_Strict):
    """A factor: a scenario field given levels (grid) or a range (sampled)."""

    path: str = Field(min_length=1, description='Dotted path, e.g. "flows.churn".')
    name: str | None = Field(None, description="Short name for labels (default: the path).")
    levels: list[Any] | None = Field(None, min_length=1)
    labels: list[str] | None = None
    range: tuple[float, float] | None = None
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False

    @model_validator(mode="after")
    def _levels_or_range(self) -> Self:
        if (self.levels is None) == (self.range is None):
            raise ValueError("give either levels = [...] (a grid) or range = [low, high] (sampled)")
        if self.labels is not None:
            if self.levels is None:
                raise ValueError("labels go with levels, not with range")
            if len(self.labels) != len(self.levels):
                raise ValueError(
                    f"labels has {len(self.labels)} entries, levels has {len(self.levels)}"
                )
        if self.range is not None:
            low, high = self.range
            if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
                raise ValueError(
                    f"range must be [low, high] with low < high, got {list(self.range)}"
                )
            if self.scale == "log" and low <= 0:
                raise ValueError("a log-scale range needs low > 0")
        return self

    @property
    def short(self) -> str:
        """The name used in labels."""
        return self.name or self.path


class DesignSpec(_Strict):
    """The ``[design]`` table: how factors become design points."""

    kind: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, gt=0, le=_MAX_RUNS)
    seed: int | None = Field(None, ge=0, lt=2**63)


class OutcomeSpec(_Strict):
    """The ``[outcomes]`` table: what each run keeps."""

    scalars: list[str] | None = Field(None, description="Outcome names (default: all).")
    series: list[str] = Field(
        default_factory=lambda: ["*"], description="Series columns or patterns ('clps_*')."
    )
    events: list[str] | None = Field(None, description="Event types (default: all but agm).")


class ExperimentFile(_Strict):
    """A whole experiment file, validated (before its variants are resolved)."""

    experiment: ExperimentInfo
    changes: dict[str, Any] = Field(default_factory=dict)
    variants: list[VariantSpec] = Field(default_factory=list)
    factors: list[FactorSpec] = Field(default_factory=list)
    design: DesignSpec = Field(default_factory=DesignSpec)
    outcomes: OutcomeSpec = Field(default_factory=OutcomeSpec)


# --- resolved experiments ------------------------------------------------------------


@dataclass(frozen=True)
class DesignPoint:
    """One variant of the base scenario.

    Attributes:
        index: the variant number (0-based; part of every run id).
        label: a readable name for tables and plots.
        values: dotted path -> value, applied to the base scenario.
    """

    index: int
    label: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RunSpec:
    """One run: a variant and a replication (and so a seed)."""

    variant: int
    replication: int
    seed: int

    @property
    def run_id(self) -> str:
        """The run's deterministic id, e.g. "v0003-r0012"."""
        return run_id(self.variant, self.replication)


def run_id(variant: int, replication: int) -> str:
    """The id of run (variant, replication): "v0003-r0012"."""
    return f"v{variant:04d}-r{replication:04d}"


@dataclass(frozen=True)
class Experiment:
    """A validated experiment with its design resolved.

    Attributes:
        spec: the experiment file as validated.
        source: the file it came from (for messages), or "<experiment>".
        base_dir: the folder relative paths are resolved from.
        base: the base scenario with `[changes]` and `months` applied.
        points: the variants, in order.
        seeds: one seed per replication, the same for every variant.
    """

    spec: ExperimentFile
    source: str
    base_dir: Path
    base: Scenario
    points: tuple[DesignPoint, ...]
    seeds: tuple[int, ...]
    _scenarios: dict[int, Scenario] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.experiment.name

    @property
    def replications(self) -> int:
        """Replications (seeds) per variant."""
        return len(self.seeds)

    @property
    def n_runs(self) -> int:
        """Variants × replications."""
        return len(self.points) * len(self.seeds)

    @cached_property
    def input_paths(self) -> list[str]:
        """Every dotted path some variant sets: the input columns of the runs table."""
        paths: list[str] = []
        for point in self.points:
            paths.extend(p for p in point.values if p not in paths)
        return paths

    @cached_property
    def scalars(self) -> list[str]:
        """The scalar outcomes each run computes."""
        return list(self.spec.outcomes.scalars or OUTCOMES)

    def scenario(self, variant: int) -> Scenario:
        """The scenario of one variant (validated at load; cached)."""
        if variant not in self._scenarios:
            point = self.points[variant]
            self._scenarios[variant] = apply_factors(
                self.base, point.values, source=self.source, what=f"variant {point.label!r}"
            )
        return self._scenarios[variant]

    def runs(self) -> list[RunSpec]:
        """Every run, replication-major (all variants of seed 0 first).

        That order means an interrupted sweep has whole replications of every
        variant rather than every replication of a few.
        """
        return [
            RunSpec(point.index, r, seed)
            for r, seed in enumerate(self.seeds)
            for point in self.points
        ]

    def inputs_of(self, variant: int) -> dict[str, Any]:
        """The value of every input path in one variant (the base value where unset)."""
        point = self.points[variant]
        base = self.base.model_dump(mode="json")
        out = {}
        for path in self.input_paths:
            if path in point.values:
                out[path] = point.values[path]
            else:
                try:
                    out[path] = get_path(base, path)
                except PathError:
                    out[path] = None
        return out

    def to_dict(self) -> dict[str, Any]:
        """The experiment as resolved, for the sweep manifest (JSON-safe)."""
        return {
            "source": self.source,
            "spec": self.spec.model_dump(mode="json"),
            "base_scenario": self.base.model_dump(mode="json"),
            "variants": [
                {"variant": p.index, "label": p.label, "values": _json_safe(p.values)}
                for p in self.points
            ],
            "replications": self.replications,
            "root_seed": self.spec.experiment.root_seed,
            "seeds": list(self.seeds),
            "scalars": self.scalars,
        }

    def fingerprint(self) -> str:
        """A hash of everything that determines the runs, except the replication count.

        Two experiments with the same fingerprint give the same run for the same
        run id, so a sweep can be resumed, or extended with more replications.
        """
        data = {
            "base_scenario": self.base.model_dump(mode="json"),
            "variants": [[p.index, p.label, _json_safe(p.values)] for p in self.points],
            "root_seed": self.spec.experiment.root_seed,
            "outcomes": self.spec.outcomes.model_dump(mode="json"),
            "scalars": self.scalars,
        }
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_changes(
        self,
        *,
        experiment: Mapping[str, Any] | None = None,
        changes: Mapping[str, Any] | None = None,
        **tables: Any,
    ) -> Experiment:
        """A copy with some settings replaced, re-validated (e.g. a quick version).

        Args:
            experiment: fields of the ``[experiment]`` table, e.g. {"replications": 2}.
            changes: extra ``[changes]`` entries (dotted path -> value).
            **tables: whole tables to replace ("variants", "factors", "design", "outcomes").

        Returns:
            The new Experiment.
        """
        data = self.spec.model_dump(mode="json", exclude_none=True)
        if experiment:
            data["experiment"] = {**data["experiment"], **experiment}
        if changes:
            data["changes"] = {**data["changes"], **_flatten(dict(changes))}
        data.update(tables)
        return parse_experiment(data, source=self.source, base_dir=self.base_dir)


# --- loading ------------------------------------------------------------------------


def load_experiment(path: str | Path) -> Experiment:
    """Read, validate and resolve an experiment TOML file.

    Args:
        path: the experiment file.

    Returns:
        The Experiment, every variant's scenario validated.

    Raises:
        ExperimentError: the file, its base scenario or a variant is invalid;
            the message names the file, the key or factor and what is allowed.
    """
    path = Path(path)
    if not path.exists():
        raise ExperimentError(str(path), ["file not found"])
    if path.is_dir():
        raise ExperimentError(str(path), ["is a folder, not an experiment file"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ExperimentError(str(path), [f"not valid TOML: {err}"]) from None
    except UnicodeDecodeError:
        raise ExperimentError(str(path), ["not a text file (expected UTF-8 TOML)"]) from None
    except OSError as err:
        raise ExperimentError(str(path), [f"cannot read the file: {err.strerror or err}"]) from None
    return parse_experiment(data, source=str(path), base_dir=path.parent)


def parse_experiment(
    data: Mapping[str, Any],
    *,
    source: str = "<experiment>",
    base_dir: str | Path = ".",
    base: Scenario | None = None,
) -> Experiment:
    """Validate and resolve an already-parsed experiment mapping.

    Args:
        data: the experiment as nested dicts (as from TOML).
        source: the name used in error messages.
        base_dir: the folder the base scenario path is relative to.
        base: use this base scenario instead of reading ``experiment.scenario``
            (for scripts and tests that build scenarios in code).

    Returns:
        The resolved Experiment.

    Raises:
        ExperimentError: naming each problem.
    """
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as err:
        raise ExperimentError(source, _describe_validation(err, ExperimentFile)) from None
    base_dir = Path(base_dir)
    problems = _cross_check(spec)
    if problems:
        raise ExperimentError(source, problems)

    if base is None:
        scenario_path = base_dir / spec.experiment.scenario
        try:
            base = load_scenario(scenario_path)
        except ScenarioError as err:
            raise ExperimentError(
                source, [f"experiment.scenario: {line}" for line in str(err).splitlines()]
            ) from None
    changes = _flatten(spec.changes)
    if spec.experiment.months is not None:
        changes["calendar.months"] = spec.experiment.months
    if changes:
        base = apply_factors(base, changes, source=source, what="[changes]")

    points = _design_points(spec, source)
    if len(points) * spec.experiment.replications > _MAX_RUNS:
        raise ExperimentError(
            source,
            [
                f"design: {len(points)} variants × {spec.experiment.replications} replications "
                f"is more than {_MAX_RUNS:,} runs"
            ],
        )
    experiment = Experiment(
        spec=spec,
        source=source,
        base_dir=base_dir,
        base=base,
        points=tuple(points),
        seeds=replication_seeds(spec.experiment.root_seed, spec.experiment.replications),
    )
    for point in points:  # validate every variant now, not halfway through a sweep
        experiment.scenario(point.index)
    return experiment


def replication_seeds(root_seed: int, replications: int) -> tuple[int, ...]:
    """One seed per replication, spawned from the root seed.

    The same list serves every variant (common random numbers). Spawning is
    prefix-stable: more replications keep the first seeds, so a sweep can be
    extended.

    Args:
        root_seed: the experiment's root seed.
        replications: how many seeds.

    Returns:
        Non-negative ints below 2**63 (they fit Parquet's int64).
    """
    children = np.random.SeedSequence(root_seed).spawn(replications)
    return tuple(int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children)


def _cross_check(spec: ExperimentFile) -> list[str]:
    problems = []
    names = [v.name for v in spec.variants]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"variants: name {name!r} is used twice (names must be unique)")
    paths = [f.path for f in spec.factors]
    for path in sorted({p for p in paths if paths.count(p) > 1}):
        problems.append(f"factors: path {path!r} is given twice")
    for i, variant in enumerate(spec.variants):
        for path in _flatten(variant.set):
            if path in paths:
                problems.append(
                    f"variants[{i}].set: {path!r} is also a factor (set it in one place)"
                )
    design = spec.design
    sampled = [i for i, f in enumerate(spec.factors) if f.range is not None]
    if design.kind == "grid":
        for i in sampled:
            problems.append(
                f"factors[{i}] ({spec.factors[i].path}): range needs design.kind "
                '"lhs" or "sobol"; a grid takes levels = [...]'
            )
        if design.samples is not None:
            problems.append('design.samples: only for design.kind "lhs" or "sobol"')
    else:
        if not sampled:
            problems.append(
                f'design.kind "{design.kind}": needs at least one factor with range = [low, high]'
            )
        if design.samples is None:
            problems.append(f'design.samples: required for design.kind "{design.kind}"')
        elif design.kind == "sobol" and design.samples & (design.samples - 1):
            problems.append(
                f"design.samples: a Sobol design needs a power of two (got {design.samples}; "
                f"try {1 << (design.samples - 1).bit_length()})"
            )
    known = list(OUTCOMES)
    for name in spec.outcomes.scalars or ():
        if name not in OUTCOMES:
            problems.append(
                f"outcomes.scalars: unknown outcome {name!r} (allowed: {', '.join(known)})"
            )
    return problems


# --- designs ----------------------------------------------------------------------


def _design_points(spec: ExperimentFile, source: str) -> list[DesignPoint]:
    """Variants × factor points, in a fixed order (named variants outermost)."""
    variants = [(v.name, _flatten(v.set)) for v in spec.variants] or [("", {})]
    factor_points = _factor_points(spec)
    points = []
    for (vname, vvalues), (flabel, fvalues) in itertools.product(variants, factor_points):
        label = ", ".join(part for part in (vname, flabel) if part) or "base"
        points.append(DesignPoint(len(points), label, {**vvalues, **fvalues}))
    labels = [p.label for p in points]
    if len(set(labels)) != len(labels):
        # Labels are how figures tell variants apart; keep them unique.
        points = [DesignPoint(p.index, f"{p.index}: {p.label}", p.values) for p in points]
    return points


def _factor_points(spec: ExperimentFile) -> list[tuple[str, dict[str, Any]]]:
    grid = [f for f in spec.factors if f.levels is not None]
    sampled = [f for f in spec.factors if f.range is not None]
    grid_points: list[tuple[str, dict[str, Any]]] = [("", {})]
    if grid:
        grid_points = []
        choices = [range(len(f.levels or [])) for f in grid]
        for combo in itertools.product(*choices):
            values, parts = {}, []
            for factor, i in zip(grid, combo, strict=True):
                level = (factor.levels or [])[i]
                values[factor.path] = level
                shown = factor.labels[i] if factor.labels else _show(level)
                parts.append(f"{factor.short}={shown}")
            grid_points.append((", ".join(parts), values))
    if not sampled:
        return grid_points
    sample = _sample(spec, sampled)
    width = len(str(len(sample) - 1))
    sample_points = [
        (f"sample {i:0{width}d}", dict(zip([f.path for f in sampled], row, strict=True)))
        for i, row in enumerate(sample)
    ]
    return [
        (", ".join(p for p in (glabel, slabel) if p), {**gvalues, **svalues})
        for glabel, gvalues in grid_points
        for slabel, svalues in sample_points
    ]


def _sample(spec: ExperimentFile, factors: Sequence[FactorSpec]) -> list[list[float | int]]:
    """Latin hypercube or Sobol points over the factors' ranges (seeded)."""
    from scipy.stats import qmc

    design = spec.design
    seed = design.seed if design.seed is not None else spec.experiment.root_seed
    rng = np.random.default_rng(seed)
    n = int(design.samples or 0)
    if design.kind == "lhs":
        unit = qmc.LatinHypercube(d=len(factors), rng=rng).random(n)
    else:
        unit = qmc.Sobol(d=len(factors), scramble=True, rng=rng).random_base2(int(math.log2(n)))
    rows = []
    for u_row in unit:
        row: list[float | int] = []
        for factor, u in zip(factors, u_row, strict=True):
            low, high = factor.range or (0.0, 1.0)
            if factor.integer:
                # Each whole number in [low, high] equally likely.
                lo, hi = math.ceil(low), math.floor(high)
                row.append(int(min(hi, lo + math.floor(u * (hi - lo + 1)))))
            elif factor.scale == "log":
                row.append(float(math.exp(math.log(low) + u * (math.log(high) - math.log(low)))))
            else:
                row.append(float(low + u * (high - low)))
        rows.append(row)
    return rows


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


# --- dotted paths -----------------------------------------------------------------------
#
# One implementation for scenarios, experiments and sweeps: model.scenario.paths.
# `get_path` is re-exported here for scripts written against this module.


def apply_factors(
    scenario: Scenario,
    values: Mapping[str, Any],
    *,
    source: str = "<experiment>",
    what: str = "factor",
) -> Scenario:
    """Set scenario fields by dotted path and re-validate the whole scenario.

    Paths (`model.scenario.paths`) walk the scenario's tables: "flows.churn",
    "factions.0.organisers", "factions.Momentum.organisers" or
    "factions[name=Momentum].organisers" (list items by index or name),
    "rules.preset", "rules.overrides.leadership.electorate" (rule overrides
    may add keys; the rules module validates them).

    Args:
        scenario: the base scenario.
        values: dotted path -> new value (nested dicts are flattened).
        source: the experiment file, for messages.
        what: what is being applied ("factor", "variant 'college'"), for messages.

    Returns:
        A new, validated Scenario.

    Raises:
        ExperimentError: an unknown path, or a value the scenario rejects; the
            message names the file, the path and what is allowed.
    """
    data = scenario.model_dump(mode="json")
    flat = _flatten(dict(values))
    problems = []
    for path, value in flat.items():
        try:
            set_path(data, path, copy.deepcopy(value), create=_free_form)
        except PathError as err:
            problems.append(f"{what}: {err}")
    if problems:
        raise ExperimentError(source, problems)
    try:
        return parse_scenario(data, source=source)
    except ScenarioError as err:
        shown = ", ".join(f"{p} = {_show(v)}" for p, v in flat.items())
        raise ExperimentError(
            source, [f"{what} ({shown}) makes an invalid scenario: {p}" for p in err.problems]
        ) from None


def _free_form(steps: Sequence[Any]) -> bool:
    # Tables a factor may add keys to: dict fields such as rule overrides (the
    # rules module validates them); every other key must already exist.
    return is_open_map(Scenario, steps)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
