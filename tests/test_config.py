import pytest

from programme_assistant.cli import load_settings
from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError


def test_env_prefix_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("PA_CHUNK_SIZE", "1200")
    monkeypatch.setenv("PA_CORPUS_DIR", str(tmp_path))
    s = Settings()
    assert s.chunk_size == 1200 and s.corpus_dir == tmp_path


def test_overlap_not_smaller_than_size_names_both():
    with pytest.raises(ConfigError) as err:
        Settings(chunk_size=200, chunk_overlap=200)
    assert "PA_CHUNK_OVERLAP" in str(err.value) and "PA_CHUNK_SIZE" in str(err.value)


def test_chroma_port_without_host_names_both():
    with pytest.raises(ConfigError) as err:
        Settings(chroma_port=8000)
    assert "PA_CHROMA_PORT" in str(err.value) and "PA_CHROMA_HOST" in str(err.value)


@pytest.mark.parametrize(("field", "default", "other", "bad"), [
    ("refusal_model", "learned", "off", "sometimes"),  # the learned refusal (answering/answerability.py)
    ("answer_model", "fine-tuned", "same", "bigger"),  # the answerer's statement model (answering/answer_model.py)
    ("answer_correction", "learned", "off", "maybe"),  # the learned correction of the hand-set score (ranker.py)
])
def test_a_choice_setting_has_its_default_takes_the_other_and_refuses_the_rest(monkeypatch, field, default, other,
                                                                                bad):
    variable = f"PA_{field.upper()}"
    assert getattr(Settings(), field) == default
    monkeypatch.setenv(variable, other)
    assert getattr(Settings(), field) == other
    monkeypatch.setenv(variable, bad)
    with pytest.raises(ValueError):
        Settings()


def test_bad_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("PA_CHUNK_SIZE", "big")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "PA_CHUNK_SIZE" in str(err.value) and "big" in str(err.value)


def test_server_settings_select_http_client():
    s = Settings(chroma_host="127.0.0.1", chroma_port=8123)
    assert s.uses_chroma_server


def test_packaged_model_path_is_default():
    from pathlib import Path

    assert Path(Settings().resolved_model_path()).is_dir()


def test_torch_threads_leave_a_core_free_unless_set(monkeypatch):
    import os

    from programme_assistant.config import Settings

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert Settings().resolved_torch_threads() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert Settings().resolved_torch_threads() == 7
    monkeypatch.setenv("PA_TORCH_THREADS", "2")
    assert Settings().resolved_torch_threads() == 2


def test_the_cli_lists_one_source_per_document_with_each_citation_under_it(capsys):
    from programme_assistant.cli import _print_answer
    from programme_assistant.models import Answer, Citation

    def cite(number, doc_id, quote, section):
        return Citation(number=number, chunk_id=f"c{number}", doc_id=doc_id, title=f"Title of {doc_id}",
                        date="2025-11-10", doc_type="guide", section=section, page=None, source_path="-", url=None,
                        passage=quote, quote=quote, quote_start=0, quote_end=len(quote), support=1.0)

    answer = Answer(question="q", text="A [1]. B [2]. C [3].", answerer="extractive", citations=[
        cite(1, "news/a.md", "A.", "Intro"), cite(2, "guides/whos-who.md", "| Hiroshima | Japan |", "Summary table"),
        cite(3, "guides/whos-who.md", "C.", "Visits")])
    _print_answer(answer)
    out = capsys.readouterr().out
    assert out.count("Title of guides/whos-who.md") == 1 and "[2][3] Title of guides/whos-who.md" in out
    assert out.index("Summary table") < out.index("| Hiroshima | Japan |") < out.index("Visits") < out.index("C.")
    assert out.count("Title of news/a.md") == 1


def test_the_cpu_flags_are_read_from_cpuinfo_and_none_without_it(tmp_path):
    from programme_assistant.config import cpu_flags

    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: A CPU\nflags\t\t: fpu sse2 avx2 amx_bf16 amx_tile\n"
                    "bugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(info) == {"fpu", "sse2", "avx2", "amx_bf16", "amx_tile"}
    assert cpu_flags(tmp_path / "missing") == frozenset()
    (tmp_path / "noflags").write_text("processor\t: 0\n")
    assert cpu_flags(tmp_path / "noflags") == frozenset()
