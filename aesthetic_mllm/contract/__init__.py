"""The prompt contract, at the bottom of the house: what a model is asked and how its answers are read.

- ``tokens``: the image placeholder and MFA framing tokens.
- ``levels``: rating words <-> levels <-> scores in a dataset's explicit native range.
- ``prompts``: the conversations of every task (questions, the scoring answer, the PIAA layout).
- ``chat``: rendering through the tokenizer's chat template, label masking from offsets, and the
  inference prompts cut from the training render (rating-word ids found in context).

Task builders (training) and every scorer (inference) use these and nothing else, so the tokens a
model is scored with are the tokens it was trained on. Imports nothing heavy (no torch).
"""
