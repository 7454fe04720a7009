"""The Chat tab: streaming answers with their sources, filters, follow-ups, thumbs up/down, and kept
conversations (a list to reopen, rename and delete; a reload comes back to the open one).

``ChatController`` holds the callbacks as plain methods (tested without a browser); ``build_chat_tab`` lays out
the components and wires the events. The callbacks only translate: the Assistant answers, the app data stores
(feedback, conversations), ``render`` draws. Conversations belong to the login user, or without a login to the
browser, which keeps a random id of its own in its local storage (``gr.BrowserState``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gradio as gr

from programme_assistant.appdata.feedback import REASONS, settings_snapshot
from programme_assistant.errors import ConfigError, ProgrammeAssistantError
from programme_assistant.models import Answer, FilterChoices, Filters
from programme_assistant.ui import render
from programme_assistant.ui.identity import owner_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from programme_assistant.appdata.conversations import Conversation
    from programme_assistant.appdata.state import AppData
    from programme_assistant.assistant import Assistant

log = logging.getLogger(__name__)
Message = dict[str, Any]
_CANCELLED = "cancelled"  # what the delete button's confirm box sends when the user says no
# on a phone the conversation list covers the chat: picking a conversation (or a new chat) closes it
_CLOSE_ON_PHONE = ("(...args) => { if (window.innerWidth < 768) "
                   "document.querySelector('.sidebar.open button.toggle-button')?.click(); return args; }")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class Turn:
    """One answered question of a conversation, kept in the session."""

    answer_id: str
    message_index: int  # index of the answer's message in the chat
    answer: Answer
    history: list[tuple[str, str]]
    filters: dict[str, Any] = field(default_factory=dict)


def parse_filters(doc_types: list[str] | None, languages: list[str] | None, date_from: Any, date_to: Any) -> Filters:
    """The filter controls as Filters. Dates come as 'YYYY-MM-DD[ ...]' strings or empty."""
    dates = []
    for label, value in (("from", date_from), ("to", date_to)):
        text = str(value or "").strip()
        if text and not _DATE.match(text):
            raise ConfigError(f"the '{label}' date {text!r} is not a date", "pick a date or clear the field")
        dates.append(text[:10] or None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise ConfigError(f"the date range starts ({dates[0]}) after it ends ({dates[1]})", "swap the two dates")
    return Filters(
        doc_types=tuple(doc_types or ()), languages=tuple(languages or ()), date_from=dates[0], date_to=dates[1]
    )


FILTER_SUMMARY_CHARS = 48  # the accordion's label stays on one line in the side column


def filters_label(doc_types: list[str] | None, languages: list[str] | None, date_from: Any, date_to: Any) -> str:
    """The Filters accordion's label, which says what is active even when the panel is closed:
    'Filters' or 'Filters (3 active: report, news · from 2023-01-01)' (each ticked value and each date counts)."""
    count = len(doc_types or ()) + len(languages or ())
    parts = [", ".join(doc_types or ()), ", ".join(languages or ())]
    for word, value in (("from", date_from), ("to", date_to)):
        text = str(value or "").strip()
        count += bool(text)
        parts.append(f"{word} {text[:10]}" if text else "")
    if not count:
        return "Filters"
    summary = " · ".join(part for part in parts if part)
    if len(summary) > FILTER_SUMMARY_CHARS:
        summary = summary[: FILTER_SUMMARY_CHARS - 1].rstrip(" ,·") + "…"
    return f"Filters ({count} active: {summary})"


def filters_dict(filters: Filters) -> dict[str, Any]:
    return {
        "doc_types": list(filters.doc_types),
        "languages": list(filters.languages),
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }


class ChatController:
    def __init__(self, assistant: Assistant, data: AppData | None = None) -> None:
        self.assistant = assistant
        self.feedback = data.feedback if data is not None else None
        self.conversations = data.conversations if data is not None else None
        self.login = bool(assistant.settings.login_credentials())
        self.max_chars = assistant.settings.max_question_chars
        # the same on every restart and every worker sharing the database (see build_chat_tab)
        self.browser_secret = hashlib.sha256(
            f"programme-assistant|{assistant.settings.resolved_database_url()}".encode()).hexdigest()[:32]

    # --- asking ---------------------------------------------------------------------------------------
    def respond(
        self,
        question: str,
        messages: list[Message] | None,
        turns: list[Turn] | None,
        doc_types: list[str] | None = None,
        languages: list[str] | None = None,
        date_from: Any = None,
        date_to: Any = None,
    ) -> Iterator[tuple[list[Message], list[Turn], str, str]]:
        """Yields (messages, turns, sources panel, question box) as the answer streams in."""
        messages, turns = list(messages or []), list(turns or [])
        question = (question or "").strip()
        if not question:
            yield list(messages), list(turns), render.sources_html(turns[-1].answer if turns else None), ""
            return
        messages.append({"role": "user", "content": render.question_html(question)})
        messages.append({"role": "assistant", "content": render.pending_html("")})
        try:
            if len(question) > self.max_chars:
                raise ConfigError(
                    f"the question is {len(question)} characters long, over the {self.max_chars} that are read",
                    "ask a shorter question (PA_MAX_QUESTION_CHARS)",
                )
            filters = parse_filters(doc_types, languages, date_from, date_to)
        except ConfigError as exc:
            messages[-1] = {"role": "assistant", "content": render.error_html(exc.message, exc.fix)}
            yield list(messages), list(turns), render.sources_html(None), question
            return
        yield list(messages), list(turns), render.sources_html(None), ""
        history = [(t.answer.question, t.answer.text) for t in turns]
        text = ""
        try:
            for item in self.assistant.ask_stream(question, history=history, filters=filters):
                if isinstance(item, Answer):
                    turn = Turn(uuid.uuid4().hex, len(messages) - 1, item, history, filters_dict(filters))
                    turns.append(turn)
                    messages[-1] = {"role": "assistant", "content": render.answer_html(item)}
                    yield list(messages), list(turns), render.sources_html(item), ""
                else:
                    text += item
                    messages[-1] = {"role": "assistant", "content": render.pending_html(text)}
                    yield list(messages), list(turns), render.sources_html(None), ""
        except ProgrammeAssistantError as exc:
            messages[-1] = {"role": "assistant", "content": render.error_html(exc.message, exc.fix)}
            yield list(messages), list(turns), render.sources_html(None), ""
        except Exception:  # noqa: BLE001 - the page must keep working; the log has the details
            log.exception("answering %r failed", question)
            messages[-1] = {
                "role": "assistant",
                "content": render.error_html(
                    "The answer could not be produced.", "try again; if it persists, the server log says why"
                ),
            }
            yield list(messages), list(turns), render.sources_html(None), ""

    def new_chat(self) -> tuple[list[Message], list[Turn], str, str]:
        return [], [], render.sources_html(None), ""

    # --- kept conversations ------------------------------------------------------------------------------
    def owner(self, headers: Mapping[str, str], client_id: str | None) -> str | None:
        """Whose conversations these are; None when they cannot be kept (no store, no identity)."""
        if self.conversations is None:
            return None
        try:
            return owner_of(headers, login=self.login, client_id=client_id or "")
        except ConfigError:
            return None

    def keep(self, owner: str | None, conversation_id: str, turn: Turn) -> str:
        """Store an answered turn in the open conversation (created with the question as title when none is
        open). Returns the conversation's id; "" when nothing is kept. A database failure loses the record,
        not the answer: it is logged and the chat goes on."""
        if owner is None or self.conversations is None:
            return conversation_id
        try:
            if not conversation_id:
                conversation_id = self.conversations.create(owner, turn.answer.question).id
            self.conversations.add_turn(owner, conversation_id, turn.answer, answer_id=turn.answer_id,
                                        filters=turn.filters)
        except ProgrammeAssistantError as exc:
            log.warning("the conversation was not saved: %s", exc)
        return conversation_id

    def conversation_choices(self, owner: str | None) -> list[tuple[str, str]]:
        """(label, id) of the owner's conversations, the most recent first."""
        if owner is None or self.conversations is None:
            return []
        try:
            listed = self.conversations.list(owner)
        except ProgrammeAssistantError as exc:
            log.warning("conversations could not be listed: %s", exc)
            return []
        return [(_label(c), c.id) for c in listed]

    def open(self, owner: str | None, conversation_id: str) -> tuple[list[Message], list[Turn], str, str]:
        """A kept conversation back in the chat: (messages, turns, sources panel, its id); an empty chat when
        it is gone or not the owner's."""
        if owner is None or self.conversations is None or not conversation_id:
            return [], [], render.sources_html(None), ""
        try:
            conv = self.conversations.get(owner, conversation_id)
        except ProgrammeAssistantError:
            return [], [], render.sources_html(None), ""
        messages: list[Message] = []
        turns: list[Turn] = []
        for t in conv.turns:
            history = [(x.answer.question, x.answer.text) for x in turns]
            messages.append({"role": "user", "content": render.question_html(t.question)})
            messages.append({"role": "assistant", "content": render.answer_html(t.answer)})
            turns.append(Turn(t.answer_id, len(messages) - 1, t.answer, history, t.filters))
        return messages, turns, render.sources_html(turns[-1].answer if turns else None), conv.id

    def rename(self, owner: str | None, conversation_id: str, title: str) -> str:
        """Rename the open conversation; returns a note for the user."""
        if owner is None or self.conversations is None:
            return "Conversations are not kept on this server."
        if not conversation_id:
            return "Ask a question first: a new chat is kept from its first answer."
        try:
            self.conversations.rename(owner, conversation_id, title or "")
        except ProgrammeAssistantError as exc:
            return f"{exc.message} ({exc.fix})" if exc.fix else exc.message
        return "Renamed."

    def delete(self, owner: str | None, conversation_id: str) -> str:
        if owner is None or self.conversations is None or not conversation_id:
            return ""
        try:
            self.conversations.delete(owner, conversation_id)
        except ProgrammeAssistantError as exc:
            return exc.message
        return "Conversation deleted."

    # --- sources ----------------------------------------------------------------------------------------
    @staticmethod
    def turn_at(turns: list[Turn] | None, message_index: int) -> Turn | None:
        """The turn whose answer (or question, just before it) is at ``message_index``."""
        for turn in turns or []:
            if message_index in (turn.message_index, turn.message_index - 1):
                return turn
        return None

    def sources_for(self, turns: list[Turn] | None, message_index: int) -> str:
        turn = self.turn_at(turns, message_index)
        return render.sources_html(turn.answer if turn else (turns[-1].answer if turns else None))

    # --- feedback ---------------------------------------------------------------------------------------
    def vote(self, turns: list[Turn] | None, message_index: int, liked: Any) -> tuple[bool, str, str]:
        """Store a thumbs up/down. Returns (ask for a reason?, answer id awaiting a reason, note for the user)."""
        turn = self.turn_at(turns, message_index)
        if turn is None or self.feedback is None:
            return False, "", ""
        if liked is True or liked is False:
            vote = "up" if liked else "down"
            self.feedback.vote(
                turn.answer_id,
                vote,
                turn.answer,
                history=turn.history,
                filters=turn.filters,
                settings=settings_snapshot(self.assistant.settings),
            )
            if vote == "down":
                return True, turn.answer_id, ""
            return False, "", "Thanks for the feedback."
        self.feedback.remove(turn.answer_id)  # the thumb was clicked again: vote taken back
        return False, "", ""

    def give_reason(self, answer_id: str, reason: str | None, comment: str | None) -> str:
        if not answer_id or self.feedback is None:
            return ""
        if reason and reason not in REASONS:
            return "Pick one of the listed reasons."
        self.feedback.set_reason(answer_id, reason or "", comment or "")
        return "Thanks: this answer will be reviewed."


