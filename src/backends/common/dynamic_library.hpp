#pragma once
// Libraries opened at run time (DESIGN.md §3): tuna links no driver or compiler library, so one
// binary starts on a machine that lacks them and says what is missing. RAII for dlopen handles,
// the search over candidate names, and the typed lookup of a library's functions.
#include <dlfcn.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuna::backends {

class SharedLibrary {
 public:
  SharedLibrary() = default;
  // RTLD_LOCAL because every host artifact exports the same `tuna_entry`: each library must
  // resolve its own. RTLD_NOW so a missing symbol is reported here, not in the middle of a timed
  // run. `extra_flags` are or'ed in (open_first adds RTLD_NODELETE). Check valid() / error()
  // afterwards.
  explicit SharedLibrary(const std::filesystem::path& path, int extra_flags = 0);
  SharedLibrary(SharedLibrary&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), error_(std::move(other.error_)) {}
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary() { close(); }

  bool valid() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }

  // The address of `name`, or nullptr (with the loader's reason in `why`).
  void* symbol(const std::string& name, std::string& why) const;

 private:
  void close();

  void* handle_ = nullptr;
  std::string error_;
};

// The first of `candidates` (file names for the loader's search path, or absolute paths) that
// dlopen accepts. On failure the result is not valid() and `tried` lists every attempt with the
// loader's reason, for the error message. A driver or compiler library opened here stays loaded
// until the process ends, its handle closed or not (RTLD_NODELETE): unloading it is unsafe while
// its threads and exit handlers live, and what it keeps in its static storage would turn into
// leaks that LeakSanitizer reports with no library name to tell them by.
struct OpenedLibrary {
  SharedLibrary library;
  std::string path;   // the candidate that opened
  std::string tried;  // "libx.so.1 (reason); /a/b/libx.so (reason)" when none opened
};
OpenedLibrary open_first(const std::vector<std::string>& candidates);

// Typed lookups of a library's functions that remember which were missing, so that one error
// can name them all.
class SymbolTable {
 public:
  explicit SymbolTable(const SharedLibrary& library) : library_(library) {}

  // The function `name` as `Function`, or nullptr (and `name` counted as missing).
  template <class Function>
  Function get(const char* name) {
    return reinterpret_cast<Function>(find({name}));
  }
  // The first of `names` the library has (a newer entry point before its older form); when it
  // has none, the last name is counted as missing.
  template <class Function>
  Function get_first(std::initializer_list<const char*> names) {
    return reinterpret_cast<Function>(find(names));
  }
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  void* find(std::initializer_list<const char*> names);

  const SharedLibrary& library_;
  std::vector<std::string> missing_;
};

// A library tuna cannot work without (the CUDA driver, NVRTC, the OpenCL loader), opened when
// the API object is made, with the table its functions are looked up in. An API class derives
// from it and declares each function with TUNA_LIBRARY_FUNCTION (looked up as its members are
// initialised, after this base); its constructor then calls require_functions().
class LoadedLibrary {
 public:
  LoadedLibrary(const LoadedLibrary&) = delete;
  LoadedLibrary& operator=(const LoadedLibrary&) = delete;
  const std::string& library_path() const { return opened_.path; }

 protected:
  // Opens the first of `candidates` that loads. Throws UserError with `cannot_open`, a format
  // string whose {} receives what was tried and why each failed, when none does.
  LoadedLibrary(const std::vector<std::string>& candidates, std::string_view cannot_open);
  ~LoadedLibrary() = default;
  // Throws UserError with `lacking`, a format string receiving the library's path and the
  // missing functions, when a lookup failed.
  void require_functions(std::string_view lacking) const;

  OpenedLibrary opened_;
  SymbolTable symbols_{opened_.library};
};

// Declares a member pointer to the C function `symbol` (its type taken from the SDK's header)
// and looks it up in `symbols_` (LoadedLibrary's table). One line per function
// keeps the declaration and the lookup from drifting apart.
#define TUNA_LIBRARY_FUNCTION(member, symbol) \
  decltype(&::symbol) member = symbols_.get<decltype(&::symbol)>(#symbol)

// The folder holding a library mapped into this process (dladdr on one of its symbols), or an
// empty path.
std::filesystem::path folder_of_symbol(void* address);

}  // namespace tuna::backends
