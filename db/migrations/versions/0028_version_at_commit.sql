-- Table, sequence, functions and trigger of revision 0028 (a report takes its
-- data version as it commits). Frozen with the migration: later changes go
-- into a new revision.
--
-- Every transaction that changes complaints took its data version from the
-- data_version row at its first change and held that row until its commit was
-- flushed (revision 0001), so versions were handed out in commit order. A new
-- report took it in its row's BEFORE trigger, so it held the row through the
-- row's 19 index entries, its key checks, its events, its message and the
-- flush, and writers queued on it: at 1,000,000, 8 writers stored 802-873
-- reports a second (bench growth) while using 81-84 % of the two cores.
--
-- Now complaint.change_seq holds a token of the transaction, drawn from a
-- sequence, and complaint_change_version says which data version each token
-- got. A report (pantau_create_complaint) draws its token without waiting and
-- takes its version at the end of its statement (pantau.version_late), so it
-- holds the data_version row only for its status count and the flush. Every
-- other change still takes the version at its first change and draws its token
-- once it holds the row, as before. Hence:
--
-- 1. Versions are still handed out in commit order: a reader that has seen
--    version V and asks for the tokens of versions above V misses nothing.
-- 2. A complaint's change_seq still grows with each of its changes (the wall's
--    marker rank): a report's row is new, and whoever changes it later draws
--    a token after the report let go of data_version. A transaction that
--    drew a report's token and then changes existing complaints draws a
--    second token for them, under the row, with the same version.
-- 3. No new deadlock: a report holds no row another writer may wait for
--    before it queues on data_version. Its status count waits for the version
--    too: a change holding data_version may go on to count other reports, so a
--    report holding a count row while it queues could deadlock with it.

CREATE SEQUENCE complaint_change_token;
-- Above every change_seq so far (data versions until now), so each complaint's change_seq keeps growing.
SELECT setval('complaint_change_token',
              greatest((SELECT max(change_seq) FROM complaint), (SELECT version FROM data_version), 0) + 1, false);

CREATE TABLE complaint_change_version (
  token bigint PRIMARY KEY,   -- a complaint.change_seq
  version bigint NOT NULL     -- the data version of the transaction that drew it
);
CREATE INDEX complaint_change_version_version_idx ON complaint_change_version (version);
COMMENT ON TABLE complaint_change_version IS
  'The data version of each change token (complaint.change_seq). Written by pantau_txn_version and pantau_txn_publish.';

-- The state of this transaction's change: 'txid/token/version/under' in pantau.txn_version. version is empty
-- until published; under is 1 when the token was drawn while holding data_version.
CREATE OR REPLACE FUNCTION pantau_txn_version() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  state text[] := string_to_array(current_setting('pantau.txn_version', true), '/');
  txid text := txid_current()::text;
  token bigint;
  v bigint;
BEGIN
  IF state[1] = txid THEN
    IF state[4] = '1' OR current_setting('pantau.version_late', true) = 'on' THEN
      RETURN state[2]::bigint;
    END IF;
    -- A report of this transaction drew the token before holding data_version: this change draws its own.
    v := nullif(state[3], '')::bigint;
    IF v IS NULL THEN
      v := pantau_txn_publish();
    END IF;
  ELSIF current_setting('pantau.version_late', true) = 'on' THEN
    token := nextval('complaint_change_token');
    PERFORM set_config('pantau.txn_version', txid || '/' || token || '//0', true);
    RETURN token;
  ELSE
    UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
  END IF;
  token := nextval('complaint_change_token');
  INSERT INTO complaint_change_version (token, version) VALUES (token, v);
  PERFORM set_config('pantau.txn_version', txid || '/' || token || '/' || v || '/1', true);
  RETURN token;
END $$;

-- Give this transaction's token drawn by a report its data version, if it has none yet; returns the version.
CREATE FUNCTION pantau_txn_publish() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  state text[] := string_to_array(current_setting('pantau.txn_version', true), '/');
  txid text := txid_current()::text;
  v bigint;
BEGIN
  IF state[1] IS DISTINCT FROM txid THEN
    RETURN NULL;
  ELSIF state[3] <> '' THEN
    RETURN state[3]::bigint;
  END IF;
  UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
  INSERT INTO complaint_change_version (token, version) VALUES (state[2]::bigint, v);
  PERFORM set_config('pantau.txn_version', txid || '/' || state[2] || '/' || v || '/0', true);
  RETURN v;
END $$;

