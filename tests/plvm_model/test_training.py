import json
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.plvm_model.tiny import solid, striped  # noqa: E402

from plvm_model.data import PLVMTrainingDataset, TrainingExample  # noqa: E402
from plvm_model.loss import weighted_answer_loss  # noqa: E402
from plvm_model.lvlm import PLVM  # noqa: E402
from plvm_model.training import Trainer, TrainConfig, latest_checkpoint  # noqa: E402

RED, GREEN, BLUE, GREY = (220, 20, 20), (20, 200, 20), (20, 20, 220), (128, 128, 128)


def test_eq2_against_hand_computation():
    # one sequence, answer tokens at label positions 1..3; position 1 is the "Yes" token
    logits = torch.tensor([[[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 3.0], [0.0, 0.0, 0.0]]])
    labels = torch.tensor([[-100, 0, 1, 2]])
    yes_no = torch.tensor([[False, True, False, False]])
    w = 20.0

    def ce(row, target):
        return -math.log(math.exp(row[target]) / sum(math.exp(v) for v in row))

    rows = logits[0].tolist()
    ces = [ce(rows[0], 0), ce(rows[1], 1), ce(rows[2], 2)]
    expected = (w * ces[0] + ces[1] + ces[2]) / (w + 1 + 1)
    assert float(weighted_answer_loss(logits, labels, yes_no, w)) == pytest.approx(expected, rel=1e-6)
    # w = 1 is Eq. 1: the plain mean over answer tokens
    assert float(weighted_answer_loss(logits, labels, yes_no, 1.0)) == pytest.approx(sum(ces) / 3, rel=1e-6)
    # batch: per-sequence normalisation, then the mean over sequences
    two = weighted_answer_loss(torch.cat([logits, logits]), torch.cat([labels, torch.tensor([[-100, -100, -100, 2]])]),
                               torch.cat([yes_no, torch.zeros_like(yes_no)]), w)
    assert float(two) == pytest.approx((expected + ce(rows[2], 2)) / 2, rel=1e-6)


def recognition_examples():
    refs = {"red": solid(RED), "blue": solid(BLUE)}
    queries = {"red": striped(RED, GREY), "blue": striped(BLUE, GREY)}
    out = []
    for ref_name, ref in refs.items():
        for q_name, q in queries.items():
            yes = ref_name == q_name
            answer = "Yes, <sks> is in this photo." if yes else "No, <sks> is not in this photo."
            out.append(TrainingExample(ref, q, "Is <sks> in this photo?", answer, "recognition", label=yes))
    return out


def test_batch_marks_yes_no_and_concept_tokens(plvm):
    batch = plvm.build_batch(recognition_examples()[:2] + [
        TrainingExample(solid(RED), None, "What is <sks>'s hair color?", "<sks> has brown hair.", "attribute")])
    assert batch.yes_no_mask.sum(1).tolist() == [1, 1, 0]
    assert batch.query_pixels.shape[0] == 2 and batch.has_image == [True, True, False]
    yes_pos = batch.yes_no_mask[0].nonzero()[0, 0]
    assert int(batch.labels[0, yes_pos]) == plvm.prompts.yes_id
    assert int(batch.labels[1, batch.yes_no_mask[1].nonzero()[0, 0]]) == plvm.prompts.no_id
    ext = plvm._extended_labels(batch.labels)
    # "<sks>" in the answers is predicted through the e_weight column vocab_size + 0
    assert (ext == plvm.vocab_size).sum(1).tolist() == [1, 1, 1]
    assert (batch.labels[2] != -100).sum() > 0 and batch.attention_mask[2].sum() < batch.attention_mask[0].sum()


def test_gradients_reach_exactly_the_trainable_parameters(plvm):
    trainable = {id(p) for p in plvm.trainable_parameters()}
    assert trainable == {id(p) for p in plvm.aligner.heads.parameters()}
    plvm.train()
    loss = plvm(plvm.build_batch(recognition_examples()[:2]))
    loss.backward()
    for name, p in plvm.named_parameters():
        if id(p) in trainable:
            assert p.grad is not None and p.grad.abs().sum() > 0, name
        else:
            assert p.grad is None and not p.requires_grad, name


