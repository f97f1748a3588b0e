-- Demo photos: a report photo on about half the demo complaints, and the
-- completion photo every finished one must have. :images is the JSON list of
-- drawn pictures (key, kind, sha256, byte_size, width, height).
WITH img AS (
  SELECT (row_number() OVER (PARTITION BY i->>'kind' ORDER BY i->>'key')) - 1 AS n, i->>'kind' AS kind,
         i->>'key' AS key, i->>'sha256' AS sha256, (i->>'byte_size')::int AS byte_size,
         (i->>'width')::int AS width, (i->>'height')::int AS height,
         count(*) OVER (PARTITION BY i->>'kind') AS variants
    FROM jsonb_array_elements(CAST(:images AS jsonb)) i
), wanted AS (
  SELECT c.id, 'report' AS kind, c.created_at AS at FROM complaint c
   WHERE c.source = 'demo' AND c.id % 2 = 0
  UNION ALL
  SELECT c.id, 'completion', c.completed_at FROM complaint c
   WHERE c.source = 'demo' AND c.status = {complete.target}
)
INSERT INTO photo (complaint_id, kind, storage_key, thumb_key, sha256, mime_type, width, height, byte_size, uploader_role, created_at)
SELECT w.id, w.kind, img.key, img.key, img.sha256, 'image/jpeg', img.width, img.height, img.byte_size,
       CASE w.kind WHEN 'report' THEN 'public' ELSE 'field' END, w.at
  FROM wanted w JOIN img ON img.kind = w.kind AND img.n = w.id % img.variants
ON CONFLICT (complaint_id, sha256) DO NOTHING;
