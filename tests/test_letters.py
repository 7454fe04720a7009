import re

from programme_assistant.text.letters import LOWER, UPPER


def test_the_case_classes_hold_the_letters_of_every_script_with_case_and_nothing_else():
    upper, lower = re.compile(UPPER), re.compile(LOWER)
    assert all(upper.fullmatch(c) for c in "AZÉÖŠŁŌΑДĞ")
    assert all(lower.fullmatch(c) for c in "azéöšłōαдğņß")
    assert not any(upper.fullmatch(c) or lower.fullmatch(c) for c in "1_-' 東あ٣")  # uncased, digits, marks
    assert not any(upper.fullmatch(c) for c in "aéß") and not any(lower.fullmatch(c) for c in "AÉ")
    assert re.findall(rf"{UPPER}{LOWER}+", "Mr Andris Ozoliņš met Ōno in Évora") == [
        "Mr", "Andris", "Ozoliņš", "Ōno", "Évora"]
