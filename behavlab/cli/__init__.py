"""The `behavlab` command line (typer): a thin layer over behavlab.services."""
