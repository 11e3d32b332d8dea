"""JobQueue adapters: in process (embedded) and PgQueuer on PostgreSQL."""
