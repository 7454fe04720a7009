"""Citation parsing, the extractive answerer, follow-up rewriting and the Assistant (fake embeddings)."""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np
import pytest
from conftest import make_extractive_config, make_search, make_sync, write_md
from langchain_core.embeddings import Embeddings

from programme_assistant.answering.citations import resolve
from programme_assistant.answering.extractive import ExtractiveAnswerer
from programme_assistant.answering.prompts import NEAREST_DOCUMENTS, REFUSAL_IN, REFUSAL_TEXT, refusal_text
from programme_assistant.answering.rewrite import ContextualRewriter, names_in, nth_named
from programme_assistant.assistant import Assistant
from programme_assistant.models import Answer, Chunk, RetrievedChunk
from programme_assistant.text.sentences import content_words, fold


class BagOfWordsEmbedding(Embeddings):
    """A tiny deterministic 'semantic' embedding: hashed bag of content words, normalised."""

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(64, dtype=np.float32)
        for w in content_words(fold(text)):
            v[zlib.crc32(w.encode()) % 64] += 1.0  # stable across processes, unlike hash()
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def passage(i: int, text: str, doc_id: str | None = None, start: int = 100) -> RetrievedChunk:
    return RetrievedChunk(chunk=Chunk(f"c{i}", doc_id or f"d{i}.md", text, start, start + len(text), 0, ("S",)),
                          title=f"Title {i}", date="2022-11-18", doc_type="minutes", language="en", source_path="-")


def test_resolve_maps_renumbers_and_removes_dangling_markers():
    ps = [passage(1, "Intro text here. Group B went to Osaka and Oita. Then Kyoto."),
          passage(2, "The meeting was held at Palau Robert in Barcelona.")]
    r = resolve("The meeting was at Palau Robert [2]. Group B went to Osaka and Oita. [1][9] Cats fly [1].", ps)
    assert r.text == "The meeting was at Palau Robert [1]. Group B went to Osaka and Oita [2]. Cats fly [2]."
    assert [(c.number, c.doc_id) for c in r.citations] == [(1, "d2.md"), (2, "d1.md")]
    group_b = r.citations[1]
    assert group_b.quote == "Group B went to Osaka and Oita."
    assert (group_b.quote_start, group_b.quote_end) == (100 + 17, 100 + 17 + len(group_b.quote))
    assert r.unsupported == ["Cats fly."]


