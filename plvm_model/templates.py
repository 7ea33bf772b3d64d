"""Question-answer templates of the paper's appendix (Tables 10 and 11) and prompt wording.

``<sks>`` stands for the personalised concept and is replaced by the concept's name.
"""

from __future__ import annotations

SKS = "<sks>"

# Table 10: positive (Yes) recognition.
POSITIVE_RECOGNITION: tuple[tuple[str, str], ...] = (
    ("Is <sks> in this photo?", "Yes, <sks> is in this photo."),
    ("Can you tell if <sks> appears in this picture?", "Yes, <sks> appears in this picture."),
    ("Could you check whether <sks> is in the image?", "Yes, <sks> is indeed in the image."),
    ("Do you see <sks> anywhere in this snapshot?", "Yes, <sks> is visible in this snapshot."),
    ("Is there a chance <sks> could be in this photo?", "Yes, <sks> is in this photo."),
    ("Would you happen to know if <sks> is shown in this photograph?", "Yes, <sks> is shown in this photograph."),
    ("Can you see <sks> in this photo?", "Yes, I can confirm that <sks> is indeed in the photo."),
    ("Have you spotted <sks> in this photo?", "Yes, I have spotted <sks> in this photo."),
    ("Is that <sks> in the photo there?", "Yes, that is <sks> in the photo."),
    ("Is <sks> in this image?", "Yes, <sks> is in this image."),
    ("Am I seeing <sks> in this picture?", "Yes, you are seeing <sks> in this picture."),
    ("Does this photo include <sks>?", "Yes, this photo includes <sks>."),
    ("Is <sks> featured in this photo?", "Yes, <sks> is featured in this photo."),
    ("Can you point out <sks> in this photo?", "Yes, <sks> is right here in the photo."),
    ("Is <sks> visible in this photo?", "Yes, <sks> is visible in this photo."),
    ("Check if <sks> is in this photo for me, will you?", "Yes, <sks> is in this photo."),
    ("Hey AI, can you tell me if you see <sks> in this photo?", "Yes, I can confirm that <sks> is indeed in the photo."),
    ("Do you recognize <sks> in this photo?", "Yes, I do recognize <sks> in this photo."),
    ("I'm looking for <sks>, is <sks> in this photo?", "Yes, <sks> is in this photo."),
    ("Can you see if <sks> is in this photo?", "Yes, <sks> is indeed in the photo."),
    ("This photo, does it have <sks>?", "Yes, this photo does have <sks>."),
    ("Could you confirm if this is <sks> in the photo?", "Yes, I can confirm that this is <sks> in the photo."),
    ("Any chance that <sks> might be in this photo?", "Yes, <sks> is definitely in this photo."),
    ("Can you recognize if <sks> is in this photo?", "Yes, <sks> is indeed in the photo."),
    ("Has <sks> been captured in this photo?", "Yes, <sks> has been captured in this photo."),
    ("<sks>'s in this photo, right?", "Yes, <sks> is in this photo."),
    ("Is <sks> present in this particular photo?", "Yes, <sks> is present in this particular photo."),
    ("Hey AI, can you tell me if you recognize <sks> in this photo?", "Yes, I can see <sks> in the photo."),
    ("Can you see if <sks> is in this photo?", "Yes, <sks> is in this photo."),
)

# Table 11: negative (No) recognition.
NEGATIVE_RECOGNITION: tuple[tuple[str, str], ...] = (
    ("Is <sks> in this photo?", "No, <sks> is not in this photo."),
    ("Can you tell if <sks> appears in this picture?", "No, <sks> is not in this picture."),
    ("Could you check whether <sks> is in the image?", "No, <sks> is not in the image."),
    ("Do you see <sks> anywhere in this snapshot?", "No, <sks> does not appear in this snapshot."),
    ("Is there a chance <sks> could be in this photo?", "No, there's no indication that <sks> is in this photo."),
    ("Would you happen to know if <sks> is shown in this photograph?", "No, <sks> is not shown in the photograph."),
    ("Can you recognize if <sks> is in this photo?", "No, <sks> is not present in the photo."),
    ("Have you spotted <sks> in this photo?", "No, I have not spotted <sks> in this photo."),
    ("Is that <sks> in the photo there?", "No, that is not <sks> in the photo."),
    ("Can you check if <sks> is in this photo?", "No, <sks> is not present in the image you provided."),
    ("Am I seeing <sks> in this picture?", "No, you are not seeing <sks> in this picture."),
    ("Does this photo include <sks>?", "No, this photo does not include <sks>."),
    ("Is <sks> featured in this photo?", "No, <sks> is not featured in this photo."),
    ("Can you point out <sks> in this photo?", "No, I can't point out <sks> because <sks> is not in the photo."),
    ("Is <sks> visible in this photo?", "No, <sks> is not visible in this photo."),
    ("Check if <sks> is in this photo for me, will you?", "No, <sks> is not in this photo."),
    ("Can you see <sks> in this photo?", "No, <sks> is not present in the photo."),
    ("Do you recognize <sks> in this photo?", "No, I do not recognize <sks> in this photo."),
    ("I'm looking for <sks>, is <sks> in this photo?", "No, <sks> is not in this photo."),
    ("Is there any sign of <sks> in this photo?", "No, there is no sign of <sks> in this photo."),
    ("This photo, does it have <sks>?", "No, this photo does not have <sks>."),
    ("Could you confirm if this is <sks> in the photo?", "No, <sks> is not in the photo."),
    ("Can you see if <sks> is in this photo?", "No, <sks> is not present in the photo."),
    ("Is <sks> part of the group in this photo?", "No, <sks> is not part of the group in the photo."),
    ("I think I see <sks>, is it so?", "No, <sks> is not in the photo."),
    ("Has <sks> been captured in this photo?", "No, <sks> has not been captured in this photo."),
    ("<sks>'s in this photo, right?", "No, <sks>'s not in this photo."),
    ("Is <sks> present in this particular photo?", "No, <sks> is not present in this particular photo."),
    ("I can't find <sks>, is <sks> in the photo?", "No, you can't find <sks> because <sks> is not in the photo."),
    ("Is <sks> in this image?", "No, <sks> is not in this image."),
)

# Section 3.3 / appendix: attribute questions answered from the reference image alone.
ATTRIBUTE_QUESTIONS: tuple[str, ...] = (
    "What is <sks>'s hair color?",
    "What color are <sks>'s eyes?",
    "What is <sks>'s skin tone?",
    "How would you describe <sks>'s hairstyle?",
    "Does <sks> have any distinctive facial features?",
    "Is <sks> young or old?",
    "What do you describe about <sks>'s nose?",
)

# The evaluation prompts of appendix A.4.
RECOGNITION_QUESTION = "Is <sks> in this photo? Answer with Yes or No."
CHOICE_INSTRUCTION = "Choose the letter corresponding to the correct answer."
CAPTION_QUESTION = "Describe this photo, naming <sks> where they appear."


def fill(template: str, name: str) -> str:
    """Replace ``<sks>`` in a template with a concept's name (e.g. ``<mike>``)."""
    return template.replace(SKS, name)


def choice_question(question: str, options: dict[str, str]) -> str:
    lines = [CHOICE_INSTRUCTION, question]
    lines += [f"{letter}. {text}" for letter, text in options.items()]
    return "\n".join(lines)
