"""Calibration on the past: ABC-SMC (pyabc) on the fit targets, never past the split.

The problem: the behavioural parameters of the priors table that are marked
``calibrate = true`` are fitted to every fit target (:mod:`model.validation.split`)
that the model measures, by approximate Bayesian computation with sequential
Monte Carlo (pyabc's :class:`~pyabc.ABCSMC`):

* **model** — one evaluation runs the calibration scenario
  (``labour_2010_2024``) *cut at the split month*, with the parameter values
  set, the named candidates' attributes and campaign shocks drawn
  (:mod:`model.validation.shocks`), and computes only the fit targets'
  measures, read through :class:`~model.validation.split.FitView`. Its seed is
  a hash of the parameter values, so any particle can be rerun exactly;
* **summary statistics** — each non-binary fit target: shares in percentage
  points, counts as log(1 + count); a figure the run did not produce counts as 0;
* **distance** — an adaptive Euclidean distance (Prangle 2017) whose scales are
  refitted every generation (:func:`spread_scale`): the median absolute
  deviation of the generation's simulations, so no target dominates by its
  unit, or their mean absolute deviation where the median one is 0. The
  fallback matters: when most runs did not hold a contest (2016 is only
  held where Corbyn won 2015), its figures are 0 in most runs, the median
  absolute deviation is 0, and pyabc gives a statistic of zero scale no
  weight at all — calibrations of November 2026 never fitted 2016 and
  accepted Corbyn at 75–97% there (published 61.8%). Not ``pcmad``, which
  adds each statistic's deviation from the observation to its scale: a
  target the model misses is then down-weighted for being missed
  (docs/calibration.md);
* **sampler** — pyabc's multicore evaluation-parallel sampler (or Dask, or
  single core);
* **resume** — pyabc's SQLite history (``pyabc.db``) holds every generation;
  the calibration runs one generation per step and a rerun of the same command
  continues after the last stored generation, so a completed generation is
  never redone (an interrupted one is lost).

Outputs (in the calibration folder): ``pyabc.db``, ``posterior.csv`` (the last
generation's particles and weights), ``generations.csv`` (epsilon, samples,
acceptance per generation), ``scale_weights.json`` (the distance's weights per
generation), ``priors.csv``, ``settings.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from model.scenario.schema import Scenario
from model.validation.catalogue import fit_targets
from model.validation.history import load_history
from model.validation.priors import (
    Applicability,
    PriorTable,
    applicability,
    apply_theta,
    load_priors,
)
from model.validation.runner import Spread, simulate_run
from model.validation.scenarios import (
    ALIASES,
    MEASURED,
    SCENARIO_DIR,
    adjust,
    load_validation_scenarios,
    scenario_texts,
)
from model.validation.split import SPLIT, FitView
from model.validation.targets import Target

SamplerKind = Literal["multicore", "single", "dask"]
DistanceKind = Literal["adaptive", "tolerance"]
CandidatesKind = Literal["drawn", "fixed"]
COUNT_UNITS = ("members", "votes", "MPs", "CLPs")


@dataclass(frozen=True)
class CalibrationSettings:
    """What determines a calibration (its fingerprint decides whether a folder can be resumed).

    Attributes:
        scale: party.scale of the calibration runs.
        population: particles per generation.
        generations: generations to reach (in total, including resumed ones).
        min_epsilon: stop once epsilon falls below this (0: never).
        min_acceptance: stop once a generation's acceptance rate falls below this.
        workers: processes (multicore) or Dask workers.
        sampler: "multicore", "single" or "dask".
        scheduler: a Dask scheduler address, or "local" (only with sampler "dask").
        max_weight_ratio: bound each statistic's distance weight at this many
            times the smallest non-zero one (pyabc's ``max_scale_weight_ratio``);
            None: unbounded. A statistic that varies little between runs but
            that the model misses by a constant (a count it always over- or
            undershoots) otherwise gets a weight that lets its noise decide
            which particles are accepted.
        distance: "adaptive" (each statistic scaled by its spread across the
            generation's runs, refitted every generation) or "tolerance"
            (fixed: each statistic scaled by its family's tolerance in the
            priors table, `tolerance_weights`).
        candidates: "drawn" (each evaluation draws the named candidates'
            attributes around the scenario's values, with the priors
            table's ``[candidates]`` spread) or "fixed" (every evaluation
            uses the scenario's own attributes; only the model's campaign
            shock varies). With one draw per evaluation, "drawn" accepts
            particles for a lucky draw as much as for their parameters: one
            point of calibration_v12 gave 277k–739k members in 2010 across
            eight draws. The attributes are fixed scenario inputs (issue
            #14), so "fixed" fits the parameters to the scenarios as users
            run them.
    """

    scale: float
    population: int
    generations: int
    min_epsilon: float = 0.0
    min_acceptance: float = 0.0
    workers: int = 1
    sampler: SamplerKind = "multicore"
    scheduler: str | None = None
    max_weight_ratio: float | None = None
    distance: DistanceKind = "adaptive"
    candidates: CandidatesKind = "drawn"

    def fingerprint(self, extra: Mapping[str, Any]) -> str:
        """A hash of what makes two calibrations the same (not the generations or workers)."""
        data = {
            "scale": self.scale,
            "population": self.population,
            **extra,
        }
        if self.max_weight_ratio is not None:
            # Only when set, so that earlier calibrations keep their fingerprints.
            data["max_weight_ratio"] = self.max_weight_ratio
        if self.distance != "adaptive":
            data["distance"] = self.distance
        if self.candidates != "drawn":
            data["candidates"] = self.candidates
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(unit: str, value: float) -> float:
    """A measured or published figure as a summary statistic (see the module docstring)."""
    if value is None or not math.isfinite(value):
        value = 0.0
    if unit in COUNT_UNITS:
        return math.log1p(max(float(value), 0.0))
    return float(value)


def spread_scale(samples: np.ndarray, **_: Any) -> np.ndarray:
    """Each statistic's scale for the adaptive distance (a pyabc scale function).

    The median absolute deviation of the generation's simulations; where it
    is 0 — most runs share one value, such as the 0 of a contest they did not
    hold — the mean absolute deviation instead, so that the runs that did
    differ still count. Only a statistic every run gives alike has scale 0
    (and no weight).

    Args:
        samples: simulations × statistics.

    Returns:
        One scale per statistic.
    """
    samples = np.atleast_2d(np.asarray(samples, dtype=float))
    median = np.median(samples, axis=0)
    scale = np.median(np.abs(samples - median), axis=0)
    mean_deviation = np.mean(np.abs(samples - samples.mean(axis=0)), axis=0)
    return np.where(scale > 0, scale, mean_deviation)


def tolerance_weights(targets: Sequence[Any], table: PriorTable) -> dict[str, float]:
    """Each fit target's fixed weight in the "tolerance" distance: 1 / its family's tolerance.

    An adaptive distance scales each statistic by its spread across the
    runs, which makes a share that varies by 10–20 points between runs
    weigh a hundred times less than a count that varies by 2% — so the
    calibration fits the counts and lets the contests go (calibration_v11:
    weights 0.06–0.1 for every 2016 share against 15 and 46 for two 2016
    counts). Here the scale is instead the miss the model is allowed on that
    kind of figure, declared in the priors table before any run (Wilkinson
    2013: an ABC kernel states the model's error).

    Raises:
        KeyError: a target's family has no tolerance in the table (named).
    """
    return {t.key: 1.0 / table.tolerance_of(t.family) for t in targets}


def table_identity(table: PriorTable, distance: DistanceKind) -> dict[str, Any]:
    """The part of the priors table that makes two calibrations the same.

    The tolerances count only for the tolerance distance, so that adaptive
    calibrations made before the table had them keep their fingerprints.
    """
    data = table.model_dump(mode="json", exclude={"tolerance"})
    if distance == "tolerance":
        data["tolerance"] = [t.model_dump(mode="json") for t in table.tolerance]
    return data


def unweighted_targets(scale_weights_file: Path) -> list[str]:
    """The fit targets that carried no weight in the distance of the last generation.

    pyabc silently gives a statistic of zero scale no weight: a target every
    run of the generation gave alike (usually a contest no run held, counted
    as 0) did not take part in choosing the particles. The calibration
    records them, and the command warns, so that no one reads the posterior
    as fitted to a target it never saw.

    Args:
        scale_weights_file: the calibration's ``scale_weights.json``.

    Returns:
        Target keys, in the file's order (empty if the file is missing).
    """
    if not scale_weights_file.exists():
        return []
    generations = json.loads(scale_weights_file.read_text())
    if not generations:
        return []
    last = generations[max(generations, key=int)]
    return [key for key, weight in last.items() if not weight > 0]


def theta_seed(theta: Mapping[str, float]) -> int:
    """The seed of one evaluation: a hash of its parameter values (so it can be rerun)."""
    text = json.dumps({k: repr(float(v)) for k, v in sorted(theta.items())})
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little") & 0x7FFFFFFF


@dataclass
class FitProblem:
    """Everything one calibration evaluation needs (picklable: workers receive it).

    Attributes:
        scenarios: calibration scenario name -> the scenario cut at the split.
        table: the priors table.
        where: which parameters apply to which scenario.
        targets: the fit targets used (non-binary, modelled), in order.
        spread: candidates' attributes and campaign shocks.
        observed: the observed summary statistics.
    """

    scenarios: dict[str, Scenario]
    table: PriorTable
    where: Applicability
    targets: list[Target]
    spread: Spread
    observed: dict[str, float]
    reads: list[str] = field(default_factory=list)

    @property
    def parameter_names(self) -> list[str]:
        """The calibrated parameters, in table order."""
        return [p.name for p in self.table.calibrated]

    def keys_for(self, scenario: str) -> list[str]:
        """The fit targets measured in one scenario."""
        return [t.key for t in self.targets if t.scenario == scenario]

    def simulate(self, theta: Mapping[str, float], seed: int | None = None) -> dict[str, float]:
        """One evaluation: the summary statistics of the model at `theta`.

        Every scenario is checked to end at or before the split, and every
        value is read through a FitView (which refuses anything but fit
        targets), so nothing after the split can enter the fit.

        Args:
            theta: the calibrated parameters' values.
            seed: the model's seed (default: one derived from `theta`, as
                pyabc's evaluations use; `rescore` passes its own).
        """
        seed = theta_seed(theta) if seed is None else int(seed)
        stats: dict[str, float] = {}
        # What may be read is decided here, from the split, not by self.targets:
        # a forecast target slipped into self.targets is refused by the view.
        allowed = {t.key for t in fit_targets(self.scenarios)}
        for name, scenario in self.scenarios.items():
            SPLIT.check_truncated(scenario)
            keys = self.keys_for(name)
            if not keys:
                continue
            varied = apply_theta(scenario, self.table, self.where, theta)
            _, values = simulate_run(
                varied.model_dump(mode="json"),
                seed=seed,
                draw=seed,
                spread=self.spread,
                keys=keys,
                source=f"calibration run of {name}",
            )
            view = FitView(values, allowed)
            for target in self.targets:
                if target.scenario == name:
                    stats[target.key] = encode(target.unit, view[target.key])
            self.reads.extend(view.reads)
        return stats

    def __call__(self, parameters: Mapping[str, Any]) -> dict[str, float]:
        """The pyabc model interface (a pyabc Parameter is a mapping)."""
        return self.simulate({k: float(v) for k, v in dict(parameters).items()})


def build_problem(
    *,
    scale: float | None,
    table: PriorTable | None = None,
    scenario_dir: str | Path = SCENARIO_DIR,
    months: int | None = None,
) -> FitProblem:
    """The calibration problem: scenarios cut at the split, fit targets, observed statistics.

    Args:
        scale: party.scale of the runs (None: the scenarios' own).
        table: the priors table (default: the package's).
        scenario_dir: where the scenario files are.
        months: cut every scenario shorter still (tests and --quick).
    """
    table = table or load_priors()
    loaded = load_validation_scenarios(scenario_dir, counterfactuals=False)
    scenarios = {
        name: SPLIT.truncate(adjust(loaded[name], scale=scale, months=months)) for name in MEASURED
    }
    where = applicability(scenario_texts(list(scenarios), scenario_dir), ALIASES)
    data = load_history()
    targets = [t for t in fit_targets(scenarios) if not t.is_binary]
    observed = {t.key: encode(t.unit, t.observed(data)) for t in targets}
    spread = Spread(
        ideology_sd=table.candidates.ideology_sd,
        valence_sd=table.candidates.valence_sd,
        shock_sd=table.campaign.shock_sd,
    )
    return FitProblem(scenarios, table, where, targets, spread, observed)


# --- running pyabc -------------------------------------------------------------------------


def _sampler(settings: CalibrationSettings, progress: bool) -> tuple[Any, Any]:
    """(pyabc sampler, something to close afterwards or None)."""
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    closer = None
    if settings.sampler == "dask":
        from dask.distributed import Client, LocalCluster

        if settings.scheduler in (None, "local"):
            cluster = LocalCluster(
                n_workers=settings.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)

            def closer() -> None:
                client.close()
                cluster.close()

        else:
            client = Client(settings.scheduler, timeout="10s")
            closer = client.close
        sampler = DaskDistributedSampler(dask_client=client, batch_size=1)
    elif settings.sampler == "single" or settings.workers <= 1:
        sampler = SingleCoreSampler()
    else:
        sampler = MulticoreEvalParallelSampler(n_procs=settings.workers)
    sampler.show_progress = progress and sys.stderr.isatty()
    return sampler, closer


def _prior(problem: FitProblem) -> Any:
    import pyabc

    return pyabc.Distribution(**{p.name: p.prior.pyabc_rv() for p in problem.table.calibrated})


@dataclass
class CalibrationResult:
    """What a calibration produced."""

    folder: Path
    posterior: pd.DataFrame
    generations: pd.DataFrame
    settings: dict[str, Any]
    ran: int


class CalibrationUnavailable(RuntimeError):
    """The calibration library (pyabc, the `calibrate` extra) is not installed."""


def require_pyabc() -> None:
    """Import pyabc, or say in one line how to install it.

    Raises:
        CalibrationUnavailable: pyabc is not installed.
    """
    try:
        import pyabc  # noqa: F401
    except ImportError as err:
        raise CalibrationUnavailable(
            "calibrating needs pyabc, which is not installed: "
            "pip install 'party-factions[calibrate]' (in a clone: pip install -e '.[calibrate]')"
        ) from err


def run_calibration(
    out: str | Path,
    settings: CalibrationSettings,
    *,
    table: PriorTable | None = None,
    scenario_dir: str | Path = SCENARIO_DIR,
    months: int | None = None,
    progress: bool = True,
) -> CalibrationResult:
    """Run (or continue) ABC-SMC into `out` and export the posterior.

    Args:
        out: the calibration folder (its pyabc.db is the resume point).
        settings: the calibration settings.
        table: the priors table (default: the package's).
        scenario_dir: where the scenario files are.
        months: cut the runs shorter still (tests and --quick).
        progress: progress bars on a terminal.

    Returns:
        The CalibrationResult.

    Raises:
        ValueError: `out` holds a calibration with other settings.
    """

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = table or load_priors()
    problem = build_problem(
        scale=settings.scale, table=table, scenario_dir=scenario_dir, months=months
    )
    if settings.candidates == "fixed":
        problem.spread = Spread(shock_sd=problem.spread.shock_sd)
    if settings.distance == "tolerance":
        try:
            tolerance_weights(problem.targets, table)
        except KeyError as err:
            raise ValueError(f"--distance tolerance: {err.args[0]}") from None
    identity = {
        "priors": table_identity(table, settings.distance),
        "targets": [t.key for t in problem.targets],
        "observed": problem.observed,
        "scenarios": {n: s.model_dump(mode="json") for n, s in problem.scenarios.items()},
        "split": SPLIT.last_fit_month,
    }
    fingerprint = settings.fingerprint(identity)
    settings_file = out / "settings.json"
    db = out / "pyabc.db"
    if db.exists():
        old = (
            json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.exists() else {}
        )
        if old.get("fingerprint") != fingerprint:
            raise ValueError(
                f"{out} holds a calibration with other settings, priors, targets or scenarios; "
                "use another folder, or --overwrite"
            )
    started = time.perf_counter()
    require_pyabc()  # its import also adds the console handler that _quiet_pyabc turns down

    with _quiet_pyabc():
        return _run_abc(
            out, settings, problem, table, fingerprint, db, settings_file, progress, started
        )


def _run_abc(
    out: Path,
    settings: CalibrationSettings,
    problem: FitProblem,
    table: PriorTable,
    fingerprint: str,
    db: Path,
    settings_file: Path,
    progress: bool,
    started: float,
) -> CalibrationResult:
    """The pyabc part of run_calibration (run, export)."""
    import pyabc
    from pyabc.distance import AdaptivePNormDistance, PNormDistance
    from tqdm.auto import tqdm

    from model.records.writers import atomic_write, write_text

    sampler, closer = _sampler(settings, progress)
    if settings.distance == "tolerance":
        weights = tolerance_weights(problem.targets, table)
        write_text(out / "weights.json", json.dumps(weights, indent=2) + "\n")
        distance: Any = PNormDistance(p=2, fixed_weights=weights)
    else:
        distance = AdaptivePNormDistance(
            p=2,
            scale_function=spread_scale,
            max_scale_weight_ratio=settings.max_weight_ratio,
            scale_log_file=str(out / "scale_weights.json"),
        )
    abc = pyabc.ABCSMC(
        problem,
        _prior(problem),
        distance,
        population_size=settings.population,
        sampler=sampler,
    )
    url = f"sqlite:///{db}"
    history = abc.load(url, 1) if db.exists() else abc.new(url, problem.observed)
    record = {
        "fingerprint": fingerprint,
        "settings": asdict(settings),
        "split": SPLIT.last_fit_month,
        "targets": [t.key for t in problem.targets],
        "parameters": problem.parameter_names,
        "spread": asdict(problem.spread),
        "library": f"pyabc {pyabc.__version__}",
    }
    write_text(settings_file, json.dumps(record, indent=2) + "\n")
    done = history.max_t + 1
    bar = tqdm(
        total=settings.generations,
        initial=min(done, settings.generations),
        unit="generation",
        desc="calibration",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        with _generation_log(bar):
            if done < settings.generations:
                # One call for all remaining generations (pyabc's own loop, so the
                # adaptive distance and epsilon behave as designed); after an
                # interruption, the same call continues from the stored generations.
                abc.run(
                    max_nr_populations=settings.generations - done,
                    minimum_epsilon=settings.min_epsilon,
                    min_acceptance_rate=settings.min_acceptance,
                )
    finally:
        bar.close()
        if closer is not None:
            closer()
    ran = history.max_t + 1 - done
    done = history.max_t + 1
    posterior = export_posterior(history)
    generations = history.get_all_populations()
    generations = generations[generations["t"] >= 0].reset_index(drop=True)
    generations["acceptance"] = generations["particles"] / generations["samples"]
    atomic_write(out / "posterior.csv", lambda p: posterior.to_csv(p, index=False))
    atomic_write(out / "generations.csv", lambda p: generations.to_csv(p, index=False))
    priors = pd.DataFrame(
        [
            {
                "parameter": p.name,
                "prior": p.prior.describe(),
                "calibrated": p.calibrate,
                "paths": " ".join(p.paths),
                "justification": p.justification,
            }
            for p in table.parameter
        ]
    )
    atomic_write(out / "priors.csv", lambda p: priors.to_csv(p, index=False))
    record["unweighted_targets"] = unweighted_targets(out / "scale_weights.json")
    record["seconds_this_call"] = round(time.perf_counter() - started, 1)
    record["generations_done"] = int(done)
    record["simulations"] = int(history.total_nr_simulations)
    write_text(settings_file, json.dumps(record, indent=2) + "\n")
    return CalibrationResult(out, posterior, generations, record, ran)


class _GenerationBar(logging.Handler):
    """Moves a progress bar when pyabc logs the end of a generation ("Accepted: n / N ...")."""

    def __init__(self, bar: Any):
        super().__init__(level=logging.INFO)
        self.bar = bar
        self.eps = ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("t: ") and "eps:" in message:
            self.eps = message.split("eps:")[1].strip().rstrip(".")
        elif message.startswith("Accepted:"):
            self.bar.update(1)
            self.bar.set_postfix(eps=f"{float(self.eps):.3g}" if self.eps else "", refresh=False)


@contextmanager
def _quiet_pyabc() -> Iterator[None]:
    """pyabc's own console log down to warnings (its progress goes to our bar instead)."""
    logger = logging.getLogger("ABC")
    quiet = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
    levels = [h.level for h in quiet]
    distance = logging.getLogger("ABC.Distance")
    distance_level = distance.level
    for h in quiet:
        h.setLevel(logging.WARNING)
    # A resumed run re-fits the distance's weights for the generation it starts
    # with and logs them again: pyabc warns about that; it is expected here.
    distance.setLevel(logging.ERROR)
    try:
        yield
    finally:
        distance.setLevel(distance_level)
        for h, level in zip(quiet, levels, strict=True):
            h.setLevel(level)


@contextmanager
def _generation_log(bar: Any) -> Iterator[None]:
    """Route pyabc's end-of-generation messages to the progress bar."""
    logger = logging.getLogger("ABC")
    old_level = logger.level
    handler = _GenerationBar(bar)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def export_posterior(history: Any) -> pd.DataFrame:
    """The last generation's particles: one row per particle (parameters, weight, distance)."""
    population = history.get_population(t=history.max_t)
    rows = [
        {**{k: float(v) for k, v in dict(p.parameter).items()}, "weight": float(p.weight),
         "distance": float(p.distance)}
        for p in population.particles
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    frame["generation"] = int(history.max_t)
    return frame


def load_posterior(folder: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A calibration folder's posterior and settings.

    Raises:
        FileNotFoundError: the folder holds no finished calibration (the message says so).
    """
    folder = Path(folder)
    path = folder / "posterior.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{folder} holds no calibration (no posterior.csv): run `factions calibrate "
            f"--out {folder}` or pass --calibrate"
        )
    settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    return pd.read_csv(path), settings


def posterior_draws(
    posterior: pd.DataFrame,
    table: PriorTable,
    n: int,
    *,
    seed: int,
) -> pd.DataFrame:
    """n parameter draws for the posterior predictive.

    Calibrated parameters are resampled from the weighted posterior particles
    (multinomial, with replacement); parameters the calibration does not fit
    are drawn from their priors. Deterministic given `seed`.

    Returns:
        One row per draw: draw, then one column per parameter.
    """
    missing = [p.name for p in table.calibrated if p.name not in posterior.columns]
    if missing:
        raise ValueError(
            "the posterior lacks calibrated parameters " + ", ".join(missing) + ": the priors "
            "table changed since the calibration; calibrate again"
        )
    rng = np.random.default_rng([seed, 0xD4A])
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(posterior), size=n, replace=True, p=weights / weights.sum())
    draws = posterior.iloc[rows][[p.name for p in table.calibrated]].reset_index(drop=True)
    free = table.sample(n, rng, [p.name for p in table.uncalibrated])
    for p in table.uncalibrated:
        draws[p.name] = [row[p.name] for row in free]
    draws.insert(0, "draw", range(n))
    return draws


def prior_draws(table: PriorTable, n: int, *, seed: int) -> pd.DataFrame:
    """n draws from the priors of every parameter (a prior-predictive check)."""
    rng = np.random.default_rng([seed, 0xD4B])
    frame = pd.DataFrame(table.sample(n, rng))
    frame.insert(0, "draw", range(n))
    return frame


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list[float]:
    """Quantiles of a weighted sample (the inverse of the weighted empirical CDF, interpolated)."""
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cdf, v)) for q in qs]


def posterior_summary(posterior: pd.DataFrame, table: PriorTable) -> pd.DataFrame:
    """Per calibrated parameter: prior, posterior median and 5-95% range, and how much it shrank.

    ``shrinkage`` is 1 - (posterior 90% width / prior 90% width), on the
    log scale for log-uniform priors: 0 means the data taught nothing.
    """
    rows = []
    weights = posterior["weight"].to_numpy(dtype=float)
    for p in table.calibrated:
        if p.name not in posterior.columns:
            continue
        values = posterior[p.name].to_numpy(dtype=float)
        low, mid, high = weighted_quantiles(values, weights, (0.05, 0.5, 0.95))
        lo_prior, hi_prior = (float(x) for x in p.prior.from_unit(np.array([0.05, 0.95])))
        if p.prior.dist == "loguniform":
            width = math.log(high / low) if low > 0 else math.nan
            prior_width = math.log(hi_prior / lo_prior)
        else:
            width, prior_width = high - low, hi_prior - lo_prior
        rows.append(
            {
                "parameter": p.name,
                "prior": p.prior.describe(),
                "median": mid,
                "low": low,
                "high": high,
                "shrinkage": 1.0 - width / prior_width,
            }
        )
    for p in table.uncalibrated:
        rows.append(
            {
                "parameter": p.name,
                "prior": p.prior.describe(),
                "median": math.nan,
                "low": math.nan,
                "high": math.nan,
                "shrinkage": math.nan,
            }
        )
    return pd.DataFrame(rows)
