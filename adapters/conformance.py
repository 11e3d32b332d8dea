"""Every adapter, typed as the port it implements, so that mypy compares the two.

Adapters do not subclass their ports (structural typing): nothing else makes mypy hold an
adapter against its port unless some caller happens to annotate one as the other. Each
function below returns an adapter as its port, so an adapter that drifts (a method renamed or
missing, another signature, a synchronous method where the port's is async) fails
`mypy -p askdocs` on the line naming it. tests/unit/test_conformance.py fails when a class
under adapters/ that has a port's methods is missing here. Only that test imports this module.
"""

from __future__ import annotations

from askdocs.adapters.audit.memory import InMemoryAuditLog
from askdocs.adapters.audit.postgres import PostgresAuditLog
from askdocs.adapters.auth.configured import ConfiguredThenStoredKeys
from askdocs.adapters.auth.jwks import JwksKeySet
from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SharedSecret, SigningKeys
from askdocs.adapters.auth.memory import InMemoryApiKeyStore
from askdocs.adapters.auth.postgres import PostgresApiKeyStore
from askdocs.adapters.cache.disabled import DisabledAnswerCache
from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.cache.redis import RedisAnswerCache
from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.adapters.chat.llamacpp import LlamaCppChatModel
from askdocs.adapters.chat.sdk_chat import SdkChatModel
from askdocs.adapters.conversations.memory import InMemoryConversationStore
from askdocs.adapters.conversations.redis import RedisConversationStore
from askdocs.adapters.documents.memory import InMemoryDocumentRepository
from askdocs.adapters.documents.postgres import PostgresDocumentRepository
from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from askdocs.adapters.embeddings.openai_embedder import OpenAIEmbedder
from askdocs.adapters.feedback.memory import InMemoryFeedbackStore
from askdocs.adapters.feedback.postgres import PostgresFeedbackStore
from askdocs.adapters.fetching.disabled import DisabledUrlFetcher
from askdocs.adapters.fetching.httpx_fetcher import HttpxUrlFetcher
from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.jobs.inline import InlineJobQueue
from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.adapters.jobs.pgqueuer_queue import PgQueuerJobQueue
from askdocs.adapters.metrics.datadog import DatadogMetrics
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.metrics.opentelemetry import OpenTelemetryMetrics
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.parsing.inline import InlineParser
from askdocs.adapters.parsing.isolated import IsolatedParser
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.providers.redis import RedisProviderHealth
from askdocs.adapters.rate_limits.memory import InMemoryRateLimiter
from askdocs.adapters.rate_limits.redis import RedisRateLimiter
from askdocs.adapters.reranking.embedding_reranker import EmbeddingReranker
from askdocs.adapters.storage.local import LocalDirectoryBlobStore
from askdocs.adapters.storage.memory import InMemoryBlobStore
from askdocs.adapters.system.clock import SystemClock
from askdocs.adapters.system.ids import RandomIdGenerator
from askdocs.adapters.tokenizers.tiktoken_tokenizer import TiktokenTokenizer
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.adapters.tracing.opentelemetry import OpenTelemetrySpan, OpenTelemetryTracer
from askdocs.adapters.tracing.unrecorded import UnrecordedSpan
from askdocs.application.ports import (
    AnswerCache,
    ApiKeyStore,
    BearerTokenVerifier,
    BlobStore,
    ChatModel,
    Clock,
    ConversationStore,
    DocumentParser,
    DocumentRepository,
    Embedder,
    IdGenerator,
    JobQueue,
    Metrics,
    ProviderHealth,
    RateLimiter,
    Tokenizer,
    UrlFetcher,
    VectorIndex,
)
from askdocs.application.ports.audit import AuditLog
from askdocs.application.ports.feedback import FeedbackStore
from askdocs.application.ports.ranking import Reranker
from askdocs.application.ports.tracing import Span, Tracer
from askdocs.application.provider_router import ProviderRouter


def _in_memory_audit_log(adapter: InMemoryAuditLog) -> AuditLog:
    return adapter


def _postgres_audit_log(adapter: PostgresAuditLog) -> AuditLog:
    return adapter


def _in_memory_api_key_store(adapter: InMemoryApiKeyStore) -> ApiKeyStore:
    return adapter


def _postgres_api_key_store(adapter: PostgresApiKeyStore) -> ApiKeyStore:
    return adapter


def _configured_then_stored_keys(adapter: ConfiguredThenStoredKeys) -> ApiKeyStore:
    return adapter


def _jwt_bearer_token_verifier(adapter: JwtBearerTokenVerifier) -> BearerTokenVerifier:
    return adapter


