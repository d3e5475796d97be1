// Writes a one-row data set through the installed library and reads it back.
#include <cstdio>
#include <filesystem>

#include <mmn/data/dataset.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  mmn::Schema schema;
  schema.categorical = {{"f", 10}};
  mmn::ColumnBlock block(schema, 1);
  block.click[0] = 1;
  block.categorical[0][0] = 7;
  {
    mmn::DatasetWriter writer(argv[1], schema);
    writer.append(mmn::view_of(block));
    writer.commit({{"all"}, {"all"}, {}});
  }
  const auto data = mmn::Dataset::open(argv[1]);
  const bool ok = data.rows() == 1 && data.shards()[0].columns().categorical[0][0] == 7;
  std::puts(ok ? "consumer: ok" : "consumer: wrong data");
  return ok ? 0 : 1;
}
