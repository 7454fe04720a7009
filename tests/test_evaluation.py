"""Scorers on hand-made cases (perfect, wrong, refusal, partial); reports, comparison and thresholds."""

from __future__ import annotations

import json
import re

import pytest

from programme_assistant.answering.prompts import REFUSAL_TEXT
from programme_assistant.evaluation import (
    citation_precision,
    citation_recall,
    fact_recall,
    groundedness,
    hit_at,
    mrr_at,
    ndcg_at,
    percentile,
    score_case,
    summarise,
    token_f1,
)
from programme_assistant.evaluation.cases import GoldenCase, normalise
from programme_assistant.evaluation.report import check_thresholds, compare, write_report
from programme_assistant.models import Answer, Chunk, Citation, RetrievedChunk


def test_retrieval_metrics():
    ranked = ["a", "b", "c", "d"]
    assert hit_at(ranked, ["c"], 3) == 1.0 and hit_at(ranked, ["d"], 3) == 0.0
    assert mrr_at(ranked, ["b", "d"]) == 0.5 and mrr_at(ranked, ["z"]) == 0.0
    assert ndcg_at(ranked, ["a"]) == 1.0
    assert ndcg_at(ranked, ["a", "b"]) == pytest.approx(1.0)
    assert 0 < ndcg_at(ranked, ["b"]) < 1 and ndcg_at(ranked, ["z"]) == 0.0


def test_fact_recall_perfect_partial_wrong_and_accents():
    assert fact_recall("Group B went to Osaka and Oita [1].", ["Osaka", "Oita"]) == 1.0
    assert fact_recall("Group B went to Osaka [1].", ["Osaka", "Oita"]) == 0.5
    assert fact_recall("They went to Aichi.", ["Osaka", "Oita"]) == 0.0
    assert fact_recall("Held at Palau  Robert, Catalunya", ["palau robert", "Catalunyá"]) == 1.0


def test_token_f1():
    assert token_f1("Osaka and Oita [1].", "Osaka and Oita") == 1.0
    assert token_f1("Aichi", "Osaka and Oita") == 0.0
    assert 0 < token_f1("Group B visited Osaka", "Osaka and Oita") < 1
    assert token_f1(REFUSAL_TEXT, "The documents do not give the total budget.") < 0.5


def test_citation_metrics():
    assert citation_precision(["a", "b"], ["a"]) == 0.5 and citation_precision([], ["a"]) == 0.0
    assert citation_recall(["a"], ["a", "b"]) == 0.5 and citation_recall(["a", "b"], ["a", "b"]) == 1.0


def test_groundedness():
    assert groundedness("Osaka and Oita [1]. Palau Robert [2].", []) == 1.0
    text = "Osaka and Oita [1]. Pigs fly over the moon today [2]."
    assert groundedness(text, ["Pigs fly over the moon today."]) == 0.5
    assert groundedness("A claim with no citation at all here.", []) == 0.0


def test_percentile():
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([5], 95) == 5
    with pytest.raises(ValueError):  # one percentile for evals and benchmarks: undefined for no values
        percentile([], 50)


def _answer(text: str, doc_ids: list[str], refused: bool = False, retrieved: list[str] | None = None) -> Answer:
    cites = [Citation(i + 1, f"c{i}", d, d, None, "news", "", None, "-", None, "p", "q", 0, 1)
             for i, d in enumerate(doc_ids)]
    rs = [RetrievedChunk(Chunk(f"r{i}", d, "t", 0, 1, 0), d, None, "news", "en", "-")
          for i, d in enumerate(retrieved or doc_ids)]
    return Answer(question="q", text=text, citations=cites, refused=refused, retrieved=rs,
                  timings={"total": 0.1, "retrieve": 0.05})


CASE = GoldenCase(id="sf-1", category="single_fact", question="Which prefectures did Group B visit?",
                  reference_answer="Osaka and Oita.", required_facts=["Osaka", "Oita"], expected_doc_ids=["a.md"])
REFUSE = GoldenCase(id="uoff-1", category="unanswerable_off_topic", question="Best pizza?",
                    reference_answer=REFUSAL_TEXT)


