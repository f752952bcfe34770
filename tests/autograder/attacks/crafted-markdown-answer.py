# chapter: optimizers
# Written answers crafted for the markdown renderer (markdown-it) of the TA pages and the feedback
# pages: 72 KB of link reference definitions (each one made the parser reread the rest of the
# block) and 72 KB of alternating emphasis markers. Before: a two-student run 25 s -> 127 s and
# `manual export` 5 s -> 162 s; one 72 KB answer took 247 s to render. Now reference definitions
# are not parsed, and text over 10,000 characters is shown escaped as plain text (with a note).
# Written answers are graded by hand: the attacker scores what its base does.
import classroom

CRAFTED = {"q1_answer": "[a]: b\n" * 10000, "q2_answer": "*a_" * 24000}


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "optimizers", replace=CRAFTED)


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "optimizers", replace={"q1_answer": "An answer.",
                                                                              "q2_answer": "Another."})
