"""The ``FsPath`` column type: file paths in the database, non-UTF-8 names included.

The type applies ``plvm_photos.fsnames`` on the way in and out, so code compares and looks up
paths as ordinary ``str`` (with surrogates) and never sees the encoded form. A prefix query
(``File.path.startswith(folder)``) does not match encoded paths; ``ENCODED_PREFIX`` lets code
that walks a folder's rows find those too.
"""

from __future__ import annotations

from sqlalchemy.types import Text, TypeDecorator

from plvm_photos.fsnames import from_db, to_db


class FsPath(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_db(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_db(value)
