"""The English gloss of questions asked in Spanish, Italian, Catalan or French (crosslingual.py)."""

from __future__ import annotations

from importlib import resources

from programme_assistant.text.language import detect_language, gloss, lexicon, to_english


def test_lexicon_is_a_documented_data_file():
    text = resources.files("programme_assistant.text").joinpath("data", "crosslingual_lexicon.tsv").read_text("utf-8")
    assert text.startswith("#") and "How it was built" in text
    words = lexicon()
    assert set(words) == {"es", "it", "ca", "fr"}
    assert all(len(words[lang]) > 200 for lang in words)
    assert words["es"]["reunion"] == "meeting" and words["fr"]["quand"] == "when"


def test_language_detection():
    def detect(question: str) -> str:
        return detect_language(question, among_lexicon=True)

    assert detect("¿En qué edificio se celebró la tercera reunión plenaria de intercambio?") == "es"
    assert detect("Quali prefetture ha accolto l'Emilia-Romagna nella prima tappa?") == "it"
    assert detect("Quan va inaugurar Casa Asia la seu temporal al barri del Raval?") == "ca"
    assert detect("Depuis quelle année le CEEVO dispose-t-il d'un bureau à Osaka ?") == "fr"
    assert detect("Who opened the launch event in Keihanna?") == "en"


def test_gloss_translates_words_and_keeps_names():
    english = gloss("¿Dónde y cuándo tuvo lugar la cuarta reunión de intercambio del R2R en Tokio?", "es")
    assert english.split()[:2] == ["where", "when"]
    assert "took place" in english and "fourth" in english and "meeting exchange" in english
    assert "R2R" in english and "Tokio" in english and " la " not in f" {english} "
    assert "has it" in gloss("le CEEVO dispose-t-il d'un bureau", "fr")


def test_to_english_only_for_other_languages():
    assert to_english("Which prefectures did Group B visit in November 2022?") is None
    assert to_english("¿Cuántas personas formaban la delegación japonesa?") == \
        "how many people made up delegation Japanese"
    assert to_english("And Oita's?") is None


def test_english_gloss_only_for_lexicon_languages():
    from programme_assistant.text.language import english_gloss

    assert english_gloss("La delegación visitó la tercera etapa", "es") == gloss(
        "La delegación visitó la tercera etapa", "es") != ""
    assert english_gloss("The delegation visited", "en") == "" and english_gloss("Delegacja", "pl") == ""
