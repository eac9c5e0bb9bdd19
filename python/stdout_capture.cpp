#include "stdout_capture.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tuna/errors.hpp"

namespace tuna::python {

namespace {

void flush_stdout() {
  std::cout.flush();
  std::fflush(stdout);
}

}  // namespace

StdoutCapture::StdoutCapture() {
  flush_stdout();
  char name[] = "/tmp/tuna-stdout-XXXXXX";
  capture_fd_ = mkstemp(name);
  if (capture_fd_ < 0) throw InternalError("cannot create a temporary file to capture output");
  unlink(name);  // unnamed: gone when closed
  saved_fd_ = dup(STDOUT_FILENO);
  if (saved_fd_ < 0 || dup2(capture_fd_, STDOUT_FILENO) < 0) {
    close(capture_fd_);
    if (saved_fd_ >= 0) close(saved_fd_);
    throw InternalError("cannot redirect standard output to capture it");
  }
}

StdoutCapture::~StdoutCapture() {
  restore();
  if (capture_fd_ >= 0) close(capture_fd_);
}

void StdoutCapture::restore() {
  if (saved_fd_ < 0) return;
  flush_stdout();
  dup2(saved_fd_, STDOUT_FILENO);
  close(saved_fd_);
  saved_fd_ = -1;
}

std::string StdoutCapture::finish() {
  restore();
  std::string text;
  if (lseek(capture_fd_, 0, SEEK_SET) == 0) {
    char buffer[65536];
    ssize_t n = 0;
    while ((n = read(capture_fd_, buffer, sizeof buffer)) > 0) text.append(buffer, std::size_t(n));
  }
  close(capture_fd_);
  capture_fd_ = -1;
  return text;
}

}  // namespace tuna::python
