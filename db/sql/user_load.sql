-- One staff account with the kecamatan it is limited to (empty: all) and the served cities it is limited to
-- (kota_ids: NULL is no limit; an empty array, a limit to cities this instance does not serve, reaches nothing).
-- A province code limits to every served city of that province, as they are loaded now.
SELECT u.id, u.username, u.role, u.opd_id, u.active, u.password_hash, u.session_secret,
       o.code AS opd_code,
       coalesce(array_agg(uk.kecamatan_id) FILTER (WHERE uk.kecamatan_id IS NOT NULL), '{}') AS kecamatan_ids,
       (SELECT CASE WHEN count(uj.code) = 0 THEN NULL
                    ELSE coalesce(array_agg(DISTINCT a.id) FILTER (WHERE a.id IS NOT NULL), '{}') END
          FROM user_jurisdiction uj
          LEFT JOIN area a ON a.level = 'kota' AND (a.code = uj.code OR left(a.code, 2) = uj.code AND length(uj.code) = 2)
         WHERE uj.user_id = u.id) AS kota_ids,
       (SELECT array_agg(uj.code ORDER BY uj.code) FROM user_jurisdiction uj WHERE uj.user_id = u.id) AS kota_codes
  FROM app_user u
  LEFT JOIN opd o ON o.id = u.opd_id
  LEFT JOIN user_kecamatan uk ON uk.user_id = u.id
 WHERE (CAST(:id AS integer) IS NOT NULL AND u.id = :id) OR (CAST(:username AS text) IS NOT NULL AND u.username = :username)
 GROUP BY u.id, o.code;
