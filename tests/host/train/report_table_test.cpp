// The plain-text report table.
#include "mmn/train/report_table.h"

#include <gtest/gtest.h>

#include "host/train/eval_report_fixture.h"

namespace mmn {
namespace {

using testing::kNaN;
using testing::oracle;
using testing::report;

TEST(ReportTable, ColumnsPerRunAndOracleWithGaps) {
  EvalReport mmn = report(0.05);
  mmn.oracle = oracle();
  EvalReport shared = report(0.0);
  shared.oracle = oracle();
  shared.ctcvr_auc = kNaN;
  const std::string table = format_eval_table("test set", {{"mmn", mmn}, {"shared", shared}});
  EXPECT_EQ(table,
            "test set\n"
            "metric                                          mmn   shared   oracle\n"
            "---------------------------------------------------------------------\n"
            "CTR AUC                                      0.7500   0.7000   0.8000\n"
            "CVR AUC (clicked)                            0.7000   0.6500   0.7500\n"
            "CTCVR AUC                                    0.7300        -   0.7900\n"
            "mean per-domain CVR AUC                      0.6500   0.6000   0.8000\n"
            "traffic-weighted per-domain CVR AUC          0.6700   0.6200        -\n"
            "domains scored                                  2/4      2/4      3/4\n"
            "CTR logloss                                 0.45000  0.45000  0.40000\n"
            "CVR logloss                                 0.26000  0.31000  0.25000\n"
            "gap to oracle, mean per-domain CVR AUC      +0.1500  +0.2000\n"
            "gap to oracle, weighted per-domain CVR AUC        -        -\n");
}

TEST(ReportTable, NoOracleColumnWithoutOracleFigures) {
  const std::string table = format_eval_table("heldout", {{"mmn-sum", report(0.01)}});
  EXPECT_EQ(table.find("oracle"), std::string::npos) << table;
  EXPECT_NE(table.find("mmn-sum"), std::string::npos) << table;
  EXPECT_NE(table.find("CTR AUC                               0.7100\n"), std::string::npos) << table;
  EXPECT_NE(table.find("mean per-domain CVR AUC               0.6100\n"), std::string::npos) << table;
}

}  // namespace
}  // namespace mmn
