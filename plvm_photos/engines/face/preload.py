"""Imported once by the fork server that scan and watch workers are forked from
(``indexing/pool.py``): the face models it loads are then in every worker from its first
instruction, shared copy-on-write, instead of being read again by each worker."""

from plvm_photos.engines.face.engine import FaceAnalyzer

FaceAnalyzer().warm_up()
