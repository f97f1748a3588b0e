-- The tables and functions of revision 0030 (the leaders' rollups by channel).
-- Frozen with the migration: later changes go into a new revision.
--
-- 0020's rollups have no channel, so a leader who chose one (how do SMS reports
-- fare against the app's?) got a scan of every complaint of that channel: at
-- 5,000,000 the all-time view of social media took 1.8-2.3 s against 0.8 s for
-- every channel together. These three tables are 0020's with the channel in
-- their key. The dashboard reads them when a channel is chosen, and 0020's
-- otherwise: those are about five times smaller (25,441 counts rows against
-- 127,217 by channel at 5,000,000), and the view of every channel reads them
-- whole. Their keys lead with the channel, which a view of them always names.
-- Kept by the same triggers, in the same transaction, for the reasons
-- 0020_rollups.sql gives.

CREATE TABLE leaders_rollup_channel (
  month date NOT NULL,
  jurisdiction_id integer,
  kecamatan_id integer,
  kelurahan_id integer,
  opd_id integer,
  category_id integer NOT NULL,
  channel varchar(16) NOT NULL,
  status varchar(16) NOT NULL,
  flags smallint NOT NULL,
  reports bigint NOT NULL,
  ratings bigint NOT NULL,
  satisfied bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_channel_key ON leaders_rollup_channel
  (channel, month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags)
  NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_channel IS
  'leaders_rollup per channel, read when a channel is chosen. Kept by pantau_rollup_* triggers (migration 0030).';

CREATE TABLE leaders_rollup_day_channel (
  day integer NOT NULL,
  jurisdiction_id integer,
  opd_id integer,
  channel varchar(16) NOT NULL,
  status varchar(16) NOT NULL,
  reports bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_day_channel_key ON leaders_rollup_day_channel
  (channel, day, jurisdiction_id, opd_id, status) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_day_channel IS
  'leaders_rollup_day per channel, read when a channel is chosen. Kept by pantau_rollup_* triggers (migration 0030).';

CREATE TABLE leaders_rollup_hist_channel (
  month date NOT NULL,
  jurisdiction_id integer,
  channel varchar(16) NOT NULL,
  status varchar(16) NOT NULL,
  part smallint NOT NULL,
  key_id integer,
  bin integer NOT NULL,
  n bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_hist_channel_key ON leaders_rollup_hist_channel
  (channel, month, jurisdiction_id, status, part, key_id, bin) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_hist_channel IS
  'leaders_rollup_hist per channel, read when a channel is chosen. Kept by pantau_rollup_* triggers (migration 0030).';

-- What one closed complaint adds (sign 1) or takes away (sign -1) in both sets of tables.
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
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION pantau_rollup_rating() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  c complaint;
  d_ratings integer := (CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE 1 END) - (CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE 1 END);
  d_satisfied integer := (CASE WHEN TG_OP <> 'DELETE' AND NEW.satisfied THEN 1 ELSE 0 END)
                         - (CASE WHEN TG_OP <> 'INSERT' AND OLD.satisfied THEN 1 ELSE 0 END);
BEGIN
  SELECT * INTO c FROM complaint
   WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.complaint_id ELSE NEW.complaint_id END
     AND status IN ({closed});
  IF NOT FOUND OR (d_ratings = 0 AND d_satisfied = 0) THEN
    RETURN NULL;
  END IF;
  UPDATE leaders_rollup r
     SET ratings = r.ratings + d_ratings, satisfied = r.satisfied + d_satisfied
   WHERE r.month = pantau_wib_month(c.created_at)
     AND r.jurisdiction_id IS NOT DISTINCT FROM c.jurisdiction_id
     AND r.kecamatan_id IS NOT DISTINCT FROM c.kecamatan_id
     AND r.kelurahan_id IS NOT DISTINCT FROM c.kelurahan_id
     AND r.opd_id IS NOT DISTINCT FROM c.opd_id
     AND r.category_id = c.category_id
     AND r.status = c.status
     AND r.flags = pantau_rollup_flags(c);
  UPDATE leaders_rollup_channel r
     SET ratings = r.ratings + d_ratings, satisfied = r.satisfied + d_satisfied
   WHERE r.month = pantau_wib_month(c.created_at)
     AND r.jurisdiction_id IS NOT DISTINCT FROM c.jurisdiction_id
     AND r.kecamatan_id IS NOT DISTINCT FROM c.kecamatan_id
     AND r.kelurahan_id IS NOT DISTINCT FROM c.kelurahan_id
     AND r.opd_id IS NOT DISTINCT FROM c.opd_id
     AND r.category_id = c.category_id
     AND r.channel = c.channel
     AND r.status = c.status
     AND r.flags = pantau_rollup_flags(c);
  RETURN NULL;
END
$$;

-- Every rollup from the complaints as they are: the migration, and `flask --app app rollup rebuild`. The tables
-- by channel are computed from the complaints, 0020's by summing them over the channels.
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

-- A complaint's channel is now part of what its rollup rows depend on.
DROP TRIGGER pantau_rollup_update ON complaint;
CREATE TRIGGER pantau_rollup_update AFTER UPDATE ON complaint
  FOR EACH ROW WHEN ((OLD.status IN ({closed}) OR NEW.status IN ({closed}))
                     AND (OLD.status, OLD.created_at, OLD.jurisdiction_id, OLD.kecamatan_id, OLD.kelurahan_id,
                          OLD.opd_id, OLD.category_id, OLD.channel, OLD.response_working_days,
                          OLD.completion_working_days, OLD.completed_at, OLD.due_at)
                         IS DISTINCT FROM
                         (NEW.status, NEW.created_at, NEW.jurisdiction_id, NEW.kecamatan_id, NEW.kelurahan_id,
                          NEW.opd_id, NEW.category_id, NEW.channel, NEW.response_working_days,
                          NEW.completion_working_days, NEW.completed_at, NEW.due_at))
  EXECUTE FUNCTION pantau_rollup_complaint();

SELECT pantau_rollup_rebuild();