def test_extractive_answer_cites_the_sentence_it_used():
    ps = [passage(1, "The study visit had two groups. Group B went to Osaka and Oita in November 2022."),
          passage(2, "Expo 2025 was held on Yumeshima island from April to October 2025.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.3))
    answer = answerer.answer("Which prefectures did Group B go to?", ps)
    assert not answer.refused and "Osaka and Oita" in answer.text and "[1]" in answer.text
    assert answer.citations[0].quote == "Group B went to Osaka and Oita in November 2022."
    assert answer.citations[0].doc_id == "d1.md" and answer.unsupported == []


def test_extractive_refuses_below_threshold_and_lists_nearest():
    ps = [passage(1, "The delegation visited hydrogen plants in Aichi and Oita."),
          passage(2, "Webinars covered food tech and advanced air mobility.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config())
    answer = answerer.answer("How do I bake sourdough bread at home?", ps)
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT) and not answer.citations
    assert [d["doc_id"] for d in answer.nearest] == ["d1.md", "d2.md"]


def test_a_refusal_is_written_in_the_question_s_language_when_the_prompts_have_it():
    ps = [passage(1, "The delegation visited hydrogen plants in Aichi and Oita."),
          passage(2, "Webinars covered food tech and advanced air mobility.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config())
    spanish = answerer.answer("¿Cómo se hace el pan de masa madre en casa con harina integral?", ps)
    sentence, lead = REFUSAL_IN["es"]
    assert spanish.refused and spanish.text.startswith(f"{sentence} {lead} Title 1")
    assert [d["doc_id"] for d in spanish.nearest] == ["d1.md", "d2.md"]
    # English, and a language without its own refusal, read the English one
    assert refusal_text("en") == refusal_text(None) == refusal_text("tlh") == (REFUSAL_TEXT, NEAREST_DOCUMENTS)
    assert all(s.endswith((".", "。")) and lead.endswith(":") for s, lead in REFUSAL_IN.values())


def test_extractive_shows_both_versions_when_sources_differ():
    ps = [passage(1, "The study visit to Japan took place from 13 to 19 November 2022.", "a.md"),
          passage(2, "The study visit to Japan took place from 14 to 18 November 2022.", "b.md")]
    answer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.3)).answer(
        "When did the study visit to Japan take place?", ps)
    assert "sources differ" in answer.text and "13 to 19" in answer.text and "14 to 18" in answer.text
    assert {c.doc_id for c in answer.citations} == {"a.md", "b.md"}


def test_contextual_rewriter_carries_the_subject():
    r = ContextualRewriter()
    history = [("Which prefectures did Group A visit during the study visit?", "Aichi and Hiroshima [1].")]
    rewritten = r.rewrite("And Group B?", history)
    assert rewritten.startswith("And Group B?") and "prefectures" in rewritten and "study" in rewritten
    assert r.rewrite("Who opened the hydrogen webinar in April 2023?", history) == \
        "Who opened the hydrogen webinar in April 2023?"
    assert r.rewrite("When was it held?", []) == "When was it held?"


def test_contextual_rewriter_keeps_conversations_apart_and_chains_within_one():
    r = ContextualRewriter()
    # user A's conversation, rewritten first
    a_history = [("When was the Keihanna exchange meeting?", "18 November 2022 [1].")]
    assert "keihanna" in r.rewrite("Where was it?", a_history).lower()
    # user B asks the same follow-up after another first question: nothing of A's conversation comes in
    b_history = [("When was the Palau Robert plenary?", "9 June 2023 [1].")]
    b = r.rewrite("Where was it?", b_history).lower()
    assert "palau" in b and "keihanna" not in b
    # B's conversation starts with the very follow-up A asked: it is not read with A's subject
    r.rewrite("Who chaired it?", [*a_history, ("Where was it?", "In Keihanna [1].")])
    assert "keihanna" not in r.rewrite("And who chaired it?", [("Where was it?", "...")]).lower()
    # the same words as A's first question, later in B's conversation: B's own chain decides
    chain = [("Which prefectures did Group A visit during the study visit?", "..."), ("And Group B?", "...")]
    third = r.rewrite("And Group C?", chain)
    assert "prefectures" in third and "study" in third
    assert not vars(r).get("_standalone")  # no state kept between calls


def test_assistant_end_to_end_with_follow_up_and_timings(settings, corpus):
    write_md(corpus, "minutes/visit.md", "Study visit", [
        "Group A went to Aichi and Hiroshima during the study visit.",
        "Group B went to Osaka and Oita during the study visit."])
    write_md(corpus, "minutes/plenary.md", "Plenary", ["The third plenary was held at Palau Robert in Barcelona."])
    embedder = BagOfWordsEmbedding()
    sync = make_sync(settings, embedder)
    assistant = Assistant(settings, make_search(sync.store, generation=lambda: sync.manifest.get_meta("last_sync")),
                          ExtractiveAnswerer(embedder, make_extractive_config(refusal_threshold=0.3)),
                          ContextualRewriter(), sync)
    assert assistant.sync().ok
    first = assistant.ask("Which prefectures did Group A visit on the study visit?")
    assert "Aichi" in first.text and first.citations[0].doc_id == "minutes/visit.md"
    follow = assistant.ask("And Group B?", history=[(first.question, first.text)])
    assert "Osaka" in follow.text and follow.standalone_question != follow.question
    assert set(follow.timings) >= {"rewrite", "retrieve", "answer", "total"}
    pieces = list(assistant.ask_stream("Where was the third plenary held?"))
    assert isinstance(pieces[-1], Answer) and all(isinstance(p, str) for p in pieces[:-1])
    assert "Palau Robert" in pieces[-1].text and pieces[-1].to_dict()["retrieved"]


# --- candidates, question analysis and the extractive rules added for answer quality ---------------------

from programme_assistant.answering.candidates import passage_candidates, unwrapped  # noqa: E402
from programme_assistant.answering.question import QuestionFocus, analyse, answer_signal  # noqa: E402
from programme_assistant.answering.refusal import (  # noqa: E402
    leaves_open,
    mentions_ordinal,
    named_ordinals,
    named_years,
    person_names,
    states_absence,
)
from programme_assistant.config import Settings  # noqa: E402
from programme_assistant.text.sentences import sentence_spans  # noqa: E402


def test_candidates_cover_fields_tables_lists_and_skip_headings_and_questions():
    text = ("# Minutes: First Exchange Meeting\n\n- **Date:** Wednesday 13 July 2022\n"
            "- **Time:** 9:00-10:30 CEST (16:00-17:30 JST)\n\n## 2. Speakers\n\n"
            "Three organisations gave presentations:\n\n| Organisation | Territory |\n|---|---|\n"
            "| SEMMARIS | Val d'Oise (France) |\n| AZTI | Basque Country (Spain) |\n\n"
            "3. Follow-up\n\nThe discussion confirmed these topics:\n\n- Hydrogen and clean energy\n"
            "- Food tech and tourism\n\nWhat data does the centre collect?\n")
    cands = passage_candidates(1, text, "Minutes")
    texts = [c.text for c in cands]
    assert "Time: 9:00-10:30 CEST (16:00-17:30 JST)." in texts  # a key-value line, short as it is
    assert "Organisation: SEMMARIS; Territory: Val d'Oise (France)." in texts  # a row, read with its header
    whole = next(c for c in cands if c.kind == "list" and "SEMMARIS" in c.text)
    assert whole.text.startswith("Three organisations gave presentations:") and "AZTI" in whole.text
    topics = next(c for c in cands if c.text == "Hydrogen and clean energy.")
    assert topics.kind == "item" and "Follow-up" in topics.context and "confirmed" in topics.context
    assert not any(t.startswith(("3.", "Follow-up", "Minutes")) or t.endswith("?") for t in texts)


def test_a_table_right_after_another_reads_its_own_header_not_as_a_row_of_the_first():
    # a table carried over a page break repeats its header: two tables, one after the other
    text = ("The delegation was split at each stop:\n\n| Stop | Prefectures | Host region |\n|---|---|---|\n"
            "| First | Aichi, Osaka | Emilia-Romagna |\n\n| Stop | Prefectures | Host region |\n|---|---|---|\n"
            "| First | Kyoto, Oita | Ljubljana Urban Region |\n| Second | Aichi | Auvergne-Rhône-Alpes |\n")
    rows = [c.text for c in passage_candidates(1, text, "Return visit") if c.kind == "row"]
    assert rows == ["Stop: First; Prefectures: Aichi, Osaka; Host region: Emilia-Romagna.",
                    "Stop: First; Prefectures: Kyoto, Oita; Host region: Ljubljana Urban Region.",
                    "Stop: Second; Prefectures: Aichi; Host region: Auvergne-Rhône-Alpes."]


def test_question_analysis():
    assert analyse("When was Casa Asia set up?").expects == "date"
    assert analyse("What were the exact dates of the visit?").expects == "date"
    assert analyse("Over which years did the programme run?").expects == "date"
    assert analyse("What happened the day after?").expects != "date"  # asks for an event
    assert analyse("What time did the meeting start?").expects == "time"
    assert analyse("How long were the presentations meant to be?").expects == "duration"
    assert analyse("¿Cuántas personas formaban la delegación?").expects == "count"
    assert analyse("In which building was it held?").expects == "place"
    # "when" / "where" after another question word, or in a yes-or-no question, says which occasion or place the
    # question is about and asks for no date or place; opening a question or one of its parts, it asks for one
    assert analyse("How should I refer to a paper when I cite it?").expects != "date"
    assert analyse("What did the director say when she opened the session?").expects != "date"
    assert analyse("Did they see the harbour when they were in Lisbon?").expects != "date"
    assert analyse("Who chaired the board, and when?").expects == "date"
    assert analyse("Who gets the keys and by when?").expects == "date"
    assert analyse("Qui va fundar l'associació i quan?").expects == "date"
    assert analyse("So where did the council meet?").expects == "place"
    assert analyse("People keep mentioning KICK. What is it?").term == "KICK"
    # a name of several words said before, and an adverb between "what" and "is": still the thing asked about
    assert analyse("Everyone in the office talks about the Palau Robert. What exactly is it?").term == "Palau Robert"
    assert analyse("What actually is BIOCAT?").term == "BIOCAT"
    assert analyse("What exactly were the 2023 webinars?").term is None  # a plural of common words asks which
    assert analyse("What does S3 stand for in these documents?").term == "S3"
    assert analyse("What does that acronym stand for?").term is None
    # the term of a question of several parts is in its first part; a plural of common words asks "which"
    assert analyse("What is Keihanna and why does it matter?").term == "Keihanna"
    assert analyse("What were the 2023 webinars?").term is None
    assert analyse("What are the SDGs?").term == "SDGs" and analyse("What is open pairing?").term == "open pairing"
    # something of a thing is asked about, not what a term means; a name with "of" stays a term
    assert analyse("What was EURADA's job in the R2R cooperation?").term is None
    assert analyse("What is the role of Casa Asia?").term is None
    assert analyse("What is Article 25 of the SPA?").term == "Article 25 of the SPA"
    assert analyse('What does "city-to-city strand" mean?').term == "city-to-city strand"
    fee = analyse("Was there a fee to sign up?")
    assert fee.expects == "money" and fee.yes_no
    assert not analyse("Can you summarise the clauses of the memorandum?").yes_no  # a request
    assert named_years("I read it was in 2012. When was it in 2023?") == {"2023"}


def test_answer_signal_wants_what_the_question_does_not_already_say():
    when = analyse("When did the November 2022 visit start?")
    assert answer_signal(when, "The visit started on 13 November 2022.", "When did the November 2022 visit start?")
    assert not answer_signal(when, "The visit of November 2022 was a success.",
                             "When did the November 2022 visit start?")
    people = QuestionFocus("counted")
    q = "How many people attended the webinar?"
    assert answer_signal(people, "About 120 people attended.", q) == 1.0
    assert answer_signal(people, "Three organisations spoke on 24 May 2023.", q) == 0.0
    kick = analyse("What is KICK?")
    assert answer_signal(kick, "KICK — Keihanna Open Innovation Center. A hub.", "What is KICK?") == 1.0
    assert answer_signal(kick, "The group visited KICK on Friday.", "What is KICK?") == 0.0


def test_absence_statements():
    assert states_absence("No overall budget figure has been published for the strand.")
    assert states_absence("The agreement was still to be signed at the time of writing.")
    assert states_absence("Any conclusions will be communicated by the two administrations.")
    assert not states_absence("Participants do not need to cover all three themes.")
    assert not states_absence("Group A was received by the Governor of Aichi.")


def test_a_matter_left_open_in_other_words_than_the_sample_corpus_s():
    # sentences of the kind other programmes write (none is from corpus/), read for the learned refusal's features
    for text in ("Whether the contract will be renewed for a second phase has not been decided.",
                 "The next webinar is planned for May; its exact date has not been fixed.",
                 "Next meeting: spring 2026, venue to be confirmed.",
                 "The mayor could not give a figure because the works were paid over several years.",
                 "No budget for the extension has been set.",
                 "The long-term effects will only be possible to assess after the project ends.",
                 "Who will chair the network after 2025 remains open.",
                 "No overall budget figure has been published for the strand."):  # states_absence's too
        assert leaves_open(text), text
    for text in ("The network was set up in 2019 and met on 5th February.",
                 "The grant was set at EUR 20,000 per city last year.",
                 "Participants do not need to cover all three themes.",
                 "The board decided to extend the call to 30 June.",
                 "Koch's second postulate was confirmed in the 2008-2009 season."):
        assert not leaves_open(text), text


def test_a_question_about_two_items_of_a_series_quotes_each():
    """"Where were the third and the fourth meetings held?" asks where each was held: the answer quotes the best
    statement about the third as well as the one about the fourth, though they are in different documents."""
    ps = [passage(1, "The fourth exchange meeting was held at Europa House in Tokyo, with participants online.",
                  doc_id="minutes/fourth.md"),
          passage(2, "Lunch was served after the meeting. The third exchange meeting took place at Palau Robert.",
                  doc_id="minutes/third.md"),
          passage(3, "The helpdesk circulated the agenda of each exchange meeting a week before it.",
                  doc_id="guides/faq.md")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.1))
    answer = answerer.answer("Where were the third and the fourth exchange meetings held?", ps)
    assert "Europa House" in answer.text and "Palau Robert" in answer.text, answer.text
    alone = answerer.answer("Where was the fourth exchange meeting held?", ps)
    assert "Palau Robert" not in alone.text, alone.text


def test_a_part_about_one_item_quotes_a_statement_about_that_item_or_none():
    """The part "where was the third meeting held?" scores the fourth meeting's "It was held at Europa House" best;
    it takes the statement whose passage is about the third instead, and adds nothing when no passage is."""
    from dataclasses import replace

    fourth = replace(passage(1, "It was held at Europa House in Tokyo, with participants in the room and online.",
                             doc_id="minutes/fourth.md"), title="Minutes of the fourth exchange meeting")
    third = replace(passage(2, "Venue: Palau Robert, Barcelona; hybrid format.", doc_id="minutes/third.md"),
                    title="Minutes of the third exchange meeting")
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.1))
    question = "Where were the third and the fourth exchange meetings held?"
    answer = answerer.answer(question, [fourth, third])
    assert "Europa House" in answer.text and "Palau Robert" in answer.text, answer.text
    first, _, _ = answerer.composition(question, [fourth])
    assert [s.text for s in first] == ["It was held at Europa House in Tokyo, with participants in the room and "
                                       "online."]  # the fourth's part only: nothing is about the third


