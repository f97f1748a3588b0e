-- Every destination a report can be forwarded to: the served cities first, then every other jurisdiction
-- by province and name (a province itself before its kabupaten and kota).
SELECT coalesce(j.code, a.code) AS code,
       coalesce(j.level, 'kota') AS level,
       coalesce(a.name, j.name) AS name,
       coalesce(p.name, '') AS province,
       a.id IS NOT NULL AS served,
       -- Reached through its own system (db/doors.py).
       d.door,
       -- Neither: forwarding there is a handover by hand, to an office and a contact the operator names.
       a.id IS NULL AND NOT d.door AS by_hand
  FROM jurisdiction j
  FULL JOIN (SELECT id, code, name FROM area WHERE level = 'kota') a ON a.code = j.code
  LEFT JOIN jurisdiction p ON p.code = j.province_code AND p.level = 'provinsi'
 CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM door WHERE jurisdiction_code = j.code) AS door) d
 ORDER BY a.id IS NULL, coalesce(j.province_code, left(a.code, 2)), j.level <> 'provinsi', coalesce(a.name, j.name);
