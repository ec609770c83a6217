"""experiments/profile_point.py: one parameter's profile at the published point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import load_script


def _profile_point():
    return load_script("experiments/profile_point.py", "profile_point")


def test_a_profile_scores_each_value_on_the_fit_period_and_runs_the_forecast(
    tmp_path: Path, capsys
) -> None:
    profile = _profile_point()
    out = tmp_path / "profile.csv"
    args = ["losers_lapse", "0,0.03", "--seeds", "1", "--scale", "0.01", "--out", str(out)]
    assert profile.main([*args, "--hold", "drawn_tolerance=0.3"]) == 0
    frame = pd.read_csv(out)
    assert frame["losers_lapse"].tolist() == [0.0, 0.03]
    assert (frame["drawn_tolerance"] == 0.3).all()
    assert (frame["distance"] > 0).all()
    # The full run goes past the split: the forecast's figures are there.
    assert frame["members 2024-12"].notna().all()
    # The two values are two different models: the exit after 2020 differs.
    assert frame["members 2024-12"].nunique() == 2
    assert "losers_lapse = 0.03" in capsys.readouterr().out
    # Never over an existing file; a name outside the priors table is refused.
    assert profile.main(args) == 2
    assert profile.main(["nope", "1", "--out", str(tmp_path / "x.csv")]) == 2
    assert "not a parameter of the priors table" in capsys.readouterr().err
