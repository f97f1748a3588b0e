  -- The histograms of 0031, per OPD × kecamatan (kind: 0 response, 1 completion): each bin counts for its OPD
  -- and its kecamatan alike.
  SELECT c.opd_id, c.kecamatan_id, NULL, NULL, NULL, NULL, NULL,
         CASE WHEN c.kind = 0 THEN c.bin END, CASE WHEN c.kind = 1 THEN c.bin END, 0, 0, sum(c.n)::integer,
         sum(c.n)::integer
    FROM {table} c
   WHERE {month_where}
   GROUP BY c.opd_id, c.kecamatan_id, c.kind, c.bin
