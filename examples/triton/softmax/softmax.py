"""Row-wise softmax of a row-major fp32 matrix in Triton, for tuna's Triton backend.

y[r, :] = exp(x[r, :] - max(x[r, :])) / sum(exp(x[r, :] - max(x[r, :])))

COLS is a compile-time constant (the spec's problem constant), so the compiler knows the
row's length and alignment: loads and stores stay 16 bytes wide under their masks. Two
strategies, chosen at compile time by BLOCK_SIZE:

- BLOCK_SIZE >= COLS: the whole row is loaded into registers once, reduced twice (max, sum)
  and written: one read and one write per element, the memory-bound ideal.
- BLOCK_SIZE < COLS: the row is walked in BLOCK_SIZE chunks twice. The first pass keeps a
  running maximum and a running sum that is rescaled whenever the maximum grows (the "online"
  softmax); the second pass re-reads each chunk and writes it normalised. The re-read is
  cheap only while the rows in flight stay in L2.

Each program handles rows pid, pid + P, pid + 2P, ... where P is the number of programs (the
spec's grid is ROWS / ROWS_PER_PROGRAM). With the whole row in registers, LOOP_STAGES > 1
software-pipelines that loop: the next LOOP_STAGES - 1 rows are copied into shared memory
(cp.async) while this one is reduced. It is given to the loop itself (tl.range) because
Triton's num_stages compile option left this loop alone (Triton 3.6 and 3.9 for sm_90: no
cp.async in the PTX); the chunked path's nested loops are not pipelined either way.
"""

import triton
import triton.language as tl


@triton.jit
def softmax_kernel(x_ptr, y_ptr, rows,
                   COLS: tl.constexpr, BLOCK_SIZE: tl.constexpr, LOOP_STAGES: tl.constexpr):
    first = tl.program_id(0)
    step = tl.num_programs(0)
    offs = tl.arange(0, BLOCK_SIZE)
    for row in tl.range(first, rows, step, num_stages=LOOP_STAGES):
        x_row = x_ptr + row * COLS
        y_row = y_ptr + row * COLS
        if BLOCK_SIZE >= COLS:
            mask = offs < COLS
            x = tl.load(x_row + offs, mask=mask, other=-float("inf"))
            e = tl.exp(x - tl.max(x, axis=0))
            tl.store(y_row + offs, e / tl.sum(e, axis=0), mask=mask)
        else:
            # Per lane running maximum and sum; lanes are merged once at the end, so the loop
            # carries no cross-thread reduction.
            m = tl.full((BLOCK_SIZE,), -float("inf"), tl.float32)
            s = tl.zeros((BLOCK_SIZE,), tl.float32)
            for start in range(0, COLS, BLOCK_SIZE):
                mask = start + offs < COLS
                x = tl.load(x_row + start + offs, mask=mask, other=-float("inf"))
                m_new = tl.maximum(m, x)
                # A lane that has seen only -inf so far has m_new = -inf: keep its sum at 0
                # rather than computing exp(-inf - -inf) = exp(nan).
                safe = tl.where(m_new == -float("inf"), 0.0, m_new)
                s = s * tl.exp(m - safe) + tl.exp(x - safe)
                m = m_new
            row_max = tl.max(m, axis=0)
            row_sum = tl.sum(s * tl.exp(m - row_max), axis=0)
            for start in range(0, COLS, BLOCK_SIZE):
                mask = start + offs < COLS
                x = tl.load(x_row + start + offs, mask=mask)
                tl.store(y_row + start + offs, tl.exp(x - row_max) / row_sum, mask=mask)
