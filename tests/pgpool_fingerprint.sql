-- The catalogue of a database as one md5 (tests/pgpool.py): every object of the user's schemas
-- that a test could add, drop or change. Two databases with the same fingerprint have the same
-- schema and, once emptied, the same content.
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_t%'
)
SELECT coalesce(md5(string_agg(item, E'\n' ORDER BY item)), 'nothing') FROM (
  SELECT 'schema ' || nspname FROM ns
  UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL SELECT 'class ' || c.oid::regclass || ' ' || c.relkind::text || c.relpersistence::text
      || c.relrowsecurity FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'column ' || a.attrelid::regclass || '.' || a.attnum || a.attname || ' '
      || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || a.attidentity::text
      || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '
      || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'function ' || oid::regprocedure || ' ' || md5(prosrc) FROM pg_proc
    WHERE pronamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'type ' || oid::regtype || ' ' || typtype::text FROM pg_type
    WHERE typnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'enum ' || enumtypid::regtype || ' ' || enumlabel || ' ' || enumsortorder
    FROM pg_enum
  UNION ALL SELECT 'sequence ' || schemaname || '.' || sequencename || ' ' || start_value || ' '
      || increment_by || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences
  UNION ALL SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) FROM pg_class c
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'policy ' || polrelid::regclass || ' ' || polname FROM pg_policy
  UNION ALL SELECT 'rule ' || rulename FROM pg_rules WHERE schemaname IN (SELECT nspname FROM ns)
  UNION ALL SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata
) AS catalogue(item)
