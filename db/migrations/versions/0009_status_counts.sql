-- The table, function and triggers of revision 0009 (complaints per status,
-- kept as they change). Frozen with the migration: later changes go into a new
-- revision.
--
-- The wall's legend shows how many complaints are red, yellow, green and grey.
-- Counting them took a scan of every complaint (about 100 ms at a million,
-- half a second at five million) each time the data version moved, which under
-- twenty new reports a second is more work than the database has. Each
-- statement that inserts, updates or deletes complaints now adds its
-- difference to these counts, so the legend reads a few dozen rows.
--
-- Every writing transaction already queues on the data_version row
-- (pantau_txn_version), so the counter rows it then updates add no new
-- waiting between writers.

CREATE TABLE complaint_status_count (
  jurisdiction_key integer NOT NULL,  -- coalesce(jurisdiction_id, 0)
  kecamatan_key integer NOT NULL,     -- coalesce(kecamatan_id, 0)
  status varchar NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (jurisdiction_key, kecamatan_key, status)
);
COMMENT ON TABLE complaint_status_count IS
  'Complaints per (jurisdiction, kecamatan, status); 0 stands for none. Kept by the complaint_status_count_* triggers.';

INSERT INTO complaint_status_count (jurisdiction_key, kecamatan_key, status, n)
SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, count(*)
  FROM complaint
 GROUP BY 1, 2, 3;

-- The change a statement made, as rows (jurisdiction, kecamatan, status, difference).
-- Each trigger sees only its own transition tables, hence one query per kind.
CREATE FUNCTION pantau_status_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM complaint_status_count;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta
      FROM (SELECT coalesce(jurisdiction_id, 0) AS j, coalesce(kecamatan_id, 0) AS k, status AS st, count(*) AS d
              FROM new_rows GROUP BY 1, 2, 3) x;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(x) INTO delta
      FROM (SELECT coalesce(jurisdiction_id, 0) AS j, coalesce(kecamatan_id, 0) AS k, status AS st, -count(*) AS d
              FROM old_rows GROUP BY 1, 2, 3) x;
  ELSE
    -- Only the rows whose status or area changed: one less where they were, one more where they are.
    SELECT jsonb_agg(x) INTO delta
      FROM (SELECT v.j, v.k, v.st, sum(v.d) AS d
              FROM old_rows o
              JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (coalesce(o.jurisdiction_id, 0), coalesce(o.kecamatan_id, 0), o.status, -1),
                                        (coalesce(n.jurisdiction_id, 0), coalesce(n.kecamatan_id, 0), n.status, 1))
                   AS v(j, k, st, d)
             WHERE (o.status, o.kecamatan_id, o.jurisdiction_id) IS DISTINCT FROM (n.status, n.kecamatan_id, n.jurisdiction_id)
             GROUP BY 1, 2, 3) x;
  END IF;
  IF delta IS NOT NULL THEN
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT j, k, st, d FROM jsonb_to_recordset(delta) AS r(j integer, k integer, st varchar, d bigint)
     WHERE d <> 0
     -- In key order, so two statements never wait on each other's rows in opposite orders.
     ORDER BY j, k, st
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER complaint_status_count_insert AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_status_count_apply();
CREATE TRIGGER complaint_status_count_update AFTER UPDATE ON complaint REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_status_count_apply();
CREATE TRIGGER complaint_status_count_delete AFTER DELETE ON complaint REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION pantau_status_count_apply();
CREATE TRIGGER complaint_status_count_truncate AFTER TRUNCATE ON complaint
FOR EACH STATEMENT EXECUTE FUNCTION pantau_status_count_apply();
