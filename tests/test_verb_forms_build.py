"""The irregular verb forms the tokenizer reads are generated from WordNet (scripts/build_verb_forms.py), not
written by hand. These tests run the generator on a small WordNet in WordNet's own file format, check the tokenizer
reads the shipped table, and that a search then meets a question's verb in a passage's irregular form."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_verb_forms  # noqa: E402

from programme_assistant.retrieval.lexical import LexicalIndex  # noqa: E402
from programme_assistant.text.sentences import STOPWORDS  # noqa: E402
from programme_assistant.text.tokens import VERB_FORMS_FILE, Tokenizer, verb_forms  # noqa: E402


def _fake_wordnet(folder: Path) -> Path:
    exc = ["went go", "met meet", "taken take", "thought think", "saw see", "appalled appal appall", "did do",
           "ghostwrote ghostwrite", "broadcast_live broadcast", "lay lie", "made make"]
    counts = [
        "thought%1:09:00:: 1 102",  # a noun of its own, often
        "made%5:00:00:man-made:00 1 7",  # an adjective: a participle, still the verb's form
        "met%1:10:00:: 1 1",  # seldom a word of its own
        "lay%2:35:00:: 1 45",  # a verb of its own ("lay the table")
    ]
    (folder / "verb.exc").write_text("\n".join(exc) + "\n", encoding="latin-1")
    (folder / "cntlist.rev").write_text("\n".join(counts) + "\n", encoding="latin-1")
    return folder


def test_irregular_forms_are_kept_unless_ambiguous_or_a_word_of_their_own(tmp_path):
    forms = build_verb_forms.verb_forms(_fake_wordnet(tmp_path), STOPWORDS)
    assert forms == {"went": "go", "met": "meet", "taken": "take", "saw": "see", "ghostwrote": "ghostwrite",
                     "made": "make"}
    # "thought" and "lay" are words of their own; "appalled" has two bases; "did" is a stop word's form;
    # multi-word entries are not tokens


def test_the_generator_writes_the_table_the_tokenizer_reads(tmp_path, capsys):
    out = tmp_path / "forms.tsv"
    assert build_verb_forms.main(["--wordnet", str(_fake_wordnet(tmp_path)), "--out", str(out)]) == 0
    assert "went\tgo\n" in out.read_text(encoding="utf-8")
    assert build_verb_forms.main(["--wordnet", str(tmp_path / "absent"), "--out", str(out)]) == 1
    assert "wordnet-base" in capsys.readouterr().err  # says what to install


def test_the_shipped_table_says_where_it_came_from_and_reads_irregular_verbs_as_their_base():
    shipped = ROOT / "src" / "programme_assistant" / "text" / "data" / VERB_FORMS_FILE
    assert "build_verb_forms.py" in shipped.read_text(encoding="utf-8").splitlines()[0]
    forms = verb_forms()
    assert forms["went"] == "go" and forms["took"] == "take" and "thought" not in forms and "left" not in forms
    tok = Tokenizer()
    assert tok("Where did the group go?") == ["group", "go"]
    assert tok("The group went to the coast and met the mayor.") == ["group", "go", "coast", "meet", "mayor"]


def test_a_question_in_the_base_form_finds_the_passage_in_the_irregular_form():
    index = LexicalIndex(["In spring the orchestra went on tour to Lisbon and Porto.",
                          "The orchestra's tour of Lisbon is planned every spring; its director goes ahead."])
    hit = index.search("Where did the orchestra go on tour?", 2)
    assert hit[0].position == 0 and hit[0].score > 0
