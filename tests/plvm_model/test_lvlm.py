import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.plvm_model.tiny import solid, striped  # noqa: E402

from plvm_model.lvlm import Concept, ConceptTensors  # noqa: E402
from plvm_model.prompting import context_token, name_token  # noqa: E402

RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


def concepts(plvm, n=2):
    refs = [solid(RED), striped(GREEN, BLUE), solid(BLUE)][:n]
    return plvm.encode_concepts(refs, [f"<p{i}>" for i in range(n)])


def test_placeholders_are_injected_at_their_positions(plvm):
    cs = concepts(plvm)
    feats = plvm.image_features(plvm.query_pixels([solid(GREEN)]))
    prompt = plvm.prompts.build("Is <p0> next to <p1>?", ["<p0>", "<p1>"], n_image_tokens=feats.shape[1])
    ids = torch.tensor([prompt.ids])
    embeds = plvm.embed(ids, ConceptTensors.from_concepts([cs]), feats)[0]
    tokens = plvm.tokenizer.convert_ids_to_tokens(prompt.ids)
    table = plvm.lvlm.get_input_embeddings().weight
    k = plvm.config.aligner.num_queries
    seen = {"name": 0, "context": 0, "image": 0, "text": 0}
    image_rows = iter(feats[0])
    for pos, tok in enumerate(tokens):
        for s, c in enumerate(cs):
            if tok == name_token(s):
                assert torch.equal(embeds[pos], c.e_word)
                seen["name"] += 1
                break
            if tok in [context_token(s, i) for i in range(k)]:
                i = [context_token(s, i) for i in range(k)].index(tok)
                assert torch.equal(embeds[pos], c.context[i])
                seen["context"] += 1
                break
        else:
            if tok == "<image>":
                assert torch.equal(embeds[pos], next(image_rows))
                seen["image"] += 1
            else:
                assert torch.equal(embeds[pos], table[prompt.ids[pos]])
                seen["text"] += 1
    # each concept's name appears in its template and in the question; k context tokens each
    assert seen["name"] == 4 and seen["context"] == 2 * k and seen["image"] == feats.shape[1] and seen["text"] > 5


def test_placeholder_ids_never_index_the_embedding_table(plvm):
    table_rows = plvm.lvlm.get_input_embeddings().weight.shape[0]
    slot_ids = plvm.prompts.name_ids + sum(plvm.prompts.context_ids, [])
    assert max(slot_ids) >= table_rows  # some slot ids lie beyond the table: embed must not look them up
    out = plvm.embed(torch.tensor([slot_ids]), ConceptTensors.from_concepts([concepts(plvm)]))
    assert out.shape == (1, len(slot_ids), plvm.lvlm.config.text_config.hidden_size)
    assert plvm.lvlm.get_input_embeddings().weight.shape[0] == table_rows  # never resized


def test_logits_are_extended_with_e_weight(plvm):
    cs = concepts(plvm)
    ct = ConceptTensors.from_concepts([cs])
    hidden = torch.randn(1, 3, plvm.lvlm.config.text_config.hidden_size)
    logits = plvm.logits(hidden, ct)
    assert logits.shape == (1, 3, plvm.vocab_size + 2)
    torch.testing.assert_close(logits[0, :, plvm.vocab_size + 1], hidden[0] @ cs[1].e_weight)


def test_e_weight_lets_the_model_say_the_concept(plvm):
    image = solid(GREEN)
    (c,) = concepts(plvm, 1)
    question = "Who is in this photo?"
    _, embeds, _ = plvm._prompt_inputs(image, question, [c])
    hidden, _ = plvm.run_llm(embeds)
    direction = hidden[0, -1] / hidden[0, -1].norm()
    # e_weight along the prompt's final hidden state: the concept's logit column wins
    steered = Concept(c.name, c.e_word, direction * 50, c.context)
    assert plvm.answer(image, question, [steered], max_new_tokens=3).startswith("<p0>")
    # and against it: the concept can no longer be the first word
    muted = Concept(c.name, c.e_word, -direction * 50, c.context)
    assert not plvm.answer(image, question, [muted], max_new_tokens=3).startswith("<p0>")


def test_generation_feeds_the_concept_back_and_decodes_names(plvm):
    cs = concepts(plvm)
    vocab = plvm.vocab_size
    text = plvm.decode([vocab + 1, plvm.prompts.first_id("is"), plvm.prompts.name_ids[0]], cs)
    assert text == "<p1> is <p0>"


