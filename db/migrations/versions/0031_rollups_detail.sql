-- The tables, functions and index of revision 0031 (the leaders' rollups by area, agency and category).
-- Frozen with the migration: later changes go into a new revision.
--
-- 0020's histograms are per city and agency or kecamatan, so a leader who
-- chose a kecamatan, an agency or a category got a scan of every matching
-- complaint: at 5,000,000 a kecamatan over all time took 323-412 ms and Kota
-- Tangerang Selatan's road damage 431-481 ms. leaders_rollup already holds
-- these keys for the counts; these two tables add the reports per day and the
-- 0.01-day histograms per month x city x kecamatan x agency x category x
-- status. Each bin counts for its agency and its kecamatan alike, so one row
-- serves both kinds of histogram (0020's tables keep them apart, in four
-- parts): 585,792 histogram rows at 5,000,000, against 657,403 for a category
-- projection in 0020's form. The dashboard reads them when the filters name a
-- kecamatan, an agency or a category (or the viewer is limited to kecamatan or
-- to an agency) and no channel. The histograms' key leads with the kecamatan;
-- the agency and the category have an index each.
--
-- The open complaints of one channel are read through an index that leads
-- with the channel: with the rollups by channel (0030) the dashboard still
-- read every open complaint to keep one channel's (550,000 index entries to
-- keep 82,000 at 5,000,000).

