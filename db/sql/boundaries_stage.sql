-- Staging for one boundary file; dropped at commit.
CREATE TEMP TABLE boundary_stage (
  code text PRIMARY KEY,
  name text NOT NULL,
  kecamatan_code text,
  kecamatan_name text,
  kota_code text NOT NULL,
  kota_name text NOT NULL,
  geom geometry NOT NULL,
  invalid_reason text
) ON COMMIT DROP;
