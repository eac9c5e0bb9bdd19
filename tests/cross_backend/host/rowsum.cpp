// out[r] = sum of row r (row-major fp32) on the CPU, with ACC interleaved partial sums per row.
#include <cstdint>

extern "C" void rowsum(const float* x, float* out, std::int32_t rows, std::int32_t cols) {
  for (std::int32_t r = 0; r < rows; ++r) {
    float partial[ACC] = {};
    for (std::int32_t c = 0; c < cols; ++c) partial[c % ACC] += x[r * cols + c];
    float sum = 0.0f;
    for (int i = 0; i < ACC; ++i) sum += partial[i];
    out[r] = sum;
  }
}
