-- One complaint's card on the wall. No reporter data at all; a confidential
-- complaint shows neither its description nor its photos.
SELECT c.id, c.tracking_code, c.status, c.created_at, c.completed_at, c.due_at,
       c.status NOT IN ({closed}) AND c.due_at < now() AS overdue,
       c.confidential,
       CASE WHEN c.confidential THEN NULL ELSE c.description END AS description,
       cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       kel.name AS kelurahan, kec.name AS kecamatan, kota.name AS kota,
       o.name AS opd, o.short_name AS opd_short,
       {public_photos}
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN opd o ON o.id = c.opd_id
 WHERE c.id = :id
