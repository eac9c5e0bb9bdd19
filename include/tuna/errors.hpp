#pragma once
// Two kinds of failure, kept apart on purpose (as in Halide):
//  - UserError: the user's input is wrong (a spec, a flag, a file). It stops the command with a
//    message that says what was wrong, where, and how to fix it. Exit code 2.
//  - InternalError: a bug in tuna. It stops the command loudly. Exit code 70.
// A configuration that fails to compile or run is neither: it is data (see result.hpp).
#include <stdexcept>
#include <string>

namespace tuna {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Raised by the expression parser; `column` is 1-based within the expression text.
class ExprError : public UserError {
 public:
  ExprError(const std::string& message, std::size_t column)
      : UserError(message), column_(column) {}
  std::size_t column() const { return column_; }

 private:
  std::size_t column_;
};

// Asserts a condition that only a bug in tuna can break.
#define TUNA_ASSERT(cond, msg)                                                               \
  do {                                                                                       \
    if (!(cond))                                                                             \
      throw ::tuna::InternalError(std::string("internal error: ") + (msg) + " (" __FILE__ ":" + \
                                  std::to_string(__LINE__) + ")");                           \
  } while (0)

}  // namespace tuna
