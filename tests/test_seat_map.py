"""Tests for model.analysis.seat_map: hex geometry, the border edge convention, the figure."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import colors
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from model.analysis.seat_map import (
    EDGE_SIDES,
    MISSING_COLOUR,
    PARTY_COLOURS,
    border_segments,
    check_borders,
    edge_endpoints,
    hex_centres,
    neighbour,
    offset_to_xy,
    seat_map_figure,
)
from model.data import read_json
from model.data.seats import load_seats

SQRT3 = math.sqrt(3)

# The published lo-se line runs south of Epsom and Ewell (1, -13) and Reigate
# (2, -14), both in the South East, as if they were in London.
LO_SE_MISPLACED = {(1, -13, -4), (2, -14, -5), (2, -14, -4), (2, -14, -3)}
LO_SE_MISSING = {
    ((0, -13), (1, -13)),
    ((1, -13), (1, -12)),
    ((1, -13), (2, -13)),
    ((1, -13), (2, -12)),
    ((2, -14), (2, -13)),
    ((2, -14), (3, -14)),
}


@pytest.fixture(scope="module")
def seats():
    return load_seats()


@pytest.fixture(scope="module")
def raw_hexes():
    return read_json("constituencies", "constituencies_2010.hexjson")["hexes"]


# --- geometry ---------------------------------------------------------------------------------


def test_odd_r_centres_by_hand():
    # Aldershot q=-3, r=-11: odd row (−11 mod 2 = 1), shoved half a hex east:
    #   x = √3·(−3 + ½) = −4.330127, y = 1.5·(−11) = −16.5.
    x, y = offset_to_xy(-3, -11)
    assert (float(x), float(y)) == pytest.approx((-2.5 * SQRT3, -16.5))
    # Amber Valley q=0, r=2: even row, x = 0, y = 3.
    assert tuple(map(float, offset_to_xy(0, 2))) == pytest.approx((0.0, 3.0))
    # Orkney and Shetland q=-5, r=28: even row, x = −5√3, y = 42 (the top of the map).
    assert tuple(map(float, offset_to_xy(-5, 28))) == pytest.approx((-5 * SQRT3, 42.0))
    # Size scales both axes.
    assert tuple(map(float, offset_to_xy(1, 1, size=2.0))) == pytest.approx((3 * SQRT3, 3.0))


def test_hex_centres_match_the_files_q_and_r(seats, raw_hexes):
    centres = hex_centres(seats)
    assert centres.shape == (650, 2)
    for (x, y), code in zip(centres, seats.code.tolist(), strict=True):
        q, r = raw_hexes[code]["q"], raw_hexes[code]["r"]
        assert y / 1.5 == pytest.approx(r)
        assert x / SQRT3 - 0.5 * (r % 2) == pytest.approx(q)
    for code, (q, r) in {
        "E14000530": (-3, -11),
        "S14000051": (-5, 28),
        "N06000001": (-14, 13),
    }.items():
        i = seats.index(code)
        assert tuple(centres[i]) == pytest.approx(tuple(map(float, offset_to_xy(q, r))))


def test_north_is_up_and_the_uk_has_its_shape(seats):
    centres = hex_centres(seats)

    def mean(mask):
        return centres[mask].mean(axis=0)

    scotland, london = mean(seats.region == "SC"), mean(seats.region == "LO")
    wales, east = mean(seats.region == "WA"), mean(seats.region == "EA")
    assert scotland[1] > london[1]  # Scotland north of London
    assert wales[0] < east[0]  # Wales west of the East of England
    assert mean(seats.region == "NI")[0] < scotland[0]  # Northern Ireland to the west
    assert centres[seats.index("S14000051"), 1] == centres[:, 1].max()  # Orkney and Shetland on top


@pytest.mark.parametrize("r", [-11, -8, 0, 1, 28])
def test_neighbours_touch_across_the_numbered_side(r):
    # The neighbour across side e lies √3 away, in direction 120° − 60°·e
    # (NE 60°, E 0°, SE −60°, SW −120°, W 180°, NW 120°), and the side's two
    # corners are centred between the hexes.
    q = 3
    x0, y0 = map(float, offset_to_xy(q, r))
    for e in EDGE_SIDES:
        nq, nr = neighbour(q, r, e)
        x1, y1 = map(float, offset_to_xy(nq, nr))
        angle = math.radians(120 - 60 * e)
        assert (x1 - x0, y1 - y0) == pytest.approx(
            (SQRT3 * math.cos(angle), SQRT3 * math.sin(angle))
        )
        ends = edge_endpoints(q, r, e)
        assert tuple(ends.mean(axis=0)) == pytest.approx(((x0 + x1) / 2, (y0 + y1) / 2))
        assert np.linalg.norm(ends[1] - ends[0]) == pytest.approx(1.0)
        assert neighbour(q, r, -e) == (nq, nr)  # the sign does not change the side


# --- the border edge convention ---------------------------------------------------------------


def test_a_scotland_england_edge_lies_between_scotland_and_england(seats):
    # sc-en lists (q=-4, r=18, e=3): side 3 (SE) of East Lothian is Berwick-upon-Tweed.
    assert (-4, 18, 3) in seats.borders["sc-en"].edges
    here = seats.index(seats.code[(seats.q == -4) & (seats.r == 18)][0])
    nq, nr = neighbour(-4, 18, 3)
    there = int(np.flatnonzero((seats.q == nq) & (seats.r == nr))[0])
    assert seats.name[here] == "East Lothian" and seats.nation[here] == "Scotland"
    assert seats.name[there] == "Berwick-upon-Tweed" and seats.nation[there] == "England"


def test_border_edges_lie_between_the_two_named_regions(seats):
    for line in seats.borders.values():
        signs = {e > 0 for _, _, e in line.edges}
        assert len(signs) == 1, line.name  # each line uses one sign throughout
    checks = check_borders(seats)
    assert len(checks) == 17
    assert sum(c.listed for c in checks.values()) == 235  # 236 listed, one twice
    for name, check in checks.items():
        if name == "lo-se":
            continue
        assert check.ok, check
    lo_se = checks["lo-se"]
    assert set(lo_se.misplaced) == LO_SE_MISPLACED
    assert set(lo_se.missing) == LO_SE_MISSING
    assert lo_se.duplicates == ((8, -11, -2),)


def test_no_other_side_numbering_fits_the_data(seats):
    # Rotating or mirroring the numbering (or ignoring the odd-row shift) puts
    # most border edges inside one region: the convention is pinned by the data.
    region_at = {
        (int(q), int(r)): g for q, r, g in zip(seats.q, seats.r, seats.region, strict=True)
    }
    english = {g for g in region_at.values() if g not in ("SC", "WA", "NI")}

    def side_regions(name):
        return [english if t == "en" else {t.upper()} for t in name.split("-")]

    def fits(remap):
        good = 0
        for name, line in seats.borders.items():
            a, b = side_regions(name)
            for q, r, e in line.edges:
                here, there = region_at.get((q, r)), region_at.get(neighbour(q, r, remap(abs(e))))
                good += (here in a and there in b) or (here in b and there in a)
        return good

    assert fits(lambda e: e) == 232
    for shift in range(6):
        for mirror in (False, True):
            if shift == 0 and not mirror:
                continue

            def remap(e, shift=shift, mirror=mirror):
                k = (-(e - 1) if mirror else (e - 1)) + shift
                return k % 6 + 1

            assert fits(remap) < 180, (shift, mirror)


def test_repaired_borders_are_exactly_the_region_adjacencies(seats):
    xy = hex_centres(seats)
    english = {g for g in seats.region.tolist() if g not in ("SC", "WA", "NI")}
    repaired = border_segments(seats)
    published = border_segments(seats, repair=False)
    assert len(published["lo-se"]) == 45  # 46 listed, one twice
    assert len(repaired["lo-se"]) == 45 - len(LO_SE_MISPLACED) + len(LO_SE_MISSING)
    for name, segments in repaired.items():
        a, b = ({*english} if t == "en" else {t.upper()} for t in name.split("-"))
        for seg in segments:
            # The two hexes either side of a segment have centres √3/2 from its midpoint.
            near = np.flatnonzero(np.linalg.norm(xy - seg.mean(axis=0), axis=1) < SQRT3 / 2 + 1e-9)
            assert len(near) == 2, (name, seg)
            g, h = (str(seats.region[i]) for i in near)
            assert (g in a and h in b) or (g in b and h in a), (name, g, h)


# --- the figure ---------------------------------------------------------------------------------


def _faces(fig: Figure) -> np.ndarray:
    hexes = next(c for c in fig.axes[0].collections if isinstance(c, PolyCollection))
    return hexes.get_facecolors()


def test_category_map(seats, tmp_path):
    before = plt.get_fignums()
    res = seats.result(2019)
    winners = {
        c: (w if w in PARTY_COLOURS and w in ("lab", "con", "ld", "snp", "pc") else "other")
        for c, w in zip(seats.code.tolist(), res.winner.tolist(), strict=True)
    }
    gb = {c: w for c, w in winners.items() if not c.startswith("N")}
    fig = seat_map_figure(
        seats,
        gb,
        title="Winner 2019",
        highlight=["E14000611"],
        labels=["E14000611", "S14000051"],
    )
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # no pyplot state
    ax = fig.axes[0]
    assert not ax.axison and ax.get_aspect() == 1.0
    assert ax.get_title() == "Winner 2019"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["lab (202)", "con (365)"]  # party order, seat counts
    assert legend[-1] == "not simulated (18)"
    faces = _faces(fig)
    ni = seats.nation == "Northern Ireland"
    assert np.allclose(faces[ni], colors.to_rgba(MISSING_COLOUR))
    assert np.allclose(faces[seats.index("E14000611")], colors.to_rgba(PARTY_COLOURS["con"]))
    assert {t.get_text() for t in ax.texts} == {"Bury North", "Orkney and Shetland"}
    out = tmp_path / "map.png"
    fig.savefig(out, dpi=60)
    assert out.stat().st_size > 10_000


def test_continuous_map_has_a_colour_bar_centred_on_zero(seats):
    res = seats.result(2019)
    margins = np.where(res.lab_stood, res.lab_margin, np.nan)
    fig = seat_map_figure(
        seats, margins, kind="continuous", centre=0.0, colorbar_label="Labour margin"
    )
    assert len(fig.axes) == 2  # map and colour bar
    assert fig.axes[1].get_ylabel() == "Labour margin"
    faces = _faces(fig)
    chorley = seats.index("E14000637")  # the Speaker's seat: Labour did not stand
    assert np.allclose(faces[chorley], colors.to_rgba(MISSING_COLOUR))
    # A seat Labour won by a mile is at the red end, a Conservative stronghold blue.
    knowsley = seats.index("E14000775")
    assert faces[knowsley][0] > faces[knowsley][2]
    amber = seats.index("E14000533")
    assert faces[amber][2] > faces[amber][0]


def test_custom_categories_and_colours(seats):
    control = {
        c: ("left" if i % 3 == 0 else "right") for i, c in enumerate(seats.code[:60].tolist())
    }
    palette = {"right": "tab:blue", "left": "tab:red", "unused": "black"}
    fig = seat_map_figure(seats, control, colours=palette, legend_title="executive", borders=False)
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == "executive"
    assert [t.get_text() for t in legend.get_texts()] == [
        "right (40)",
        "left (20)",
        "not simulated (590)",
    ]
    with pytest.raises(KeyError, match="no colour"):
        seat_map_figure(seats, control, colours={"left": "red"})


def test_bad_values_are_refused(seats):
    with pytest.raises(ValueError, match="one value per seat"):
        seat_map_figure(seats, [1, 2, 3])
    with pytest.raises(KeyError, match="unknown ONS codes"):
        seat_map_figure(seats, {"X99": "a"})
    with pytest.raises(ValueError, match="kind"):
        seat_map_figure(seats, {}, kind="bubbles")  # type: ignore[arg-type]
