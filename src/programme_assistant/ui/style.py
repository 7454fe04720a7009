"""The look of the app: a Gradio theme with system fonts (nothing is fetched from the web) and the CSS of the
chat, the source cards, the maintainers' tables and the document page."""

from __future__ import annotations

from typing import Any

SYSTEM_FONTS = [
    "ui-sans-serif",
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def theme() -> Any:
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="indigo", secondary_hue="sky", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS
    ).set(
        body_background_fill="#f6f7fb",
        block_radius="14px",
        button_large_radius="10px",
        button_primary_background_fill="#4338ca",
        button_primary_background_fill_hover="#3730a3",
    )


APP_CSS = """
/* One palette, light by default and dark under Gradio's .dark class (set by ?__theme=dark or the OS setting):
   every custom-coloured element below takes its colours from these variables, never from a fixed light colour. */
:root {
  --pa-ink: #1e293b; --pa-ink-strong: #1e1b4b; --pa-muted: #475569; --pa-subtle: #5b6b82;
  --pa-card: #ffffff; --pa-card-soft: #f8fafc; --pa-line: #e2e8f0; --pa-line-soft: #f1f5f9;
  --pa-accent: #4338ca; --pa-accent-hover: #3730a3; --pa-accent-ink: #3730a3; --pa-accent-soft: #e0e7ff;
  --pa-accent-line: #c7d2fe; --pa-starter: #f8faff; --pa-starter-ink: #312e81;
  --pa-mark: #fef08a; --pa-mark-ink: #1e293b;
  --pa-ok: #dcfce7; --pa-ok-ink: #166534; --pa-warn: #fef3c7; --pa-warn-ink: #92400e;
  --pa-bad: #fee2e2; --pa-bad-ink: #991b1b; --pa-danger: #b91c1c; --pa-danger-line: #fecaca;
  --pa-danger-fill: #ffffff;
  --pa-feedback: #fffbeb; --pa-feedback-line: #fde68a;
}
.dark {
  --pa-ink: #e2e8f0; --pa-ink-strong: #eef2ff; --pa-muted: #cbd5e1; --pa-subtle: #a3b1c6;
  --pa-card: #1e293b; --pa-card-soft: #172033; --pa-line: #334155; --pa-line-soft: #263347;
  --pa-accent: #4f46e5; --pa-accent-hover: #6366f1; --pa-accent-ink: #c7d2fe; --pa-accent-soft: #312e81;
  --pa-accent-line: #4f46e5; --pa-starter: #1e293b; --pa-starter-ink: #e0e7ff;
  --pa-mark: #854d0e; --pa-mark-ink: #fef9c3;
  --pa-ok: #14532d; --pa-ok-ink: #bbf7d0; --pa-warn: #713f12; --pa-warn-ink: #fde68a;
  --pa-bad: #7f1d1d; --pa-bad-ink: #fecaca; --pa-danger: #fca5a5; --pa-danger-line: #7f1d1d;
  --pa-danger-fill: #2a1518;
  --pa-feedback: #2a2210; --pa-feedback-line: #854d0e;
}
.gradio-container { max-width: 1280px !important; width: 100% !important; margin: 0 auto !important; }
.gradio-container table td, .gradio-container table th, .gradio-container table input,
.gradio-container .cell-wrap, .gradio-container .cell-wrap .text {
  font-family: var(--font) !important; font-size: 13.5px; }
.pa-nowrap { white-space: nowrap; }
#pa-delete { color: var(--pa-danger) !important; border-color: var(--pa-danger-line) !important;
  background: var(--pa-danger-fill) !important; }
#pa-delete:hover { border-color: var(--pa-danger) !important; }
footer { display: none !important; }
#pa-header { display:flex; align-items:center; gap:16px; padding: 18px 22px; border-radius: 16px;
  background: linear-gradient(120deg, #1e1b4b 0%, #3730a3 55%, #0369a1 100%); color: #fff; margin-bottom: 6px; }
#pa-header .pa-logo { width: 44px; height: 44px; border-radius: 12px; background: rgba(255,255,255,.16);
  display:flex; align-items:center; justify-content:center; font-weight: 800; font-size: 18px; letter-spacing:-1px;
  color: #fff; flex: none; }
#pa-header h1 { margin: 0; font-size: 22px; font-weight: 700; color: #fff; }
#pa-header p { margin: 2px 0 0; font-size: 14px; color: #e0e7ff; }
#pa-header .pa-health { margin-left:auto; font-size: 12.5px; text-align:right; color:#e0e7ff; }
#pa-header .pa-dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:#4ade80;
  margin-right:6px; vertical-align: middle; }

/* chat */
#pa-chat { border-radius: 14px; }
.pa-question { white-space: normal; }
.pa-answer p { margin: 0 0 6px; line-height: 1.6; }
.pa-ref { display:inline-block; min-width: 18px; padding: 0 5px; margin: 0 1px; border-radius: 6px;
  background: var(--pa-accent-soft); color: var(--pa-accent-ink) !important; font-size: 11.5px; font-weight:700;
  line-height:18px; text-align:center; text-decoration:none !important; vertical-align: 2px; }
.pa-ref:hover { background: var(--pa-accent); color:#fff !important; }
.pa-cites { display:flex; flex-wrap:wrap; gap:6px; margin-top:10px; padding-top:8px;
  border-top:1px dashed var(--pa-line); }
.pa-cite { display:inline-flex; align-items:center; gap:6px; max-width: 100%; padding: 3px 10px 3px 4px;
  border:1px solid var(--pa-line); border-radius: 999px; background: var(--pa-card); color: var(--pa-ink) !important;
  font-size:12.5px; text-decoration:none !important; }
.pa-cite b { background: var(--pa-accent); color:#fff; border-radius:999px; min-width:18px; height:18px;
  display:inline-flex; align-items:center; justify-content:center; font-size:11px; }
.pa-cite i { color: var(--pa-subtle); font-style:normal; }
.pa-cite:hover { border-color: var(--pa-accent); }
.pa-refused p { color: var(--pa-warn-ink); }
.pa-readas { color: var(--pa-subtle); font-size: 12.5px; line-height: 1.45; margin-top: 6px; }
.pa-readas q { font-style: italic; }
.pa-refused p .pa-nowrap { color: inherit; }
.pa-nearest span { font-size: 12.5px; color: var(--pa-subtle); text-transform: uppercase; letter-spacing: .04em; }
.pa-nearest ul { margin: 4px 0 0 18px; padding: 0; }
.pa-warn { margin-top:6px; font-size:12.5px; color: var(--pa-danger); }
.pa-error { color: var(--pa-danger); }
.pa-fix { font-size: 13px; color: var(--pa-muted); margin-top:4px; }
.pa-pending { color: var(--pa-muted); }
.pa-caret { display:inline-block; width:7px; height:15px; background:#6366f1; margin-left:3px; vertical-align:-2px;
  animation: pa-blink 1s steps(1) infinite; }
@keyframes pa-blink { 50% { opacity: 0; } }

/* welcome */
#pa-chat button.example { border: 1px solid var(--pa-accent-soft) !important; background: var(--pa-starter) !important;
  border-radius: 12px !important; text-align: left; transition: border-color .15s, box-shadow .15s; }
#pa-chat button.example:hover { border-color: #6366f1 !important; box-shadow: 0 2px 8px rgba(67,56,202,.12); }
#pa-chat .example-text { color: var(--pa-starter-ink); font-weight: 550; }
.pa-welcome { text-align:center; padding: 8px 12px; }
.pa-welcome h2 { font-size: 22px; margin: 0 0 6px; color: var(--pa-ink-strong); }
.pa-welcome p { color: var(--pa-muted); margin: 0 auto; max-width: 560px; font-size: 14.5px; }

/* filters: the date pickers' calendar buttons keep their full size beside the text box */
#pa-filters .timebox { display: flex; align-items: stretch; gap: 6px; }
#pa-filters .timebox input { flex: 1 1 auto; min-width: 0; }
#pa-filters .timebox button { flex: none; min-width: 32px; overflow: visible; }

/* sources panel */
.pa-sources h3 { font-size: 15px; margin: 2px 0 10px; color: var(--pa-ink); }
.pa-sources.pa-empty p, .pa-note { color: var(--pa-subtle); font-size: 13.5px; line-height:1.5; }
.pa-source { border:1px solid var(--pa-line); border-radius: 12px; padding: 12px 14px; margin-bottom: 10px;
  background: var(--pa-card); color: var(--pa-ink); box-shadow: 0 1px 2px rgba(15,23,42,.04); }
.pa-source, .pa-source header, .pa-source .pa-title { text-align: left !important; }
.pa-source header { display:flex; gap:8px; align-items:flex-start; }
.pa-num { flex: none; background: var(--pa-accent); color:#fff; border-radius: 8px; min-width: 22px; height: 22px;
  display:inline-flex; align-items:center; justify-content:center; font-size:12px; font-weight:700; }
.pa-title { font-weight: 650; color: var(--pa-ink) !important; text-decoration:none !important; line-height:1.35; }
.pa-title:hover { color: var(--pa-accent-ink) !important; text-decoration: underline !important; }
.pa-meta { font-size: 12.5px; color: var(--pa-subtle); margin: 6px 0 8px; display:flex; gap:6px; align-items:center;
  flex-wrap: wrap; }
.pa-badge { background: var(--pa-line-soft); color: var(--pa-ink); border-radius: 6px; padding: 1px 7px;
  font-size: 11.5px; text-transform: uppercase; letter-spacing:.04em; font-weight:600; }
.pa-passage { margin: 0; padding: 8px 12px; border-left: 3px solid var(--pa-accent-line);
  background: var(--pa-card-soft); color: var(--pa-ink); font-size: 13.5px; line-height: 1.55;
  border-radius: 0 8px 8px 0; }
.pa-passage mark { background: var(--pa-mark); color: var(--pa-mark-ink); padding: 1px 2px; border-radius: 3px; }
.pa-actions { display:flex; gap:14px; margin-top: 8px; font-size: 13px; flex-wrap: wrap; }
.pa-actions a { color: var(--pa-accent-ink) !important; text-decoration:none !important; font-weight:600; }
.pa-actions a:hover { text-decoration: underline !important; }

/* feedback */
#pa-feedback label.selected span { color: #fff !important; }
#pa-feedback { border:1px solid var(--pa-feedback-line); background: var(--pa-feedback); border-radius: 12px;
  padding: 12px 14px; gap: 8px; }

/* overview */
.pa-stats { display:grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.pa-stat { background: var(--pa-card); border:1px solid var(--pa-line); border-radius: 12px; padding: 14px 16px; }
.pa-stat b { display:block; font-size: 26px; color: var(--pa-ink-strong); }
.pa-stat span { font-size: 13px; color: var(--pa-subtle); }
.pa-types { display:flex; gap:8px; flex-wrap:wrap; margin-top: 12px; }

/* maintainers */
.pa-table { width:100%; border-collapse: collapse; font-size: 13px; margin-top: 6px; border: none !important; }
.pa-table th, .pa-table td { border: none !important; color: var(--pa-ink); }
.pa-table th { text-align:left; color: var(--pa-muted); font-weight:600; padding:6px 8px;
  border-bottom:1px solid var(--pa-line) !important; }
.pa-table td { border-bottom:1px solid var(--pa-line-soft) !important; padding:6px 8px; vertical-align: top; }
.pa-status { border-radius: 6px; padding: 1px 7px; font-size: 12px; font-weight:600; }
.pa-status.ok { background: var(--pa-ok); color: var(--pa-ok-ink); }
.pa-status.warn { background: var(--pa-warn); color: var(--pa-warn-ink); }
.pa-status.bad { background: var(--pa-bad); color: var(--pa-bad-ink); }
.pa-status.muted { background: var(--pa-line-soft); color: var(--pa-muted); }
.pa-report h4 { margin: 4px 0; }
.pa-message { padding: 10px 12px; border-radius: 10px; font-size: 14px; }
.pa-message.note { background: var(--pa-accent-soft); color: var(--pa-accent-ink); }
.pa-message.bad { background: var(--pa-bad); color: var(--pa-bad-ink); }
.pa-message.ok { background: var(--pa-ok); color: var(--pa-ok-ink); }

/* phones and narrow windows. Gradio scopes rules inside @media to its .contain element, so the page margin
   (outside it) shrinks with the window instead: 32 px from 1000 px wide, 8 px on a phone */
.gradio-container .main.app { padding-left: clamp(8px, 4vw - 8px, 32px) !important;
  padding-right: clamp(8px, 4vw - 8px, 32px) !important; }
@media (max-width: 640px) {
  .html-container:has(#pa-header) { padding-left: 0; padding-right: 0; }
  #pa-header { flex-wrap: wrap; gap: 8px 12px; padding: 14px 14px; }
  #pa-header > div:nth-child(2) { flex: 1 1 0; min-width: 0; }
  #pa-header h1 { font-size: 19px; }
  #pa-header p { font-size: 13px; }
  #pa-header .pa-health { flex: 1 1 100%; margin-left: 0; text-align: left; overflow-wrap: anywhere; }
  /* every tab stays in the bar (Gradio would move those that do not fit into a "..." menu): smaller tabs, and
     the bar scrolls sideways when even they do not fit */
  #pa-tabs .tab-container.visually-hidden button { padding: 0 !important; font-size: 1px !important; }
  #pa-tabs .tab-container[role="tablist"] { overflow-x: auto; overflow-y: hidden; scrollbar-width: none; }
  #pa-tabs .tab-container[role="tablist"] > button { flex: none; max-width: none; overflow: visible;
    padding: 0 8px; font-size: 14px; }
  #pa-tabs .overflow-menu { display: none !important; }
  /* the question box takes the whole width; Ask and New chat share the line below */
  .form:has(> #pa-question) { flex: 1 1 100% !important; min-width: 100% !important; }
  #pa-ask, #pa-new-chat { flex: 1 1 0 !important; min-width: 0 !important; }
  .pa-stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  /* the document list keeps readable columns and scrolls sideways instead of stacking letters */
  #pa-admin .table-container { overflow-x: auto; }
  #pa-admin .table-wrap { min-width: 720px; }
}
"""

