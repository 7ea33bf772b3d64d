"""The library's schema (SQLAlchemy 2.0 typed ORM). Migrations in ``migrations/`` create it.

Photos are keyed by content hash; files are the paths where a photo's content lives (a photo
copied to two folders is one photo with two files). Vectors are stored as float32 bytes so the
database alone can rebuild the FAISS index.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from plvm_photos.db.fspath import FsPath


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Photo(Base):
    """One content (keyed by hash): its analysis, and when and where it was taken.

    The ``taken_*``, GPS and place columns are read from the photo's EXIF data and reverse
    geocoded (``indexing/facts.py``); ``facts_version`` is None until they are read.
    """

    __tablename__ = "photos"
    __table_args__ = (
        # date questions ask taken_source = 'exif'; with error, the timeline counts current photos from the index
        Index("ix_photos_taken_current", "taken_source", "taken_at", "error"),
        Index("ix_photos_country_code", "country_code", "admin1_code"),
        Index("ix_photos_lat", "lat"),
        # "in Tokyo": the city's place and its parts (ask/selection.py); the places page counts from the index
        Index("ix_photos_place_current", "place_id", "country_code", "error"),
        Index("ix_photos_facts_version", "facts_version"),  # finding photos whose facts are still to read
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    engine: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)  # set when the content is not a usable image
    caption: Mapped[str | None] = mapped_column(Text)
    analyzed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime)  # the camera's local time, naive
    taken_offset_minutes: Mapped[int | None] = mapped_column(Integer)  # east of UTC, where recorded
    taken_source: Mapped[str | None] = mapped_column(String(8))  # exif | file (the file's mtime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    place_id: Mapped[int | None] = mapped_column(Integer)  # GeoNames id of the nearest listed city
    place_name: Mapped[str | None] = mapped_column(String(200))
    admin1: Mapped[str | None] = mapped_column(String(200))  # its region's name
    admin1_code: Mapped[str | None] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str | None] = mapped_column(String(100))
    facts_version: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default="photo", server_default="photo")  # photo | video
    duration: Mapped[float | None] = mapped_column(Float)  # a video's length in seconds

    files: Mapped[list[File]] = relationship(back_populates="photo")
    regions: Mapped[list[Region]] = relationship(back_populates="photo", cascade="all, delete-orphan")
    verdicts: Mapped[list[Verdict]] = relationship(back_populates="photo", cascade="all, delete-orphan")


class File(Base):
    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_photo_present", "photo_id", "missing"),  # a current photo (db/current.py), from the index
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(FsPath, unique=True)  # TEXT; non-UTF-8 names encoded (fspath.py)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    missing: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)  # set when the file could not be read at all
    # "companion": another file of its photo's item (a RAW+JPEG pair's RAW, a Live Photo's movie),
    # not the content analysed; None: the photo's own content, or a copy of it
    role: Mapped[str | None] = mapped_column(String(16))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    photo: Mapped[Photo | None] = relationship(back_populates="files")


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="face")
    left: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    right: Mapped[int] = mapped_column(Integer)
    bottom: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # A face the user drew (or an imported XMP region no detector found), not a detection. It is
    # kept (with its id) when the photo is analysed again, as are the confirmed faces.
    by_user: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A face followed through a video: JSON [[start, end], ...], the seconds of the sampled
    # frames it is seen in (its box and vector are those of one of them); NULL in a photo.
    segments: Mapped[str | None] = mapped_column(Text)

    photo: Mapped[Photo] = relationship(back_populates="regions")

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.right, self.bottom)


class RegionPose(Base):
    """What the face engine's people-pose stage saw of the person of one face region
    (``engines/face/cues.py``, JSON): a region without a row was never seen by it (``scan
    --pose`` fills those in). A table of its own, not a column of ``regions``: adding it to a
    stored region must not count as the region changing (migration 0004's triggers)."""

    __tablename__ = "region_poses"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    cues: Mapped[str] = mapped_column(Text)


class Concept(Base):
    __tablename__ = "concepts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)  # the lookup key (plvm_photos.names)
    display: Mapped[str] = mapped_column(String(128), default=lambda ctx: ctx.get_current_parameters()["name"])
    kind: Mapped[str] = mapped_column(String(16), default="person")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Hidden: still recognised, but not listed (people, the gallery, ask answers) unless asked for.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    references: Mapped[list[Reference]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", order_by="Reference.id"
    )
    verdicts: Mapped[list[Verdict]] = relationship(back_populates="concept", cascade="all, delete-orphan")


class Reference(Base):
    """One reference image of a concept: the copy kept in the library and its vector."""

    __tablename__ = "concept_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    image: Mapped[str] = mapped_column(Text)  # file name inside the library's references/ folder
    source_path: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(32))
    left: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    right: Mapped[int] = mapped_column(Integer)
    bottom: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)

    concept: Mapped[Concept] = relationship(back_populates="references")


class Verdict(Base):
    """The stored answer to "is <concept> in this photo?" for a pair the prefilter passed."""

    __tablename__ = "verdicts"
    __table_args__ = (
        UniqueConstraint("photo_id", "concept_id", name="uq_verdict_photo_concept"),
        Index("ix_verdicts_concept_present", "concept_id", "present"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    present: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    distance: Mapped[float | None] = mapped_column(Float)
    engine: Mapped[str] = mapped_column(String(32))

    photo: Mapped[Photo] = relationship(back_populates="verdicts")
    concept: Mapped[Concept] = relationship(back_populates="verdicts")
    region: Mapped[Region | None] = relationship()


class Rejection(Base):
    """The user said a face is not this person (``region_id``), or the person is not in the photo
    (``region_id`` NULL). Decisions never pair a rejected face and person again; analysing the
    photo again keeps a rejected face's region (``indexing/commit.py``), so a rejection of a face
    never becomes one of the whole photo."""

    __tablename__ = "rejections"
    __table_args__ = (UniqueConstraint("photo_id", "concept_id", "region_id", name="uq_rejection"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceMark(Base):
    """The user said a detected face is not a face (``not_a_face``: a false detection, never
    decided as anyone) or is not worth naming (``hidden``: a stranger; still recognised if that
    person is registered later). Either way it leaves the unknown faces and the suggestions;
    analysing the photo again keeps the region with its mark (``indexing/commit.py``)."""

    __tablename__ = "face_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), unique=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    mark: Mapped[str] = mapped_column(String(16))  # not_a_face | hidden
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceChange(Base):
    """A photo whose faces may have become known or unknown: appended by SQLite triggers on every
    write to its regions, verdicts, face marks, error or files (migration 0012), so the gallery
    reads again only those photos' faces (``curation/unknown_ids.py``). Oldest entries dropped."""

    __tablename__ = "face_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # numbers never reused: a reader's last one stays valid

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a deleted photo is a change too


class Confirmation(Base):
    """The user said this face is this person (named it, drew it, accepted a suggestion, or an
    imported XMP region said so). Every decision keeps the pair present; the face engine also
    recognises the person by it, as by a reference; analysing the photo again keeps the region."""

    __tablename__ = "confirmations"
    __table_args__ = (
        UniqueConstraint("photo_id", "concept_id", name="uq_confirmation_photo_concept"),
        UniqueConstraint("region_id", name="uq_confirmation_region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="user")  # user | drawn | xmp
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JournalEntry(Base):
    """One curation action and the rows it changed (``curation/journal.py``), to undo it."""

    __tablename__ = "curation_journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
