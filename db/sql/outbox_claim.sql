-- Claim the message that is due first: mark it 'sending' with a lease (its
-- next_attempt_at becomes the end of the lease) and record the attempt, all
-- before anything is sent. SKIP LOCKED lets several workers claim side by
-- side without waiting on each other or taking the same message. A message
-- still 'sending' after its lease ran out belongs to a worker that died or lost
-- the database: its open attempt is marked 'lost' and the message is claimed
-- again (delivered again with the same idempotency key). A report's messages
-- leave in the order they were written: one waits while an earlier one of the
-- same report is still on its way (not once that one is sent, given up or off).
WITH next AS (
  SELECT id FROM notification n
   WHERE status IN ('queued', 'sending', 'failed') AND next_attempt_at <= now()
     AND NOT EXISTS (SELECT 1 FROM notification e
                      WHERE e.complaint_id = n.complaint_id AND e.id < n.id
                        AND e.status IN ('queued', 'sending', 'failed'))
   ORDER BY next_attempt_at, id
   LIMIT 1
   FOR UPDATE SKIP LOCKED
), lost AS (
  UPDATE notification_attempt a
     SET outcome = 'lost', finished_at = now(),
         detail = 'no outcome was recorded before the lease ran out (the worker stopped or lost the database)'
    FROM next
   WHERE a.notification_id = next.id AND a.outcome = 'sending'
), claimed AS (
  UPDATE notification n
     SET status = 'sending', attempts = n.attempts + 1,
         next_attempt_at = now() + make_interval(secs => CAST(:lease_s AS double precision))
    FROM next
   WHERE n.id = next.id
  RETURNING n.*
), attempt AS (
  INSERT INTO notification_attempt (notification_id, attempt, worker)
  SELECT id, attempts, CAST(:worker AS text) FROM claimed
)
SELECT m.id, m.complaint_id, m.kind, m.channel, m.recipient, m.lang, m.confidential, m.facts, m.subject, m.body,
       m.idempotency_key, m.attempts, c.tracking_code,
       -- For the name placeholder of a reply (services/templates.py): an anonymous report stores no name.
       c.reporter_name,
       o.name AS office_opd,
       coalesce(k.name, CASE WHEN j.level = 'provinsi' THEN 'Provinsi ' || j.name ELSE j.name END) AS office_kota,
       -- The newest completion photo of the report (or of the one it was merged into), unless that report
       -- is confidential: its photos are never linked.
       (SELECT max(p.id) FROM photo p JOIN complaint pc ON pc.id = p.complaint_id
         WHERE p.complaint_id = coalesce(CAST(m.facts ->> 'photo_of' AS bigint), m.complaint_id)
           AND p.kind = 'completion' AND NOT pc.confidential) AS photo_id
  FROM claimed m
  JOIN complaint c ON c.id = m.complaint_id
  LEFT JOIN opd o ON o.id = CAST(m.facts ->> 'opd_id' AS integer)
  LEFT JOIN area k ON k.code = m.facts ->> 'kota' AND k.level = 'kota'
  -- A manual handover's destination: any jurisdiction of Indonesia (db/jurisdictions.py).
  LEFT JOIN jurisdiction j ON j.code = m.facts ->> 'kota';
