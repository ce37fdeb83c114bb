"""The domain of every input: upper bounds on values that drive memory or run time, and the
size limits of the TOML text read before it is parsed.

Each bound is far above any realistic research use (the largest shipped scenario and
validation case are noted next to it) and far below what would overflow a float, exhaust
memory or run for days. Bounds on single values cannot catch every combination (a long
horizon *and* a high rate); :mod:`btoagents.config.budget` estimates a run's events and
memory from the whole scenario before it starts.
"""

from __future__ import annotations

#: bytes of one scenario file, experiment file or ``--set`` item; the largest shipped file
#: is under 5 kB. Checked before the text is read, so a huge file is refused at once.
MAX_TOML_BYTES = 1_000_000
#: nesting of arrays and inline tables (``[[[...]]]``, ``{a = {b = ...}}``) and of tables
#: in a parsed document; scenarios need 3 levels. Checked before parsing (the TOML parser
#: recurses once per level and fails near 1,000).
MAX_TOML_DEPTH = 32

#: days of one replication's horizon (about 2,700 years; the longest validation case runs
#: 177,000 days).
MAX_HORIZON_DAYS = 1_000_000.0
#: days of any other duration or date (lead times, life cycles, reviews, patience, the day
#: of a popularity shift; 1e6 is used as "never"): about 27,000 years.
MAX_DAYS = 10_000_000.0
#: shortest period of a cycle that the clock divides by (the demand season, a slot): 0.001
#: days, about 1.4 minutes. Shorter ones lose all precision against a clock of 1e6 days.
MIN_PERIOD_DAYS = 0.001
#: shortest life cycle of a variant generation: one day.
MIN_LIFE_CYCLE_DAYS = 1.0

#: orders or units per day of one arrival or service rate (final-customer demand of a
#: family, bulk orders, a line or supplier server); the largest preset rate is 25 per day.
MAX_RATE_PER_DAY = 1_000_000.0
#: final customers in the population (each is an agent: about 1 kB).
MAX_CUSTOMERS = 1_000_000
#: dealers (each holds a stock record per variant).
MAX_DEALERS = 10_000
#: variants of one product family.
MAX_VARIANTS = 100_000
#: production lines, overtime lines or supplier servers.
MAX_SERVERS = 10_000
#: units of one stock target, reorder point, safety stock, bulk order size or queue length
#: (every unit in stock is held one by one, with its age).
MAX_UNITS = 1_000_000
#: currency units of one price, cost or cost rate (sums over a run stay finite).
MAX_MONEY = 1e12
#: dimensionless factors: coefficients of variation, Zipf exponent, quote factor, safety z.
MAX_FACTOR = 1_000.0
#: smallest coefficient of variation of a gamma or lognormal time (shape 1/cv^2 = 1e6).
MIN_CV = 0.001
#: retries of a deferred request.
MAX_DEFERS = 100
#: periods in a moving-average forecast window.
MAX_FORECAST_WINDOW = 10_000

#: replications of one scenario or experiment (validation re-runs use 80).
MAX_REPLICATIONS = 10_000
#: root seeds fit an unsigned 64-bit integer.
MAX_SEED = 2**64 - 1
#: design samples (points of a Latin hypercube or Sobol design, Saltelli's base N, Morris
#: trajectories); the paper's sensitivity design uses 256.
MAX_SAMPLES = 100_000
#: grid levels of a Morris design.
MAX_MORRIS_LEVELS = 1_000
#: design points of one experiment (factorial grids multiply their levels).
MAX_DESIGN_POINTS = 100_000
#: runs of one experiment: design points x arms x replications.
MAX_RUNS = 1_000_000
