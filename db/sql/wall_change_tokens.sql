-- The change tokens (complaint.change_seq) of the data versions after one up to
-- another (migration 0028), which wall_changes.sql then reads as values. Joined in
-- one statement, the planner guesses how many complaints carry each token from
-- change_seq's statistics, which a bulk load leaves at a single value, and reads
-- every complaint: 270 ms a tick at 1,000,000 instead of under 1 ms.
SELECT token FROM complaint_change_version WHERE version > :since AND version <= :upto
