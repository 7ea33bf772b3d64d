"""``python -m plvm_photos.demo``: the README's first command."""

from plvm_photos.demo.run import main

if __name__ == "__main__":
    main()
