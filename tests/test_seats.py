"""Tests for model.data (packaged files) and model.data.seats (the seat table).

Published Labour seat counts are read from the packaged validation data set
(model/data/labour/labour_history.json), as elsewhere in the tests. The
packaged hex map is checked against the sha256 its README gives.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest

from model.data import data_file, data_path, exists, read_bytes, read_json, read_text
from model.data import seats as seats_module
from model.data.seats import (
    NATION_BY_PREFIX,
    YEARS,
    SeatDataError,
    labour_held_codes,
    largest_remainder,
    load_seats,
    parse_seats,
    sample_seats,
)

REPO = Path(__file__).resolve().parents[1]

FILES = (
    "constituencies_2010.hexjson",
    "ge_results_2010_2019.csv",
    "LICENSE-hexmaps.txt",
    "README.md",
)
# sha256 of the hex map as published (data README).
HEXJSON_SHA256 = "11c73aee6daec55de06a5dc18e3baabc7c85e9f45333300140f6c55e32e7820e"
ATTRIBUTION = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0."


@pytest.fixture(scope="module")
def seats():
    return load_seats()


@pytest.fixture(scope="module")
def raw():
    """The two packaged files, unparsed, for building broken variants."""
    return (
        read_json("constituencies", "constituencies_2010.hexjson"),
        read_text("constituencies", "ge_results_2010_2019.csv"),
    )


# --- model.data: the files ship with the package --------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_packaged_files_found_through_importlib_resources(name):
    node = data_path("constituencies", name)
    assert node.is_file()
    assert exists(f"constituencies/{name}")
    assert len(read_bytes("constituencies", name)) > 500


def test_packaged_files_live_inside_the_package_not_in_shared():
    with data_file("constituencies", "constituencies_2010.hexjson") as path:
        assert path.is_file()
        assert (REPO / "model" / "data") in path.parents or "site-packages" in str(path)
        assert "shared" not in path.parts


def test_hexjson_is_the_published_file():
    digest = hashlib.sha256(read_bytes("constituencies/constituencies_2010.hexjson")).hexdigest()
    assert digest == HEXJSON_SHA256


def test_licence_and_attribution_ship_with_the_data():
    licence = read_text("constituencies", "LICENSE-hexmaps.txt")
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2017- Open Innovations" in licence
    readme = read_text("constituencies", "README.md")
    assert ATTRIBUTION in readme
    # The full MIT notice is reproduced in the README, word for word.
    body = licence.strip().splitlines()
    for line in body:
        assert line in readme, line


def test_data_api_rejects_paths_that_leave_the_package():
    with pytest.raises(ValueError, match="inside model/data"):
        data_path("..", "party.py")
    with pytest.raises(ValueError):
        data_path()
    with pytest.raises(FileNotFoundError, match="package-data"):
        read_text("constituencies", "no_such_file.csv")
    assert not exists("constituencies", "no_such_file.csv")


def test_data_files_are_declared_as_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["model.data"]
    shipped = sorted(
        p.relative_to(REPO / "model" / "data").as_posix()
        for p in (REPO / "model" / "data").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"
    )
    assert shipped, "no data files found in model/data"
    for rel in shipped:
        assert any(fnmatch(rel, g) for g in globs), f"{rel} is not covered by package-data {globs}"


def _build_failed_for_want_of_network(stderr: str) -> bool:
    markers = ("No matching distribution", "Could not find a version", "connection", "Network")
    return any(m.lower() in stderr.lower() for m in markers)


def test_wheel_ships_the_data_and_loads_seats_outside_the_repo(tmp_path):
    """Build the wheel (a few seconds), check its files, and load the seats from it.

    The wheel is unpacked into a folder outside the repository and imported
    from there in a fresh interpreter (dependencies from this environment), so
    the data must come from the wheel, not from the checkout or ../shared.
    """
    # Build from a clean copy of the sources: an in-tree build reuses build/
    # and *.egg-info, which can hold files the configuration no longer ships.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "model", src / "model", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    if build.returncode != 0 and _build_failed_for_want_of_network(build.stderr):
        pytest.skip(f"cannot fetch the build backend: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = out.glob("party_factions-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for name in FILES:
            member = f"model/data/constituencies/{name}"
            assert member in names, f"{member} missing from the wheel"
            assert zf.read(member) == read_bytes("constituencies", name)
        assert "model/data/__init__.py" in names
        site = tmp_path / "site"
        zf.extractall(site)
    probe = (
        "import model, model.data.seats as s; t = s.load_seats(); "
        "print(model.__file__); print(len(t), int(t.labour_held(2019).sum()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert run.returncode == 0, run.stderr[-2000:]
    where, counts = run.stdout.strip().splitlines()[-2:]
    assert Path(where).resolve().is_relative_to(site.resolve()), where
    assert counts == "650 202"


# --- the seat table ----------------------------------------------------------------------------


def test_650_seats_with_the_codes_of_both_files(seats, raw):
    hexjson, text = raw
    assert len(seats) == 650
    assert seats.code.tolist() == list(hexjson["hexes"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2600
    for year in YEARS:
        codes = [r["ons_code"] for r in rows if int(r["election_year"]) == year]
        assert len(codes) == 650
        assert sorted(codes) == sorted(seats.code.tolist())


def test_nations_regions_and_great_britain(seats):
    nations, counts = np.unique(seats.nation, return_counts=True)
    assert dict(zip(nations.tolist(), counts.tolist(), strict=True)) == {
        "England": 533,
        "Northern Ireland": 18,
        "Scotland": 59,
        "Wales": 40,
    }
    for code, nation in zip(seats.code, seats.nation, strict=True):
        assert NATION_BY_PREFIX[code[0]] == nation
    regions, counts = np.unique(seats.region, return_counts=True)
    assert dict(zip(regions.tolist(), counts.tolist(), strict=True)) == {
        "SE": 84, "NW": 75, "LO": 73, "WM": 59, "SC": 59, "EA": 58,
        "SW": 55, "YH": 54, "EM": 46, "WA": 40, "NE": 29, "NI": 18,
    }  # fmt: skip
    assert seats.contested.sum() == 632
    assert not seats.contested[seats.nation == "Northern Ireland"].any()
    westminster = seats.index("E14000639")  # Cities of London and Westminster
    assert seats.region_name[westminster] == "London"


def test_table_is_read_only_and_cached(seats):
    assert load_seats() is seats
    with pytest.raises(ValueError):
        seats.q[0] = 99
    with pytest.raises(ValueError):
        seats.result(2019).shares[0, 0] = 0.5
    with pytest.raises(TypeError):
        seats.results[2024] = seats.results[2019]  # type: ignore[index]


def _labour_history() -> dict:
    return read_json("labour", "labour_history.json")


@pytest.mark.parametrize("year", YEARS)
def test_labour_seats_each_year_match_the_published_totals(seats, year):
    published = _labour_history()["plp_and_constituencies"]["labour_seats_at_general_elections"]
    expected = published[str(year)]["value"]
    assert expected == {2010: 258, 2015: 232, 2017: 262, 2019: 202}[year]
    assert int(seats.labour_held(year).sum()) == expected
    codes = labour_held_codes(year, seats)
    assert len(codes) == expected == len(set(codes))
    assert list(codes) == [c for c in seats.code.tolist() if c in set(codes)]  # table order


def test_labour_seats_by_nation_include_scotlands_2015_collapse(seats):
    def in_scotland(year):
        return int((seats.labour_held(year) & (seats.nation == "Scotland")).sum())

    assert [in_scotland(y) for y in YEARS] == [41, 1, 7, 1]


def test_labour_stands_in_great_britain_except_the_speakers_seat(seats):
    for year in YEARS:
        res = seats.result(year)
        assert res.lab_stood.sum() == 631
        assert not res.lab_stood[~seats.contested].any()
        assert (res.votes[~seats.contested, 0] == 0).all()
        speaker = np.flatnonzero(res.winner == "spk")
        assert len(speaker) == 1 and not res.lab_stood[speaker[0]]
        assert seats.contested[speaker[0]]  # the Speaker's seat still has a CLP
    assert seats.result(2019).winner[seats.index("E14000637")] == "spk"  # Chorley


def test_results_shares_turnout_and_margins(seats):
    for year in YEARS:
        res = seats.result(year)
        assert np.allclose(res.shares.sum(axis=1), 1.0)
        assert np.all((res.turnout > 0.3) & (res.turnout < 0.9))
        assert ((res.lab_margin > 0) == res.labour_won).all()
        assert np.allclose(res.share("con"), res.con_share)
        assert (res.snp_share[seats.nation != "Scotland"] == 0).all()
        assert (res.pc_share[seats.nation != "Wales"] == 0).all()
    # National shares as published in the data README (UK-wide Labour share).
    labour = [round(float(seats.result(y).national_shares()[0]), 3) for y in YEARS]
    assert labour == [0.290, 0.304, 0.400, 0.321]


def test_a_seat_by_hand(seats):
    # Bury North 2019: Lab 21,555, Con 21,660, LD 1,584, other 2,042 of 46,841 valid
    # votes (the CSV row); the Conservatives won by 105 votes.
    seat = seats.seat("E14000611")
    assert seat["name"] == "Bury North" and seat["region"] == "NW" and seat["nation"] == "England"
    r2019 = seat["results"][2019]
    assert r2019["winner"] == "con"
    assert r2019["lab_share"] == pytest.approx(21555 / 46841)
    assert r2019["con_share"] == pytest.approx(21660 / 46841)
    assert r2019["lab_margin"] == pytest.approx((21555 - 21660) / 46841, abs=1e-6)
    assert r2019["turnout"] == pytest.approx(46841 / 68802)


def test_largest_other_candidate(seats):
    # Hartlepool 2015: UKIP (28.0%) was second to Labour (35.6%), but all the
    # "other" candidates together (41.5%) outpolled Labour; the seat is Labour's.
    res = seats.result(2015)
    i = seats.index("E14000733")
    assert res.winner[i] == "lab" and res.best_other_party[i] == "ukip"
    assert res.other_share[i] > res.lab_share[i]
    assert res.other_top_exact[i]
    assert res.other_share[i] * res.other_top[i] == pytest.approx(0.356445 - 0.076576, abs=2e-6)
    # Where a named party was the runner-up the largest other is only bounded.
    bounded = ~res.other_top_exact
    assert (res.other_share * res.other_top <= res.lab_share - res.lab_margin + 1e-9)[bounded].all()


# --- the checks between the two files -------------------------------------------------------


def _without_code(text: str, code: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(code + ",")) + "\n"


def test_a_seat_missing_from_the_results_is_named(raw):
    hexjson, text = raw
    with pytest.raises(SeatDataError, match=r"no 2010 result.*E14000530"):
        parse_seats(hexjson, _without_code(text, "E14000530"))


def test_a_seat_missing_from_the_map_is_named(raw):
    hexjson, text = raw
    smaller = {**hexjson, "hexes": {k: v for k, v in hexjson["hexes"].items() if k != "W07000080"}}
    with pytest.raises(SeatDataError, match=r"not on the hex map.*W07000080"):
        parse_seats(smaller, text)


def test_names_and_votes_that_disagree_are_named(raw):
    hexjson, text = raw
    renamed = json.loads(json.dumps(hexjson))
    renamed["hexes"]["E14000611"]["n"] = "Bury Norte"
    with pytest.raises(SeatDataError, match=r"name.*E14000611"):
        parse_seats(renamed, text)
    broken = text.replace(
        "E14000611,Bury North,NW,North West,England,2019,68802,46841",
        "E14000611,Bury North,NW,North West,England,2019,68802,46842",
    )
    assert broken != text
    with pytest.raises(SeatDataError, match=r"2019: party votes do not add up.*E14000611"):
        parse_seats(hexjson, broken)


def test_a_hex_map_with_another_layout_is_refused(raw):
    hexjson, text = raw
    with pytest.raises(SeatDataError, match="odd-r"):
        parse_seats({**hexjson, "layout": "even-r"}, text)


# --- sampling -----------------------------------------------------------------------------------


def test_largest_remainder_rounds_every_quota_down_or_up():
    sizes = np.array([84, 75, 73, 59, 59, 58, 55, 54, 46, 40, 29, 18])
    for n in range(0, 651):
        places = largest_remainder(n, sizes)
        quota = n * sizes / sizes.sum()
        assert places.sum() == n
        assert np.all(np.abs(places - quota) < 1), n
        assert np.all(places <= sizes)
    # A hand example: 10 places over sizes 5, 3, 2 of 10 -> exact quotas 5, 3, 2.
    assert largest_remainder(10, [5, 3, 2]).tolist() == [5, 3, 2]
    # 4 over 5, 3, 2: quotas 2.0, 1.2, 0.8 -> 2, 1, and the last place to 0.8.
    assert largest_remainder(4, [5, 3, 2]).tolist() == [2, 1, 1]
    with pytest.raises(ValueError):
        largest_remainder(11, [5, 3, 2])


@pytest.mark.parametrize("n", [1, 5, 12, 30, 60, 100, 333, 649])
def test_sample_keeps_region_shares_within_tolerance(seats, n):
    regions, sizes = np.unique(seats.region, return_counts=True)
    share = sizes / sizes.sum()
    for seed in range(40):
        picked = sample_seats(n, np.random.default_rng(seed), seats=seats)
        assert len(picked) == n == len(set(picked.tolist()))
        assert np.all(np.diff(picked) > 0)  # table order
        counts = np.array([(seats.region[picked] == g).sum() for g in regions])
        # SAMPLE_TOLERANCE: each region's share of the sample within 1/n of its share.
        assert np.all(np.abs(counts / n - share) < 1 / n), (n, seed)


def test_sample_is_deterministic_given_the_generator(seats):
    a = sample_seats(60, np.random.default_rng(7), seats=seats)
    b = sample_seats(60, np.random.default_rng(7), seats=seats)
    c = sample_seats(60, np.random.default_rng(8), seats=seats)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sample_of_all_seats_is_the_table_in_order_and_draws_nothing(seats):
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    assert np.array_equal(sample_seats(650, rng, seats=seats), np.arange(650))
    assert rng.bit_generator.state == before


def test_sample_within_great_britain(seats):
    gb = sample_seats(632, np.random.default_rng(0), seats=seats, within=seats.contested)
    assert np.array_equal(gb, np.flatnonzero(seats.contested))
    small = sample_seats(40, np.random.default_rng(0), seats=seats, within=seats.contested)
    assert seats.contested[small].all()
    with pytest.raises(ValueError, match="pool of 632"):
        sample_seats(633, np.random.default_rng(0), seats=seats, within=seats.contested)


def test_the_docstring_reports_what_labour_history_says_about_clps():
    clp_count = _labour_history()["plp_and_constituencies"]["clp_count"]["value"]
    assert clp_count in " ".join(seats_module.__doc__.split())
