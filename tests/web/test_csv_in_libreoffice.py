"""The attempts export opened in a real spreadsheet: LibreOffice Calc, headless.

The export is converted with ``soffice --convert-to xlsx`` (UTF-8 import, as a
person picks it in the import dialog) and the cells are read back from the
workbook: maths answers show exactly as typed (``-2x``, never ``'-2x``),
a formula a spreadsheet would run is not a formula in the workbook, and
numbers read as people write them. Skipped where LibreOffice is not installed
(Debian: ``apt-get install libreoffice-calc-nogui``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from service.extensions import db
from service.models import Learner
from service.usecases.dashboard import DashboardFilter, export_attempts_csv, export_mastery_csv
from tests.factories import make_attempt, make_conversation, make_course, make_instructor, make_learner, make_mastery
from tests.integration.conftest import *

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ANSWERS = ["-2x", "-sin(x)·2x", "+3u²", "-6(2x+1)^2", '=HYPERLINK("http://evil.example","click")',
           "@SUM(1+1)*cmd|' /C calc'!A0"]

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def open_in_calc(csv_text: str, folder: Path) -> tuple[list[list[str]], set[str]]:
    """The sheet's displayed text, row by row, and the cells that hold a formula."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "export.csv"
    source.write_text(csv_text, encoding="utf-8")
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                           "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(folder),
                           str(source)], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and (folder / "export.xlsx").exists(), done.stderr
    with zipfile.ZipFile(folder / "export.xlsx") as book:
        strings = [("".join(t.text or "" for t in si.iter(f"{SHEET}t")))
                   for si in ET.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{SHEET}si")]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows, formulas = [], set()
    for row in sheet.iter(f"{SHEET}row"):
        values: dict[int, str] = {}
        for cell in row.iter(f"{SHEET}c"):
            reference = cell.get("r") or ""
            value = cell.find(f"{SHEET}v")
            text = "" if value is None else value.text or ""
            values[_column(reference)] = strings[int(text)] if cell.get("t") == "s" else text
            if cell.find(f"{SHEET}f") is not None:
                formulas.add(reference)
        rows.append([values.get(i, "") for i in range(max(values, default=-1) + 1)])
    return rows, formulas


def _column(reference: str) -> int:
    """0-based column of a cell reference: A1 -> 0, AB7 -> 27."""
    number = 0
    for letter in re.match(r"[A-Z]+", reference).group(0):  # type: ignore[union-attr]
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def test_the_export_opens_in_libreoffice_as_the_dashboard_shows_it(app, tmp_path: Path) -> None:
    with app.app_context():
        session = db.session
        teacher = make_instructor(session)
        course = make_course(session, teacher.id)
        learner = make_learner(session, None, courses=(course.code,))
        stored = session.get(Learner, learner.id)
        stored.source, stored.source_host = "widget", "example.org"
        session.commit()
        conversation = make_conversation(session, learner.id, expression="e^(-x^2)")
        for answer in ANSWERS:
            make_attempt(session, conversation, correct=False, answer=answer)
        make_mastery(session, learner.id, "outer_derivative", 0.5999999999999999)
        flt = DashboardFilter(course_id=course.id)
        attempts = "".join(export_attempts_csv(session, teacher.id, flt))
        mastery = "".join(export_mastery_csv(session, teacher.id, flt))

    rows, formulas = open_in_calc(attempts, tmp_path / "attempts")
    header, body = rows[0], rows[1:]
    assert header[0] == "created_at", "the byte-order mark is not read as text"
    shown = {name: [row[header.index(name)] for row in body] for name in ("answer", "problem", "outcome", "learner")}
    assert shown["answer"][:4] == ["-2x", "-sin(x)·2x", "+3u²", "-6(2x+1)^2"]
    assert not formulas, f"cells run as formulas: {formulas}"
    assert all(answer.startswith("'") for answer in shown["answer"][4:])  # shown as text, not run
    assert set(shown["problem"]) == {"e^(-x^2)"} and set(shown["outcome"]) == {"in_progress"}
    assert re.fullmatch(r"Learner [0-9a-f]{6}, via widget on example\.org", shown["learner"][0])

    rows, _ = open_in_calc(mastery, tmp_path / "mastery")
    assert rows[1][rows[0].index("probability")] == "0.6"
