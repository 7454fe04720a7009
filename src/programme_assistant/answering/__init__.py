"""Answerers: passages in, one ``Answer`` out (extractive by default, LLM when configured)."""

from programme_assistant.answering.base import Answerer, refusal_answer

__all__ = ["Answerer", "refusal_answer"]
