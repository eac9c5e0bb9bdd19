#pragma once
// Reading OpenCL build logs. Free of OpenCL types so tests use it without the headers.
#include <string>
#include <string_view>

namespace tuna::opencl {

// The first error line of a build log, with the name the implementation gives the in-memory
// source ("<source>", "<kernel>", "<program source>", ...) and any directories replaced by
// `file_name`: "saxpy.cl:12:5: error: use of undeclared identifier 'x'". Falls back to the
// first line that mentions an error, then to the first non-empty line; "" for an empty log.
std::string first_error_line(std::string_view log, std::string_view file_name);

}  // namespace tuna::opencl
