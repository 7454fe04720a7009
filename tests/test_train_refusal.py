"""Issue #16: make train-refusal reads each ClapNQ training question's answerability features through the reader
that never saw it (scripts/train_refusal.py, session 52): the reader is trained on ClapNQ's training half, so the
refusal is fitted on the logits of the fold readers, each trained without one fold."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import train_refusal as tr  # noqa: E402
from training_data import fold_of  # noqa: E402


def _reader(name: str, questions: dict | None = None, without: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, change=SimpleNamespace(
        meta={"questions": questions or {}, "without_clapnq_fold": without}, digest=f"digest-{name}"))


def test_a_clapnq_question_is_read_by_the_reader_trained_without_its_fold():
    main, folds = _reader("main"), (_reader("without-0"), _reader("without-1"))
    for qid in (f"clapnq-{i}" for i in range(20)):
        k = fold_of("clapnq", qid, 2)
        assert tr.reader_of("clapnq", qid, main, folds) is folds[k]
        assert tr.reader_of("clapnq-removed", qid, main, folds) is folds[k]  # asked without its documents
        assert tr.reader_of("heldout3", qid, main, folds) is main  # a programme's question: never trained on
        assert tr.reader_of("clapnq", qid, main, ()) is main  # no fold readers: a reader without ClapNQ


def test_fold_readers_are_required_for_a_reader_trained_on_clapnq_and_must_be_in_fold_order(monkeypatch):
    trained = _reader("main", {"synthetic-corpus": 3, "clapnq": 2, "clapnq-unanswerable": 2})
    with pytest.raises(SystemExit, match="--fold-readers"):
        tr.fold_answerability_readers(None, trained)
    assert tr.fold_answerability_readers(None, _reader("old", {"synthetic-corpus": 3})) == ((), [])
    assert tr.fold_answerability_readers(None, None) == ((), [])
    files = {"a.npz": _reader("a", without=0), "b.npz": _reader("b", without=1)}
    monkeypatch.setattr(tr, "answerability_reader", lambda value: (files[value], files[value].change.digest))
    readers, digests = tr.fold_answerability_readers("a.npz,b.npz", trained)
    assert [r.name for r in readers] == ["a", "b"] and digests == ["digest-a", "digest-b"]
    with pytest.raises(SystemExit, match=r"b.npz was trained without ClapNQ fold 1, not 0.*--without-fold 0"):
        tr.fold_answerability_readers("b.npz,a.npz", trained)
    with pytest.raises(SystemExit, match="give 2 files"):
        tr.fold_answerability_readers("a.npz", trained)
    with pytest.raises(SystemExit, match="needs an answerability reader"):
        tr.fold_answerability_readers("a.npz,b.npz", None)


def test_each_training_question_is_weighted_by_its_source():
    """Session 59: the spent development sets' questions weigh ``--spent-weight``, a programme's training set's (and
    its answer-removed copies) ``--sample-weight``, ClapNQ's ``--external-weight``."""
    sources = ["golden", "heldout3-removed", "outside2", "heldout14", "bsdsp11", "clapnq", "clapnq-removed"]
    assert tr.question_weights(sources, 3.0, 6.0, 4.0).tolist() == [3.0, 3.0, 3.0, 6.0, 6.0, 4.0, 4.0]
    # a set outside training_data.SPENT_TRAINING (held-out 50, first run after the packaged fit) weighs as no spent set
    assert tr.question_weights(["heldout50"], 3.0, 6.0, 1.0).tolist() == [1.0]
