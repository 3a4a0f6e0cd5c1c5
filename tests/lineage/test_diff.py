"""What a copy changed: paragraphs paired in order, changed words located, captions compared."""

from __future__ import annotations

from indexer import Caption
from indexer.lineage.diff import changed_words, diff_captions, diff_paragraphs

LEAD = [
    "The council approved the harbour budget on Monday after a long debate.",
    "Fishermen welcomed the decision, saying repairs were overdue.",
    "The mayor said work would start in spring.",
]


def changes(lead: list[str], copy: list[str]) -> list[str]:
    return [c.change for c in diff_paragraphs(lead, copy)]


def test_a_dropped_paragraph_is_removed_and_a_new_one_added() -> None:
    copy = [LEAD[0], LEAD[2], "Critics called the plan too costly for a small town."]
    assert changes(LEAD, copy) == ["same", "removed", "same", "added"]


def test_a_reworded_paragraph_marks_the_changed_words() -> None:
    copy = [LEAD[0].replace("Monday", "Tuesday"), LEAD[1], LEAD[2]]
    first = diff_paragraphs(LEAD, copy)[0]
    assert first.change == "reworded"
    assert [first.lead[s:e] for s, e in first.lead_changed] == ["Monday"]  # type: ignore[index]
    assert [first.copy[s:e] for s, e in first.copy_changed] == ["Tuesday"]  # type: ignore[index]
    assert first.copy_html().count("<mark>Tuesday</mark>") == 1


def test_marked_diff_html_escapes_the_text() -> None:
    lead, copy = "a b <c> d", "a b <x> d"
    spans = changed_words(lead, copy)
    assert [copy[s:e] for s, e in spans[1]] == ["<x>"]
    (row,) = diff_paragraphs([lead + " e f g"], [copy + " e f g"])
    assert row.copy_html() == "a b <mark>&lt;x&gt;</mark> d e f g"


def test_a_reordered_body_shows_moves_as_removed_and_added() -> None:
    got = changes(LEAD, [LEAD[2], LEAD[0], LEAD[1]])
    assert sorted(got) == ["added", "removed", "same", "same"]


def test_identical_bodies_are_all_same() -> None:
    assert changes(LEAD, LEAD) == ["same"] * 3


def test_captions_credit_and_text_changes() -> None:
    lead = [
        Caption("Boats in the harbour at dawn.", "Ann Lee/AP"),
        Caption("The mayor at the meeting.", "Ben Ko/AP"),
        Caption("A gull on the quay.", None),
    ]
    copy = [
        Caption("Boats in the harbour at dawn.", "Staff photographer"),
        Caption("The mayor speaking at the meeting.", "Ben Ko/AP"),
        Caption("A new photo of the bridge.", "Cy Ng"),
    ]
    got = [(c.change, c.lead.text if c.lead else None) for c in diff_captions(lead, copy)]
    assert got == [
        ("credit", lead[0].text),
        ("text", lead[1].text),
        ("added", None),
        ("removed", lead[2].text),
    ]