def test_cached_prefix_equals_plain_path(plvm):
    cs = concepts(plvm, 3)
    images = [solid(GREEN), striped(RED, BLUE)]
    plain = plvm.recognize_batch(images, cs, use_cache=False)
    cached = plvm.recognize_batch(images, cs, use_cache=True)
    one_by_one = torch.tensor([[plvm.recognize(im, [c], use_cache=False)[0] for c in cs] for im in images])
    assert plain.shape == (2, 3)
    torch.testing.assert_close(cached, plain, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(one_by_one, plain, atol=1e-5, rtol=1e-4)
    assert ((plain > 0) & (plain < 1)).all()


def test_recognize_is_the_first_token_yes_no_softmax(plvm):
    (c,) = concepts(plvm, 1)
    image = solid(RED)
    _, embeds, ct = plvm._prompt_inputs(image, "Is <p0> in this photo? Answer with Yes or No.", [c])
    hidden, _ = plvm.run_llm(embeds)
    last = plvm.logits(hidden, ct)[0, -1]
    expected = torch.softmax(last[[plvm.prompts.yes_id, plvm.prompts.no_id]], -1)[0]
    assert plvm.recognize(image, [c])[0] == pytest.approx(float(expected), abs=1e-5)


def test_yes_probability_of_a_free_question_is_recognize_for_the_recognition_question(plvm):
    from plvm_model import templates

    cs = concepts(plvm, 2)
    image = striped(GREEN, BLUE)
    question = templates.fill(templates.RECOGNITION_QUESTION, "<p1>")
    assert plvm.yes_probability(image, question, cs[1:]) == pytest.approx(plvm.recognize(image, cs[1:], use_cache=False)[0], abs=1e-5)
    both = plvm.yes_probability(image, "Are <p0> and <p1> next to each other? Answer with Yes or No.", cs)
    assert 0 < both < 1


def test_a_saved_concept_loads_as_the_same_tensors_with_its_metadata(plvm, tmp_path):
    (c,) = concepts(plvm, 1)
    c.save(tmp_path / "p0.safetensors", {"aligner": "checkpoint-a"})
    assert Concept.saved_metadata(tmp_path / "p0.safetensors") == {"aligner": "checkpoint-a"}
    loaded = Concept.load(tmp_path / "p0.safetensors", "<mike>", plvm.device)
    assert loaded.name == "<mike>"
    for key in Concept.TENSORS:
        assert torch.equal(getattr(loaded, key), getattr(c, key).detach().float().cpu())
    assert plvm.recognize(solid(RED), [loaded])[0] == pytest.approx(plvm.recognize(solid(RED), [c])[0], abs=1e-6)


def test_concept_first_order_puts_the_template_before_the_image(plvm, tiny_config):
    from plvm_model.prompting import PromptBuilder

    cfg = type(tiny_config).from_dict(tiny_config.to_dict())
    cfg.prompt_order = "concept_first"
    builder = PromptBuilder(plvm.tokenizer, cfg, plvm.lvlm.config.image_token_id)
    ids = builder.build("Is <sks> here?", ["<sks>"], n_image_tokens=4).ids
    image_at = ids.index(plvm.lvlm.config.image_token_id)
    assert ids.index(builder.name_ids[0]) < image_at
    first = plvm.prompts.build("Is <sks> here?", ["<sks>"], n_image_tokens=4).ids
    assert first.index(plvm.lvlm.config.image_token_id) < first.index(builder.name_ids[0])
    plvm.config.prompt_order = "concept_first"
    with pytest.raises(ValueError):
        plvm.recognize(solid(RED), concepts(plvm, 1), use_cache=True)


def test_choose_scores_every_option(plvm):
    (c,) = concepts(plvm, 1)
    options = {"A": "brown", "B": "blue", "C": "red"}
    for scoring in ("letter", "text"):
        choice = plvm.choose(solid(RED), "What is <p0>'s hair color?", options, [c], scoring=scoring)
        assert set(choice.scores) == set(options)
        assert choice.letter == max(choice.scores, key=choice.scores.get)
        assert all(s < 0 for s in choice.scores.values())
    text_only = plvm.choose(None, "What is <p0>'s hair color?", options, [c])
    assert text_only.letter in options


def test_caption_and_answer_return_text(plvm):
    cs = concepts(plvm)
    assert isinstance(plvm.caption(solid(RED), cs, max_new_tokens=4), str)
    assert isinstance(plvm.answer(None, "What is <p0>'s hair color?", cs[:1], max_new_tokens=4), str)
