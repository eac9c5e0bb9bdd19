// The MPI transport of cluster mode. With TUNA_HAVE_MPI the calls go to the MPI library (C API
// only); without it the session refuses to start and says how to get a tuna built with MPI.
// Nothing here runs before main(): MPI is initialised only by constructing an MpiSession, so
// child processes (`tuna __compile`, `tuna __bench-worker`) that inherit the launcher's
// environment never touch MPI.
#include "cluster/mpi_session.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "tuna/errors.hpp"

#ifdef TUNA_HAVE_MPI
// OpenMPI's and MPICH's mpi.h pull in the deprecated C++ bindings when compiled as C++, which
// would need libmpi_cxx; tuna uses only the C API.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <climits>
#include <mutex>
#include <thread>

#include "cluster/poll_backoff.hpp"
#endif

namespace tuna::cluster {
namespace {

// The world size one launcher variable announces; nullopt when it is unset or empty (a shell's
// way of clearing a variable).
std::optional<int> size_from_variable(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  std::string_view value(text);
  int size = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
  if (error != std::errc() || end != value.data() + value.size() || size < 1) {
    throw UserError(fmt::format(
        "{}='{}' is not a positive rank count; this variable is set by the MPI launcher "
        "(mpirun, srun), so unset it when tuna is not started by one",
        name, value));
  }
  return size;
}

}  // namespace

int launcher_world_size() {
  // OpenMPI's mpirun/mpiexec (ORTE in 4.x, PRRTE in 5.x) sets OMPI_COMM_WORLD_SIZE in every rank.
  if (auto size = size_from_variable("OMPI_COMM_WORLD_SIZE")) return *size;
  // PMI-1/PMI-2 launchers set PMI_SIZE: Slurm's srun with --mpi=pmi2, MPICH's and Intel MPI's
  // Hydra mpiexec.
  if (auto size = size_from_variable("PMI_SIZE")) return *size;
  // srun --mpi=pmix puts no size in the environment (PMIx hands it out through its server), but
  // it sets PMIX_RANK, and srun gives every task SLURM_STEP_NUM_TASKS. SLURM_STEP_NUM_TASKS alone
  // is not enough: a batch script run outside srun, or srun without an MPI plugin, would then
  // take itself for one rank of a job MPI cannot wire up.
  if (std::getenv("PMIX_RANK") != nullptr) {
    if (auto size = size_from_variable("SLURM_STEP_NUM_TASKS")) return *size;
  }
  return 1;
}

#ifdef TUNA_HAVE_MPI

namespace {

// One tag for every message: the protocol above tells messages apart by their JSON content, and
// one tag keeps MPI's per-sender ordering across all of them.
constexpr int kTag = 7411;

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return fmt::format("error {}", code);
  return std::string(text, static_cast<std::size_t>(length));
}

// MPI failures at run time are a rank or the network going away, not a bug in tuna and not a
// config's failure: they end the command with a message. `peer` is the other rank, -1 for any.
// The message is formatted only on failure: send and receive call this in their poll loops.
void check(int code, const char* call, int peer = -2) {
  if (code == MPI_SUCCESS) return;
  std::string where = peer == -2   ? std::string(call)
                      : peer == -1 ? fmt::format("{} (any rank)", call)
                                   : fmt::format("{} (rank {})", call, peer);
  throw UserError(fmt::format(
      "MPI: {} failed: {} (a rank may have died or lost its network; see the launcher's "
      "messages above)",
      where, mpi_error_text(code)));
}

const char* thread_level_name(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE:
      return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
      return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
      return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE:
      return "MPI_THREAD_MULTIPLE";
    default:
      return "an unknown level";
  }
}

}  // namespace

bool built_with_mpi() { return true; }

struct MpiSession::Impl {
  // MPI_THREAD_SERIALIZED: one MPI call at a time in this process, which this mutex enforces.
  // Timed so that abort() can go ahead even if a thread is stuck inside MPI.
  std::timed_mutex mutex;
  int rank = 0;
  int size = 1;
  std::string host;
};

MpiSession::MpiSession() : impl_(std::make_unique<Impl>()) {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  // MPI can be initialised once per process; a second session is a bug in the caller.
  TUNA_ASSERT(!initialized && !finalized, "MPI is initialised at most once per process");

  int provided = MPI_THREAD_SINGLE;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
    throw UserError(
        "MPI: MPI_Init_thread failed; start tuna's cluster mode with the launcher of the MPI "
        "tuna was built with (e.g. `mpirun -n 4 tuna tune ...`)");
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw UserError(fmt::format(
        "MPI: the MPI library gives only {} but tuna's cluster mode needs "
        "MPI_THREAD_SERIALIZED; use an MPI built with thread support (OpenMPI and MPICH are by "
        "default)",
        thread_level_name(provided)));
  }
  // Errors come back as codes so that they become messages instead of an anonymous abort.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &impl_->rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &impl_->size), "MPI_Comm_size");
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  check(MPI_Get_processor_name(name, &length), "MPI_Get_processor_name");
  impl_->host.assign(name, static_cast<std::size_t>(length));
}

