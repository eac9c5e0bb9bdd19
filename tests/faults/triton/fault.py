# y[i] = 2 * x[i] + 1, failing on purpose in the way MODE selects (README.md).
import triton
import triton.language as tl


@triton.jit
def fault(x_ptr, y_ptr, n, BLOCK: tl.constexpr, MODE: tl.constexpr):
    tl.static_assert(MODE != 4, "MODE 4 is a compile error on purpose")
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = 2.0 * x + 1.0
    if MODE == 1:
        # Correct, computed another way.
        y = x + x + 1.0
    if MODE == 3:
        # Never ends: x equals itself (the inputs are never NaN), and the volatile load is
        # re-read every time, so the compiler cannot prove it.
        probe = tl.load(x_ptr, volatile=True)
        while probe == probe:
            probe = tl.load(x_ptr, volatile=True)
        y = y + probe
    if MODE == 5:
        y = y + 0.5
    if MODE == 6:
        mask = offs < n - 1
    if MODE == 2:
        # 4 TiB past the end of y.
        tl.store(y_ptr + offs + (1 << 40), y, mask=mask)
    else:
        tl.store(y_ptr + offs, y, mask=mask)