def test_score_case_perfect_wrong_refusal_partial():
    perfect = score_case(CASE, _answer("Group B visited Osaka and Oita [1].", ["a.md"]))
    assert (perfect.fact_recall, perfect.hit1, perfect.citation_precision, perfect.failed) == (1.0, 1.0, 1.0, False)
    wrong = score_case(CASE, _answer("Group B visited Aichi [1].", ["b.md"], retrieved=["b.md", "c.md"]))
    assert (wrong.fact_recall, wrong.hit5, wrong.citation_precision, wrong.failed) == (0.0, 0.0, 0.0, True)
    refused = score_case(CASE, _answer(REFUSAL_TEXT, [], refused=True, retrieved=["a.md"]))
    assert refused.fact_recall == 0.0 and refused.failed and refused.missing_facts == ["Osaka", "Oita"]
    partial = score_case(CASE, _answer("Osaka [1].", ["a.md"]))
    assert partial.fact_recall == 0.5 and partial.missing_facts == ["Oita"]
    good_refusal = score_case(REFUSE, _answer(REFUSAL_TEXT, [], refused=True))
    bad_answer = score_case(REFUSE, _answer("Margherita [1].", ["a.md"]))
    assert not good_refusal.failed and bad_answer.failed
    s = summarise([perfect, wrong, refused, partial, good_refusal, bad_answer])["overall"]
    assert s["refusal_recall"] == 0.5 and s["wrong_refusal_rate"] == 0.25 and s["refusal_precision"] == 0.5
    assert s["fact_recall"] == pytest.approx((1 + 0 + 0 + 0.5) / 4, abs=1e-3)


def test_citation_precision_counts_supporting_documents_and_strict_does_not():
    case = CASE.model_copy(update={"supporting_doc_ids": ["timeline.md"]})
    result = score_case(case, _answer("Group B visited Osaka [1] and Oita [2].", ["a.md", "timeline.md"]))
    assert result.citation_precision == 1.0 and result.citation_precision_strict == 0.5
    assert result.citation_recall == 1.0  # recall is of the expected (primary) sources
    other = score_case(case, _answer("Group B visited Osaka [1] and Oita [2].", ["a.md", "unrelated.md"]))
    assert other.citation_precision == 0.5 == other.citation_precision_strict


def test_golden_case_rejects_a_document_both_expected_and_supporting():
    with pytest.raises(ValueError, match="expected or supporting"):
        CASE.model_validate({**CASE.model_dump(), "supporting_doc_ids": ["a.md"]})


def test_a_follow_up_asks_only_the_earlier_questions_and_carries_the_assistants_own_answers():
    from programme_assistant.evaluation.runner import run_golden

    asked = []

    class Recording:
        def ask(self, question, history=None):
            asked.append((question, list(history or [])))
            return _answer(f"Own answer to: {question} [1]", ["a.md"])

    case = GoldenCase(id="fu-1", category="follow_up", question="And which one came first?",
                      reference_answer="Osaka.", required_facts=["Osaka"], expected_doc_ids=["a.md"],
                      history=["Which prefectures did Group B visit?"], history_answers=["Osaka and Oita."])
    run_golden(Recording(), [case])
    # the writer's answer is documentation: never asked as a question, never carried as the assistant's answer
    first = "Which prefectures did Group B visit?"
    assert asked == [(first, []), ("And which one came first?", [(first, f"Own answer to: {first} [1]")])]
    with pytest.raises(ValueError, match="at most one per turn"):
        case.model_validate({**case.model_dump(), "history_answers": ["Osaka and Oita.", "Osaka."]})