def test_a_part_s_answer_takes_the_place_of_the_last_statement_following_the_best():
    """When the statements following the best one in its paragraph fill the answer, the last of them gives way to
    another part's answer: the third meeting's venue is not crowded out by more about the fourth."""
    from dataclasses import replace

    fourth = replace(passage(1, "The fourth exchange meeting was held at Europa House in Tokyo. The fourth exchange "
                                "meeting was held in the room and online. The fourth exchange meeting was held on a "
                                "Monday. The fourth exchange meeting was held before the policy dialogue.",
                             doc_id="minutes/fourth.md"), title="Minutes of the fourth exchange meeting")
    third = replace(passage(2, "Catalonia hosted the gathering at Palau Robert in Barcelona.",
                            doc_id="minutes/third.md"),
                    title="Minutes of the third exchange meeting")
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.1,
                                                                                 max_sentences=4))
    alone = answerer.answer("Where was the fourth exchange meeting held?", [fourth, third])
    assert alone.text.count("fourth exchange meeting") == 4, alone.text  # the paragraph fills the answer
    both = answerer.answer("Where were the third and the fourth exchange meetings held?", [fourth, third])
    assert "Palau Robert" in both.text and "Europa House" in both.text, both.text
    assert both.text.count("fourth exchange meeting") == 3, both.text


def _answerer(**cfg) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.2, **cfg))


def test_documented_absence_is_a_refusal_that_quotes_the_documents():
    ps = [passage(1, "No overall budget figure has been published for the R2R strand. The strand had six "
                     "regions and five prefectures."),
          passage(2, "The webinar series covered hydrogen, food tech and air mobility in 2023.")]
    answer = _answerer().answer("What was the total budget of the R2R strand?", ps)
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT)
    assert "No overall budget figure has been published for the R2R strand [1]." in answer.text
    assert answer.citations[0].doc_id == "d1.md" and answer.nearest
    assert answer.evidence["documented_absence"] == 1.0
    # a yes/no question is answered by the same sentence ("No, ...")
    yes_no = _answerer().answer("Was a budget figure published for the R2R strand?", ps)
    assert not yes_no.refused and "No overall budget figure" in yes_no.text
    # with the rule off, the question is still refused (no amount anywhere), without the quote
    off = _answerer(absence_window=0).answer("What was the total budget of the R2R strand?", ps)
    assert off.refused and "documented_absence" not in off.evidence and not off.citations


def test_unmet_year_or_count_is_refused():
    ps = [passage(1, "The study visit to Japan in November 2022 took the delegation to Aichi and Osaka."),
          passage(2, "The food-tech webinar was held on 24 May 2023 with three speakers.")]
    answerer = _answerer()
    assert answerer.answer("Which prefectures did the 2024 study visit to Japan go to?", ps).refused
    assert not answerer.answer("Which prefectures did the 2022 study visit to Japan go to?", ps).refused
    unmet = answerer.answer("How many people attended the food-tech webinar?", ps)
    assert unmet.refused and unmet.evidence["unmet_answer_type"] == 1.0
    assert not _answerer(requirement_window=0).answer("How many people attended the food-tech webinar?",
                                                      ps).refused


def test_a_requirement_is_what_the_user_asked_not_what_the_rewriting_carried():
    from programme_assistant.answering.rewrite import asked_part, with_context

    ps = [passage(1, "The study visit to Japan in November 2022 took the delegation to Aichi and Osaka."),
          passage(2, "The food-tech webinar was held on 24 May 2023 with three speakers.")]
    # a follow-up asked after "What happened at the 2024 fair?": the year came from the earlier turn
    standalone = with_context("Which prefectures did the study visit to Japan go to?", ["fair", "2024"])
    assert asked_part(standalone) == "Which prefectures did the study visit to Japan go to?"
    assert not _answerer().answer(standalone, ps).refused
    # the user's own year is still required, and a question's own brackets are its own
    assert _answerer().answer("Which prefectures did the 2024 study visit to Japan go to?", ps).refused
    assert asked_part("What is KICK (the Kyoto centre)?") == "What is KICK (the Kyoto centre)?"
    assert asked_part("Where is the office (Osaka)") == "Where is the office (Osaka)"


def test_every_sentence_of_a_multi_sentence_candidate_is_cited():
    ps = [passage(1, "The fourth exchange meeting was the last plenary of the strand. It was held at Europa "
                     "House in Tokyo.")]
    answer = _answerer().answer("Where was the fourth exchange meeting held?", ps)
    assert "Europa House in Tokyo [1]." in answer.text
    assert answer.text.count("[1]") == 2 and answer.unsupported == []


def test_a_question_of_two_parts_gets_an_answer_to_each():
    ps = [passage(1, "Group B held its meetings in the Sakishima building in Osaka during the visit."),
          passage(2, "Expo 2025 ran from 13 April to 13 October 2025 on Yumeshima island."),
          passage(3, "Group B also saw hydrogen work at Kansai airport during the visit to Osaka.")]
    answer = _answerer(max_sentences=2).answer(
        "Where did Group B hold its meetings in Osaka, and when did the Expo run?", ps)
    assert "Sakishima" in answer.text and "13 October 2025" in answer.text


def test_extractive_config_from_settings():
    from programme_assistant.assistant import extractive_config

    settings = Settings(extractive_keep_ratio=0.7, extractive_absence_window=0, refusal_threshold=0.5,
                        cross_language=False)
    cfg = extractive_config(settings)
    assert (cfg.keep_ratio, cfg.absence_window, cfg.refusal_threshold, cfg.cross_language) == (0.7, 0, 0.5, False)
    assert cfg.max_sentences == settings.max_answer_sentences


