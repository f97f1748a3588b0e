-- Functions of revision 0032 (a leaner report). Frozen with the migration:
-- later changes go into a new revision.
--
-- A report went through pantau_file_report (0028) around pantau_create_complaint
-- (0025): a second plpgsql call whose one row came back through a table
-- function's result store, then a read of the new row for its areas, which the
-- insert had just returned; and each PERFORM set_config(…) in the three
-- functions started an executor where an assignment evaluates a plain
-- expression. The insert is now written into pantau_file_report, its RETURNING
-- gives the areas, and the settings are assigned. What is stored is unchanged.
--
-- Measured on the empty benchmark database, 2,000 reports a run, six runs
-- alternated with 0028's functions: the statement took 0.504 ms on average in
-- the server (pg_stat_statements; 0.476-0.543) against 0.531 ms (0.502-0.553),
-- less in five pairs and equal in one; at the client the difference is inside the noise.
-- pantau_create_complaint is no longer called and is dropped.

-- 0028's pantau_txn_version and pantau_txn_publish, their settings assigned.
CREATE OR REPLACE FUNCTION pantau_txn_version() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  state text[] := string_to_array(current_setting('pantau.txn_version', true), '/');
  txid text := txid_current()::text;
  token bigint;
  v bigint;
  ignored text;
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
    ignored := set_config('pantau.txn_version', txid || '/' || token || '//0', true);
    RETURN token;
  ELSE
    UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
  END IF;
  token := nextval('complaint_change_token');
  INSERT INTO complaint_change_version (token, version) VALUES (token, v);
  ignored := set_config('pantau.txn_version', txid || '/' || token || '/' || v || '/1', true);
  RETURN token;
END $$;

CREATE OR REPLACE FUNCTION pantau_txn_publish() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  state text[] := string_to_array(current_setting('pantau.txn_version', true), '/');
  txid text := txid_current()::text;
  v bigint;
  ignored text;
BEGIN
  IF state[1] IS DISTINCT FROM txid THEN
    RETURN NULL;
  ELSIF state[3] <> '' THEN
    RETURN state[3]::bigint;
  END IF;
  UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
  INSERT INTO complaint_change_version (token, version) VALUES (state[2]::bigint, v);
  ignored := set_config('pantau.txn_version', txid || '/' || state[2] || '/' || v || '/0', true);
  RETURN v;
END $$;

-- The report: route it, insert it, its 'created' and 'routed' events and the reporter's 'received' message (to
-- p_notify_* as db/outbox.py's addressee chose; none when p_notify_channel is NULL), with its token drawn without
-- waiting (0028); then its version and its status count. A repeated submission (same submission_key) inserts
-- nothing and returns no row.
CREATE OR REPLACE FUNCTION pantau_file_report(
  p_tracking_code text, p_lon double precision, p_lat double precision, p_address text, p_description text,
  p_category_id integer, p_channel text, p_source text, p_reporter_name text, p_reporter_contact text,
  p_anonymous boolean, p_confidential boolean, p_created_at timestamptz, p_submission_key text, p_attributes jsonb,
  p_actor_id integer, p_actor_role text, p_notify_channel text, p_notify_recipient text, p_notify_lang text)
RETURNS TABLE (new_id bigint, new_status varchar)
LANGUAGE plpgsql AS $$
DECLARE
  j integer;
  k integer;
  ignored text;
BEGIN
  ignored := set_config('pantau.version_late', 'on', true);
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
    RETURNING complaint.id, complaint.status, complaint.kelurahan_id, complaint.kecamatan_id,
              complaint.jurisdiction_id, complaint.opd_id, complaint.route_method, complaint.created_at,
              complaint.channel
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
  SELECT i.id, i.status, coalesce(i.jurisdiction_id, 0), coalesce(i.kecamatan_id, 0)
    INTO new_id, new_status, j, k
    FROM inserted i;
  ignored := set_config('pantau.version_late', 'off', true);
  IF new_id IS NOT NULL THEN
    -- From here to the commit's flush this report holds data_version.
    ignored := pantau_txn_publish();
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    VALUES (j, k, new_status, 1)
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + 1;
    RETURN NEXT;
  END IF;
END $$;

DROP FUNCTION pantau_create_complaint(text, double precision, double precision, text, text, integer, text, text, text,
                                      text, boolean, boolean, timestamptz, text, jsonb, integer, text, text, text, text);
