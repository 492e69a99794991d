"""understand: what each voice says — language, acts, feelings, flags and personal data."""
