"""Named sources: finding the document a question names, and retrieval putting its passages first."""

from __future__ import annotations

from conftest import make_search, make_sync, write_md

from programme_assistant.models import Filters
from programme_assistant.retrieval.sources import SourceNamer, naming_phrases, naming_words


def test_naming_phrases_take_the_words_around_a_kind_of_document():
    assert naming_phrases("According to the Italian press note, who went?") == ["According to the Italian press note"]
    assert naming_phrases("What does the report on the food-tech webinar say?")[0].endswith(
        "report the food-tech webinar say")
    assert naming_phrases("Who went to Japan in 2022?") == []


def _namer() -> SourceNamer:
    labels = {"press/nota-stampa.md": "Nota stampa Emilia-Romagna Giappone press news Italian December 2022",
              "press/nota-prensa.md": "Una delegación visita Euskadi press news Spanish June 2023",
              "reports/mission-report.pdf": "Mission report Japan November 2022 report summary English January 2023",
              "reports/final.pdf": "Activities and results report summary English December 2023"}
    languages = {"press/nota-prensa.md": "es", "press/nota-stampa.md": "it"}
    openings = {"press/nota-prensa.md": "Nota de prensa. Euskadi (País Vasco) ha recibido a la delegación.",
                "press/nota-stampa.md": "Nota stampa. L'Emilia-Romagna ha partecipato alla missione."}
    return SourceNamer(labels, languages, openings, idf=lambda w: 1.0)


def test_a_named_document_is_found_by_its_label_and_its_english_gloss():
    namer = _namer()
    assert namer.named("According to the Italian press note, who went?").doc_id == "press/nota-stampa.md"
    # "Basque" is only in the English gloss of the Spanish note's opening ("País Vasco")
    assert namer.named("Per the Basque press note, who presented?").doc_id == "press/nota-prensa.md"
    assert namer.named("How does the mission report describe the visit?").doc_id == "reports/mission-report.pdf"


def test_a_question_in_another_language_names_a_document_with_its_own_words_for_it():
    namer = _namer()
    # the words after the kind qualify it in these languages; each counts when it or its English gloss is found
    assert namer.named("Secondo la nota stampa italiana, chi è andato?").doc_id == "press/nota-stampa.md"
    assert namer.named("Según la nota de prensa sobre Euskadi, ¿quién presentó?").doc_id == "press/nota-prensa.md"
    assert namer.named("Selon le rapport de mission, qu'ont-ils vu au Japon ?").doc_id == "reports/mission-report.pdf"
    assert naming_words("Segons la nota de premsa catalana, qui hi va anar?", "ca")[0][1][0] == "catalana catalan"
    # a kind alone names no document, nor does a word no label holds
    assert namer.named("¿Qué dice la nota de prensa?") is None
    assert namer.named("Segons l'informe, quants hi van anar?") is None


def test_a_document_is_named_by_its_whole_text_when_its_label_and_opening_do_not_name_it():
    labels = {"press/nota-prensa.md": "Una delegación visita Bilbao press news Spanish June 2023",
              "press/nota-premsa.md": "Visita a Barcelona press news Catalan June 2023",
              "guides/faq.md": "Onboarding guide and FAQ guide English November 2025"}
    contents = {"press/nota-prensa.md": {"deleg", "gobierno", "vasco", "basqu", "hydrogen"},
                "press/nota-premsa.md": {"deleg", "generalitat", "catalan"},
                # a guide that mentions press notes and the Basque one is not a press note
                "guides/faq.md": {"press", "note", "basqu", "generalitat", "catalan"}}
    read = []

    def reading() -> dict[str, set[str]]:  # the index's document_terms: read at the first question needing it
        read.append(1)
        return contents

    namer = SourceNamer(labels, {"press/nota-prensa.md": "es", "press/nota-premsa.md": "ca"}, {},
                        idf=lambda w: 1.0, contents=reading)
    assert namer.named("According to the Barcelona press note, when?").doc_id == "press/nota-premsa.md"
    assert namer.named("Who went to Japan?") is None and read == []  # named by the label, or naming nothing
    assert namer.named("According to the Basque press note, who came?").doc_id == "press/nota-prensa.md"
    assert namer.named("What did the Generalitat's press note announce?").doc_id == "press/nota-premsa.md"
    # the label and opening come first: a name they hold is not looked for in the texts
    assert namer.named("According to the Barcelona press note, when?").doc_id == "press/nota-premsa.md"
    assert namer.named("According to the hydrogen guide, who came?") is None  # the guide's text has no hydrogen
    assert read == [1]  # read once


def test_no_document_is_named_by_a_bare_kind_or_an_ambiguous_name():
    namer = _namer()
    assert namer.named("What does the report say about hydrogen?") is None  # which report?
    assert namer.named("What did the press note say?") is None  # two press notes
    assert namer.named("Who went to Japan?") is None


def test_search_puts_the_named_documents_passages_first(settings, corpus, fake_embedder):
    write_md(corpus, "press/2022-12-05-nota-stampa.md", "Clust-ER in Giappone", [
        "Nota stampa. I cluster Clust-ER Health e Clust-ER MECH hanno partecipato con il supporto di ART-ER."],
        date="2022-12-05", type="news", language="it")
    for i in range(6):
        write_md(corpus, f"news/2022-12-1{i}-agency.md", f"Agency news {i}", [
            f"The regional agency supported the clusters of Emilia-Romagna on the Japan mission, item {i}."],
            date=f"2022-12-1{i}", type="news")
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    question = "According to the Italian press note, which regional agency supported the clusters?"
    hs = make_search(sync.store, k=3, generation=lambda: sync.manifest.get_meta("last_sync"))
    assert hs.search(question)[0].chunk.doc_id == "press/2022-12-05-nota-stampa.md"
    # a filter that excludes the named document wins
    filtered = hs.search(question, Filters(languages=("en",)))
    assert all(r.chunk.doc_id.startswith("news/") for r in filtered)
