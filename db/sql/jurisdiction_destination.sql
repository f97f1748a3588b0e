-- One destination by code: a jurisdiction of the Kemendagri list, or a served kota (boundaries loaded) even
-- before the list is: served means forwarding there routes the report to that city's agencies. A province's
-- name says it is one ("Provinsi Aceh"), as the history and the reporter's message show it.
SELECT coalesce(j.code, a.code) AS code,
       coalesce(j.level, 'kota') AS level,
       coalesce(a.name, CASE WHEN j.level = 'provinsi' THEN 'Provinsi ' || j.name ELSE j.name END) AS name,
       a.id IS NOT NULL AS served,
       -- Reached through its own system (db/doors.py).
       EXISTS (SELECT 1 FROM door d WHERE d.jurisdiction_code = q.code) AS door
  FROM (SELECT CAST(:code AS text) AS code) q
  LEFT JOIN jurisdiction j ON j.code = q.code
  LEFT JOIN area a ON a.code = q.code AND a.level = 'kota'
 WHERE j.code IS NOT NULL OR a.id IS NOT NULL;
