-- Functions, triggers and the backfill of revision 0005 (working days stored
-- on each complaint). Frozen with the migration: later changes go into a new
-- revision.
--
-- The leaders' dashboard takes medians and percentiles of the working days to
-- first response and to completion over up to a million complaints per
-- request. Counting working days per row at query time costs microseconds a
-- row, so each complaint keeps them, exact (pantau_working_days_between), set
-- when its times are written and corrected when the holiday list changes.

ALTER TABLE complaint
  ADD COLUMN response_working_days double precision,
  ADD COLUMN completion_working_days double precision;

COMMENT ON COLUMN complaint.response_working_days IS
  'Working days (WIB, weekends and holidays excluded) from created_at to first_response_at; kept by trigger.';
COMMENT ON COLUMN complaint.completion_working_days IS
  'Working days (WIB, weekends and holidays excluded) from created_at to completed_at; kept by trigger.';

-- Existing complaints, set-based with the calendar of revision 0003 (equal to
-- pantau_working_days_between, which the tests check). The history is not
-- rewritten and the live screens need not re-send a million markers, so the
-- change stamp is left alone for this one statement.
ALTER TABLE complaint DISABLE TRIGGER complaint_touch;
WITH bounds AS (
  SELECT coalesce(min((created_at AT TIME ZONE 'Asia/Jakarta')::date), current_date) - 1 AS lo,
         greatest(coalesce(max((greatest(first_response_at, completed_at) AT TIME ZONE 'Asia/Jakarta')::date), current_date),
                  current_date) + 1 AS hi
    FROM complaint
), cal AS MATERIALIZED (
  SELECT lo, pantau_work_calendar(lo, hi) AS cum FROM bounds
)
UPDATE complaint c
   SET response_working_days = pantau_work_clock(c.first_response_at, cal.cum, cal.lo) - pantau_work_clock(c.created_at, cal.cum, cal.lo),
       completion_working_days = pantau_work_clock(c.completed_at, cal.cum, cal.lo) - pantau_work_clock(c.created_at, cal.cum, cal.lo)
  FROM cal
 WHERE c.first_response_at IS NOT NULL OR c.completed_at IS NOT NULL;
ALTER TABLE complaint ENABLE TRIGGER complaint_touch;

-- Whenever a complaint's times are written.
CREATE FUNCTION pantau_complaint_working_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.response_working_days := pantau_working_days_between(NEW.created_at, NEW.first_response_at);
  NEW.completion_working_days := pantau_working_days_between(NEW.created_at, NEW.completed_at);
  RETURN NEW;
END $$;

CREATE TRIGGER complaint_working_days BEFORE INSERT OR UPDATE OF created_at, first_response_at, completed_at
ON complaint FOR EACH ROW EXECUTE FUNCTION pantau_complaint_working_days();

-- A holiday added, moved or removed changes the working days of the complaints
-- whose response or completion spans that day (none, for a day still to come).
CREATE FUNCTION pantau_holiday_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  d date;
BEGIN
  FOREACH d IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.day END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.day END] LOOP
    CONTINUE WHEN d IS NULL OR d > (now() AT TIME ZONE 'Asia/Jakarta')::date;
    CONTINUE WHEN TG_OP = 'UPDATE' AND OLD.day = NEW.day;
    UPDATE complaint
       SET response_working_days = pantau_working_days_between(created_at, first_response_at),
           completion_working_days = pantau_working_days_between(created_at, completed_at)
     WHERE created_at < ((d + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')
       AND (first_response_at >= (d::timestamp AT TIME ZONE 'Asia/Jakarta')
            OR completed_at >= (d::timestamp AT TIME ZONE 'Asia/Jakarta'));
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER holiday_changed AFTER INSERT OR UPDATE OR DELETE ON holiday
FOR EACH ROW EXECUTE FUNCTION pantau_holiday_changed();
