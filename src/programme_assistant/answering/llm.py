"""The LLM answerer: a chat model writes the answer from numbered passages, citing them with ``[n]``.

The model's markers are mapped back to passages only by ``citations.resolve``, which also renumbers them,
drops markers that point nowhere and flags cited sentences their passages do not support. Two things are
done around it, because models do it often: sentences left without any marker are flagged as unsupported
too, since no cited passage supports them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from programme_assistant.answering.base import refusal_answer
from programme_assistant.answering.citations import MARKER, resolve, strip_markers
from programme_assistant.answering.prompts import ANSWER_SYSTEM_PROMPT, REFUSAL_TEXT, answer_prompt
from programme_assistant.models import Answer, RetrievedChunk
from programme_assistant.text.sentences import sentence_spans

_QUOTES = "\"'“”‘’`*_ "


def answer_messages(question: str, passages: list[RetrievedChunk]) -> list[BaseMessage]:
    return [SystemMessage(ANSWER_SYSTEM_PROMPT), HumanMessage(answer_prompt(question, passages))]


def is_refusal(text: str) -> bool:
    """Whether the model's reply is empty, or is or starts with the refusal sentence (quotes, case and
    markers aside)."""
    reply = strip_markers(text).strip(_QUOTES).casefold()
    return not reply or reply.startswith(REFUSAL_TEXT.rstrip(".").casefold())


def uncited_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (markers stripped) that carry no ``[n]`` marker."""
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    uncited = []
    for i, sentence in enumerate(sentences):
        claim = strip_markers(sentence)
        cited_by_next = i + 1 < len(sentences) and not strip_markers(sentences[i + 1])  # "[1]" on its own
        if claim and not MARKER.search(sentence) and not cited_by_next:
            uncited.append(claim)
    return uncited


def model_name(chat_model: BaseChatModel) -> str:
    for attribute in ("model_name", "model"):
        value = getattr(chat_model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return chat_model._llm_type


class LLMAnswerer:
    """Answers with ``chat_model``; same ``Answer`` out as the extractive answerer."""

    reserve_passages = 0  # the model reads the retrieved passages only

    def __init__(self, chat_model: BaseChatModel, name: str | None = None) -> None:
        self.chat_model = chat_model
        self.name = name or f"llm:{model_name(chat_model)}"

    def answer(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Answer:
        if not passages:
            return refusal_answer(question, passages, self.name)
        reply = self.chat_model.invoke(answer_messages(question, passages))
        return self._finish(question, passages, reply.text)

    def stream(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Iterator[str | Answer]:
        if not passages:
            answer = refusal_answer(question, passages, self.name)
            yield answer.text
            yield answer
            return
        pieces: list[str] = []
        for chunk in self.chat_model.stream(answer_messages(question, passages)):
            if chunk.text:
                pieces.append(chunk.text)
                yield chunk.text
        yield self._finish(question, passages, "".join(pieces))

    def _finish(self, question: str, passages: list[RetrievedChunk], reply: str) -> Answer:
        if is_refusal(reply):
            return refusal_answer(question, passages, self.name)
        resolved = resolve(reply, passages)
        unsupported = resolved.unsupported + [
            claim for claim in uncited_sentences(resolved.text) if claim not in resolved.unsupported]
        return Answer(question=question, text=resolved.text, citations=resolved.citations,
                      unsupported=unsupported, answerer=self.name)
