"""The chat app: a Gradio UI for staff and newcomers, mounted with the HTTP API on one FastAPI app.

Tabs: Chat (``chat``), Glossary / Timeline / Overview (``library``), Documents for maintainers (``maintainers``).
The UI holds no retrieval logic: it calls the Assistant and draws what comes back (``render``).

    launch(assistant)          # serve on Settings.host:Settings.port, print the address
    create_app(assistant)      # the FastAPI app (for tests or another ASGI server)
    build_ui(assistant)        # the Gradio Blocks alone
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from programme_assistant.errors import ProgrammeAssistantError
from programme_assistant.ui.render import esc

if TYPE_CHECKING:
    from programme_assistant.appdata.state import AppData
    from programme_assistant.assistant import Assistant


def header_html(assistant: Assistant) -> str:
    try:
        ov = assistant.overview()
    except ProgrammeAssistantError as exc:  # the store is down: say so where the index size usually is
        return (
            f'<div id="pa-header"><div class="pa-logo">PA</div><div><h1>Programme Assistant</h1>'
            f"<p>Answers from the programme documents, every sentence linked to its source.</p></div>"
            f'<div class="pa-health pa-degraded">Index unavailable: {esc(exc.message)}<br>{esc(exc.fix)}</div></div>'
        )
    span = f" from {ov.first_date[:4]} to {ov.last_date[:4]}" if ov.first_date else ""
    synced = f"last sync {esc(ov.last_sync[:16].replace('T', ' '))}" if ov.last_sync else "not synced yet"
    return (
        f'<div id="pa-header"><div class="pa-logo">PA</div><div><h1>Programme Assistant</h1>'
        f"<p>Answers from {ov.documents} programme documents{esc(span)}, every sentence linked to its source."
        f'</p></div><div class="pa-health"><span class="pa-dot"></span>{ov.documents} documents · '
        f"{ov.chunks} passages<br>{synced}</div></div>"
    )


def welcome_html(assistant: Assistant) -> str:
    ov = assistant.overview()
    kinds = ", ".join(list(ov.by_type)[:5]) or "documents"
    return (
        f'<div class="pa-welcome"><h2>Ask the programme archive</h2><p>Answers come only from the '
        f"{ov.documents} documents in the archive ({esc(kinds)}), and every sentence cites its source. "
        "If the documents do not say, the assistant tells you so. New here? Start with one of these:</p></div>"
    )


def build_ui(assistant: Assistant, data: AppData | None = None) -> Any:
    """The Gradio Blocks of the app (not yet queued or mounted)."""
    import gradio as gr

    from programme_assistant.ui.chat import ChatController, build_chat_tab
    from programme_assistant.ui.library import build_library_tabs
    from programme_assistant.ui.maintainers import CorpusEditor, build_documents_tab

    starters = assistant.starter_questions()
    with gr.Blocks(title="Programme Assistant", analytics_enabled=False, fill_width=True) as demo:
        header = gr.HTML(header_html(assistant))
        with gr.Tabs(elem_id="pa-tabs"):
            with gr.Tab("Chat", id="chat"):
                chat = build_chat_tab(
                    ChatController(assistant, data),
                    starters,
                    assistant.filter_choices(),
                    welcome_html(assistant),
                )
            refresh = build_library_tabs(assistant)
            with gr.Tab("Documents", id="documents"):
                refresh += build_documents_tab(assistant, CorpusEditor(assistant),
                                               header=(header, lambda: header_html(assistant)))

        def choices() -> tuple[Any, Any]:
            c = assistant.filter_choices()
            return gr.update(choices=c.doc_types), gr.update(choices=c.languages)

        refresh += [(header, lambda: header_html(assistant))]
        components = [component for component, _ in refresh]

        def on_load() -> tuple[Any, ...]:
            try:
                return (*(fn() for _, fn in refresh), *choices())
            except ProgrammeAssistantError:  # the store is down: keep the page, the header says why
                return (*(gr.update() for _ in refresh[:-1]), header_html(assistant), gr.update(), gr.update())

        # On a phone the conversation list would cover the chat: it starts closed there (its button opens it).
        demo.load(None, None, None, js="""() => { if (window.innerWidth >= 768) return;
            let tries = 0;
            const timer = setInterval(() => {  // the sidebar may render after this runs: wait for it (4 s at most)
                const bar = document.querySelector('.sidebar');
                if (bar) {
                    if (bar.classList.contains('open')) bar.querySelector('button.toggle-button')?.click();
                    clearInterval(timer);
                } else if (++tries > 40) clearInterval(timer);
            }, 100); }""")
        chat_load, chat_inputs, chat_outputs = chat["load"]  # the browser's open conversation comes back
        demo.load(chat_load, chat_inputs, chat_outputs, queue=False, api_visibility="private",
                  show_progress="hidden")
        demo.load(
            on_load, None, [*components, chat["doc_types"], chat["languages"]], queue=False,
            api_visibility="private", show_progress="hidden",  # a quiet refresh, no spinners over the page
        )
    return demo


def create_app(assistant: Assistant, data: AppData | None = None) -> Any:
    from programme_assistant.ui.server import create_app as _create_app

    return _create_app(assistant, data)


def launch(assistant: Assistant) -> int:
    """Serve the app on Settings.host:Settings.port until interrupted. Prints the address when it listens."""
    from programme_assistant.appdata.state import AppData
    from programme_assistant.ui.server import serve

    settings = assistant.settings
    data = AppData.from_settings(settings)
    app = create_app(assistant, data)
    try:
        serve(app, settings.host, settings.port, login=bool(settings.login_credentials()))
    finally:
        data.close()
    return 0
