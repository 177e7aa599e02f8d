"""SQLModel tables, one module per family. Importing this package registers every table."""
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from civicly.models.admin_audit import AdminAction  # noqa: E402
from civicly.models.apikeys import ApiKey  # noqa: E402
from civicly.models.audit import Event  # noqa: E402
from civicly.models.cases import Case, CaseStatus, Urgency  # noqa: E402
from civicly.models.channels import ChannelMessage  # noqa: E402
from civicly.models.deadlines import Holiday, ServiceLevel  # noqa: E402
from civicly.models.groups import CaseGroup, CaseGroupMember  # noqa: E402
from civicly.models.jobs import Job  # noqa: E402
from civicly.models.labels import Label  # noqa: E402
from civicly.models.model_store import ActiveModel, ModelArtifact  # noqa: E402
from civicly.models.organisations import Department  # noqa: E402
from civicly.models.outbox import OutboxMessage, OutboxStatus  # noqa: E402
from civicly.models.photos import Photo  # noqa: E402
from civicly.models.predictions import Prediction  # noqa: E402
from civicly.models.satisfaction import SatisfactionAnswer  # noqa: E402
from civicly.models.sessions import UserSession  # noqa: E402
from civicly.models.users import RecoveryCode, Role, User, UserDepartment  # noqa: E402
from civicly.models.working_day import CaseAlert, ReplyTemplate  # noqa: E402

__all__ = ["ActiveModel", "AdminAction", "ApiKey", "Case", "CaseAlert", "CaseGroup", "CaseGroupMember", "CaseStatus",
           "ChannelMessage", "Department", "Event", "Holiday", "Job", "Label", "ModelArtifact", "OutboxMessage",
           "OutboxStatus", "Photo", "Prediction", "RecoveryCode", "ReplyTemplate", "Role", "SatisfactionAnswer",
           "ServiceLevel", "SQLModel", "Urgency", "User",
           "UserDepartment", "UserSession"]
