"""Lead hygiene: standardised data, duplicates, lead-to-account matching, routing."""
