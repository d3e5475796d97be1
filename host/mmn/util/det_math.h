#pragma once
// Elementary functions computed the same on every compiler and C library: built only from
// IEEE + - * / and exact scaling by powers of two (the std:: versions may differ in the last
// bit between libm implementations, which would change the bytes a seed produces). Compiled
// with -ffp-contract=off.
namespace mmn {

double exp_det(double x);              // e^x; saturates to 0 below -745 and to +inf above 709
double log_det(double x);              // natural log for x > 0 (finite); -inf for 0, NaN below
double pow_det(double x, double y);    // x^y for x > 0
double sigmoid_det(double x);          // 1 / (1 + e^-x), stable for large |x|
double logit_det(double p);            // log(p / (1 - p)) for p in (0, 1)

}  // namespace mmn
