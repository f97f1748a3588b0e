-- Functions and indexes of revision 0003 (leaders' dashboard). Frozen with the
-- migration: later changes go into a new revision.
--
-- Working days between two moments, set-based. pantau_working_days_between
-- (0001) walks a generate_series per row, too slow for percentiles over a
-- million complaints. Instead each query builds the working-day calendar once
-- (an array, from the holiday table, so it is always current) and every row
-- reads it twice:
--
--   clock(t) = working days from the calendar's first day to t
--            = cum[day(t)] + (cum[day(t) + 1] - cum[day(t)]) * (fraction of day(t) gone)
--
-- and working days between a and b = clock(b) - clock(a), the same value as
-- pantau_working_days_between(a, b): whole working days in between, and the
-- part of the end days that falls inside [a, b] when those are working days.
-- Days are WIB days; WIB is UTC+7 all year (no daylight saving), so a day
-- number is plain arithmetic on the epoch.

-- cum[i] = working days before day lo + i - 1, for i = 1 .. (hi - lo + 2).
CREATE FUNCTION pantau_work_calendar(lo date, hi date) RETURNS double precision[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT array_agg(cum ORDER BY d)
    FROM (SELECT g.d,
                 coalesce(sum(CASE WHEN extract(isodow FROM g.d) < 6 AND h.day IS NULL THEN 1 ELSE 0 END)
                            OVER (ORDER BY g.d ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::double precision AS cum
            FROM generate_series(lo, hi + 1, interval '1 day') AS s(day)
            CROSS JOIN LATERAL (SELECT s.day::date AS d) g
            LEFT JOIN holiday h ON h.day = g.d) c
$$;

-- t as a fractional WIB day number (days since 1970-01-01 00:00 WIB). STABLE,
-- not IMMUTABLE, like date_part on a timestamptz: that is what lets the
-- planner inline it into a query (an IMMUTABLE wrapper around a STABLE call is
-- not inlined, and a function call per row costs a hundred times more).
CREATE FUNCTION pantau_wib_days(t timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (date_part('epoch', t) + 25200) / 86400
$$;

-- The WIB day number of t.
CREATE FUNCTION pantau_wib_day(t timestamptz) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT floor(pantau_wib_days(t))::integer
$$;

-- Working days from the calendar's first day (lo) to the fractional WIB day
-- number x; NULL outside the calendar.
CREATE FUNCTION pantau_work_days(x double precision, cum double precision[], lo date) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT cum[floor(x)::integer - (lo - DATE '1970-01-01') + 1]
       + (cum[floor(x)::integer - (lo - DATE '1970-01-01') + 2] - cum[floor(x)::integer - (lo - DATE '1970-01-01') + 1])
         * (x - floor(x))
$$;

-- Working days from the calendar's first day (lo) to t.
CREATE FUNCTION pantau_work_clock(t timestamptz, cum double precision[], lo date) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pantau_work_days(pantau_wib_days(t), cum, lo)
$$;
