-- Repair invalid polygons in place, keeping only their polygonal parts, and say what was wrong.
UPDATE boundary_stage
   SET invalid_reason = ST_IsValidReason(geom),
       geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
 WHERE NOT ST_IsValid(geom)
RETURNING code, name, invalid_reason;
