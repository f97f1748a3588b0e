-- Every index and constraint of the tables in one schema, in PostgreSQL's own words
-- (pg_get_indexdef, pg_get_constraintdef), so two schemas built from different DDL
-- compare as text. Index definitions lose their schema prefix; a constraint names
-- another table without one when that schema comes first in search_path.
SELECT c.relname AS table_name,
       'index' AS kind,
       i.relname AS name,
       regexp_replace(pg_get_indexdef(i.oid), ' ON [^ ]+\.', ' ON ') AS definition
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :schema
UNION ALL
SELECT c.relname, 'constraint', k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :schema
 ORDER BY 1, 2, 3
