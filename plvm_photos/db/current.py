"""A current photo, defined once: analysed without an error, with a file that is still there.

Plain SQL over the ``photos`` and ``files`` tables, so that the ORM's queries (``db.queries``) and
``ask``'s DB-API reader, which imports no SQLAlchemy, say the same thing. No imports.
"""


def current_photo_sql(placeholder: str) -> str:
    """The condition on ``photos`` that a photo is current; ``placeholder`` is the parameter that
    stands for False (``files.missing``): ``?`` for a DB-API reader, ``:name`` for SQLAlchemy."""
    return ("photos.error IS NULL AND EXISTS (SELECT 1 FROM files WHERE files.photo_id = photos.id "
            f"AND files.missing = {placeholder})")