-- A report counts itself once it holds data_version (pantau_create_complaint); every other insert as before.
CREATE OR REPLACE FUNCTION pantau_status_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM complaint_status_count;
  ELSIF TG_OP = 'INSERT' THEN
    IF current_setting('pantau.version_late', true) = 'on' THEN
      RETURN NULL;
    END IF;
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, count(*)
      FROM new_rows
     GROUP BY 1, 2, 3
     -- In key order, so two statements never wait on each other's rows in opposite orders.
     ORDER BY 1, 2, 3
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, -count(*)
      FROM old_rows
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSE
    -- Only the rows whose status or area changed: one less where they were, one more where they are.
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT j, k, st, d
      FROM (SELECT v.j, v.k, v.st, sum(v.d) AS d
              FROM old_rows o
              JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (coalesce(o.jurisdiction_id, 0), coalesce(o.kecamatan_id, 0), o.status, -1),
                                        (coalesce(n.jurisdiction_id, 0), coalesce(n.kecamatan_id, 0), n.status, 1))
                   AS v(j, k, st, d)
             WHERE (o.status, o.kecamatan_id, o.jurisdiction_id) IS DISTINCT FROM (n.status, n.kecamatan_id, n.jurisdiction_id)
             GROUP BY 1, 2, 3) x
     WHERE d <> 0
     ORDER BY j, k, st
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

-- The report: as revision 0025's, but its token comes without waiting, and its version and status count
-- once its rows are written.
CREATE OR REPLACE FUNCTION pantau_create_complaint(
  p_tracking_code text, p_lon double precision, p_lat double precision, p_address text, p_description text,
  p_category_id integer, p_channel text, p_source text, p_reporter_name text, p_reporter_contact text,
  p_anonymous boolean, p_confidential boolean, p_created_at timestamptz, p_submission_key text, p_attributes jsonb,
  p_actor_id integer, p_actor_role text, p_notify_channel text, p_notify_recipient text, p_notify_lang text)
RETURNS TABLE (new_id bigint, new_status varchar)
LANGUAGE plpgsql AS $$
DECLARE
  new_jurisdiction integer;
  new_kecamatan integer;
BEGIN
  -- Its token now, its version at the end (revision 0028).
  PERFORM set_config('pantau.version_late', 'on', true);
  WITH point AS (
    SELECT CASE WHEN p_lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326) END AS geom,
           coalesce(p_created_at, now()) AS created_at
  ), routed AS (
    SELECT point.*, r.kelurahan_id, r.kecamatan_id, r.jurisdiction_id, r.method
      FROM point LEFT JOIN LATERAL pantau_route_point(point.geom) r ON true
  ), inserted AS (
    INSERT INTO complaint (
      tracking_code, geom, address, description, category_id, channel, source,
      reporter_name, reporter_contact, anonymous, confidential, status,
      kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, route_method,
      created_at, updated_at, due_at, submission_key, attributes)
    SELECT p_tracking_code, routed.geom, p_address, p_description, p_category_id, p_channel, p_source,
           p_reporter_name, p_reporter_contact, p_anonymous, p_confidential,
           CASE WHEN routed.kelurahan_id IS NULL THEN {intake.outside} ELSE {intake.inside} END,
           routed.kelurahan_id, routed.kecamatan_id, routed.jurisdiction_id,
           CASE WHEN routed.kelurahan_id IS NULL THEN NULL
                ELSE pantau_route_opd(p_category_id, routed.jurisdiction_id, routed.geom) END,
           routed.method, routed.created_at, routed.created_at,
           pantau_add_working_days(routed.created_at, (SELECT c.target_days FROM category c WHERE c.id = p_category_id)),
           p_submission_key, p_attributes
      FROM routed
    ON CONFLICT (submission_key) DO NOTHING
    RETURNING complaint.id, complaint.status, complaint.kelurahan_id, complaint.opd_id, complaint.route_method,
              complaint.created_at, complaint.channel, complaint.jurisdiction_id, complaint.kecamatan_id
  ), events AS (
    INSERT INTO complaint_event (complaint_id, kind, at, actor_id, actor_role, to_status, data)
    SELECT i.id, 'created', i.created_at, p_actor_id, p_actor_role, i.status, jsonb_build_object('channel', i.channel)
      FROM inserted i
    UNION ALL
    SELECT i.id, 'routed', i.created_at, NULL, 'system', i.status,
           jsonb_build_object('kelurahan', kel.code, 'opd', o.code, 'method', i.route_method)
      FROM inserted i JOIN area kel ON kel.id = i.kelurahan_id LEFT JOIN opd o ON o.id = i.opd_id
  ), received AS (
    INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts)
    SELECT i.id, 'received', p_notify_channel, p_notify_recipient, p_notify_lang, p_confidential,
           jsonb_build_object('status', i.status)
      FROM inserted i
     WHERE p_notify_channel IS NOT NULL
  )
  SELECT i.id, i.status, i.jurisdiction_id, i.kecamatan_id INTO new_id, new_status, new_jurisdiction, new_kecamatan
    FROM inserted i;
  PERFORM set_config('pantau.version_late', 'off', true);
  IF new_id IS NOT NULL THEN
    -- From here to the commit's flush this report holds data_version.
    PERFORM pantau_txn_publish();
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    VALUES (coalesce(new_jurisdiction, 0), coalesce(new_kecamatan, 0), new_status, 1)
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + 1;
    RETURN NEXT;
  END IF;
END $$;
