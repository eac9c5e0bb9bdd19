// tuna._core: the C++ side of the Python package (python/tuna/, docs/python.md). Deliberately
// small: it runs one tuna command in this process and hands back its exit code and, when asked,
// its standard output; everything else (flags, checks, messages, the store) is the command
// line's own code. Python's tuna package turns keyword arguments into flags and the JSON into
// objects.
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "base/paths.hpp"
#include "cli/cli.hpp"
#include "cli/interrupt.hpp"
#include "stdout_capture.hpp"
#include "tuna/errors.hpp"

namespace nb = nanobind;

namespace {

// Raises tuna.errors.<name> (UserError, InternalError) with `message`.
void raise_tuna_error(const char* name, const char* message) {
  nb::object type = nb::module_::import_("tuna.errors").attr(name);
  PyErr_SetString(type.ptr(), message);
}

// Runs `tuna ARGS...` with the GIL released (a tuning run takes minutes; Python threads go on).
// Any exception other than tuna's two kinds is a bug in tuna, reported as InternalError.
std::pair<int, std::string> run_command(const std::vector<std::string>& args, bool capture) {
  nb::gil_scoped_release unlocked;
  tuna::cli::SigintHandlerRestorer keep_python_sigint;
  try {
    if (!capture) return {tuna::cli::run(args), std::string()};
    tuna::python::StdoutCapture out;
    int code = tuna::cli::run(args);
    return {code, out.finish()};
  } catch (const tuna::UserError&) {
    throw;
  } catch (const tuna::InternalError&) {
    throw;
  } catch (const std::exception& e) {
    throw tuna::InternalError(std::string("internal error: ") + e.what());
  }
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "tuna's C++ core: runs tuna commands in-process (use the tuna package, not this)";
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const tuna::UserError& e) {
      raise_tuna_error("UserError", e.what());
    } catch (const tuna::InternalError& e) {
      raise_tuna_error("InternalError", e.what());
    }
  });
  m.def("run", &run_command, nb::arg("args"), nb::arg("capture_stdout") = true,
        "Runs `tuna ARGS...` here; returns (exit code, standard output when captured).");
  m.def("set_tuna_exe", [](const std::string& path) {
    tuna::register_installed_tuna_exe(path.c_str());
  }, nb::arg("path"), "The tuna binary that starts the compile pool and bench workers.");
  m.def("interrupted", &tuna::cli::interrupt_requested,
        "Whether Ctrl-C stopped the last tuning run.");
  m.attr("version") = TUNA_VERSION;
}
