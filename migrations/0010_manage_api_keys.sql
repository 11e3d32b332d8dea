-- API keys managed while askdocs runs: each gets an id to list and revoke it by, a name that
-- says whom it is for, and an optional expiry. Rows made before this migration take the
-- start of their hash as id.

ALTER TABLE api_keys
    ADD COLUMN id         text,
    ADD COLUMN name       text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    ADD COLUMN expires_at timestamptz;
UPDATE api_keys SET id = substr(token_sha256, 1, 32) WHERE id IS NULL;
ALTER TABLE api_keys ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX api_keys_by_id ON api_keys (id);
CREATE INDEX api_keys_newest ON api_keys (created_at DESC);
