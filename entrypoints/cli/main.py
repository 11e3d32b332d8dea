"""`askdocs serve | worker | migrate | ingest | ask | keys create|list|revoke | eval | health |
db status | reembed`: one parser, one function per command.

Commands that read settings take `--config FILE` (a TOML settings file) and flags for the
settings one changes most; precedence: flags, then ASKDOCS_* variables, then the file, then the
defaults. Flags reach the settings as the variables they stand for, so the processes a command
starts (server workers) see them too. A failure to start is one line on stderr, with exit
status 2 for a command line or settings to fix and 1 for a service that failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import askdocs
from askdocs.domain.principals import Role
from askdocs.entrypoints.cli.golden import MODES
from askdocs.entrypoints.cli.startup import CONFIGURATION_ERROR, StartupFailure
from askdocs.entrypoints.cli.values import at_least, port
from askdocs.entrypoints.extras import extra_imports, require
from askdocs.entrypoints.settings import PREFIX, SettingsError

DEFAULT_URL = "http://127.0.0.1:8000"
SETTING_FLAGS = {
    "config": "CONFIG_FILE",
    "host": "SERVER__HOST",
    "port": "SERVER__PORT",
    "workers": "SERVER__WORKERS",
    "concurrency": "WORKER__CONCURRENCY",
    "processes": "WORKER__PROCESSES",
}
"""Flag (its argparse dest) -> the ASKDOCS_* variable it sets."""


def _settings_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--config",
        metavar="FILE",
        help="a TOML settings file (ASKDOCS_CONFIG_FILE); ASKDOCS_* variables override it, "
        "flags override both",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="askdocs", description="Retrieval-augmented chat over your own documents."
    )
    parser.add_argument("--version", action="version", version=f"askdocs {askdocs.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    settings = [_settings_options()]

    serving = commands.add_parser(
        "serve", parents=settings, help="serve the HTTP API (settings from ASKDOCS_* variables)"
    )
    serving.add_argument(
        "--demo", action="store_true", help="load a short guide to askdocs to ask about at once"
    )
    serving.add_argument("--host", help="interface to listen on (server.host, 127.0.0.1)")
    serving.add_argument("--port", type=port, help="TCP port (server.port, 8000)")
    serving.add_argument("--workers", type=at_least(1), help="server processes (server.workers, 1)")
    migrating = commands.add_parser(
        "migrate", parents=settings, help="apply pending migrations to ASKDOCS_DATABASE__URL"
    )
    migrating.add_argument(
        "--wait",
        type=at_least(0),
        default=0,
        metavar="SECONDS",
        help="wait up to SECONDS for a database that cannot be reached yet (a stack starting "
        "together; 0: fail at once)",
    )
    working = commands.add_parser(
        "worker", parents=settings, help="ingest queued documents (jobs in ASKDOCS_DATABASE__URL)"
    )
    working.add_argument(
        "--concurrency",
        type=at_least(0),
        help="jobs one worker process runs at once (worker.concurrency; 0: worker.jobs_per_core "
        "per core)",
    )
    working.add_argument(
        "--processes", type=at_least(1), help="worker processes to run (worker.processes, 1)"
    )

    for name, help_text in (("ingest", "upload files or folders"), ("ask", "ask a question")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--url", default=None, help=f"server URL (ASKDOCS_URL, {DEFAULT_URL})")
        sub.add_argument("--tags", default="", help="comma-separated tags")
    ingest = commands.choices["ingest"]
    ingest.add_argument("paths", nargs="+", help="files, or folders to walk")
    ingest.add_argument(
        "--no-wait", action="store_true", help="return once uploaded, without following ingestion"
    )
    ingest.add_argument(
        "--concurrency",
        dest="uploads",  # not `concurrency`, which stands for the worker's setting
        type=at_least(1),
        default=None,
        help="uploads in flight at once (4)",
    )
    ask = commands.choices["ask"]
    ask.add_argument("question")
    ask.add_argument("--session", default=None, help="continue a conversation")
    ask.add_argument("--top-k", type=int, default=None)

    key_commands = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = key_commands.add_parser("create", parents=settings, help="make a new API key")
    create.add_argument("--role", choices=[r.value for r in Role], required=True)
    create.add_argument("--name", default="", help="whom or what the key is for")
    create.add_argument("--expires-in-days", type=int, default=None, help="an expiry, in days")
    key_commands.add_parser("list", parents=settings, help="list the keys (never a token)")
    revoke = key_commands.add_parser("revoke", parents=settings, help="revoke a key by its id")
    revoke.add_argument("key_id", help="the id `askdocs keys list` shows")
    for sub in (create, key_commands.choices["list"], revoke):
        sub.add_argument(
            "--url",
            default=None,
            help="a server to manage keys on (ASKDOCS_URL; admin key in ASKDOCS_API_KEY); "
            "without one, ASKDOCS_DATABASE__URL directly",
        )

    checking = commands.add_parser(
        "health",
        parents=settings,
        help="check the database, migrations, Redis and LLM settings these settings select",
    )
    checking.add_argument(
        "--url",
        default=None,
        help="check a running server's readiness instead (ASKDOCS_URL); no key needed",
    )
    database_commands = commands.add_parser(
        "db", help="the database in ASKDOCS_DATABASE__URL"
    ).add_subparsers(dest="db_command", required=True)
    database_commands.add_parser(
        "status",
        parents=settings,
        help="migrations applied and pending, jobs and documents by status",
    )

    reembedding = commands.add_parser(
        "reembed",
        parents=settings,
        help="embed the live chunks a model lacks, list the models' coverage, or drop one "
        "(the index in ASKDOCS_DATABASE__URL)",
    )
    what = reembedding.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--model", metavar="NAME", help="a model of embedder.models to give every live chunk"
    )
    what.add_argument(
        "--list", action="store_true", dest="listing", help="each model's live chunks"
    )
    what.add_argument(
        "--drop", metavar="MODEL_ID", help="remove a model no longer configured, and its index"
    )

    evaluation = commands.add_parser("eval", help="score retrieval on a golden set, in process")
    evaluation.add_argument("golden", help="golden questions, one JSON object a line")
    evaluation.add_argument("--corpus-root", required=True, help="folder of the corpus files")
    evaluation.add_argument("--files", default=None, help="list of corpus files (one a line)")
    evaluation.add_argument("--mode", choices=MODES, default="hybrid")
    evaluation.add_argument(
        "--database-url",
        default=None,
        help="evaluate on PostgreSQL, in a schema created for the run and dropped after it",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success."""
    args = build_parser().parse_args(argv)
    os.environ.update(settings_from_flags(args))
    try:
        return _run(args)
    except SettingsError as exc:
        return _failed(args, str(exc), CONFIGURATION_ERROR)
    except StartupFailure as exc:
        return _failed(args, exc.message, exc.exit_status)


