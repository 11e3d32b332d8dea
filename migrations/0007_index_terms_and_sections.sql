-- Chunks carry the headings they sit under, and their full-text terms come from askdocs'
-- own lexicon (domain/lexicon.py: identifiers whole and by their parts, light stemming, the
-- section's terms weighted A) rather than from PostgreSQL's English configuration, so the
-- embedded and the PostgreSQL index match a question by the same terms.
-- Rows stored earlier keep the English terms they were given: upload their documents again
-- (a new version) to index them the new way.

ALTER TABLE chunks ADD COLUMN section text NOT NULL DEFAULT '';
ALTER TABLE chunks ALTER COLUMN tsv DROP EXPRESSION;
