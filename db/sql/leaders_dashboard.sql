-- Every figure of the leaders' dashboard for one filtered set (the WHERE clause is
-- db.filters.Resolved.where), from one scan of the complaints: counts for the
-- whole set and per OPD, kecamatan, category, kelurahan (the map) and
-- day × status, and the median and 90th percentile of the working days to
-- first response and to completion for the whole set, per OPD and per
-- kecamatan.
--
-- The working days are stored on each complaint (migration 0005). The scan
-- feeds few, narrow hash tables, each with a plain count: one per
-- (kelurahan, category, OPD, flags), from which every count except the daily
-- one is summed afterwards; one per (day, status); and duration histograms per
-- OPD × kecamatan. Durations are rounded to 0.01 working day (about a
-- quarter of an hour) and percentile_cont's interpolation is applied to the
-- histogram, which differs from the exact value by at most 0.005 working day
-- and avoids sorting a million rows per grouping.
--
-- With the rollups (migration 0020, db/leaders.py), the scan keeps to the
-- open complaints and, where a period cuts a month at either end, to the
-- closed ones of the cut days (added) or of the rest of that month (taken
-- away from the month the rollups give whole); the closed ones of the months
-- come as summed rows. Each row carries a weight per kind of grouping (wc the
-- counts, wd the days, wo and wk the histograms per OPD and per kecamatan):
-- 1 for a complaint, -1 for one taken away, and a rollup row weighs nothing
-- where it has no data (a histogram row in the counts). The reports per day
-- of closed complaints come from the rollups for exactly the period's days,
-- so a closed complaint read one by one weighs nothing there. Every sum is
-- over whole months with some reports taken away, so none is below zero;
-- the groups that come to zero are dropped.
--
-- The histograms are grouped by OPD and kecamatan together, and summed per
-- OPD, per kecamatan and for the whole set afterwards (hist): each row feeds
-- one hash table per bin instead of one per bin and key. Over the open
-- complaints and the rollups no row has both a response and a completion bin
-- (an open complaint has no completion; a histogram row is one or the other),
-- so one grouping takes both bins at once (db/leaders.py): three hash tables
-- per row. A scan of every complaint groups by one bin at a time, since a
-- finished complaint has both: four.
--
-- The definitions of "followed up", "finished", "on time", "open" and
-- "overdue" live in db/leaders.py and come in as status lists, so the status
-- machine stays in db/status.py.
WITH f AS (
  -- Only columns of complaint_leaders_idx, so the scan can read that index alone.
  SELECT c.opd_id, c.kecamatan_id, c.category_id, c.kelurahan_id, c.status, pantau_wib_day(c.created_at) AS day,
         -- 1 followed up, 2 finished, 4 finished on time, 8 open, 16 overdue. A first response
         -- is recorded exactly when response_working_days is (it is kept from first_response_at).
         (CASE WHEN c.response_working_days IS NOT NULL OR NOT c.status = ANY(:not_followed_up) THEN 1 ELSE 0 END
          + CASE WHEN c.status = ANY(:finished)
                 THEN 2 + CASE WHEN c.completed_at <= c.due_at THEN 4 ELSE 0 END ELSE 0 END
          + CASE WHEN c.status = ANY(:open)
                 THEN 8 + CASE WHEN c.due_at < now() THEN 16 ELSE 0 END ELSE 0 END) AS flags,
         round(100 * c.response_working_days)::integer AS rbin,
         CASE WHEN c.status = ANY(:finished) THEN round(100 * c.completion_working_days)::integer END AS cbin,
         c.w AS wc, c.wd AS wd, c.w AS wo, c.w AS wk
    FROM (SELECT c.*, 1 AS w, 1 AS wd FROM complaint c WHERE {where}{live}) c{rolled}
), g AS (
  SELECT GROUPING(kelurahan_id, day, rbin, cbin, opd_id, kecamatan_id) AS set_id,
         opd_id, kecamatan_id, category_id, kelurahan_id, flags, day, status, rbin, cbin,
         sum(wc) AS n, sum(wd) AS n_day, sum(wo) AS n_opd, sum(wk) AS n_kec
    FROM f
   GROUP BY GROUPING SETS ((kelurahan_id, kecamatan_id, category_id, opd_id, flags), (day, status), {bin_sets})
), counts AS (
  SELECT CASE WHEN GROUPING(opd_id) = 0 THEN 'opd' WHEN GROUPING(kecamatan_id) = 0 THEN 'kecamatan'
              WHEN GROUPING(category_id) = 0 THEN 'category' WHEN GROUPING(kelurahan_id) = 0 THEN 'kelurahan'
              ELSE 'all' END AS grouping,
         coalesce(opd_id, kecamatan_id, category_id, kelurahan_id) AS key_id,
         coalesce(sum(n), 0)::bigint AS reports,
         coalesce(sum(n) FILTER (WHERE flags & 1 > 0), 0)::bigint AS followed_up,
         coalesce(sum(n) FILTER (WHERE flags & 2 > 0), 0)::bigint AS finished,
         coalesce(sum(n) FILTER (WHERE flags & 4 > 0), 0)::bigint AS on_time,
         coalesce(sum(n) FILTER (WHERE flags & 8 > 0), 0)::bigint AS open,
         coalesce(sum(n) FILTER (WHERE flags & 16 > 0), 0)::bigint AS overdue
    FROM g
   WHERE set_id = 28 AND n > 0
   GROUP BY GROUPING SETS ((), (opd_id), (kecamatan_id), (category_id), (kelurahan_id))
), hist AS (
  -- One histogram per part and key. part = 2 × (0 whole set, 1 OPD, 2 kecamatan) + (0 response,
  -- 1 completion); integers, so the sorts below compare numbers. The bins come grouped by OPD and
  -- kecamatan together (set_id bits, left to right: kelurahan, day, rbin, cbin, opd, kecamatan; 1 = not
  -- grouped): 52 by the response bin, 56 by the completion bin, 48 by both (where a row has only one of
  -- them). Each group counts towards its OPD, its kecamatan and the whole set, with the weight of that
  -- kind of grouping.
  SELECT 2 * CASE WHEN GROUPING(opd_id) = 0 THEN 1 WHEN GROUPING(kecamatan_id) = 0 THEN 2 ELSE 0 END + r AS part,
         coalesce(CASE WHEN GROUPING(opd_id) = 0 THEN opd_id WHEN GROUPING(kecamatan_id) = 0 THEN kecamatan_id END,
                  -1) AS key_id,
         bin, (CASE WHEN GROUPING(kecamatan_id) = 0 THEN sum(n_kec) ELSE sum(n_opd) END)::bigint AS n
    FROM (SELECT opd_id, kecamatan_id, CASE WHEN rbin IS NULL THEN 1 ELSE 0 END AS r, coalesce(rbin, cbin) AS bin,
                 n_opd, n_kec
            FROM g
           WHERE set_id IN (48, 52, 56) AND coalesce(rbin, cbin) IS NOT NULL) h
   GROUP BY GROUPING SETS ((r, bin), (r, opd_id, bin), (r, kecamatan_id, bin))
  HAVING (CASE WHEN GROUPING(kecamatan_id) = 0 THEN sum(n_kec) ELSE sum(n_opd) END) > 0
), ranked AS (
  SELECT part, key_id, bin,
         (sum(n) OVER (PARTITION BY part, key_id ORDER BY bin))::bigint AS upto,
         (sum(n) OVER (PARTITION BY part, key_id))::bigint AS total
    FROM hist
), ranks AS (
  -- percentile_cont(p) interpolates between the values at 0-based ranks r and r + 1, r = floor(p × (n − 1));
  -- the value at rank r is the first bin whose running count exceeds r.
  SELECT part, key_id, p,
         min(bin) FILTER (WHERE upto > r) AS v0,
         min(bin) FILTER (WHERE upto > r + 1) AS v1,
         max(h - r) AS frac
    FROM (SELECT ranked.*, ps.p, ps.p * (total - 1) AS h, floor(ps.p * (total - 1))::bigint AS r
            FROM ranked CROSS JOIN (VALUES (0.5::double precision), (0.9::double precision)) AS ps(p)) x
   GROUP BY part, key_id, p
), percentiles AS (
  SELECT part, key_id, array_agg(((v0 + frac * (coalesce(v1, v0) - v0)) / 100.0)::double precision ORDER BY p) AS pv
    FROM ranks
   GROUP BY part, key_id
)
SELECT c.grouping, c.key_id, NULL::integer AS day, NULL::text AS status,
       c.reports, c.followed_up, c.finished, c.on_time, c.open, c.overdue, r.pv AS response, d.pv AS completion
  FROM counts c
  LEFT JOIN percentiles r ON r.part = 2 * (CASE c.grouping WHEN 'opd' THEN 1 WHEN 'kecamatan' THEN 2 ELSE 0 END)
                         AND r.key_id = coalesce(c.key_id, -1) AND c.grouping IN ('all', 'opd', 'kecamatan')
  LEFT JOIN percentiles d ON d.part = 2 * (CASE c.grouping WHEN 'opd' THEN 1 WHEN 'kecamatan' THEN 2 ELSE 0 END) + 1
                         AND d.key_id = coalesce(c.key_id, -1) AND c.grouping IN ('all', 'opd', 'kecamatan')
UNION ALL
SELECT 'day', NULL, day, status, n_day, 0, 0, 0, 0, 0, NULL, NULL
  FROM g
 WHERE set_id = 47 AND n_day > 0
