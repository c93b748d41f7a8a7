"""The learner pages through the Flask test client: the landing page, worked
solutions with their chain drawn as SVG, the iframe page and the widget script.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from service.extensions import db
from service.web.chain_svg import chain_svg
from tests.factories import make_lesson
from tests.integration.conftest import *  # noqa: F403  (app, client, a fresh database per test)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def lesson(app: Flask) -> None:
    with app.app_context():
        make_lesson(db.session, "chain-rule", sections=3)


def svg_elements(html: str) -> list[ET.Element]:
    """Every ``<svg>`` of a page, parsed as XML (so it must be well formed)."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)]


def test_landing_shows_the_lesson_with_mathml_beside_the_widget(client: FlaskClient, lesson: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.text
    assert '<h1 id="lesson-title">The chain rule</h1>' in html
    assert [f"Part {n}" for n in (1, 2, 3)] == re.findall(r"<h2>(Part \d)</h2>", html)
    assert html.count("<math") == 6  # two maths spans in each of the three sections
    assert "<strong>du/dx</strong>" in html
    assert "<chain-tutor-chat source=\"lesson\"></chain-tutor-chat>" in html
    assert '<script src="/widget.js" defer></script>' in html
    assert 'href="/solve"' in html and 'href="/api/v1/docs"' in html
    # Nothing is loaded from another host: no internet at run time.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_landing_without_content_still_offers_the_tutor(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "The lesson is not loaded yet" in response.text
    assert "<chain-tutor-chat source=\"lesson\"></chain-tutor-chat>" in response.text


def test_landing_escapes_the_lesson_and_the_expression(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lesson = make_lesson(db.session, "chain-rule", sections=1)
        db.session.execute(sa.text("UPDATE lessons SET title = :t"), {"t": HOSTILE})
        db.session.commit()
        assert lesson.slug == "chain-rule"
    html = client.get("/", query_string={"expression": '"><script>x</script>'}).text
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'expression="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_solve_draws_the_chain_of_three_links(client: FlaskClient) -> None:
    response = client.get("/solve", query_string={"expr": "sin((3x)^2)"})
    assert response.status_code == 200
    # Drawn twice: left to right for wide screens, top to bottom for phones.
    svg, down = svg_elements(response.text)
    assert (svg.get("class"), down.get("class")) == ("chain chain-across", "chain chain-down")
    assert [t.text for t in down.iter(f"{SVG}text") if t.get("class") == "gear-name"] == ["x", "v", "u", "y"]
    assert len(svg.findall(f".//{SVG}path[@class='arrow']")) == 3
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "gear-name"] == ["x", "v", "u", "y"]
    ratios = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "ratio"]
    assert ratios == ["dv/dx = 3", "du/dv = 2v", "dy/du = cos(u)"]
    assert svg.find(f"{SVG}title").text == "The chain x → v → u → y"
    html = response.text
    assert "18x·cos(9x²)" in html
    assert html.count("<math") >= 6  # the problem, the answer and each step
    assert "<td>v = 3x</td><td>dv/dx = 3</td><td>linear function</td>" in html
    assert "Gear view." in html


