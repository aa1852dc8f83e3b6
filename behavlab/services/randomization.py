"""Randomizing a study: draft and show the key holder the balance, then commit codes and sealed key at once.

What is stored in the clear is a function of the roster and the design alone: the method, strata, roster
hash, library version, how many draws were previewed, one blind code per animal (written in ID order) and
the SHA-256 commitment. The animal -> arm map and everything that depends on the draw (seed, block sizes, the
per-arm balance report) exist only inside the sealed key, encrypted under the key holder's passphrase, bound
to the study's UUID and roster hash, and padded to a size the draw cannot change.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Allocation, Animal, AuditEvent, Randomization, SealedKey, Study
from behavlab.services.audit import record_study_event
from behavlab.services.audit_anchor import chain_head
from behavlab.services.cohort_batches import DrawSlot, draw_scope, draw_slot, roster_in_scope
from behavlab.services.library_errors import refused_input
from behavlab.services.lookup import animal_id_of, find_study, stored_id, study_arms, study_id_of
from behavlab.services.protocol_plan import require_protocol
from behavlab.services.roster_view import current_roster
from behavlab.services.sealing import preparer_rows, sealing_context, write_preparer_sheet
from behavlab.services.workspace import Workspace
from cohorts.balance import BalanceReport, balance_report
from cohorts.blind_codes import generate_codes
from cohorts.key_derivation import KdfParams
from cohorts.passphrase import check_passphrase
from cohorts.randomization import DEFAULT_BLOCK_MULTIPLES, DEFAULT_METHOD, DEFAULT_STRATA, METHODS, randomize
from cohorts.randomization import Allocation as DrawnAllocation
from cohorts.roster import roster_sha256
from cohorts.sealed_key import SealedKey as StoredKey
from cohorts.sealed_key import seal
from cohorts.sealed_payload import padded_plaintext_bytes, sealed_details


@dataclass(frozen=True)
class RandomizationOptions:
    """What the user chose: arms (default: the study's, in order), method, strata, block sizes and a seed.

    `block_multiples` are the block sizes the blocked methods draw from, as multiples of the number of arms:
    ``(1,)`` keeps every stratum balanced to within one arm, at the cost of a predictable end of each block.

    A seed is mixed with OS randomness unless `bare_seed` asks to use it as given (replayable by anyone who
    learns or guesses it). `no_protocol` randomizes without a protocol plan, recorded as a waiver. `cohort`
    draws that cohort alone (required in a study with cohorts; see `behavlab.services.cohort_batches`).
    """

    arms: Sequence[str] | None = None
    method: str = DEFAULT_METHOD
    strata: Sequence[str] = DEFAULT_STRATA
    block_multiples: Sequence[int] = DEFAULT_BLOCK_MULTIPLES
    seed: int | None = None
    bare_seed: bool = False
    no_protocol: bool = False
    cohort: str | None = None


#: The largest block multiple accepted: blocks of 100 x the number of arms are already one block per stratum.
MAX_BLOCK_MULTIPLE = 100
#: Said before a draw of one block size is committed.
FIXED_BLOCKS_WARNING = (
    "every block has the same size, so where each block ends is known to anyone who reads the method: an "
    "animal whose arm becomes known (an emergency unblinding, an obvious drug effect) narrows the arms of "
    "the animals in its block; two or more sizes (the default 1,2) keep the block ends sealed"
)


def parse_block_multiples(text: str, field: str) -> tuple[int, ...]:
    """Block multiples typed as whole numbers separated by commas or spaces, e.g. ``"1, 2"``.

    Raises InvalidInputError naming `field` and what is accepted.
    """
    values = text.replace(",", " ").split()
    if not values or not all(_block_multiple(value) for value in values):
        raise InvalidInputError(
            f"{field} {text!r} not accepted; accepted: whole numbers from 1 to {MAX_BLOCK_MULTIPLE}, "
            'comma-separated, e.g. "1" or "1,2"'
        )
    return tuple(int(value) for value in values)


def _block_multiple(value: str) -> bool:
    """Whether `value` is a whole number from 1 to MAX_BLOCK_MULTIPLE, in ASCII digits."""
    return value.isascii() and value.isdigit() and len(value) <= 3 and 1 <= int(value) <= MAX_BLOCK_MULTIPLE


@dataclass(frozen=True)
class RandomizationDraft:
    """A drawn but uncommitted allocation: its balance may be shown; its map stays in memory only."""

    study_name: str
    arms: tuple[str, ...]
    balance: BalanceReport
    allocation: DrawnAllocation = field(repr=False)
    no_protocol: bool = False
    cohort: str | None = None

    @property
    def n_animals(self) -> int:
        """How many animals the allocation covers."""
        return len(self.allocation.assignment)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the key holder should know before committing: blocks of one size are predictable."""
        multiples = self.allocation.parameters.get("block_multiples")
        if isinstance(multiples, list) and len(set(multiples)) == 1:
            return (FIXED_BLOCKS_WARNING,)
        return ()


@dataclass(frozen=True)
class CommittedRandomization:
    """What committing produced that may be shown: each animal's code and the published commitment."""

    codes: Mapping[str, str]
    commitment: str
    preparer_sheet: Path | None


def draft_randomization(
    workspace: Workspace, study_name: str, options: RandomizationOptions
) -> RandomizationDraft:
    """Draw an allocation of the study's (or cohort's) non-excluded animals and its balance, storing nothing.

    The study's non-randomized factor, if it names one, is a stratum of every method.
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        draw_scope(session, study, options.cohort)
        require_protocol(session, study, options.no_protocol)
        arm_names = [arm.name for arm in study_arms(session, study)]
        roster = roster_in_scope(study, current_roster(session, study), options.cohort)
        factor = study.factor_name
    arms = tuple(options.arms) if options.arms else tuple(arm_names)
    if options.cohort is not None and arms != tuple(arm_names):
        raise InvalidInputError(
            f"--arms {','.join(arms)!r} not accepted for cohort {options.cohort!r}: a cohort is drawn over "
            f"every arm of the study, in order ({', '.join(arm_names)}); fewer arms would tell which arms "
            "its animals can be in"
        )
    unknown = [arm for arm in arms if arm not in arm_names]
    if unknown or len(set(arms)) != len(arms) or len(arms) < 2:
        raise InvalidInputError(
            f"--arms {','.join(arms)!r} not accepted; accepted: two or more distinct arms of study "
            f"{study_name!r}: {', '.join(arm_names)}"
        )
    if not roster:
        raise ConflictError(f"study {study_name!r} has no animals to randomize; import a roster first")
    if options.method not in METHODS:
        raise InvalidInputError(f"--method {options.method!r} not known; accepted: {', '.join(METHODS)}")
    with refused_input(f"cannot randomize {study_name!r}"):
        drawn = randomize(
            roster,
            arms,
            method=options.method,
            seed=options.seed,
            strata=tuple(options.strata),
            block_multiples=tuple(options.block_multiples),
            bare_seed=options.bare_seed,
            factor=factor,
        )
    _record_preview(workspace, study_name, drawn, options.cohort)
    return RandomizationDraft(
        study_name=study_name,
        arms=arms,
        balance=balance_report(roster, drawn.assignment, len(arms)),
        allocation=drawn,
        no_protocol=options.no_protocol,
        cohort=options.cohort,
    )


def _record_preview(
    workspace: Workspace, study_name: str, drawn: DrawnAllocation, cohort: str | None
) -> None:
    """Audit that a draw was shown to the key holder (nothing of the draw), so fishing leaves a trace."""
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.RANDOMIZE_PREVIEW,
            {
                "method": drawn.method,
                "n_animals": len(drawn.assignment),
                **({} if cohort is None else {"cohort": cohort}),
            },
        )


def check_sealing_passphrase(draft: RandomizationDraft, passphrase: str) -> None:
    """Refuse a passphrase too weak to seal this draft with, naming the reason (never the passphrase).

    The study's name and arm names count as words an attacker would try first (`cohorts.passphrase`).
    """
    with refused_input():
        check_passphrase(passphrase, [draft.study_name, *draft.arms])


def commit_randomization(
    workspace: Workspace,
    draft: RandomizationDraft,
    passphrase: str,
    preparer_sheet: Path | None = None,
    kdf: KdfParams | None = None,
) -> CommittedRandomization:
    """Store codes, sealed key and commitment in one transaction; write the preparer sheet once, if asked."""
    check_sealing_passphrase(draft, passphrase)
    drawn = draft.allocation
    with reading(workspace.engine) as session:
        study = find_study(session, draft.study_name)
        roster = roster_in_scope(study, current_roster(session, study), draft.cohort)
        context = sealing_context(study, drawn.roster_sha256)
    sealed = seal(
        drawn.assignment,
        passphrase,
        kdf,
        details=sealed_details(drawn, draft.balance),
        context=context,
        pad_to=padded_plaintext_bytes(roster, draft.arms, drawn.factor),
    )
    with writing(workspace.engine) as session:
        study = find_study(session, draft.study_name)
        slot = draw_slot(session, study, draft.cohort)
        if roster_sha256(roster_in_scope(study, current_roster(session, study), draft.cohort)) != (
            drawn.roster_sha256
        ):
            raise ConflictError(
                f"the roster of {study.name!r} changed since the allocation was drawn; draw it again"
            )
        codes = _store_allocation(session, workspace, study, draft, sealed, slot)
        arms = {arm.name: arm for arm in study_arms(session, study)}
        rows = preparer_rows(study, [arms[name] for name in draft.arms], codes, drawn.assignment)
        if preparer_sheet is not None:
            record_study_event(
                session,
                workspace,
                study,
                AuditAction.PREPARER_SHEET_WRITE,
                {"file": preparer_sheet.name, "n_animals": len(rows)},
            )
            write_preparer_sheet(preparer_sheet, study, rows, chain_head(session))
    return CommittedRandomization(codes=codes, commitment=sealed.commitment, preparer_sheet=preparer_sheet)


def _store_allocation(
    session: Session,
    workspace: Workspace,
    study: Study,
    draft: RandomizationDraft,
    sealed: StoredKey,
    slot: DrawSlot,
) -> dict[str, str]:
    """Write the public record, a code per animal (in ID order) and the sealed key; publish the commitment."""
    drawn = draft.allocation
    animals = session.exec(
        select(Animal).where(col(Animal.label).in_(list(drawn.assignment))).where(Animal.study_id == study.id)
    ).all()
    animals = sorted(animals, key=lambda animal: animal.label)
    codes = dict(zip([a.label for a in animals], generate_codes(len(animals), slot.taken_codes), strict=True))
    previews = _previews_since_last_commit(session, study)
    terms = require_protocol(session, study, draft.no_protocol)
    record = Randomization(
        study_id=study_id_of(study),
        method=drawn.method,
        strata=",".join(drawn.strata),
        n_arms=len(draft.arms),
        n_animals=len(animals),
        roster_sha256=drawn.roster_sha256,
        library_version=drawn.library_version,
        draws_previewed=previews,
        created_by=workspace.actor,
        protocol_id=terms.protocol_id,
        protocol_waived=terms.waived,
        sequence=slot.sequence,
        cohort_id=slot.cohort_id,
    )
    session.add(record)
    session.flush()
    session.add_all(
        Allocation(
            study_id=study_id_of(study), animal_id=animal_id_of(animal), blind_code=codes[animal.label]
        )
        for animal in animals
    )
    session.add(
        SealedKey(
            study_id=study_id_of(study),
            randomization_id=stored_id(record),
            ciphertext=sealed.to_json(),
            commitment=sealed.commitment,
        )
    )
    payload = {**drawn.record(), "commitment": sealed.commitment, "draws_previewed": previews}
    payload |= terms.record() | slot.audit_fields()
    record_study_event(session, workspace, study, AuditAction.STUDY_RANDOMIZE, payload)
    return codes


def _previews_since_last_commit(session: Session, study: Study) -> int:
    """How many draws of this study the key holder previewed since its last committed randomization."""
    last_commit = session.exec(
        select(AuditEvent.id)
        .where(AuditEvent.study_id == study.id, AuditEvent.action == AuditAction.STUDY_RANDOMIZE)
        .order_by(col(AuditEvent.id).desc())
    ).first()
    query = select(func.count()).where(
        AuditEvent.study_id == study.id, AuditEvent.action == AuditAction.RANDOMIZE_PREVIEW
    )
    if last_commit is not None:
        query = query.where(col(AuditEvent.id) > last_commit)
    return max(1, session.exec(query).one())
