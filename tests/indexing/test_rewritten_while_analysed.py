"""A photo rewritten while it is analysed is offered again, never reported as gone: the scan once
said "file disappeared before it could be read" of a file that was only rewritten."""

from __future__ import annotations

import os

from plvm_photos.engines.registry import open_engine
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult
from plvm_photos.indexing.files import FileStat
from plvm_photos.indexing.indexer import Indexer, InFlight, Outcome
from plvm_photos.library import Library


def test_a_file_rewritten_while_analysed_is_offered_again_not_gone(tmp_path, sample_photos):
    photo = tmp_path / "coffee.jpg"
    photo.write_bytes(sample_photos["coffee"].read_bytes())
    analysed = FileStat.of(str(photo))
    with Library(tmp_path / "lib") as library:
        indexer = Indexer(library, open_engine(library), 1)  # its pool is not started: nothing is analysed here
        photo.write_bytes(photo.read_bytes() + b"\0" * 10)  # rewritten meanwhile
        os.utime(photo, ns=(analysed.mtime_ns + 10**9, analysed.mtime_ns + 10**9))
        job = AnalysisJob(str(photo), "0" * 64)
        result = AnalysisResult(job, None, "truncated", 0.1)
        assert indexer._store(InFlight(job, [analysed]), result) == [Outcome("changing", str(photo))]
        photo.unlink()  # and gone: said once
        assert indexer._store(InFlight(job, [analysed]), result) == [Outcome("vanished", str(photo))]