def test_with_the_learned_refusal_the_hand_threshold_is_off_unless_set():
    from programme_assistant.assistant import extractive_config
    from programme_assistant.config import HAND_REFUSAL_THRESHOLD

    assert extractive_config(Settings(), learned_refusal=True).refusal_threshold is None
    assert extractive_config(Settings()).refusal_threshold == HAND_REFUSAL_THRESHOLD  # no learned refusal
    assert extractive_config(Settings(refusal_threshold=0.3), learned_refusal=True).refusal_threshold == 0.3
    assert Settings().resolved_refusal_threshold(0.6, learned_refusal=True) == 0.6  # the learned ranker's own


def test_without_a_threshold_a_low_best_score_is_answered_and_no_candidates_refused():
    ps = [passage(1, "The delegation visited hydrogen plants in Aichi and Oita."),
          passage(2, "Webinars covered food tech and advanced air mobility.")]
    question = "Which plants did the delegation see?"
    floored = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.99))
    assert floored.answer(question, ps).refused
    open_ = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=None))
    answer = open_.answer(question, ps)
    assert not answer.refused and "hydrogen plants" in answer.text
    assert open_.answer(question, []).refused  # nothing to quote is still a refusal


def test_rewriter_replaces_the_names_of_the_previous_turn():
    r = ContextualRewriter()
    history = [("What route did the Kyoto delegation follow during the June 2023 return visit?", "...")]
    rewritten = r.rewrite("And Oita's?", history)
    assert "kyoto" not in rewritten.lower() and "route" in rewritten and "2023" in rewritten


def test_a_follow_up_that_points_back_keeps_the_previous_names_beside_its_own():
    r = ContextualRewriter()
    rewritten = r.rewrite("When did it open its office in Madrid?", [("What is BIOCAT?", "...")])
    assert "biocat" in rewritten.lower() and rewritten.startswith("When did it open its office in Madrid?")
    swapped = r.rewrite("What about Oita?", [("Which companies did the Kyoto delegation meet?", "...")])
    assert "kyoto" not in swapped.lower() and "companies" in swapped


def test_a_follow_up_keeps_the_previous_turns_place_and_year_in_any_language():
    r = ContextualRewriter()
    # "esa etapa" points back as "that stop" does: the previous turn's place stays beside the follow-up's own name
    spanish = r.rewrite("¿Y qué destacó la delegación de Lisboa de esa etapa?",
                        [("¿Qué ciudades pasaron por Galicia en mayo de 2024?", "...")])
    assert "galicia" in spanish.lower() and "2024" in spanish
    assert "porto" in r.rewrite("What did the Lisbon delegates see there?",
                                [("Which cities visited Porto in May 2024?", "...")]).lower()
    # a one-letter word is not a slot the follow-up fills ("Group B", "webinar 5"): the article "a", the opening
    # "Y" / "I" of a Spanish or Catalan question; the earlier turn's year is kept
    for follow_up in ("Was there a fee?", "Y ¿cuánto costó?", "I quant va costar?"):
        assert "2024" in r.rewrite(follow_up, [("The May 2024 seminar on harbour logistics", "...")]), follow_up
    assert "2024" not in r.rewrite("And Group B?", [("Where did Group A go in May 2024?", "...")])
    # a possessive name is replaced like the name ("Osaka's" -> "Oita's")
    assert "lisbon" not in r.rewrite("And Porto's?", [("What was Lisbon's budget in 2024?", "...")]).lower()


def test_a_sentence_in_another_language_is_scored_by_its_english_gloss():
    from dataclasses import replace

    spanish = replace(passage(1, "El programa incluyó presentaciones del Gobierno Vasco y de BRTA en la visita."),
                      language="es")
    english = passage(2, "The weather in Bilbao was warm and many regions sent their greetings that week.")
    question = "Which organisations gave presentations during the visit?"
    glossed = _answerer().score(question, [spanish, english])
    plain = _answerer(cross_language=False).score(question, [spanish, english])
    best = {s.passage: s.score for s in glossed}
    assert glossed[0].passage == 1 and glossed[0].text.startswith("El programa")  # the original is shown
    assert best[1] > {s.passage: s.score for s in plain}[1]


def test_a_question_for_a_persons_name_needs_a_name_not_the_role_restated():
    from programme_assistant.answering.refusal import asks_for_person, has_person_name, lowercase_words

    assert asks_for_person("What is the name of the Governor of Aichi who received Group A?")
    assert asks_for_person("Who was the DG REGIO Deputy Director-General at the meeting?")
    assert not asks_for_person("Who opened the webinar?")  # answered by a role or a body as well
    assert not asks_for_person("Who was the first session meant for?")
    # the office is any office-holder noun generated from WordNet (text/data/role_nouns.txt), not a hand list
    assert asks_for_person("Who is the current mayor of Lyon?")
    assert asks_for_person("who was the chancellor of the university in 1990?")
    assert asks_for_person("Who was the EU Ambassador to Japan that opened webinar no. 3?")  # "no." ends no sentence
    assert asks_for_person("We met in Rome. What was the name of the Italian consul?")
    # people who are not office holders, whom an organisation can be: left alone
    assert not asks_for_person("Who was the host of the second meeting?")
    assert not asks_for_person("Who is the coordinator of the strand?")
    assert not asks_for_person("Who was the keynote speaker?")
    assert not asks_for_person("Who is the head of the helpdesk?")  # "head" is first a body part
    assert not asks_for_person("Who were the ministers at the summit?")  # a list, not one person's name
    question = "Who was the DG REGIO Deputy Director-General at the meeting?"
    assert has_person_name("The session was opened by Deputy Director-General Anna Kowalska of DG REGIO.", question)
    assert has_person_name("The meeting was opened by Governor Omura.", "Who is the Governor of Aichi?")
    assert has_person_name("A letter from President Macron was read.", "who was the president of france in 2019")
    assert not has_person_name("The Governor of Aichi Prefecture welcomed them.", "Who is the Governor of Aichi?")
    # a capitalised title of ordinary words, or a place's or a body's name, is no person's name
    ordinary = lowercase_words(["webinars on energy transition and hydrogen", "zero emission targets"])
    asked_ambassador = "Who was the EU Ambassador to Japan that opened the webinar?"
    assert not has_person_name("Cases came from the Basque Hydrogen Corridor and the Zero Emission Valley.",
                               asked_ambassador, ordinary)
    assert not has_person_name("Talks with Basque Hydrogen experts.", asked_ambassador, ordinary)
    assert has_person_name("Talks with Basque Hydrogen experts.", asked_ambassador)  # "hydrogen" not known ordinary
    assert has_person_name("It was opened by Jean-Eric Paquet, the ambassador.", asked_ambassador, ordinary)
    assert has_person_name("European Commissioner Elisa Ferreira spoke.", "Who is the European Commissioner?")
    assert not has_person_name("A report is due in Late May.", asked_ambassador)  # the calendar names nobody
    assert has_person_name("Prime Minister Theresa May spoke.", "Who was the prime minister in 2017?")
    assert not has_person_name("The DG REGIO Deputy Director-General and the MLIT City Bureau representative "
                               "opened it before the High-Level Policy Dialogue.", question)
    role_only = [passage(1, "In Aichi, the group was received by the Governor of Aichi Prefecture and saw "
                            "hydrogen vehicles.")]
    named = [passage(1, "In Aichi, the group was received by Governor Hideaki Omura and saw hydrogen vehicles.")]
    asked = "What is the name of the Governor of Aichi who received the group?"
    refused = _answerer(refusal_rules=("person_name",)).answer(asked, role_only)
    # the refusal quotes, cited, what the documents do say: the office, with no name
    assert refused.refused and refused.evidence.get("unmet_person_name") == 1.0
    assert "not the person's name" in refused.text and "received by the Governor of Aichi Prefecture" in refused.text
    assert refused.citations and refused.citations[0].doc_id == role_only[0].chunk.doc_id
    answer = _answerer(refusal_rules=("person_name",)).answer(asked, named)
    assert not answer.refused and "Hideaki Omura" in answer.text