def test_solve_draws_each_chain_inside_a_mixed_expression(client: FlaskClient) -> None:
    response = client.get("/solve", query_string={"expr": "sin(x^2) + cos(3x)^2"})
    assert response.status_code == 200
    svgs = svg_elements(response.text)
    assert len(svgs) == 4  # two chains, each drawn across and down
    # Several drawings on one page: their ids must not clash.
    ids = [e.get("id") for svg in svgs for e in svg.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert "The chain inside sin(x²)" in response.text


def test_solve_without_a_chain_has_no_drawing(client: FlaskClient) -> None:
    response = client.get("/solve", query_string={"expr": "x^5"})
    assert response.status_code == 200
    assert "<svg" not in response.text
    assert "5x⁴" in response.text


def test_solve_without_an_expression_shows_the_form(client: FlaskClient) -> None:
    response = client.get("/solve")
    assert response.status_code == 200
    assert '<form class="solve-form"' in response.text
    assert 'href="/solve?expr=(2x%2B1)%5E3"' in response.text


@pytest.mark.parametrize(("query", "message"), [
    ({"expr": "sin((3x"}, "Unbalanced parenthesis after &#39;sin(&#39;."),
    ({"expr": "foo(x)"}, "Unknown function &#39;foo&#39;"),
    ({"expr": "x" * 1001}, "The expression is longer than 1000 characters."),
    ({"expr": "x^2", "variable": "x y"}, "The variable must be a name such as x, t or w."),
    # Too costly to work on: refused by the estimate, or stopped at the compute budget (service.compute).
    ({"expr": "(sin(x)+x)^(cos(x)+x)^(tan(x)+x)^(e^x)^(ln(x))" * 3}, "a tower of 5 stacked powers"),
    ({"expr": "sin(e^(e^(8x)))"}, "values too large to compute with"),
])
def test_solve_bad_input_is_a_friendly_400_page(client: FlaskClient, query: dict[str, str], message: str) -> None:
    response = client.get("/solve", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "That expression can't be read" in response.text
    assert message in response.text
    assert 'value="' + query["expr"][:20] in response.text  # the form keeps what was typed


def test_solve_points_at_the_error(client: FlaskClient) -> None:
    html = client.get("/solve", query_string={"expr": "sin((3x"}).text
    assert "<code>sin<mark>(</mark>(3x</code>" in html


def test_solve_escapes_what_was_typed(client: FlaskClient) -> None:
    response = client.get("/solve", query_string={"expr": HOSTILE})
    assert response.status_code == 400
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def test_embed_may_be_framed_by_any_site(client: FlaskClient) -> None:
    response = client.get("/embed", query_string={"expression": "(2x+1)^3", "course": 'AB"C'})
    assert response.status_code == 200
    assert '<chain-tutor-chat source="embed" expression="(2x+1)^3" course="AB&#34;C"></chain-tutor-chat>' in response.text
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors *")
    assert "X-Frame-Options" not in response.headers


def test_other_pages_are_framed_only_by_the_service(client: FlaskClient) -> None:
    for path in ("/", "/solve"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy


def test_widget_script_is_served_as_javascript_for_caches(client: FlaskClient) -> None:
    # ``with``: the file behind the response is closed even when the body is not read.
    with client.get("/widget.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "public, max-age=600"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert 'customElements.define("chain-tutor-chat"' in response.text
        assert "innerHTML = MARKUP" in response.text  # the only markup it writes is its own constant
        etag = response.headers["ETag"]
    with client.get("/widget.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_chain_svg_escapes_its_text() -> None:
    links = [{"name": "y", "input": "<b>", "expression": "sin(<b>)", "derivative": "cos(<b>)"}]
    svg = ET.fromstring(chain_svg(links, "<b>", ident="t"))
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "ratio"] == ["dy/d<b> = cos(<b>)"]
    assert chain_svg([], "x") == ""


def test_the_favicon_is_served_and_linked(client: FlaskClient) -> None:
    icon = client.get("/favicon.ico")
    data = icon.data
    icon.close()
    assert icon.status_code == 200 and data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/solve").text


def test_var_is_an_alias_of_variable_on_the_solution_page(client: FlaskClient) -> None:
    by_alias = client.get("/solve", query_string={"expr": "(sigmoid(w*x)-y)^2", "var": "w"})
    assert by_alias.status_code == 200
    assert "dL/dw" in by_alias.text and 'value="w"' in by_alias.text


def test_the_headline_reads_like_the_last_step(client: FlaskClient) -> None:
    html = client.get("/solve", query_string={"expr": "(sigmoid(w*x)-y)^2", "variable": "w"}).text
    start = html.index('<div class="answer')
    answer = html[start:html.index("</div>", start)]
    leaves = re.findall(r"<m[ion][^>]*>([^<]+)</m[ion]>", answer)
    # 2x(σ(wx) − y)σ(wx)(1 − σ(wx)): the tidy order of the steps, never "(−y + σ(wx))".
    assert leaves[:2] == ["2", "x"]
    assert "&#x0002B;" not in answer and "+" not in leaves
