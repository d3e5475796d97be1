#include "mmn/comm/communicator.h"

#include <cstdlib>

#include "mmn/util/error.h"

namespace mmn {

#if defined(MMN_HAVE_MPI)
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv);
#endif

namespace {

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(float*, std::size_t) override {}
  void sum(double*, std::size_t) override {}
  void sum(std::uint64_t*, std::size_t) override {}
  std::vector<std::string> all_gather(const std::string& bytes) override { return {bytes}; }
  std::vector<std::string> gather(const std::string& bytes) override { return {bytes}; }
  void broadcast(std::string&, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(int exit_code) override { std::exit(exit_code); }
};

[[maybe_unused]] int launcher_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return std::atoi(value);
  }
  return 0;
}

}  // namespace

std::unique_ptr<Communicator> make_local_communicator() { return std::make_unique<LocalCommunicator>(); }

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

int local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return std::atoi(value);
  }
  return 0;
}

std::unique_ptr<Communicator> make_communicator(int* argc, char*** argv) {
#if defined(MMN_HAVE_MPI)
  if (launched_by_mpi()) return make_mpi_communicator(argc, argv);
#else
  (void)argc;
  (void)argv;
  if (launched_by_mpi() && launcher_world_size() > 1)
    fail("started as one of {} processes by an MPI launcher, but this mmn was built without MPI; rebuild with "
         "libopenmpi-dev installed (scripts/setup.sh installs it)",
         launcher_world_size());
#endif
  return make_local_communicator();
}

}  // namespace mmn
