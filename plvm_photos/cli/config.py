"""``plvm-photos config``: show or change the library's settings (engine, model locations, ...)."""

from __future__ import annotations

from typing import Optional

import typer

from plvm_photos.cli.app import app, emit, state
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError, MissingWeightsError, NoLibraryError
from plvm_photos.store.settings import SPECS


@app.command("config")
def config(
    key: Optional[str] = typer.Argument(None, help="A setting, e.g. engine or plvm.aligner (none: show all)."),
    value: Optional[str] = typer.Argument(None, help="The new value (none: show this setting)."),
    unset: bool = typer.Option(False, "--unset", help="Go back to the setting's default."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON on stdout."),
) -> None:
    """Show all settings, show one (config KEY) or set one (config KEY VALUE), e.g. config engine plvm.

    Settings: engine (face | plvm | hybrid | vlm); face.second_detector; plvm.aligner, plvm.lvlm,
    plvm.encoder, vlm.model (local folders or hub ids already downloaded); plvm.device, plvm.dtype,
    vlm.device, vlm.dtype (auto: cuda bf16 where present, else cpu float32); plvm.threshold,
    plvm.min_similarity, plvm.caption_tokens, plvm.ask_limit and the same for vlm.*. 'config' alone
    lists them all with their help.
    """
    changing = value is not None or unset
    try:
        settings = state.library(create=changing).settings
    except NoLibraryError:  # showing, where there is no library yet: the defaults, nothing created
        settings = None
    if key is None:
        if changing:
            raise typer.BadParameter("give a KEY to set or --unset")
        stored = settings.stored() if settings else {}
        values = settings.all() if settings else {k: spec.default for k, spec in SPECS.items()}
        rows = [{"key": k, "value": v, "default": SPECS[k].default, "set": k in stored, "help": SPECS[k].help}
                for k, v in values.items()]
        width = max(len(k) for k in values)
        text = "\n".join(
            f"{r['key']:<{width}}  {r['value'] or '(empty)'}{'' if r['set'] else '  (default)'}\n"
            f"{'':<{width}}  {r['help']}"
            for r in rows
        )
        emit(rows, as_json, text)
        return
    if unset:
        if value is not None:
            raise typer.BadParameter("--unset takes no VALUE")
        settings.unset(key)
        current = settings.get(key)
        emit({"key": key, "value": current, "set": False}, as_json, f"{key} = {current or '(empty)'} (default)")
        return
    if value is None:
        if settings is None:
            if key not in SPECS:
                raise LibraryError(f"unknown setting {key!r}; settings: {', '.join(SPECS)}")
            current, is_set = SPECS[key].default, False
        else:
            current, is_set = settings.get(key), key in settings.stored()
        emit({"key": key, "value": current, "set": is_set}, as_json, f"{key} = {current or '(empty)'}")
        return
    stored = settings.set(key, value)
    note = ""
    try:
        open_engine(state.library())  # checks the engine's weights: say now what is missing
    except MissingWeightsError as exc:
        note = f"\nnote: {exc}"
    emit({"key": key, "value": stored, "set": True}, as_json, f"{key} = {stored}{note}")
