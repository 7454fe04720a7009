"""Follow-up questions -> standalone search queries, written by a chat model from the conversation."""

from __future__ import annotations

import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from programme_assistant.prompts import REWRITE_SYSTEM_PROMPT, rewrite_prompt

# Labels small models put before the query, despite being asked not to.
_PREFIX = re.compile(r"^\s*(?:standalone\s+)?(?:search\s+)?(?:query|question|rewritten\s+\w+)\s*:\s*", re.I)
_QUOTES = "\"'“”‘’`*"


def clean_query(reply: str) -> str:
    """The first non-empty line of ``reply`` without a "Query:" style label or surrounding quotes."""
    for line in reply.splitlines():
        query = _PREFIX.sub("", line.strip()).strip().strip(_QUOTES).strip()
        if query:
            return query
    return ""


class LLMRewriter:
    """Rewrites a follow-up into a standalone query; the first question of a conversation is kept as is.

    Only the last ``max_turns`` exchanges are shown to the model: a follow-up refers to recent turns, and a
    shorter prompt is faster and leaves a small model less to get lost in.
    """

    def __init__(self, chat_model: BaseChatModel, max_turns: int = 3) -> None:
        self.chat_model = chat_model
        self.max_turns = max_turns

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        if not history:
            return question
        messages = [SystemMessage(REWRITE_SYSTEM_PROMPT),
                    HumanMessage(rewrite_prompt(question, history[-self.max_turns:]))]
        return clean_query(self.chat_model.invoke(messages).text) or question
