"""The corpus folder as files: which sub-folders an upload may go to, copying uploaded files in, deleting a
document's file, and finding a document's file for the viewer. It never reads or writes outside the folder.

A document is served or deleted only if the index knows its id and its path, resolved, lies inside the
resolved corpus folder and is not a symbolic link; anything else is a ``DocumentError`` (the web server turns
it into a 404, so a request cannot probe for files elsewhere).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from programme_assistant.errors import DocumentError
from programme_assistant.ingest.loaders import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES

TOP_LEVEL = "(top level)"


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file, reduced to letters, digits, dot, dash, underscore and space."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return cleaned[:150]


def corpus_file(corpus_dir: Path, doc_id: str, known: Collection[str]) -> Path:
    """The file of document ``doc_id`` inside ``corpus_dir``. Raises DocumentError when it is not one.

    ``known`` is the set of document ids in the index: an id must be one of them before the file system is
    touched, and the resolved path must still lie inside the corpus folder.
    """
    if doc_id not in known or "\x00" in doc_id:
        raise DocumentError(doc_id, "is not a document of the index", "open a document from the list")
    root = corpus_dir.resolve()
    path = root / doc_id
    if path.is_symlink() or not path.resolve().is_relative_to(root) or not path.is_file():
        raise DocumentError(doc_id, "is not a file inside the corpus folder", "sync the corpus again")
    return path.resolve()


@dataclass
class AddedFiles:
    """What an upload did: the doc ids stored, and a line per file refused (name, reason, fix)."""

    stored: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class CorpusFolder:
    def __init__(self, root: Path, max_file_mb: float) -> None:
        self._root = Path(root)
        self.max_file_mb = max_file_mb
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self._root.resolve()

    def folders(self) -> list[str]:
        """Sub-folders of the corpus an upload may go to (their names say the document type)."""
        if not self.root.is_dir():
            return [TOP_LEVEL]
        subs = sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".") and not p.is_symlink()
        )
        return [TOP_LEVEL, *subs]

    def add(self, uploads: list[Path], folder: str) -> AddedFiles:
        """Copy uploaded files into ``folder`` of the corpus."""
        if folder not in self.folders():
            raise DocumentError(folder, "is not a folder of the corpus", "pick one of the listed folders")
        target = self.root if folder == TOP_LEVEL else self.root / folder
        result = AddedFiles()
        for upload in uploads:
            upload = Path(upload)
            name = safe_file_name(upload.name)
            suffix = Path(name).suffix.lower()
            if not name or (suffix not in SUPPORTED_SUFFIXES and not name.endswith(SIDECAR_SUFFIX)):
                result.refused.append(f"{upload.name}: unsupported file type (use {', '.join(SUPPORTED_SUFFIXES)})")
                continue
            if upload.stat().st_size > int(self.max_file_mb * 1024 * 1024):
                result.refused.append(f"{upload.name}: larger than {self.max_file_mb:g} MB (PA_MAX_FILE_MB)")
                continue
            destination = (target / name).resolve()
            if not destination.is_relative_to(self.root) or destination.is_symlink():
                result.refused.append(f"{upload.name}: not a file name inside the corpus folder")
                continue
            with self._lock:
                if destination.exists():  # never replace a document without saying so
                    result.refused.append(
                        f"{upload.name}: {destination.relative_to(self.root).as_posix()} is already in the corpus "
                        "(delete it first to replace it, or rename the new file)")
                    continue
                shutil.copyfile(upload, destination)
            result.stored.append(destination.relative_to(self.root).as_posix())
        return result

    def file_of(self, doc_id: str, known: Collection[str]) -> Path:
        return corpus_file(self.root, doc_id, known)

    def remove(self, doc_id: str, known: Collection[str]) -> None:
        """Remove a document's file (and its metadata sidecar) from the corpus folder."""
        with self._lock:
            path = corpus_file(self.root, doc_id, known)
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            path.unlink()
            if sidecar.is_file() and not sidecar.is_symlink():
                sidecar.unlink()
