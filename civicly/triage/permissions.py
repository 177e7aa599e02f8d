"""Who may see and do what with a case. Every officer page and API call goes through here."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Case, Role, User
from civicly.references import case_by_reference
from civicly.triage.accounts import department_ids, supervised_department_ids


@dataclass(frozen=True)
class Actor:
    """A signed-in civil servant as the rules see them."""

    user_id: int
    email: str
    role: Role
    department_ids: frozenset[int]
    supervised_ids: frozenset[int] = frozenset()  # the ministries this person supervises (a subset of the above)

    @classmethod
    def of(cls, session: Session, user: User) -> Actor:
        return cls(user.id, user.email, Role(user.role), department_ids(session, user),
                   supervised_department_ids(session, user))

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised_ids)

    def supervises(self, case: Case) -> bool:
        """This person supervises the ministry the case is routed to."""
        return case.department_id is not None and case.department_id in self.supervised_ids

    def owns(self, case: Case) -> bool:
        """The case is routed to one of this person's ministries."""
        return case.department_id is not None and case.department_id in self.department_ids


def can_view(actor: Actor, case: Case) -> bool:
    if actor.role == Role.admin or actor.owns(case):
        return True
    return actor.role == Role.triage and case.needs_triage


def can_act(actor: Actor, case: Case) -> bool:
    """Admins read everything but act only on their own ministries' cases."""
    return actor.owns(case) or (actor.role == Role.triage and case.needs_triage)


def can_see_contact(actor: Actor, case: Case) -> bool:
    """Contact details are for the officers of the ministry handling the case, nobody else."""
    return actor.owns(case)


def can_manage_personal_data(actor: Actor, case: Case) -> bool:
    """Export or erase a citizen's data: the officers of the case's ministry, and admins."""
    return actor.role == Role.admin or actor.owns(case)


def find_case_for_data_rights(session: Session, actor: Actor, typed_reference: str) -> Case:
    """The case whose data this actor may export or erase: UnknownReference if they may not even see it, NotAllowed
    if they see it without being of its ministry (a triage officer) or an admin."""
    case = find_visible_case(session, actor, typed_reference)
    if not can_manage_personal_data(actor, case):
        raise NotAllowed("only the case's ministry and admins handle its citizen's data")
    return case


def can_see_full_text(actor: Actor, case: Case) -> bool:
    """The text as written, with the names, numbers and addresses in it, is for the ministry handling the case too;
    triage staff, admins and anyone else read it as redacted at intake (``Case.text_redacted``)."""
    return actor.owns(case)


def find_visible_case(session: Session, actor: Actor, typed_reference: str) -> Case:
    """The case if this actor may see it; otherwise UnknownReference, so its existence is not revealed."""
    case = case_by_reference(session, typed_reference)
    if not can_view(actor, case):
        raise UnknownReference(typed_reference)
    return case
