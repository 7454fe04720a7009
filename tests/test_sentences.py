"""Sentence spans (text/sentences.py): abbreviations are not sentence ends."""

from programme_assistant.text.sentences import sentence_spans


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_a_numbers_abbreviation_before_a_number_is_not_a_sentence_end() -> None:
    text = "R2R webinar no. 5 was on food tech. Webinars nos. 3 and 4 followed. Item No. 2 was kept."
    assert split(text) == ["R2R webinar no. 5 was on food tech.", "Webinars nos. 3 and 4 followed.",
                           "Item No. 2 was kept."]


def test_no_at_the_end_of_a_sentence_still_ends_it() -> None:
    assert split("Was it approved? The answer was no. Nobody voted for it.") == [
        "Was it approved?", "The answer was no.", "Nobody voted for it."]


def test_dates_and_titles_stay_whole() -> None:
    assert split("Dr. Smith arrived on 13 Nov. 2022 in Kyoto. He left.") == [
        "Dr. Smith arrived on 13 Nov. 2022 in Kyoto.", "He left."]


def test_a_stop_inside_brackets_that_close_later_is_not_a_sentence_end() -> None:
    """Whatever the abbreviation ("Eng.", "Hon."), a stop inside brackets that the text closes further on does not end
    the sentence; one right before the closing bracket does."""
    text = "Present: Tartu (Ms Kadri Pärnoja), Maputo (Eng. Celeste Mucavele), Lusaka (Hon. Mwila Banda). Quorum."
    assert split(text) == ["Present: Tartu (Ms Kadri Pärnoja), Maputo (Eng. Celeste Mucavele), Lusaka (Hon. Mwila "
                           "Banda).", "Quorum."]
    assert split("It was approved (see item 4.) The next item was the budget.")[1] == "The next item was the budget."
    assert split("A stray bracket (never closed. The next sentence stands.") == [
        "A stray bracket (never closed.", "The next sentence stands."]
