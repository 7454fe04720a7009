"""Builds the collaborators from one Settings object. The only place where they are wired together."""

from __future__ import annotations

import os

from langchain_core.embeddings import Embeddings

from programme_assistant.config import Settings
from programme_assistant.embeddings import SentenceTransformerEmbedder
from programme_assistant.ingest import FolderSync, Progress
from programme_assistant.manifest import Manifest
from programme_assistant.store import ChunkStore, make_chroma_client


def build_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.resolved_model_path(), batch_size=settings.batch_size,
                                       threads=settings.resolved_torch_threads(),
                                       batch_threads=os.cpu_count() or None)


def build_store(settings: Settings, embedder: Embeddings) -> ChunkStore:
    return ChunkStore(make_chroma_client(settings), settings.collection, embedder)


def build_manifest(settings: Settings) -> Manifest:
    # One manifest per collection, so two collections can share an index folder.
    return Manifest(settings.index_dir / f"manifest-{settings.collection}.sqlite")


def build_folder_sync(settings: Settings, embedder: Embeddings | None = None,
                      progress: Progress | None = None) -> FolderSync:
    embedder = embedder or build_embedder(settings)
    return FolderSync(settings, build_store(settings, embedder), build_manifest(settings), embedder, progress)