def test_a_question_for_a_kind_of_place_needs_a_passage_naming_that_kind():
    from programme_assistant.answering.refusal import asked_kind, mentions_kind

    assert asked_kind("Which hotel did the delegation stay in?") == "hotel"
    assert asked_kind("Which universities took part?") == "university"
    assert asked_kind("Which building hosted the meeting?") is None  # "Keihanna Plaza" need not say "building"
    assert mentions_kind("The group stayed at the Granvia Hotel.", "hotel")
    about_trip = [passage(1, "At the end of the week both groups met in Kyoto for a joint programme of visits.")]
    with_hotel = [passage(1, "In Kyoto the delegation stayed at the Hotel Granvia next to the station.")]
    question = "Which hotel did the delegation stay in while in Kyoto?"
    assert _answerer(refusal_rules=("kind",)).answer(question, about_trip).refused
    assert "Granvia" in _answerer(refusal_rules=("kind",)).answer(question, with_hotel).text


def test_a_sentence_about_the_document_itself_is_marked_down_unless_the_question_asks_about_the_document():
    ps = [passage(1, "This report summarises the hydrogen webinar and its regional case studies. The Basque "
                     "Country presented the Basque Hydrogen Corridor as its case study at the webinar.")]
    question = "Which case study did the Basque Country present at the hydrogen webinar?"
    marked = {s.text: s.score for s in _answerer().score(question, ps)}
    plain = {s.text: s.score for s in _answerer(self_reference_penalty=0.0).score(question, ps)}
    report = "This report summarises the hydrogen webinar and its regional case studies."
    corridor = "The Basque Country presented the Basque Hydrogen Corridor as its case study at the webinar."
    assert marked[report] == plain[report] - 0.1 and marked[corridor] == plain[corridor]
    about = "What does the report on the hydrogen webinar cover?"
    assert {s.text: s.score for s in _answerer().score(about, ps)} == \
        {s.text: s.score for s in _answerer(self_reference_penalty=0.0).score(about, ps)}
    # the documents' word that something is absent is not marked down
    absent = [passage(1, "This overview does not give an overall budget, because no figure is published.")]
    q = "What is the overall budget?"
    assert [s.score for s in _answerer().score(q, absent)] == \
        [s.score for s in _answerer(self_reference_penalty=0.0).score(q, absent)]


def test_an_answer_never_repeats_a_sentence():
    # "It lists ..." leans on the sentence before and is leaned on by the one after: two candidates share it
    ps = [passage(1, "The closing report ends the first cycle of the cooperation in November 2023. It lists what "
                     "the cooperation did and who took part in the cooperation. It is meant as a reference for "
                     "the cooperation's later cycles.")]
    answer = _answerer(keep_ratio=0.01).answer("What does the closing report of the cooperation list?", ps)
    sentences = [s.strip() for s in answer.text.replace("[1]", "").split(".") if s.strip()]
    assert len(sentences) == len(set(sentences)) >= 2


def test_a_title_in_capitals_is_a_heading_not_a_candidate():
    text = "RETURN VISIT OF THE PREFECTURES TO EUROPE, 4-10 JUNE 2023\n\nThe delegation visited three regions in turn."
    cands = passage_candidates(1, text)
    assert [c.text for c in cands] == ["The delegation visited three regions in turn."]
    assert cands[0].context == "RETURN VISIT OF THE PREFECTURES TO EUROPE, 4-10 JUNE 2023"


def test_a_question_for_a_time_email_or_phone_is_refused_when_no_passage_gives_one():
    ps = [passage(1, "The helpdesk team can be reached through the group messaging channel during the visit."),
          passage(2, "The second exchange meeting took place in Kyoto on 18 November 2022.")]
    for question in ("What is the e-mail address of the helpdesk team?",
                     "What is the phone number of the helpdesk team?",
                     "What time did the second exchange meeting in Kyoto start?"):
        unmet = _answerer().answer(question, ps)
        assert unmet.refused and unmet.evidence["unmet_answer_type"] == 1.0, question
    given = [passage(1, "The helpdesk team can be reached at helpdesk@example.org or +32 2 555 01 23."),
             passage(2, "The second exchange meeting in Kyoto started at 16:00 JST on 18 November 2022.")]
    for question in ("What is the e-mail address of the helpdesk team?",
                     "What is the phone number of the helpdesk team?",
                     "What time did the second exchange meeting in Kyoto start?"):
        assert not _answerer().answer(question, given).refused, question
    assert analyse("What time limit was set for the reports?").expects != "time"


def test_a_list_introduced_by_a_sentence_leaning_back_carries_the_sentence_it_leans_on():
    text = ("Casa Asia is a public-diplomacy institution in Barcelona. It was set up by three founding members:\n\n"
            "- the Ministry of Foreign Affairs\n- the Government of Catalonia\n- Barcelona City Council\n")
    whole = next(c for c in passage_candidates(1, text) if c.kind == "list")
    assert whole.text.startswith("Casa Asia is a public-diplomacy institution in Barcelona. It was set up by")
    assert "Barcelona City Council" in whole.text


def test_a_question_about_a_fifth_meeting_is_refused_when_the_passages_know_four():
    assert named_ordinals("When was the fifth exchange meeting?") == {"fifth"}
    assert named_ordinals("What was the 3rd webinar about?") == {"third"}
    assert named_ordinals("Who spoke at the first meeting?") == set()
    assert mentions_ordinal("Webinar no. 5: food tech", "fifth") and mentions_ordinal("the 5th webinar", "fifth")
    assert not mentions_ordinal("the 15th of May", "fifth")
    ps = [passage(1, "The fourth exchange meeting was held at Europa House in Tokyo on 30 October 2023."),
          passage(2, "The third exchange meeting was held at Palau Robert in Barcelona on 9 June 2023.")]
    unmet = _answerer().answer("Where was the fifth exchange meeting held?", ps)
    assert unmet.refused and unmet.evidence["unmet_ordinal"] == 1.0
    assert not _answerer().answer("Where was the fourth exchange meeting held?", ps).refused


def test_a_sentence_citing_each_clause_is_checked_clause_by_clause():
    # "The sources differ: 16 in A [1]; 24 in B [2].": each clause is supported by its own passage, though
    # neither passage supports the whole sentence
    ps = [passage(1, "In June 2023 a delegation of 16 people made the return visit."),
          passage(2, "About 24 people will travel on the study visit.")]
    r = resolve("The sources differ: 16 in the minutes of November 2022 [1]; 24 in Title 2 (2022-11-18) [2].", ps)
    assert r.unsupported == []
    assert [c.quote for c in r.citations] == [ps[0].chunk.text, ps[1].chunk.text]
    wrong = resolve("The sources differ: Title 1 gives 24 people travelling [1]; Title 2 gives 16 delegates [2].", ps)
    assert wrong.unsupported  # each clause checked against its own passage, not the other's
    assert resolve("Cats fly [1]; dogs swim [2].", ps).unsupported == ["Cats fly; dogs swim."]


def test_a_heading_glued_to_the_end_of_a_list_item_is_not_part_of_it():
    # a PDF's text layer runs the next section's numbered heading into the last item of a list
    text = ("Webinars:\n- Food tech, 24 May 2023. Speakers came from SEMMARIS and AZTI.\n"
            "- Advanced air mobility, 28 September 2023. Speakers came from the Commission. "
            "9. Agreements and cooperation links\n")
    items = [c.text for c in passage_candidates(1, text) if c.kind == "item"]
    assert items[-1] == "Advanced air mobility, 28 September 2023. Speakers came from the Commission."
    assert not any("Agreements" in c.text for c in passage_candidates(1, text))
    kept = passage_candidates(1, "- Group A visited Aichi. Group B visited Osaka\n- The visit ended on time. 9.\n")
    assert [c.text for c in kept if c.kind == "item"] == ["Group A visited Aichi. Group B visited Osaka.",
                                                          "The visit ended on time."]


