"""Reusable widgets of the terminal app: forms, confirmation, passphrase entry, weighing row."""
