-- Move demo complaints along their lifecycle according to their age, the way a
-- working city's reports look: old ones mostly finished, new ones mostly red.
-- Demo data only: statuses are set directly (each named through the status
-- machine, db/status.py), with one history entry from new to where it ended.
WITH pick AS (
  SELECT c.id, c.created_at, random() AS u, random() AS v,
         extract(epoch FROM now() - c.created_at) / 86400.0 AS age, cat.target_days AS target
    FROM complaint c JOIN category cat ON cat.id = c.category_id
   WHERE c.source = 'demo' AND c.status = {status.baru}
), decided AS (
  SELECT pick.*, CASE
    WHEN age < 1 THEN CASE WHEN u < .50 THEN {status.baru} WHEN u < .70 THEN {status.terverifikasi}
                           WHEN u < .90 THEN {status.diteruskan} ELSE {status.ditugaskan} END
    WHEN age < 3 THEN CASE WHEN u < .10 THEN {status.baru} WHEN u < .20 THEN {status.terverifikasi} WHEN u < .45 THEN {status.diteruskan}
                           WHEN u < .65 THEN {status.ditugaskan} WHEN u < .85 THEN {status.dikerjakan} ELSE {status.selesai} END
    WHEN age < 7 THEN CASE WHEN u < .03 THEN {status.baru} WHEN u < .15 THEN {status.diteruskan} WHEN u < .25 THEN {status.ditugaskan}
                           WHEN u < .45 THEN {status.dikerjakan} WHEN u < .95 THEN {status.selesai} WHEN u < .98 THEN {status.ditolak}
                           ELSE {status.duplikat} END
    ELSE CASE WHEN u < .004 THEN {status.baru} WHEN u < .02 THEN {status.diteruskan} WHEN u < .06 THEN {status.dikerjakan}
              WHEN u < .94 THEN {status.selesai} WHEN u < .97 THEN {status.ditolak} ELSE {status.duplikat} END
  END AS new_status
  FROM pick
), moved AS (
  UPDATE complaint c
     SET status = d.new_status,
         first_response_at = CASE WHEN d.new_status <> {status.baru}
                                  THEN least(now(), d.created_at + (0.02 + d.v * 1.2) * interval '1 day') END,
         -- Finished reports are at least a day old; one that would finish in the future finished
         -- some hours ago instead, so the wall's "just finished" panel shows a spread of times.
         completed_at = CASE WHEN d.new_status = {status.selesai}
                             THEN least(now() - d.u * interval '6 hours',
                                        d.created_at + (0.3 + d.v * d.target * 1.5) * interval '1 day') END
    FROM decided d
   WHERE c.id = d.id AND d.new_status <> {status.baru}
  RETURNING c.id, c.status, c.first_response_at, c.completed_at
)
INSERT INTO complaint_event (complaint_id, kind, at, actor_role, from_status, to_status, note)
SELECT id, 'status_changed', coalesce(completed_at, first_response_at), 'demo', {status.baru}, status,
       CASE status WHEN {status.ditolak} THEN 'bukan kewenangan pemerintah kota'
                   WHEN {status.duplikat} THEN 'sudah dilaporkan warga lain' END
  FROM moved;