def test_report_compare_and_thresholds(tmp_path):
    good = [score_case(CASE, _answer("Osaka and Oita [1].", ["a.md"])),
            score_case(REFUSE, _answer(REFUSAL_TEXT, [], True))]
    bad = [score_case(CASE, _answer("Osaka [1].", ["a.md"])), score_case(REFUSE, _answer("Pizza [1].", ["a.md"]))]
    for rs in (good, bad):
        for r in rs:
            r.config = "hybrid"
    meta = {"started": "now", "cases": 2, "corpus_hash": "abc", "git_commit": "def", "embedding_model": "m"}
    old = write_report(tmp_path / "old", {"hybrid": summarise(good)}, {"hybrid": good}, meta)
    new = write_report(tmp_path / "new", {"hybrid": summarise(bad)}, {"hybrid": bad}, meta)
    page = (new / "report.html").read_text()
    assert page.count("<svg") >= 4 and "<?xml" not in page  # inline charts, self-contained
    assert "Fact recall per category" in page and "Refusals per category" in page
    assert "Failing cases" in (new / "report.md").read_text()
    assert len((new / "results.jsonl").read_text().splitlines()) == 2
    assert json.loads((new / "summary.json").read_text())["meta"]["corpus_hash"] == "abc"
    text = compare(new, old)
    assert "fact_recall" in text and "(worse)" in text and "sf-1" in text and "uoff-1" in text
    floors = tmp_path / "t.toml"
    floors.write_text("[hybrid]\nfact_recall = 0.9\nwrong_refusal_rate = 0.1\n[dense]\nhit5 = 0.5\n")
    problems = check_thresholds({"hybrid": summarise(bad)}, floors)
    assert any("fact_recall" in p for p in problems) and any("dense" in p for p in problems)
    assert not any("wrong_refusal_rate" in p for p in problems)


def test_answer_length_and_precision():
    from programme_assistant.evaluation.metrics import answer_length, answer_precision

    text = "The plenary was in Barcelona on 9 June 2023 [1]. It also covered hydrogen [2]. Lunch was served [3]."
    assert answer_length(text) == (len("The plenary was in Barcelona on 9 June 2023. It also covered hydrogen. "
                                       "Lunch was served."), 3)
    cited = {1: "a.md", 2: "b.md", 3: "c.md"}
    # sentence 1 holds the fact, sentence 2 cites an expected document, sentence 3 is padding
    assert answer_precision(text, cited, ["9 June 2023"], ["b.md"]) == pytest.approx(2 / 3)
    assert answer_precision("", cited, ["x"], ["a.md"]) == 0.0
    # a framing sentence (no citation, a few words) is not a claim: "Source in Spanish." leaves the share as it is
    assert answer_precision(f"Source in Spanish. {text}", cited, ["9 June 2023"], ["b.md"]) == pytest.approx(2 / 3)
    # an uncited sentence that says something is padding
    padded = f"{text} The delegates also enjoyed a long dinner by the river."
    assert answer_precision(padded, cited, ["9 June 2023"], ["b.md"]) == pytest.approx(2 / 4)


def test_quote_support_checks_that_each_quote_holds_what_its_sentence_says():
    from programme_assistant.evaluation.metrics import quote_holds, quote_support

    text = "The plenary was in Barcelona on 9 June 2023 [1]. Budget: 40,000 euros for the year [2]."
    right = {1: "The plenary was held in Barcelona on 9 June 2023.", 2: "Budget: 40,000 euros for the year."}
    assert quote_support(text, right) == 1.0
    # [2]'s quote is a look-alike line of the same table: the reader is shown the wrong line
    assert quote_support(text, {**right, 2: "Budget: 25,000 euros for the pilot."}) == 0.5
    # a quote of a whole paragraph does not show which statement the answer took
    long = ("The plenary was in Barcelona on 9 June 2023. Catalonia welcomed the delegates at the Palau Robert. "
            "Each region gave a short report. The next meeting was set for the autumn in Tokyo.")
    assert not quote_holds(long, "The plenary was in Barcelona on 9 June 2023.")
    # a table row is shown with its column names, which its quote (the row itself) does not repeat
    assert quote_holds("| Hiroshima | Japan | Group A |", "Territory: Hiroshima; Country: Japan; Group: Group A.")
    # a citation no sentence carries is left out; nothing cited is 0
    assert quote_support(text, {**right, 3: "Something else entirely."}) == 1.0
    assert quote_support("No markers here.", {}) == 0.0


