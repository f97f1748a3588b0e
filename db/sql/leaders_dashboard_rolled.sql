-- The closed complaints of one filtered set from the rollups (migrations 0020, 0030, 0031), as rows of
-- leaders_dashboard.sql's scan: counts per key, reports per day, and histogram bins. The month and day
-- conditions are the filters on these tables (db/leaders.py), which also names the tables that answer them:
-- 0020's, those by channel (0030) or those by kecamatan, agency and category (0031; their counts are 0020's,
-- which have those keys). Each table's rows are summed over what the dashboard does not group by (the months,
-- and the status outside the chart) before they join the scan, so fewer rows go through its grouping sets.
  UNION ALL
  SELECT c.opd_id, c.kecamatan_id, c.category_id, c.kelurahan_id, NULL, NULL::integer, c.flags::integer,
         NULL::integer, NULL::integer, sum(c.reports)::integer, 0, 0, 0
    FROM {counts} c
   WHERE {month_where}
   GROUP BY c.opd_id, c.kecamatan_id, c.category_id, c.kelurahan_id, c.flags
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, c.status, c.day, NULL, NULL, NULL, 0, sum(c.reports)::integer, 0, 0
    FROM {days} c
   WHERE {day_where}
   GROUP BY c.day, c.status
  UNION ALL
{hist}
