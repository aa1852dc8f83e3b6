"""Creating and reading studies: their arms (by default the compound against its vehicle) at one mL/kg."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Animal, Arm, Randomization, Study
from behavlab.models.base import NAME_CHARS
from behavlab.notices import BALANCE_WAS_READABLE
from behavlab.services.arms import ArmsDesign, check_design, reference_arm, reference_name, stock_of
from behavlab.services.audit import record_study_event
from behavlab.services.cohort_batches import CohortView, cohort_views
from behavlab.services.library_errors import refused_input
from behavlab.services.lookup import find_study
from behavlab.services.protocol import DeclaredProtocol, declared_protocol
from behavlab.services.study_settings import ROUTES, StudySettings
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from cohorts.dosing import check_volume_per_kg
from cohorts.roster import check_factor_name, check_weight_precision
from cohorts.syringe import Syringe


@dataclass(frozen=True)
class StudyOverview:
    """A study with its arms, how many animals are on its roster, and notices its user must read."""

    study: Study
    arms: Sequence[Arm]
    n_animals: int
    notices: Sequence[str] = ()
    protocol: DeclaredProtocol | None = None
    cohorts: Sequence[CohortView] = ()

    @property
    def reference(self) -> Arm:
        """The arm the others are compared with."""
        return reference_arm(self.arms)

    def stock_mg_per_ml(self, arm: Arm) -> float:
        """One arm's stock concentration, in mg/mL (the same volume per kg for every arm)."""
        return stock_of(arm, self.study.volume_ml_per_kg)


def validate_settings(settings: StudySettings) -> None:
    """Refuse settings a study cannot run with, naming the field and what is accepted."""
    for field in ("name", "compound", "vehicle", "route", "species", "strain"):
        checked_text(getattr(settings, field).strip(), "study name" if field == "name" else field)
    name = settings.name.strip()
    if not name or len(name) > NAME_CHARS:
        raise InvalidInputError(f"study name must be 1-{NAME_CHARS} characters, got {settings.name!r}")
    for field in ("compound", "vehicle", "species", "strain"):
        if not getattr(settings, field).strip():
            raise InvalidInputError(f"--{field} must not be empty")
    if settings.arms is None and settings.compound.strip().lower() == settings.vehicle.strip().lower():
        raise InvalidInputError("--compound and --vehicle must differ, or the arms cannot be told apart")
    if settings.route not in ROUTES:
        raise InvalidInputError(f"--route {settings.route!r} is not known; accepted: {', '.join(ROUTES)}")
    if not 0 <= settings.test_hours_post_dose <= 24 * 28:
        raise InvalidInputError(
            f"--test-hours-post-dose {settings.test_hours_post_dose:g} not accepted; accepted: 0 to 672 hours"
        )
    if not settings.dose_mg_per_kg > 0:
        raise InvalidInputError(f"--dose-mg-per-kg must be above 0, got {settings.dose_mg_per_kg:g}")
    with refused_input("--volume-ml-per-kg"):
        check_volume_per_kg(settings.volume_ml_per_kg)
    if settings.arms is not None:
        check_design(settings.arms, settings.volume_ml_per_kg)
    with refused_input():
        Syringe(settings.syringe_graduation_ml, settings.volume_tolerance_pct)
        check_weight_precision(settings.weight_precision_g)
    if settings.factor_name is not None:
        with refused_input("--factor"):
            check_factor_name(settings.factor_name)


def create_study(workspace: Workspace, settings: StudySettings) -> StudyOverview:
    """Record a new study with its arms (by default the vehicle, then the compound) and audit it."""
    validate_settings(settings)
    fields: dict[str, Any] = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in asdict(settings).items()
        if key != "arms"
    }
    audited = {key: value for key, value in fields.items() if key != "factor_name" or value is not None}
    if settings.arms is not None:
        fields.update(_design_summary(settings.arms))
        audited = {**fields, "arms": [asdict(arm) for arm in settings.arms.arms]}
        audited["reference"] = reference_name(settings.arms)
    try:
        with writing(workspace.engine) as session:
            study = Study(**fields, created_by=workspace.actor)
            session.add(study)
            session.flush()
            arms = _arm_rows(study, settings.arms)
            session.add_all(arms)
            record_study_event(session, workspace, study, AuditAction.STUDY_CREATE, audited)
    except IntegrityError as exc:
        raise ConflictError(f"a study named {fields['name']!r} already exists; choose another name") from exc
    return StudyOverview(study=study, arms=arms, n_animals=0)


def _arm_rows(study: Study, design: ArmsDesign | None) -> list[Arm]:
    """The study's arm rows in order: the design's, reference marked, or the default two, unmarked."""
    assert study.id is not None
    if design is None:
        return [
            Arm(study_id=study.id, position=1, name="vehicle", substance=study.vehicle, dose_mg_per_kg=0.0),
            Arm(
                study_id=study.id,
                position=2,
                name=study.compound,
                substance=study.compound,
                dose_mg_per_kg=study.dose_mg_per_kg,
            ),
        ]
    reference = reference_name(design)
    return [
        Arm(
            study_id=study.id,
            position=position,
            name=arm.name,
            substance=arm.substance,
            dose_mg_per_kg=arm.dose_mg_per_kg,
            stock_mg_per_ml=arm.stock_mg_per_ml,
            is_reference=arm.name == reference,
        )
        for position, arm in enumerate(design.arms, start=1)
    ]


def _design_summary(design: ArmsDesign) -> dict[str, Any]:
    """The study's compound, dose and vehicle read from its arms (see `StudySettings`)."""
    reference = reference_name(design)
    vehicle = next(arm for arm in design.arms if arm.name == reference)
    others = [arm for arm in design.arms if arm.name != reference]
    compound = max(others, key=lambda arm: arm.dose_mg_per_kg)
    return {
        "compound": compound.substance,
        "dose_mg_per_kg": compound.dose_mg_per_kg,
        "vehicle": vehicle.substance,
    }


def get_study(workspace: Workspace, name: str) -> StudyOverview:
    """One study by name, or an error listing the studies that exist."""
    with reading(workspace.engine) as session:
        return _overview(session, find_study(session, name))


def _overview(session: Session, study: Study) -> StudyOverview:
    arms = session.exec(select(Arm).where(Arm.study_id == study.id).order_by(col(Arm.position))).all()
    n_animals = session.exec(
        select(func.count()).select_from(Animal).where(Animal.study_id == study.id)
    ).one()
    exposed = session.exec(
        select(Randomization.id).where(
            Randomization.study_id == study.id, col(Randomization.balance_was_readable)
        )
    ).first()
    notices = (BALANCE_WAS_READABLE,) if exposed is not None else ()
    return StudyOverview(
        study=study,
        arms=arms,
        n_animals=n_animals,
        notices=notices,
        protocol=declared_protocol(session, study),
        cohorts=cohort_views(session, study),
    )
