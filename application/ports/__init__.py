"""Ports: the Protocols the use cases depend on. Adapters satisfy them structurally."""

from askdocs.application.ports.auth import ApiKeyStore, BearerTokenVerifier
from askdocs.application.ports.cache import AnswerCache, CacheLookup
from askdocs.application.ports.chat import ChatModel, ChatRequest, Delta, StreamEvent
from askdocs.application.ports.conversations import ConversationStore
from askdocs.application.ports.documents import DocumentListing, DocumentQuery, DocumentRepository
from askdocs.application.ports.embeddings import Embedder
from askdocs.application.ports.fetching import FetchedDocument, UrlFetcher
from askdocs.application.ports.index import (
    Coverage,
    IndexedChunk,
    Liveness,
    LivePage,
    SearchHit,
    SearchQuery,
    TermCounts,
    VectorIndex,
)
from askdocs.application.ports.jobs import (
    Backlog,
    IngestionJob,
    JobAttempt,
    JobHandler,
    JobQueue,
)
from askdocs.application.ports.observability import Clock, IdGenerator, Metrics
from askdocs.application.ports.parsing import DocumentParser, ParsedDocument, Tokenizer
from askdocs.application.ports.providers import ProviderHealth
from askdocs.application.ports.rate_limits import RateLimiter
from askdocs.application.ports.storage import BlobStore

__all__ = [
    "AnswerCache",
    "ApiKeyStore",
    "Backlog",
    "BearerTokenVerifier",
    "BlobStore",
    "CacheLookup",
    "ChatModel",
    "ChatRequest",
    "Clock",
    "ConversationStore",
    "Coverage",
    "Delta",
    "DocumentListing",
    "DocumentParser",
    "DocumentQuery",
    "DocumentRepository",
    "Embedder",
    "FetchedDocument",
    "IdGenerator",
    "IndexedChunk",
    "IngestionJob",
    "JobAttempt",
    "JobHandler",
    "JobQueue",
    "LivePage",
    "Liveness",
    "Metrics",
    "ParsedDocument",
    "ProviderHealth",
    "RateLimiter",
    "SearchHit",
    "SearchQuery",
    "StreamEvent",
    "TermCounts",
    "Tokenizer",
    "UrlFetcher",
    "VectorIndex",
]
