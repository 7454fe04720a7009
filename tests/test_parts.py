"""The parts of a question (text/parts.py): its clauses, and each item of a series it asks the same thing of."""

import pytest

from programme_assistant.text.parts import (
    distributed,
    has_lead_in,
    names_item,
    question_clauses,
    question_parts,
    series_items,
)


def test_clauses_are_parts_and_a_statement_before_the_question_stays_with_it() -> None:
    assert question_parts("Where did Group B meet in Osaka, and when did the Expo run?") == [
        "Where did Group B meet in Osaka", "when did the Expo run?"]
    assert question_parts("Kyoto agreed a deal. When was that, and did they stop in Catalonia?") == [
        "Kyoto agreed a deal. When was that", "did they stop in Catalonia?"]


def test_a_lead_in_without_a_question_word_goes_with_the_question_after_it() -> None:
    """"For colleagues in Europe" asks nothing: it was a part of its own, and the answer quoted its best statement."""
    assert question_parts("For colleagues following from Europe, when did the Expo run?") == [
        "For colleagues following from Europe, when did the Expo run?"]
    assert question_parts("Leaving the helpdesk aside, who chaired the meeting, and where was the meeting held?") == [
        "Leaving the helpdesk aside, who chaired the meeting", "where was the meeting held?"]


@pytest.mark.parametrize(("question", "parts"), [
    ("On what dates were the second and the third meetings held?",
     ["On what dates were the second meetings held?", "On what dates were the third meetings held?"]),
    ("Who hosted the second, third and fourth exchange meetings?",
     ["Who hosted the second exchange meetings?", "Who hosted the third exchange meetings?",
      "Who hosted the fourth exchange meetings?"]),
    ("What weekdays did the very first and the final meetings fall on?",
     ["What weekdays did the very first meetings fall on?", "What weekdays did the final meetings fall on?"]),
    ("Who attended the 5th and 6th Steering Committees?",
     ["Who attended the 5th Steering Committees?", "Who attended the 6th Steering Committees?"]),
    ("Which prefectures did Groups A and B visit?",
     ["Which prefectures did Group A visit?", "Which prefectures did Group B visit?"]),
    ("Which prefectures did Group A and Group B visit?",
     ["Which prefectures did Group A visit?", "Which prefectures did Group B visit?"]),
    ("What did Phase 1, 2 and 3 fund?", ["What did Phase 1 fund?", "What did Phase 2 fund?", "What did Phase 3 fund?"]),
])
def test_each_item_of_a_series_joined_by_and_is_asked_about(question: str, parts: list[str]) -> None:
    assert distributed(question) == parts
    assert question_parts(question) == parts


@pytest.mark.parametrize("question", [
    "Where and when did the fourth and final exchange meeting take place?",  # one meeting, named twice
    "Was Ljubljana in group A or group B?",  # alternatives, not items asked about each
    "Was it in Group A or Group B?",
    "What happened on 5th February and on the first day?",  # a date, not a series' item
    "What were the 2023 webinars?",
    "Did I and the team meet?",
])
def test_a_question_naming_no_series_of_items_is_one_question(question: str) -> None:
    assert distributed(question) == [question]


def test_a_short_clause_is_a_clause_but_no_part_to_look_for() -> None:
    """"..., and where?" is a question of its own (the refusal's rules leave a question of several alone), but its one
    word finds nothing: the answer is looked for by the clause before it."""
    question = "Of the four meetings, how many took place in Japan, and where?"
    assert question_clauses(question) == ["Of the four meetings, how many took place in Japan", "where?"]
    assert question_parts(question) == ["Of the four meetings, how many took place in Japan"]


def test_a_lead_in_is_told_apart_from_a_question_that_opens_with_its_question_word() -> None:
    assert has_lead_in("According to the mission report from the November 2022 trip, what is Aichi's specialisation?")
    assert has_lead_in("Kyoto agreed a deal. Adding up both rounds, how many projects were funded?")
    assert not has_lead_in("What is Aichi's specialisation, according to the mission report?")
    assert not has_lead_in("Where did Group B meet, and when did the Expo run?")


def test_each_part_of_a_series_knows_its_item_and_the_others() -> None:
    assert series_items("Where were the third and the fourth meetings held, and who chaired them?") == {
        "Where were the third meetings held": ("third", ("fourth",)),
        "Where were the fourth meetings held": ("fourth", ("third",))}
    assert series_items("Which prefectures did Groups A and B visit?") == {
        "Which prefectures did Group A visit?": ("Group A", ("Group B",)),
        "Which prefectures did Group B visit?": ("Group B", ("Group A",))}
    assert series_items("Where was the third meeting held?") == {}


@pytest.mark.parametrize(("text", "item", "named"), [
    ("Minutes of the third plenary exchange meeting", "third", True),
    ("The 3rd meeting took place in Barcelona.", "third", True),
    ("Webinar no. 3 was on start-ups.", "third", True),
    ("The fourth meeting took place in Tokyo.", "third", False),
    ("The final meeting took place in Tokyo.", "last", True),
    ("The final meeting took place in Tokyo.", "very first", False),
    ("Group A went to Aichi.", "Group A", True),
    ("group_a aichi", "Group A", True),
    ("Group B went to Osaka.", "Group A", False),
    ("Group AB went to Osaka.", "Group A", False),
])
def test_a_text_names_an_item_of_a_series_in_words_figures_or_as_a_label(text: str, item: str, named: bool) -> None:
    assert names_item(text, item) is named
