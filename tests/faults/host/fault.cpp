// A kernel that fails on purpose, one way per value of MODE (see README.md): tuna must record
// each failure with the right status and carry on. It computes out[i] = 2 * x[i] + 1.
//
// Every fault is written so that the optimiser cannot remove it or turn it into another one
// (volatile pointers and counters, empty asm statements): a null store must really fault, an
// endless loop must really spin.
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

#ifndef MODE
#define MODE 0
#endif
#ifndef REPEAT
#define REPEAT 1
#endif

#if MODE == 5
#error "MODE 5 fails to compile on purpose (an #error directive)"
#endif

namespace {

// Stops the compiler from merging the REPEAT passes into one: each pass really runs.
inline void compiler_barrier() { asm volatile("" ::: "memory"); }

void correct(const float* x, float* out, std::int32_t n) {
  for (std::int32_t i = 0; i < n; ++i) out[i] = 2.0f * x[i] + 1.0f;
}

// The same result through another loop shape: blocks of 8, last block first.
void correct_blocked(const float* x, float* out, std::int32_t n) {
  for (std::int32_t b = (n - 1) / 8 * 8; b >= 0; b -= 8)
    for (std::int32_t i = b; i < b + 8 && i < n; ++i) out[i] = 2.0f * x[i] + 1.0f;
}

[[maybe_unused]] int recurse_forever(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  return recurse_forever(depth + 1) + frame[0];  // not a tail call: the stack must grow
}

}  // namespace

void fault(const float* x, float* out, std::int32_t n) {
  for (int pass = 0; pass < REPEAT; ++pass) {
    compiler_barrier();
#if MODE == 0
    correct(x, out, n);
#elif MODE == 1
    correct_blocked(x, out, n);
#elif MODE == 2
    volatile float* volatile nowhere = nullptr;
    *nowhere = x[0];  // SIGSEGV: a store through a null pointer
#elif MODE == 3
    volatile std::int64_t far = std::int64_t{1} << 40;
    static_cast<volatile float*>(out)[far] = x[0];  // SIGSEGV: 4 TiB past the end of the buffer
#elif MODE == 4
    for (;;) asm volatile("");  // spins forever, using a full core
#elif MODE == 5
    // Never reached: the #error at the top stops the compiler first.
#elif MODE == 6
    static_assert(MODE != 6, "MODE 6 fails to compile on purpose (a static_assert)");
#elif MODE == 7
    correct(x, out, n - 1);  // the last element keeps tuna's poison value (NaN)
#elif MODE == 8
    correct(x, out, n);
    for (std::int32_t i = 0; i < n; ++i) out[i] += 0.5f;  // every element off by 0.5
#elif MODE == 9
    std::abort();  // SIGABRT
#elif MODE == 10
    throw std::runtime_error("MODE 10 throws on purpose");  // uncaught: std::terminate, SIGABRT
#elif MODE == 11
    out[0] = static_cast<float>(recurse_forever(0));  // SIGSEGV: stack overflow
#elif MODE == 12
    volatile int zero = 0;
    out[0] = static_cast<float>(n / zero);  // SIGFPE on x86 (AArch64 gives 0: a wrong result)
#elif MODE == 13
    std::_Exit(3);  // ends the whole process with status 3, as a kernel calling exit() would
#elif MODE == 14
    for (;;) pause();  // hangs without using the CPU
#elif MODE == 15
    std::raise(SIGKILL);  // killed from outside, as the kernel's OOM killer would
#else
#error "MODE must be between 0 and 15"
#endif
  }
}
