// Scores every row of an mmn data set with a trained run, through mmn::Predictor, and
// writes "p_ctr,p_cvr" lines as `mmn predict` does.
//   predictor_example RUN_DIR DATASET OUT.csv
#include <cstdio>
#include <exception>
#include <vector>

#include <mmn/data/dataset.h>
#include <mmn/serve/predictor.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s RUN_DIR DATASET OUT.csv\n", argv[0]);
    return 2;
  }
  try {
    const mmn::Predictor predictor(argv[1]);
    const mmn::Dataset data = mmn::Dataset::open(argv[2]);
    std::FILE* out = std::fopen(argv[3], "w");
    if (out == nullptr) throw std::runtime_error(std::string(argv[3]) + ": cannot open for writing");
    std::fputs("p_ctr,p_cvr\n", out);
    std::vector<float> p_ctr, p_cvr;
    for (const auto& shard : data.shards()) {
      const mmn::ColumnView& rows = shard.columns();
      p_ctr.resize(rows.rows);
      p_cvr.resize(rows.rows);
      predictor.predict(rows, p_ctr.data(), p_cvr.data());
      for (std::size_t i = 0; i < rows.rows; ++i) std::fprintf(out, "%.9g,%.9g\n", p_ctr[i], p_cvr[i]);
    }
    std::fclose(out);
    std::printf("predictor_example: %llu rows scored with the model of step %llu\n",
                static_cast<unsigned long long>(data.rows()), static_cast<unsigned long long>(predictor.step()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "predictor_example: %s\n", e.what());
    return 1;
  }
  return 0;
}
