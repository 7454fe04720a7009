"""Retrieval: the embedding model (``embeddings``), the Chroma chunk store (``store``, embedded or a server),
BM25 over the same chunks (``lexical``; kept on disk beside Chroma and followed across processes by
``passages``), the corpus's own glossary for query expansion (``glossary``), the document a question names
(``sources``), and their fusion (``hybrid``: ``HybridSearch``, and ``ProgrammeRetriever`` for LangChain chains)."""

from programme_assistant.retrieval.hybrid import HybridSearch, ProgrammeRetriever

__all__ = ["HybridSearch", "ProgrammeRetriever"]
