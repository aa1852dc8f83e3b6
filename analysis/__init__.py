"""Group statistics of a study's outcomes: summaries, assumption checks, arm comparisons, models.

A pure library: it imports numpy, scipy, statsmodels and pandas only, never the application or a database.

By topic: :mod:`analysis.summaries` (descriptives, assumption checks), :mod:`analysis.comparisons` (an arm
against the reference), :mod:`analysis.multiarm` (k arms: Welch's ANOVA, Dunnett, dose trend,
Kruskal-Wallis), :mod:`analysis.factorial` (drug x a non-randomized factor, simple effects),
:mod:`analysis.blocks` (cohorts as a fixed block or a random effect), :mod:`analysis.models` (arm x sex),
:mod:`analysis.mixed` (repeated periods), :mod:`analysis.outcomes` (a whole study's outcomes),
:mod:`analysis.power` (sample size).
Every result is a frozen dataclass with ``to_dict()`` (:mod:`analysis.jsonready`).
"""
