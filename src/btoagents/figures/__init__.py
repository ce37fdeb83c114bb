"""Figures of the paper: one function per figure, reading stored results only.

Nothing is imported here, so that the command line can load ``figures.command`` without
matplotlib. The pieces:

- :mod:`~btoagents.figures.registry`: the list of figures, each with its experiment file,
  plotting function and numbers function (adding a figure is one entry there);
- :mod:`~btoagents.figures.build`: render every figure to PDF and PNG and write
  ``paper/generated/`` from stored results (:mod:`btoagents.pipeline` runs the experiments
  and the validation first: ``btoagents figures``);
- :mod:`~btoagents.figures.stored`: stored results of one experiment and their summaries;
- :mod:`~btoagents.figures.style`: sizes, fonts, palette and saving;
- :mod:`~btoagents.figures.numbers`: LaTeX macros for numbers quoted in the text;
- one module per topic: ``frontier`` (question 1), ``variety`` (question 2),
  ``sensitivity`` (question 5), ``validation`` (the verification table).
"""
