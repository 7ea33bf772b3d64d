"""Imported once by the fork server that scan and watch workers are forked from
(``indexing/pool.py``): the face models it loads are then in every worker from its first
instruction, shared copy-on-write, instead of being read again by each worker. So are the
modules a worker would otherwise import on its first photo (~25 ms each): Pillow's decoders and
HEIF opener, the EXIF reader, the BLAS thread controller."""

from PIL import Image, ImageOps  # noqa: F401  (decode's EXIF rotation)

from plvm_photos import photo_facts  # noqa: F401  (read_facts imports it on each worker's first photo)
from plvm_photos.engines.face.blas import one_blas_thread
from plvm_photos.engines.face.engine import FaceAnalyzer
from plvm_photos.imaging import register_heif

FaceAnalyzer().warm_up()
Image.preinit()
register_heif()
with one_blas_thread():
    pass
