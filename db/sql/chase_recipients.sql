-- The active accounts of :role with an e-mail address whose limits reach the complaint (db/scope.py's rules:
-- the agency, the kecamatan, the cities of user_jurisdiction): who is reminded or told of an escalation.
SELECT u.id, u.username, u.email
  FROM app_user u
 WHERE u.active AND u.email IS NOT NULL AND u.role = :role
   AND (u.opd_id IS NULL OR u.opd_id = CAST(:opd AS integer))
   AND (NOT EXISTS (SELECT 1 FROM user_kecamatan uk WHERE uk.user_id = u.id)
        OR EXISTS (SELECT 1 FROM user_kecamatan uk WHERE uk.user_id = u.id AND uk.kecamatan_id = :kecamatan))
   AND (NOT EXISTS (SELECT 1 FROM user_jurisdiction uj WHERE uj.user_id = u.id)
        OR EXISTS (SELECT 1 FROM user_jurisdiction uj
                     JOIN area a ON a.level = 'kota'
                                AND (a.code = uj.code OR left(a.code, 2) = uj.code AND length(uj.code) = 2)
                    WHERE uj.user_id = u.id AND a.id = :jurisdiction))
 ORDER BY u.id;
