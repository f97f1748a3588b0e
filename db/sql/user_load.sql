-- One staff account with the kecamatan it is limited to (empty: all).
SELECT u.id, u.username, u.role, u.opd_id, u.active, u.password_hash, u.session_secret,
       o.code AS opd_code,
       coalesce(array_agg(uk.kecamatan_id) FILTER (WHERE uk.kecamatan_id IS NOT NULL), '{}') AS kecamatan_ids
  FROM app_user u
  LEFT JOIN opd o ON o.id = u.opd_id
  LEFT JOIN user_kecamatan uk ON uk.user_id = u.id
 WHERE (CAST(:id AS integer) IS NOT NULL AND u.id = :id) OR (CAST(:username AS text) IS NOT NULL AND u.username = :username)
 GROUP BY u.id, o.code;
