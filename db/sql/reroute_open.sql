-- Re-route every open complaint against the current boundaries, in one statement,
-- recording a 'rerouted' event for each complaint whose kelurahan changed.
-- Complaints not yet handed to an agency (red) also get the OPD of their new place.
-- The status changes are the status machine's two system actions (db/status.py):
-- reroute_out, a report that now falls outside every boundary waits for the
-- operators, and reroute_in, one that now falls inside comes back as new.
WITH routed AS (
  SELECT c.id, c.status AS old_status, c.kelurahan_id AS old_kelurahan, c.category_id, c.geom,
         x.kelurahan_id, x.kecamatan_id, x.jurisdiction_id, x.method
    FROM complaint c
    LEFT JOIN LATERAL pantau_route_point(c.geom) x ON true
   WHERE c.status NOT IN ({closed}) AND c.geom IS NOT NULL
), changed AS (
  SELECT * FROM routed WHERE old_kelurahan IS DISTINCT FROM kelurahan_id
), updated AS (
  UPDATE complaint c
     SET kelurahan_id = ch.kelurahan_id,
         kecamatan_id = ch.kecamatan_id,
         jurisdiction_id = coalesce(ch.jurisdiction_id, CASE WHEN c.status = {forward.target} THEN c.jurisdiction_id END),
         route_method = ch.method,
         status = CASE
           WHEN ch.kelurahan_id IS NULL AND c.status IN ({reroute_out.sources}) THEN {reroute_out.target}
           WHEN ch.kelurahan_id IS NOT NULL AND c.status IN ({reroute_in.sources}) THEN {reroute_in.target}
           ELSE c.status END,
         opd_id = CASE
           WHEN c.status IN ({red}) THEN
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
       || CASE WHEN u.status IN ({reroute_out.target}) AND u.old_status IN ({reroute_out.sources})
                 THEN jsonb_build_object('action', 'reroute_out')
               WHEN u.status IN ({reroute_in.target}) AND u.old_status IN ({reroute_in.sources})
                 THEN jsonb_build_object('action', 'reroute_in')
               ELSE jsonb_build_object() END
  FROM updated u
RETURNING complaint_id;
