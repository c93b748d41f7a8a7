"""Conversations over HTTP: scripted dialogues from "hi" to solved, what each
turn writes (messages, attempts, mastery, outbox), validation and access."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service.models import Attempt, Conversation, Mastery, Message, OutboxEvent, Section
from tests.api.conftest import Cast
from tests.factories import LearnerHandle, make_exercise, make_lesson

POWER_ANSWERS = ["u = 2x + 1", "dy/du = 3u^2", "du/dx = 2", "dy/dx = 6(2x+1)^2"]


class Talk:
    """One learner talking to the tutor over HTTP."""

    def __init__(self, client: FlaskClient, learner: LearnerHandle) -> None:
        self.client = client
        self.learner = learner
        self.id = ""
        self.opening: dict[str, Any] = {}

    def start(self, **body: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/conversations", json=body, headers=self.learner.headers)
        assert response.status_code == 201, response.get_json()
        self.opening = response.get_json()
        self.id = self.opening["id"]
        return self.opening

    def say(self, text: str) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/conversations/{self.id}/messages", json={"text": text},
                                    headers=self.learner.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def transcript(self) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/conversations/{self.id}", headers=self.learner.headers)
        assert response.status_code == 200
        return response.get_json()


def kinds(turn: dict[str, Any]) -> list[str]:
    return [message["kind"] for message in turn["messages"]]


def texts(turn: dict[str, Any], kind: str) -> list[str]:
    return [message["text"] for message in turn["messages"] if message["kind"] == kind]


@pytest.fixture
def talk(client: FlaskClient, cast: Cast) -> Talk:
    return Talk(client, cast.learner)


def test_power_dialogue_from_hi_to_solved(talk: Talk, session: sa.orm.Session, cast: Cast) -> None:
    opening = talk.start(expression="(2x+1)^3")
    assert kinds(opening) == ["info", "info", "question"]
    assert all(message["role"] == "tutor" for message in opening["messages"])
    assert "inner function" in texts(opening, "question")[0]
    assert opening["state"] == {
        "expression": "(2x+1)^3", "variable": "x", "step": "u", "solved": False, "hints_used": 0,
        "gave_up": False, "attempts": 0, "done": [], "awaiting_next": False, "exercise_slug": None,
    }
    assert "plan" not in opening["state"]  # the plan holds the answers

    greeting = talk.say("hi")
    assert "verdict" not in greeting and kinds(greeting) == ["info", "question"]
    hint = talk.say("hint")
    assert kinds(hint) == ["hint"] and hint["state"]["hints_used"] == 1
    inner = talk.say("u = 2x + 1")
    assert inner["verdict"] == {"correct": True, "misconception": None, "step": "u",
                                "feedback": inner["verdict"]["feedback"]}
    assert inner["state"]["step"] == "dy/du" and kinds(inner) == ["feedback", "question"]
    wrong = talk.say("3u")
    assert wrong["verdict"]["correct"] is False and wrong["verdict"]["step"] == "dy/du"
    assert wrong["state"]["step"] == "dy/du"
    assert talk.say("dy/du = 3u^2")["verdict"] == {
        "correct": True, "misconception": None, "step": "dy/du", "feedback": "Yes: dy/du = 3u² = 3(2x + 1)²."}
    assert talk.say("du/dx = 2")["state"]["step"] == "dy/dx"
    missing = talk.say("3(2x+1)^2")
    assert missing["verdict"]["misconception"] == "missing_inner_derivative"
    assert missing["verdict"]["step"] == "dy/dx" and not missing["verdict"]["correct"]
    assert "du/dx = 2" in texts(missing, "feedback")[0]
    solved = talk.say("dy/dx = 6(2x+1)^2")
    assert solved["verdict"]["correct"] and solved["verdict"]["step"] == "dy/dx"
    assert solved["state"]["solved"] and solved["state"]["step"] is None
    assert texts(solved, "explanation")[0].startswith("Recap")
    assert "another problem" in texts(solved, "question")[-1]

    _check_records(session, talk, cast.learner.id)


def _check_records(session: sa.orm.Session, talk: Talk, learner_id: str) -> None:
    """What the power dialogue leaves in the database."""
    attempts = session.scalars(sa.select(Attempt).where(Attempt.conversation_id == talk.id)
                               .order_by(Attempt.id)).all()
    assert [(a.step, a.correct, a.misconception) for a in attempts] == [
        ("u", True, None), ("dy/du", False, None), ("dy/du", True, None), ("du/dx", True, None),
        ("dy/dx", False, "missing_inner_derivative"), ("dy/dx", True, None),
    ]
    assert [a.skill for a in attempts][:2] == ["identify_functions", "outer_derivative"]
    assert attempts[0].hints_used == 1 and attempts[1].hints_used == 0
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in attempts)
    assert all(a.learner_id == learner_id for a in attempts)

    mastery = {m.skill: m for m in session.scalars(sa.select(Mastery).where(Mastery.learner_id == learner_id))}
    assert set(mastery) == {"identify_functions", "outer_derivative", "inner_derivative", "multiply_factors"}
    # The inner function came after a hint: BKT observes it as not known.
    assert mastery["identify_functions"].probability < 0.2 < mastery["inner_derivative"].probability
    assert mastery["outer_derivative"].attempts == 2

    outbox = session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id)).all()
    types = [event.type for event in outbox]
    assert types.count("AttemptRecorded") == 6 and types.count("ProblemSolved") == 1
    assert "MasteryChanged" in types and "HintGiven" not in types
    solved = next(event for event in outbox if event.type == "ProblemSolved")
    assert solved.payload["conversation_id"] == talk.id and solved.payload["by_learner"] is True
    assert all(event.learner_id == learner_id and event.delivered_at is None for event in outbox)

    conversation = session.get(Conversation, talk.id)
    assert conversation.status == "solved" and conversation.expression == "(2x+1)^3"

    transcript = talk.transcript()
    positions = [message["position"] for message in transcript["messages"]]
    assert positions == list(range(len(positions)))
    learner_says = [m["text"] for m in transcript["messages"] if m["role"] == "learner"]
    assert learner_says == ["hi", "hint", "u = 2x + 1", "3u", "dy/du = 3u^2", "du/dx = 2",
                            "3(2x+1)^2", "dy/dx = 6(2x+1)^2"]
    answered = [m for m in transcript["messages"] if m["role"] == "learner" and m["kind"] == "answer"]
    assert [m["verdict"]["correct"] for m in answered] == [True, False, True, True, False, True]
    assert transcript["messages"][:3] == [
        {**message, "created_at": transcript["messages"][i]["created_at"]}
        for i, message in enumerate(talk.opening["messages"])]
    assert transcript["state"]["solved"] and transcript["status"] == "solved"


def test_a_correct_final_derivative_is_accepted_at_once(talk: Talk) -> None:
    talk.start(expression="(2x+1)^3")
    turn = talk.say("dy/dx = 6(2x + 1)^2")
    assert turn["verdict"]["correct"] and turn["verdict"]["step"] == "dy/dx"
    assert turn["state"]["solved"]


def test_hint_ladder_points_then_teaches_then_gives_the_answer(talk: Talk, session) -> None:
    talk.start(expression="(2x+1)^3")
    hints = [texts(talk.say("hint"), "hint")[0] for _ in range(3)]
    assert len(set(hints)) == 3
    assert "2x + 1" not in hints[0] and "u = 2x + 1" in hints[2]
    assert talk.transcript()["state"]["hints_used"] == 3
    # Hints are no answers: no attempt rows, no outbox events.
    assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    assert session.scalar(sa.select(sa.func.count(OutboxEvent.id))) == 0


def test_progress_reflects_the_dialogue(talk: Talk, client: FlaskClient, cast: Cast, session) -> None:
    talk.start(expression="(2x+1)^3")
    talk.say("hint")
    talk.say("3(2x+1)^2 * 5")  # a wrong final answer: an attempt on dy/dx
    for answer in POWER_ANSWERS:
        talk.say(answer)
    for who in ("learner", "instructor"):
        response = client.get(f"/api/v1/learners/{cast.learner.id}/progress", headers=cast.headers(who))
        progress = response.get_json()
        assert progress["attempts"] == 5 and progress["solved"] == 1 and progress["hints"] == 1
        stored = {m.skill: m.probability for m in session.scalars(sa.select(Mastery))}
        assert {skill: progress["mastery"][skill] for skill in stored} == pytest.approx(stored)
        assert progress["mastery"]["long_chains"] == pytest.approx(0.2)
        assert progress["recent"][0]["step"] == "dy/dx" and progress["recent"][0]["correct"]


def test_neuron_example_by_w_from_hi_to_solved(talk: Talk) -> None:
    talk.start()
    assert "Hello" in texts(talk.say("hi"), "info")[0]
    started = talk.say("differentiate (σ(wx) − y)^2 with respect to w")
    assert started["state"]["variable"] == "w" and started["state"]["step"] == "z"
    for step, answer in [("z", "z = wx"), ("a", "a = σ(z)"), ("dL/da", "2(a - y)"),
                         ("da/dz", "σ(z)(1 - σ(z))"), ("dz/dw", "x"),
                         ("dL/dw", "2(σ(wx) - y) σ(wx)(1 - σ(wx)) x")]:
        turn = talk.say(answer)
        assert turn["verdict"]["correct"] and turn["verdict"]["step"] == step, turn
    assert turn["state"]["solved"] and not turn["state"]["gave_up"]
    assert talk.transcript()["expression"] == "(σ(wx) − y)^2"


def test_asked_for_the_solution_the_tutor_shows_it_with_the_derivative(talk: Talk) -> None:
    talk.start(expression="sin((3x)^2)")
    turn = talk.say("show me the solution")
    solution = next(m for m in turn["messages"] if m["kind"] == "solution")
    assert solution["derivative"] and "latex" in solution
    assert turn["state"]["solved"] and turn["state"]["gave_up"]


def test_posting_to_a_solved_conversation_offers_a_new_problem(talk: Talk) -> None:
    talk.start(expression="(2x+1)^3")
    talk.say("dy/dx = 6(2x+1)^2")
    assert "another problem" in texts(talk.say("thanks"), "question")[-1]
    turn = talk.say("next")
    assert not turn["state"]["solved"] and turn["state"]["expression"] != "(2x+1)^3"
    assert talk.transcript()["status"] == "active"


def test_the_tutor_explains_from_the_lesson_in_plain_text(talk: Talk, session) -> None:
    lesson = make_lesson(session, "chain-rule", sections=1)
    session.add(Section(lesson_id=lesson.id, slug="the-chain-rule", title="The chain rule", position=9,
                        body="Write $u = g(x)$; then\n\n$$\\frac{dy}{dx} = \\frac{dy}{du} \\cdot \\frac{du}{dx}$$"))
    session.commit()
    talk.start(expression="(2x+1)^3")
    explained = texts(talk.say("what is the chain rule?"), "explanation")[0]
    assert explained == "Write u = g(x); then\n\ndy/dx = dy/du · du/dx"


def test_without_an_expression_the_tutor_picks_one(talk: Talk) -> None:
    opening = talk.start()
    assert opening["state"]["expression"] and opening["state"]["step"] is not None


def test_a_conversation_is_filed_under_the_learners_course(talk: Talk, cast: Cast, client, session) -> None:
    talk.start(expression="(2x+1)^3")
    talk.say("u = 2x + 1")
    assert session.get(Conversation, talk.id).course_id == cast.course_id
    assert session.scalar(sa.select(Attempt.course_id)) == cast.course_id
    response = client.post("/api/v1/conversations", json={"course_id": cast.other_course_id},
                           headers=cast.learner.headers)
    assert response.status_code == 404


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{"text": ""}, {"text": 7}, {"text": "x" * 20_001}])
def test_a_message_needs_text_of_a_sane_length(talk: Talk, client, body) -> None:
    talk.start(expression="(2x+1)^3")
    response = client.post(f"/api/v1/conversations/{talk.id}/messages", json=body,
                           headers=talk.learner.headers)
    assert response.status_code == 422
    assert "text" in response.get_json()["error"]["errors"]


@pytest.mark.parametrize("body", [{}, {"text": "hint", "action": "hint"}, {"action": "dance"},
                                  {"action": 3}])
def test_a_message_is_exactly_one_of_text_and_a_known_action(talk: Talk, client, body) -> None:
    talk.start(expression="(2x+1)^3")
    response = client.post(f"/api/v1/conversations/{talk.id}/messages", json=body,
                           headers=talk.learner.headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_an_over_long_message_gets_a_chat_reply_not_an_error(talk: Talk) -> None:
    talk.start(expression="(2x+1)^3")
    turn = talk.say("x" * 2001)
    assert "too long" in " ".join(texts(turn, "info"))
    assert turn["state"]["step"] == "u" and "verdict" not in turn


def press(talk: Talk, action: str) -> dict[str, Any]:
    response = talk.client.post(f"/api/v1/conversations/{talk.id}/messages", json={"action": action},
                                headers=talk.learner.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_hint_button_climbs_the_same_ladder_as_asking_in_words(talk: Talk, client, cast) -> None:
    talk.start(expression="(2x+1)^3")
    pressed = press(talk, "hint")
    other = Talk(client, cast.learner)
    other.start(expression="(2x+1)^3")
    asked = other.say("hint")
    assert texts(pressed, "hint") == texts(asked, "hint") and pressed["state"]["hints_used"] == 1
    assert talk.transcript()["messages"][-len(pressed["messages"]) - 1]["text"] == "Hint, please."


@pytest.mark.parametrize(("action", "kind"), [("next_factor", "info"), ("repeat", "question"),
                                              ("explain", "explanation"), ("solution", "solution")])
def test_every_button_gets_the_reply_of_its_words(talk: Talk, action: str, kind: str) -> None:
    talk.start(expression="(2x+1)^3")
    assert kind in kinds(press(talk, action))


def test_the_new_problem_button_sets_another_problem(talk: Talk) -> None:
    talk.start(expression="(2x+1)^3")
    turn = press(talk, "new_problem")
    assert turn["state"]["expression"] != "(2x+1)^3" and turn["state"]["step"] is not None


def test_an_unreadable_expression_is_a_422_with_the_parsers_message(client, cast: Cast, session) -> None:
    response = client.post("/api/v1/conversations", json={"expression": "sin((x"},
                           headers=cast.learner.headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "parenthesis" in error["message"] and isinstance(error["position"], int)
    assert session.scalar(sa.select(sa.func.count(Conversation.id))) == 0


def test_a_typo_in_an_answer_gets_the_parsers_message_not_an_error(talk: Talk) -> None:
    talk.start(expression="(2x+1)^3")
    turn = talk.say("u = (2x + 1")
    assert "parenthesis" in " ".join(m["text"] for m in turn["messages"])


def test_an_unknown_conversation_is_a_404(client, cast: Cast) -> None:
    response = client.post(f"/api/v1/conversations/{'0' * 32}/messages", json={"text": "hi"},
                           headers=cast.learner.headers)
    assert response.status_code == 404
    assert client.get(f"/api/v1/conversations/{'0' * 32}", headers=cast.learner.headers).status_code == 404


# --- who may do what ------------------------------------------------------------------------

WHO = ("anonymous", "learner", "other_learner", "instructor", "other_instructor")

# (method, path, body, status per caller in WHO's order); {conversation} is the learner's.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("POST", "/api/v1/conversations", {"expression": "(2x+1)^3"}, (401, 201, 201, 403, 403)),
    ("GET", "/api/v1/conversations/{conversation}", None, (401, 200, 404, 200, 404)),
    ("POST", "/api/v1/conversations/{conversation}/messages", {"text": "hint"}, (401, 200, 404, 403, 403)),
    ("GET", "/api/v1/learners/{learner}/conversations", None, (401, 200, 403, 200, 403)),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"),
                         [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX])
def test_access(talk: Talk, client: FlaskClient, cast: Cast, method: str, path: str,
                body: dict[str, Any] | None, expected: tuple[int, ...]) -> None:
    talk.start(expression="(2x+1)^3")
    url = path.format(conversation=talk.id, learner=cast.learner.id)
    got = {}
    for who in WHO:
        response = client.open(url, method=method, json=body, headers=cast.headers(who))
        got[who] = response.status_code
        if response.status_code >= 400:
            assert response.get_json()["error"]["status"] == response.status_code
    assert got == dict(zip(WHO, expected, strict=True))
    # Only the learner's own message was written; nobody else's reached the transcript.
    learner_messages = [m for m in talk.transcript()["messages"] if m["role"] == "learner"]
    assert len(learner_messages) == (1 if path.endswith("/messages") else 0)


def test_the_matrix_covers_every_conversation_route(app) -> None:
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("conversations.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, path.replace("{conversation}", "<string(length=32):conversation_id>")
               .replace("{learner}", "<string(length=32):learner_id>")) for method, path, _, _ in MATRIX}
    assert routes == listed


def test_messages_positions_are_unique_per_conversation(talk: Talk, session) -> None:
    talk.start(expression="(2x+1)^3")
    talk.say("hi")
    positions = session.scalars(sa.select(Message.position).where(Message.conversation_id == talk.id)
                                .order_by(Message.position)).all()
    assert positions == list(range(len(positions)))


def test_the_tutor_picks_from_the_bank_and_never_repeats_a_problem(client, cast: Cast, session) -> None:
    exercise = make_exercise(session, slug="cube", expression="(3x - 2)^4", skills=("identify_functions",))
    first = Talk(client, cast.learner)
    assert first.start()["state"]["exercise_slug"] == "cube"
    first.say("u = 3x - 2")
    assert session.get(Conversation, first.id).exercise_id == exercise.id
    assert session.scalar(sa.select(Attempt.exercise_id)) == exercise.id
    # The learner had the bank's only exercise: the next conversation gets a fresh problem.
    second = Talk(client, cast.learner).start()
    assert second["state"]["expression"] != "(3x - 2)^4" and second["state"]["exercise_slug"] is None


def test_progress_keeps_solved_problems_and_hints_when_the_conversation_moves_on(
        talk: Talk, client: FlaskClient, cast: Cast) -> None:
    talk.start(expression="(2x+1)^3")
    talk.say("hint")
    talk.say("dy/dx = 6(2x+1)^2")
    talk.say("next")  # a new problem resets the conversation's own counters
    talk.start(expression="sin((3x)^2)")
    talk.say("show me the solution")  # shown, not solved by the learner
    progress = client.get(f"/api/v1/learners/{cast.learner.id}/progress",
                          headers=cast.learner.headers).get_json()
    assert (progress["solved"], progress["hints"], progress["conversations"]) == (1, 1, 2)
