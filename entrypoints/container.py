"""The composition root: one dependency-injector container choosing each adapter by a setting.

Every port is a `Selector` keyed by its setting's value, so only the selected adapter is ever
built; nothing is constructed until first use, and nothing connects at import time.
"""

from __future__ import annotations

import msgspec
from dependency_injector import containers, providers

from askdocs.adapters.audit.memory import InMemoryAuditLog
from askdocs.adapters.auth.configured import ConfiguredThenStoredKeys
from askdocs.adapters.auth.memory import InMemoryApiKeyStore
from askdocs.adapters.cache.disabled import DisabledAnswerCache
from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.conversations.memory import InMemoryConversationStore
from askdocs.adapters.documents.memory import InMemoryDocumentRepository
from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from askdocs.adapters.feedback.memory import InMemoryFeedbackStore
from askdocs.adapters.fetching.disabled import DisabledUrlFetcher
from askdocs.adapters.fetching.httpx_fetcher import HttpxUrlFetcher
from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.index.pg_search_sql import search_session_settings
from askdocs.adapters.jobs.inline import InlineJobQueue
from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.parsing.inline import InlineParser
from askdocs.adapters.parsing.isolated import IsolatedParser
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.rate_limits.memory import InMemoryRateLimiter
from askdocs.adapters.reranking.embedding_reranker import EmbeddingReranker
from askdocs.adapters.storage.local import LocalDirectoryBlobStore
from askdocs.adapters.storage.memory import InMemoryBlobStore
from askdocs.adapters.system.clock import SystemClock
from askdocs.adapters.system.ids import RandomIdGenerator
from askdocs.adapters.tokenizers.tiktoken_tokenizer import TiktokenTokenizer
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.api_keys import (
    AuthenticateKey,
    CreateApiKey,
    CreateFirstAdminKey,
    ListApiKeys,
    RevokeApiKey,
)
from askdocs.application.ask_question import AskQuestion
from askdocs.application.audit import ListAuditEvents, RecordWrite
from askdocs.application.authenticate_caller import AuthenticateCaller
from askdocs.application.backfill_embeddings import BackfillEmbeddings
from askdocs.application.change_document import ChangeDocument
from askdocs.application.change_version import DeleteVersion, RetryIngestion
from askdocs.application.embedding_models import EmbeddingModels
from askdocs.application.feedback import GiveFeedback, ListFeedback
from askdocs.application.get_document import GetDocument
from askdocs.application.ingest_document import IngestDocument
from askdocs.application.ingestion_worker import IngestionWorker
from askdocs.application.list_documents import ListDocuments
from askdocs.application.process_ingestion import ProcessIngestion
from askdocs.application.rate_limits import (
    EnforceRateLimit,
    LimitFailedSignIns,
    RateLimitStatus,
)
from askdocs.application.read_original import ReadOriginal
from askdocs.application.reset_conversation import ResetConversation
from askdocs.application.retrieve_passages import RetrievePassages
from askdocs.application.submit_document import SubmitDocument
from askdocs.application.submit_url import SubmitUrl
from askdocs.domain.chunking import ChunkingPolicy
from askdocs.domain.conversations import MemoryWindow
from askdocs.domain.ingestion import RetryPolicy
from askdocs.entrypoints.auth_wiring import build_bearer_verifier, build_role_map
from askdocs.entrypoints.embedder_wiring import (
    build_embedders,
    preferred_first,
    several_models_kept_complete,
)
from askdocs.entrypoints.extras import lazy, require_extras
from askdocs.entrypoints.infrastructure import resolve_backends
from askdocs.entrypoints.llm_wiring import build_chat_model
from askdocs.entrypoints.settings import Settings
from askdocs.entrypoints.tracing_context import ContextTracer
from askdocs.entrypoints.wiring import (
    api_keys_from_setting,
    blob_root,
    comma_separated,
    failed_sign_in_policy,
    prometheus_multiprocess_dir,
    rate_limit_rules,
    worker_concurrency,
)


