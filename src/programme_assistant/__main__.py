from programme_assistant.cli import main

raise SystemExit(main())
