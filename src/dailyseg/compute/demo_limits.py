"""The sizes of book the demo generator writes: apart from `demo`, which loads NumPy and PyArrow, so that a
command line can declare its options' ranges without loading them.
"""

from __future__ import annotations

# Each customer class gets its share of the accounts (60/20/20 %), at least 10 of them. The generator
# reproduced the sample at 50 and 60 accounts for each of 300 seeds, and at 50 with 0 to 100 positions.
MIN_ACCOUNTS = 50
# Open positions per account: none is a valid book. A chunk of 500,000 accounts holds its positions in
# memory while it is written, about 150 bytes each (measured): 100 an account is about 7.5 GB.
MIN_POSITIONS = 0
MAX_POSITIONS = 100
