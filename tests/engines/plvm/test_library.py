"""End to end with a tiny random PLVM on disk: scan, prefilter, verdicts, captions, concepts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.engines.plvm.helpers import LOOSE, configure, model_image
from sqlalchemy import select

from plvm_photos.db.models import Concept, Photo, Reference, Region, Verdict
from plvm_photos.db.queries import only_face_regions
from plvm_photos.engines.plvm.model import CROP, FACE, PHOTO, REGION_KINDS
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library


def _rows(library, model, *where):
    with library.session() as s:
        return s.scalars(select(model).where(*where)).all()


def _photo_of(library, path) -> Photo:
    from plvm_photos.db.models import File

    with library.session() as s:
        photo = s.get(Photo, s.scalar(select(File.photo_id).where(File.path == str(path))))
        photo.regions, photo.files  # loaded here: the session closes on return
        return photo


def test_scan_stores_global_tokens_of_photo_faces_and_covering_crops(plvm_library, photo_folder, reference_model):
    with plvm_library.session() as s:
        kinds = {}
        for photo in s.scalars(select(Photo)):
            assert photo.engine == "plvm" and photo.error is None
            kinds[photo.files[0].path.rsplit("/", 1)[-1]] = sorted(r.kind for r in photo.regions)
    # one whole-photo token and four covering crops everywhere; a face region where dlib finds a face
    assert kinds["coffee.jpg"] == [CROP] * 4 + [PHOTO]
    assert kinds["astronaut.jpg"] == [CROP] * 4 + [FACE, PHOTO]
    assert kinds["hopper.jpg"] == [CROP] * 4 + [FACE, PHOTO]
    # the whole-photo vector is DINOv2's global token of the photo, L2-normalised
    import torch

    image = model_image(photo_folder / "coffee.jpg")
    enc = reference_model.aligner.encoder
    with torch.no_grad():
        z0 = enc(pixel_values=reference_model.reference_pixels([image])).last_hidden_state[0, 0]
    expected = (z0 / z0.norm()).numpy()
    [whole] = [r for r in _photo_of(plvm_library, photo_folder / "coffee.jpg").regions if r.kind == PHOTO]
    assert np.allclose(np.frombuffer(whole.vector, dtype=np.float32), expected, atol=1e-5)


def test_plvm_regions_get_their_own_index_and_the_face_index_stays_face_only(plvm_library):
    from plvm_photos.engines.registry import open_engine

    n_plvm = len(_rows(plvm_library, Region, Region.kind.in_(REGION_KINDS)))
    assert n_plvm == 17  # 3 photos x (1 + 4) + 2 faces
    assert len(plvm_library.index) == 0  # no 128-d face regions in a plvm library
    files = sorted(p.name for p in plvm_library.root.glob("index-plvm-*.faiss"))
    assert files == ["index-plvm-32.faiss"]  # tiny DINOv2: 32-d
    meta = json.loads((plvm_library.root / "index-plvm-32.faiss.json").read_text())
    assert meta["signature"][0] == n_plvm
    assert len(plvm_library.indexes.get(open_engine(plvm_library).space("plvm"), 32)) == n_plvm


def test_aligner_outputs_are_stored_per_reference_and_match_the_model(plvm_library, reference_model, photo_folder):
    from safetensors import safe_open

    from plvm_photos.imaging import decode

    [ref] = _rows(plvm_library, Reference, Reference.concept_id.in_(select(Concept.id).where(Concept.name == "astro")))
    assert ref.engine == "plvm"
    path = plvm_library.root / "plvm-concepts" / (ref.image.rsplit(".", 1)[0] + ".safetensors")
    with safe_open(str(path), framework="pt") as f:
        stored = {k: f.get_tensor(k) for k in f.keys()}
        assert "aligner_heads.safetensors" in f.metadata()["aligner"]
    from PIL import Image

    image = Image.fromarray(decode(photo_folder / "astronaut.jpg", max_side=1600).pixels)
    [concept] = reference_model.encode_concepts([image], ["<astro>"])
    assert np.allclose(stored["e_word"].numpy(), concept.e_word.numpy(), atol=1e-5)
    assert np.allclose(stored["context"].numpy(), concept.context.numpy(), atol=1e-5)
    assert stored["context"].shape == (4, 48)  # k=4 tokens of the tiny LLM's width


def test_verdicts_are_plvm_p_yes_of_the_whole_photo(plvm_library, reference_model, photo_folder):
    from plvm_photos.imaging import decode
    from PIL import Image

    ref = Image.fromarray(decode(photo_folder / "astronaut.jpg", max_side=1600).pixels)
    [astro] = reference_model.encode_concepts([ref], ["<astro>"])
    with plvm_library.session() as s:
        astro_id = s.scalar(select(Concept.id).where(Concept.name == "astro"))
        verdicts = {v.photo.files[0].path: v for v in s.scalars(select(Verdict).where(Verdict.concept_id == astro_id))}
        assert len(verdicts) == 3  # min_similarity -1: every photo is a candidate
        for path, verdict in verdicts.items():
            expected = reference_model.recognize(model_image(path), [astro])[0]
            assert verdict.engine == "plvm"
            assert verdict.score == pytest.approx(expected, abs=1e-4)
            assert verdict.present  # threshold 0
        # a person's verdict points at the matching face where the photo has one
        assert verdicts[str(photo_folder / "astronaut.jpg")].region.kind == FACE
        assert verdicts[str(photo_folder / "coffee.jpg")].region.kind in (PHOTO, CROP)


def test_captions_name_the_present_concepts(plvm_library):
    for photo in _rows(plvm_library, Photo):
        assert "<astro>" in photo.caption and "<cup>" in photo.caption


def test_prefilter_by_reference_global_token(plvm_library, photo_folder):
    # The reference photo itself is in the library: its whole-photo token is the reference's
    # z_ref[0] (cosine 1), the other photos are far below 0.999, so only it is verified.
    plvm_library.settings.set("plvm.min_similarity", "0.999")
    result = plvm_library.add_person("eileen", [photo_folder / "astronaut.jpg"], force=True)
    assert result.candidates == 1
    with plvm_library.session() as s:
        cid = s.scalar(select(Concept.id).where(Concept.name == "eileen"))
        paths = [v.photo.files[0].path for v in s.scalars(select(Verdict).where(Verdict.concept_id == cid))]
    assert paths == [str(photo_folder / "astronaut.jpg")]


def test_threshold_decides_presence_and_absent_concepts_leave_captions(plvm_library, photo_folder, tmp_path):
    plvm_library.settings.set("plvm.threshold", "1")  # P(Yes) never reaches 1 exactly
    result = plvm_library.add_person("nobody", [photo_folder / "hopper.jpg"], force=True)
    assert result.photos == 0 and result.candidates == 3
    assert all(not v.present and v.region_id is None
               for v in _rows(plvm_library, Verdict, Verdict.concept_id.in_(select(Concept.id).where(Concept.name == "nobody"))))
    assert all("<nobody>" not in p.caption for p in _rows(plvm_library, Photo))


def test_new_photos_use_the_stored_aligner_outputs(plvm_library, photo_folder, tmp_path, monkeypatch):
    from PIL import Image, ImageOps

    from plvm_model.lvlm import PLVM

    def no_aligner(*_args, **_kwargs):
        raise AssertionError("verdicts must not run the Aligner again")

    monkeypatch.setattr(PLVM, "encode_concepts", no_aligner)
    new = tmp_path / "new"
    new.mkdir()
    ImageOps.mirror(Image.open(photo_folder / "astronaut.jpg")).save(new / "mirrored.jpg")
    summary = plvm_library.scan([new], progress=False)
    assert summary.analysed == 1 and summary.faces == 1
    photo = _photo_of(plvm_library, new / "mirrored.jpg")
    names = {v.concept_id for v in _rows(plvm_library, Verdict, Verdict.photo_id == photo.id)}
    assert len(names) == 2  # <astro> and <cup> verified on the new photo
    assert "<astro>" in photo.caption


def test_pet_and_object_kinds(plvm_library, photo_folder, tmp_path):
    plvm_library.add_person("mug", [photo_folder / "coffee.jpg"], kind="pet", force=True)
    kinds = dict((c.name, c.kind) for c in _rows(plvm_library, Concept))
    assert kinds == {"astro": "person", "cup": "object", "mug": "pet"}
    face = Library(tmp_path / "face-library")
    with pytest.raises(LibraryError, match="need the plvm engine"):
        face.add_person("rex", [photo_folder / "coffee.jpg"], kind="pet")
    face.close()


def test_rename_and_remove_keep_captions_and_files_consistent(plvm_library):
    plvm_library.rename_person("astro", "eileen")
    captions = [p.caption for p in _rows(plvm_library, Photo)]
    assert all("<eileen>" in c and "<astro>" not in c for c in captions)
    [image] = [r.image for r in _rows(plvm_library, Reference, Reference.concept_id.in_(
        select(Concept.id).where(Concept.name == "cup")))]
    tensors = plvm_library.root / "plvm-concepts" / (image.rsplit(".", 1)[0] + ".safetensors")
    assert tensors.exists()
    assert plvm_library.remove_person("cup") == 3
    assert not tensors.exists()
    assert all("<cup>" not in p.caption for p in _rows(plvm_library, Photo))


def test_switching_engine_reanalyses_on_the_next_scan(tmp_path, tiny_models, photo_folder):
    with Library(tmp_path / "lib") as library:
        first = library.scan([photo_folder], progress=False)
        assert first.analysed == 3 and len(library.index) == 2  # face engine: two 128-d faces
        with library.session() as s:  # face-only: the index query needs no kind filter
            assert only_face_regions(s)
        configure(library, tiny_models, settings=LOOSE)
        second = library.scan([photo_folder], progress=False)
        assert second.analysed == 3 and second.unchanged == 0
        with library.session() as s:
            assert not only_face_regions(s)
        assert {p.engine for p in _rows(library, Photo)} == {"plvm"}
        assert len(library.index) == 0  # the replaced face regions left the face index
        third = library.scan([photo_folder], progress=False)
        assert third.analysed == 0 and third.unchanged == 3


def test_hybrid_prefilters_people_with_the_face_engine(tmp_path, tiny_models, photo_folder):
    with Library(tmp_path / "lib") as library:
        configure(library, tiny_models, engine="hybrid", settings=LOOSE)
        library.scan([photo_folder], progress=False)
        assert len(library.index) == 2  # dlib's 128-d faces, for the people prefilter
        result = library.add_person("astro", [photo_folder / "astronaut.jpg"], force=True)
        # min_similarity -1 would pass all 3 photos through DINOv2; the face prefilter passes the
        # two photos with a face within its radius (not the coffee cup)
        assert result.candidates == 2 and result.photos == 2
        engines = sorted(r.engine for r in _rows(library, Reference))
        assert engines == ["face", "plvm"]
        with library.session() as s:
            verdicts = s.scalars(select(Verdict)).all()
            assert {v.photo.files[0].path.rsplit("/", 1)[-1] for v in verdicts} == {"astronaut.jpg", "hopper.jpg"}
            assert all(v.engine == "hybrid" and v.region.kind == "face" for v in verdicts)
        # objects have no face: DINOv2 prefilter
        assert library.add_person("cup", [photo_folder / "coffee.jpg"], kind="object", force=True).candidates == 3


def test_add_reference_keeps_both_and_verdicts_take_the_best(plvm_library, reference_model, photo_folder):
    from PIL import Image

    from plvm_photos.imaging import decode

    result = plvm_library.add_reference("astro", photo_folder / "hopper.jpg", force=True)
    assert result.candidates == 3
    refs = _rows(plvm_library, Reference, Reference.concept_id.in_(select(Concept.id).where(Concept.name == "astro")))
    assert [r.engine for r in refs] == ["plvm", "plvm"]
    assert len(list((plvm_library.root / "plvm-concepts").glob("astro-*.safetensors"))) == 2
    encoded = reference_model.encode_concepts(
        [Image.fromarray(decode(photo_folder / name, max_side=1600).pixels) for name in ("astronaut.jpg", "hopper.jpg")],
        ["<astro>", "<astro>"])
    with plvm_library.session() as s:
        cid = s.scalar(select(Concept.id).where(Concept.name == "astro"))
        for verdict in s.scalars(select(Verdict).where(Verdict.concept_id == cid)):
            expected = max(reference_model.recognize(model_image(verdict.photo.files[0].path), encoded))
            assert verdict.score == pytest.approx(expected, abs=1e-4)
