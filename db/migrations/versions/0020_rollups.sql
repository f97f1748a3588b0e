-- The tables, functions and triggers of revision 0020 (the leaders' rollups).
-- Frozen with the migration: later changes go into a new revision.
--
-- The leaders' dashboard (and /statistik) read every complaint of the filtered
-- set to give exact counts and working-day percentiles: 1.5 s at 1,000,000
-- complaints for the all-time view, 12-14 s at 5,000,000. Closed complaints
-- (finished, rejected, duplicate) are most of them and rarely change, so their
-- figures are kept here, summed per WIB month (per day for the chart), and the
-- dashboard adds them to a scan of the open complaints only (db/leaders.py).
--
-- Kept by the transaction that changes a complaint or a rating (row triggers
-- that fire only when a closed complaint is involved), so the rollups are
-- never behind: the status machine lets an operator reopen any closed
-- complaint at any time, and the reporter may dispute or rate a finished one
-- within the dispute window, so no complaint is ever final, and a rollup kept
-- by a job would need the dashboard to find what changed since its watermark.
-- Opening a report (the busy path) fires nothing: a new report is never closed.
--
-- The key columns are nullable like the complaint's (the unique keys treat
-- NULLs as equal), so the dashboard's conditions (db/filters.py) apply to
-- these tables as written.