def test_a_hard_wrapped_line_is_read_with_the_line_it_carries_on():
    # plain-text notes wrap their lines: a statement's second line is not a statement of its own
    text = ("NOTES\n\n"
            "- Ask every partner at the end of the week which contacts it wants\n"
            "  to follow up; list these in the annual report.\n"
            "- Photos: check consent first.\n\n"
            "The board met twice in the spring, first in Lyon in April and then in\n"
            "Turin in May, and once in the autumn.\n"
            "Budget: approved.\n")
    cands = passage_candidates(1, text)
    texts = [c.text for c in cands]
    assert "Ask every partner at the end of the week which contacts it wants to follow up; list these in the " \
           "annual report." in texts
    assert "The board met twice in the spring, first in Lyon in April and then in Turin in May, and once in the " \
           "autumn." in texts
    assert not any(t.startswith(("to follow up", "Turin")) for t in texts)
    # the citation quotes the two lines the statement was made from
    item = next(c for c in cands if c.text.startswith("Ask every partner"))
    assert text[item.span[0]:item.span[1]].startswith("- Ask every partner")
    assert text[item.span[0]:item.span[1]].endswith("annual report.")


def test_a_hard_wrapped_paragraph_is_read_as_sentences_not_lines():
    # Markdown and plain text wrapped at a fixed width (another programme's folder): a line break inside a
    # sentence, before a name in capitals too, does not end it; the line that opens a field still does
    text = ("The river transport cluster of the partnership has become a standing River Transport\n"
            "Working Group (RTWG), with its own terms of reference and a two-year work plan. The group\n"
            "met for the first time online, with 18 participants from seven cities of both rivers.\n"
            "Venue: the boardroom of the Port and Waterfront Agency in the city of Linz, Upper Austria\n"
            "Chair: Dr Katalin Voros, Programme Director of the partnership, for the whole day.\n"
            "Minutes: taken by the helpdesk and sent to all members within a week of the meeting.\n")
    texts = [c.text for c in passage_candidates(1, text)]
    assert ("The river transport cluster of the partnership has become a standing River Transport Working Group "
            "(RTWG), with its own terms of reference and a two-year work plan.") in texts
    assert not any(t.startswith("Working Group") for t in texts)
    assert "Chair: Dr Katalin Voros, Programme Director of the partnership, for the whole day." in texts
    assert not any("Upper Austria" in t and "Chair" in t for t in texts)
    assert unwrapped(text) != text and len(unwrapped(text)) == len(text)
    assert [text[a:b] for a, b in sentence_spans(unwrapped(text))][:2] == [
        "The river transport cluster of the partnership has become a standing River Transport\n"
        "Working Group (RTWG), with its own terms of reference and a two-year work plan.",
        "The group\nmet for the first time online, with 18 participants from seven cities of both rivers."]


def test_a_citation_quotes_the_whole_wrapped_sentence_the_answer_took():
    text = ("Who takes part?\n\n"
            "The working group is co-chaired by Desislava Ivanova, head of the Danube Projects Unit of Ruse, and\n"
            "Pimchanok Srisuk of the River Port Division of Nong Khai Municipality. Its members are Ruse, Nong Khai,\n"
            "Bratislava, Galati, Vientiane, Can Tho and Linz.\n")
    r = resolve("The working group is co-chaired by Desislava Ivanova, head of the Danube Projects Unit of Ruse, and "
                "Pimchanok Srisuk of the River Port Division of Nong Khai Municipality [1].", [passage(1, text)])
    assert r.citations[0].quote == ("The working group is co-chaired by Desislava Ivanova, head of the Danube "
                                    "Projects Unit of Ruse, and\nPimchanok Srisuk of the River Port Division of "
                                    "Nong Khai Municipality.")
    assert r.unsupported == []


def test_emphasis_marks_and_paragraph_numbers_are_not_part_of_a_statement():
    text = ("**6. Luang Prabang technical visit.** The committee considered the city's request for a visit. "
            "*Decision:* a visit in person was not approved this year.\n"
            "*Prepared by the Secretariat for the Foundation, 16 December 2024.* The doc_id of the file and 5 * 3 "
            "stay as they are written.\n")
    texts = [c.text for c in passage_candidates(1, text)]
    assert "6. Luang Prabang technical visit: The committee considered the city's request for a visit." in texts
    assert "Decision: a visit in person was not approved this year." in texts
    assert "Prepared by the Secretariat for the Foundation, 16 December 2024." in texts
    assert "The doc_id of the file and 5 * 3 stay as they are written." in texts
    assert not any(t.strip(" .") == "6" for t in texts)


def test_a_key_and_value_laid_out_with_dot_leaders_is_a_field():
    text = ("Per partner, the whole year:\n"
            "  Lyon ...... grants > pilots > review\n"
            "  Turin . grants > review\n"
            "Porto Metro Area ..... transport; tourism;\n"
            "                       start-ups and the port\n"
            "The report was sent on time... Page 6 follows.\n")
    by_text = {c.text: c for c in passage_candidates(1, text)}
    assert by_text["Lyon: grants > pilots > review."].kind == "field"
    assert by_text["Lyon: grants > pilots > review."].context == "Per partner, the whole year:"
    assert "Turin: grants > review." in by_text
    assert "Porto Metro Area: transport; tourism; start-ups and the port." in by_text  # its wrapped value too
    # an ellipsis is no leader
    assert not any(c.kind == "field" and c.text.startswith("The report") for c in by_text.values())


def test_a_capitals_title_with_a_remark_in_brackets_is_a_heading():
    text = "4. WHAT THE HOSTS SHOW (as in the guide)\n\nLyon shows its tram depot and the new bus lines.\n"
    cand = next(c for c in passage_candidates(1, text) if c.text.startswith("Lyon"))
    assert cand.context == "4. WHAT THE HOSTS SHOW (as in the guide)"
    assert not any(c.text.startswith("WHAT") for c in passage_candidates(1, text))


def test_an_item_in_small_letters_is_shown_after_its_introduction():
    # "- the city council;" finishes the sentence its introduction starts: alone, it is a fragment
    text = "The fund was set up by:\n- the regional government;\n- the city council.\n- Later, a bank joined.\n"
    shown = [c.text for c in passage_candidates(1, text) if c.kind == "item"]
    assert shown == ["The fund was set up by: the regional government.", "The fund was set up by: the city council.",
                     "Later, a bank joined."]


# --- whether a question in a conversation stands alone (answering/followup.py) ----------------------------------
def _found(score: float) -> list[RetrievedChunk]:
    return [replace(passage(1, "Some passage about the harbour fund."), dense_score=score)]


def test_the_learned_judge_lets_a_question_that_finds_its_passage_stand_alone():
    from programme_assistant.answering.followup import StandaloneJudge, load_followup_model

    model = load_followup_model()
    # the same words: found well on their own, a new subject; found poorly, a follow-up of the conversation
    scores = {"How are grants for the harbour fund paid out?": 0.8, "how are they paid out?": 0.2}
    asked: list[str] = []

    def search(question: str) -> list[RetrievedChunk]:
        asked.append(question)
        # read with the earlier turn's words, each finds what it found alone, a little better
        return _found(scores.get(question) or scores[question.split(" (")[0]] + 0.05)

    judge = StandaloneJudge(model, search)
    assert judge("How are grants for the harbour fund paid out?")
    assert not judge("how are they paid out?")
    judge("how are they paid out?")
    assert asked.count("how are they paid out?") == 1  # each question searched once ...
    index_state = ["after the first sync"]
    judge = StandaloneJudge(model, search, state=lambda: index_state[0])
    judge("how are they paid out?")
    index_state[0] = "after the second sync"
    judge("how are they paid out?")
    assert asked.count("how are they paid out?") == 3  # ... per state of the index
    history = [("Which region hosted the Nordic plenary in 2024?", "Bergen [1].")]
    rewriter = ContextualRewriter(stands_alone=judge)
    # a new subject after an unrelated question is searched as it is, not with the previous question's words
    assert rewriter.rewrite("How are grants for the harbour fund paid out?", history) == \
        "How are grants for the harbour fund paid out?"
    assert "nordic" in rewriter.rewrite("how are they paid out?", history).lower()


