-- Each embedding model's HNSW graph now holds half-precision vectors (`index.hnsw_type =
-- halfvec`, docs/adr/0038): half the index and half the memory read per step of a walk, at
-- the same recall@10 (the walk's rows are ranked by the full vectors). The `vector` indexes
-- made so far are rebuilt as `halfvec` under the same name, options and predicate; indexes of
-- longer vectors are `halfvec` already. The rebuild runs in this migration's transaction:
-- searches and writes of chunks wait for it (about 15 s per 100k 384-d chunks, faster with a
-- larger maintenance_work_mem: docs/benchmarks.md).
DO $$
DECLARE
    definition text;
    index_oid oid;
BEGIN
    FOR index_oid, definition IN
        SELECT i.indexrelid, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_am am ON am.oid = c.relam
        WHERE i.indrelid = 'chunks'::regclass
          AND am.amname = 'hnsw'
          AND pg_get_indexdef(i.indexrelid) LIKE '%)::vector(%) vector\_cosine\_ops)%'
    LOOP
        EXECUTE format('DROP INDEX %s', index_oid::regclass);
        EXECUTE replace(
            replace(definition, ')::vector(', ')::halfvec('),
            ' vector_cosine_ops)',
            ' halfvec_cosine_ops)'
        );
    END LOOP;
END
$$;