def test_charts_have_titles_full_labels_legends_and_a_log_latency_axis():
    from programme_assistant.evaluation.plots import bars_per_category, latency_histogram, log_edges

    long_name = "unanswerable-out-of-scope"
    svg = bars_per_category("Fact recall per category", ["follow-up", long_name],
                            {"hybrid": [0.5, None], "bm25": [0.25, 0.0]})
    assert svg.startswith("<svg") and 'class="plot"' in svg and "<title>Fact recall per category</title>" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg) + re.findall(r"<!-- (.*?) -->", svg)
    shown = " ".join(texts)
    assert long_name in shown  # the whole category name, not "unanswera..."
    assert "n/a" in shown and "0.00" in shown  # not measured is not zero
    assert "hybrid" in shown and "bm25" in shown and "config" in shown  # legend
    latency = latency_histogram("End-to-end latency per case", {"hybrid": [40.0, 55.0, 60.0, 80.0, 50722.0]})
    assert "End-to-end latency per case" in latency and "log scale" in latency
    assert "p50" in latency and "p95" in latency
    edges = log_edges(40.0, 50722.0, 24)
    assert len(edges) == 25 and edges[0] == 40.0 and edges[-1] == 50722.0
    fast = (40.0, 55.0, 60.0, 80.0)
    per_bin = [sum(1 for v in fast if lo <= v < hi) for lo, hi in zip(edges, edges[1:], strict=False)]
    assert max(per_bin) < 4  # the fast cases are no longer one bar
    assert latency_histogram("none", {"hybrid": []}) == ""


class _Result:
    def __init__(self, failed: bool) -> None:
        self.failed = failed


def _run_progress(console, configs=("hybrid", "bm25"), cases=25):
    """Each config's index syncs for 300 s, then each case takes 1 s (a fake clock)."""
    from programme_assistant.cli import _EvalProgress

    now = [0.0]
    with _EvalProgress(list(configs), cases, console=console, clock=lambda: now[0]) as progress:
        for name in configs:
            progress.start_config(name)
            now[0] += 300.0
            for i in range(cases):
                now[0] += 1.0
                progress.case(_Result(failed=i % 5 == 0))


def test_eval_progress_in_a_log_is_a_few_plain_lines():
    import io

    from rich.console import Console

    out = io.StringIO()
    _run_progress(Console(file=out, force_terminal=False, width=200), cases=240)
    text = out.getvalue()
    lines = text.splitlines()
    assert "\r" not in text and "\x1b" not in text  # no carriage returns, no escape codes in a CI log
    assert len(lines) <= 2 * 12  # per config: a start line, one a tenth, an end line
    assert lines[0] == "eval hybrid: config 1/2, 240 cases"
    # the time left comes from the cases' pace (1 s each), not from the 300 s the index took to sync
    assert "eval hybrid: 24/240 cases, 5 failing; all configs 24/480, 5:24 elapsed, about 7:36 left" in lines
    assert "eval hybrid: 240 cases, 48 failing" in text and "eval bm25: 240 cases, 48 failing" in text


def test_eval_progress_on_a_terminal_is_a_live_bar():
    import io

    from rich.console import Console

    out = io.StringIO()
    _run_progress(Console(file=out, force_terminal=True, width=160), cases=3)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "hybrid (1/2)" in text and "bm25 (2/2)" in text and "failing" in text and "left" in text
    assert "eval bm25: 3 cases, 1 failing" in text  # the per-config summary stays when the bar goes


def test_a_paired_delta_tells_a_clear_change_from_noise():
    from programme_assistant.evaluation.stats import paired_delta

    same = paired_delta([1.0, 0.0] * 15, [1.0, 0.0] * 15)
    assert (same.delta, same.low, same.high, same.better, same.worse) == (0.0, 0.0, 0.0, 0, 0)
    assert not same.clear and same.describe().endswith("within noise")
    one = paired_delta([0.0] * 30, [1.0] + [0.0] * 29)  # one question of thirty changed
    assert round(one.delta, 3) == 0.033 and one.better == 1 and not one.clear
    many = paired_delta([0.0] * 30, [1.0] * 12 + [0.0] * 18)
    assert many.clear and many.low > 0 and many.describe().endswith("better")
    fewer_refusals = paired_delta([1.0] * 10 + [0.0] * 20, [0.0] * 30)
    assert fewer_refusals.describe(lower_is_better=True).endswith("better")
    assert paired_delta([0.0, 1.0], [1.0, 1.0]) == paired_delta([0.0, 1.0], [1.0, 1.0])  # seeded: reproducible
    with pytest.raises(ValueError, match="differ in number"):
        paired_delta([1.0], [1.0, 0.0])


