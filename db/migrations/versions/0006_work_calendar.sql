-- Functions, triggers and the table of revision 0006 (a working-day calendar).
-- Frozen with the migration: later changes go into a new revision.
--
-- Every new complaint gets a due time (pantau_add_working_days) and every
-- status change its working days (pantau_working_days_between). Both used to
-- walk the days one by one through generate_series and a holiday probe per
-- day: about a millisecond per complaint, most of a single insert's time and
-- most of a bulk import's. The calendar holds, for each day from 2000 to 2060,
-- whether it is a working day and how many working days came before it, so
-- both become one or two index probes. Outside those years the day-by-day
-- functions (kept, renamed *_scan) still answer, and they are the reference
-- the tests hold the calendar to.

CREATE TABLE work_calendar (
  day date PRIMARY KEY,
  working boolean NOT NULL,
  -- Working days from the calendar's first day up to, not including, this day.
  before integer NOT NULL
);
COMMENT ON TABLE work_calendar IS
  'One row per day 2000-2060: working day or not (weekends and the holiday table), and the working days before it. Kept by the holiday triggers.';
-- The n-th working day: each working day has its own "before" (not declared UNIQUE:
-- a refresh shifts the numbers row by row).
CREATE INDEX work_calendar_working_idx ON work_calendar (before) WHERE working;

-- (Re)compute the calendar from the holiday table; rewrites only the rows that change.
CREATE FUNCTION pantau_work_calendar_refresh() RETURNS void
LANGUAGE sql AS $$
  INSERT INTO work_calendar AS w (day, working, before)
  SELECT d, working, coalesce(sum(working::integer) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
    FROM (SELECT g.day::date AS d, extract(isodow FROM g.day) < 6 AND h.day IS NULL AS working
            FROM generate_series(date '2000-01-01', date '2060-12-31', interval '1 day') AS g(day)
            LEFT JOIN holiday h ON h.day = g.day::date) days
  ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working, before = EXCLUDED.before
   WHERE (w.working, w.before) IS DISTINCT FROM (EXCLUDED.working, EXCLUDED.before)
$$;

SELECT pantau_work_calendar_refresh();

ALTER FUNCTION pantau_add_working_days(timestamptz, integer) RENAME TO pantau_add_working_days_scan;
ALTER FUNCTION pantau_working_days_between(timestamptz, timestamptz) RENAME TO pantau_working_days_between_scan;

-- The moment n working days after ts, at the same WIB time of day: the working
-- day whose "before" is that of the day after ts's plus n − 1.
CREATE FUNCTION pantau_add_working_days(ts timestamptz, n integer) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    (SELECT (w.day + (ts AT TIME ZONE 'Asia/Jakarta')::time) AT TIME ZONE 'Asia/Jakarta'
       FROM work_calendar w
      WHERE w.working
        AND w.before = (SELECT s.before FROM work_calendar s WHERE s.day = (ts AT TIME ZONE 'Asia/Jakarta')::date + 1)
                       + greatest(n, 1) - 1),
    pantau_add_working_days_scan(ts, n))
$$;

-- t on the working-day clock: working days before its WIB day, plus the part
-- of that day gone by if it is a working day. NULL outside the calendar.
CREATE FUNCTION pantau_working_clock(t timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT w.before + CASE WHEN w.working
                         THEN extract(epoch FROM (t AT TIME ZONE 'Asia/Jakarta')
                                                 - (t AT TIME ZONE 'Asia/Jakarta')::date::timestamp) / 86400.0
                         ELSE 0 END
    FROM work_calendar w
   WHERE w.day = (t AT TIME ZONE 'Asia/Jakarta')::date
$$;

-- Working days elapsed between two moments (fractional on the end days), WIB.
CREATE FUNCTION pantau_working_days_between(a timestamptz, b timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN b IS NULL OR a IS NULL THEN NULL
              WHEN b < a THEN pantau_working_days_between_scan(a, b)
              ELSE coalesce(pantau_working_clock(b) - pantau_working_clock(a), pantau_working_days_between_scan(a, b)) END
$$;

-- A holiday added, moved or removed: the calendar follows, then the working
-- days of the complaints whose response or completion spans a changed day
-- (none, for a day still to come). Once per statement, so loading the whole
-- holiday list refreshes the calendar once; renaming a holiday changes nothing.
DROP TRIGGER holiday_changed ON holiday;
DROP FUNCTION pantau_holiday_changed();

CREATE FUNCTION pantau_holidays_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  days date[];
  today date := (now() AT TIME ZONE 'Asia/Jakarta')::date;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(day) INTO days FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(day) INTO days FROM old_rows;
  ELSE
    SELECT array_agg(d) INTO days
      FROM (SELECT o.day AS d FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.day = o.day)
            UNION
            SELECT n.day FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.day = n.day)) x;
  END IF;
  IF days IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pantau_work_calendar_refresh();
  UPDATE complaint c
     SET response_working_days = pantau_working_days_between(c.created_at, c.first_response_at),
         completion_working_days = pantau_working_days_between(c.created_at, c.completed_at)
    FROM (SELECT DISTINCT d FROM unnest(days) AS d WHERE d <= today) x
   WHERE c.created_at < ((x.d + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')
     AND (c.first_response_at >= (x.d::timestamp AT TIME ZONE 'Asia/Jakarta')
          OR c.completed_at >= (x.d::timestamp AT TIME ZONE 'Asia/Jakarta'));
  RETURN NULL;
END $$;

CREATE TRIGGER holidays_inserted AFTER INSERT ON holiday REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_holidays_changed();
CREATE TRIGGER holidays_updated AFTER UPDATE ON holiday REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_holidays_changed();
CREATE TRIGGER holidays_deleted AFTER DELETE ON holiday REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_holidays_changed();
