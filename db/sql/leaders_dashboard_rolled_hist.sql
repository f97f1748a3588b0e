  -- The histograms of 0020 or 0030. part: 0 response per OPD, 1 completion per OPD, 2 response per kecamatan,
  -- 3 completion per kecamatan.
  SELECT CASE WHEN c.part < 2 THEN c.key_id END, CASE WHEN c.part >= 2 THEN c.key_id END, NULL, NULL, NULL,
         NULL, NULL, CASE WHEN c.part IN (0, 2) THEN c.bin END, CASE WHEN c.part IN (1, 3) THEN c.bin END, 0, 0,
         CASE WHEN c.part < 2 THEN sum(c.n)::integer ELSE 0 END, CASE WHEN c.part >= 2 THEN sum(c.n)::integer ELSE 0 END
    FROM {table} c
   WHERE {month_where}
   GROUP BY c.part, c.key_id, c.bin