def _shared_secret(adapter: SharedSecret) -> SigningKeys:
    return adapter


def _jwks_key_set(adapter: JwksKeySet) -> SigningKeys:
    return adapter


def _in_memory_answer_cache(adapter: InMemoryAnswerCache) -> AnswerCache:
    return adapter


def _redis_answer_cache(adapter: RedisAnswerCache) -> AnswerCache:
    return adapter


def _disabled_answer_cache(adapter: DisabledAnswerCache) -> AnswerCache:
    return adapter


def _extractive_chat_model(adapter: ExtractiveChatModel) -> ChatModel:
    return adapter


def _llamacpp_chat_model(adapter: LlamaCppChatModel) -> ChatModel:
    return adapter


def _sdk_chat_model(adapter: SdkChatModel) -> ChatModel:
    return adapter


def _provider_router(adapter: ProviderRouter) -> ChatModel:
    return adapter


def _in_memory_conversation_store(adapter: InMemoryConversationStore) -> ConversationStore:
    return adapter


def _redis_conversation_store(adapter: RedisConversationStore) -> ConversationStore:
    return adapter


def _in_memory_document_repository(adapter: InMemoryDocumentRepository) -> DocumentRepository:
    return adapter


def _postgres_document_repository(adapter: PostgresDocumentRepository) -> DocumentRepository:
    return adapter


def _hashing_embedder(adapter: HashingEmbedder) -> Embedder:
    return adapter


def _onnx_embedder(adapter: OnnxEmbedder) -> Embedder:
    return adapter


def _openai_embedder(adapter: OpenAIEmbedder) -> Embedder:
    return adapter


def _in_memory_feedback_store(adapter: InMemoryFeedbackStore) -> FeedbackStore:
    return adapter


def _postgres_feedback_store(adapter: PostgresFeedbackStore) -> FeedbackStore:
    return adapter


def _httpx_url_fetcher(adapter: HttpxUrlFetcher) -> UrlFetcher:
    return adapter


def _disabled_url_fetcher(adapter: DisabledUrlFetcher) -> UrlFetcher:
    return adapter


def _in_memory_vector_index(adapter: InMemoryVectorIndex) -> VectorIndex:
    return adapter


def _pg_vector_index(adapter: PgVectorIndex) -> VectorIndex:
    return adapter


def _in_process_job_queue(adapter: InProcessJobQueue) -> JobQueue:
    return adapter


def _inline_job_queue(adapter: InlineJobQueue) -> JobQueue:
    return adapter


def _pgqueuer_job_queue(adapter: PgQueuerJobQueue) -> JobQueue:
    return adapter


def _noop_metrics(adapter: NoopMetrics) -> Metrics:
    return adapter


def _prometheus_metrics(adapter: PrometheusMetrics) -> Metrics:
    return adapter


def _datadog_metrics(adapter: DatadogMetrics) -> Metrics:
    return adapter


def _opentelemetry_metrics(adapter: OpenTelemetryMetrics) -> Metrics:
    return adapter


def _noop_tracer(adapter: NoopTracer) -> Tracer:
    return adapter


def _unrecorded_span(adapter: UnrecordedSpan) -> Span:
    return adapter


def _opentelemetry_tracer(adapter: OpenTelemetryTracer) -> Tracer:
    return adapter


def _opentelemetry_span(adapter: OpenTelemetrySpan) -> Span:
    return adapter


def _inline_parser(adapter: InlineParser) -> DocumentParser:
    return adapter


def _isolated_parser(adapter: IsolatedParser) -> DocumentParser:
    return adapter


def _in_memory_provider_health(adapter: InMemoryProviderHealth) -> ProviderHealth:
    return adapter


def _redis_provider_health(adapter: RedisProviderHealth) -> ProviderHealth:
    return adapter


def _in_memory_rate_limiter(adapter: InMemoryRateLimiter) -> RateLimiter:
    return adapter


def _redis_rate_limiter(adapter: RedisRateLimiter) -> RateLimiter:
    return adapter


def _embedding_reranker(adapter: EmbeddingReranker) -> Reranker:
    return adapter


def _local_directory_blob_store(adapter: LocalDirectoryBlobStore) -> BlobStore:
    return adapter


def _in_memory_blob_store(adapter: InMemoryBlobStore) -> BlobStore:
    return adapter


def _system_clock(adapter: SystemClock) -> Clock:
    return adapter


def _random_id_generator(adapter: RandomIdGenerator) -> IdGenerator:
    return adapter


def _tiktoken_tokenizer(adapter: TiktokenTokenizer) -> Tokenizer:
    return adapter
