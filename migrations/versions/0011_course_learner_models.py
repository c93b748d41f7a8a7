"""Each course keeps its own copy of the learner model, traced from that course's work only.

An instructor read the learner's whole mastery and misconception beliefs,
moved by work in other instructors' courses too. ``course_mastery`` and
``course_misconception_beliefs`` hold the model as each course saw it
(:mod:`service.usecases.course_models` keeps them per turn).

Backfill, per (course, learner) with conversations in that course:

- a learner whose every conversation is filed under that one course: the
  course's copy *is* the learner's model, copied as it stands;
- a learner who worked in several courses (or outside any): the course's
  attempts replayed through BKT as the tutor traces them (first attempt at
  a step, unaided to count as right; a misconception counts against the
  skills it shows: :func:`service.usecases.mastery_fit.observations`), with
  the newest fitted parameters; beliefs move with the misconceptions the
  attempts showed. Shown solutions left no attempt row, so they are not
  replayed: the copies start from the evidence the attempts log holds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:40:00
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_KEYS = {'course_mastery': 'skill', 'course_misconception_beliefs': 'misconception'}


def upgrade() -> None:
    for table, key in _KEYS.items():
        op.create_table(table,
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('learner_id', sa.String(length=32), nullable=False),
        sa.Column(key, sa.String(length=64), nullable=False),
        sa.Column('probability', sa.Float(), nullable=False),
        *([sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False)]
          if table == 'course_mastery' else []),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f(f'fk_{table}_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f(f'fk_{table}_learner_id_learners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('course_id', 'learner_id', key, name=op.f(f'pk_{table}')),
        )
    _copy_single_course_learners()
    _replay_other_learners()


# Learners whose every conversation is filed under one course, with that course.
_SINGLE_COURSE = """
    SELECT learner_id, min(course_id) AS course_id FROM conversations
    GROUP BY learner_id
    HAVING count(DISTINCT course_id) = 1 AND count(*) = count(course_id)
"""


def _copy_single_course_learners() -> None:
    op.execute(f"""
        INSERT INTO course_mastery (course_id, learner_id, skill, probability, attempts, updated_at)
        SELECT single.course_id, m.learner_id, m.skill, m.probability, m.attempts, m.updated_at
        FROM mastery m JOIN ({_SINGLE_COURSE}) single ON single.learner_id = m.learner_id
    """)
    op.execute(f"""
        INSERT INTO course_misconception_beliefs (course_id, learner_id, misconception, probability, updated_at)
        SELECT single.course_id, b.learner_id, b.misconception, b.probability, b.updated_at
        FROM misconception_beliefs b JOIN ({_SINGLE_COURSE}) single ON single.learner_id = b.learner_id
    """)


def _replay_other_learners() -> None:
    # The service's own rules, so the replay is the tutor's tracing (imported here, not at the
    # top: only this backfill needs them).
    from service.tutor.beliefs import observe_answer
    from service.tutor.mastery import update
    from service.usecases.mastery_fit import AttemptRow, observations
    from service.usecases.mastery_params import load_params

    bind = op.get_bind()
    params = load_params(Session(bind=bind))
    rows = bind.execute(sa.text(f"""
        SELECT a.course_id, a.learner_id, a.conversation_id, a.step, a.correct, a.hints_used, a.skill,
               a.misconception
        FROM attempts a
        WHERE a.course_id IS NOT NULL
          AND a.learner_id NOT IN (SELECT learner_id FROM ({_SINGLE_COURSE}) single)
        ORDER BY a.course_id, a.learner_id, a.created_at, a.id
    """))
    attempts: dict[tuple[int, str], list[AttemptRow]] = defaultdict(list)
    for course_id, learner_id, *columns in rows:
        attempts[course_id, learner_id].append(AttemptRow(learner_id, *columns))
    mastery_rows, belief_rows = [], []
    for (course_id, learner_id), course_attempts in attempts.items():
        mastery: dict[str, float] = {}
        opportunities: dict[str, int] = defaultdict(int)
        for observation in observations(course_attempts):
            skill = observation.skill_name
            skill_params = params.for_skill(skill)
            mastery[skill] = update(mastery.get(skill, skill_params.p_init), bool(observation.correct), skill_params)
            opportunities[skill] += 1
        mastery_rows += [{'course_id': course_id, 'learner_id': learner_id, 'skill': skill, 'probability': p,
                          'attempts': opportunities[skill]} for skill, p in mastery.items()]
        beliefs: dict[str, float] = {}
        for attempt in course_attempts:
            if attempt.misconception is not None:
                beliefs = observe_answer(beliefs, (), False, attempt.misconception)
        belief_rows += [{'course_id': course_id, 'learner_id': learner_id, 'misconception': name, 'probability': p}
                        for name, p in beliefs.items()]
    tables = sa.MetaData()
    if mastery_rows:
        bind.execute(sa.Table('course_mastery', tables, autoload_with=bind).insert(), mastery_rows)
    if belief_rows:
        bind.execute(sa.Table('course_misconception_beliefs', tables, autoload_with=bind).insert(), belief_rows)


def downgrade() -> None:
    for table in _KEYS:
        op.drop_table(table)
