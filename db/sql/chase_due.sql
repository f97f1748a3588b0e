-- Overdue stages to chase now (db/chase.py): a report still new past its category's verification target, one
-- forwarded to an agency that has not moved past the follow-up target since, and any open report past its
-- completion target (due_at). A stage never reminded is due a reminder; one reminded :escalate_days working
-- days ago and still overdue is due an escalation; nothing is sent twice (complaint_chase).
WITH stages AS (
  SELECT c.id, c.tracking_code, c.opd_id, c.kecamatan_id, c.jurisdiction_id, c.confidential,
         'verify' AS stage, cat.verify_days AS days
    FROM complaint c JOIN category cat ON cat.id = c.category_id
   WHERE c.status IN ({verify.sources})
     AND pantau_add_working_days(c.created_at, cat.verify_days) < CAST(:now AS timestamptz)
  UNION ALL
  SELECT c.id, c.tracking_code, c.opd_id, c.kecamatan_id, c.jurisdiction_id, c.confidential,
         'follow_up', cat.follow_up_days
    FROM complaint c JOIN category cat ON cat.id = c.category_id
   WHERE c.status IN ({forward.target}) AND c.opd_id IS NOT NULL
     AND pantau_add_working_days(
           (SELECT max(e.at) FROM complaint_event e WHERE e.complaint_id = c.id AND e.kind = 'forwarded'),
           cat.follow_up_days) < CAST(:now AS timestamptz)
  UNION ALL
  SELECT c.id, c.tracking_code, c.opd_id, c.kecamatan_id, c.jurisdiction_id, c.confidential,
         'complete', cat.target_days
    FROM complaint c JOIN category cat ON cat.id = c.category_id
   WHERE c.status IN ({open}) AND c.due_at < CAST(:now AS timestamptz)
)
SELECT s.*, CASE WHEN r.complaint_id IS NULL THEN 'reminder' ELSE 'escalation' END AS kind
  FROM stages s
  LEFT JOIN complaint_chase r ON r.complaint_id = s.id AND r.stage = s.stage AND r.kind = 'reminder'
  LEFT JOIN complaint_chase x ON x.complaint_id = s.id AND x.stage = s.stage AND x.kind = 'escalation'
 WHERE x.complaint_id IS NULL
   AND (r.complaint_id IS NULL
        OR pantau_add_working_days(r.at, CAST(:escalate_days AS integer)) < CAST(:now AS timestamptz))
 ORDER BY s.id, s.stage
 LIMIT :limit;
