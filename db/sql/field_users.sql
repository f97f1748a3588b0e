-- Active accounts of :roles (who may be handed jobs) of agency :opd and those serving every agency (all when
-- :opd is NULL), with what limits each: kecamatan_ids, and kota_ids as db/sql/user_load.sql gives them.
SELECT u.id, u.username, u.role, u.opd_id, o.short_name AS opd_short,
       coalesce(array_agg(uk.kecamatan_id) FILTER (WHERE uk.kecamatan_id IS NOT NULL), '{}') AS kecamatan_ids,
       (SELECT CASE WHEN count(uj.code) = 0 THEN NULL
                    ELSE coalesce(array_agg(DISTINCT a.id) FILTER (WHERE a.id IS NOT NULL), '{}') END
          FROM user_jurisdiction uj
          LEFT JOIN area a ON a.level = 'kota' AND (a.code = uj.code OR left(a.code, 2) = uj.code AND length(uj.code) = 2)
         WHERE uj.user_id = u.id) AS kota_ids
  FROM app_user u
  LEFT JOIN opd o ON o.id = u.opd_id
  LEFT JOIN user_kecamatan uk ON uk.user_id = u.id
 WHERE u.role = ANY(:roles) AND u.active
   AND (CAST(:opd AS integer) IS NULL OR u.opd_id IS NULL OR u.opd_id = :opd)
 GROUP BY u.id, o.short_name
 ORDER BY u.username;
