-- A chunk row of a 384-dimension model (a 1.5 kB vector, its text and tsvector) passes the
-- default 2 kB TOAST threshold, and pgvector's `vector` has EXTERNAL storage, so every vector
-- went out of line: an exact scan or a filtered search read each one through the TOAST index.
-- Rows now stay whole in the heap up to the largest size a page allows; only larger ones (long
-- vectors of big models) are toasted, the vector first. Rows stored earlier keep their layout
-- until rewritten (VACUUM FULL chunks, or pg_repack, in a maintenance window).
ALTER TABLE chunks SET (toast_tuple_target = 8160);
