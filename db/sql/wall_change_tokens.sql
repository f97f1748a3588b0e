-- The change tokens (complaint.change_seq) of the data versions after one up to
-- another (migration 0028), which wall_changes.sql then reads as values. Joined in
-- one statement, the planner guesses how many complaints carry each token from
-- change_seq's statistics, which a bulk load leaves at a single value, and reads
-- every complaint: 270 ms a tick at 1,000,000 instead of under 1 ms.
-- pruned_upto comes in the same snapshot: the tokens of the versions up to it are
-- deleted (migration 0029, db/change_tokens.py), so a wall that saw an older
-- version cannot learn what changed since and redraws.
SELECT (SELECT upto FROM complaint_change_pruned WHERE id = 1) AS pruned_upto,
       ARRAY(SELECT token FROM complaint_change_version WHERE version > :since AND version <= :upto) AS tokens
