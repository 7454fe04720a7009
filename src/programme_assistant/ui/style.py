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
.gradio-container { max-width: 1280px !important; width: 100% !important; margin: 0 auto !important; }
.gradio-container table td, .gradio-container table th, .gradio-container table input,
.gradio-container .cell-wrap, .gradio-container .cell-wrap .text {
  font-family: var(--font) !important; font-size: 13.5px; }
.pa-nowrap { white-space: nowrap; }
#pa-delete { color: #b91c1c !important; border-color: #fecaca !important; }
footer { display: none !important; }
#pa-header { display:flex; align-items:center; gap:16px; padding: 18px 22px; border-radius: 16px;
  background: linear-gradient(120deg, #1e1b4b 0%, #3730a3 55%, #0369a1 100%); color: #fff; margin-bottom: 6px; }
#pa-header .pa-logo { width: 44px; height: 44px; border-radius: 12px; background: rgba(255,255,255,.16);
  display:flex; align-items:center; justify-content:center; font-weight: 800; font-size: 18px; letter-spacing:-1px;
  color: #fff; flex: none; }
#pa-header h1 { margin: 0; font-size: 22px; font-weight: 700; color: #fff; }
#pa-header p { margin: 2px 0 0; opacity: .85; font-size: 14px; color: #e0e7ff; }
#pa-header .pa-health { margin-left:auto; font-size: 12.5px; text-align:right; color:#e0e7ff; opacity:.9; }
#pa-header .pa-dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:#4ade80;
  margin-right:6px; vertical-align: middle; }

/* chat */
#pa-chat { border-radius: 14px; }
.pa-question { white-space: normal; }
.pa-answer p { margin: 0 0 6px; line-height: 1.6; }
.pa-ref { display:inline-block; min-width: 18px; padding: 0 5px; margin: 0 1px; border-radius: 6px;
  background:#e0e7ff; color:#3730a3 !important; font-size: 11.5px; font-weight:700; line-height:18px;
  text-align:center; text-decoration:none !important; vertical-align: 2px; }