VIEWER_CSS = """
body { margin:0; background:#f6f7fb; color:#1e293b; font: 16px/1.65 ui-sans-serif, system-ui, -apple-system,
  'Segoe UI', Roboto, Arial, sans-serif; }
main { max-width: 820px; margin: 32px auto; background:#fff; border:1px solid #e2e8f0; border-radius: 16px;
  padding: 32px 44px; box-shadow: 0 1px 3px rgba(15,23,42,.06); }
header { border-bottom: 1px solid #e2e8f0; margin-bottom: 20px; padding-bottom: 14px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color:#6366f1; font-weight:700; }
h1 { font-size: 26px; line-height:1.25; margin: 6px 0 8px; }
.meta { color:#64748b; font-size: 14px; }
.links { margin-top: 8px; font-size: 14px; display:flex; gap: 16px; flex-wrap: wrap; }
.links a { color:#4338ca; font-weight: 600; text-decoration: none; }
.note { color:#64748b; font-size: 13.5px; margin: 10px 0 0; }
article h2 { font-size: 21px; margin: 26px 0 8px; } article h3 { font-size: 18px; margin: 22px 0 6px; }
article h4, article h5, article h6 { font-size: 16px; margin: 18px 0 6px; }
article p { margin: 0 0 12px; white-space: normal; }
mark { background:#fef08a; padding: 2px 3px; border-radius: 4px; box-shadow: 0 0 0 3px #fef9c3;
  scroll-margin-top: 35vh; }
@media (max-width: 640px) { main { margin: 0; border-radius: 0; border-width: 0; padding: 20px 16px; } }
/* the document page follows the reader's OS setting (it is a page of its own, outside Gradio's theme) */
@media (prefers-color-scheme: dark) {
  body { background:#0b0f19; color:#e2e8f0; }
  main { background:#1e293b; border-color:#334155; box-shadow: none; }
  header { border-bottom-color:#334155; }
  .kicker { color:#a5b4fc; } .meta, .note { color:#a3b1c6; } .links a { color:#c7d2fe; }
  mark { background:#854d0e; color:#fef9c3; box-shadow: 0 0 0 3px #713f12; }
}
"""
