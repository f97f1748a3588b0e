-- The export of one filtered set for people (CSV and XLSX): the rows of leaders_export.sql, filled in
-- below, in their order, with names beside codes in the reader's language (the word lists bound by
-- db.leaders.sheet_params), the reader's yes/no for "overdue", and WIB times as timestamps to the second,
-- which COPY writes as 2025-04-30 10:00:00 and an XLSX file stores as dates.
SELECT e.tracking_code,
       e.created_at::timestamptz AT TIME ZONE 'Asia/Jakarta' AS created_at,
       e.status AS status_code,
       CAST(:status_names AS jsonb) ->> e.status AS status,
       CAST(:colour_names AS jsonb) ->> e.colour AS colour,
       e.category AS category_code,
       CAST(:category_names AS jsonb) ->> e.category AS category,
       CAST(:channel_names AS jsonb) ->> e.channel AS channel,
       e.kota_code, e.kota, e.kecamatan_code, e.kecamatan, e.kelurahan_code, e.kelurahan, e.opd_code, e.opd,
       e.lon, e.lat, e.address, e.description, e.answers,
       e.first_response_at::timestamptz AT TIME ZONE 'Asia/Jakarta' AS first_response_at,
       e.completed_at::timestamptz AT TIME ZONE 'Asia/Jakarta' AS completed_at,
       e.due_at::timestamptz AT TIME ZONE 'Asia/Jakarta' AS due_at,
       e.response_working_days, e.completion_working_days,
       CASE WHEN e.overdue THEN :yes ELSE :no END AS overdue
  FROM ({export}) e
