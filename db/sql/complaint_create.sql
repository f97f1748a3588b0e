-- Store and route one complaint, its 'created' and 'routed' events and the
-- reporter's 'received' message (to where db/outbox.py's addressee chose;
-- none without a notify channel), in one statement: pantau_file_report, which
-- takes the data version only once the rows are written (migration 0028; 0025
-- says why the insert is a function's, 0032 why it is this one's). No row: a
-- repeated submission (same submission_key), which the caller reads back.
SELECT new_id AS id, new_status AS status
  FROM pantau_file_report(
    CAST(:tracking_code AS text), CAST(:lon AS double precision), CAST(:lat AS double precision),
    CAST(:address AS text), CAST(:description AS text), CAST(:category_id AS integer), CAST(:channel AS text),
    CAST(:source AS text), CAST(:reporter_name AS text), CAST(:reporter_contact AS text),
    CAST(:anonymous AS boolean), CAST(:confidential AS boolean), CAST(:created_at AS timestamptz),
    CAST(:submission_key AS text), CAST(:attributes AS jsonb), CAST(:actor_id AS integer),
    CAST(:actor_role AS text), CAST(:notify_channel AS text), CAST(:notify_recipient AS text),
    CAST(:notify_lang AS text))