CREATE TABLE leaders_rollup_day_detail (
  day integer NOT NULL,
  jurisdiction_id integer,
  kecamatan_id integer,
  opd_id integer,
  category_id integer NOT NULL,
  status varchar(16) NOT NULL,
  reports bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_day_detail_key ON leaders_rollup_day_detail
  (day, jurisdiction_id, kecamatan_id, opd_id, category_id, status) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_day_detail IS
  'Closed complaints per WIB day, kecamatan, agency and category. Kept by pantau_rollup_* triggers (migration 0031).';

CREATE TABLE leaders_rollup_hist_detail (
  month date NOT NULL,
  jurisdiction_id integer,
  kecamatan_id integer,
  opd_id integer,
  category_id integer NOT NULL,
  status varchar(16) NOT NULL,
  kind smallint NOT NULL,             -- 0 response, 1 completion
  bin integer NOT NULL,               -- round(100 * working days)
  n bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_hist_detail_key ON leaders_rollup_hist_detail
  (kecamatan_id, opd_id, category_id, month, jurisdiction_id, status, kind, bin) NULLS NOT DISTINCT;
CREATE INDEX leaders_rollup_hist_detail_opd_idx ON leaders_rollup_hist_detail (opd_id);
CREATE INDEX leaders_rollup_hist_detail_category_idx ON leaders_rollup_hist_detail (category_id);
COMMENT ON TABLE leaders_rollup_hist_detail IS
  'Working-day histograms (0.01-day bins) of closed complaints per WIB month, kecamatan, agency and category. Kept by pantau_rollup_* triggers (migration 0031).';

CREATE INDEX complaint_leaders_live_channel_idx ON complaint (channel, (coalesce(kecamatan_id, 0)), created_at)
  INCLUDE (kecamatan_id, status, jurisdiction_id, kelurahan_id, opd_id, category_id,
           response_working_days, completion_working_days, completed_at, due_at)
  WHERE status NOT IN ({closed});

CREATE OR REPLACE FUNCTION pantau_rollup_apply(c complaint, sign integer, satisfied boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m date := pantau_wib_month(c.created_at);
  d integer := pantau_wib_day(c.created_at);
  rbin integer := round(100 * c.response_working_days)::integer;
  cbin integer := CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END;
  f smallint := pantau_rollup_flags(c);
  n_ratings integer := CASE WHEN satisfied IS NULL THEN 0 ELSE sign END;
  n_satisfied integer := CASE WHEN satisfied THEN sign ELSE 0 END;
BEGIN
  INSERT INTO leaders_rollup AS r VALUES
    (m, c.jurisdiction_id, c.kecamatan_id, c.kelurahan_id, c.opd_id, c.category_id, c.status, f, sign,
     n_ratings, n_satisfied)
  ON CONFLICT (month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags)
  DO UPDATE SET reports = r.reports + EXCLUDED.reports, ratings = r.ratings + EXCLUDED.ratings,
                satisfied = r.satisfied + EXCLUDED.satisfied;
  INSERT INTO leaders_rollup_channel AS r VALUES
    (m, c.jurisdiction_id, c.kecamatan_id, c.kelurahan_id, c.opd_id, c.category_id, c.channel, c.status, f, sign,
     n_ratings, n_satisfied)
  ON CONFLICT (month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, channel, status, flags)
  DO UPDATE SET reports = r.reports + EXCLUDED.reports, ratings = r.ratings + EXCLUDED.ratings,
                satisfied = r.satisfied + EXCLUDED.satisfied;
  INSERT INTO leaders_rollup_day AS r VALUES (d, c.jurisdiction_id, c.opd_id, c.status, sign)
  ON CONFLICT (day, jurisdiction_id, opd_id, status) DO UPDATE SET reports = r.reports + EXCLUDED.reports;
  INSERT INTO leaders_rollup_day_channel AS r VALUES (d, c.jurisdiction_id, c.opd_id, c.channel, c.status, sign)
  ON CONFLICT (day, jurisdiction_id, opd_id, channel, status) DO UPDATE SET reports = r.reports + EXCLUDED.reports;
  INSERT INTO leaders_rollup_day_detail AS r VALUES
    (d, c.jurisdiction_id, c.kecamatan_id, c.opd_id, c.category_id, c.status, sign)
  ON CONFLICT (day, jurisdiction_id, kecamatan_id, opd_id, category_id, status)
  DO UPDATE SET reports = r.reports + EXCLUDED.reports;
  INSERT INTO leaders_rollup_hist AS r
  SELECT m, c.jurisdiction_id, c.status, h.part, h.key_id, h.bin, sign
    FROM (VALUES (0, c.opd_id, rbin), (1, c.opd_id, cbin), (2, c.kecamatan_id, rbin), (3, c.kecamatan_id, cbin))
         AS h(part, key_id, bin)
   WHERE h.bin IS NOT NULL
  ON CONFLICT (month, jurisdiction_id, status, part, key_id, bin) DO UPDATE SET n = r.n + EXCLUDED.n;
  INSERT INTO leaders_rollup_hist_channel AS r
  SELECT m, c.jurisdiction_id, c.channel, c.status, h.part, h.key_id, h.bin, sign
    FROM (VALUES (0, c.opd_id, rbin), (1, c.opd_id, cbin), (2, c.kecamatan_id, rbin), (3, c.kecamatan_id, cbin))
         AS h(part, key_id, bin)
   WHERE h.bin IS NOT NULL
  ON CONFLICT (month, jurisdiction_id, channel, status, part, key_id, bin) DO UPDATE SET n = r.n + EXCLUDED.n;
  INSERT INTO leaders_rollup_hist_detail AS r
  SELECT m, c.jurisdiction_id, c.kecamatan_id, c.opd_id, c.category_id, c.status, h.kind, h.bin, sign
    FROM (VALUES (0, rbin), (1, cbin)) AS h(kind, bin)
   WHERE h.bin IS NOT NULL
  ON CONFLICT (kecamatan_id, opd_id, category_id, month, jurisdiction_id, status, kind, bin)
  DO UPDATE SET n = r.n + EXCLUDED.n;
END
$$;

CREATE OR REPLACE FUNCTION pantau_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM leaders_rollup;
  DELETE FROM leaders_rollup_day;
  DELETE FROM leaders_rollup_hist;
  DELETE FROM leaders_rollup_channel;
  DELETE FROM leaders_rollup_day_channel;
  DELETE FROM leaders_rollup_hist_channel;
  DELETE FROM leaders_rollup_day_detail;
  DELETE FROM leaders_rollup_hist_detail;
  RETURN NULL;
END
$$;

-- Every rollup from the complaints as they are: the migration, and `flask --app app rollup rebuild`.
CREATE OR REPLACE FUNCTION pantau_rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE complaint, complaint_rating IN SHARE MODE;  -- no change slips between the read and the swap
  DELETE FROM leaders_rollup;
  DELETE FROM leaders_rollup_day;
  DELETE FROM leaders_rollup_hist;
  DELETE FROM leaders_rollup_channel;
  DELETE FROM leaders_rollup_day_channel;
  DELETE FROM leaders_rollup_hist_channel;
  DELETE FROM leaders_rollup_day_detail;
  DELETE FROM leaders_rollup_hist_detail;
  INSERT INTO leaders_rollup_channel
  SELECT pantau_wib_month(c.created_at), c.jurisdiction_id, c.kecamatan_id, c.kelurahan_id, c.opd_id, c.category_id,
         c.channel, c.status, pantau_rollup_flags(c), count(*), count(r.complaint_id),
         count(*) FILTER (WHERE r.satisfied)
    FROM complaint c LEFT JOIN complaint_rating r ON r.complaint_id = c.id
   WHERE c.status IN ({closed})
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  INSERT INTO leaders_rollup_day_channel
  SELECT pantau_wib_day(c.created_at), c.jurisdiction_id, c.opd_id, c.channel, c.status, count(*)
    FROM complaint c
   WHERE c.status IN ({closed})
   GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO leaders_rollup_hist_channel
  SELECT pantau_wib_month(c.created_at), c.jurisdiction_id, c.channel, c.status, h.part, h.key_id, h.bin, count(*)
    FROM complaint c
   CROSS JOIN LATERAL (VALUES
           (0, c.opd_id, round(100 * c.response_working_days)::integer),
           (1, c.opd_id, CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END),
           (2, c.kecamatan_id, round(100 * c.response_working_days)::integer),
           (3, c.kecamatan_id, CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END))
         AS h(part, key_id, bin)
   WHERE c.status IN ({closed}) AND h.bin IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6, 7;
  INSERT INTO leaders_rollup_day_detail
  SELECT pantau_wib_day(c.created_at), c.jurisdiction_id, c.kecamatan_id, c.opd_id, c.category_id, c.status, count(*)
    FROM complaint c
   WHERE c.status IN ({closed})
   GROUP BY 1, 2, 3, 4, 5, 6;
  INSERT INTO leaders_rollup_hist_detail
  SELECT pantau_wib_month(c.created_at), c.jurisdiction_id, c.kecamatan_id, c.opd_id, c.category_id, c.status, h.kind,
         h.bin, count(*)
    FROM complaint c
   CROSS JOIN LATERAL (VALUES
           (0, round(100 * c.response_working_days)::integer),
           (1, CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END))
         AS h(kind, bin)
   WHERE c.status IN ({closed}) AND h.bin IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  INSERT INTO leaders_rollup
  SELECT month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags,
         sum(reports), sum(ratings), sum(satisfied)
    FROM leaders_rollup_channel
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  INSERT INTO leaders_rollup_day
  SELECT day, jurisdiction_id, opd_id, status, sum(reports)
    FROM leaders_rollup_day_channel
   GROUP BY 1, 2, 3, 4;
  INSERT INTO leaders_rollup_hist
  SELECT month, jurisdiction_id, status, part, key_id, bin, sum(n)
    FROM leaders_rollup_hist_channel
   GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;

SELECT pantau_rollup_rebuild();
