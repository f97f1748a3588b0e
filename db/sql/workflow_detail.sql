-- One complaint as staff see it: where it is, who handles it, what it merged into.
SELECT c.id, c.tracking_code, c.status, c.version, c.description, c.address, c.channel, c.source,
       c.reporter_name, c.reporter_contact, c.anonymous, c.confidential,
       c.attributes -> 'open311_attributes' AS answers,
       c.created_at, c.updated_at, c.first_response_at, c.completed_at, c.due_at,
       (c.due_at < now() AND c.status NOT IN ({closed})) AS overdue,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       c.opd_id, c.assignee_id, c.kecamatan_id, c.jurisdiction_id, c.merged_into_id,
       cat.code AS category_code, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       o.code AS opd_code, o.short_name AS opd_short, o.name AS opd_name,
       kel.name AS kelurahan, kec.name AS kecamatan, kota.name AS kota, kota.code AS kota_code,
       u.username AS assignee, m.tracking_code AS merged_into,
       c.handover_to, c.handover_due, h.name AS handover_name,
       c.handover_office, c.handover_person, c.handover_contact,
       (c.handover_due < now() AND c.status NOT IN ({closed})) AS handover_overdue,
       -- Sent through a door (db/doors.py): how far it got, and why it failed.
       hv.state AS door_state, hv.attempts AS door_attempts, hv.last_error AS door_error,
       hv.remote_id AS door_remote_id
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN opd o ON o.id = c.opd_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN app_user u ON u.id = c.assignee_id
  LEFT JOIN complaint m ON m.id = c.merged_into_id
  LEFT JOIN jurisdiction h ON h.code = c.handover_to
  LEFT JOIN handover hv ON hv.complaint_id = c.id AND hv.state <> 'cancelled'
 WHERE c.id = :id;
