"""Start programme-assistant: Settings -> sync the corpus -> answer. (The chat UI replaces the last step.)"""

from programme_assistant.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