def test_the_learned_judge_reads_a_short_question_with_the_conversation_s_words_too():
    from programme_assistant.answering.followup import StandaloneJudge, load_followup_model

    model = load_followup_model()
    question = "Which webinars were held?"  # short, names nothing: alone, it could be either
    # read with the earlier turn's words, it finds a much better passage (a follow-up: "... (nordic plenary
    # 2024)") or a worse one (a new subject: the earlier turn's words pull towards another one)
    scores = {question: 0.5, f"{question} (nordic plenary 2024)": 0.75, f"{question} (harbour fund grants)": 0.35}
    judge = StandaloneJudge(model, lambda query: _found(scores[query]))
    assert not judge(question, f"{question} (nordic plenary 2024)")
    assert judge(question, f"{question} (harbour fund grants)")
    assert judge.features(question)["carried_top_dense"] == 0.5  # nothing carried: the question is its reading
    assert judge.features(question, question)["carried_top_dense"] == 0.5


def test_the_follow_up_judge_is_used_only_with_the_models_it_was_fitted_with(settings, fake_embedder):
    from programme_assistant.answering.followup import load_followup_model
    from programme_assistant.assistant import build_standalone_judge

    model = load_followup_model()
    assert model.meta["embedding_model"] and model.meta["retrieval_mode"] == "hybrid"
    # a test's fake embedder is not the model the judge was fitted with: the rule decides
    assert build_standalone_judge(settings, fake_embedder, search=None) is None
    assert build_standalone_judge(settings.model_copy(update={"followup_model": "rule"}), fake_embedder,
                                  search=None) is None


def test_the_judge_searches_as_deep_as_the_question_will_be_searched_and_reads_the_first_k(settings, fake_embedder,
                                                                                           monkeypatch):
    """So that the reading the rewriter hands on is found in the search's memory (``HybridSearch.search``), the
    judge asks for the answerer's depth and reads the search's own first ``k``, as it was trained to."""
    import programme_assistant.assistant as assistant_module

    monkeypatch.setattr(assistant_module, "_fitted_with", lambda *a: True)
    asked = []

    class Search:
        k = 3

        def search(self, query, filters=None, k=None):
            asked.append(k)
            return [passage(i + 1, f"{query} {i}") for i in range(k)]

        def snapshot(self):
            return type("S", (), {"key": 1})()

    judge = assistant_module.build_standalone_judge(settings, fake_embedder, Search(), depth=8)
    assert judge is not None
    assert len(judge.search("webinars 2023")) == 3 and asked == [8]


