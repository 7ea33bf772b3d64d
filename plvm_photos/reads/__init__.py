"""What the CLI and the gallery show, read once: one function per read model, typed values out."""
