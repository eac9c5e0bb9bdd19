#pragma once
// The MPI transport of cluster mode (`mpirun -n K tuna tune ...`, docs/scale.md). Only this file
// and mpi_session.cpp include <mpi.h>; tuna is built with MPI when CMake finds it (Debian:
// libopenmpi-dev), and without it every function here still exists and explains what is missing.
//
// Messages are JSON text. Every send and receive is safe from several threads at once: MPI is
// initialised with MPI_THREAD_SERIALIZED and each call holds one mutex, and a send never holds it
// while waiting for the receiver (MPI_Isend, then MPI_Test with the lock released), so two
// ranks sending to each other at once cannot deadlock.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace tuna::cluster {

// The rank count the launcher announced in the environment (OMPI_COMM_WORLD_SIZE, PMIX or PMI
// variables), 1 when this process was not started by mpirun/srun. Does not initialise MPI.
int launcher_world_size();
// Whether this binary was built with MPI support.
bool built_with_mpi();

struct Message {
  int source = -1;
  std::string body;
};

class MpiSession {
 public:
  // Initialises MPI. Throws UserError when this tuna was built without MPI (saying how to build
  // it with MPI) or when the MPI library cannot give MPI_THREAD_SERIALIZED.
  MpiSession();
  // Finalises MPI.
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const;
  int size() const;
  // This host's name as MPI reports it (MPI_Get_processor_name).
  std::string host() const;

  // Sends `body` to rank `dest`; returns once the buffer is no longer needed.
  void send(int dest, const std::string& body);
  // The next message from `source` (any rank when -1), or nullopt when none arrives within
  // `timeout`. Messages from one sender arrive in the order they were sent.
  std::optional<Message> receive(int source, std::chrono::milliseconds timeout);
  // Ends every rank of the job at once (MPI_Abort): for a fatal error on one rank that the
  // others cannot learn about otherwise.
  [[noreturn]] void abort(int exit_code);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuna::cluster
