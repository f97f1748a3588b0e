-- Move demo complaints along their lifecycle according to their age, the way a
-- working city's reports look: old ones mostly finished, new ones mostly red.
WITH pick AS (
  SELECT c.id, c.created_at, random() AS u, random() AS v,
         extract(epoch FROM now() - c.created_at) / 86400.0 AS age, cat.target_days AS target
    FROM complaint c JOIN category cat ON cat.id = c.category_id
   WHERE c.source = 'demo' AND c.status = 'baru'
), decided AS (
  SELECT pick.*, CASE
    WHEN age < 1 THEN CASE WHEN u < .50 THEN 'baru' WHEN u < .70 THEN 'terverifikasi'
                           WHEN u < .90 THEN 'diteruskan' ELSE 'ditugaskan' END
    WHEN age < 3 THEN CASE WHEN u < .10 THEN 'baru' WHEN u < .20 THEN 'terverifikasi' WHEN u < .45 THEN 'diteruskan'
                           WHEN u < .65 THEN 'ditugaskan' WHEN u < .85 THEN 'dikerjakan' ELSE 'selesai' END
    WHEN age < 7 THEN CASE WHEN u < .03 THEN 'baru' WHEN u < .15 THEN 'diteruskan' WHEN u < .25 THEN 'ditugaskan'
                           WHEN u < .45 THEN 'dikerjakan' WHEN u < .95 THEN 'selesai' WHEN u < .98 THEN 'ditolak'
                           ELSE 'duplikat' END
    ELSE CASE WHEN u < .004 THEN 'baru' WHEN u < .02 THEN 'diteruskan' WHEN u < .06 THEN 'dikerjakan'
              WHEN u < .94 THEN 'selesai' WHEN u < .97 THEN 'ditolak' ELSE 'duplikat' END
  END AS new_status
  FROM pick
), moved AS (
  UPDATE complaint c
     SET status = d.new_status,
         first_response_at = CASE WHEN d.new_status <> 'baru'
                                  THEN least(now(), d.created_at + (0.02 + d.v * 1.2) * interval '1 day') END,
         -- Finished reports are at least a day old; one that would finish in the future finished
         -- some hours ago instead, so the wall's "just finished" panel shows a spread of times.
         completed_at = CASE WHEN d.new_status = 'selesai'
                             THEN least(now() - d.u * interval '6 hours',
                                        d.created_at + (0.3 + d.v * d.target * 1.5) * interval '1 day') END
    FROM decided d
   WHERE c.id = d.id AND d.new_status <> 'baru'
  RETURNING c.id, c.status, c.first_response_at, c.completed_at
)
INSERT INTO complaint_event (complaint_id, kind, at, actor_role, from_status, to_status, note)
SELECT id, 'status_changed', coalesce(completed_at, first_response_at), 'demo', 'baru', status,
       CASE status WHEN 'ditolak' THEN 'bukan kewenangan pemerintah kota'
                   WHEN 'duplikat' THEN 'sudah dilaporkan warga lain' END
  FROM moved;
