-- Open311 service requests: the public fields of complaints with their place,
-- office and photos, filtered and paged. A NULL parameter means "no filter".
-- Confidential complaints are never listed; one is shown only when asked for
-- by its id, or by the sender's own id (external_id), with the API key that submitted it.
SELECT c.id, c.tracking_code, c.status, c.description, c.address, c.confidential,
       c.created_at, c.updated_at, c.due_at, c.completed_at,
       ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
       c.attributes ->> 'media_url' AS media_url, c.attributes ->> 'external_id' AS external_id,
       cat.code AS service_code, cat.name_id AS service_name,
       o.code AS opd_code, o.name AS opd_name, o.short_name AS opd_short_name,
       kel.code AS kode_kelurahan, kel.name AS kelurahan,
       kec.code AS kode_kecamatan, kec.name AS kecamatan,
       kota.code AS kode_kota, kota.name AS kota,
       CASE WHEN NOT survivor.confidential THEN survivor.tracking_code END AS merged_into,
       (SELECT e.note FROM complaint_event e
         WHERE e.complaint_id = c.id AND e.public AND e.note_public AND e.to_status = c.status
           AND e.actor_role <> 'public'
         ORDER BY e.id DESC LIMIT 1) AS status_note,
       (SELECT min(p.id) FROM photo p WHERE p.complaint_id = c.id AND p.kind = 'report') AS report_photo_id,
       coalesce((SELECT array_agg(p.id ORDER BY p.id) FROM photo p
                  WHERE p.complaint_id = c.id AND p.kind = 'completion'), '{}') AS completion_photo_ids
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN opd o ON o.id = c.opd_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN complaint survivor ON survivor.id = c.merged_into_id
 WHERE (CAST(:codes AS text[]) IS NULL OR c.tracking_code = ANY(CAST(:codes AS text[])))
   AND (CAST(:external_id AS text) IS NULL
        OR (c.attributes ->> 'external_id' = CAST(:external_id AS text)
            AND c.channel = 'api' AND c.source = CAST(:viewer AS text)))
   AND (NOT c.confidential
        OR ((CAST(:codes AS text[]) IS NOT NULL OR CAST(:external_id AS text) IS NOT NULL)
            AND c.channel = 'api' AND c.source = CAST(:viewer AS text)))
   AND (CAST(:service_codes AS text[]) IS NULL OR cat.code = ANY(CAST(:service_codes AS text[])))
   AND (CAST(:statuses AS text[]) IS NULL OR c.status = ANY(CAST(:statuses AS text[])))
   AND (CAST(:start AS timestamptz) IS NULL OR c.created_at >= CAST(:start AS timestamptz))
   AND (CAST(:end AS timestamptz) IS NULL OR c.created_at <= CAST(:end AS timestamptz))
   AND (CAST(:min_lon AS double precision) IS NULL
        OR c.geom && ST_MakeEnvelope(CAST(:min_lon AS double precision), CAST(:min_lat AS double precision),
                                     CAST(:max_lon AS double precision), CAST(:max_lat AS double precision), 4326))
   AND (CAST(:kota AS text) IS NULL OR kota.code = CAST(:kota AS text))
 ORDER BY c.created_at DESC, c.id DESC
 LIMIT :limit OFFSET :offset;
