"""SQL persistence: SQLModel tables, async repositories, engine and migrations helpers."""
