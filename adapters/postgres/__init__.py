"""PostgreSQL plumbing shared by the PostgreSQL adapters: the pool, errors, migrations."""
