"""programme-assistant: cited answers about a programme's documents."""

__version__ = "0.1.0"
