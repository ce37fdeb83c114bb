"""Figures of the paper: one function per figure, reading stored results only.

Nothing is imported here, so that the command line can load ``figures.command`` without
matplotlib. The pieces:

- :mod:`~btoagents.figures.registry`: the list of figures, each with its experiment file,
  plotting function and numbers function (adding a figure is one entry there);
- :mod:`~btoagents.figures.build`: ``btoagents figures``: run (resume) the experiments and
  the validation, render every figure to PDF and PNG, write ``paper/generated/``;
- :mod:`~btoagents.figures.stored`: stored results of one experiment and their summaries;
- :mod:`~btoagents.figures.style`: sizes, fonts, palette and saving;
- :mod:`~btoagents.figures.numbers`: LaTeX macros for numbers quoted in the text;
- one module per topic: ``frontier`` (question 1), ``variety`` (question 2),
  ``sensitivity`` (question 5), ``validation`` (the verification table).
"""