def test_compare_pairs_the_cases_and_the_cli_names_a_folder_that_is_not_a_report(tmp_path, capsys):
    from programme_assistant.cli import main

    good = [score_case(CASE, _answer("Osaka and Oita [1].", ["a.md"])),
            score_case(REFUSE, _answer(REFUSAL_TEXT, [], True))]
    bad = [score_case(CASE, _answer("Osaka [1].", ["a.md"])), score_case(REFUSE, _answer("Pizza [1].", ["a.md"]))]
    for r in good + bad:
        r.config = "hybrid"
    meta = {"started": "now", "cases": 2, "corpus_hash": "abc", "git_commit": "def", "embedding_model": "m"}
    old = write_report(tmp_path / "old", {"hybrid": summarise(good)}, {"hybrid": good}, meta)
    new = write_report(tmp_path / "new", {"hybrid": summarise(bad)}, {"hybrid": bad}, meta)
    assert main(["compare", str(new), str(old)]) == 0
    out = capsys.readouterr().out
    assert "paired over the same cases" in out
    assert "fact_recall" in out and "1 cases: 0 better, 1 worse" in out
    assert "unanswerable refused" in out
    assert main(["compare", str(new), str(tmp_path)]) == 2
    assert "is not an eval report folder" in capsys.readouterr().err


def test_the_sets_table_has_a_row_per_set_and_pools_cases_not_set_means():
    from programme_assistant.evaluation.report import sets_table
    from programme_assistant.evaluation.runner import CaseResult

    def case(i, answerable=True, fact_recall=1.0, refused=False):
        return CaseResult(id=f"c{i}", category="single_fact", question="q", history=[], reference="", answer="a",
                          refused=refused, answerable=answerable, standalone="q", retrieved_docs=[], cited_docs=[],
                          expected_docs=[], fact_recall=fact_recall, answer_chars=100 + i)

    small = [case(1, fact_recall=0.0)]  # one answerable case that misses
    large = [case(i) for i in range(2, 5)] + [case(5, answerable=False, refused=True)]
    table = sets_table({"small": small, "large": large}, {"both": ["small", "large"], "none": ["absent"]})
    rows = {line.split(" | ")[0].strip("| *"): line.split(" | ") for line in table.splitlines()[2:]}
    assert list(rows) == ["small", "large", "both"]  # a pool of sets that were not run is left out
    header = [h.strip("| ") for h in table.splitlines()[0].split(" | ")]
    fact_recall, refused = header.index("fact recall"), header.index("unanswerable refused")
    assert rows["small"][fact_recall] == "0.0" and rows["large"][fact_recall] == "1.0"
    assert float(rows["both"][fact_recall]) == 0.75  # 3 of 4 answerable cases, not the mean of the sets' 0 and 1
    assert rows["small"][refused].strip(" |") == "-" and rows["both"][refused].strip(" |") == "1.0"
    assert rows["both"][header.index("answerable")] == "4"


def test_where_a_missing_fact_was_lost_retrieval_or_the_answer():
    from programme_assistant.evaluation.metrics import where_lost

    given = [("minutes.md", "The meeting was held at Europa House, Tokyo."), ("news.md", "Group B went to Oita.")]
    assert where_lost("Europa House", False, given, ["minutes.md"]) == "answer"  # given, not quoted
    assert where_lost("europa  HOUSE", False, given, ["other.md"]) == "answer"  # matched as fact recall matches
    assert where_lost("30 October 2023", False, given, ["minutes.md"]) == "passage"  # its document, another passage
    assert where_lost("30 October 2023", False, given, ["report.md"]) == "document"
    assert where_lost("Europa House", True, given, ["minutes.md"]) == "refused"
    # with the documents read: which of them holds the fact
    assert where_lost("30 October 2023", False, given, ["minutes.md", "report.md"], ["report.md"]) == "document"
    assert where_lost("30 October 2023", False, given, ["minutes.md", "report.md"], ["minutes.md"]) == "passage"
    assert where_lost("30 October 2023", False, given, ["minutes.md"], []) == "unwritten"  # the set's fact is wrong


def _given(text: str, passages: list[tuple[str, str]], cited: list[str], refused: bool = False) -> Answer:
    answer = _answer(text, cited, refused=refused)
    answer.retrieved = [RetrievedChunk(Chunk(f"r{i}", d, t, 0, len(t), i), d, None, "news", "en", "-")
                        for i, (d, t) in enumerate(passages)]
    return answer


