"""Demo seeding: partners, accounts and content for every app (dev and test settings only)."""