def _label(conv: Conversation) -> str:
    when = conv.updated_at[:16].replace("T", " ")
    return f"{conv.title} · {when}"


def build_chat_tab(controller: ChatController, starters: list[str], choices: FilterChoices,
                   welcome: str) -> dict[str, Any]:
    """Lay out the chat tab inside the current Blocks context and wire its events."""
    # The browser's own id and its open conversation, in its local storage: a reload reopens the conversation.
    # The fixed key and secret keep them readable across restarts and by every worker of a cluster; they hide
    # nothing (the id is random and stays in this browser).
    browser = gr.BrowserState({"client_id": "", "open": ""}, storage_key="programme-assistant-chat",
                              secret=controller.browser_secret)
    conversation = gr.State("")  # the open conversation's id ("" until the first answer is kept)
    with gr.Sidebar(label="Conversations", open=True, elem_id="pa-conversations", width=280):
        gr.Markdown("### Conversations")
        new_side = gr.Button("+ New chat", variant="primary", size="sm", elem_id="pa-new-chat-side")
        listing = gr.Radio([], show_label=False, container=False, elem_id="pa-conversation-list")
        with gr.Accordion("Rename or delete the open chat", open=False, elem_id="pa-conversation-edit"):
            new_title = gr.Textbox(placeholder="A new name", show_label=False, max_length=200, lines=1,
                                   elem_id="pa-conversation-title")
            with gr.Row():
                rename = gr.Button("Rename", size="sm", elem_id="pa-conversation-rename")
                delete = gr.Button("Delete chat", size="sm", variant="stop", elem_id="pa-conversation-delete")
    with gr.Row(equal_height=False):
        with gr.Column(scale=7, min_width=420):
            chatbot = gr.Chatbot(
                elem_id="pa-chat",
                show_label=False,
                height=560,
                layout="bubble",
                placeholder=welcome,
                examples=[{"text": q} for q in starters],
                latex_delimiters=[],
                feedback_options=("Like", "Dislike"),
                buttons=["copy"],
                sanitize_html=True,
                autoscroll=True,
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    placeholder="Ask about the programme's documents…",
                    show_label=False,
                    scale=8,
                    lines=1,
                    max_lines=4,
                    autofocus=True,
                    elem_id="pa-question",
                    max_length=controller.max_chars,
                    submit_btn=False,
                )
                send = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="pa-ask")
                new = gr.Button("New chat", variant="secondary", scale=1, min_width=120, elem_id="pa-new-chat")
        with gr.Column(scale=5, min_width=320):
            # asked after a thumbs down, beside the answer it is about
            with gr.Column(visible=False, elem_id="pa-feedback") as feedback_box:
                gr.Markdown("**Thanks. What was wrong with this answer?** (optional)")
                reason = gr.Radio(list(REASONS), show_label=False, container=False)
                comment = gr.Textbox(
                    placeholder="Anything else? (optional)", show_label=False, lines=1, max_length=2000
                )
                with gr.Row():
                    send_reason = gr.Button("Send", variant="primary", size="sm")
                    skip_reason = gr.Button("Skip", size="sm")
            with gr.Accordion("Filters", open=False, elem_id="pa-filters") as filters_box:
                doc_types = gr.CheckboxGroup(choices.doc_types, label="Document type")
                languages = gr.CheckboxGroup(choices.languages, label="Language")
                with gr.Row():
                    date_from = gr.DateTime(include_time=False, type="string", label="From", value=None)
                    date_to = gr.DateTime(include_time=False, type="string", label="To", value=None)
            sources = gr.HTML(render.sources_html(None), elem_id="pa-sources")

    turns = gr.State([])
    pending = gr.State("")
    filter_inputs = [doc_types, languages, date_from, date_to]
    for control in filter_inputs:  # the closed panel still says which filters narrow the answers
        control.change(lambda *flt: gr.update(label=filters_label(*flt)), filter_inputs, filters_box, queue=False,
                       api_visibility="private", show_progress="hidden")
    ask_outputs = [chatbot, turns, sources, question]

    def owner(state: dict[str, Any] | None, request: gr.Request | None) -> str | None:
        headers = dict(request.headers) if request is not None else {}
        return controller.owner(headers, (state or {}).get("client_id"))

    def listing_update(who: str | None, open_id: str) -> Any:
        choices = controller.conversation_choices(who)
        return gr.update(choices=choices, value=open_id if any(v == open_id for _, v in choices) else None)

    def respond(q: str, msgs: list[Message], ts: list[Turn], conv: str, state: dict[str, Any] | None,
                d_types: Any, langs: Any, d_from: Any, d_to: Any, request: gr.Request) -> Iterator[Any]:
        before = len(ts or [])
        for step in controller.respond(q, msgs, ts, d_types, langs, d_from, d_to):
            if len(step[1]) > before:  # answered: kept before it is shown, so a quick follow-up finds it
                conv = controller.keep(owner(state, request), conv, step[1][-1])
                before = len(step[1])
            yield (*step, conv)

    def after_answer(conv: str, state: dict[str, Any] | None, request: gr.Request) -> tuple[Any, Any]:
        state = {**(state or {}), "open": conv}
        return listing_update(owner(state, request), conv), state

    def ensure_client(state: dict[str, Any] | None) -> dict[str, Any]:
        """The browser's id, made when it first asks (the one place that makes it: no two ids race)."""
        state = dict(state or {})
        if not state.get("client_id"):
            state["client_id"] = uuid.uuid4().hex
        return state

    ask_inputs = [question, chatbot, turns, conversation, browser, *filter_inputs]
    hide_feedback = (lambda: (gr.update(visible=False), "", None, ""), None, [feedback_box, pending, reason, comment])
    for trigger in (question.submit, send.click):
        trigger(*hide_feedback, queue=False).then(
            ensure_client, [browser], [browser], queue=False, api_visibility="private"
        ).then(
            respond, ask_inputs, [*ask_outputs, conversation], api_visibility="private"
        ).then(after_answer, [conversation, browser], [listing, browser], queue=False, api_visibility="private")

    def pick_example(evt: gr.SelectData) -> str:
        return str((evt.value or {}).get("text", "")) if isinstance(evt.value, dict) else str(evt.value or "")

    chatbot.example_select(pick_example, None, question, queue=False).then(
        ensure_client, [browser], [browser], queue=False, api_visibility="private"
    ).then(
        respond, ask_inputs, [*ask_outputs, conversation], api_visibility="private"
    ).then(after_answer, [conversation, browser], [listing, browser], queue=False, api_visibility="private")

    def start_new(state: dict[str, Any] | None) -> tuple[Any, ...]:
        state = {**(state or {}), "open": ""}
        return (*controller.new_chat(), "", gr.update(value=None), state)

    new_outputs = [*ask_outputs, conversation, listing, browser]
    for trigger, js in ((new.click, None), (new_side.click, _CLOSE_ON_PHONE), (chatbot.clear, None)):
        trigger(start_new, [browser], new_outputs, queue=False, api_visibility="private", js=js).then(
            *hide_feedback, queue=False)

    def on_open(picked: str | None, state: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        if not picked:
            return (*(gr.update() for _ in ask_outputs), gr.update(), gr.update())
        messages, ts, panel, conv = controller.open(owner(state, request), picked)
        return messages, ts, panel, "", conv, {**(state or {}), "open": conv}

    listing.input(on_open, [listing, browser], [*ask_outputs, conversation, browser], queue=False,
                  api_visibility="private", js=_CLOSE_ON_PHONE).then(*hide_feedback, queue=False)

    def on_load(state: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        state = dict(state or {})
        who = owner(state, request)  # a new browser has no id yet (ensure_client makes it at its first question)
        messages, ts, panel, conv = controller.open(who, str(state.get("open") or ""))
        if not conv:  # nothing to reopen: leave the chat and the browser's state alone (a question may be on its way)
            return (*(gr.update() for _ in range(4)), listing_update(who, ""), gr.update())
        return messages, ts, panel, conv, listing_update(who, conv), {**state, "open": conv}

    def on_rename(title: str, conv: str, state: dict[str, Any] | None, request: gr.Request) -> tuple[Any, Any]:
        who = owner(state, request)
        note = controller.rename(who, conv, title)
        if note:
            gr.Info(note)
        return listing_update(who, conv), ""

    rename.click(on_rename, [new_title, conversation, browser], [listing, new_title], queue=False,
                 api_visibility="private")
    new_title.submit(on_rename, [new_title, conversation, browser], [listing, new_title], queue=False,
                     api_visibility="private")

    def on_delete(conv: str, state: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        if conv == _CANCELLED:
            return tuple(gr.update() for _ in new_outputs)
        if not conv:
            gr.Info("No conversation is open: a new chat is kept from its first answer.")
            return tuple(gr.update() for _ in new_outputs)
        who = owner(state, request)
        note = controller.delete(who, conv)
        if note:
            gr.Info(note)
        return (*controller.new_chat(), "", listing_update(who, ""), {**(state or {}), "open": ""})

    delete.click(on_delete, [conversation, browser], new_outputs, queue=False, api_visibility="private",
                 js="(c, s) => (!c || confirm('Delete this conversation? This cannot be undone.')) "
                    f"? [c, s] : ['{_CANCELLED}', s]")

    def on_select(ts: list[Turn], evt: gr.SelectData) -> str:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        return controller.sources_for(ts, index)

    chatbot.select(on_select, [turns], sources, queue=False)

    def on_like(ts: list[Turn], evt: gr.LikeData) -> tuple[Any, str, Any, str]:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        ask_reason, answer_id, note = controller.vote(ts, index, evt.liked)
        if note:
            gr.Info(note)
        return gr.update(visible=ask_reason), answer_id, None, ""

    chatbot.like(on_like, [turns], [feedback_box, pending, reason, comment], queue=False)

    def on_reason(answer_id: str, why: str | None, text: str | None) -> Any:
        note = controller.give_reason(answer_id, why, text)
        if note:
            gr.Info(note)
        return gr.update(visible=False)

    send_reason.click(on_reason, [pending, reason, comment], feedback_box, queue=False)
    skip_reason.click(lambda: gr.update(visible=False), None, feedback_box, queue=False)
    return {
        "load": (on_load, [browser], [chatbot, turns, sources, conversation, listing, browser]),
        "chatbot": chatbot,
        "question": question,
        "sources": sources,
        "doc_types": doc_types,
        "languages": languages,
        "turns": turns,
    }
