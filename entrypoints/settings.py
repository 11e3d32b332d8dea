"""Settings: one msgspec tree read from ASKDOCS_* environment variables and an optional TOML file.

Nested fields use a double underscore: ASKDOCS_CACHE__TTL_S=60 sets `cache.ttl_s`. Values from
the environment override the TOML file named by ASKDOCS_CONFIG_FILE.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec

from askdocs.entrypoints.auth_settings import AuthSettings
from askdocs.entrypoints.settings_errors import SettingsSource

PREFIX = "ASKDOCS_"
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?")
"""A scheme, a host and maybe a port: what a browser sends as Origin."""
NOT_SETTINGS = frozenset(
    {
        # read by the CLI
        "CONFIG_FILE", "API_KEY", "URL",
        # read by the tests, their helpers and the scripts beside them (a developer exports
        # them in the shell that also runs `askdocs`)
        "TEST_DATABASE_URL", "TEST_REDIS_URL", "REQUIRE_SERVICES", "REQUIRE_LOCAL_MODEL",
        "REQUIRE_LLAMACPP",
        "GOLDEN_PDFS", "BENCH_CACHE", "BENCH_DATABASE_URL", "BENCH_RUN", "BENCH_VARY",
        "FUZZ_EXAMPLES", "FUZZ_DOCUMENT", "BROWSER_ARTIFACTS", "CHROMIUM", "CONTAINER_IMAGE",
        "COMPOSE_IMAGES",
    }
)  # fmt: skip
"""ASKDOCS_* variables that are read elsewhere, not settings; any other ASKDOCS_* variable
must name a setting, so a mistyped one stops the process instead of being ignored."""
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
PostgresUrl = Annotated[str, msgspec.Meta(pattern=r"^(postgres(ql)?://|$)")]
RedisUrl = Annotated[str, msgspec.Meta(pattern=r"^(rediss?://|unix://|$)")]


class ServerSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    """Interface to listen on (`serve --host`)."""
    port: Port = 8000
    """TCP port to listen on (`serve --port`)."""
    workers: Annotated[int, msgspec.Meta(ge=1)] = 1
    """Server processes (`serve --workers`); embedded (in-memory) data is per process, so keep
    1 without services."""
    trusted_proxies: str = ""
    """Comma-separated peer addresses whose X-Forwarded-For is believed."""
    demo: bool = False
    """Load the demo corpus (a short guide to askdocs, tagged `demo`) at start (`serve
    --demo`)."""


class DatabaseSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    url: PostgresUrl = ""
    """PostgreSQL URL (postgresql://user:password@host:port/db); set, it selects the PostgreSQL
    adapters for documents and vectors."""
    pool_min_size: int = 1
    """Connections kept open per process."""
    pool_max_size: int = 10
    """Most connections one process opens."""
    command_timeout_s: float = 30.0
    """A statement that runs longer fails with 504."""
    migrate_on_start: bool = False
    """Apply pending migrations when the server starts (safe with several processes)."""

    def __post_init__(self) -> None:
        _check_port_of("database.url", self.url)


class RedisSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    url: RedisUrl = ""
    """Redis URL (redis://host:6379/0); set, the answer cache, rate limits, conversation memory
    and provider cooldowns are shared through it by every worker."""
    socket_timeout_s: float = 0.5
    """A Redis call slower than this counts as a failure (the request degrades, never fails)."""
    breaker_cooldown_s: float = 5.0
    """After a Redis call fails (a timeout, a refused connection), calls fail at once for this
    long, then one is let through to try; so a hung Redis costs one timeout per period."""
    prefix: str = "askdocs"
    """Prefix of every key askdocs writes."""

    def __post_init__(self) -> None:
        _check_port_of("redis.url", self.url)


class DocumentSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "postgres"] = "auto"
    """Where documents and versions are kept; `auto` follows `database.url`."""
    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest accepted upload; larger ones get 413."""
    blob_dir: str = ""
    """Directory for raw uploads, by SHA-256; empty: `$XDG_DATA_HOME/askdocs/blobs`
    (`~/.local/share/askdocs/blobs`)."""
    blob_store: Literal["auto", "local", "memory"] = "auto"
    """Where raw uploads are kept: `local` (the `blob_dir` directory, which every worker
    process must share) or `memory` (this process only, lost when it ends). `auto` is `local`,
    except in the library (`askdocs.Askdocs`) with neither `blob_dir` nor `database.url`
    set, where it is `memory`."""
    chunk_tokens: int = 256
    """Tokens per chunk."""
    chunk_overlap: int = 32
    """Tokens shared by consecutive chunks of a page."""


class JobSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "postgres", "inline"] = "auto"
    """Where ingestion jobs wait: `memory` is an in-process worker of `serve`; `postgres`
    (PgQueuer) feeds the workers of `serve` and of `askdocs worker` processes alike; `inline`
    keeps none, as whoever submits a document ingests it in the call (the library; `serve` and
    `worker` refuse it). `auto` follows `database.url`, and is `inline` in the library."""
    heartbeat_timeout_s: float = 30.0
    """A job whose worker has not beaten its heartbeat for this long is taken up by another."""
    stalled_after_s: float = 600.0
    """A version queued or processing this long with no job gets a job again (the sweeper)."""
    sweep_every_s: float = 60.0
    """How often each worker looks for stalled versions."""
    backlog_every_s: float = 15.0
    """How often each worker publishes the queue's backlog (`queue_depth`,
    `queue_oldest_age_seconds`); 0 publishes none."""
    retry_attempts: int = 6
    """Deliveries of a job that keeps meeting upstream failures before its version fails."""
    retry_first_delay_s: float = 5.0
    """Backoff after the first upstream failure; it doubles each time, up to 300 s."""


class WorkerSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    concurrency: int = 0
    """Jobs one worker runs at once; 0 means `jobs_per_core` per CPU core
    (`worker --concurrency`)."""
    jobs_per_core: int = 4
    """Jobs per CPU core when `concurrency` is 0: a job of a small file spends most of its
    time waiting on the database, so more jobs than cores keep the cores busy. Parsing, all
    computation, is bounded by `parse_processes` apart."""
    parse_processes: int = 0
    """Files one worker parses at once, each in a process of its own; 0 means one per CPU
    core."""
    max_jobs: int = 0
    """Jobs after which a worker process exits to be replaced by a fresh one; 0: never."""
    processes: int = 1
    """Worker processes `askdocs worker` runs and restarts (`worker --processes`; one per core
    is typical)."""
    in_serve: Literal["auto", "true", "false"] = "auto"
    """Run a worker inside each `serve` process; `auto` (like `true`) does, so one machine
    ingests with `serve` alone. `false` leaves jobs in PostgreSQL to `askdocs worker`
    processes (refused with jobs in memory, which nothing else could take)."""
    parser: Literal["auto", "isolated", "inline"] = "auto"
    """How files are read: `isolated` in a child process per file within the budgets below,
    so a hostile file costs only its own parse; `inline` in a thread of this process, with
    no budget (for trusted files, or where a child process is unwanted). `auto` is
    `isolated`, and `inline` in the library."""
    parse_cpu_s: float = 120.0
    """CPU seconds parsing one file may use; a file over it fails, the worker lives on. CPU
    time, so a busy machine does not fail files an idle one would parse."""
    parse_timeout_s: float = 600.0
    """Wall-clock seconds after which a parse is killed whatever it is doing."""
    parse_memory_mb: int = 2048
    """Address-space budget of the process that parses one file."""
    parse_files_per_process: int = 64
    """Small files one parsing process reads one after another before a fresh one takes over
    (each with the budgets above to itself); 1 gives every file a process of its own.
    Starting a process costs far more than reading a page of HTML."""
    parse_shared_max_kb: int = 1024
    """Files up to this size may share a parsing process; a larger one has one of its own."""
    grace_s: float = 30.0
    """On SIGTERM, how long running jobs may take to finish before the worker exits."""


class FetchSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["httpx", "disabled"] = "httpx"
    """`httpx` fetches documents named by URL (within the limits below); `disabled` refuses
    every URL with a clear error and never connects anywhere."""
    timeout_s: float = 15.0
    """Overall budget for fetching a document by URL."""
    max_redirects: int = 5
    """Redirects followed, each one checked again."""
    allow: str = ""
    """Comma-separated private networks (CIDRs) or host names URL ingestion may reach; none
    by default, so loopback, private, link-local and metadata addresses are refused."""


class IndexSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "postgres"] = "auto"
    """Vector index implementation; `auto` follows `database.url`."""
    hnsw_type: Literal["vector", "halfvec", "bit"] = "halfvec"
    """What the HNSW graph holds of each vector (PostgreSQL): `vector` (float32), `halfvec`
    (float16: half the index) or `bit` (one bit per dimension; the walk's `hnsw_ef_search`
    rows are re-ranked by the full vectors). Indexes made before a change keep their type:
    searches only use an index of the type set (ADR 38)."""
    hnsw_m: int = 16
    """HNSW graph degree (PostgreSQL)."""
    hnsw_ef_construction: int = 64
    """HNSW build-time candidate list (PostgreSQL)."""
    hnsw_ef_search: int = 100
    """HNSW query-time candidate list (PostgreSQL): higher is more exact and slower (64 meets
    recall@10 0.95 on sentence vectors; the hashing embedder's need 100, ADR 38)."""
    exact_search_below: int = 2_000
    """A filtered search over fewer live chunks than this scans them exactly (PostgreSQL)."""
    recall_sample_rate: float = 0.01
    """Share of HNSW searches re-run exactly in the background to publish the recall gauge."""
    rrf_k: int = 60
    """Reciprocal rank fusion constant."""
    fusion_candidates: int = 50
    """Chunks each ranking (vector, full text) hands to fusion, or the `k` asked for if more."""
    vector_weight: float = 0.25
    """Weight of the vector ranking in fusion (lexical hashing vectors earn less than BM25)."""
    text_weight: float = 1.0
    """Weight of the full-text ranking in fusion."""
    top_k: int = 5
    """Passages retrieved per question unless the request says otherwise (it may ask 1 to
    50)."""
    rerank_depth: int = 50
    """Candidates of the fused search that are reranked (terms weighted by rarity, sections,
    phrases) before the best `top_k` are kept; 0: no rerank, the index's own order."""
    min_coverage: float = 0.44
    """Passages holding less of the question (its terms weighted by rarity) than this share
    do not answer it: the reply says so (`answered: false`); 0 answers every question."""


class EmbeddingModelSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One embedding model: the `embedder` section itself, or a section `embedder.<name>`
    (`ASKDOCS_EMBEDDER__<NAME>__*`) for each name in `embedder.models`."""

    backend: Literal["hashing", "openai", "local"] = "hashing"
    """Embedding implementation: `hashing` (offline), `openai` (any OpenAI-compatible
    embeddings API) or `local` (the offline sentence model of `askdocs[local]`, 384-d, ADR
    16)."""
    dim: int = 384
    """Vector length."""
    model: str = ""
    """The embedding model's name at the server (`openai`), or the name `model_path` goes by
    in stored vectors' model id (`local`)."""
    base_url: str = ""
    """The server's base URL with `/v1` (`openai`); empty: api.openai.com."""
    api_key: str = ""
    """The key sent to the server (`openai`)."""
    timeout_s: float = 30.0
    """Seconds one embeddings request may take (`openai`)."""
    send_dimensions: bool = False
    """Ask the server for `dim`-long vectors (models that can shorten theirs)."""
    max_tokens: int = 256
    """`local`: tokens of a text the model reads; the rest is cut."""
    threads: int = 0
    """`local`: inference threads; 0 is one per physical core."""
    model_path: str = ""
    """`local`: an ONNX sentence model of your own (with `tokenizer_path`); empty: the bundled
    all-MiniLM-L6-v2."""
    tokenizer_path: str = ""
    """`local`: the `tokenizer.json` of `model_path`."""


