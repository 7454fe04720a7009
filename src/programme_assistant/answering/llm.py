"""The LLM answerer: a chat model writes the answer from numbered passages, citing them with ``[n]``.

The model's markers are mapped back to passages only by ``citations.resolve``, which also renumbers them,
drops markers that point nowhere and flags cited sentences their passages do not support.
"""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from programme_assistant.answering.base import refusal_answer
from programme_assistant.citations import resolve, strip_markers
from programme_assistant.models import Answer, RetrievedChunk
from programme_assistant.prompts import ANSWER_SYSTEM_PROMPT, REFUSAL_TEXT, answer_prompt

_QUOTES = "\"'“”‘’`*_ "


def answer_messages(question: str, passages: list[RetrievedChunk]) -> list[BaseMessage]:
    return [SystemMessage(ANSWER_SYSTEM_PROMPT), HumanMessage(answer_prompt(question, passages))]


def is_refusal(text: str) -> bool:
    """Whether the model's reply is empty, or is or starts with the refusal sentence (quotes, case and
    markers aside)."""
    reply = strip_markers(text).strip(_QUOTES).casefold()
    return not reply or reply.startswith(REFUSAL_TEXT.rstrip(".").casefold())


def model_name(chat_model: BaseChatModel) -> str:
    for attribute in ("model_name", "model"):
        value = getattr(chat_model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return chat_model._llm_type


class LLMAnswerer:
    """Answers with ``chat_model``; same ``Answer`` out as the extractive answerer."""

    def __init__(self, chat_model: BaseChatModel, name: str | None = None) -> None:
        self.chat_model = chat_model
        self.name = name or f"llm:{model_name(chat_model)}"

    def answer(self, question: str, passages: list[RetrievedChunk]) -> Answer:
        if not passages:
            return refusal_answer(question, passages, self.name)
        reply = self.chat_model.invoke(answer_messages(question, passages))
        return self._finish(question, passages, reply.text)

    def stream(self, question: str, passages: list[RetrievedChunk]) -> Iterator[str | Answer]:
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
        return Answer(question=question, text=resolved.text, citations=resolved.citations,
                      unsupported=resolved.unsupported, answerer=self.name)
