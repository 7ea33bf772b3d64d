"""The curation commands: the same actions as the gallery's, from a terminal."""

from __future__ import annotations

from tests.curation.small_library import cli_json, run_cli


def test_every_curation_command(small_lib):
    lib, root, photos = small_lib
    lib.close()
    L = ["-L", str(root)]
    suggested = cli_json([*L, "suggestions"])
    assert [(s["person"], s["path"].rsplit("/", 1)[1]) for s in suggested] == [("Bea", "obama_and_biden.jpg"),
                                                                               ("Marissa", "kit_with_rose.jpg")]
    unknown = cli_json([*L, "faces", "--unknown"])  # saves the clusters `name --cluster` names
    assert [c["size"] for c in unknown["clusters"]] == [3, 2] and len(unknown["singles"]) == 2

    named = cli_json([*L, "name", "Jöe Bïden", "--cluster", "1"])
    assert named == {"person": "Jöe Bïden", "created": True, "faces": 3, "photos": 3}
    named = cli_json([*L, "name", "<kit>", str(photos / "johnsnow.jpg"), "--face", "1"])
    assert named["created"] and named["photos"] == 2  # found in kit_with_rose.jpg by the confirmed face
    drawn = cli_json([*L, "draw", str(photos / "obama2.jpg"), "<ghost>", "--box", "20,20,140,150"])
    assert drawn["created"] and drawn["photos"] == 1
    faces = cli_json([*L, "faces", str(photos / "obama2.jpg")])["faces"]
    assert [(f["person"], f["box"]) for f in faces][0] == ("ghost", [20, 20, 140, 150])

    merged = cli_json([*L, "merge", "kit", "ghost"])
    assert merged["merged"] == "ghost" and merged["confirmed"] == 1 and merged["photos"] == 3
    assert "ghost" not in {p["name"] for p in cli_json([*L, "people"])}

    assert run_cli([*L, "hide", "kit"]).stdout.strip() == "hid kit"
    assert "kit" not in {p["name"] for p in cli_json([*L, "people"])}
    assert [p["name"] for p in cli_json([*L, "hidden"])] == ["kit"]
    assert run_cli([*L, "unhide", "kit"]).stdout.strip() == "kit is listed again"

    ref = cli_json([*L, "set-reference", "obama", str(photos / "two_people.jpg"), "--face", "1", "--replace"])
    assert ref["references"] == 1 and ref["replaced"] == 1 and ref["photos"] == 4

    listed = [a["action"] for a in cli_json([*L, "undo", "--list"])]
    assert listed[:6] == ["reference", "unhide", "hide", "merge", "draw", "name"]
    for action in listed[:5]:  # back to just after naming kit
        assert cli_json([*L, "undo"])["action"] == action
    people = {p["name"]: p for p in cli_json([*L, "people"])}
    assert people["kit"]["photos"] == 2 and people["Obama"]["references"] == 1 and "ghost" not in people
    assert people["Jöe Bïden"]["photos"] == 3

    failed = run_cli([*L, "name", "x", str(photos / "johnsnow.jpg")])
    assert failed.exit_code != 0 and "--face N" in str(failed.exception)
    failed = run_cli([*L, "draw", str(photos / "obama2.jpg"), "x", "--box", "1,2,3"])
    assert failed.exit_code != 0 and "LEFT,TOP,RIGHT,BOTTOM" in str(failed.exception)
