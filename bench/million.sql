-- 1,000,000 releases from a 100,000-release bench database (bench/generate.py 100000 --no-records),
-- for the plans in bench/results/search-20261207.md: every public release copied nine times,
-- 10 to 90 minutes before its original (the newest years ten times as dense), with its search
-- document (vector copied) and categories; then the GIN index again and VACUUM ANALYZE.
--   createdb -T h_scale_search_bench h_scale_search_1m && psql h_scale_search_1m -f bench/million.sql
\timing on
DROP INDEX releases_searchdocument_vector_gin;
INSERT INTO releases_release (uuid, headline, subheadline, slug, dateline_city, published_at, summary, body, exhibit_label, filing_url, status, version, created_at, content_changed_at, withdrawal_reason, source_hash, end_mark, notes, release_instruction, wire_tag)
SELECT gen_random_uuid(), r.headline || ' c' || k, r.subheadline, r.slug || '-c' || k, r.dateline_city, r.published_at - k * interval '600 seconds', r.summary, r.body, r.exhibit_label, r.filing_url, r.status, r.version, r.created_at, r.content_changed_at, r.withdrawal_reason, 'copy-of-' || r.id, r.end_mark, r.notes, r.release_instruction, r.wire_tag
FROM releases_release r, generate_series(1, 9) k
WHERE r.status = 'published' AND r.published_at < now();
INSERT INTO releases_searchdocument (release_id, body_text, vector)
SELECT n.id, d.body_text, d.vector FROM releases_release n
JOIN releases_searchdocument d ON d.release_id = substr(n.source_hash, 9)::bigint
WHERE n.source_hash LIKE 'copy-of-%';
INSERT INTO releases_release_categories (release_id, category_id)
SELECT n.id, c.category_id FROM releases_release n
JOIN releases_release_categories c ON c.release_id = substr(n.source_hash, 9)::bigint
WHERE n.source_hash LIKE 'copy-of-%';
UPDATE releases_release SET source_hash = '' WHERE source_hash LIKE 'copy-of-%';
CREATE INDEX releases_searchdocument_vector_gin ON releases_searchdocument USING gin (vector);
VACUUM (ANALYZE);
SELECT count(*) FROM releases_release;
