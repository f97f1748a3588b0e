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
-- got. A report (pantau_file_report, around 0025's pantau_create_complaint)
-- draws its token without waiting (pantau.version_late) and takes its version
-- at the end of its statement, so it holds the data_version row only for its
-- status count and the flush. Every
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
-- 3. No new deadlock with another change to complaints: a report holds no
--    complaint or count row another writer may wait for before it queues on
--    data_version. Its status count waits for the version too: a change
--    holding data_version may go on to count other reports, so a report holding
--    a count row while it queues could deadlock with it. (It does hold its
--    foreign keys' KEY SHARE locks and its new unique keys while it queues:
--    deleting that area, category or agency, or inserting the same submission
--    key, at that moment and while holding data_version, would deadlock, and
--    PostgreSQL would end one of the two with an error.)

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

-- A report counts itself once it holds data_version (pantau_file_report); every other insert as before.
DROP TRIGGER complaint_status_count_insert ON complaint;
CREATE TRIGGER complaint_status_count_insert AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (current_setting('pantau.version_late', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION pantau_status_count_apply();

-- The report: revision 0025's pantau_create_complaint with its token drawn without waiting, then its version
-- and its status count.
CREATE FUNCTION pantau_file_report(
  p_tracking_code text, p_lon double precision, p_lat double precision, p_address text, p_description text,
  p_category_id integer, p_channel text, p_source text, p_reporter_name text, p_reporter_contact text,
  p_anonymous boolean, p_confidential boolean, p_created_at timestamptz, p_submission_key text, p_attributes jsonb,
  p_actor_id integer, p_actor_role text, p_notify_channel text, p_notify_recipient text, p_notify_lang text)
RETURNS TABLE (new_id bigint, new_status varchar)
LANGUAGE plpgsql AS $$
DECLARE
  j integer;
  k integer;
BEGIN
  PERFORM set_config('pantau.version_late', 'on', true);
  SELECT r.new_id, r.new_status INTO new_id, new_status
    FROM pantau_create_complaint(
      p_tracking_code, p_lon, p_lat, p_address, p_description, p_category_id, p_channel, p_source,
      p_reporter_name, p_reporter_contact, p_anonymous, p_confidential, p_created_at, p_submission_key,
      p_attributes, p_actor_id, p_actor_role, p_notify_channel, p_notify_recipient, p_notify_lang) r;
  PERFORM set_config('pantau.version_late', 'off', true);
  IF new_id IS NOT NULL THEN
    -- From here to the commit's flush this report holds data_version.
    PERFORM pantau_txn_publish();
    SELECT coalesce(c.jurisdiction_id, 0), coalesce(c.kecamatan_id, 0) INTO j, k FROM complaint c WHERE c.id = new_id;
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    VALUES (j, k, new_status, 1)
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + 1;
    RETURN NEXT;
  END IF;
END $$;
