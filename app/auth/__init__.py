"""Staff accounts: creating users, passwords, and (later) the sign-in pages."""
