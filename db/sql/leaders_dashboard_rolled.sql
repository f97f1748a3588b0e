-- The closed complaints of one filtered set from the rollups (migrations 0020, 0030, 0031), as rows of
-- leaders_dashboard.sql's scan: counts per month and key, reports per day, and histogram bins. The month and
-- day conditions are the filters on these tables (db/leaders.py), which also names the tables that answer
-- them: 0020's, those by channel (0030) or those by kecamatan, agency and category (0031; their counts are
-- 0020's, which have those keys).
  UNION ALL
  SELECT c.opd_id, c.kecamatan_id, c.category_id, c.kelurahan_id, c.status, NULL::integer, c.flags::integer,
         NULL::integer, NULL::integer, c.reports::integer, 0, 0, 0
    FROM {counts} c
   WHERE {month_where}
  UNION ALL
  SELECT c.opd_id, NULL, NULL, NULL, c.status, c.day, NULL, NULL, NULL, 0, c.reports::integer, 0, 0
    FROM {days} c
   WHERE {day_where}
  UNION ALL
{hist}
