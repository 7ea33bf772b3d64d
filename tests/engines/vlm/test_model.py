"""The model of each family, loaded from disk by the engine's own loading code: prompts, captions,
yes/no scores with and without the cached image prefix, open answers, multiple choice."""

from __future__ import annotations

import pytest
from tests.engines.vlm.helpers import options

from plvm_photos.engines.vlm.marking import MarkedPerson
from plvm_photos.engines.vlm.model import MarkedPhoto, VlmModel
from plvm_photos.engines.vlm.random_models import FAMILIES

PEOPLE = (MarkedPerson("mike", (20, 30, 60, 80)), MarkedPerson("susan", (140, 40, 180, 90)))
TALKING = 'Does this photo match the description "<mike> and <susan> are talking"? Answer with Yes or No.'
HAT = "Is <susan> wearing a hat? Answer with Yes or No."
SMILING = "Is <mike> smiling? Answer with Yes or No."


def _photo(colour=(120, 160, 200), size=(200, 120), key="photo-1", people=PEOPLE) -> MarkedPhoto:
    from PIL import Image

    image = Image.new("RGB", size, colour)
    image.paste((200, 80, 40), (25, 35, 55, 75))
    return MarkedPhoto(image, people, key)


@pytest.fixture(scope="module", params=FAMILIES)
def model(request, tiny_vlms) -> VlmModel:
    return VlmModel(options(tiny_vlms[request.param], caption_tokens=5))


def _greedy(model: VlmModel, inputs: dict, steps: int) -> str:
    """Greedy decoding by hand, one full forward pass a token: what ``generate`` must agree with."""
    import torch

    net, processor = model.parts()
    ids = inputs["input_ids"]
    out = []
    for _ in range(steps):
        step = {**inputs, "input_ids": ids, "attention_mask": torch.ones_like(ids)}
        if "mm_token_type_ids" in inputs:
            step["mm_token_type_ids"] = torch.nn.functional.pad(inputs["mm_token_type_ids"], (0, ids.shape[1] - inputs["input_ids"].shape[1]))
        with torch.no_grad():
            token = int(net(**step).logits[0, -1].argmax())
        if token == processor.tokenizer.eos_token_id:
            break
        out.append(token)
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    text = processor.tokenizer.decode(out, skip_special_tokens=True)
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


def test_each_family_loads_through_the_auto_classes_with_its_own_chat_template(model, tiny_vlms):
    family = model.architecture
    assert model.location.path == str(tiny_vlms[family]) and not model.location.hub
    assert (model.device, model.dtype_name) == ("cpu", "float32")
    net, processor = model.parts()
    inputs = model.inputs(_photo(), HAT)
    text = processor.tokenizer.decode(inputs["input_ids"][0])
    opening = {"llava": "USER: <image>", "qwen2_vl": "<|im_start|>system", "idefics3": "<|im_start|>User:"}[family]
    closing = {"llava": "ASSISTANT:", "qwen2_vl": "<|im_start|>assistant\n", "idefics3": "Assistant:"}[family]
    assert text.startswith(opening) and text.endswith(closing)
    assert (inputs["input_ids"] == net.config.image_token_id).sum() > 0  # the photo is in the prompt
    # the default marking ("both"): the people are listed before the question, left to right
    assert "<mike> is the person on the left, face box [0.10, 0.25, 0.30, 0.67].\n<susan> is the person on the right" in text
    assert text.index("<susan> is the person on the right") < text.index(HAT)


def test_yes_no_with_the_cached_image_prefix_equals_the_full_forward_pass(model):
    photo, other = _photo(), _photo((10, 200, 30), (90, 160), key="photo-2", people=PEOPLE[:1])
    model.prefixes.clear()
    hits, prefills = model.prefixes.hits, model.prefixes.prefills
    scores = [model.yes_probability(photo, TALKING)]  # the first question: one full pass, its tokens kept
    model.yes_probability(other, HAT)  # another photo (another image size) in between
    model.caption(other)  # and a generation, which leaves its own state on Qwen2-VL's model
    scores.append(model.yes_probability(photo, HAT))  # the prefix the two share is run and kept
    assert (model.prefixes.hits - hits, model.prefixes.prefills - prefills) == (0, 1)
    scores.append(model.yes_probability(photo, SMILING))  # only the question's tokens are run
    scores.append(model.yes_probability(photo, TALKING))
    assert (model.prefixes.hits - hits, model.prefixes.prefills - prefills) == (2, 1)
    for question, score in zip((TALKING, HAT, SMILING, TALKING), scores):
        assert score == pytest.approx(model.yes_probability(photo, question, use_cache=False), abs=1e-4)
    assert 0.0 < scores[0] < 1.0 and scores[0] != pytest.approx(scores[1], abs=1e-6)  # the question matters
    # the score is P(Yes) against P(No) of the first answer token
    import torch

    tokens = model.answer_tokens()
    with torch.no_grad():
        logits = model.parts()[0](**model.inputs(photo, HAT)).logits[0, -1]
    yes, no = logits[list(tokens.yes)].logsumexp(0), logits[list(tokens.no)].logsumexp(0)
    assert scores[1] == pytest.approx(float(torch.sigmoid(yes - no)), abs=1e-4)


def test_a_changed_photo_or_marking_is_never_answered_from_a_kept_prefix(model):
    photo = _photo(key="photo-3")
    model.yes_probability(photo, TALKING)
    model.yes_probability(photo, SMILING)
    hits, prefills = model.prefixes.hits, model.prefixes.prefills
    fewer = MarkedPhoto(photo.image, PEOPLE[:1], photo.key)  # the same file, now with one person recognised
    other = MarkedPhoto(_photo((0, 0, 255)).image, PEOPLE, ("photo-3", "changed on disk"))
    for changed in (fewer, other):
        for question in (HAT, SMILING):
            assert model.yes_probability(changed, question) == pytest.approx(
                model.yes_probability(changed, question, use_cache=False), abs=1e-4)
    assert (model.prefixes.prefills - prefills, model.prefixes.hits - hits) == (2, 0)  # each its own prefix


def test_caption_and_open_answers_are_the_models_greedy_text(model):
    photo = _photo()
    caption = model.caption(photo)
    expected = _greedy(model, model.inputs(photo, "Describe this photo in one sentence, naming the marked people "
                                                  "exactly as written: <mike> and <susan>."), model.options.caption_tokens)
    assert caption == expected
    question = "What is <mike> wearing?"
    assert model.answer(photo, question) == _greedy(model, model.inputs(photo, question), model.options.caption_tokens)


def test_choose_picks_the_option_letter_the_model_finds_likeliest(model):
    import torch

    question, choices = "Who is on the left?", {"A": "<mike>", "B": "<susan>", "C": "nobody"}
    for photo in (_photo(), None):  # None: a text-only question
        letter = model.choose(photo, question, choices)
        with torch.no_grad():
            logits = model.parts()[0](**model.inputs(photo, f"{question}\nA. <mike>\nB. <susan>\nC. nobody\n"
                                                             "Answer with the option's letter from the given choices "
                                                             "directly.")).logits[0, -1]
        tokenizer = model.parts()[1].tokenizer

        def score(c):  # every token the answer may start with: "A", " A", "a", " a"
            starts = {tokenizer.encode(v, add_special_tokens=False)[0] for v in (c, " " + c, c.lower(), " " + c.lower())}
            return float(logits[sorted(starts)].logsumexp(0))

        assert letter == max(choices, key=score)