def test_overfitting_recognition_reaches_full_accuracy(plvm):
    examples = recognition_examples()
    torch.manual_seed(0)
    opt = torch.optim.AdamW(plvm.trainable_parameters(), lr=1e-3)
    batch = plvm.build_batch(examples)

    def accuracy():
        plvm.eval()
        right = 0
        for e in examples:
            (c,) = plvm.encode_concepts([e.reference_image], ["<x>"])
            right += (plvm.recognize(e.query_image, [c], question=e.question)[0] >= 0.5) == e.label
        return right / len(examples)

    before = accuracy()
    for step in range(300):
        plvm.train()
        loss = plvm(batch, yes_no_weight=20.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 19 and accuracy() == 1.0:
            break
    assert before < 1.0
    assert accuracy() == 1.0


def test_checkpoint_round_trip_gives_identical_outputs(plvm, tiny_config, tmp_path):
    with torch.no_grad():
        for p in plvm.aligner.heads.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    ref, query = solid(RED), striped(GREEN, BLUE)
    cs = plvm.encode_concepts([ref], ["<r>"])
    before = plvm.recognize(query, cs)
    plvm.save_pretrained(tmp_path / "ckpt")
    saved = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert saved == ["aligner_heads.safetensors", "plvm_config.json"]
    names = json.loads((tmp_path / "ckpt" / "plvm_config.json").read_text())
    assert names["lvlm"] == tiny_config.lvlm and names["aligner"]["encoder"] == tiny_config.aligner.encoder
    # only the heads are stored: the file is about the size of the trainable parameters
    n_bytes = sum(p.numel() * 4 for p in plvm.trainable_parameters())
    assert (tmp_path / "ckpt" / "aligner_heads.safetensors").stat().st_size < n_bytes + 20_000
    again = PLVM.from_pretrained(tmp_path / "ckpt").eval()
    cs2 = again.encode_concepts([ref], ["<r>"])
    assert torch.equal(cs[0].e_word, cs2[0].e_word) and torch.equal(cs[0].context, cs2[0].context)
    assert again.recognize(query, cs2) == before


def make_training_folder(root):
    colors = {"ann": RED, "bob": BLUE, "cy": GREEN}
    for name, color in colors.items():
        (root / name / "query").mkdir(parents=True)
        solid(color).save(root / name / "ref.jpg")
        for i, other in enumerate((GREY, (250, 250, 250))):
            striped(color, other).save(root / name / "query" / f"{i}.png")
        (root / name / "attributes.json").write_text(json.dumps(
            [{"question": "What is <sks>'s hair color?", "answer": "<sks> has brown hair."}]))
    return root


def test_dataset_follows_the_folder_layout_and_ratios(tmp_path):
    ds = PLVMTrainingDataset(make_training_folder(tmp_path / "data"), length=400, positive_ratio=0.5,
                             recognition_ratio=0.5, seed=3)
    assert [i.name for i in ds.identities] == ["ann", "bob", "cy"]
    kinds = [ds[i] for i in range(400)]
    recog = [e for e in kinds if e.kind == "recognition"]
    assert 0.4 < len(recog) / 400 < 0.6
    assert 0.4 < sum(e.label for e in recog) / len(recog) < 0.6
    assert all(e.query_image is None for e in kinds if e.kind == "attribute")
    assert all(e.answer.startswith("Yes" if e.label else "No") for e in recog)
    assert ds[7].question == ds[7].question and ds[7].answer == PLVMTrainingDataset(
        tmp_path / "data", length=400, seed=3)[7].answer


def test_trainer_checkpoints_and_resumes_exactly(tiny_config, tmp_path):
    data = make_training_folder(tmp_path / "data")

    def run(out, steps):
        torch.manual_seed(5)
        model = PLVM.from_config(tiny_config)
        ds = PLVMTrainingDataset(data, length=16, seed=1)
        logs = []
        trainer = Trainer(model, ds, TrainConfig(output_dir=str(out), steps=steps, checkpoint_every=2, log_every=1,
                                                 keep_checkpoints=2), log=logs.append)
        trainer.train()
        return model, logs

    straight, _ = run(tmp_path / "a", 4)
    run(tmp_path / "b", 2)
    resumed, logs = run(tmp_path / "b", 4)
    assert any("resumed" in line and "step 2" in line for line in logs)
    assert any(line.startswith("step 4/4 loss") for line in logs)
    for (name, a), b in zip(straight.aligner.heads.state_dict().items(), resumed.aligner.heads.state_dict().values()):
        torch.testing.assert_close(a, b, msg=name)
    assert latest_checkpoint(tmp_path / "b").name == "checkpoint-0000004"
    assert len(list((tmp_path / "b").glob("checkpoint-*"))) == 2


def test_plvm_train_cli(tiny_config, tmp_path, capsys):
    from plvm_model.train_cli import main

    data = make_training_folder(tmp_path / "data")
    rc = main([str(data), "--output", str(tmp_path / "out"), "--lvlm", tiny_config.lvlm,
               "--encoder", tiny_config.aligner.encoder, "--queries", "4", "--steps", "2", "--checkpoint-every", "1",
               "--log-every", "1", "--device", "cpu"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "3 identities" in out and "step 2/2" in out
    ckpt = latest_checkpoint(tmp_path / "out")
    assert (ckpt / "aligner_heads.safetensors").exists()
    PLVM.from_pretrained(ckpt)  # loadable