.pa-ref:hover { background:#4338ca; color:#fff !important; }
.pa-cites { display:flex; flex-wrap:wrap; gap:6px; margin-top:10px; padding-top:8px; border-top:1px dashed #cbd5e1; }
.pa-cite { display:inline-flex; align-items:center; gap:6px; max-width: 100%; padding: 3px 10px 3px 4px;
  border:1px solid #e2e8f0; border-radius: 999px; background:#fff; color:#334155 !important; font-size:12.5px;
  text-decoration:none !important; }
.pa-cite b { background:#4338ca; color:#fff; border-radius:999px; min-width:18px; height:18px; display:inline-flex;
  align-items:center; justify-content:center; font-size:11px; }
.pa-cite i { color:#64748b; font-style:normal; }
.pa-cite:hover { border-color:#4338ca; }
.pa-refused p { color:#92400e; }
.pa-nearest span { font-size: 12.5px; color:#64748b; text-transform: uppercase; letter-spacing: .04em; }
.pa-nearest ul { margin: 4px 0 0 18px; padding: 0; }
.pa-warn { margin-top:6px; font-size:12.5px; color:#b91c1c; }
.pa-error { color:#b91c1c; }
.pa-fix { font-size: 13px; color:#475569; margin-top:4px; }
.pa-pending { color:#475569; }
.pa-caret { display:inline-block; width:7px; height:15px; background:#6366f1; margin-left:3px; vertical-align:-2px;
  animation: pa-blink 1s steps(1) infinite; }
@keyframes pa-blink { 50% { opacity: 0; } }

/* welcome */
#pa-chat button.example { border: 1px solid #e0e7ff !important; background: #f8faff !important;
  border-radius: 12px !important; text-align: left; transition: border-color .15s, box-shadow .15s; }
#pa-chat button.example:hover { border-color: #6366f1 !important; box-shadow: 0 2px 8px rgba(67,56,202,.12); }
#pa-chat .example-text { color: #312e81; font-weight: 550; }
.pa-welcome { text-align:center; padding: 8px 12px; }
.pa-welcome h2 { font-size: 22px; margin: 0 0 6px; color:#1e1b4b; }
.pa-welcome p { color:#475569; margin: 0 auto; max-width: 560px; font-size: 14.5px; }

/* sources panel */
.pa-sources h3 { font-size: 15px; margin: 2px 0 10px; color:#1e293b; }
.pa-sources.pa-empty p, .pa-note { color:#64748b; font-size: 13.5px; line-height:1.5; }
.pa-source { border:1px solid #e2e8f0; border-radius: 12px; padding: 12px 14px; margin-bottom: 10px; background:#fff;
  box-shadow: 0 1px 2px rgba(15,23,42,.04); }
.pa-source, .pa-source header, .pa-source .pa-title { text-align: left !important; }
.pa-source header { display:flex; gap:8px; align-items:flex-start; }
.pa-num { flex: none; background:#4338ca; color:#fff; border-radius: 8px; min-width: 22px; height: 22px;
  display:inline-flex; align-items:center; justify-content:center; font-size:12px; font-weight:700; }
.pa-title { font-weight: 650; color:#1e293b !important; text-decoration:none !important; line-height:1.35; }
.pa-title:hover { color:#4338ca !important; text-decoration: underline !important; }
.pa-meta { font-size: 12.5px; color:#64748b; margin: 6px 0 8px; display:flex; gap:6px; align-items:center;
  flex-wrap: wrap; }
.pa-badge { background:#f1f5f9; color:#334155; border-radius: 6px; padding: 1px 7px; font-size: 11.5px;
  text-transform: uppercase; letter-spacing:.04em; font-weight:600; }
.pa-passage { margin: 0; padding: 8px 12px; border-left: 3px solid #c7d2fe; background:#f8fafc; color:#334155;
  font-size: 13.5px; line-height: 1.55; border-radius: 0 8px 8px 0; }
.pa-passage mark { background: #fef08a; color: #1e293b; padding: 1px 2px; border-radius: 3px; }
.pa-actions { display:flex; gap:14px; margin-top: 8px; font-size: 13px; }
.pa-actions a { color:#4338ca !important; text-decoration:none !important; font-weight:600; }
.pa-actions a:hover { text-decoration: underline !important; }

/* feedback */
#pa-feedback label.selected span { color: #fff !important; }
#pa-feedback { border:1px solid #fde68a; background:#fffbeb; border-radius: 12px; padding: 12px 14px; gap: 8px; }

/* overview */
.pa-stats { display:grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.pa-stat { background:#fff; border:1px solid #e2e8f0; border-radius: 12px; padding: 14px 16px; }
.pa-stat b { display:block; font-size: 26px; color:#1e1b4b; }
.pa-stat span { font-size: 13px; color:#64748b; }
.pa-types { display:flex; gap:8px; flex-wrap:wrap; margin-top: 12px; }

/* maintainers */
.pa-table { width:100%; border-collapse: collapse; font-size: 13px; margin-top: 6px; border: none !important; }
.pa-table th, .pa-table td { border: none !important; }
.pa-table th { text-align:left; color:#475569; font-weight:600; border-bottom:1px solid #e2e8f0 !important;
  padding:6px 8px; }
.pa-table td { border-bottom:1px solid #f1f5f9 !important; padding:6px 8px; vertical-align: top; }
.pa-status { border-radius: 6px; padding: 1px 7px; font-size: 12px; font-weight:600; }
.pa-status.ok { background:#dcfce7; color:#166534; } .pa-status.warn { background:#fef3c7; color:#92400e; }
.pa-status.bad { background:#fee2e2; color:#991b1b; } .pa-status.muted { background:#f1f5f9; color:#475569; }
.pa-report h4 { margin: 4px 0; }
.pa-message { padding: 10px 12px; border-radius: 10px; font-size: 14px; }
.pa-message.note { background:#eef2ff; color:#3730a3; } .pa-message.bad { background:#fee2e2; color:#991b1b; }
.pa-message.ok { background:#dcfce7; color:#166534; }
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
"""
