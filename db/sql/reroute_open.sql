-- Re-route every open complaint against the current boundaries, in one statement,
-- recording a 'rerouted' event for each complaint whose kelurahan changed.
-- Complaints not yet handed to an agency also get the OPD of their new place;
-- a red complaint that now falls outside every boundary goes to triage, and a
-- triaged one that now falls inside comes back as new.
WITH routed AS (
  SELECT c.id, c.status AS old_status, c.kelurahan_id AS old_kelurahan, c.category_id, c.geom,
         x.kelurahan_id, x.kecamatan_id, x.jurisdiction_id, x.method
    FROM complaint c
    LEFT JOIN LATERAL pantau_route_point(c.geom) x ON true
   WHERE c.status NOT IN ('selesai', 'ditolak', 'duplikat') AND c.geom IS NOT NULL
), changed AS (
  SELECT * FROM routed WHERE old_kelurahan IS DISTINCT FROM kelurahan_id
), updated AS (
  UPDATE complaint c
     SET kelurahan_id = ch.kelurahan_id,
         kecamatan_id = ch.kecamatan_id,
         jurisdiction_id = coalesce(ch.jurisdiction_id, CASE WHEN c.status = 'diteruskan' THEN c.jurisdiction_id END),
         route_method = ch.method,
         status = CASE
           WHEN ch.kelurahan_id IS NULL AND c.status IN ('baru', 'terverifikasi') THEN 'luar_wilayah'
           WHEN ch.kelurahan_id IS NOT NULL AND c.status = 'luar_wilayah' THEN 'baru'
           ELSE c.status END,
         opd_id = CASE
           WHEN c.status IN ('baru', 'terverifikasi', 'luar_wilayah') THEN
             CASE WHEN ch.kelurahan_id IS NULL THEN NULL
                  ELSE pantau_route_opd(ch.category_id, ch.jurisdiction_id, ch.geom) END
           ELSE c.opd_id END
    FROM changed ch
   WHERE c.id = ch.id
  RETURNING c.id, ch.old_status, c.status, ch.old_kelurahan, c.kelurahan_id, c.opd_id
)
INSERT INTO complaint_event (complaint_id, kind, from_status, to_status, note, public, data)
SELECT u.id, 'rerouted', u.old_status, u.status, 'batas wilayah diperbarui', false,
       jsonb_build_object('from_kelurahan', (SELECT code FROM area WHERE id = u.old_kelurahan),
                          'to_kelurahan', (SELECT code FROM area WHERE id = u.kelurahan_id),
                          'opd', (SELECT code FROM opd WHERE id = u.opd_id))
  FROM updated u
RETURNING complaint_id;