class EmbedderSettings(EmbeddingModelSettings, kw_only=True, forbid_unknown_fields=True):
    models: str = ""
    """Comma-separated embedding models, most preferred first, each described by a section of
    its own with the fields above (`ASKDOCS_EMBEDDER__<NAME>__BACKEND`, `__DIM`, `__MODEL`...);
    empty: the one model the fields above describe. Documents are embedded with every model; a
    question with the first whose vectors cover the live chunks and whose provider answers."""
    backfill_every_s: float = 60.0
    """How often a worker looks for live chunks a configured model has no vector for (a model
    added, or one that failed during an ingestion) and embeds them."""
    backfill_batch: int = 256
    """Chunks embedded and stored per step of a backfill (`askdocs reembed` too)."""
    coverage_ttl_s: float = 10.0
    """Seconds a process reuses what it counted of each model's coverage of the live chunks,
    when choosing the model a question is embedded with (with several models)."""
    named: dict[str, EmbeddingModelSettings] = msgspec.field(default_factory=dict)
    """The models' sections, gathered from `embedder.<name>` by `load_settings`."""

    def __post_init__(self) -> None:
        if self.backfill_every_s <= 0 or self.coverage_ttl_s < 0 or self.backfill_batch < 1:
            raise ValueError(
                "embedder.backfill_every_s must be positive, embedder.coverage_ttl_s at least "
                "0 and embedder.backfill_batch at least 1"
            )

    @property
    def model_names(self) -> list[str]:
        """The names in `models`, in order of preference (none: the section's own model)."""
        return [name.strip().lower() for name in self.models.split(",") if name.strip()]


class RerankSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["none", "local"] = "none"
    """A semantic second look at the fused candidates, beside the lexical one every search
    gets: `local` is the offline sentence model of `askdocs[local]` (about 20 ms a candidate
    until its vector is cached)."""
    weight: float = 1.0
    """How much the semantic score (a cosine) adds to the lexical relevance."""
    max_tokens: int = 128
    """Tokens of each candidate the model reads: the start of a passage says what it is about."""
    cached_passages: int = 4096
    """Candidates whose vectors are kept for the next questions."""
    threads: int = 0
    """Inference threads; 0 is one per physical core."""


class TokenizerSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    encoding: str = "cl100k_base"
    """tiktoken encoding used for chunks and budgets (an offline copy ships with askdocs)."""


class ProviderSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One LLM provider, under `llm.<name>` (`ASKDOCS_LLM__<NAME>__*`)."""

    kind: Literal["", "openai", "groq", "extractive", "llamacpp"] = ""
    """`openai` (any OpenAI-compatible server), `groq`, `extractive` or `llamacpp` (a GGUF
    model run in process, askdocs[local]); empty: the name if it is one of these, else
    `openai`."""
    base_url: str = ""
    """The API's base URL (with `/v1` for OpenAI-compatible servers; Groq's SDK adds its own
    path); empty: the SDK's default (api.openai.com, api.groq.com)."""
    api_key: str = ""
    """The key sent to the provider; local servers take any."""
    models: str = ""
    """Comma-separated models this provider may be asked for, its default first."""
    timeout_s: float = 0.0
    """Seconds to the answer (to the first token when streaming); 0: `llm.timeout_s`."""
    max_tokens: int = 1024
    """Cap on an answer's length."""
    model_path: str = ""
    """`llamacpp`: the GGUF file to run (its stem names the model when `models` is empty)."""
    context_tokens: Annotated[int, msgspec.Meta(ge=256)] = 4096
    """`llamacpp`: the context window llama.cpp allocates (`n_ctx`): prompt and answer
    together. A longer prompt fails over to the next provider; keep `llm.prompt_budget_tokens`
    plus `max_tokens` below it."""
    threads: Annotated[int, msgspec.Meta(ge=0)] = 0
    """`llamacpp`: CPU threads per generation; 0: llama.cpp's default (half the cores)."""
    concurrency: Annotated[int, msgspec.Meta(ge=1)] = 1
    """`llamacpp`: generations at once, each on its own copy of the model in memory."""
    queue_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """`llamacpp`: seconds a request waits for a free model before the next provider is
    tried."""


class LlmSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    providers: str = "extractive"
    """Comma-separated providers in priority order; each but `extractive` needs a section."""
    timeout_s: float = 30.0
    """Default seconds a provider gets to answer (to its first token when streaming, then
    between tokens) before the next one is tried."""
    deadline_s: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    """Seconds a chat may wait for its answer, every provider's attempt included (a stream:
    for its first token); after them the reply is the apology, marked degraded."""
    cooldown_s: float = 300.0
    """How long a failed provider is skipped, by every worker."""
    prompt_budget_tokens: int = 6000
    """Tokens the prompt may take (instructions, conversation, sources, question): keep it
    below the smallest context window of the configured models, less the answer's length."""
    named: dict[str, ProviderSettings] = msgspec.field(default_factory=dict)
    """The providers' sections, gathered from `llm.<name>` by `load_settings`."""


class CacheSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "redis", "disabled"] = "auto"
    """Answer cache implementation; `auto` follows `redis.url`, and is `disabled` when jobs
    are in PostgreSQL without Redis (other processes ingest, and this one would not hear of
    it)."""
    ttl_s: int = 3600
    """Seconds an answer stays cached."""
    max_entries: int = 10_000
    """Answers kept in process before the least recently used is dropped."""


