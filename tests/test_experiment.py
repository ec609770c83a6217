"""Experiment files: validation messages, factors by dotted path, designs and seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.scenario.schema import ScenarioError
from model.study.experiment import (
    ExperimentError,
    apply_factors,
    load_experiment,
    parse_experiment,
    replication_seeds,
)
from tests.conftest import DEFAULT_SCENARIO, REPO, small_scenario

EXAMPLES = sorted((REPO / "experiments").glob("*.toml"))


def experiment_data(**tables) -> dict:
    info = {
        "name": "test",
        "scenario": str(DEFAULT_SCENARIO),
        "replications": 3,
        "root_seed": 11,
        **tables.pop("experiment", {}),
    }
    return {"experiment": info, **tables}


def problems_of(data: dict, **kwargs) -> str:
    with pytest.raises(ExperimentError) as err:
        parse_experiment(data, source="exp.toml", **kwargs)
    assert isinstance(err.value, ScenarioError)  # the CLI treats both alike
    return str(err.value)


# --- files and validation -------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_experiments_load(path: Path):
    experiment = load_experiment(path)
    assert experiment.n_runs == len(experiment.points) * experiment.replications
    assert len({p.label for p in experiment.points}) == len(experiment.points)


def test_example_experiments_exist():
    names = {p.stem for p in EXAMPLES}
    assert {"leadership_rules", "trigger_thresholds", "faction_capacity"} <= names


def test_file_errors_name_the_file(tmp_path: Path):
    with pytest.raises(ExperimentError, match=r"missing.toml:\n  file not found"):
        load_experiment(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment\nname=")
    with pytest.raises(ExperimentError, match=r"invalid experiment .*bad.toml:\n  not valid TOML"):
        load_experiment(bad)


def test_unknown_and_missing_keys_name_the_key_and_what_is_allowed():
    data = experiment_data(experiment={"replicatons": 2})
    del data["experiment"]["replications"]
    message = problems_of(data)
    assert message.startswith("invalid experiment exp.toml:")
    assert "experiment.replicatons: unknown key (allowed: description, months, name" in message
    assert "experiment.replications: required key is missing" in message
    message = problems_of(experiment_data(design={"kind": "random"}))
    assert "design.kind" in message and "'grid', 'lhs' or 'sobol'" in message


def test_base_scenario_problems_are_reported_against_the_experiment(tmp_path: Path):
    message = problems_of(
        experiment_data(experiment={"scenario": "nowhere.toml"}), base_dir=tmp_path
    )
    assert "exp.toml" in message and "experiment.scenario:" in message and "nowhere.toml" in message


def test_a_bad_factor_path_names_the_factor_and_the_allowed_keys():
    data = experiment_data(factors=[{"path": "flows.chrun", "levels": [0.01]}])
    message = problems_of(data, base=small_scenario())
    assert "exp.toml" in message
    assert "flows.chrun: unknown key 'chrun' (allowed: attraction_width, churn," in message
    data = experiment_data(factors=[{"path": "factions.7.organisers", "levels": [1]}])
    assert "factions.7: index 7 out of range (0..1)" in problems_of(data, base=small_scenario())
    data = experiment_data(factors=[{"path": "factions.Nobody.organisers", "levels": [1]}])
    message = problems_of(data, base=small_scenario())
    assert (
        "factions.Nobody: no item named 'Nobody' (use an index 0..1 or a name: Momentum" in message
    )


def test_a_bad_factor_value_names_the_variant_and_the_scenario_rule():
    data = experiment_data(factors=[{"path": "flows.churn", "levels": [0.01, 2.0]}])
    message = problems_of(data, base=small_scenario())
    assert "variant 'flows.churn=2'" in message and "flows.churn = 2" in message
    assert "less than or equal to 1" in message
    data = experiment_data(variants=[{"name": "x", "set": {"rules.preset": "labour_1900"}}])
    message = problems_of(data, base=small_scenario())
    assert "variant 'x'" in message and "unknown rules preset 'labour_1900'" in message
    bad_override = {"rules.overrides.leadership.electorate": "lottery"}
    data = experiment_data(variants=[{"name": "y", "set": bad_override}])
    assert "leadership.electorate" in problems_of(data, base=small_scenario())


def test_design_cross_checks():
    ranged = {"path": "flows.churn", "range": [0.001, 0.01]}
    assert "range needs design.kind" in problems_of(experiment_data(factors=[ranged]))
    data = experiment_data(factors=[ranged], design={"kind": "lhs"})
    assert "design.samples: required" in problems_of(data)
    data = experiment_data(factors=[ranged], design={"kind": "sobol", "samples": 12})
    assert "power of two (got 12; try 16)" in problems_of(data)
    data = experiment_data(factors=[{"path": "flows.churn", "levels": [1], "range": [0, 1]}])
    assert "either levels" in problems_of(data)
    data = experiment_data(factors=[{"path": "flows.churn", "range": [0.5, 0.1]}])
    assert "low < high" in problems_of(data)
    data = experiment_data(
        variants=[{"name": "a"}, {"name": "a"}],
        factors=[{"path": "flows.churn", "levels": [0.01]}, {"path": "flows.churn", "levels": [1]}],
    )
    message = problems_of(data)
    assert "name 'a' is used twice" in message and "'flows.churn' is given twice" in message
    data = experiment_data(
        variants=[{"name": "a", "set": {"flows.churn": 0.02}}],
        factors=[{"path": "flows.churn", "levels": [0.01]}],
    )
    assert "also a factor" in problems_of(data)
    data = experiment_data(outcomes={"scalars": ["final_members", "happiness"]})
    assert "unknown outcome 'happiness' (allowed: final_members," in problems_of(data)


# --- factors by dotted path --------------------------------------------------------------


def test_apply_factors_by_path_index_and_name():
    base = small_scenario()
    changed = apply_factors(
        base,
        {
            "flows.churn": 0.011,
            "factions.0.organisers": 7,
            "factions.Labour to Win.mobilisation": 3.0,
            "rules.preset": "labour_2010",
            "rules.overrides.leadership.registered_supporters": False,
            "party.branches_per_clp": [2, 5],
        },
    )
    assert changed.flows.churn == 0.011
    assert changed.factions[0].organisers == 7
    assert changed.factions[1].mobilisation == 3.0
    assert changed.rules.preset == "labour_2010"
    assert changed.rules.overrides == {"leadership": {"registered_supporters": False}}
    assert changed.party.branches_per_clp == (2, 5)
    # The base is untouched, and nested tables mean the same as dotted keys.
    assert base.flows.churn != 0.011 and base.factions[0].organisers != 7
    assert apply_factors(base, {"flows": {"churn": 0.011}}).flows == changed.flows


def test_apply_factors_by_selector_and_into_free_form_tables_only():
    base = small_scenario()
    changed = apply_factors(
        base,
        {
            "factions[name=Labour to Win].organisers": 9,
            "elections.historical_seats.2020-12": 200,  # a free-form table: a new month
        },
    )
    assert changed.factions[1].organisers == 9
    assert changed.elections.historical_seats["2020-12"] == 200
    with pytest.raises(ExperimentError, match="elections.seats: unknown key 'seats'"):
        apply_factors(base, {"elections.seats": 1})


def test_an_unreadable_experiment_file(tmp_path: Path, monkeypatch):
    path = tmp_path / "exp.toml"
    path.write_text("[experiment]\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert (
        str(info.value) == f"invalid experiment {path}:\n  cannot read the file: Permission denied"
    )


def test_apply_factors_rejects_a_value_below_a_leaf():
    with pytest.raises(
        ExperimentError, match=r"flows\.churn is a single value \([0-9.]+\); it has no key 'rate'"
    ):
        apply_factors(small_scenario(), {"flows.churn.rate": 1})


# --- designs ---------------------------------------------------------------------------


def test_grid_crosses_variants_with_levels_in_order():
    data = experiment_data(
        variants=[
            {"name": "2018", "set": {"rules.preset": "labour_2018"}},
            {"name": "college", "set": {"rules": {"preset": "labour_2010"}}},
        ],
        factors=[
            {"path": "factions.Momentum.organisers", "name": "org", "levels": [0, 30, 60]},
            {"path": "flows.churn", "levels": [0.005, 0.01], "labels": ["low", "high"]},
        ],
    )
    experiment = parse_experiment(data, base=small_scenario())
    assert len(experiment.points) == 2 * 3 * 2
    assert [p.label for p in experiment.points[:3]] == [
        "2018, org=0, flows.churn=low",
        "2018, org=0, flows.churn=high",
        "2018, org=30, flows.churn=low",
    ]
    last = experiment.points[-1]
    assert last.values == {
        "rules.preset": "labour_2010",
        "factions.Momentum.organisers": 60,
        "flows.churn": 0.01,
    }
    assert experiment.scenario(last.index).factions[0].organisers == 60
    assert experiment.input_paths == ["rules.preset", "factions.Momentum.organisers", "flows.churn"]


def sampled(kind: str, samples: int, seed: int = 5, **factor) -> list[dict]:
    data = experiment_data(
        factors=[
            {"path": "flows.churn", "range": [0.002, 0.02], **factor},
            {"path": "factions.Momentum.organisers", "range": [10, 50], "integer": True},
        ],
        design={"kind": kind, "samples": samples, "seed": seed},
    )
    return [p.values for p in parse_experiment(data, base=small_scenario()).points]


def test_latin_hypercube_is_stratified_seeded_and_in_range():
    points = sampled("lhs", 10)
    churn = np.array([p["flows.churn"] for p in points])
    assert churn.min() >= 0.002 and churn.max() < 0.02
    # One point in each tenth of the range: that is what a Latin hypercube means.
    strata = np.floor((churn - 0.002) / 0.0018).astype(int)
    assert sorted(strata) == list(range(10))
    organisers = [p["factions.Momentum.organisers"] for p in points]
    assert all(isinstance(o, int) and 10 <= o <= 50 for o in organisers)
    assert sampled("lhs", 10) == points
    assert sampled("lhs", 10, seed=6) != points


def test_sobol_and_log_scale():
    points = sampled("sobol", 8, scale="log")
    churn = np.array([p["flows.churn"] for p in points])
    assert len(points) == 8 and churn.min() >= 0.002 and churn.max() < 0.02
    # Log scale: about half the points below the geometric midpoint.
    below = (churn < np.sqrt(0.002 * 0.02)).sum()
    assert 2 <= below <= 6


def test_sampled_points_cross_with_grid_levels():
    data = experiment_data(
        factors=[
            {"path": "rules.preset", "levels": ["labour_2018", "labour_2010"]},
            {"path": "flows.churn", "range": [0.002, 0.02]},
        ],
        design={"kind": "lhs", "samples": 4},
    )
    points = parse_experiment(data, base=small_scenario()).points
    assert len(points) == 8
    # The same sample under each rule set: the rules are the only difference.
    first = [p.values["flows.churn"] for p in points[:4]]
    assert first == [p.values["flows.churn"] for p in points[4:]]
    assert points[5].label == "rules.preset=labour_2010, sample 1"


# --- seeds ------------------------------------------------------------------------------


def test_replications_share_seeds_across_variants():
    data = experiment_data(factors=[{"path": "factions.Momentum.organisers", "levels": [0, 30]}])
    experiment = parse_experiment(data, base=small_scenario())
    runs = experiment.runs()
    assert len(runs) == 6 and len({r.run_id for r in runs}) == 6
    for replication in range(3):
        seeds = {r.seed for r in runs if r.replication == replication}
        assert seeds == {experiment.seeds[replication]}
    assert len(set(experiment.seeds)) == 3
    assert runs[0].run_id == "v0000-r0000" and runs[1].run_id == "v0001-r0000"


def test_seeds_come_from_the_root_seed_and_are_prefix_stable():
    seeds = replication_seeds(11, 5)
    assert seeds[:3] == replication_seeds(11, 3)
    assert seeds != replication_seeds(12, 5)
    child = np.random.SeedSequence(11).spawn(1)[0]
    assert seeds[0] == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1
    assert all(0 <= s < 2**63 for s in seeds)


def test_with_changes_revalidates_and_keeps_the_design():
    experiment = load_experiment(REPO / "experiments" / "faction_capacity.toml")
    quick = experiment.with_changes(
        experiment={"replications": 2, "months": 6}, changes={"party.scale": 0.01}
    )
    assert quick.replications == 2 and quick.base.calendar.months == 6
    assert quick.base.party.scale == 0.01
    assert [p.values for p in quick.points] == [p.values for p in experiment.points]
    assert quick.seeds == experiment.seeds[:2]
    with pytest.raises(ExperimentError, match="replications"):
        experiment.with_changes(experiment={"replications": 0})
