-- Triggers of revision 0026 (a leaner single insert). Frozen with the
-- migration: later changes go into a new revision.
--
-- A new complaint has no response or completion time, so its working days
-- are NULL: the row trigger that computes them (revision 0005) ran on every
-- insert to write NULL over NULL, a plpgsql call of 0.012 ms
-- (pg_stat_user_functions, track_functions = all). On insert it now runs only
-- when there is something to compute (an import of finished complaints);
-- every update of those times still runs it.
--
-- Tried and not kept: the OPD and due-time rules as set-returning SQL
-- functions inlined into pantau_create_complaint's plan. One writer's
-- statement took 4-5 % less (0.02-0.03 ms), but planning it took 3.8 ms
-- instead of 1.5 ms on each session's first six calls, and 8 concurrent
-- pgbench clients stored fewer reports (507-560/s against 618-629/s,
-- alternating runs on one database).
DROP TRIGGER complaint_working_days ON complaint;
CREATE TRIGGER complaint_working_days BEFORE UPDATE OF created_at, first_response_at, completed_at ON complaint
FOR EACH ROW EXECUTE FUNCTION pantau_complaint_working_days();
CREATE TRIGGER complaint_working_days_insert BEFORE INSERT ON complaint
FOR EACH ROW
WHEN (NEW.first_response_at IS NOT NULL OR NEW.completed_at IS NOT NULL
      OR NEW.response_working_days IS NOT NULL OR NEW.completion_working_days IS NOT NULL)
EXECUTE FUNCTION pantau_complaint_working_days();