MpiSession::~MpiSession() {
  std::lock_guard lock(impl_->mutex);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int MpiSession::rank() const { return impl_->rank; }
int MpiSession::size() const { return impl_->size; }
std::string MpiSession::host() const { return impl_->host; }

void MpiSession::send(int dest, const std::string& body) {
  TUNA_ASSERT(dest >= 0 && dest < impl_->size,
              fmt::format("send to rank {} in a world of {}", dest, impl_->size));
  if (body.size() > static_cast<std::size_t>(INT_MAX)) {
    throw UserError(
        fmt::format("MPI: a message of {} bytes to rank {} is larger than MPI's limit of {} bytes",
                    body.size(), dest, INT_MAX));
  }
  MPI_Request request = MPI_REQUEST_NULL;
  int done = 0;
  {
    std::lock_guard lock(impl_->mutex);
    // MPI only reads the buffer; the const_cast serves MPI implementations whose headers
    // predate MPI-3's const-correct signatures.
    check(MPI_Isend(const_cast<char*>(body.data()), static_cast<int>(body.size()), MPI_BYTE, dest,
                    kTag, MPI_COMM_WORLD, &request),
          "MPI_Isend", dest);
    // Small messages usually leave at once; test before the first sleep.
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test of a send", dest);
  }
  // A large message waits for the receiver to match it. Holding the mutex through that wait
  // would stop this rank's receives, and two ranks sending to each other would wait forever.
  PollBackoff backoff;
  while (!done) {
    std::this_thread::sleep_for(backoff.next());
    std::lock_guard lock(impl_->mutex);
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test of a send", dest);
  }
}

std::optional<Message> MpiSession::receive(int source, std::chrono::milliseconds timeout) {
  TUNA_ASSERT(source == -1 || (source >= 0 && source < impl_->size),
              fmt::format("receive from rank {} in a world of {}", source, impl_->size));
  const int from = source == -1 ? MPI_ANY_SOURCE : source;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  PollBackoff backoff;
  for (;;) {
    {
      std::lock_guard lock(impl_->mutex);
      int found = 0;
      MPI_Message handle = MPI_MESSAGE_NULL;
      MPI_Status status;
      // A matched probe takes the message out of the queue, so the receive below gets exactly
      // the message whose size was read, whatever other threads receive later.
      check(MPI_Improbe(from, kTag, MPI_COMM_WORLD, &found, &handle, &status), "MPI_Improbe",
            source);
      if (found) {
        int count = 0;
        check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
        Message message;
        message.source = status.MPI_SOURCE;
        message.body.resize(static_cast<std::size_t>(count));
        check(MPI_Mrecv(message.body.data(), count, MPI_BYTE, &handle, MPI_STATUS_IGNORE),
              "MPI_Mrecv", message.source);
        return message;
      }
    }
    // The mutex is released between polls, so that other threads' sends and receives make
    // progress; PollBackoff says how long to sleep.
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(backoff.next(), deadline - now));
  }
}

void MpiSession::abort(int exit_code) {
  // Another thread may be inside MPI; waiting a moment keeps to MPI_THREAD_SERIALIZED, but a
  // fatal error must end the job even if that thread never comes back.
  bool locked = impl_->mutex.try_lock_for(std::chrono::seconds(2));
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  // MPI_Abort does not return; should an implementation return anyway, the process still ends.
  if (locked) impl_->mutex.unlock();
  std::_Exit(exit_code);
}

#else  // !TUNA_HAVE_MPI

bool built_with_mpi() { return false; }

struct MpiSession::Impl {};

MpiSession::MpiSession() {
  throw UserError(
      "this tuna was built without MPI, so it cannot run as one rank of `mpirun -n K tuna tune "
      "...`: install OpenMPI (Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin, or run "
      "scripts/install-deps.sh), then reconfigure and rebuild tuna (CMake then prints "
      "'tuna: MPI on'); or run `tuna tune` without mpirun to tune on this machine alone");
}

// The constructor always throws, so no session exists for the members below to act on.
MpiSession::~MpiSession() = default;

int MpiSession::rank() const {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
  return 0;
}
int MpiSession::size() const {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
  return 1;
}
std::string MpiSession::host() const {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
  return {};
}
void MpiSession::send(int, const std::string&) {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
}
std::optional<Message> MpiSession::receive(int, std::chrono::milliseconds) {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
  return std::nullopt;
}
void MpiSession::abort(int exit_code) {
  TUNA_ASSERT(false, "MpiSession used in a tuna built without MPI");
  std::_Exit(exit_code);
}

#endif  // TUNA_HAVE_MPI

}  // namespace tuna::cluster
