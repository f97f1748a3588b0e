CREATE TEMP TABLE complaint_stage (
  line integer,
  tracking_code text,
  lon double precision,
  lat double precision,
  address text,
  description text,
  category_id integer,
  channel text,
  source text,
  reporter_name text,
  reporter_contact text,
  anonymous boolean,
  confidential boolean,
  created_at timestamptz,
  submission_key text,
  attributes jsonb
) ON COMMIT DROP;
