"""The demo's study designs: a ketamine dose-response (the default) and a 2 x 2 stress x drug study.

Each design gives its study's settings (arms, the non-randomized factor), its protocol plan, each synthetic
animal's factor level, and how its mice behave: the fraction of the forced swim test they float and their
sucrose preference, by arm and factor level. The dose-response is an inverted U (10 mg/kg strongest, as
ketamine's is reported at 5-20 mg/kg); in the stress design chronic unpredictable stress (CUS) raises
immobility and lowers sucrose preference, and ketamine reverses it in stressed mice only (the interaction).

The protocol states the smallest effect the demo's animals can detect: the first of `DEMO_EFFECTS_D` whose
computed n per arm (statsmodels power, `analysis.power.sample_size`) fits the demo's n per arm. A demo too
small for any of them states the largest, its own n as the planned n, and the larger computed n beside it.
"""

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from analysis.plan import DRUG_X_FACTOR, EACH_VS_REFERENCE, TWO_WAY_ANOVA, WELCH_ANOVA_DUNNETT, ProtocolPlan
from analysis.power import sample_size
from behavlab.errors import InvalidInputError
from behavlab.services.arms import ArmsDesign, ArmSpec
from cohorts.roster import RosterEntry

DOSE_RESPONSE = "dose-response"
STRESS = "stress"
#: The smallest effects (Cohen's d) the demo's protocol may state, smallest first.
DEMO_EFFECTS_D = tuple(step / 10 for step in range(5, 31))
VEHICLE = ArmSpec("vehicle", "saline", 0.0)
KETAMINE_10 = ArmSpec("ketamine", "ketamine", 10.0)


@dataclass(frozen=True)
class Behaviour:
    """How a group of synthetic mice behaves: the FST time they float, their sucrose preference (0-1)."""

    immobile_fraction: float
    sucrose_preference: float


@dataclass(frozen=True)
class DemoDesign:
    """One demo study: its arms, factor, protocol test and comparisons, and its mice's behaviour.

    `behaviour` is keyed by (arm name, factor level; None without a factor). `animals_step` is the roster
    size's step: a multiple of it puts the same number of animals in every sex (and factor level) and cage.
    """

    name: str
    study: str
    arms: ArmsDesign
    test: str
    comparisons: tuple[str, ...]
    behaviour: Mapping[tuple[str, str | None], Behaviour]
    animals_step: int
    factor_name: str | None = None
    factor_levels: tuple[str, ...] = ()
    per_cage: int = 4

    def factor_level(self, index: int) -> str | None:
        """The level of the roster's `index`-th animal: a whole cage shares one, alternating cage by cage.

        The synthetic roster alternates the sexes, so animal `index` is its sex's number ``index // 2``.
        """
        if not self.factor_levels:
            return None
        cage = index // 2 // self.per_cage
        return self.factor_levels[cage % len(self.factor_levels)]


DESIGNS = {
    DOSE_RESPONSE: DemoDesign(
        name=DOSE_RESPONSE,
        study="demo-ketamine-fst",
        arms=ArmsDesign(
            (
                VEHICLE,
                ArmSpec("ket3", "ketamine", 3.0),
                ArmSpec("ket10", "ketamine", 10.0),
                ArmSpec("ket30", "ketamine", 30.0),
            ),
            reference=VEHICLE.name,
        ),
        test=WELCH_ANOVA_DUNNETT,
        comparisons=(EACH_VS_REFERENCE,),
        behaviour={
            ("vehicle", None): Behaviour(0.62, 0.78),
            ("ket3", None): Behaviour(0.52, 0.80),
            ("ket10", None): Behaviour(0.36, 0.84),
            ("ket30", None): Behaviour(0.47, 0.80),
        },
        animals_step=8,
    ),
    STRESS: DemoDesign(
        name=STRESS,
        study="demo-stress-ketamine",
        arms=ArmsDesign((VEHICLE, KETAMINE_10), reference=VEHICLE.name),
        test=TWO_WAY_ANOVA,
        comparisons=(DRUG_X_FACTOR,),
        behaviour={
            ("vehicle", "control"): Behaviour(0.50, 0.80),
            ("ketamine", "control"): Behaviour(0.46, 0.81),
            ("vehicle", "CUS"): Behaviour(0.68, 0.62),
            ("ketamine", "CUS"): Behaviour(0.47, 0.78),
        },
        animals_step=12,
        factor_name="stress",
        factor_levels=("CUS", "control"),
        per_cage=3,
    ),
}


def demo_design(name: str, n_animals: int) -> DemoDesign:
    """The design by name, refused (naming what is accepted) when unknown or for a roster it cannot split."""
    design = DESIGNS.get(name)
    if design is None:
        raise InvalidInputError(f"demo design {name!r} not known; accepted: {', '.join(DESIGNS)}")
    step = design.animals_step
    if n_animals < step or n_animals % step:
        raise InvalidInputError(
            f"--animals {n_animals}: the {name} demo splits its mice evenly by sex"
            f"{' and ' + design.factor_name if design.factor_name else ''} and arm; accepted: a multiple of "
            f"{step} ({step}, {2 * step}, {3 * step}, ...)"
        )
    return design


def detectable_effect(n_per_arm: int, n_arms: int) -> float:
    """The smallest of `DEMO_EFFECTS_D` whose computed n per arm is at most `n_per_arm` (else the largest).

    The computed n falls as d grows, so the effects are bisected.
    """
    first = bisect_left(
        DEMO_EFFECTS_D, True, key=lambda d: sample_size(d, n_arms=n_arms).n_per_arm <= n_per_arm
    )
    return DEMO_EFFECTS_D[min(first, len(DEMO_EFFECTS_D) - 1)]


def demo_protocol(design: DemoDesign, n_animals: int) -> ProtocolPlan:
    """The design's protocol plan: FST immobility by motion, its test, the effect its n can detect."""
    n_arms = len(design.arms.arms)
    n_per_arm = n_animals // n_arms
    return ProtocolPlan(
        primary_outcome="immobility",
        primary_method="motion",
        smallest_effect_d=detectable_effect(n_per_arm, n_arms),
        secondary_outcomes=("latency", "preference"),
        comparisons=design.comparisons,
        test=design.test,
        planned_n_per_arm=n_per_arm,
        inclusion_criteria="C57BL/6J mice of both sexes, 8-10 weeks old, weighed on the dosing day",
        exclusion_criteria="more than 15% weight loss from baseline; a dose not given as planned",
        outlier_rules="none removed: every tested animal is analysed",
    )


def with_factor_levels(design: DemoDesign, roster: Sequence[RosterEntry]) -> list[RosterEntry]:
    """The synthetic roster with each animal's factor level, by cage (unchanged without a factor)."""
    return [replace(entry, factor_level=design.factor_level(index)) for index, entry in enumerate(roster)]
