"""Text primitives every stage shares: sentence spans and content words (``sentences``), month names
(``dates``), Markdown table lines (``tables``), and language identification with the English gloss of the
lexicon languages (``language``). No stage's logic lives here: only how text is cut up and compared."""