def test_each_missing_fact_carries_its_stage_and_the_stages_share_the_required_facts():
    from programme_assistant.evaluation.report import render_markdown

    case = GoldenCase(id="mf-1", category="multi_doc", question="Where and when was the fourth meeting?",
                      reference_answer="At Europa House on 30 October 2023.",
                      required_facts=["Europa House", "30 October 2023", "hybrid"],
                      expected_doc_ids=["minutes.md"], supporting_doc_ids=["timeline.md"])
    passages = [("minutes.md", "It took place at Europa House in Tokyo."), ("news.md", "A hybrid format was used.")]
    result = score_case(case, _given("It took place in Tokyo [1].", passages, ["minutes.md"]))
    # every fact is missing: two are in a passage given to the answer; the date is in no passage, but an expected
    # document was retrieved
    assert result.lost_at == {"Europa House": "answer", "30 October 2023": "passage", "hybrid": "answer"}
    elsewhere = score_case(case, _given("It took place in Tokyo [1].", [("news.md", "Tokyo.")], ["news.md"]))
    assert set(elsewhere.lost_at.values()) == {"document"}
    found = score_case(case, _given("At Europa House on 30 October 2023, hybrid [1].", passages, ["minutes.md"]))
    assert found.lost_at == {} and found.fact_recall == 1.0
    refused = score_case(case, _given(REFUSAL_TEXT, passages, [], refused=True))
    assert set(refused.lost_at.values()) == {"refused"}
    for r in (result, elsewhere, found, refused):
        r.config = "hybrid"
    overall = summarise([result, elsewhere, found, refused])["overall"]
    # 12 required facts: 3 found, 2 lost by the answer, 1 + 3 by retrieval, 3 by refusing
    assert (overall["lost_answer"], overall["lost_passage"], overall["lost_document"], overall["lost_refused"]) == (
        round(2 / 12, 3), round(1 / 12, 3), 0.25, 0.25)
    assert overall["lost_retrieval"] == round(4 / 12, 3)
    # with the documents read, the date is in the timeline, which was not retrieved
    texts = {"minutes.md": "It took place at Europa House in Tokyo. A hybrid format.", "timeline.md": "30 October 2023"}
    exact = score_case(case, _given("It took place in Tokyo [1].", passages, ["minutes.md"]),
                       document_text=lambda d: normalise(texts.get(d, "")))
    assert exact.lost_at == {"Europa House": "answer", "30 October 2023": "document", "hybrid": "answer"}
    texts["timeline.md"] = ""  # a fact no expected document holds is the set's
    assert score_case(case, _given("It took place in Tokyo [1].", passages, ["minutes.md"]),
                      document_text=lambda d: normalise(texts.get(d, ""))).lost_at["30 October 2023"] == "unwritten"
    text = render_markdown({"hybrid": summarise([result])}, {"hybrid": [result]}, {"started": "now"})
    assert "## Where the missing facts were lost: hybrid" in text
    # per category too: a multi-document question's facts lost by retrieval or by the answer
    by_category = text.split("## By category: hybrid")[1].split("##")[0]
    assert "lost_retrieval | lost_answer |" in by_category and "| multi_doc | 1 |" in by_category
    assert "30 October 2023 (its document retrieved, not the passage holding it)" in text
    assert "Europa House (in the passages, not quoted)" in text


def test_the_run_reads_each_expected_document_once_and_one_it_cannot_read_holds_nothing():
    from types import SimpleNamespace

    from programme_assistant.errors import DocumentError
    from programme_assistant.evaluation.runner import document_reader

    reads = []

    def document(doc_id):
        reads.append(doc_id)
        if doc_id == "gone.md":
            raise DocumentError(doc_id, "is not in the corpus folder", "sync again")
        return SimpleNamespace(text="Held at  EUROPA House.")

    read = document_reader(SimpleNamespace(document=document))
    assert read("minutes.md") == normalise("Held at Europa House.") and read("gone.md") == ""
    read("minutes.md")
    assert reads == ["minutes.md", "gone.md"]  # kept for the run
    assert document_reader(SimpleNamespace()) is None  # an assistant that reads no documents: the passages alone
