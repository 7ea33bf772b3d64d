"""What a photo folder holds beyond still images: camera RAW (``raw``), videos (``video``, faces
followed through a clip by ``tracks``), and items made of several files (``items``: RAW+JPEG,
Live Photos). ``kinds`` names them by suffix and imports nothing heavy."""