class RoleLimits(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    chat_per_window: int = 1000
    """Chat requests per window, per principal and per client IP (among this role's)."""
    writes_per_window: int = 10_000
    """Document writes per window, per principal (and per IP)."""


class RateLimitSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "redis"] = "auto"
    """Where the counters live; `auto` follows `redis.url`."""
    window_s: int = 86_400
    """Length of a fixed window in seconds."""
    fail_open: bool = True
    """When the counters cannot be reached: admit requests unlimited (true) or refuse them
    with 503 (false)."""
    reader: RoleLimits = msgspec.field(default_factory=RoleLimits)
    """Limits for readers."""
    editor: RoleLimits = msgspec.field(default_factory=RoleLimits)
    """Limits for editors."""
    admin: RoleLimits = msgspec.field(default_factory=RoleLimits)
    """Limits for admins."""
    failed_sign_ins_per_window: int = 30
    """Failed authentications one client IP may make per `failed_sign_ins_window_s`; past
    it, that address is refused with 429 before its key is checked."""
    failed_sign_ins_window_s: int = 300
    """Window of the failed sign-in limit, in seconds."""


class ConversationSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "redis"] = "auto"
    """Where conversation memory lives; `auto` follows `redis.url`."""
    retention_s: int = 30 * 86_400
    """A conversation is kept this long after its last turn (reset ones too, unreadable)."""
    max_turns: int = 20
    """Question/answer pairs remembered per session (at most 30)."""
    history_token_budget: int = 1000
    """Tokens of history a prompt may carry; oldest turns go first."""


class ProviderHealthSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "memory", "redis"] = "auto"
    """Where LLM provider cooldowns are shared; `auto` follows `redis.url`."""


class MetricsSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "prometheus", "datadog", "opentelemetry", "noop"] = "auto"
    """`prometheus` (served at `/metrics`), `datadog` (DogStatsD over UDP), `opentelemetry`
    (OTLP, configured by the `OTEL_*` variables) or `noop`; `auto` is the first of
    prometheus, opentelemetry and datadog whose package imports, else noop."""
    statsd_host: str = ""
    """DogStatsD agent host (`datadog` backend); empty: `DD_AGENT_HOST` (or
    `DD_DOGSTATSD_URL`) when set, else localhost."""
    statsd_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 0
    """DogStatsD agent UDP port (`datadog` backend); 0: `DD_DOGSTATSD_PORT` when set, else
    8125."""


class TracingSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    backend: Literal["auto", "opentelemetry", "noop"] = "auto"
    """`opentelemetry` (spans to an OTLP/HTTP collector named by the standard `OTEL_*`
    variables) or `noop` (trace ids only, nothing recorded); `auto` is opentelemetry when
    opentelemetry-sdk imports and `OTEL_EXPORTER_OTLP_ENDPOINT` or
    `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else noop."""
    export_log_interval_s: float = 60.0
    """Failed exports (a collector down) are logged at most once per this many seconds."""
    max_traces_per_second: float = 10.0
    """Without `OTEL_TRACES_SAMPLER`: new traces recorded per second and process at most; a
    quiet server records every request, a busy one this many a second (a trace costs more
    CPU than a cached answer). A caller's sampled `traceparent` is always followed."""

    def __post_init__(self) -> None:
        if self.export_log_interval_s <= 0:
            raise ValueError("tracing.export_log_interval_s must be positive")
        if self.max_traces_per_second <= 0:
            raise ValueError(
                "tracing.max_traces_per_second must be positive "
                "(to record every trace, set OTEL_TRACES_SAMPLER=parentbased_always_on)"
            )


class CorsSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    allow_origins: str = ""
    """Comma-separated origins (`https://chat.example.org`) whose pages may call the API from
    a browser; none by default. `*` is refused: any page on the web could then spend the key
    a user pasted into it (ADR 22)."""

    def __post_init__(self) -> None:
        for origin in self.origins:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"cors.allow_origins: {origin!r} is not an origin like https://host:port"
                )

    @property
    def origins(self) -> list[str]:
        """The allowed origins, as listed."""
        return [o.strip() for o in self.allow_origins.split(",") if o.strip()]


class LogSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    level: str = "INFO"
    """Lowest level logged."""
    json: Literal["auto", "true", "false"] = "auto"
    """JSON lines; `auto` means JSON unless stderr is a terminal."""
    file: str = ""
    """Also write the log to files: a directory, or a path whose name each file takes as its
    stem (`/var/log/askdocs.log`: `askdocs-serve-<pid>-<day>.log`); empty: stderr only. One
    file per process and UTC day, always JSON lines, secrets masked."""
    max_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 100 * 1024 * 1024
    """Size at which a log file is rotated (it is also rotated when the UTC day changes);
    rotated files are gzip-compressed."""
    backups: Annotated[int, msgspec.Meta(ge=1)] = 10
    """Rotated (compressed) log files each process keeps; the oldest beyond are deleted."""


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every setting of askdocs; see docs/operations.md for the table."""

    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    documents: DocumentSettings = msgspec.field(default_factory=DocumentSettings)
    jobs: JobSettings = msgspec.field(default_factory=JobSettings)
    worker: WorkerSettings = msgspec.field(default_factory=WorkerSettings)
    fetch: FetchSettings = msgspec.field(default_factory=FetchSettings)
    index: IndexSettings = msgspec.field(default_factory=IndexSettings)
    embedder: EmbedderSettings = msgspec.field(default_factory=EmbedderSettings)
    rerank: RerankSettings = msgspec.field(default_factory=RerankSettings)
    tokenizer: TokenizerSettings = msgspec.field(default_factory=TokenizerSettings)
    llm: LlmSettings = msgspec.field(default_factory=LlmSettings)
    cache: CacheSettings = msgspec.field(default_factory=CacheSettings)
    rate_limit: RateLimitSettings = msgspec.field(default_factory=RateLimitSettings)
    conversations: ConversationSettings = msgspec.field(default_factory=ConversationSettings)
    provider_health: ProviderHealthSettings = msgspec.field(default_factory=ProviderHealthSettings)
    metrics: MetricsSettings = msgspec.field(default_factory=MetricsSettings)
    tracing: TracingSettings = msgspec.field(default_factory=TracingSettings)
    log: LogSettings = msgspec.field(default_factory=LogSettings)
    cors: CorsSettings = msgspec.field(default_factory=CorsSettings)


def _check_port_of(setting: str, url: str) -> None:
    """A URL whose port is not 1-65535 is refused now, not at the first connection; the
    message leaves the URL out (it may hold a password)."""
    try:
        _ = urlsplit(url).port  # parsed on access
    except ValueError:
        raise ValueError(f"{setting}: the port is not a number from 1 to 65535") from None


class SettingsError(ValueError):
    """The environment or the settings file holds a value askdocs cannot use."""


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the TOML file (if any) overlaid with ASKDOCS_* variables.

    Raises:
        SettingsError: an unknown setting, a value of the wrong kind, an unreadable file; its
            message is one line naming the variable (or the file's key).
    """
    env = os.environ if environ is None else environ
    tree: dict[str, Any] = {}
    config_file = env.get(f"{PREFIX}CONFIG_FILE") or None
    if config_file:
        try:
            tree = msgspec.toml.decode(Path(config_file).read_bytes())
        except (OSError, msgspec.DecodeError) as exc:
            raise SettingsError(f"cannot read settings file {config_file}: {exc}") from exc
    for name, value in env.items():
        if not name.startswith(PREFIX) or name.removeprefix(PREFIX) in NOT_SETTINGS:
            continue
        path = name.removeprefix(PREFIX).lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise SettingsError(f"{name}: {part!r} is a group of settings, not a value")
        node[path[-1]] = value
    source = SettingsSource(env, PREFIX, config_file)
    _gather_named_sections(tree)
    _check_named_sections(tree, source)
    try:
        return msgspec.convert(tree, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(source.describe(exc, Settings)) from exc


NAMED_SECTIONS: dict[str, tuple[type[msgspec.Struct], type[msgspec.Struct]]] = {
    "llm": (LlmSettings, ProviderSettings),
    "embedder": (EmbedderSettings, EmbeddingModelSettings),
}
"""Groups whose sections are named by the operator (`llm.<provider>`, `embedder.<model>`):
the group's own settings, and each named section's."""


def _gather_named_sections(tree: dict[str, Any]) -> None:
    """Move `llm.<name>` and `embedder.<name>` sections (any group that is not a setting of
    the group's own) into the group's `named`, where the settings tree keeps them."""
    for group, (own_type, _) in NAMED_SECTIONS.items():
        settings = tree.get(group)
        if not isinstance(settings, dict):
            continue
        own = {field.name for field in msgspec.structs.fields(own_type)}
        named = settings.setdefault("named", {})
        for name in [k for k, v in settings.items() if k not in own and isinstance(v, dict)]:
            named[name] = settings.pop(name)


def _check_named_sections(tree: dict[str, Any], source: SettingsSource) -> None:
    """Each named section on its own: an error in the whole tree would not say which
    provider or model it is about (msgspec does not name mapping keys)."""
    for group, (_, section_type) in NAMED_SECTIONS.items():
        for name, section in tree.get(group, {}).get("named", {}).items():
            try:
                msgspec.convert(section, section_type, strict=False)
            except msgspec.ValidationError as exc:
                raise SettingsError(source.describe(exc, section_type, group, name)) from exc
