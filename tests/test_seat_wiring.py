"""Real seats wired into the model: CLPs on seats, elections seat by seat, names, clps.csv, queries.

The pure parts (the seat table, sampling, the swing model, the hex map) are
tested in test_seats.py, test_seat_swing.py and test_seat_map.py; these tests
run the model. Runs simulate every one of the 632 seats in Great Britain with a
tiny membership (a few seconds each), so the seat sets can be checked whole.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.analysis.seat_tables import (
    COLUMNS,
    MAP_VIEWS,
    SeatQueryError,
    clp_table,
    map_values,
    query_seats,
    read_clps,
    seat_map,
)
from model.cli.main import main
from model.data.seats import find_seat, labour_held_codes, load_seats
from model.mechanisms import seat_elections
from model.mechanisms.seat_swing import swing_seats
from model.party import PartyModel
from model.records.events import Agm, GeneralElection, Retirement, Selection, TriggerBallot
from model.scenario.schema import ScenarioError, load_scenario, parse_scenario
from model.scenario.seats import (
    GB_REGIONS,
    GB_SEATS,
    MEMBERS_BY_REGION_2018,
    REAL_ELECTIONS,
    REAL_LABOUR_SEATS,
    UNION_DENSITY_2018,
)
from model.study.run import simulate, write_run
from tests.conftest import DEFAULT_SCENARIO, small_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def long_run_scenario(**changes):
    """labour_2015_2024 on all 632 seats with ~1,000 members; no contests, so Miliband leads.

    No deputy contests and no rule changes either: deputies are named MPs, and a
    rule change such as open selection could deselect the leader.
    """
    base = load_scenario(SCENARIOS / "labour_2015_2024.toml")
    party = {"scale": 0.005, **changes.pop("party", {})}
    contests = {"scheduled": [], **changes.pop("contests", {})}
    deputy = {"initial": None, "scheduled": [], **changes.pop("deputy", {})}
    conference = {"scheduled": [], **changes.pop("conference", {})}
    return base.with_changes(
        party=party, contests=contests, deputy=deputy, conference=conference, **changes
    )


@pytest.fixture(scope="module")
def long_run() -> PartyModel:
    party = PartyModel(long_run_scenario(), rng=4)
    party.run_for(party.config.calendar.months)
    return party


def held_codes(party: PartyModel) -> set[str]:
    return set(party.clps.code[party.clps.seat_held].tolist())


# --- the facts the schema checks against -------------------------------------------


def test_constants_agree_with_the_packaged_data() -> None:
    seats = load_seats()
    assert int(seats.contested.sum()) == GB_SEATS == 632
    assert set(seats.region[seats.contested].tolist()) == set(GB_REGIONS)
    assert set(REAL_ELECTIONS.values()) == set(seats.results)
    for year, n in REAL_LABOUR_SEATS.items():
        assert len(labour_held_codes(year)) == n
    assert set(MEMBERS_BY_REGION_2018) == set(UNION_DENSITY_2018) == set(GB_REGIONS)
    assert sum(MEMBERS_BY_REGION_2018.values()) == 546_873  # of 552,175 (Jan 2018)


# --- CLPs on real seats ---------------------------------------------------------------


def test_full_scale_clps_are_the_632_seats_of_great_britain(long_run: PartyModel) -> None:
    clps, seats = long_run.clps, load_seats()
    assert len(clps) == GB_SEATS
    assert clps.seat.tolist() == np.flatnonzero(seats.contested).tolist()
    assert clps.code.tolist() == seats.code[seats.contested].tolist()
    assert not any(c.startswith("N06") for c in clps.code)  # no CLP in Northern Ireland
    agent = long_run.clp_agents[int(np.flatnonzero(clps.name == "Islington North")[0])]
    assert agent.name == "Islington North" and agent.code == "E14000763" and agent.region == "LO"


def test_a_small_run_samples_seats_by_region(small) -> None:
    party = PartyModel(small, rng=1)
    seats = load_seats()
    rows = party.clps.seat
    assert len(rows) == 60 and len(set(rows.tolist())) == 60 and seats.contested[rows].all()
    for region in GB_REGIONS:  # stratified: each region's share within 1/n of its share of GB
        here = np.mean(seats.region[rows] == region)
        pool = np.mean(seats.region[seats.contested] == region)
        assert abs(here - pool) < 1 / 60
    again = PartyModel(small, rng=1)
    assert again.clps.seat.tolist() == rows.tolist()  # (scenario, seed) decides the sample


def test_the_plp_starts_in_the_real_seats_of_the_last_election(long_run: PartyModel) -> None:
    fresh = PartyModel(long_run_scenario(), rng=4)
    assert held_codes(fresh) == set(labour_held_codes(2015))
    assert {mp.clp for mp in fresh.sitting_mps} == set(np.flatnonzero(fresh.clps.seat_held))
    default = PartyModel(small_scenario(party={"clps": 632, "scale": 0.002}), rng=1)
    assert held_codes(default) == set(labour_held_codes(2015))  # starts 2016-10: the 2015 result


def test_members_follow_their_places(long_run: PartyModel) -> None:
    clps = PartyModel(long_run_scenario(), rng=4).clps
    spec = long_run.config.seats
    total = sum(spec.members_by_region.values())
    # Every seat simulated: the real memberships add up to the party's, region by region
    # in proportion to the regional figures (the log-normal draw aside).
    assert clps.real_members.sum() == pytest.approx(long_run.config.party.members)
    assert clps.represents == pytest.approx(1 / long_run.config.party.scale, rel=1e-3)
    london = clps.real_members[clps.region == "LO"].mean()
    scotland = clps.real_members[clps.region == "SC"].mean()
    assert london > 2 * scotland  # 1,538 against 437 per seat in the regional figures
    share = clps.real_members[clps.region == "LO"].sum() / clps.real_members.sum()
    assert share == pytest.approx(spec.members_by_region["LO"] / total, abs=0.05)
    # Union density: the North East's CLPs have more affiliated branches than London's.
    assert (
        clps.union_density[clps.region == "NE"].mean()
        > clps.union_density[clps.region == "LO"].mean()
    )
    # The lean is centred on the membership: the scenario's ideology mixture stays the party's.
    assert float(clps.member_weight @ clps.lean) == pytest.approx(0.0, abs=1e-12)


# --- general elections seat by seat ---------------------------------------------------


def test_historical_elections_give_the_exact_real_seats(long_run: PartyModel) -> None:
    e2017, e2019, e2024 = long_run.events.of_type(GeneralElection)
    seats = load_seats()
    for ge, year in ((e2017, 2017), (e2019, 2019)):
        assert ge.seat_source == f"real result {year}" and ge.kept_for_leader is None
        assert ge.seats == REAL_LABOUR_SEATS[year]
        before = set(labour_held_codes(2015 if year == 2017 else 2017))
        after = set(labour_held_codes(year))
        lost = {seats.code[find_seat(n)] for n in ge.lost_seats}
        gained = {seats.code[find_seat(n)] for n in ge.gained_seats}
        assert lost == before - after and gained == after - before
        assert ge.lost_clps == [int(long_run.clps.index_of(c)) for c in _codes(ge.lost_seats)]
    # Scotland: 1 seat in 2015 (from the data, not a swing), 7 in 2017, 1 in 2019.
    scots = {c for c in labour_held_codes(2017) if c.startswith("S14")}
    assert len(scots) == 7
    assert "Putney" in e2019.gained_seats and "Kensington" in e2019.lost_seats
    # 2024, on new boundaries: the real count, the seats the swing ranks best.
    assert e2024.seats == 411 and e2024.seat_source == "count ranked by uniform swing"
    assert e2024.base_result == 2019
    held = held_codes(long_run)
    assert len(held) == 411 and sum(c.startswith("S14") for c in held) > 10


def _codes(names: list[str]) -> list[str]:
    seats = load_seats()
    return [str(seats.code[find_seat(n)]) for n in names]


def test_a_sampled_run_keeps_the_real_seats_among_those_sampled() -> None:
    scenario = long_run_scenario(party={"clps": 90, "scale": 0.002}, calendar={"months": 60})
    party = PartyModel(scenario, rng=11)
    sampled = set(party.clps.code.tolist())
    assert held_codes(party) == set(labour_held_codes(2015)) & sampled
    party.run_for(60)
    (e2017, e2019) = party.events.of_type(GeneralElection)
    kept = (
        {party.clps.code[party.clps.index_of(e2019.kept_for_leader)]} - {None}
        if e2019.kept_for_leader
        else set()
    )
    assert held_codes(party) == (set(labour_held_codes(2019)) & sampled) | kept


def test_computed_elections_swing_every_seat_from_the_last_real_result() -> None:
    scenario = small_scenario(
        party={"clps": 632, "scale": 0.002},
        calendar={"months": 14},
        elections={"dates": ["2017-06"], "noise_sd": 0.0},
        challenges={"enabled": False},
    )
    party = PartyModel(scenario, rng=5)
    party.run_for(14)
    (ge,) = party.events.of_type(GeneralElection)
    assert ge.mode == "computed" and ge.seat_source == "uniform swing" and ge.base_result == 2015
    base = load_seats().result(2015)
    swung = swing_seats(base.shares, base.valid_votes, ge.vote_share, other_top=base.other_top)
    expected = set(load_seats().code[swung.labour_won & load_seats().contested].tolist())
    if ge.kept_for_leader:
        expected.add(party.clps.code[party.clps.index_of(ge.kept_for_leader)])
    assert held_codes(party) == expected and ge.seats == len(expected)
    # The CLP table carries each seat's swung result.
    i = party.clps.index_of("Islington North")
    row = int(party.clps.seat[i])
    assert party.clps.lab_margin[i] == pytest.approx(swung.lab_margin[row])
    assert party.clps.last_election == "2017-06 (uniform swing from 2015)"


def test_proportional_swing_is_an_option() -> None:
    scenario = small_scenario(
        party={"clps": 632, "scale": 0.002},
        calendar={"months": 14},
        elections={"dates": ["2017-06"]},
        seats={"swing": "proportional"},
        challenges={"enabled": False},
    )
    party = PartyModel(scenario, rng=5)
    party.run_for(14)
    (ge,) = party.events.of_type(GeneralElection)
    assert ge.seat_source == "proportional swing"


def test_ranked_count_margins_are_positive_exactly_where_labour_wins() -> None:
    rng = np.random.default_rng(0)
    margin = rng.normal(0.0, 0.2, 50)
    decision = seat_elections.SeatDecision(
        won=margin > 0,
        lab_share=np.full(50, 0.3),
        lab_margin=margin,
        source="uniform swing",
        base_year=2019,
        national_share=0.3,
    )
    for k in (0, 7, 31, 50):
        ranked = seat_elections.ranked_count(decision, k)
        assert ranked.seats == k and ranked.source == "count ranked by uniform swing"
        assert ((ranked.lab_margin > 0) == ranked.won).all()
        assert set(np.argsort(-margin)[:k]) == set(np.flatnonzero(ranked.won))
    kept, changed = seat_elections.keep_seats(seat_elections.ranked_count(decision, 0), [3])
    assert kept.won[3] and changed.tolist() == [3]


def test_real_results_refuse_a_count_that_is_not_the_real_one() -> None:
    data = load_scenario(SCENARIOS / "labour_2015_2024.toml").model_dump()
    data["elections"]["historical_seats"]["2017-06"] = 300
    with pytest.raises(ScenarioError, match=r"2017-06 gives 300 seats, but Labour won 262"):
        parse_scenario(data)
    data["seats"]["real_results"] = False  # a counterfactual count: allowed, ranked by swing
    assert parse_scenario(data).elections.historical_seats["2017-06"] == 300


def test_seat_names_in_the_scenario_are_checked() -> None:
    data = load_scenario(DEFAULT_SCENARIO).model_dump()
    data["leader"]["seat"] = "Islington Nort"
    with pytest.raises(ScenarioError, match="did you mean 'Islington North'"):
        parse_scenario(data)
    data["leader"]["seat"] = "Belfast West"
    with pytest.raises(ScenarioError, match="Northern Ireland"):
        parse_scenario(data)


# --- names ------------------------------------------------------------------------------


def test_leader_and_candidates_sit_in_their_own_seats() -> None:
    scenario = load_scenario(SCENARIOS / "labour_2015_2024.toml").with_changes(
        party={"scale": 0.005}, calendar={"months": 5}
    )
    party = PartyModel(scenario, rng=2)
    assert party.leader.name == "Ed Miliband" and party.leader.seat == "Doncaster North"
    party.run_for(5)  # the 2015 contest opens in August
    named = {mp.name: mp.seat for mp in party.mps if not mp.name.startswith("MP for ")}
    assert named["Jeremy Corbyn"] == "Islington North"
    assert named["Liz Kendall"] == "Leicester West"


def test_events_and_mps_are_named_by_seat(long_run: PartyModel) -> None:
    names = long_run.clps.name
    for kind in (Agm, Selection, Retirement):
        records = long_run.events.of_type(kind)
        assert records, kind
        assert all(r.seat == names[r.clp] for r in records)
    assert all(mp.name.startswith("MP for ") or mp.name == "Ed Miliband" for mp in long_run.mps)
    successors = [mp.name for mp in long_run.mps if mp.name.endswith(")")]
    assert successors and all(" (" in name for name in successors)
    ge = long_run.events.of_type(GeneralElection)[0]
    assert ge.lost_seats == [names[c] for c in ge.lost_clps]
    data = ge.to_dict()
    assert list(data).index("lost_seats") > list(data).index("gained_clps")


def test_trigger_ballots_name_the_seat() -> None:
    scenario = small_scenario(reselection={"rounds": ["2017-01"]})
    party = PartyModel(scenario, rng=3)
    party.run_for(4)
    records = party.events.of_type(TriggerBallot)
    assert records and all(r.seat == party.clps.name[r.clp] for r in records)
    assert all(r.mp.startswith("MP for ") or r.mp == party.config.leader.name for r in records)


def test_the_run_summary_names_seats(long_run: PartyModel) -> None:
    summary = long_run.summary()
    assert summary["leader"].endswith("Doncaster North")
    assert "Putney" in summary["general election 2019-12"]
    assert summary["general election 2017-06"].startswith("262 of 632 seats (real result 2017)")


# --- clps.csv, the map and the seats command ------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = long_run_scenario(
        party={"scale": 0.02}, calendar={"months": 60}, contests={"scheduled": []}
    )
    out = tmp_path_factory.mktemp("run")
    write_run(simulate(scenario, seed=6), out)
    return out


def test_clps_csv_has_one_row_per_seat_and_the_documented_columns(run_folder: Path) -> None:
    table = pd.read_csv(run_folder / "clps.csv", keep_default_na=False)
    expected = [c for c in COLUMNS if c != "places_<faction>"]
    assert [c for c in table.columns if not c.startswith("places_")] == expected
    assert [c for c in table.columns if c.startswith("places_")] == [
        "places_momentum",
        "places_labour_to_win",
        "places_unaligned",
    ]
    assert len(table) == GB_SEATS and table["ons_code"].is_unique
    held = table[table["held"]]
    assert set(held["ons_code"]) == set(labour_held_codes(2019))
    # Every held seat has its MP (a CLP with no members at all could field nobody).
    assert (held["mp"] != "").all() and (table.loc[~table["held"], "mp"] == "").all()
    places = table[[c for c in table.columns if c.startswith("places_")]].sum(axis=1)
    assert (places == 10).all()  # executive_places, all to the controlling slate
    assert table["last_election"].iloc[0] == "2019 (real)"
    assert (run_folder / "figures" / "map.png").stat().st_size > 20_000


def test_map_views_and_the_figure(run_folder: Path) -> None:
    table = read_clps(run_folder)
    for view in MAP_VIEWS:
        values, kind, colours, _ = map_values(table, view)
        assert len(values) == GB_SEATS
        if kind == "category":
            assert set(values.values()) <= set(colours)
    fig = seat_map(table, "trigger")
    assert fig.axes[0].get_title() == MAP_VIEWS["trigger"]
    with pytest.raises(SeatQueryError, match="unknown map view"):
        map_values(table, "colour")


def test_query_filters_and_sorts(run_folder: Path) -> None:
    table = read_clps(run_folder)
    london = query_seats(table, region="London")
    assert len(london) == 73 and set(london["region"]) == {"LO"}
    assert london["lab_margin"].abs().is_monotonic_increasing
    risky = query_seats(table, sort="risk", held=True)
    # (A seat whose CLP has no simulated members has no risk to rank: it comes last.)
    assert risky["risk"].dropna().is_monotonic_decreasing and risky["held"].all()
    with pytest.raises(SeatQueryError, match="unknown region 'Atlantis'"):
        query_seats(table, region="Atlantis")


def test_seats_command_lists_named_seats(run_folder: Path, capsys) -> None:
    assert main(["seats", str(run_folder), "--region", "SC", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("59 seats in Scotland, most marginal first (first 5):")
    assert "MP for" in out or "Labour" in out
    assert main(["seats", str(run_folder), "--triggered", "--sort", "risk", "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("ons_code,seat,region")
    png = run_folder / "trigger.png"
    assert main(["seats", str(run_folder), "--map", "trigger", "--out", str(png)]) == 0
    assert png.stat().st_size > 20_000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--region", "Mars"], "unknown region 'Mars'"),
        (["--limit", "-1"], "--limit must be 0"),
        (["--out", "x.png"], "--out needs --map"),
    ],
)
def test_seats_command_bad_input_exits_2(run_folder: Path, capsys, argv, message) -> None:
    assert main(["seats", str(run_folder), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_seats_command_without_a_run_folder_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["seats", str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["seats", str(tmp_path)]) == 2
    assert "has no clps.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["seats", str(tmp_path), "--sort", "size"])
    assert exit_.value.code == 2


def test_clp_table_of_a_live_model(small) -> None:
    party = PartyModel(small, rng=1)
    party.run_for(2)
    table = clp_table(party)
    assert len(table) == 60 and table["risk"].between(0, 1).sum() == int(party.clps.seat_held.sum())
    again = clp_table(party)
    pd.testing.assert_frame_equal(table, again)  # reading a model does not change it
