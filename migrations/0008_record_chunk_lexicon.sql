-- Which version of askdocs' lexicon (domain/lexicon.py, LEXICON_VERSION) made each chunk's
-- full-text terms. Rows stored before this migration were made by version 1; rows stored
-- from now on by version 2 (the column's default). `askdocs migrate` and a server migrating
-- at start make the terms of older rows again, so a stemming change reaches stored chunks.

ALTER TABLE chunks ADD COLUMN lexicon smallint NOT NULL DEFAULT 1;
ALTER TABLE chunks ALTER COLUMN lexicon SET DEFAULT 2;
CREATE INDEX chunks_by_lexicon ON chunks (lexicon);
