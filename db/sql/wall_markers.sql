-- The complaints the wall draws one by one; every other one shows only in the
-- per-area shading: the newest open ones up to :open_budget, the most recently
-- finished (in the last :recent_days days) up to :green_budget, and the most
-- recently changed rejected or duplicate ones up to :grey_budget (hidden until
-- asked for). Each branch walks an index (complaint_open_created_idx,
-- complaint_finished_idx, complaint_change_seq_idx) and stops at its budget.
-- Confidential complaints are never drawn: they count only in the shading and
-- the legend ({drawable} is the same condition wall_card.sql checks).
(SELECT c.id, c.status, c.change_seq, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon, c.due_at < now() AS overdue
   FROM complaint c
  WHERE c.status NOT IN ({closed}) AND {drawable} AND {scope}
  ORDER BY c.created_at DESC, c.id DESC
  LIMIT :open_budget)
UNION ALL
(SELECT c.id, c.status, c.change_seq, ST_Y(c.geom), ST_X(c.geom), false
   FROM complaint c
  WHERE c.status IN ({green}) AND c.completed_at > now() - make_interval(days => :recent_days)
    AND {drawable} AND {scope}
  ORDER BY c.completed_at DESC
  LIMIT :green_budget)
UNION ALL
(SELECT c.id, c.status, c.change_seq, ST_Y(c.geom), ST_X(c.geom), false
   FROM complaint c
  WHERE c.status IN ({grey}) AND {drawable} AND {scope}
  ORDER BY c.change_seq DESC
  LIMIT :grey_budget)