def settings_from_flags(args: argparse.Namespace) -> dict[str, str]:
    """The ASKDOCS_* variables the flags given stand for."""
    return {
        PREFIX + variable: str(value)
        for flag, variable in SETTING_FLAGS.items()
        if (value := getattr(args, flag, None)) is not None
    }


def _failed(args: argparse.Namespace, message: str, status: int) -> int:
    subcommand = getattr(args, "keys_command", None) or getattr(args, "db_command", None)
    command = " ".join(filter(None, (args.command, subcommand)))
    print(f"askdocs {command}: {message}", file=sys.stderr, flush=True)
    return status


def _run(args: argparse.Namespace) -> int:
    # Each command's module is imported when it runs: they need different extras (`serve`
    # the server's, `migrate` PostgreSQL's), and a missing one is a line naming it.
    needed_by = f"askdocs {args.command}"
    if args.command == "serve":
        require("server", needed_by)
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import serve
        return serve.run(demo=args.demo)
    if args.command == "migrate":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import migrate
        return migrate.run(wait_s=args.wait)
    if args.command == "worker":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import worker
        return worker.run()
    if args.command == "keys":
        return _keys(args)
    if args.command == "health":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import health

        return health.run(url=_url_of(args))
    if args.command == "db":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import database_status

        return database_status.run()
    if args.command == "reembed":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import reembed

        return reembed.run(model=args.model, listing=args.listing, drop=args.drop)
    if args.command == "eval":
        with extra_imports(needed_by):
            from askdocs.entrypoints.cli import evaluate

        return evaluate.run(
            args.golden,
            root=args.corpus_root,
            files=args.files,
            mode=args.mode,
            database_url=args.database_url,
        )
    from askdocs.entrypoints.cli import client

    url = client.server_url(args.url, DEFAULT_URL)
    if args.command == "ingest":
        return client.ingest(
            url,
            args.paths,
            tags=args.tags,
            wait=not args.no_wait,
            concurrency=args.uploads or client.UPLOADS,
        )
    return client.ask(url, args.question, session=args.session, tags=args.tags, top_k=args.top_k)


def _url_of(args: argparse.Namespace) -> str | None:
    """A server named by `--url` or ASKDOCS_URL, if any (`keys` and `health` go to it)."""
    return (args.url or os.environ.get("ASKDOCS_URL") or "").rstrip("/") or None


def _keys(args: argparse.Namespace) -> int:
    url = _url_of(args)
    from askdocs.entrypoints.cli import keys

    if args.keys_command == "create":
        return keys.create(
            Role(args.role), name=args.name, expires_in_days=args.expires_in_days, url=url
        )
    if args.keys_command == "list":
        return keys.list_keys(url=url)
    return keys.revoke(args.key_id, url=url)


if __name__ == "__main__":
    sys.exit(main())
