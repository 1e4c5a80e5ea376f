"""Vietnam's administrative hierarchy: reference data and the agency registry replica."""
