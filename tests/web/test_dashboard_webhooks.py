"""The dashboard's webhooks page: add an endpoint (secret shown once), see it
disabled with the reason (also on every course page), re-enable, rotate,
replay, delete; another instructor sees nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.extensions import db
from service.models import WebhookDelivery, WebhookEndpoint, utcnow
from tests.factories import make_course, make_instructor
from tests.integration.conftest import *  # noqa: F403
from tests.web.test_dashboard import csrf_from, log_in


@pytest.fixture
def session(app: Flask) -> Iterator[sa.orm.Session]:
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session:
        yield session


@pytest.fixture
def course_id(session: sa.orm.Session) -> int:
    teacher = make_instructor(session, email="teacher@example.org")
    make_instructor(session, email="stranger@example.org")
    return make_course(session, teacher.id, "Calculus I").id


def test_an_instructor_manages_webhooks_from_the_dashboard(client: FlaskClient, session: sa.orm.Session,
                                                           course_id: int) -> None:
    assert log_in(client, "teacher@example.org").status_code == 302
    page = client.get(f"/dashboard/courses/{course_id}/webhooks").get_data(as_text=True)
    assert "No webhook yet" in page
    added = client.post(f"/dashboard/courses/{course_id}/webhooks", follow_redirects=True,
                        data={"url": "https://hooks.example.org/in", "events": ["problem.solved"],
                              "csrf_token": csrf_from(page)})
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and "whsec_" in html and "https://hooks.example.org/in" in html

    endpoint = session.scalar(sa.select(WebhookEndpoint))
    endpoint.state, endpoint.disabled_at = "disabled", utcnow()
    endpoint.disabled_reason = "The receiver answered 410 Gone: it asked for no more events."
    session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=1, event_type="problem.solved",
                                status="failed", attempts=1, last_status_code=410))
    session.commit()
    overview = client.get(f"/dashboard/courses/{course_id}/").get_data(as_text=True)
    assert "was disabled" in overview and "410 Gone" in overview  # told on every course page
    html = client.get(f"/dashboard/courses/{course_id}/webhooks").get_data(as_text=True)
    assert "Disabled" in html and "evt_1" in html and "410" in html

    delivery_id = session.scalar(sa.select(WebhookDelivery.id))
    token = csrf_from(html)
    replayed = client.post(f"/dashboard/courses/{course_id}/webhooks/{endpoint.id}/deliveries/{delivery_id}/replay",
                           data={"csrf_token": token})
    assert replayed.status_code == 302
    enabled = client.post(f"/dashboard/courses/{course_id}/webhooks/{endpoint.id}/enable",
                          data={"csrf_token": token}, follow_redirects=True)
    assert "Active" in enabled.get_data(as_text=True)
    session.expire_all()
    assert session.get(WebhookDelivery, delivery_id).status == "pending"
    rotated = client.post(f"/dashboard/courses/{course_id}/webhooks/{endpoint.id}/rotate",
                          data={"csrf_token": token}, follow_redirects=True)
    assert "New signing secret" in rotated.get_data(as_text=True)
    deleted = client.post(f"/dashboard/courses/{course_id}/webhooks/{endpoint.id}/delete",
                          data={"csrf_token": token}, follow_redirects=True)
    assert "No webhook yet" in deleted.get_data(as_text=True)


def test_another_instructor_gets_a_404_and_private_targets_a_400_page(
        client: FlaskClient, course_id: int) -> None:
    assert log_in(client, "stranger@example.org").status_code == 302
    assert client.get(f"/dashboard/courses/{course_id}/webhooks").status_code == 404
    client.post("/dashboard/logout", data={"csrf_token": csrf_from(client.get("/dashboard/").get_data(as_text=True))})
    assert log_in(client, "teacher@example.org").status_code == 302
    page = client.get(f"/dashboard/courses/{course_id}/webhooks").get_data(as_text=True)
    refused = client.post(f"/dashboard/courses/{course_id}/webhooks",
                          data={"url": "http://169.254.169.254/", "csrf_token": csrf_from(page)})
    assert refused.status_code == 400 and "link-local" in refused.get_data(as_text=True)
