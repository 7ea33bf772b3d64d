"""``python -m plvm_photos``: the same program as the ``plvm-photos`` command."""

from plvm_photos.launcher import main

if __name__ == "__main__":
    main()