class Container(containers.DeclarativeContainer):
    """Adapters and use cases for one process, configured from `Settings`."""

    # Both hold the same resolved settings (no `auto` left): `build_container` fills them.
    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    # Log lines learn the current trace id, and Server-Timing the phases' durations, from it.
    tracer = providers.Singleton(
        ContextTracer,
        traced=providers.Selector(
            config.tracing.backend,
            opentelemetry=providers.Singleton(
                lazy("askdocs.adapters.tracing.opentelemetry:OpenTelemetryTracer"),
                export_log_interval_s=config.tracing.export_log_interval_s,
                sampler=providers.Callable(
                    lazy("askdocs.adapters.tracing.sampling:traces_sampler"),
                    config.tracing.max_traces_per_second,
                ),
            ),
            noop=providers.Singleton(NoopTracer),
        ),
    )
    ids = providers.Singleton(RandomIdGenerator)
    tokenizer = providers.Singleton(TiktokenTokenizer, encoding=config.tokenizer.encoding)
    # A worker's jobs in flight, and the parsing processes among them at once.
    jobs_at_once = providers.Callable(
        worker_concurrency, config.worker.concurrency, per_core=config.worker.jobs_per_core
    )
    parses_at_once = providers.Callable(
        worker_concurrency, config.worker.parse_processes, per_core=1
    )
    parser = providers.Selector(
        config.worker.parser,
        isolated=providers.Singleton(
            IsolatedParser,
            cpu_budget_s=config.worker.parse_cpu_s,
            wall_budget_s=config.worker.parse_timeout_s,
            memory_budget_mb=config.worker.parse_memory_mb,
            max_concurrent=parses_at_once,
            files_per_process=config.worker.parse_files_per_process,
            shared_max_kb=config.worker.parse_shared_max_kb,
        ),
        inline=providers.Singleton(InlineParser),
    )
    url_fetcher = providers.Selector(
        config.fetch.backend,
        httpx=providers.Singleton(
            HttpxUrlFetcher,
            max_bytes=config.documents.max_upload_bytes,
            timeout_s=config.fetch.timeout_s,
            max_redirects=config.fetch.max_redirects,
            allow=providers.Callable(comma_separated, config.fetch.allow),
        ),
        disabled=providers.Singleton(DisabledUrlFetcher),
    )
    blobs = providers.Selector(
        config.documents.blob_store,
        local=providers.Singleton(
            LocalDirectoryBlobStore, root=providers.Callable(blob_root, config.documents.blob_dir)
        ),
        memory=providers.Singleton(InMemoryBlobStore),
    )

    database = providers.Singleton(
        lazy("askdocs.adapters.postgres.database:PostgresDatabase"),
        url=config.database.url,
        min_size=config.database.pool_min_size,
        max_size=config.database.pool_max_size,
        command_timeout_s=config.database.command_timeout_s,
        # Connections start with what the HNSW scan reads: no transaction around a search.
        server_settings=providers.Callable(
            search_session_settings, ef_search=config.index.hnsw_ef_search
        ),
    )
    embedder = providers.Selector(
        config.embedder.backend,
        hashing=providers.Singleton(HashingEmbedder, dim=config.embedder.dim),
        openai=providers.Singleton(
            lazy("askdocs.adapters.embeddings.openai_embedder:OpenAIEmbedder"),
            model=config.embedder.model,
            dim=config.embedder.dim,
            base_url=config.embedder.base_url,
            api_key=config.embedder.api_key,
            timeout_s=config.embedder.timeout_s,
            send_dimensions=config.embedder.send_dimensions,
        ),
        local=providers.Singleton(
            OnnxEmbedder,
            model_path=config.embedder.model_path,
            tokenizer_path=config.embedder.tokenizer_path,
            model_name=config.embedder.model,
            dim=config.embedder.dim,
            max_tokens=config.embedder.max_tokens,
            threads=config.embedder.threads,
        ),
    )
    # Every configured model, most preferred first (the one above).
    embedders = providers.Singleton(
        build_embedders, embedder=settings.provided.embedder, preferred=embedder
    )
    # Instances on one model file share its loaded session: no second load for the reranker.
    reranker = providers.Selector(
        config.rerank.backend,
        none=providers.Object(None),
        local=providers.Singleton(
            EmbeddingReranker,
            embedder=providers.Singleton(
                OnnxEmbedder.bundled,
                max_tokens=config.rerank.max_tokens,
                threads=config.rerank.threads,
            ),
            cached_passages=config.rerank.cached_passages,
        ),
    )
    jobs = providers.Selector(
        config.jobs.backend,
        memory=providers.Singleton(InProcessJobQueue),
        inline=providers.Singleton(InlineJobQueue),
        postgres=providers.Singleton(
            lazy("askdocs.adapters.jobs.pgqueuer_queue:PgQueuerJobQueue"),
            database=database,
            heartbeat_timeout_s=config.jobs.heartbeat_timeout_s,
        ),
    )
    documents = providers.Selector(
        config.documents.backend,
        memory=providers.Singleton(InMemoryDocumentRepository, jobs=jobs),
        postgres=providers.Singleton(
            lazy("askdocs.adapters.documents.postgres:PostgresDocumentRepository"),
            database=database,
            jobs=jobs,
        ),
    )
    metrics = providers.Selector(
        config.metrics.backend,
        prometheus=providers.Singleton(
            lazy("askdocs.adapters.metrics.prometheus:PrometheusMetrics"),
            multiprocess_dir=providers.Callable(prometheus_multiprocess_dir),
        ),
        datadog=providers.Singleton(
            lazy("askdocs.adapters.metrics.datadog:DatadogMetrics"),
            host=config.metrics.statsd_host,
            port=config.metrics.statsd_port,
        ),
        opentelemetry=providers.Singleton(
            lazy("askdocs.adapters.metrics.opentelemetry:OpenTelemetryMetrics")
        ),
        noop=providers.Singleton(NoopMetrics),
    )
    index = providers.Selector(
        config.index.backend,
        memory=providers.Singleton(
            InMemoryVectorIndex,
            rrf_k=config.index.rrf_k,
            candidates=config.index.fusion_candidates,
            vector_weight=config.index.vector_weight,
            text_weight=config.index.text_weight,
            metrics=metrics,
            tracer=tracer,
        ),
        postgres=providers.Singleton(
            lazy("askdocs.adapters.index.pgvector:PgVectorIndex"),
            database=database,
            rrf_k=config.index.rrf_k,
            candidates=config.index.fusion_candidates,
            vector_weight=config.index.vector_weight,
            text_weight=config.index.text_weight,
            hnsw_type=config.index.hnsw_type,
            hnsw_m=config.index.hnsw_m,
            hnsw_ef_construction=config.index.hnsw_ef_construction,
            hnsw_ef_search=config.index.hnsw_ef_search,
            exact_search_below=config.index.exact_search_below,
            metrics=metrics,
            recall_sample_rate=config.index.recall_sample_rate,
            tracer=tracer,
        ),
    )
    redis = providers.Singleton(
        lazy("askdocs.adapters.redis.client:RedisClient"),
        url=config.redis.url,
        socket_timeout_s=config.redis.socket_timeout_s,
        prefix=config.redis.prefix,
        breaker_cooldown_s=config.redis.breaker_cooldown_s,
        metrics=metrics,
    )
    cache = providers.Selector(
        config.cache.backend,
        memory=providers.Singleton(
            InMemoryAnswerCache, max_entries=config.cache.max_entries, ttl_s=config.cache.ttl_s
        ),
        redis=providers.Singleton(
            lazy("askdocs.adapters.cache.redis:RedisAnswerCache"),
            client=redis,
            ttl_s=config.cache.ttl_s,
        ),
        disabled=providers.Singleton(DisabledAnswerCache),
    )
    rate_limiter = providers.Selector(
        config.rate_limit.backend,
        memory=providers.Singleton(InMemoryRateLimiter),
        redis=providers.Singleton(
            lazy("askdocs.adapters.rate_limits.redis:RedisRateLimiter"), client=redis
        ),
    )
    conversations = providers.Selector(
        config.conversations.backend,
        memory=providers.Singleton(
            InMemoryConversationStore, ttl_s=config.conversations.retention_s
        ),
        redis=providers.Singleton(
            lazy("askdocs.adapters.conversations.redis:RedisConversationStore"),
            client=redis,
            retention_s=config.conversations.retention_s,
        ),
    )
    provider_health = providers.Selector(
        config.provider_health.backend,
        memory=providers.Singleton(InMemoryProviderHealth),
        redis=providers.Singleton(
            lazy("askdocs.adapters.providers.redis:RedisProviderHealth"), client=redis
        ),
    )
    chat_model = providers.Singleton(
        build_chat_model,
        llm=settings.provided.llm,
        health=provider_health,
        metrics=metrics,
        tracer=tracer,
    )
    api_keys = providers.Singleton(
        ConfiguredThenStoredKeys,
        configured=providers.Callable(api_keys_from_setting, config.auth.api_keys),
        stored=providers.Selector(
            config.auth.key_store,
            memory=providers.Singleton(InMemoryApiKeyStore),
            postgres=providers.Singleton(
                lazy("askdocs.adapters.auth.postgres:PostgresApiKeyStore"), database=database
            ),
        ),
    )

    chunking = providers.Singleton(
        ChunkingPolicy, size=config.documents.chunk_tokens, overlap=config.documents.chunk_overlap
    )
    memory_window = providers.Singleton(
        MemoryWindow,
        max_turns=config.conversations.max_turns,
        token_budget=config.conversations.history_token_budget,
    )
    rules = providers.Singleton(rate_limit_rules, settings)

    submit_document = providers.Singleton(
        SubmitDocument,
        repository=documents,
        parser=parser,
        blobs=blobs,
        metrics=metrics,
        clock=clock,
        ids=ids,
        max_bytes=config.documents.max_upload_bytes,
        tracer=tracer,
    )
    submit_url = providers.Singleton(SubmitUrl, fetcher=url_fetcher, submit=submit_document)
    retry_policy = providers.Singleton(
        RetryPolicy,
        max_attempts=config.jobs.retry_attempts,
        first_delay_s=config.jobs.retry_first_delay_s,
    )
    process_ingestion = providers.Singleton(
        ProcessIngestion,
        repository=documents,
        index=index,
        parser=parser,
        tokenizer=tokenizer,
        embedders=embedders,
        blobs=blobs,
        cache=cache,
        metrics=metrics,
        chunking=chunking,
        retry=retry_policy,
        tracer=tracer,
    )
    embedding_models = providers.Singleton(
        EmbeddingModels,
        embedders,
        index=index,
        coverage_ttl_s=config.embedder.coverage_ttl_s,
        metrics=metrics,
        tracer=tracer,
    )
    backfill_embeddings = providers.Singleton(
        BackfillEmbeddings,
        index=index,
        cache=cache,
        batch=config.embedder.backfill_batch,
        metrics=metrics,
        tracer=tracer,
    )
    # Only with several models: a single one never misses chunks a version made live.
    keep_embeddings_complete = providers.Callable(
        several_models_kept_complete,
        models=embedding_models,
        backfill=backfill_embeddings,
        index=index,
        every_s=config.embedder.backfill_every_s,
    )
    ingest_document = providers.Singleton(
        IngestDocument, submit=submit_document, process=process_ingestion
    )
    ingestion_worker = providers.Singleton(
        IngestionWorker,
        queue=jobs,
        process=process_ingestion,
        concurrency=jobs_at_once,
        stalled_after_s=config.jobs.stalled_after_s,
        sweep_every_s=config.jobs.sweep_every_s,
        grace_s=config.worker.grace_s,
        backlog_every_s=config.jobs.backlog_every_s,
        metrics=metrics,
        tracer=tracer,
        embeddings=keep_embeddings_complete,
    )
    retry_ingestion = providers.Singleton(RetryIngestion, repository=documents, tracer=tracer)
    delete_version = providers.Singleton(DeleteVersion, repository=documents)
    retrieve_passages = providers.Singleton(
        RetrievePassages,
        index=index,
        embedders=embedding_models,
        depth=config.index.rerank_depth,
        reranker=reranker,
        reranker_weight=config.rerank.weight,
        tracer=tracer,
    )
    ask_question = providers.Singleton(
        AskQuestion,
        retrieve=retrieve_passages,
        chat_model=chat_model,
        cache=cache,
        conversations=conversations,
        tokenizer=tokenizer,
        metrics=metrics,
        clock=clock,
        ids=ids,
        memory=memory_window,
        default_top_k=config.index.top_k,
        prompt_budget_tokens=config.llm.prompt_budget_tokens,
        min_coverage=config.index.min_coverage,
        answer_deadline_s=config.llm.deadline_s,
        tracer=tracer,
    )
    list_documents = providers.Singleton(ListDocuments, repository=documents)
    feedback = providers.Selector(
        config.documents.backend,
        memory=providers.Singleton(InMemoryFeedbackStore),
        postgres=providers.Singleton(
            lazy("askdocs.adapters.feedback.postgres:PostgresFeedbackStore"), database=database
        ),
    )
    give_feedback = providers.Singleton(GiveFeedback, store=feedback, clock=clock, ids=ids)
    audit_log = providers.Selector(
        config.documents.backend,
        memory=providers.Singleton(InMemoryAuditLog),
        postgres=providers.Singleton(
            lazy("askdocs.adapters.audit.postgres:PostgresAuditLog"), database=database
        ),
    )
    record_write = providers.Singleton(RecordWrite, audit_log=audit_log, clock=clock, ids=ids)
    list_audit_events = providers.Singleton(ListAuditEvents, audit_log=audit_log)
    list_feedback = providers.Singleton(ListFeedback, store=feedback)
    get_document = providers.Singleton(GetDocument, repository=documents)
    read_original = providers.Singleton(ReadOriginal, repository=documents, blobs=blobs)
    change_document = providers.Singleton(
        ChangeDocument, repository=documents, index=index, cache=cache, metrics=metrics, clock=clock
    )
    reset_conversation = providers.Singleton(ResetConversation, conversations=conversations)
    enforce_rate_limit = providers.Singleton(
        EnforceRateLimit,
        limiter=rate_limiter,
        clock=clock,
        rules=rules,
        fail_open=config.rate_limit.fail_open,
        metrics=metrics,
    )
    rate_limit_status = providers.Singleton(
        RateLimitStatus, limiter=rate_limiter, clock=clock, rules=rules
    )
    limit_failed_sign_ins = providers.Singleton(
        LimitFailedSignIns,
        limiter=rate_limiter,
        clock=clock,
        policy=providers.Callable(failed_sign_in_policy, settings),
        metrics=metrics,
    )
    authenticate_key = providers.Singleton(AuthenticateKey, keys=api_keys, clock=clock)
    bearer_tokens = providers.Singleton(build_bearer_verifier, settings.provided.auth.jwt)
    authenticate_caller = providers.Singleton(
        AuthenticateCaller,
        keys=authenticate_key,
        tokens=bearer_tokens,
        roles=providers.Singleton(build_role_map, settings.provided.auth.jwt),
    )
    create_api_key = providers.Singleton(CreateApiKey, keys=api_keys, clock=clock, ids=ids)
    list_api_keys = providers.Singleton(ListApiKeys, keys=api_keys)
    revoke_api_key = providers.Singleton(RevokeApiKey, keys=api_keys, clock=clock)
    create_first_admin_key = providers.Singleton(
        CreateFirstAdminKey, create=create_api_key, keys=api_keys
    )


def build_container(settings: Settings) -> Container:
    """A container for `settings`, with `auto` choices resolved (`resolve_backends`): both
    its `settings` and its `config` see only the resolved values.

    Raises:
        SettingsError: a choice that cannot work. MissingExtra: the settings select a backend
            whose extra is not installed.
    """
    resolved = resolve_backends(settings)
    require_extras(resolved)
    container = Container(settings=resolved)
    container.config.from_dict(preferred_first(msgspec.to_builtins(resolved), resolved.embedder))
    return container
