-- Emerging issues: reports of the last 7 days per category in each kecamatan, per category and per kecamatan,
-- beside the reports of the 8 weeks before, within the viewer's scope. db/leaders.py ``emerging`` keeps those
-- well above their usual weekly level. Reports outside every boundary have no kecamatan and count only in
-- their category's row.
SELECT c.category_id, c.kecamatan_id,
       GROUPING(c.category_id) AS any_category, GROUPING(c.kecamatan_id) AS any_kecamatan,
       count(*) FILTER (WHERE c.created_at >= CAST(:now AS timestamptz) - interval '7 days') AS recent,
       count(*) FILTER (WHERE c.created_at < CAST(:now AS timestamptz) - interval '7 days') AS before
  FROM complaint c
 WHERE c.created_at >= CAST(:now AS timestamptz) - interval '63 days'
   AND c.created_at < CAST(:now AS timestamptz)
   AND {scope}
 GROUP BY GROUPING SETS ((c.category_id, c.kecamatan_id), (c.category_id), (c.kecamatan_id))
HAVING count(*) FILTER (WHERE c.created_at >= CAST(:now AS timestamptz) - interval '7 days') >= :min_recent;
