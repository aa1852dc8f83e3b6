"""Descriptive statistics of a group, the assumption checks reported beside the tests, software versions.

Notes
-----
Quartiles use NumPy's default linear interpolation (Hyndman & Fan 1996 type 7, as R's default). The SD uses
``n - 1``. Normality is checked per arm with Shapiro-Wilk (Shapiro & Wilk 1965, Biometrika 52:591) and equal
variances across arms with the Brown-Forsythe variant of Levene's test (deviations from the median; Brown &
Forsythe 1974, JASA 69:364). Both are reported only: they never choose the test, because a test picked by a
pre-test no longer has its stated error rate (Zimmerman 2004, Br J Math Stat Psychol 57:173); Welch's t-test
and the Mann-Whitney U test are both always reported instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from scipy import stats

from analysis.errors import AnalysisError
from analysis.jsonready import JsonReady

NAN = float("nan")
STATISTICS_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels")


def software_versions() -> dict[str, str]:
    """Installed versions of the packages the statistics depend on."""
    versions = {}
    for package in STATISTICS_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def as_values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Values as a 1-D float array with missing values dropped; infinite values are refused."""
    array = np.asarray(values, dtype=np.float64).ravel()
    array = array[~np.isnan(array)]
    if np.isinf(array).any():
        raise AnalysisError("values must be finite numbers (an infinite value cannot be summarized)")
    return array


@dataclass(frozen=True)
class GroupSummary(JsonReady):
    """n, mean, SD, SEM, median and quartiles of one group (an arm, or all animals in a blind report)."""

    group: str
    n: int
    mean: float
    sd: float
    sem: float
    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    note: str = ""


def summarize(group: str, values: Sequence[float] | np.ndarray) -> GroupSummary:
    """Describe one group; statistics that need more values than there are are NaN, with the reason.

    Parameters
    ----------
    group
        The group's name (an arm, or all animals in a blind report).
    values
        One value per experimental unit, in the outcome's unit (e.g. seconds, percent); NaN values are
        dropped.

    Returns
    -------
    GroupSummary
        n, mean, SD (n - 1), SEM, median, quartiles, minimum and maximum, in the unit of `values`.

    Raises
    ------
    AnalysisError
        A value is infinite.
    """
    x = as_values(values)
    n = int(x.size)
    if n == 0:
        return GroupSummary(group, 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, "no values")
    sd = float(x.std(ddof=1)) if n > 1 else NAN
    q1, median, q3 = (float(q) for q in np.quantile(x, [0.25, 0.5, 0.75]))
    return GroupSummary(
        group=group,
        n=n,
        mean=float(x.mean()),
        sd=sd,
        sem=sd / math.sqrt(n) if n > 1 else NAN,
        median=median,
        q1=q1,
        q3=q3,
        minimum=float(x.min()),
        maximum=float(x.max()),
        note="" if n > 1 else "n = 1: no SD or SEM",
    )


@dataclass(frozen=True)
class NormalityCheck(JsonReady):
    """Shapiro-Wilk W and p of one group (NaN with the reason when the test cannot run)."""

    group: str
    n: int
    w: float
    p: float
    note: str = ""


@dataclass(frozen=True)
class AssumptionChecks(JsonReady):
    """Normality per arm and equality of variances across arms, reported and never used to pick a test."""

    normality: tuple[NormalityCheck, ...]
    levene_statistic: float
    levene_p: float
    levene_note: str = ""
    method: str = (
        "Normality per arm: Shapiro-Wilk. Equal variances across arms: Levene's test centred on the median "
        "(Brown-Forsythe). Reported only; neither chooses the test."
    )
    software: Mapping[str, str] = field(default_factory=software_versions)


def shapiro_wilk(group: str, values: Sequence[float] | np.ndarray) -> NormalityCheck:
    """Shapiro-Wilk test of one group; needs at least 3 values that are not all equal."""
    x = as_values(values)
    if x.size < 3:
        return NormalityCheck(group, int(x.size), NAN, NAN, f"n = {x.size}: Shapiro-Wilk needs n >= 3")
    if np.ptp(x) == 0:
        return NormalityCheck(group, int(x.size), NAN, NAN, "all values equal: normality not testable")
    result = stats.shapiro(x)
    return NormalityCheck(group, int(x.size), float(result.statistic), float(result.pvalue))


def check_assumptions(groups: Mapping[str, Sequence[float] | np.ndarray]) -> AssumptionChecks:
    """Shapiro-Wilk per group and the Brown-Forsythe test across groups.

    Parameters
    ----------
    groups
        Group name -> one value per experimental unit (NaN values are dropped).

    Returns
    -------
    AssumptionChecks
        Shapiro-Wilk W and p per group and Levene's statistic and p (median-centred), each NaN with a note
        where there are too few or too uniform values; reported only, never used to choose a test.

    Raises
    ------
    AnalysisError
        A value is infinite.
    """
    arrays = {name: as_values(values) for name, values in groups.items()}
    normality = tuple(shapiro_wilk(name, x) for name, x in arrays.items())
    statistic, p, note = NAN, NAN, ""
    if len(arrays) < 2:
        note = "one group: no variance comparison"
    elif min(x.size for x in arrays.values()) < 2:
        note = "a group has n < 2: variances not comparable"
    elif all(np.ptp(x) == 0 for x in arrays.values()):
        note = "no group varies: variances not comparable"
    else:
        result = stats.levene(*arrays.values(), center="median")
        statistic, p = float(result.statistic), float(result.pvalue)
    return AssumptionChecks(normality, statistic, p, note)
