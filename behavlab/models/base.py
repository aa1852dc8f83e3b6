"""Shared pieces of the schema: the constraint naming convention and the longest name a column holds."""

from sqlmodel import SQLModel

# Set before any table is declared so every migration names constraints the same way on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The longest name a column holds: a study, a person, a substance, a strain.
NAME_CHARS = 120
