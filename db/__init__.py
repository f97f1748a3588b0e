"""Pantau's database: engine, typed models, migrations and the SQL of each concern."""
