"""The feedback store and the export of down-voted answers as draft eval cases (and its CLI command)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from programme_assistant.appdata.feedback import draft_case, export_drafts, settings_snapshot
from programme_assistant.cli import main
from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError
from programme_assistant.evaluation.cases import GoldenCase
from programme_assistant.models import Answer, Citation


def answer(question: str = "Where was the third plenary held?", refused: bool = False) -> Answer:
    c = Citation(
        1,
        "c1",
        "minutes/plenary.md",
        "Third plenary",
        "2023-06-09",
        "minutes",
        "Venue",
        None,
        "corpus/minutes/plenary.md",
        None,
        "The plenary was at Palau Robert.",
        "The plenary was at Palau Robert.",
        10,
        42,
    )
    return Answer(
        question=question,
        text="It was held at Palau Robert [1].",
        citations=[] if refused else [c],
        refused=refused,
        standalone_question=question,
    )


@pytest.fixture
def store(app_data):
    return app_data.feedback


def test_nothing_is_written_until_the_first_vote(tmp_path):
    from programme_assistant.appdata.state import AppData

    data = AppData.sqlite(tmp_path / "fb" / "feedback.sqlite")
    assert data.feedback.records() == [] and data.conversations.list("user:a") == []
    assert not (tmp_path / "fb").exists()


def test_vote_keeps_question_answer_citations_context_and_settings(store):
    settings = settings_snapshot(
        Settings(
            admin_password=SecretStr("hunter2-admin"),
            login_users=SecretStr("alice:hunter2-login"),
            llm_api_key=SecretStr("hunter2-key"),
        )
    )
    store.vote(
        "a1",
        "down",
        answer(),
        history=[("First?", "First answer.")],
        filters={"doc_types": ["minutes"]},
        settings=settings,
    )
    (r,) = store.records()
    assert (r.answer_id, r.vote, r.question, r.answer) == (
        "a1",
        "down",
        "Where was the third plenary held?",
        "It was held at Palau Robert [1].",
    )
    assert r.citations == [
        {
            "number": 1,
            "doc_id": "minutes/plenary.md",
            "title": "Third plenary",
            "date": "2023-06-09",
            "section": "Venue",
            "page": None,
            "quote": "The plenary was at Palau Robert.",
        }
    ]
    assert r.history == [["First?", "First answer."]] and r.filters == {"doc_types": ["minutes"]}
    assert r.settings["retrieval_k"] == 6
    assert not {"admin_password", "login_users", "llm_api_key"} & set(r.settings)
    assert "hunter2" not in repr(store.records())
    path = store.db.sqlite_path
    if path is not None:  # nothing in the file either (WAL included)
        assert all(b"hunter2" not in f.read_bytes() for f in path.parent.glob(path.name + "*"))


def test_voting_again_replaces_the_vote_and_reasons_belong_to_down_votes(store):
    store.vote("a1", "down", answer())
    assert store.set_reason("a1", "wrong source", " The venue is wrong ")
    assert (store.records()[0].reason, store.records()[0].comment) == ("wrong source", "The venue is wrong")
    store.vote("a1", "up", answer())
    (r,) = store.records()
    assert (r.vote, r.reason, r.comment) == ("up", "", "")
    assert not store.set_reason("a1", "incomplete")  # an up-vote takes no reason
    with pytest.raises(ConfigError):
        store.set_reason("a1", "because")
    with pytest.raises(ConfigError):
        store.vote("a2", "meh", answer())  # type: ignore[arg-type]
    store.vote("a2", "down", answer("Other?"))
    assert store.counts() == {"up": 1, "down": 1} and [r.answer_id for r in store.records("down")] == ["a2"]
    store.remove("a2")
    assert store.counts() == {"up": 1, "down": 0}


def test_draft_case_has_the_golden_shape_and_says_what_to_fill_in(store):
    store.vote("abcdef123456", "down", answer(), history=[("Which visit?", "The June one.")])
    store.set_reason("abcdef123456", "incomplete", "no date")
    case = draft_case(store.records()[0])
    assert case["question"] == "Where was the third plenary held?" and case["draft"] is True
    assert case["id"].startswith("fb-abcdef12-where-was-the-third-plenary")
    assert case["category"] == "follow_up" and case["history"] == ["Which visit?"]
    assert case["history_answers"] == ["The June one."]
    assert case["expected_doc_ids"] == ["minutes/plenary.md"] and case["required_facts"] == []
    assert "incomplete" in case["notes"] and "no date" in case["notes"] and "Palau Robert" in case["notes"]
    assert case["language"] == "en"
    fields = set(GoldenCase.model_fields)
    assert (
        fields <= set(case)
        and GoldenCase.model_validate({**{k: case[k] for k in fields}, "required_facts": ["Palau Robert"]}).id
        == case["id"]
    )


def test_wrong_source_drafts_do_not_trust_the_cited_documents(store):
    store.vote("x1", "down", answer())
    store.set_reason("x1", "wrong source")
    assert draft_case(store.records()[0])["expected_doc_ids"] == []


def test_export_writes_only_down_votes(store, tmp_path):
    store.vote("u", "up", answer("Liked?"))
    store.vote("d1", "down", answer("First bad?"))
    store.vote("d2", "down", answer("Second bad?", refused=True))
    out = tmp_path / "drafts" / "x.jsonl"
    count, _ = export_drafts(store.records(), out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert count == 2 and [c["question"] for c in lines] == ["First bad?", "Second bad?"]
    assert "refused" in lines[1]["notes"]


def test_cli_feedback_export(tmp_path, capsys):
    from programme_assistant.appdata.state import AppData

    data = AppData.sqlite(tmp_path / "fb.sqlite")
    data.feedback.vote("d1", "down", answer("Bad one?"))
    data.close()
    out = tmp_path / "out.jsonl"
    assert main(["feedback", "export", "--db", str(tmp_path / "fb.sqlite"), "--out", str(out)]) == 0
    assert "1 down-voted answer(s)" in capsys.readouterr().out
    assert json.loads(out.read_text())["question"] == "Bad one?"
    assert main(["feedback", "export", "--db", str(tmp_path / "fb.sqlite"), "--out", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["question"] == "Bad one?"
    assert main(["feedback", "export", "--db", str(tmp_path / "none.sqlite"), "--out", "-"]) == 0
    assert capsys.readouterr().out == ""
