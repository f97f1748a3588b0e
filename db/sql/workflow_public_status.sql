-- What a reporter sees for a tracking code. A report merged as a duplicate
-- follows the report it was merged into (through any chain of merges): its
-- status, agency and completion are the survivor's.
WITH RECURSIVE chain AS (
  SELECT id, merged_into_id, status, 0 AS depth FROM complaint WHERE tracking_code = upper(:code)
  UNION ALL
  SELECT c.id, c.merged_into_id, c.status, chain.depth + 1
    FROM complaint c JOIN chain ON c.id = chain.merged_into_id
   WHERE chain.status = {duplicate.target} AND chain.depth < 10
), survivor AS (
  SELECT id FROM chain ORDER BY depth DESC LIMIT 1
)
SELECT me.id, me.tracking_code, me.status AS own_status, s.status, s.id AS survivor_id,
       CASE WHEN s.id <> me.id THEN s.tracking_code END AS merged_into,
       me.created_at, greatest(me.updated_at, s.updated_at) AS updated_at,
       s.first_response_at, s.completed_at, s.due_at,
       me.confidential, me.anonymous, me.channel,
       cat.code AS category_code, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       kel.name AS kelurahan, kec.name AS kecamatan, kota.name AS kota,
       -- The agency, or the jurisdiction it was handed over to by hand (db/jurisdictions.py).
       coalesce(o.short_name, h.name) AS opd_short,
       coalesce(o.name, CASE WHEN h.level = 'provinsi' THEN 'Provinsi ' || h.name ELSE h.name END) AS opd_name
  FROM complaint me
  JOIN survivor ON true
  JOIN complaint s ON s.id = survivor.id
  JOIN category cat ON cat.id = me.category_id
  LEFT JOIN area kel ON kel.id = me.kelurahan_id
  LEFT JOIN area kec ON kec.id = me.kecamatan_id
  LEFT JOIN area kota ON kota.id = me.jurisdiction_id
  LEFT JOIN opd o ON o.id = s.opd_id
  LEFT JOIN jurisdiction h ON h.code = s.handover_to
 WHERE me.tracking_code = upper(:code);
