// Compiled only when CMake finds MPI (MMN_HAVE_MPI).
#include <mpi.h>

#include <cstdio>

#include "mmn/comm/communicator.h"
#include "mmn/util/error.h"

namespace mmn {
namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail("MPI {} failed: {}", what, std::string(text, static_cast<std::size_t>(length)));
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int* argc, char*** argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized == 0) check(MPI_Init(argc, argv), "MPI_Init");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized == 0) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void sum(float* data, std::size_t n) override { reduce_then_broadcast(data, n, MPI_FLOAT); }
  void sum(double* data, std::size_t n) override { reduce_then_broadcast(data, n, MPI_DOUBLE); }
  void sum(std::uint64_t* data, std::size_t n) override { reduce_then_broadcast(data, n, MPI_UINT64_T); }

  std::vector<std::string> all_gather(const std::string& bytes) override {
    std::vector<int> sizes(static_cast<std::size_t>(size_)), displs(sizes.size());
    const int mine = checked_int(bytes.size());
    check(MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    std::string all = receive_buffer(sizes, displs);
    check(MPI_Allgatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), displs.data(), MPI_BYTE,
                         MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return split(all, sizes, displs);
  }

  std::vector<std::string> gather(const std::string& bytes) override {
    std::vector<int> sizes(static_cast<std::size_t>(size_)), displs(sizes.size());
    const int mine = checked_int(bytes.size());
    check(MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
    std::string all = rank_ == 0 ? receive_buffer(sizes, displs) : std::string();
    check(MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), displs.data(), MPI_BYTE, 0,
                      MPI_COMM_WORLD),
          "MPI_Gatherv");
    if (rank_ != 0) return {};
    return split(all, sizes, displs);
  }

  void broadcast(std::string& bytes, int root) override {
    unsigned long long length = bytes.size();
    check(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD), "MPI_Bcast");
    bytes.resize(length);
    check(MPI_Bcast(bytes.data(), checked_int(length), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
  }

  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  [[noreturn]] void abort(int exit_code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  static int checked_int(std::size_t n) {
    if (n > static_cast<std::size_t>(INT32_MAX)) fail("an MPI message of {} bytes is over the 2 GiB limit", n);
    return static_cast<int>(n);
  }

  // Large arrays go in pieces under MPI's int count limit.
  template <typename T>
  void reduce_then_broadcast(T* data, std::size_t n, MPI_Datatype type) {
    constexpr std::size_t kPiece = std::size_t{1} << 26;
    for (std::size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(n - at < kPiece ? n - at : kPiece);
      void* send = rank_ == 0 ? MPI_IN_PLACE : static_cast<void*>(data + at);
      check(MPI_Reduce(send, data + at, count, type, MPI_SUM, 0, MPI_COMM_WORLD), "MPI_Reduce");
      check(MPI_Bcast(data + at, count, type, 0, MPI_COMM_WORLD), "MPI_Bcast");
    }
  }

  static std::string receive_buffer(const std::vector<int>& sizes, std::vector<int>& displs) {
    std::size_t total = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      displs[r] = checked_int(total);
      total += static_cast<std::size_t>(sizes[r]);
    }
    return std::string(total, '\0');
  }

  static std::vector<std::string> split(const std::string& all, const std::vector<int>& sizes,
                                        const std::vector<int>& displs) {
    std::vector<std::string> parts;
    for (std::size_t r = 0; r < sizes.size(); ++r)
      parts.push_back(all.substr(static_cast<std::size_t>(displs[r]), static_cast<std::size_t>(sizes[r])));
    return parts;
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv) {
  return std::make_unique<MpiCommunicator>(argc, argv);
}

}  // namespace mmn
