"""The chat app's callbacks, catalogue, rendering, document viewer and maintainers' actions, without a browser.

A real Assistant (Chroma in a tmp folder, extractive answerer) over a small corpus, with bag-of-words fake
embeddings. ``ui_assistant`` is shared with test_api.py and test_e2e_ui.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_md
from test_answering import BagOfWordsEmbedding

from programme_assistant.appdata.state import AppData
from programme_assistant.assistant import Assistant
from programme_assistant.config import Settings
from programme_assistant.errors import DocumentError
from programme_assistant.ingest.catalogue import is_acronym
from programme_assistant.ingest.corpus import corpus_file, safe_file_name
from programme_assistant.models import Answer
from programme_assistant.ui import build_ui, render
from programme_assistant.ui.chat import ChatController, Turn, filters_label, parse_filters
from programme_assistant.ui.maintainers import (
    TOP_LEVEL,
    CorpusEditor,
    add_and_sync,
    delete_and_sync,
    password_ok,
)
from programme_assistant.ui.viewer import render_text

XSS_TITLE = "Banner <script>alert('title')</script>"
XSS_TEXT = (
    "The hydrogen webinar banner showed <script>alert('x')</script> and <img src=x onerror=alert(1)> in its corner."
)


def write_ui_corpus(folder: Path) -> Path:
    write_md(
        folder,
        "guides/faq.md",
        "Newcomer FAQ",
        [
            "## Frequently asked questions",
            "### Who runs the exchange helpdesk?\n\nThe exchange helpdesk is run by EURADA for all regions.",
            "### When did the study visit to Japan happen?\n\nThe study visit to Japan took place in November 2022.",
            "### Is the strand still running?\n\nThe strand closed in November 2023 after four exchange meetings.",
        ],
        type="faq",
        date="2024-01-10",
    )
    write_md(
        folder,
        "guides/glossary.md",
        "Glossary",
        [
            "- **R2R** — Region-to-Region. The strand that linked six regions with five prefectures.",
            "- **FPI** — Service for Foreign Policy Instruments. It co-manages the programme.",
        ],
        type="guide",
        date="2023-05-01",
    )
    write_md(
        folder,
        "minutes/visit.md",
        "Study visit minutes",
        [
            "Group A went to Aichi and Hiroshima during the study visit.",
            "Group B went to Osaka and Oita during the study visit.",
        ],
        type="minutes",
        date="2022-11-18",
    )
    write_md(
        folder,
        "news/plenary.md",
        "Third plenary",
        ["The third plenary was held at Palau Robert in Barcelona in June 2023."],
        type="news",
        date="2023-06-09",
    )
    write_md(folder, "news/banner.md", XSS_TITLE, [XSS_TEXT], type="news", date="2023-04-27")
    write_md(
        folder,
        "press/nota.md",
        "Nota de premsa",
        ["La delegació japonesa va visitar Barcelona el juny de 2023 durant la visita de retorn."],
        type="news",
        date="2023-06-12",
        language="ca",
    )
    return folder


def ui_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "corpus_dir": tmp_path / "corpus",
        "index_dir": tmp_path / "index",
        "chunk_size": 300,
        "chunk_overlap": 60,
        "refusal_threshold": 0.3,
        "feedback_db": tmp_path / "feedback.sqlite",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def ui_assistant(tmp_path: Path, **overrides: object) -> Assistant:
    settings = ui_settings(tmp_path, **overrides)
    if not settings.corpus_dir.exists():
        write_ui_corpus(settings.corpus_dir)
    assistant = Assistant.from_settings(settings, embedder=BagOfWordsEmbedding())
    assert assistant.sync().ok
    return assistant


@pytest.fixture
def assistant(tmp_path) -> Assistant:
    return ui_assistant(tmp_path)


@pytest.fixture
def data(tmp_path) -> AppData:
    store = AppData.sqlite(tmp_path / "feedback.sqlite")
    yield store
    store.close()


@pytest.fixture
def feedback(data):
    return data.feedback


def final(steps: list) -> tuple:
    assert steps, "respond yielded nothing"
    return steps[-1]


# --- chat ------------------------------------------------------------------------------------------------
def test_respond_streams_then_shows_the_cited_answer_and_its_sources(assistant):
    controller = ChatController(assistant)
    steps = list(controller.respond("Which prefectures did Group B visit during the study visit?", [], []))
    assert len(steps) >= 2
    first_messages = steps[0][0]
    assert first_messages[-1]["role"] == "assistant" and "pa-pending" in first_messages[-1]["content"]
    messages, turns, sources, box = final(steps)
    assert box == "" and [m["role"] for m in messages] == ["user", "assistant"]
    answer = turns[0].answer
    assert not answer.refused and "Osaka" in answer.text and answer.citations
    assert 'class="pa-ref"' in messages[1]["content"]
    cited = answer.citations[0]
    assert f'href="{render.esc(render.viewer_url(cited.doc_id, cited.quote_start, cited.quote_end))}"' in sources
    assert f"<mark>{render.esc(cited.quote)}</mark>" in sources
    assert "Open document" in sources and render.esc(cited.title) in sources


def test_follow_up_uses_the_conversation_and_new_chat_forgets_it(assistant):
    controller = ChatController(assistant)
    messages, turns, _, _ = final(
        list(controller.respond("Which prefectures did Group A visit during the study visit?", [], []))
    )
    messages, turns, _, _ = final(list(controller.respond("And Group B?", messages, turns)))
    follow = turns[1].answer
    assert len(messages) == 4 and turns[1].history == [(turns[0].answer.question, turns[0].answer.text)]
    assert follow.standalone_question != follow.question and "Osaka" in follow.text
    assert controller.new_chat() == ([], [], render.sources_html(None), "")


def test_refusal_says_so_and_lists_the_nearest_documents(tmp_path):
    assistant = ui_assistant(tmp_path, refusal_threshold=0.6)
    messages, turns, sources, _ = final(
        list(ChatController(assistant).respond("How do I bake sourdough bread?", [], []))
    )
    answer = turns[0].answer
    assert answer.refused
    assert "I could not find this in the programme documents." in messages[1]["content"]
    assert "pa-refused" in messages[1]["content"] and "No source answers this" in sources
    assert answer.nearest
    for doc in answer.nearest:
        assert render.esc(doc["title"]) in messages[1]["content"]


def test_a_question_to_an_index_that_holds_no_documents_says_to_ingest_first(tmp_path):
    settings = ui_settings(tmp_path)
    assistant = Assistant.from_settings(settings, embedder=BagOfWordsEmbedding())  # never synced
    messages, turns, sources, _ = final(
        list(ChatController(assistant).respond("Which prefectures did Group B visit?", [], [])))
    assert not turns and "holds no documents" in messages[1]["content"]
    assert "programme-assistant ingest" in messages[1]["content"]
    assert "I could not find this" not in messages[1]["content"]
    write_ui_corpus(settings.corpus_dir)
    assert assistant.sync().ok  # once synced, the same question is answered
    _, turns, _, _ = final(list(ChatController(assistant).respond("Which prefectures did Group B visit?", [], [])))
    assert turns and not turns[0].answer.refused


def test_document_and_model_text_is_shown_never_run(assistant):
    messages, turns, sources, _ = final(
        list(ChatController(assistant).respond("What did the hydrogen webinar banner show in its corner?", [], []))
    )
    answer = turns[0].answer
    assert any(c.doc_id == "news/banner.md" for c in answer.citations)
    html = messages[1]["content"] + sources
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    question = render.question_html("<img src=x onerror=alert(1)>")
    assert "<img" not in question and "&lt;img" in question


def test_filters_restrict_the_sources_and_bad_dates_are_explained(assistant):
    controller = ChatController(assistant)
    *_, (messages, turns, _, _) = controller.respond("Where was the third plenary held?", [], [], ["minutes"])
    assert all(c.doc_type == "minutes" for c in turns[0].answer.citations)
    *_, (messages, turns, _, box) = controller.respond(
        "Where was the third plenary held?", [], [], None, None, "2023-12-01", "2023-01-01"
    )
    assert turns == [] and "pa-error" in messages[-1]["content"] and "swap the two dates" in messages[-1]["content"]
    assert box == "Where was the third plenary held?"  # kept, so it can be asked again
    assert parse_filters(["news"], ["ca"], "2023-01-01 00:00:00", None).date_from == "2023-01-01"
    with pytest.raises(Exception, match="not a date"):
        parse_filters(None, None, "yesterday", None)


def test_the_filters_label_says_what_is_active():
    assert filters_label(None, [], None, "") == "Filters"
    assert filters_label(["report", "news"], None, "2023-01-01 00:00:00", None) == (
        "Filters (3 active: report, news · from 2023-01-01)")
    assert filters_label(None, ["ca"], None, "2024-06-30") == "Filters (2 active: ca · to 2024-06-30)"
    many = filters_label(["guide", "minutes", "news", "report", "faq"], ["en", "es", "it"], "2022-01-01", "2025-12-31")
    assert many.startswith("Filters (10 active: guide, minutes") and many.endswith("…)") and len(many) < 80


def test_empty_and_overlong_questions(assistant):
    controller = ChatController(assistant)
    assert final(list(controller.respond("   ", [], [])))[0] == []
    *_, (messages, turns, _, _) = controller.respond("x" * (assistant.settings.max_question_chars + 1), [], [])
    assert turns == [] and "PA_MAX_QUESTION_CHARS" in messages[-1]["content"]


def test_library_errors_become_a_message_in_the_chat(assistant, monkeypatch):
    from programme_assistant.errors import StoreError

    def broken(*args, **kwargs):
        raise StoreError("the index cannot be read", "run programme-assistant ingest")
        yield  # pragma: no cover

    monkeypatch.setattr(assistant, "ask_stream", broken)
    *_, (messages, turns, _, _) = ChatController(assistant).respond("Anything?", [], [])
    assert turns == [] and "the index cannot be read" in messages[-1]["content"]
    assert "run programme-assistant ingest" in messages[-1]["content"]


def test_clicking_a_message_shows_that_answers_sources(assistant):
    controller = ChatController(assistant)
    messages, turns, _, _ = final(list(controller.respond("Where was the third plenary held?", [], [])))
    messages, turns, _, _ = final(list(controller.respond("Which prefectures did Group A visit?", messages, turns)))
    first_sources = controller.sources_for(turns, 1)
    assert render.esc(turns[0].answer.citations[0].quote) in first_sources
    assert controller.sources_for(turns, 2) == controller.sources_for(turns, 3)  # question -> its answer


# --- feedback from the chat --------------------------------------------------------------------------------
def test_thumbs_store_the_answer_with_its_context_and_the_reason(assistant, data, feedback):
    controller = ChatController(assistant, data)
    messages, turns, _, _ = final(list(controller.respond("Where was the third plenary held?", [], [], ["news"])))
    ask_reason, answer_id, _ = controller.vote(turns, 1, False)
    assert ask_reason and answer_id == turns[0].answer_id
    assert controller.give_reason(answer_id, "incomplete", "It misses the date") != ""
    (record,) = feedback.records()
    assert (record.vote, record.reason, record.comment) == ("down", "incomplete", "It misses the date")
    assert record.question == "Where was the third plenary held?" and record.answer == turns[0].answer.text
    assert record.citations[0]["doc_id"] == turns[0].answer.citations[0].doc_id
    assert record.filters["doc_types"] == ["news"] and record.settings["refusal_threshold"] == 0.3
    assert controller.vote(turns, 1, True) == (False, "", "Thanks for the feedback.")
    assert [(r.vote, r.reason) for r in feedback.records()] == [("up", "")]
    controller.vote(turns, 1, None)  # clicked again: taken back
    assert feedback.records() == []
    assert controller.vote(turns, 7, True) == (False, "", "")  # not an answer


# --- welcome panel, glossary, timeline, overview ----------------------------------------------------------
def test_starter_questions_come_from_the_corpus_faq_or_settings(assistant):
    starters = assistant.starter_questions([], 2)
    faq = (Path(assistant.settings.corpus_dir) / "guides/faq.md").read_text()
    assert len(starters) == 2 and all(f"### {q}" in faq for q in starters)
    assert assistant.starter_questions([], 10) == [
        "Who runs the exchange helpdesk?",
        "When did the study visit to Japan happen?",
        "Is the strand still running?",
    ]
    assert assistant.starter_questions(["Mine?"], 4) == ["Mine?"]
    assert assistant.starter_questions([], 0) == []


def test_starter_questions_fall_back_to_the_glossary(tmp_path):
    corpus = tmp_path / "corpus"
    write_ui_corpus(corpus)
    (corpus / "guides/faq.md").unlink()
    assistant = ui_assistant(tmp_path)
    assert assistant.starter_questions([], 4) == ["What does R2R stand for?", "What does FPI stand for?"]


def test_catalogue_lists_documents_glossary_timeline_and_counts(assistant):
    docs = assistant.documents()
    assert len(docs) == 6 and docs[0].date == "2024-01-10" and all(d.status == "indexed" for d in docs)
    glossary = assistant.glossary()
    assert [g.term for g in glossary] == ["FPI", "R2R"] and glossary[1].meaning == "Region-to-Region"
    assert [g.term for g in assistant.glossary("foreign policy")] == ["FPI"]
    assert [is_acronym(t) for t in ["DG REGIO", "CoP", "Clust-ER", "S3", "IURC2", "Online",
                                              "European Commission", "In the room"]] == [True] * 5 + [False] * 3
    dates = [d.date for d in assistant.timeline()]
    assert dates == sorted(dates)
    overview = assistant.overview()
    assert overview.documents == 6 and overview.by_type == {"news": 3, "guide": 1, "minutes": 1, "faq": 1}
    assert ("2023", "news", 3) in overview.by_year_and_type and overview.by_language["ca"] == 1
    assert overview.first_date == "2022-11-18" and overview.last_sync
    choices = assistant.filter_choices()
    assert "news" in choices.doc_types and choices.languages == ["ca", "en"]


def test_library_tables_and_plots(assistant):
    from programme_assistant.ui.library import glossary_table, stats_html, timeline_frame, year_type_frame

    assert list(glossary_table(assistant)["Acronym"]) == ["FPI", "R2R"]
    frame = timeline_frame(assistant)
    assert len(frame) == 6 and str(frame["date"].dtype).startswith("datetime64")
    assert year_type_frame(assistant)["documents"].sum() == 6
    stats = stats_html(assistant)
    assert "<b>6</b><span>documents</span>" in stats and "&lt;script" not in stats  # no titles in the stats


def test_the_whole_ui_builds(assistant, data):
    import gradio as gr

    demo = build_ui(assistant, data)
    assert isinstance(demo, gr.Blocks)
    names = {getattr(b, "label", None) for b in demo.blocks.values()}
    assert {"Chat", "Glossary", "Timeline", "Overview", "Documents"} <= names


# --- rendering and the document viewer -----------------------------------------------------------------------
def test_answer_html_links_each_marker_to_its_sentence():
    from programme_assistant.models import Citation

    c = Citation(
        1,
        "c1",
        "minutes/a b.md",
        "T & <i>",
        "2023-01-02",
        "minutes",
        "S",
        3,
        "x.pdf",
        None,
        "Intro. The quote here. Outro.",
        "The quote here.",
        40,
        55,
    )
    html = render.answer_html(Answer(question="q", text="Claim one [1]. Unknown [7].", citations=[c]))
    assert 'href="documents/view/minutes/a%20b.md?start=40&amp;end=55#quote"' in html
    assert "[7]" in html and "T &amp; &lt;i&gt;" in html and "\n" not in html
    assert render.passage_html(c.passage, c.quote) == "Intro. <mark>The quote here.</mark> Outro."
    assert render.file_url("reports/x.pdf", 3) == "documents/file/reports/x.pdf#page=3"


def test_an_answer_read_with_the_conversation_says_what_was_searched():
    """A question on a new subject that the rewriter read as a follow-up shows what it searched for, so that the
    user sees why the answer is about the subject before, and how to ask again; one searched as asked shows nothing."""
    carried = Answer(question="What were the 2023 webinars?", text="Group A went to Aichi [1].",
                     standalone_question="What were the 2023 webinars? (prefectures <group_a> visit)")
    html = render.answer_html(carried)
    assert 'class="pa-readas"' in html and "What were the 2023 webinars? (prefectures &lt;group_a&gt; visit)" in html
    assert "new conversation" in html
    refused = Answer(question="And its budget?", text="I could not find this in the programme documents.",
                     refused=True, standalone_question="And its budget? (kyoto office)")
    assert "(kyoto office)" in render.answer_html(refused)
    for plain in (Answer(question="Who leads WG3?", text="Lisbon leads it [1].", standalone_question="Who leads WG3?"),
                  Answer(question="Who leads WG3?", text="Lisbon leads it [1].")):
        assert "pa-readas" not in render.answer_html(plain)


def test_a_refusal_in_another_language_shows_the_nearest_documents_once_as_links():
    nearest = [{"doc_id": "guides/glossary.md", "title": "Glossary", "date": "2025-11-10"}]
    for text in ("I could not find this in the programme documents. The nearest documents are: Glossary (2025-11-10).",
                 "Das habe ich in den Programmdokumenten nicht gefunden. Die nächstliegenden Dokumente sind: Glossary "
                 "(2025-11-10).",
                 "プログラムの文書には見つかりませんでした。 最も近い文書: Glossary (2025-11-10)."):
        html = render.answer_html(Answer(question="?", text=text, refused=True, nearest=nearest))
        assert html.count("Glossary") == 1 and "pa-nearest" in html and text.split(" ")[0] in html


def test_render_text_escapes_and_highlights_the_span():
    text = "# Title <b>\n\nFirst sentence. The <script>quoted</script> one.\n\nLast."
    start = text.index("The <script>")
    end = text.index(" one.") + len(" one.")
    html = render_text(text, start, end)
    assert "<h2>Title &lt;b&gt;</h2>" in html
    assert '<mark id="quote">The &lt;script&gt;quoted&lt;/script&gt; one.</mark>' in html
    assert "<script>" not in html and render_text(text, 5, 10_000).count("<mark") == 0


def test_markdown_bold_is_shown_bold_never_as_asterisks():
    from programme_assistant.ui.render import passage_html

    passage = "- **Time:** 9:00-10:30 CEST\n- **Venue:** online <b>\n\n**Nota de prensa.** Euskadi ha recibido ..."
    shown = passage_html(passage, "**Venue:** online <b>")
    assert "<strong>Time:</strong> 9:00" in shown and "<mark><strong>Venue:</strong> online &lt;b&gt;</mark>" in shown
    assert "<strong>Nota de prensa.</strong> Euskadi" in shown and "**" not in shown
    cut = passage_html("**A long bold run cut by the quote** and the rest.", "cut by the quote** and the rest.")
    assert "**" not in cut and "<b>" not in cut
    page = render_text("**Time:** 9:00 and 2 * 3 = 6", 0, 5)
    assert "**" not in page and "2 * 3 = 6" in page


def test_a_hard_wrapped_paragraph_in_a_source_card_is_shown_as_one():
    from programme_assistant.ui.render import passage_html

    passage = ("Who takes part?\n\nThe working group is co-chaired by Desislava Ivanova, head of the Danube "
               "Projects Unit of Ruse, and\nPimchanok Srisuk of the River Port Division of Nong Khai Municipality. "
               "Its members are Ruse, Nong Khai,\nBratislava, Galati, Vientiane, Can Tho and Linz.\n- Low water\n"
               "- Ferries\n")
    quote = ("The working group is co-chaired by Desislava Ivanova, head of the Danube Projects Unit of Ruse, and\n"
             "Pimchanok Srisuk of the River Port Division of Nong Khai Municipality.")
    shown = passage_html(passage, quote)
    assert ("<mark>The working group is co-chaired by Desislava Ivanova, head of the Danube Projects Unit of Ruse, "
            "and Pimchanok Srisuk of the River Port Division of Nong Khai Municipality.</mark>") in shown
    assert "Its members are Ruse, Nong Khai, Bratislava" in shown
    assert shown.startswith("Who takes part?<br><mark>The working") and "Linz.<br>- Low water<br>- Ferries" in shown


def test_a_markdown_table_in_a_source_card_is_shown_as_rows_of_cells():
    from programme_assistant.ui.render import passage_html

    passage = ("| Stop | Prefectures | Host region |\n|---|---|---|\n| First stop | Kyoto, Oita | Ljubljana |\n"
               "| Third stop | Aichi, Kyoto | Basque Country <i> |")
    shown = passage_html(passage, "| Third stop | Aichi, Kyoto | Basque Country <i> |")
    assert "Stop · Prefectures · Host region<br>First stop · Kyoto, Oita · Ljubljana" in shown
    assert "<mark>Third stop · Aichi, Kyoto · Basque Country &lt;i&gt;</mark>" in shown
    assert "|" not in shown and "---" not in shown
    cut = passage_html("…(Italy) |\n| Third stop | Basque Country |", "| Third stop | Basque Country |")
    assert "|" not in cut and "(Italy)" in cut
    # the row after the quoted one starts its own line
    rows = passage_html("| A | 1 |\n| B | 2 |\n| C | 3 |", "| B | 2 |")
    assert rows == "A · 1<br><mark>B · 2</mark><br>C · 3"


def test_corpus_file_serves_only_indexed_files_inside_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "news").mkdir(parents=True)
    (corpus / "news/a.md").write_text("# A\n\ntext")
    (tmp_path / "secret.txt").write_text("secret")
    (corpus / "news/link.md").symlink_to(tmp_path / "secret.txt")
    known = {"news/a.md", "../secret.txt", "news/link.md", "/etc/passwd", "news/../../secret.txt"}
    assert corpus_file(corpus, "news/a.md", known) == (corpus / "news/a.md").resolve()
    for bad in [
        "../secret.txt",
        "news/link.md",
        "/etc/passwd",
        "news/../../secret.txt",
        "news/missing.md",
        "news/a.md\x00",
    ]:
        with pytest.raises(DocumentError):
            corpus_file(corpus, bad, known | {bad})
    with pytest.raises(DocumentError):
        corpus_file(corpus, "news/a.md", set())  # not in the index


# --- maintainers -------------------------------------------------------------------------------------------
def test_upload_syncs_only_the_new_file_and_delete_removes_it(assistant, tmp_path):
    editor = CorpusEditor(assistant, upload_root=tmp_path)
    upload = tmp_path / "incoming" / "2023-09-01 Field notes!.md"
    upload.parent.mkdir()
    upload.write_text("---\ntitle: Field notes\n---\n# Field notes\n\nThe delegation toured a tofu factory.\n")
    seen: list[tuple[int, int]] = []
    report, note = add_and_sync(editor, True, [str(upload)], "minutes", lambda d, t: seen.append((d, t)))
    assert report is not None and report.counts()["added"] == 1 and report.counts()["unchanged"] == 6
    assert "minutes/2023-09-01 Field notes_.md" in note and seen and seen[-1][0] == seen[-1][1]
    assert (Path(assistant.settings.corpus_dir) / "minutes/2023-09-01 Field notes_.md").exists()
    answer = assistant.ask("Which factory did the delegation tour?")
    assert answer.citations[0].doc_id == "minutes/2023-09-01 Field notes_.md"
    report, note = delete_and_sync(editor, True, "minutes/2023-09-01 Field notes_.md", True)
    assert report is not None and report.counts()["deleted"] == 1
    assert "minutes/2023-09-01 Field notes_.md" not in {d.doc_id for d in assistant.documents()}


def test_maintainer_actions_refuse_what_they_must(assistant, tmp_path):
    editor = CorpusEditor(assistant, upload_root=tmp_path)
    bad = tmp_path / "evil.exe"
    bad.write_bytes(b"MZ")
    report, note = add_and_sync(editor, True, [str(bad)], TOP_LEVEL)
    assert report is None and "unsupported file type" in note
    assert add_and_sync(editor, False, [str(bad)], TOP_LEVEL)[1].count("Unlock the tab first") == 1
    assert "not a folder of the corpus" in add_and_sync(editor, True, [str(bad)], "../outside")[1]
    assert "tick the box" in delete_and_sync(editor, True, "news/plenary.md", False)[1]
    assert "Unlock" in delete_and_sync(editor, False, "news/plenary.md", True)[1]
    assert "not a document of the index" in delete_and_sync(editor, True, "../../etc/passwd", True)[1]
    assert (Path(assistant.settings.corpus_dir) / "news/plenary.md").exists()
    assert safe_file_name("../../etc/passwd") == "passwd" and safe_file_name("..\\..\\x.md") == "x.md"
    assert safe_file_name("<img src=x>.md") == "_img src_x_.md"


def test_admin_password_is_checked_on_the_server(tmp_path):
    from pydantic import SecretStr

    settings = ui_settings(tmp_path, admin_password=SecretStr("s3cret"))
    assert password_ok(settings, "s3cret") and not password_ok(settings, "") and not password_ok(settings, "S3cret")
    assert password_ok(ui_settings(tmp_path), None)  # no password set: open


def test_turn_lookup():
    a = Answer(question="q", text="t")
    turns = [Turn("id1", 1, a, []), Turn("id2", 3, a, [])]
    assert ChatController.turn_at(turns, 2).answer_id == "id2"
    assert ChatController.turn_at(turns, 0).answer_id == "id1" and ChatController.turn_at(turns, 9) is None


def test_a_refusal_that_quotes_the_documents_links_its_quote():
    from programme_assistant.models import Citation

    passage = "In Aichi, the group was received by the Governor of Aichi Prefecture and saw hydrogen vehicles."
    cited = Citation(number=1, chunk_id="c1", doc_id="news/visit.md", title="Visit report", date="2022-12-01",
                     doc_type="news", section="Aichi", page=None, source_path="news/visit.md", url=None,
                     passage=passage, quote=passage, quote_start=0, quote_end=len(passage))
    answer = Answer(question="What is the name of the Governor of Aichi?", refused=True,
                    text="I could not find this in the programme documents. The documents give the office, not the "
                         f"person's name: {passage[:-1]} [1].", citations=[cited],
                    nearest=[{"doc_id": "news/visit.md", "title": "Visit report", "date": "2022-12-01"}])
    shown = render.answer_html(answer)
    assert "pa-refused" in shown and 'class="pa-ref"' in shown  # the [1] opens the quoted sentence
    sources = render.sources_html(answer)
    assert "No source answers this" in sources and "What they do say" in sources and "<mark>" in sources


def test_every_sentence_an_answer_cites_from_a_passage_is_highlighted_in_it():
    from programme_assistant.answering.citations import cited_sentences
    from programme_assistant.models import Answer, Citation
    from programme_assistant.ui.render import passage_html, sources_html

    passage = ("The regions identified possible areas of collaboration. These include hydrogen and life sciences. "
               "The visit ended in Kyoto.")
    lead = "The regions identified possible areas of collaboration."
    text = f"{lead[:-1]} [1]. These include hydrogen and life sciences [1]. Kyoto hosted it [2]."
    assert cited_sentences(text, 1) == [lead, "These include hydrogen and life sciences."]
    assert cited_sentences(text, 3) == []
    assert cited_sentences("Osaka hosted it [1, 3]. Oita too [3].", 3) == ["Osaka hosted it.", "Oita too."]
    c = Citation(1, "c1", "news/a.md", "A", None, "news", "", None, "news/a.md", None, passage, lead, 0, len(lead))
    html = sources_html(Answer(question="q", text=text, citations=[c]))
    assert (f"<mark>{lead}</mark> <mark>These include hydrogen and life sciences.</mark> The visit ended in Kyoto."
            in html)
    # a sentence not in the passage, or overlapping the quote, is not marked; without others, one highlight
    assert passage_html(passage, lead, also=["Not there.", lead[:20]]).count("<mark>") == 1
    assert passage_html(passage, lead) == f"<mark>{lead}</mark> These include hydrogen and life sciences. " \
                                          "The visit ended in Kyoto."


def test_a_trimmed_source_passage_starts_and_ends_at_whole_lines_or_sentences():
    import html
    import re

    from programme_assistant.ui.render import passage_html

    lines = [f"Group {i}: Aichi, Hiroshima, Osaka -> stop {i} of the return visit (IT)" for i in range(1, 12)]
    shown = html.unescape(re.sub(r"<br\s*/?>", "\n", passage_html("\n".join(lines), lines[6], window=120)))
    shown = [line for line in re.sub(r"<[^>]+>", "", shown).split("\n") if line]
    assert shown[0].startswith("…") and shown[0][1:] in lines  # a whole line after the ellipsis
    assert shown[-1].endswith("…") and shown[-1][:-1] in lines
    prose = " ".join(f"Sentence number {i} says something about the visit." for i in range(1, 30))
    quoted = "Sentence number 15 says something about the visit."
    text = html.unescape(re.sub(r"<[^>]+>", "", passage_html(prose, quoted, window=100)))
    assert text.startswith("…Sentence number ") and text.endswith("visit.…")
