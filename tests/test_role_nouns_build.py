"""The office-holder nouns the ``person_name`` refusal rule reads are generated from WordNet
(scripts/build_role_nouns.py), not written by hand. These tests run the generator on a five-synset WordNet in
WordNet's own file format, and check the shipped list says where it came from."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_role_nouns  # noqa: E402

from programme_assistant.answering.refusal import ROLE_NOUNS_FILE, is_office, role_nouns  # noqa: E402


def _synset(offset: str, words: list[str], pointers: list[tuple[str, str]]) -> str:
    lemmas = " ".join(f"{w} 0" for w in words)
    ptrs = " ".join(f"{symbol} {target} n 0000" for symbol, target in pointers)
    return f"{offset} 18 n {len(words):02x} {lemmas} {len(pointers):03d} {ptrs} | a gloss"


def _fake_wordnet(folder: Path) -> Path:
    leader, official, authority2, authority3 = build_role_nouns.OFFICE_HOLDERS
    data = [
        "  1 This software and database is being provided to you, the LICENSEE, by Princeton University",
        _synset(leader, ["leader"], [("~", "20000001"), ("~", "20000003")]),
        _synset(official, ["official", "functionary"], [("~", "20000002")]),
        _synset(authority2, ["authority"], []),
        _synset(authority3, ["authority"], []),
        _synset("20000001", ["governor"], [("@", leader), ("~i", "20000009")]),
        _synset("20000002", ["ambassador", "embassador", "ambassador_plenipotentiary"], [("@", official)]),
        _synset("20000003", ["head", "chair"], [("@", leader)]),  # their first senses are below
        _synset("20000004", ["head"], []),  # the body part
        _synset("20000005", ["chair"], []),  # the seat
        _synset("20000006", ["host"], []),  # a person, not an office holder
        _synset("20000009", ["Jane_Doe"], [("@i", "20000001")]),  # an instance: a named governor
    ]
    index = [
        "  1 This software and database is being provided to you",
        "governor n 1 1 @ 1 0 20000001",
        "ambassador n 1 1 @ 1 0 20000002",
        "embassador n 1 1 @ 1 0 20000002",
        "head n 2 1 @ 2 0 20000004 20000003",
        "chair n 2 1 @ 2 0 20000005 20000003",
        "host n 1 0 1 0 20000006",
        f"leader n 1 1 ~ 1 0 {leader}",
        f"official n 1 1 ~ 1 0 {official}",
        f"functionary n 1 1 ~ 1 0 {official}",
        f"authority n 2 0 2 0 {authority2} {authority3}",
    ]
    (folder / "data.noun").write_text("\n".join(data) + "\n", encoding="latin-1")
    (folder / "index.noun").write_text("\n".join(index) + "\n", encoding="latin-1")
    return folder


def test_office_holders_are_nouns_whose_first_sense_is_an_office(tmp_path):
    words = build_role_nouns.role_nouns(_fake_wordnet(tmp_path))
    # one-word lemmas under leader / official / authority whose first sense is there; no instances (named
    # people), no multi-word lemmas, not "head" or "chair" (a body part and a seat first), not "host"
    assert words == ["ambassador", "authority", "embassador", "functionary", "governor", "leader", "official"]


def test_the_generator_writes_a_list_that_says_where_it_came_from(tmp_path):
    out = tmp_path / "roles.txt"
    sys.argv = ["build_role_nouns.py", "--wordnet", str(_fake_wordnet(tmp_path)), "--out", str(out)]
    build_role_nouns.main()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Office-holder nouns") and "WordNet" in lines[1]
    assert "governor" in lines


def test_the_shipped_list_is_generated_and_read_by_the_rule():
    shipped = (ROOT / "src" / "programme_assistant" / "text" / "data" / ROLE_NOUNS_FILE).read_text(encoding="utf-8")
    assert "build_role_nouns.py" in shipped.splitlines()[0]
    assert len(role_nouns()) > 300 and {"governor", "ambassador", "mayor", "minister"} <= role_nouns()
    assert not {"head", "chair", "host", "partner", "speaker"} & role_nouns()
    assert is_office("Director-General") and is_office("vice-president") and not is_office("Prefecture")
