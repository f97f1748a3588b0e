"""Reading official boundary files into Pantau's standard columns."""