def test_a_follow_up_model_file_is_checked(tmp_path):
    from programme_assistant.answering.followup import load_followup_model
    from programme_assistant.errors import ConfigError

    bad = tmp_path / "followup.json"
    bad.write_text('{"features": ["top_dense", "mood"], "weights": [1, 1], "bias": 0, "mean": [0, 0], '
                   '"scale": [1, 1], "threshold": 0.5}', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_followup_model(bad)
    assert "mood" in err.value.message and "train-followup" in err.value.fix


def test_a_definition_question_stands_alone_in_a_conversation():
    from programme_assistant.retrieval.glossary import Glossary, GlossaryEntry

    glossary = Glossary([GlossaryEntry("NHF", "Nordic Harbour Fund", "Nordic Harbour Fund. Pays grants to ports.",
                                       "guides/glossary.md")])
    history = [("Which region hosted the Nordic plenary in 2024?", "Bergen [1].")]

    def asks_definition(question: str) -> bool:
        return glossary.defined_term(question) is not None

    def judge(question: str, carried: str) -> bool:  # a judge that calls every question dependent
        return False

    rewriter = ContextualRewriter(stands_alone=judge, asks_definition=asks_definition)
    # asking what a term the documents define means does not lean on the previous subject ...
    assert rewriter.rewrite("What is NHF?", history) == "What is NHF?"
    assert rewriter.rewrite("What does NHF stand for?", history) == "What does NHF stand for?"
    # ... but a question about the term that points back at the conversation still does
    assert "nordic" in rewriter.rewrite("What does it say about NHF?", history).lower()
    # a short question naming no defined term is left to the judge
    assert "nordic" in rewriter.rewrite("What is the budget?", history).lower()
    # without the glossary check, the judge decides alone
    assert "nordic" in ContextualRewriter(stands_alone=judge).rewrite("What is NHF?", history).lower()


def test_the_speaker_s_i_is_not_the_catalan_and():
    from programme_assistant.answering.rewrite import points_back

    # "I" opening an English question is the speaker; opening a Catalan one it is "and", a follow-up
    assert not points_back("I've just joined the harbour team. What does the grants office do?")
    assert not points_back("I need the minutes of the Lisbon meeting. Which folder should I open?")
    assert points_back("I quins ports hi van participar l'any següent?")
    assert points_back("And which ports took part the year after?")
    # so the rule no longer carries the previous subject into an English question opening with "I"
    history = [("Which region hosted the Nordic plenary in 2024?", "Bergen [1].")]
    question = "I have just joined the harbour team. Which office pays the grants?"
    assert ContextualRewriter().rewrite(question, history) == question


def test_an_ordinal_pointing_back_takes_the_name_the_answer_listed_at_that_place():
    from programme_assistant.answering.rewrite import nth_named
    from programme_assistant.text.ordinals import pointing_back

    answer = ("In May 2024 the delegation split in two [1]. The first group went to Bergen and Tromso, the second "
              "group to Oslo and Alta [1].")
    history = [("Where did the second group go in May 2024?", answer)]
    rewriter = ContextualRewriter()
    # "the second one" is the second name of the list the answer gave for the group asked about
    assert "(Alta)" in rewriter.rewrite("ok, and what did they see in the second one?", history)
    assert "(Oslo)" in rewriter.rewrite("Who welcomed them at the first of those?", history)
    assert "(Alta)" in rewriter.rewrite("And at that last stop, who spoke?", history)
    assert pointing_back("What happened at the second stop?") is None  # a position asked for, not pointing
    # one reading of such ordinals serves the rewriter and the refusal rules: digits, "of the two", past sixth
    assert [pointing_back(q) for q in ("and their 3rd stop?", "the first of the two", "that seventh one",
                                       "What about the last of them?")] == [3, 1, 7, -1]
    assert nth_named("No list of names here [1].", 2) is None and nth_named(answer, 3) is None
    # a name the question already gives is not added again
    assert "(Alta)" not in rewriter.rewrite("And in Alta, the second one, who spoke?", history)


def test_he_or_she_after_a_who_question_is_the_person_its_answer_named():
    answer = ("The Secretariat works from Lisbon, with a second office in Port Louis [1]. It is led by the Programme "
              "Director, Dr Helena Mascarenhas [1].")
    history = [("Who runs the network's Secretariat?", answer)]
    # the judge may call the question standing alone: the pronoun still needs the person the answer named
    alone = ContextualRewriter(stands_alone=lambda question, carried: True)
    assert alone.rewrite("What did she do before taking up that job?", history) == \
        "What did she do before taking up that job? (Dr Helena Mascarenhas)"
    # a titled name is the person's, whichever name comes first ("Port Louis" is a place)
    leaning = ContextualRewriter(stands_alone=lambda question, carried: False)
    rewritten = leaning.rewrite("Where is she based?", history)
    assert "(Dr Helena Mascarenhas)" in rewritten and "secretariat" in rewritten.lower()
    # the pronoun agrees with the title: "he" is not the "Ms" the answer names first
    pair = [("Who represents Durban on the Board?", "Ms Ndapewa Shikongo and Mr Sipho Mthembu sit on it [1].")]
    assert "(Mr Sipho Mthembu)" in alone.rewrite("What did he present at the first meeting?", pair)
    assert "(Ms Ndapewa Shikongo)" in alone.rewrite("What did she present at the first meeting?", pair)
    # of a list, the one beside what was asked about, not the first who agrees
    listed = [("Who represents Durban on the Steering Group?",
               "Present: Riga (Mr Andris Ozoliņš), Windhoek (Ms Ndapewa Shikongo), Gaborone (Mr Kagiso Sebego), "
               "Durban (Mr Sipho Mthembu), Lusaka (Mr Joseph Banda) [1].")]
    assert "(Mr Sipho Mthembu)" in alone.rewrite("What did he present at the first meeting?", listed)
    assert "(Ms Ndapewa Shikongo)" in alone.rewrite("What did she present at the first meeting?", listed)
    listed[0] = ("Who represents Gaborone on the Steering Group?", listed[0][1])
    assert "(Mr Kagiso Sebego)" in alone.rewrite("What did he present at the first meeting?", listed)
    untitled = [("Who chairs the Board?", "The Board is chaired by Amina Diallo of the basin authority [1].")]
    assert "(Amina Diallo)" in alone.rewrite("Does she get a vote?", untitled)
    # not after a question that asked something else, nor when the follow-up names its own person, nor for "it"
    assert alone.rewrite("Where is she based?", [("What does the Secretariat do?", answer)]) == "Where is she based?"
    assert "Mascarenhas" not in alone.rewrite("Did Ana Souza work with her?", history)
    assert "Mascarenhas" not in alone.rewrite("When did it open?", history)


def test_names_are_read_whole_in_every_script_with_case():
    """Names with letters outside A-Z are not cut at the first one ("Ozoliņš", "Huamán") nor missed for a capital
    outside it ("Évora", "Ōita"): by the person-name reading, the names a follow-up carries, and a list's items."""
    assert person_names("The lead is Mr Andris Ozoliņš of the Riga office.") == ["Mr Andris Ozoliņš"]
    assert person_names("Prepared by Dr Valeria Ccori Huamán and Ms Hanane Aït Lahcen.") == [
        "Dr Valeria Ccori Huamán", "Ms Hanane Aït Lahcen"]
    assert person_names("The Ōita Prefecture Office hosted it.") == []  # a body's name, as in A-Z
    assert {"evora", "oita"} <= names_in("The delegates went on to Évora and then to Ōita.")
    assert nth_named("The second group went to Évora and Šibenik [1].", 2) == "Šibenik"
    history = [("Who chairs the Board?", "The Board is chaired by Dr Valeria Ccori Huamán [1].")]
    assert "(Dr Valeria Ccori Huamán)" in ContextualRewriter(stands_alone=lambda q, carried: True).rewrite(
        "Does she get a vote?", history)


def test_a_question_that_carries_on_leans_on_the_conversation_however_long():
    history = [("Which ports did the Nordic delegation visit in 2024?", "Bergen and Tromso [1].")]
    rewriter = ContextualRewriter(stands_alone=lambda question, carried: True)  # calls every question alone
    question = "And at their second port of call, did the delegates ask their hosts for anything in particular?"
    assert "nordic" in rewriter.rewrite(question, history).lower()
    assert "nordic" in rewriter.rewrite("What about the third one, and who hosted it there?", history).lower()
    # a Spanish question opens with its inverted question mark before the "y" (and) that carries it on
    assert "nordic" in rewriter.rewrite("¿Y en qué puerto se quedaron más tiempo, y cuándo fue?", history).lower()
    # a question that does not carry on is left to the judge
    assert rewriter.rewrite("Who paid for the delegates' travel?", history) == "Who paid for the delegates' travel?"
    # nor does an acknowledgement of the answer before ("ok, and ...", "Thanks. ..."): it only follows a turn
    for question in ("ok, and how does that harbour connect to the second theme?", "Fine, what did it cost?",
                     "Thanks. Which hosts paid for the dinners?", "Okay which of them hosted the plenary?"):
        assert "nordic" in rewriter.rewrite(question, history).lower(), question
    # words that only look like one do not carry on
    for question in ("Right to repair: did the delegates discuss it?", "Great Britain: did it send anyone?",
                     "Okinawa: who went there?"):
        assert rewriter.rewrite(question, history) == question, question


def test_a_row_read_under_its_header_keeps_its_column_names_apart_from_its_cells():
    text = ("| Dates | Group A | Group B |\n|---|---|---|\n| 14-16 November | Aichi | Osaka, Oita |\n"
            "| 19 November | End of the visit | End of the visit |\n")
    rows = [c for c in passage_candidates(1, text, "Programme") if c.kind == "row"]
    first = rows[0]
    assert first.text == "Dates: 14-16 November; Group A: Aichi; Group B: Osaka, Oita."
    assert first.columns == "Dates; Group A; Group B" and first.cells == "14-16 November; Aichi; Osaka, Oita"
    # a table without a header row: its cells are all it has
    plain = "| Kyoto Prefecture | visits to Nara and Uji |\n| Oita Prefecture | the geothermal plant at Beppu |\n"
    headerless = [c for c in passage_candidates(1, plain) if c.kind == "row"][-1]
    assert headerless.columns == headerless.cells == ""  # no separate cells: its words are its text's
    assert headerless.text == "Oita Prefecture: the geothermal plant at Beppu."


def test_a_later_part_that_leans_on_the_first_is_scored_with_its_words():
    # "how many by the end of 2024?" asks about what the first part asks about, as a follow-up would
    ps = [passage(1, "When Neighbour Call started in 2023, 640 older residents living alone signed up."),
          passage(2, "By the end of 2024, the Cool Spaces fund had committed EUR 438,100."),
          passage(3, "By the end of 2024, 4,870 people were enrolled in Neighbour Call.")]
    question = "How many people signed up when Neighbour Call started, and how many by the end of 2024?"
    assert Settings().extractive_part_context == "off" and not make_extractive_config().part_context
    leaning = _answerer(max_sentences=3, part_context=True).answer(question, ps)
    assert "640" in leaning.text and "4,870" in leaning.text and "438,100" not in leaning.text
    # scored with the first part's words (shown in brackets, as a follow-up's search is), or alone when switched off
    off = _answerer(max_sentences=3, part_context=False)
    assert off.composition(question, ps)[0][1] == off.score("how many by the end of 2024?", ps)[0]
    on = _answerer(max_sentences=3, part_context=True)
    assert on.composition(question, ps)[0][1] == on.score(
        "how many by the end of 2024? (people signed neighbour call started)", ps)[1]  # the best answers part one
    assert make_extractive_config(Settings(extractive_part_context="on")).part_context


def test_an_item_quoted_with_its_list_s_introduction_becomes_the_whole_list():
    from programme_assistant.answering.candidates import passage_candidates
    from programme_assistant.answering.extractive import ScoredSentence, _whole_lists

    text = ("Four fields were highlighted for such pilots in Japan:\n\n- industry;\n- clean energy;\n- agri-food;\n"
            "- urban innovation.\n\nThe cycle runs from 2025 to 2027.")
    found = passage_candidates(1, text)

    def scored(c) -> ScoredSentence:
        return ScoredSentence(c.passage, "news/a.md", c.text, 0.5, 0.5, 0.5, kind=c.kind, block=c.block,
                              order=c.order)

    every = [scored(c) for c in found]
    item = next(s for s in every if s.kind == "item" and "clean energy" in s.text)
    assert item.text.startswith("Four fields were highlighted")  # shown after its introduction
    whole = next(s for s in every if s.kind == "list")
    sentence = next(s for s in every if s.kind == "sentence")
    # "Four fields ...: clean energy." misstates the document: the whole list is quoted instead, once
    assert _whole_lists([item, sentence], every) == [whole, sentence]
    assert _whole_lists([item, whole], every) == [whole]
    # an item shown on its own, and a list with no whole-list candidate, stay as they are
    alone = ScoredSentence(1, "news/a.md", "Industry is the first field.", 0.5, 0.5, 0.5, kind="item",
                           block=whole.block)
    assert _whole_lists([alone], every) == [alone]
    assert _whole_lists([item], [s for s in every if s.kind != "list"]) == [item]
