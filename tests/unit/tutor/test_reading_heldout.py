"""The reading on a corpus written blind (tests/data/learner_messages_heldout.yaml).

The main corpus was written alongside the phrasings, so it measures a
ceiling. This one was written before its author read the phrasings; its
first measurement (80.5 %, in the file's header) is the estimate for
phrasings nobody tuned the tutor on. Its misreadings were then fixed by
rules and phrasing families, so it now guards those generalisations.

The floor is 90 % overall and 85 % per kind: the messages still misread
(about a dozen) are real ambiguities ("can u help" is help with the tutor
or with the problem) or maths in disguise ("could u do sqrt(x^2+4) for
me"); a change that loses a generalisation loses several messages at once
and falls below it. Below a floor the test lists every misreading.
"""

from __future__ import annotations

from collections import defaultdict

from service.tutor.reading import read
from tests.unit.tutor.corpus import HELD_OUT, load_corpus

REQUIRED_SHARE = 0.90
REQUIRED_SHARE_PER_KIND = 0.85


def test_the_held_out_corpus_is_large_written_blind_and_covers_every_kind():
    corpus = load_corpus(HELD_OUT)
    assert len(corpus) >= 200
    assert {item.kind for item in corpus} == {"by_intent", "requests", "answers", "questions"}
    assert len({item.intent for item in corpus}) >= 25
    header = HELD_OUT.read_text(encoding="utf-8").split("\nby_intent:")[0]
    assert "written BLIND" in header and "FIRST MEASUREMENT" in header


def test_at_least_90_percent_of_the_held_out_corpus_is_read_right_and_85_percent_of_each_kind():
    corpus = load_corpus(HELD_OUT)
    right: dict[str, list[bool]] = defaultdict(list)
    misread = []
    for item in corpus:
        problem = item.misreading(read(item.text))
        right[item.kind].append(problem is None)
        if problem is not None:
            misread.append(f"[{item.kind}] {problem}")
    share = 1 - len(misread) / len(corpus)
    shares = {kind: sum(oks) / len(oks) for kind, oks in right.items()}
    listing = "\n".join(misread)
    assert share >= REQUIRED_SHARE, f"{share:.1%} read right ({len(misread)} of {len(corpus)}):\n{listing}"
    weak = {kind: f"{value:.1%}" for kind, value in shares.items() if value < REQUIRED_SHARE_PER_KIND}
    assert not weak, f"kinds below {REQUIRED_SHARE_PER_KIND:.0%}: {weak}\n{listing}"
