"""Body-part groups by name: the head and the trunk, whose speeds the ``still`` pose signal compares.

Labs name their body parts freely (``nose`` or ``snout``, ``l_ear`` or ``leftEar``, ``tailbase`` or
``tail_base``), so groups are found from words in the names: :func:`group_bodyparts`.

Notes
-----
Freezing is the absence of all movement but breathing (Blanchard & Blanchard 1969; Fanselow 1980): a
mouse that keeps its body still while it turns or raises its head is not freezing, and raters score it so.
The body's median velocity over all body parts misses such head movements. On BehaviorDEPOT's demo2
recording (one mouse, 9 DeepLabCut parts, 30 fps, 23 px/cm; a person's per-frame labels) it agreed with the
person on 0.871 of frames and called 8.3 s too much freezing (smoothed over 0.6 s, under 0.5 cm/s for
0.9 s, the previous default); with the adaptive threshold it is flagged untrustworthy, because head-only
movements fill the valley between still and moving frames. The larger of two group speeds, the head's
(nose, ears, a head-mounted LED) and the trunk's (back, hips, tail base), each the magnitude of the group's
median velocity, separates them (trustworthy threshold 0.69 cm/s) and agrees on 0.923 of frames, +2.2 s
(0.4-s smoothing, 0.5-s minimum bout).

Time-blocked cross-validation on the same recording (``bench/freezing_rule_cv.py``: five contiguous 24-s
blocks; smoothing window 0.3-0.6 s and minimum bout 0.5-0.9 s chosen on four, measured on the fifth;
adaptive threshold): 0.902 held out (+2.5 s) for the two groups, 0.881 (+5.6 s) for body speed over all
parts, 0.884 over head and trunk parts together, and 0.873 (+9.2 s) for DLCAnalyzer's body acceleration
(Sturman et al. 2020): a second derivative weighs jitter more. Body speed against BehaviorDEPOT's fixed
0.5 cm/s did well there (0.916, +3.3 s) but not on the synthetic tracks of :mod:`tracking.pose.synth`
(10 px/cm, 1.5-px jitter: 0.880-0.912, against 0.989-0.992 for the groups with the adaptive threshold): a
fixed speed in cm/s holds only where the jitter, in cm, stays below it, which depends on the camera's pixel
scale. The largest speed over single parts is worse (0.913, -7.7 s on the whole recording): one part's
jitter or swap reads as movement.

A median over each group guards against one part moving on its own: the miniscope LED on demo2's head,
carried by its cable, moved more than twice as fast as the rest of the head (and 0.3 cm/s more) in 13% of
the frames the person scored as freezing; the head group with the LED agrees on 0.923, the LED alone on
0.909. Tail parts other than its base (a tail swings as the mouse sits still) and paws (often
occluded, tracked poorly) are left out when no body parts are chosen; demo2's ``midtail`` is below the
likelihood cutoff in 58% of frames.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Words naming parts of the head (an ``LED`` is the usual head-mounted marker of a miniscope or cable).
HEAD_WORDS = ("nose", "snout", "head", "ear", "eye", "mouth", "led", "implant")
#: Words naming parts of the trunk.
TRUNK_WORDS = ("back", "spine", "body", "centre", "center", "centroid", "hip", "shoulder", "neck", "torso")
#: Words naming limbs, left out of the default choice.
LIMB_WORDS = ("paw", "foot", "feet", "hand", "limb", "leg", "knee", "elbow", "wrist", "ankle", "toe", "digit")
#: Words that make a tail part its base, which moves with the trunk.
TAIL_BASE_WORDS = ("base", "root", "start")


@dataclass(frozen=True)
class BodyGroups:
    """Body parts by group: head and trunk are scored; ``left_out`` (tail, limbs) and ``unknown`` are not."""

    head: tuple[str, ...]
    trunk: tuple[str, ...]
    left_out: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def scored(self) -> tuple[tuple[str, ...], ...]:
        """The non-empty groups whose speeds the ``still`` signal compares."""
        return tuple(group for group in (self.head, self.trunk) if group)

    def warnings(self) -> tuple[str, ...]:
        """What a person should check: names that were not recognised, and how they were counted."""
        if not self.unknown:
            return ()
        counted = "as the trunk" if self.head or len(self.unknown) < len(self.trunk) else "as one group"
        return (
            f"body parts not recognised as head or trunk, counted {counted}: {', '.join(self.unknown)} "
            "(choose the parts with bodyparts to set the groups)",
        )

    def to_dict(self) -> dict[str, list[str]]:
        """The groups as a JSON-ready dict (provenance)."""
        return {
            "head": list(self.head),
            "trunk": list(self.trunk),
            "left_out": list(self.left_out),
            "unknown": list(self.unknown),
        }


def _words(name: str) -> str:
    """A name lower-cased with camelCase and separators turned into spaces (``leftEar`` -> ``left ear``)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return " ".join(re.split(r"[^a-z0-9]+", spaced.lower())).strip()


def body_group(name: str) -> str:
    """The group of one body-part name: ``head``, ``trunk``, ``tail``, ``limb`` or ``unknown``.

    Limbs are matched before the head so that ``rear_paw`` is not an ear; a tail part is trunk only at its
    base (``tailbase``, ``tail_root``).
    """
    words = _words(name)
    if "tail" in words:
        return "trunk" if any(word in words for word in TAIL_BASE_WORDS) else "tail"
    if any(word in words for word in LIMB_WORDS):
        return "limb"
    if any(word in words for word in HEAD_WORDS):
        return "head"
    if any(word in words for word in TRUNK_WORDS):
        return "trunk"
    return "unknown"


def group_bodyparts(names: Sequence[str], *, chosen: bool = False) -> BodyGroups:
    """Head and trunk groups from body-part names; tail and limbs are left out unless ``chosen``.

    Parameters
    ----------
    names
        Body-part names as the tracking file spells them.
    chosen
        True when a person chose ``names``: every one of them is scored (a part that is not head is trunk).

    Returns
    -------
    BodyGroups
        With no name recognised, every part is one trunk group (and listed as unknown).
    """
    groups = {name: body_group(name) for name in names}
    head = tuple(name for name in names if groups[name] == "head")
    if chosen:
        return BodyGroups(head, tuple(name for name in names if groups[name] != "head"))
    trunk = tuple(name for name in names if groups[name] == "trunk")
    unknown = tuple(name for name in names if groups[name] == "unknown")
    left_out = tuple(name for name in names if groups[name] in ("tail", "limb"))
    if not head and not trunk:
        return BodyGroups((), tuple(names), (), unknown)
    return BodyGroups(head, trunk + unknown, left_out, unknown)
