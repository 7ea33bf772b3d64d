"""The Python API: a library folder with every workflow as a method. The CLI, the gallery and the
demo call these methods and nothing below them.

    from plvm_photos.library import Library
    with Library("~/photo-library") as library:
        library.add_person("<mike>", ["mike.jpg"])
        library.scan(["~/Pictures"])
        print(library.people())

Each method hands on to the one function that does the work (``curation``, ``indexing``, ``ask``)
or reads what the CLI and the gallery show (``reads``: one function per read model, typed values).
Heavy modules are imported inside the methods that need them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from plvm_photos.reads import images as image_reads
from plvm_photos.reads import marked as marked_reads
from plvm_photos.reads import people as people_reads
from plvm_photos.reads import photo_lists as list_reads
from plvm_photos.reads import photos as photo_reads
from plvm_photos.reads import places as place_reads
from plvm_photos.reads.images import FaceImage, PhotoFiles
from plvm_photos.reads.marked import MARK_WORDS, MarkedFace
from plvm_photos.reads.photo_lists import ListedPhoto, ListPage, Neighbours, PhotoList, PhotoWhenWhere, Timeline
from plvm_photos.reads.places import Places
from plvm_photos.reads.people import (Moment, PersonFacts, PersonName, PersonPhoto, PersonPhotoPage, PersonSummary,
                                      Tally)
from plvm_photos.reads.photos import PhotoFace, PhotoFaces, PhotoNotAnalysed, PhotoSize
from plvm_photos.store.library_store import LibraryStore

__all__ = ["FaceImage", "Library", "ListedPhoto", "ListPage", "MARK_WORDS", "MarkedFace", "Moment", "Neighbours", "PersonFacts", "PersonName",
           "PersonPhoto", "PersonPhotoPage", "PersonSummary", "PhotoFace", "PhotoFaces", "PhotoFiles", "PhotoList",
           "PhotoNotAnalysed", "PhotoSize", "PhotoWhenWhere", "Places", "Tally", "Timeline"]


class Library(LibraryStore):
    # --- people -----------------------------------------------------------------------------
    def people(self, hidden: bool = False) -> list[PersonSummary]:
        """Registered people with their photo counts; hidden ones only with ``hidden``."""
        return people_reads.people(self, hidden)

    def person_names(self) -> list[PersonName]:
        """Every registered person, hidden ones too, by key."""
        return people_reads.person_names(self)

    def find_person(self, name: str) -> PersonName:
        """The person ``name`` refers to; UnknownPersonError (with the names that are registered)."""
        return people_reads.find_person(self, name)

    def person(self, person_id: int) -> PersonFacts:
        return people_reads.person_facts(self, person_id)

    def person_photos(self, person_id: int, with_id: int | None = None, year: int | None = None,
                      place: str | None = None) -> list[PersonPhoto]:
        """Their photos by date (oldest first, the undated last), filtered to those with the person
        ``with_id`` too, taken in ``year``, or at ``place`` (as ``PersonFacts.places`` names it)."""
        return people_reads.person_photos(self, person_id, with_id, year, place)

    def person_photo_page(self, person_id: int, start: int = 0, count: int | None = None, newest_first: bool = False,
                          with_id: int | None = None, year: int | None = None,
                          place: str | None = None) -> PersonPhotoPage:
        """A page of ``person_photos`` (``newest_first`` or oldest first; the undated last) and how
        many there are in all."""
        return people_reads.person_photo_page(self, person_id, with_id, year, place, newest_first, start, count)

    def person_view(self, person_id: int, start: int = 0, count: int | None = None, newest_first: bool = False,
                    with_id: int | None = None, year: int | None = None,
                    place: str | None = None) -> tuple[PersonFacts, PersonPhotoPage]:
        """``person`` and ``person_photo_page`` together, the person's photos read once (a person's page)."""
        return people_reads.person_view(self, person_id, with_id, year, place, newest_first, start, count)

    def add_person(self, name: str, references: list[str | Path], face: int | None = None, kind: str = "person",
                   force: bool = False):
        from plvm_photos.curation.people import add_person

        return add_person(self, name, references, face=face, kind=kind, force=force)

    def add_person_from_cluster(self, name: str, cluster_id: int, force: bool = False):
        """Register ``name`` from cluster ``cluster_id`` of the last saved clustering."""
        from plvm_photos.curation.clusters import add_person_from_cluster

        return add_person_from_cluster(self, name, cluster_id, force=force)

    def add_reference(self, name: str, reference: str | Path, face: int | None = None, force: bool = False):
        from plvm_photos.curation.people import add_reference

        return add_reference(self, name, reference, face=face, force=force)

    def rename_person(self, old: str, new: str) -> bool:
        from plvm_photos.curation.people import rename_person

        return rename_person(self, old, new)

    def remove_person(self, name: str) -> int:
        from plvm_photos.curation.people import remove_person

        return remove_person(self, name)

    def hide_person(self, name: str, hidden: bool = True) -> bool:
        """Hide (still recognised, no longer listed) or list again; False when nothing changed."""
        from plvm_photos.curation.people import hide_person

        return hide_person(self, name, hidden)

    def merge_people(self, keep: str, other: str):
        from plvm_photos.curation.merge import merge_people

        return merge_people(self, keep, other)

    # --- corrections ------------------------------------------------------------------------
    def name_faces(self, region_ids: list[int], person: str):
        """These faces are ``person`` (registered when new), for good."""
        from plvm_photos.curation.confirm import name_faces

        return name_faces(self, region_ids, person)

    def mark_faces(self, region_ids: list[int], mark: str | None):
        """Faces that are ``not_a_face`` (never decided as anyone) or ``hidden`` (strangers): they
        leave the unknown faces and the suggestions; ``None``: their marks taken back, unknown faces
        again. One action, one undo."""
        from plvm_photos.curation.confirm import mark_faces

        return mark_faces(self, region_ids, mark)

    def marked_faces(self, mark: str | None = None) -> list[MarkedFace]:
        """The faces marked not a face or hidden (only ``mark``, if given), newest mark first."""
        return marked_reads.marked_faces(self, mark)

    def answer_suggestions(self, accepted: list[tuple[int, int]], refused: list[tuple[int, int]]):
        """Many suggestions at once: (face region, person id) pairs accepted (confirmed) and
        refused (rejected); one action, one undo."""
        from plvm_photos.curation.confirm import answer_suggestions

        return answer_suggestions(self, accepted, refused)

    def draw_face(self, photo_id: int, box: tuple[int, int, int, int], person: str):
        """A face the detector missed, in the photo's pixels, confirmed as ``person``."""
        from plvm_photos.curation.confirm import draw_face

        return draw_face(self, photo_id, box, person)

    def reject_face(self, photo_id: int, person: str, region_id: int | None = None):
        """``person`` is not this face (or, without ``region_id``, not in this photo), for good."""
        from plvm_photos.curation.confirm import reject_face

        return reject_face(self, photo_id, person, region_id)

    def reject_match(self, photo: str, person: str, face: int | None = None):
        """As ``reject_face`` with the photo named as the CLI names it and the face by number (None:
        the face ``person`` was matched to, else the whole photo)."""
        from plvm_photos.curation.clusters import reject_match

        return reject_match(self, photo, person, face=face)

    def set_reference(self, person: str, region_id: int, replace: bool = False):
        """A face already in the library as ``person``'s reference (beside the others, or instead)."""
        from plvm_photos.curation.reference_faces import set_reference

        return set_reference(self, person, region_id, replace=replace)

    # --- unknown faces and suggestions ------------------------------------------------------
    def cluster_unknown(self, eps: float | None = None, min_samples: int | None = None):
        """The faces nobody is, grouped by likeness (``curation.clusters``)."""
        from plvm_photos.curation.clusters import DEFAULT_EPS, DEFAULT_MIN_SAMPLES, cluster_unknown

        return cluster_unknown(self, DEFAULT_EPS if eps is None else eps,
                               DEFAULT_MIN_SAMPLES if min_samples is None else min_samples)

    def unknown_groups(self, eps: float | None = None, min_samples: int | None = None,
                       background_above: int | None = None):
        """The unknown faces as the gallery groups them, at once: the stored clustering when it is
        current; on a library of more than ``background_above`` unknown faces a stale one filtered
        to the faces still unknown while one clustering runs in the background
        (``curation.unknown_groups``)."""
        from plvm_photos.curation.clusters import DEFAULT_EPS, DEFAULT_MIN_SAMPLES
        from plvm_photos.curation.unknown_groups import BACKGROUND_ABOVE, unknown_groups

        return unknown_groups(self, DEFAULT_EPS if eps is None else eps,
                              DEFAULT_MIN_SAMPLES if min_samples is None else min_samples,
                              BACKGROUND_ABOVE if background_above is None else background_above)

    def unknown_face_ids(self) -> list[int]:
        """The region ids of the faces nobody is (and nobody marked), ascending; kept in this
        process and brought up to date from the changes since (``curation.unknown_ids``)."""
        from plvm_photos.curation.unknown_groups import unknown_face_ids

        return unknown_face_ids(self)

    def wait_for_grouping(self, timeout: float | None = None) -> bool:
        """Wait for the background clustering ``unknown_groups`` started, if any; False on timeout."""
        from plvm_photos.curation.unknown_groups import wait_for_grouping

        return wait_for_grouping(self, timeout)

    def unknown_faces(self, region_ids: list[int]) -> dict:
        """{region id: UnknownFace (photo, path, box)} of the faces that still exist."""
        from plvm_photos.curation.clusters import faces_by_id

        return faces_by_id(self, region_ids)

    def save_clustering(self, clustering) -> Path:
        """Kept so that ``--cluster ID`` names exactly the cluster the user was shown."""
        from plvm_photos.curation.clusters import save_clustering

        return save_clustering(self, clustering)

    def saved_cluster(self, cluster_id: int) -> list[int]:
        """The face (region) ids of cluster ``cluster_id`` of the last saved clustering."""
        from plvm_photos.curation.clusters import saved_cluster

        return saved_cluster(self, cluster_id)

    def suggestions(self):
        """Faces just too far from someone to be decided theirs, nearest first."""
        from plvm_photos.curation.suggestions import suggestions

        return suggestions(self)

    # --- undo and redo ----------------------------------------------------------------------
    def history(self, limit: int = 50):
        """The actions that can be undone, newest first."""
        from plvm_photos.curation.journal import history

        return history(self, limit)

    def last_action(self):
        """The action ``undo`` would undo (None: nothing to undo)."""
        from plvm_photos.curation.journal import last_action

        return last_action(self)

    def next_redo(self):
        """The action ``redo`` would do again (None: nothing to redo)."""
        from plvm_photos.curation.journal import next_redo

        return next_redo(self)

    def undo(self, entry: int | None = None):
        from plvm_photos.curation.journal import undo

        return undo(self, entry)

    def redo(self, entry: int | None = None):
        from plvm_photos.curation.journal import redo

        return redo(self, entry)

    # --- photos -----------------------------------------------------------------------------
    def scan(self, paths, workers: int | None = None, progress: bool = True, reanalyze: bool = False,
             retry_failed: bool = False, ray: str | None = None, media=None, pose: bool = False):
        """``ray``: analyse on a Ray cluster ('local', 'auto', ray://HOST:PORT or HOST:PORT);
        ``media``: a ``media.kinds.MediaOptions`` (videos and RAW left out or not); ``pose``: the
        people-pose stage for stored faces that lack its cues too."""
        from plvm_photos.indexing.scan import scan

        return scan(self, paths, workers=workers, progress=progress, reanalyze=reanalyze, retry_failed=retry_failed,
                    ray=ray, media=media, pose=pose)

    def find_photo(self, photo: str) -> int:
        """The id of the photo named by a path, a file name or ``#ID`` (as questions name one)."""
        from plvm_photos.ask.answer import resolve_photo, session_reader

        with self.session() as s:
            return resolve_photo(session_reader(s), photo)

    def photo_faces(self, photo_id: int) -> PhotoFaces:
        """A photo's faces, left to right, and who each is (display names)."""
        return photo_reads.photo_faces(self, photo_id)

    def photos_by_path(self, paths: list[str]) -> dict[str, PhotoSize]:
        return photo_reads.photos_by_path(self, paths)

    def photo_files(self, photo_id: int) -> PhotoFiles:
        return image_reads.photo_files(self, photo_id)

    def person_face(self, person_id: int) -> FaceImage:
        return image_reads.person_face(self, person_id)

    def region_face(self, region_id: int) -> FaceImage:
        return image_reads.region_face(self, region_id)

    def live_hashes(self) -> set[str]:
        return image_reads.live_hashes(self)

    # --- time and place -----------------------------------------------------------------------
    def timeline(self) -> Timeline:
        """Photos per year and month of their camera date, newest first, and those without one."""
        return list_reads.timeline(self)

    def places(self) -> Places:
        """Countries and cities with their photos, most first, and the photos without a place."""
        return place_reads.places(self)

    def land_cells(self) -> list[tuple[int, int, int]]:
        """The map's backdrop: runs of 2-degree cells where a listed city lies."""
        return place_reads.land_cells()

    def photo_list(self, key: str) -> PhotoList:
        """The list of photos ``key`` names ("month:2020-03", "city:2988507", ...); KeyError."""
        return list_reads.photo_list(self, key)

    def list_page(self, plist: PhotoList, offset: int, limit: int) -> ListPage:
        """Photos of a list, by date, from ``offset``."""
        return list_reads.list_page(self, plist, offset, limit)

    def neighbours(self, plist: PhotoList, photo_id: int) -> Neighbours | None:
        """The photos before and after ``photo_id`` in ``plist``, by date (None: not in it)."""
        return list_reads.neighbours(self, plist, photo_id)

    def when_where(self, photo_id: int) -> PhotoWhenWhere:
        """When and where a photo was taken, with the month, city and country lists it is in."""
        return list_reads.when_where(self, photo_id)

    @property
    def index(self):
        """The face descriptors' FAISS prefilter (checked against the database when loaded)."""
        from plvm_photos.engines.face.space import DESCRIPTOR_DIM, FACE_SPACE

        return self.indexes.get(FACE_SPACE, DESCRIPTOR_DIM)

    def verdicts(self) -> list[dict]:
        """Every stored verdict, once per current file of its photo (a copied photo has two)."""
        return photo_reads.verdicts(self)

    # --- questions --------------------------------------------------------------------------
    def ask(self, question: str, today: date | None = None, with_photos: bool = True):
        """The answer (``ask.results.Answer``); a question that cannot be answered as asked raises
        QuestionError, one line naming the part."""
        from plvm_photos.ask.answer import ask

        return ask(self, question, today=today, with_photos=with_photos)

    # --- XMP --------------------------------------------------------------------------------
    def export_xmp(self, path: str | Path | None = None, into: Path | None = None, stem: bool = False,
                   progress: bool = True):
        """Names and face regions written to XMP sidecars (existing content kept)."""
        from plvm_photos.curation.xmp_write import export

        return export(self, Path(path) if path is not None else None, into=into, stem=stem, progress=progress)

    def import_xmp(self, paths: list[str | Path], dry_run: bool = False, progress: bool = False):
        """The face tags other tools wrote, as confirmed faces."""
        from plvm_photos.curation.import_xmp import import_xmp

        return import_xmp(self, paths, dry_run=dry_run, progress=progress)
