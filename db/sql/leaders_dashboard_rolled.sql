-- The closed complaints of one filtered set from the rollups (migration 0020), as rows of leaders_dashboard.sql's
-- scan: counts per month and key, reports per day, and histogram bins. The month and day conditions
-- are the filters on these tables (db/leaders.py). With a channel chosen the tables are those by channel
-- (migration 0030): db/leaders.py fills in their suffix.
  UNION ALL
  SELECT c.opd_id, c.kecamatan_id, c.category_id, c.kelurahan_id, c.status, NULL::integer, c.flags::integer,
         NULL::integer, NULL::integer, c.reports::integer, 0, 0, 0
    FROM leaders_rollup{by} c
   WHERE {month_where}
  UNION ALL
  SELECT c.opd_id, NULL, NULL, NULL, c.status, c.day, NULL, NULL, NULL, 0, c.reports::integer, 0, 0
    FROM leaders_rollup_day{by} c
   WHERE {day_where}
  UNION ALL
  -- part: 0 response per OPD, 1 completion per OPD, 2 response per kecamatan, 3 completion per kecamatan.
  SELECT CASE WHEN c.part < 2 THEN c.key_id END, CASE WHEN c.part >= 2 THEN c.key_id END, NULL, NULL, c.status,
         NULL, NULL, CASE WHEN c.part IN (0, 2) THEN c.bin END, CASE WHEN c.part IN (1, 3) THEN c.bin END,
         0, 0, CASE WHEN c.part < 2 THEN c.n::integer ELSE 0 END, CASE WHEN c.part >= 2 THEN c.n::integer ELSE 0 END
    FROM leaders_rollup_hist{by} c
   WHERE {month_where}
