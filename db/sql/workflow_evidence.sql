-- Photos for a complaint's evidence panel: its own photos and, when it was
-- merged as a duplicate, the completion photos of the report it was merged
-- into (so its reporter sees the outcome). Public pages leave out photos of
-- confidential complaints.
WITH RECURSIVE chain AS (
  SELECT id, merged_into_id, status, 0 AS depth FROM complaint WHERE id = :id
  UNION ALL
  SELECT c.id, c.merged_into_id, c.status, chain.depth + 1
    FROM complaint c JOIN chain ON c.id = chain.merged_into_id
   WHERE chain.status = {duplicate.target} AND chain.depth < 10
)
SELECT p.id, p.complaint_id, p.kind, p.created_at, p.uploader_role, p.distance_m, p.width, p.height,
       c.tracking_code, c.confidential, chain.depth > 0 AS from_survivor
  FROM chain
  JOIN photo p ON p.complaint_id = chain.id
  JOIN complaint c ON c.id = chain.id
 WHERE (chain.depth = 0 OR p.kind = 'completion')
   AND (NOT :public OR NOT c.confidential)
 ORDER BY p.created_at, p.id;