CREATE TABLE leaders_rollup (
  month date NOT NULL,                -- first day of the WIB month of created_at
  jurisdiction_id integer,
  kecamatan_id integer,
  kelurahan_id integer,
  opd_id integer,
  category_id integer NOT NULL,
  status varchar(16) NOT NULL,
  flags smallint NOT NULL,            -- as leaders_dashboard.sql: 1 followed up, 2 finished, 4 on time
  reports bigint NOT NULL,
  ratings bigint NOT NULL,
  satisfied bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_key ON leaders_rollup
  (month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup IS
  'Closed complaints per WIB month and key, with their ratings. Kept by pantau_rollup_* triggers (migration 0020).';

CREATE TABLE leaders_rollup_day (
  day integer NOT NULL,               -- pantau_wib_day(created_at)
  jurisdiction_id integer,
  opd_id integer,
  status varchar(16) NOT NULL,
  reports bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_day_key ON leaders_rollup_day
  (day, jurisdiction_id, opd_id, status) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_day IS
  'Closed complaints per WIB day, for the reports-per-day chart. Kept by pantau_rollup_* triggers (migration 0020).';

CREATE TABLE leaders_rollup_hist (
  month date NOT NULL,
  jurisdiction_id integer,
  status varchar(16) NOT NULL,
  part smallint NOT NULL,             -- 0 response per OPD, 1 completion per OPD, 2 response per kecamatan, 3 completion per kecamatan
  key_id integer,                     -- the OPD or kecamatan (NULL: none)
  bin integer NOT NULL,               -- round(100 * working days)
  n bigint NOT NULL
);
CREATE UNIQUE INDEX leaders_rollup_hist_key ON leaders_rollup_hist
  (month, jurisdiction_id, status, part, key_id, bin) NULLS NOT DISTINCT;
COMMENT ON TABLE leaders_rollup_hist IS
  'Working-day histograms (0.01-day bins) of closed complaints per WIB month. Kept by pantau_rollup_* triggers.';

-- The open complaints, which the dashboard still reads one by one, with every column it reads.
CREATE INDEX complaint_leaders_live_idx ON complaint ((coalesce(kecamatan_id, 0)), created_at)
  INCLUDE (kecamatan_id, status, channel, jurisdiction_id, kelurahan_id, opd_id, category_id,
           response_working_days, completion_working_days, completed_at, due_at)
  WHERE status NOT IN ({closed});

CREATE FUNCTION pantau_wib_month(t timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT date_trunc('month', t AT TIME ZONE 'Asia/Jakarta')::date
$$;

-- The flags of leaders_dashboard.sql that a closed complaint can have (never open, so never overdue).
CREATE FUNCTION pantau_rollup_flags(c complaint) RETURNS smallint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN c.response_working_days IS NOT NULL OR c.status NOT IN ({status.baru}, {status.luar_wilayah})
               THEN 1 ELSE 0 END
          + CASE WHEN c.status IN ({status.selesai})
                 THEN 2 + CASE WHEN c.completed_at <= c.due_at THEN 4 ELSE 0 END ELSE 0 END)::smallint
$$;

-- What one closed complaint adds (sign 1) or takes away (sign -1); satisfied is its rating (NULL: none).
CREATE FUNCTION pantau_rollup_apply(c complaint, sign integer, satisfied boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m date := pantau_wib_month(c.created_at);
  rbin integer := round(100 * c.response_working_days)::integer;
  cbin integer := CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END;
  f smallint := pantau_rollup_flags(c);
BEGIN
  INSERT INTO leaders_rollup AS r VALUES
    (m, c.jurisdiction_id, c.kecamatan_id, c.kelurahan_id, c.opd_id, c.category_id, c.status, f, sign,
     CASE WHEN satisfied IS NULL THEN 0 ELSE sign END, CASE WHEN satisfied THEN sign ELSE 0 END)
  ON CONFLICT (month, jurisdiction_id, kecamatan_id, kelurahan_id, opd_id, category_id, status, flags)
  DO UPDATE SET reports = r.reports + EXCLUDED.reports, ratings = r.ratings + EXCLUDED.ratings,
                satisfied = r.satisfied + EXCLUDED.satisfied;
  INSERT INTO leaders_rollup_day AS r VALUES
    (pantau_wib_day(c.created_at), c.jurisdiction_id, c.opd_id, c.status, sign)
  ON CONFLICT (day, jurisdiction_id, opd_id, status) DO UPDATE SET reports = r.reports + EXCLUDED.reports;
  INSERT INTO leaders_rollup_hist AS r
  SELECT m, c.jurisdiction_id, c.status, h.part, h.key_id, h.bin, sign
    FROM (VALUES (0, c.opd_id, rbin), (1, c.opd_id, cbin), (2, c.kecamatan_id, rbin), (3, c.kecamatan_id, cbin))
         AS h(part, key_id, bin)
   WHERE h.bin IS NOT NULL
  ON CONFLICT (month, jurisdiction_id, status, part, key_id, bin) DO UPDATE SET n = r.n + EXCLUDED.n;
END
$$;

CREATE FUNCTION pantau_rollup_complaint() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.status IN ({closed}) THEN
    PERFORM pantau_rollup_apply(OLD, -1, (SELECT satisfied FROM complaint_rating WHERE complaint_id = OLD.id));
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status IN ({closed}) THEN
    PERFORM pantau_rollup_apply(NEW, 1, (SELECT satisfied FROM complaint_rating WHERE complaint_id = NEW.id));
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER pantau_rollup_insert AFTER INSERT ON complaint
  FOR EACH ROW WHEN (NEW.status IN ({closed})) EXECUTE FUNCTION pantau_rollup_complaint();
CREATE TRIGGER pantau_rollup_update AFTER UPDATE ON complaint
  FOR EACH ROW WHEN ((OLD.status IN ({closed}) OR NEW.status IN ({closed}))
                     AND (OLD.status, OLD.created_at, OLD.jurisdiction_id, OLD.kecamatan_id, OLD.kelurahan_id,
                          OLD.opd_id, OLD.category_id, OLD.response_working_days, OLD.completion_working_days,
                          OLD.completed_at, OLD.due_at)
                         IS DISTINCT FROM
                         (NEW.status, NEW.created_at, NEW.jurisdiction_id, NEW.kecamatan_id, NEW.kelurahan_id,
                          NEW.opd_id, NEW.category_id, NEW.response_working_days, NEW.completion_working_days,
                          NEW.completed_at, NEW.due_at))
  EXECUTE FUNCTION pantau_rollup_complaint();
-- Before the delete, while its rating (deleted with it by the foreign key) is still there.
CREATE TRIGGER pantau_rollup_delete BEFORE DELETE ON complaint
  FOR EACH ROW WHEN (OLD.status IN ({closed})) EXECUTE FUNCTION pantau_rollup_complaint();

CREATE FUNCTION pantau_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM leaders_rollup;
  DELETE FROM leaders_rollup_day;
  DELETE FROM leaders_rollup_hist;
  RETURN NULL;
END
$$;

CREATE TRIGGER pantau_rollup_truncate AFTER TRUNCATE ON complaint
  FOR EACH STATEMENT EXECUTE FUNCTION pantau_rollup_truncate();

-- A rating of a closed complaint moves its counts row's ratings; a rating deleted with its complaint
-- finds no complaint (pantau_rollup_delete already took it away).
CREATE FUNCTION pantau_rollup_rating() RETURNS trigger
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
  RETURN NULL;
END
$$;

CREATE TRIGGER pantau_rollup_rating AFTER INSERT OR UPDATE OR DELETE ON complaint_rating
  FOR EACH ROW EXECUTE FUNCTION pantau_rollup_rating();

-- Every rollup from the complaints as they are: the migration, and `flask --app app rollup rebuild`.
CREATE FUNCTION pantau_rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE complaint, complaint_rating IN SHARE MODE;  -- no change slips between the read and the swap
  DELETE FROM leaders_rollup;
  DELETE FROM leaders_rollup_day;
  DELETE FROM leaders_rollup_hist;
  INSERT INTO leaders_rollup
  SELECT pantau_wib_month(c.created_at), c.jurisdiction_id, c.kecamatan_id, c.kelurahan_id, c.opd_id, c.category_id,
         c.status, pantau_rollup_flags(c), count(*), count(r.complaint_id), count(*) FILTER (WHERE r.satisfied)
    FROM complaint c LEFT JOIN complaint_rating r ON r.complaint_id = c.id
   WHERE c.status IN ({closed})
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  INSERT INTO leaders_rollup_day
  SELECT pantau_wib_day(c.created_at), c.jurisdiction_id, c.opd_id, c.status, count(*)
    FROM complaint c
   WHERE c.status IN ({closed})
   GROUP BY 1, 2, 3, 4;
  INSERT INTO leaders_rollup_hist
  SELECT pantau_wib_month(c.created_at), c.jurisdiction_id, c.status, h.part, h.key_id, h.bin, count(*)
    FROM complaint c
   CROSS JOIN LATERAL (VALUES
           (0, c.opd_id, round(100 * c.response_working_days)::integer),
           (1, c.opd_id, CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END),
           (2, c.kecamatan_id, round(100 * c.response_working_days)::integer),
           (3, c.kecamatan_id, CASE WHEN c.status IN ({status.selesai}) THEN round(100 * c.completion_working_days)::integer END))
         AS h(part, key_id, bin)
   WHERE c.status IN ({closed}) AND h.bin IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;

SELECT pantau_rollup_rebuild();
