-- The rows of an export of one filtered set (the WHERE clause is db.filters.Resolved.where),
-- one line per complaint, in the order they were stored. Times are WIB with their
-- offset; working days as stored on each complaint (migration 0005).
-- The reporter's name and contact are never exported, confidential or not.
-- Free text that a spreadsheet would take for a formula (= + - @) gets a
-- leading apostrophe.
SELECT c.tracking_code,
       to_char(c.created_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS created_at,
       c.status,
       CAST(:colours AS jsonb) ->> c.status AS colour,
       cat.code AS category,
       c.channel,
       kota.code AS kota_code, kota.name AS kota,
       kec.code AS kecamatan_code, kec.name AS kecamatan,
       kel.code AS kelurahan_code, kel.name AS kelurahan,
       o.code AS opd_code, o.name AS opd,
       round(ST_X(c.geom)::numeric, 6) AS lon, round(ST_Y(c.geom)::numeric, 6) AS lat,
       CASE WHEN c.address ~ '^[=+@-]' THEN '''' || c.address ELSE c.address END AS address,
       CASE WHEN c.description ~ '^[=+@-]' THEN '''' || c.description ELSE c.description END AS description,
       -- The category's questions answered (services/intake.py), as "kode=jawaban; ..." sorted by code.
       (SELECT CASE WHEN x.a ~ '^[=+@-]' THEN '''' || x.a ELSE x.a END
          FROM (SELECT string_agg(q.key || '=' || q.value, '; ' ORDER BY q.key) AS a
                  FROM jsonb_each_text(CASE WHEN jsonb_typeof(c.attributes -> 'open311_attributes') = 'object'
                                            THEN c.attributes -> 'open311_attributes' END) q) x) AS answers,
       to_char(c.first_response_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS first_response_at,
       to_char(c.completed_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS completed_at,
       to_char(c.due_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS due_at,
       round(c.response_working_days::numeric, 3) AS response_working_days,
       round((CASE WHEN c.status = ANY(:finished) THEN c.completion_working_days END)::numeric, 3) AS completion_working_days,
       (c.status = ANY(:open) AND c.due_at < now()) AS overdue
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN opd o ON o.id = c.opd_id
 WHERE {where}
 ORDER BY c.id
