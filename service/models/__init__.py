"""The database models, split by area; import them from here.

>>> from service.models import Learner, Conversation
"""

from service.models.base import Base, CreatedAtMixin, TimestampsMixin, UTCDateTime, utcnow
from service.models.course_models import CourseMastery, CourseMisconceptionBelief
from service.models.content import Exercise, Lesson, Section
from service.models.conversations import (
    CONVERSATION_STATUSES,
    MESSAGE_ROLES,
    Attempt,
    Conversation,
    Mastery,
    Message,
    OutboxEvent,
)
from service.models.idempotency import IdempotentReply
from service.models.knowledge import BKTParameterSet, MisconceptionBelief, ProblemRecord
from service.models.lti import (
    LtiCacheEntry,
    LtiContext,
    LtiGradeTarget,
    LtiKey,
    LtiNotice,
    LtiPlatform,
    LtiScoreDelivery,
    LtiUser,
)
from service.models.people import Course, Enrolment, Instructor, Learner, new_public_id
from service.models.summaries import (
    ConversationStats,
    CourseDayAttempts,
    CourseDayProblems,
    CourseDayWrongAnswers,
    CourseOutcomeCount,
    CourseProblemDays,
    LearnerDayMisconceptions,
    LearnerMisconceptionCount,
    LearnerProblemDays,
    LearnerProblemSkills,
    LearnerProblemStats,
    LearnerSkillMisconceptions,
    SummaryRefresh,
    WrongAnswerCount,
)
from service.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Base", "CreatedAtMixin", "TimestampsMixin", "UTCDateTime", "utcnow",
    "Lesson", "Section", "Exercise",
    "Instructor", "Course", "Learner", "Enrolment", "new_public_id",
    "Conversation", "Message", "Attempt", "Mastery", "OutboxEvent", "ConversationStats",
    "CourseMastery", "CourseMisconceptionBelief",
    "LearnerMisconceptionCount", "WrongAnswerCount", "LearnerProblemStats",
    "CourseDayProblems", "CourseOutcomeCount", "SummaryRefresh",
    "CourseDayAttempts", "CourseDayWrongAnswers", "LearnerDayMisconceptions", "LearnerSkillMisconceptions",
    "CourseProblemDays", "LearnerProblemDays", "LearnerProblemSkills",
    "ProblemRecord", "MisconceptionBelief", "BKTParameterSet",
    "IdempotentReply",
    "WebhookEndpoint", "WebhookDelivery",
    "LtiPlatform", "LtiKey", "LtiUser", "LtiContext", "LtiGradeTarget", "LtiCacheEntry", "LtiScoreDelivery", "LtiNotice",
    "CONVERSATION_STATUSES", "MESSAGE_ROLES",
]
