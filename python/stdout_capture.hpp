#pragma once
// What a command prints on standard output, taken instead of printed: the JSON document of a
// command run with --json. It redirects file descriptor 1 itself (to an unnamed temporary file),
// so output written with printf, fmt::print or std::cout is all caught, and puts the original
// back when finished or destroyed (an exception on the way out included).
#include <string>

namespace tuna::python {

class StdoutCapture {
 public:
  StdoutCapture();
  ~StdoutCapture();
  StdoutCapture(const StdoutCapture&) = delete;
  StdoutCapture& operator=(const StdoutCapture&) = delete;

  // Restores standard output and returns what was written meanwhile.
  std::string finish();

 private:
  void restore();
  int saved_fd_ = -1;
  int capture_fd_ = -1;
};

}  // namespace tuna::python
