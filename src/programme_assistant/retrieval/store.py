"""Chroma: the chunk store. The client is passed in or built from Settings (embedded path or server).

The collection uses cosine space and always an explicit embedding function (ours), so Chroma never
reaches for its default model, which would try to download weights.
"""

from __future__ import annotations

import contextlib
import fcntl
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from programme_assistant.errors import StoreError

# Beside the index folder's Chroma database: held while a process opens it (see ``make_chroma_client``).
OPEN_LOCK_NAME = "chroma.open.lock"

# Chroma's own default port, used when a server host is given without a port.
CHROMA_DEFAULT_PORT = 8000
# The collection metadata key holding the index version: a new random value after each sync that changed the
# store, so that every process over the store (a Chroma server's workers, or processes sharing an index folder)
# sees that its lexical index is behind.
VERSION_KEY = "pa_index_version"


def make_chroma_client(index_dir: Path, host: str | None = None, port: int | None = None) -> Any:
    """``HttpClient`` when a Chroma server ``host`` is given, else a ``PersistentClient`` in ``index_dir``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port or CHROMA_DEFAULT_PORT, settings=chroma_settings)
        path = Path(index_dir) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        with opening(Path(index_dir)):
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - any client failure is reported with where it looked
        raise store_failure(exc, describe_location(index_dir, host, port), "open") from exc


@contextlib.contextmanager
def opening(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's open lock (``OPEN_LOCK_NAME``; other processes wait). Chroma creates its database's
    tables when a client first opens a new folder, and two processes doing so at once both create them: the second
    fails ("table collections already exists"). So processes sharing a folder (app workers, a CLI sync beside the
    app) open it one at a time; the lock is held for the opening only."""
    with open(index_dir / OPEN_LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ChromaEmbeddingAdapter:
    """Chroma's embedding-function protocol over a LangChain ``Embeddings``.

    Chroma persists the name of a collection's embedding function and rebuilds it from its config when
    the collection is opened elsewhere (e.g. a Chroma admin tool). That rebuilt copy has no model: it
    raises if asked to embed, instead of Chroma silently falling back to its downloading default.
    """

    def __init__(self, embedder: Embeddings | None) -> None:
        self.embedder = embedder

    def _require(self) -> Embeddings:
        if self.embedder is None:
            raise StoreError("this collection was opened without the programme-assistant embedder",
                             "open it through programme_assistant.retrieval.store.ChunkStore")
        return self.embedder

    def __call__(self, input: Sequence[str]) -> list[Any]:  # noqa: A002 - Chroma's parameter name
        import numpy as np

        return [np.asarray(v, dtype=np.float32) for v in self._require().embed_documents(list(input))]

    def embed_query(self, input: Sequence[str]) -> list[Any]:  # noqa: A002
        import numpy as np

        return [np.asarray(self._require().embed_query(t), dtype=np.float32) for t in input]

    @staticmethod
    def name() -> str:
        return "programme_assistant"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingAdapter:
        return ChromaEmbeddingAdapter(None)

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def is_legacy(self) -> bool:
        return False


_registered = False


def _register_embedding_function() -> None:
    global _registered
    if not _registered:
        from chromadb.utils.embedding_functions import register_embedding_function

        try:
            register_embedding_function(ChromaEmbeddingAdapter)  # type: ignore[arg-type]
        except ValueError:  # already registered (module reloaded)
            pass
        _registered = True


def describe_location(index_dir: Path, host: str | None = None, port: int | None = None) -> str:
    """Where the chunks are kept, in the words a message uses: "the Chroma server at 127.0.0.1:8000"."""
    return f"the Chroma server at {host}:{port or CHROMA_DEFAULT_PORT}" if host else f"the index folder {index_dir}"


def store_failure(exc: BaseException, where: str, action: str) -> StoreError:
    """A failure of the store (a lost connection, a full disk, a read-only folder) as a StoreError that says
    where the store is and what to do; the library's callers then answer 503 or print it, never a traceback."""
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    if "disk is full" in low or "no space left" in low or getattr(exc, "errno", None) == 28:
        return StoreError(f"the disk holding {where} is full ({action} failed)",
                          "free some space there, then sync again: nothing is lost, the next sync repairs the index")
    if "readonly" in low or "read-only" in low or getattr(exc, "errno", None) in (13, 30):
        return StoreError(f"{where} cannot be written ({action} failed: it is read-only)",
                          "make the index folder writable for this user, or point PA_INDEX_DIR elsewhere")
    if "connect" in low or "timed out" in low or "timeout" in low or "unreachable" in low:
        return StoreError(f"{where} cannot be reached ({action} failed: {text})",
                          "start the Chroma server, or check PA_CHROMA_HOST / PA_CHROMA_PORT")
    return StoreError(f"{where} failed to {action}: {text}",
                      "check that the store is running and its folder is writable (PA_INDEX_DIR / PA_CHROMA_HOST)")


def _ef_search(collection: Any) -> int | None:
    """The HNSW ef_search of a collection's configuration (None when it has no HNSW index)."""
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    return hnsw.get("ef_search")


class ChunkStore:
    """A Chroma collection of chunks, written with precomputed embeddings. Any failure of the store comes out
    as a ``StoreError`` naming ``where`` the store is (``describe_location``)."""

    def __init__(self, client: Any, collection_name: str, embedder: Embeddings,
                 where: str = "the vector store", search_ef: int = 1000) -> None:
        """``search_ef``: the HNSW index's ef_search (``Settings.dense_search_ef``), set on a new collection and
        on an existing one whose own differs, before its first search."""
        self.client = client
        self.search_ef = search_ef
        self.collection_name = collection_name
        self.embedder = embedder
        self.where = where
        self._collection: Any = None
        # writes made through this object: a search in this process sees them at once, without asking the store
        self.writes = 0

    @contextlib.contextmanager
    def _reaching(self, action: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - chromadb, httpx, sqlite and OS errors alike
            raise store_failure(exc, self.where, action) from exc

    @property
    def collection(self) -> Any:
        if self._collection is None:
            _register_embedding_function()
            with self._reaching("open the collection"):
                collection = self.client.get_or_create_collection(
                    name=self.collection_name,
                    embedding_function=ChromaEmbeddingAdapter(self.embedder),
                    configuration={"hnsw": {"space": "cosine", "ef_search": self.search_ef}},
                )
                # an existing collection keeps its own configuration: bring its ef_search to ours
                if _ef_search(collection) != self.search_ef:
                    collection.modify(configuration={"hnsw": {"ef_search": self.search_ef}})
                self._collection = collection
        return self._collection

    def reset(self) -> None:
        """Drop the collection (used when the embedding model or chunking changed)."""
        try:
            self.client.delete_collection(self.collection_name)
        except Exception:  # noqa: BLE001 - absent already
            pass
        self._collection = None
        self.writes += 1

    def version(self) -> str:
        """The index version (``VERSION_KEY``): changes after every sync that changed the store; "" before any."""
        with self._reaching("read the index version"):
            metadata = self.client.get_collection(self.collection_name).metadata or {}
        return str(metadata.get(VERSION_KEY, ""))

    def state(self) -> tuple[int, str]:
        """(passages, index version): what a lexical index records it was brought up to."""
        return self.count(), self.version()

    def bump_version(self) -> str:
        """Give the store a new index version (after a sync changed it); returns it."""
        version = uuid.uuid4().hex
        with self._reaching("write the index version"):
            metadata = {k: v for k, v in (self.collection.metadata or {}).items() if not k.startswith("hnsw:")}
            self.collection.modify(metadata={**metadata, VERSION_KEY: version})
        self.writes += 1
        return version

    def _batches(self, n: int) -> Iterable[slice]:
        with self._reaching("connect"):
            size = max(1, int(self.client.get_max_batch_size()))
        for i in range(0, n, size):
            yield slice(i, i + size)

    def count(self) -> int:
        with self._reaching("count the passages"):
            return int(self.collection.count())

    def upsert(self, ids: list[str], texts: list[str], embeddings: Any, metadatas: list[dict[str, Any]]) -> None:
        for part in self._batches(len(ids)):
            with self._reaching("store passages"):
                self.collection.upsert(ids=ids[part], documents=texts[part], embeddings=embeddings[part],
                                   metadatas=metadatas[part])
        self.writes += 1

    def update_metadata(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        for part in self._batches(len(ids)):
            with self._reaching("update passages"):
                self.collection.update(ids=ids[part], metadatas=metadatas[part])
        self.writes += 1

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for part in self._batches(len(ids)):
            with self._reaching("delete passages"):
                self.collection.delete(ids=ids[part])
        self.writes += bool(ids)

    def ids_by_doc(self) -> dict[str, set[str]]:
        """Every stored chunk id grouped by its doc_id (for repairing after an interruption)."""
        result: dict[str, set[str]] = {}
        total = self.count()
        page = 5000
        for offset in range(0, total, page):
            with self._reaching("read passages"):
                got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                result.setdefault(str((meta or {}).get("doc_id", "")), set()).add(cid)
        return result

    def metadatas(self) -> dict[str, dict[str, Any]]:
        """Every stored chunk's metadata by id (a lexical index compares it with its own to catch up)."""
        result: dict[str, dict[str, Any]] = {}
        total = self.count()
        page = 5000
        for offset in range(0, total, page):
            with self._reaching("read passages"):
                got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            result.update(zip(got["ids"], (m or {} for m in got["metadatas"]), strict=True))
        return result

    def chunks(self, ids: Sequence[str]) -> dict[str, Any]:
        """ids, documents and metadatas of the given chunks (those still stored)."""
        out: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": []}
        ids = list(ids)
        for start in range(0, len(ids), 5000):
            with self._reaching("read passages"):
                got = self.collection.get(ids=ids[start:start + 5000], include=["documents", "metadatas"])
            for key in out:
                out[key] += got[key]
        return out

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, Any]:
        """Stored vectors by id, for chunks whose embedding can be reused."""
        if not ids:
            return {}
        with self._reaching("read embeddings"):
            got = self.collection.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def all_chunks(self) -> dict[str, Any]:
        """ids, documents and metadatas of every chunk (for the lexical index)."""
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        total = self.count()
        page = 5000
        for offset in range(0, total, page):
            with self._reaching("read passages"):
                got = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            ids += got["ids"]
            docs += got["documents"]
            metas += got["metadatas"]
        return {"ids": ids, "documents": docs, "metadatas": metas}

    def query(self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None) -> dict[str, Any]:
        with self._reaching("search"):
            got = self.collection.query(query_embeddings=[list(embedding)], n_results=k, where=where or None,
                                        include=["documents", "metadatas", "distances"])
        return {key: (value[0] if value else []) for key, value in got.items() if key != "included"}
