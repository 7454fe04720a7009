"""The app's state stores over one database, built in one place from Settings.

    data = AppData.from_settings(settings)   # PA_DATABASE_URL, else the SQLite file PA_FEEDBACK_DB
    data.feedback.vote(...); data.conversations.list(owner)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from programme_assistant.appdata.conversations import ConversationStore
from programme_assistant.appdata.database import AppDatabase, sqlite_url
from programme_assistant.appdata.feedback import FeedbackStore

if TYPE_CHECKING:
    from programme_assistant.config import Settings


@dataclass(frozen=True)
class AppData:
    db: AppDatabase
    feedback: FeedbackStore
    conversations: ConversationStore

    @classmethod
    def from_url(cls, url: str) -> AppData:
        db = AppDatabase(url)
        return cls(db, FeedbackStore(db), ConversationStore(db))

    @classmethod
    def sqlite(cls, path: Path) -> AppData:
        return cls.from_url(sqlite_url(path))

    @classmethod
    def from_settings(cls, settings: Settings) -> AppData:
        return cls.from_url(settings.resolved_database_url())

    def close(self) -> None:
        self.db.close()
