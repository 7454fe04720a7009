"""Ingest: a folder of files -> documents (``loaders``, one registry keyed by suffix) -> chunks
(``chunking``) -> embedded and stored (``sync``, journalled by ``manifest`` so a killed run is repaired).
``corpus`` changes the folder's files (uploads, deletions) and ``catalogue`` says what the index holds."""

from programme_assistant.ingest.sync import FolderSync, NoProgress, Progress, read_documents, scan_folder

__all__ = ["FolderSync", "NoProgress", "Progress", "read_documents", "scan_folder"]
