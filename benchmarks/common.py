"""Helpers shared by the benchmarks: a caching embedder, and small pure functions for latency summaries, ratios,
tables, generic questions, answer-overlap scoring, and where results are written."""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from programme_assistant.evaluation.metrics import percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"


class CachedEmbeddings(Embeddings):
    """The model, with every text it has embedded remembered. The external benchmark's three retrieval modes ask
    the same questions and the answerer scores mostly the same sentences, which need embedding once, not three
    times; the scaling benchmark embeds its questions before timing the searches. Vectors are the model's own,
    so scores are unchanged; only wall time shrinks."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self._documents: dict[str, Any] = {}
        self._queries: dict[str, Any] = {}

    @property
    def model_id(self) -> str:
        from programme_assistant.retrieval.embeddings import model_id_of

        return model_id_of(self.inner)

    @property
    def model(self) -> Any:
        return getattr(self.inner, "model", None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._documents]
        if missing:
            for text, vec in zip(missing, self.inner.embed_documents(missing), strict=True):
                self._documents[text] = np.asarray(vec, dtype=np.float32)
        return [self._documents[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        import numpy as np

        if text not in self._queries:
            self._queries[text] = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        return self._queries[text].tolist()


# --- numbers ------------------------------------------------------------------------------------
def time_each(call: Callable[[Any], Any], items: Iterable[Any]) -> list[float]:
    """Seconds each ``call(item)`` took, in order."""
    seconds = []
    for item in items:
        t0 = time.perf_counter()
        call(item)
        seconds.append(time.perf_counter() - t0)
    return seconds


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """n, p50, p95 and mean of a list of durations, in milliseconds."""
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "p50_ms": round(percentile(seconds, 50) * 1000, 1),
            "p95_ms": round(percentile(seconds, 95) * 1000, 1),
            "mean_ms": round(sum(seconds) / len(seconds) * 1000, 1)}


def ratio(ours: float | None, theirs: float | None, digits: int = 2) -> float | None:
    """ours / theirs, or None when either is missing or theirs is zero."""
    if ours is None or theirs is None or theirs == 0:
        return None
    return round(ours / theirs, digits)


def fmt(value: Any, digits: int = 1) -> str:
    """A table cell: '-' for missing, fixed decimals for floats."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table; cells are formatted with ``fmt`` unless already strings."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, the table {len(headers)} columns: {row!r}")
        cells = [c if isinstance(c, str) else fmt(c) for c in row]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


# --- generic questions ----------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)


def generic_questions(titles: Sequence[str], sentences: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """``n`` questions made from the corpus itself, not from any golden set: half ask what a document
    (by its title) says, half ask about the opening words of one of its sentences. Deterministic for a seed."""
    rng = random.Random(seed)
    usable_titles = sorted({t.strip() for t in titles if t and t.strip()})
    usable_sentences = sorted({s.strip() for s in sentences if len(_WORD.findall(s)) >= 8})
    if not usable_titles and not usable_sentences:
        raise ValueError("no titles or sentences to make questions from")
    rng.shuffle(usable_titles)
    rng.shuffle(usable_sentences)
    out: list[str] = []
    for i in range(n):
        from_title = (i % 2 == 0 and usable_titles) or not usable_sentences
        if from_title:
            out.append(f"What does '{usable_titles[(i // 2) % len(usable_titles)]}' say?")
        else:
            words = _WORD.findall(usable_sentences[(i // 2) % len(usable_sentences)])
            out.append("What do the documents say about " + " ".join(words[:10]) + "?")
    return out


# --- answer overlap -------------------------------------------------------------------------------
_MARKER = re.compile(r"\s*\[\d+\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({ch: " " for ch in string.punctuation + "“”‘’–—"})


def strip_markers(text: str) -> str:
    """An answer without its ``[n]`` citation markers."""
    return _MARKER.sub("", text)


def answer_tokens(text: str) -> list[str]:
    """SQuAD-style normalisation: lower case, no punctuation, no articles, whitespace-split."""
    return _ARTICLES.sub(" ", strip_markers(text).lower().translate(_PUNCT)).split()


def token_prf(prediction: str, reference: str) -> dict[str, float]:
    """Token precision, recall and F1 of an answer against a reference (bag of tokens, SQuAD style)."""
    pred, ref = answer_tokens(prediction), answer_tokens(reference)
    if not pred or not ref:
        same = float(pred == ref)
        return {"precision": same, "recall": same, "f1": same}
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall = common / len(pred), common / len(ref)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def token_f1(prediction: str, reference: str) -> float:
    return token_prf(prediction, reference)["f1"]


def spaced(text: str) -> str:
    """Tokens joined by single spaces: makes 'year .' (tokenised source text) and 'year.' compare equal."""
    return " ".join(answer_tokens(text))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: ``VmHWM`` from /proc (Linux), else ``ru_maxrss``.

    ``ru_maxrss`` is not used on Linux because a process started by fork + exec inherits its parent's high-water
    mark, so a small child of a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- results --------------------------------------------------------------------------------------
def write_results(out_dir: Path, name: str, data: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{name}.json", out_dir / f"{name}.md"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown.rstrip() + "\n", encoding="utf-8")
    return json_path, md_path


def machine_info() -> dict[str, Any]:
    """What the figures were measured on (the load average says how busy the machine was)."""
    import os
    import platform

    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()}
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info
