-- Upsert the staged areas and their parents by official code. :level is
-- 'kelurahan' or 'kecamatan'. Parents that do not exist yet are created; a
-- parent kecamatan created here takes the union of its kelurahan as geometry.
WITH kota AS (
  INSERT INTO area (level, code, name)
  SELECT DISTINCT ON (kota_code) 'kota', kota_code, kota_name FROM boundary_stage ORDER BY kota_code
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
  RETURNING id, code
), kecamatan AS (
  INSERT INTO area (level, code, name, parent_id, geom)
  SELECT DISTINCT ON (s.kecamatan_code) 'kecamatan', s.kecamatan_code, s.kecamatan_name, kota.id,
         (SELECT ST_Multi(ST_Union(x.geom)) FROM boundary_stage x WHERE x.kecamatan_code = s.kecamatan_code)
    FROM boundary_stage s JOIN kota ON kota.code = s.kota_code
   WHERE :level = 'kelurahan'
   ORDER BY s.kecamatan_code
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
         geom = coalesce(area.geom, EXCLUDED.geom), updated_at = now()
  RETURNING id, code
)
INSERT INTO area (level, code, name, parent_id, geom)
SELECT :level, s.code, s.name,
       CASE WHEN :level = 'kelurahan' THEN (SELECT id FROM kecamatan WHERE code = s.kecamatan_code)
            ELSE (SELECT id FROM kota WHERE code = s.kota_code) END,
       ST_Multi(s.geom)
  FROM boundary_stage s
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
       geom = EXCLUDED.geom, level = EXCLUDED.level, updated_at = now();
