"""Database plumbing: engines, transactions and schema migrations."""
