"""Our server-side MathML beside KaTeX, for ten expressions, in Chromium: one screenshot.

Not a test and not shipped: KaTeX comes from the npm registry only for this
comparison (``npm install katex@0.19.1`` in a folder of your choice)::

    KATEX_DIR=/tmp/katex/node_modules/katex python bench/maths_comparison.py

It writes ``test-artifacts/maths-comparison.png`` (and the page beside it) and
prints, per expression, the rendered width and height of each, so that the
two can be compared in numbers as well as by eye. What we ship and why is in
docs/maths-rendering.md.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service import calculus  # noqa: E402
from service.calculus.typeset import typed_latex  # noqa: E402
from service.content.render import MathSpan, render_math  # noqa: E402

# What learners meet: problems as typed, and results as the solver prints them.
TYPED = ["(2x+1)^3", "e^(-x^2)", "sin((3x)^2)", "sqrt(1-x^2)", "(sigmoid(w*x)-y)^2", "-2x/e^{x^2}",
         "ln(cos(x^3))"]
SOLVED = [("(sigmoid(w*x)-y)^2", "w"), ("sqrt(1+ln(cos(x^3)))", "x"), ("x*sin(x^2)", "x")]


def examples() -> list[tuple[str, str]]:
    """(what it is, LaTeX) for the ten expressions."""
    found = [(text, typed_latex(text)) for text in TYPED]
    for text, variable in SOLVED:
        solution = calculus.solve(text, variable=variable).to_dict()
        found.append((f"d/d{variable} {text}", solution["latex"]))
    return found


def page(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th scope='row'><code>{html.escape(label)}</code></th>"
        f"<td class='ours'>{render_math(MathSpan(latex, display=True, offset=0))}</td>"
        f"<td class='katex-cell' data-latex='{html.escape(latex, quote=True)}'></td></tr>"
        for label, latex in rows)
    return f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="katex.min.css"><script src="katex.min.js"></script>
<style>
 body {{ font: 15px system-ui, sans-serif; margin: 1rem; }}
 table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #ccc; padding: .4rem .8rem; text-align: left; }}
 math {{ font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "Noto Sans Math", math; font-size: 1.1em; }}
</style></head><body>
<h1>Server MathML (Chromium's own layout) beside KaTeX</h1>
<table><thead><tr><th>Expression</th><th>Ours: latex2mathml → MathML</th><th>KaTeX {json.dumps("0.19")}</th></tr></thead>
<tbody>{cells}</tbody></table>
<script>
document.querySelectorAll('.katex-cell').forEach((cell) =>
  katex.render(cell.dataset.latex, cell, {{ displayMode: true, throwOnError: false }}));
</script></body></html>"""


def main() -> None:
    katex = Path(os.environ.get("KATEX_DIR", "/tmp/katex/node_modules/katex")) / "dist"
    if not (katex / "katex.min.js").exists():
        sys.exit(f"KaTeX not found in {katex}: npm install katex, then set KATEX_DIR")
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    work = out / "maths-comparison"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(katex, work)
    (work / "index.html").write_text(page(examples()), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1100, "height": 900})
        tab.goto((work / "index.html").as_uri())
        tab.wait_for_function("() => document.querySelectorAll('.katex').length === 10")
        tab.screenshot(path=str(out / "maths-comparison.png"), full_page=True)
        sizes = tab.evaluate("""() => Array.from(document.querySelectorAll('tbody tr')).map((row) => {
            const ours = row.querySelector('.ours math').getBoundingClientRect();
            const theirs = row.querySelector('.katex-html').getBoundingClientRect();
            return [row.querySelector('th').textContent, Math.round(ours.width), Math.round(ours.height),
                    Math.round(theirs.width), Math.round(theirs.height)];
        })""")
        browser.close()
    print(f"{'expression':40} {'ours w×h':>10} {'KaTeX w×h':>10}")
    for label, ow, oh, kw, kh in sizes:
        print(f"{label:40} {ow:>5}×{oh:<4} {kw:>5}×{kh:<4}")


if __name__ == "__main__":
    main()
