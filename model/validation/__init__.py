"""Validation against history: calibrate on 2010–2019, forecast 2020–2024, score it honestly.

One module per idea (nothing is imported here, so that importing one part
stays cheap):

- ``history``: the data shipped in ``model/data/labour/`` and citation paths into it;
- ``split``: THE time split (fit to December 2019, forecast after) and its guards;
- ``measures``: functions of one run (series and typed events) that give a number;
- ``targets`` / ``catalogue``: what a target is, and every target (figure, measure,
  role, baseline);
- ``scenarios``: the historical and counterfactual scenarios and their comparisons;
- ``priors`` (+ ``priors.toml``): the calibration's priors as an editable table;
- ``shocks``: candidates' attributes and campaign shocks;
- ``runner``: runs of draws × seeds through the sweep runner;
- ``calibrate``: ABC-SMC with pyabc on the fit targets, never past the split;
- ``scores``: interval score, CRPS, Brier, coverage, skill;
- ``tables`` / ``markdown``: the target, score, family and comparison tables;
- ``patterns``: pattern-oriented checks;
- ``figures``: forest plots, membership, coverage;
- ``report`` (+ ``templates/validation.md``): the validation page from its template;
- ``scale``: do two scales give the same outcome distributions?
- ``outputs``: folder safety (until model/study/outputs.py lands);
- ``workflow``: the whole validation, as ``factions validate-history`` runs it.
"""
