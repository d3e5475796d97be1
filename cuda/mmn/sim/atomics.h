#pragma once
// CUDA atomics. The emulator switches threads only at sync points, so a plain
// read-modify-write is atomic here; each returns the old value, as in CUDA.
#include <cstring>

#define MMN_SIM_ATOMIC_ARITH(T)                                                  \
  inline T atomicAdd(T* address, T val) { T old = *address; *address = old + val; return old; }       \
  inline T atomicExch(T* address, T val) { T old = *address; *address = val; return old; }
#define MMN_SIM_ATOMIC_INTEGER(T)                                                \
  MMN_SIM_ATOMIC_ARITH(T)                                                        \
  inline T atomicMin(T* address, T val) { T old = *address; *address = val < old ? val : old; return old; } \
  inline T atomicMax(T* address, T val) { T old = *address; *address = val > old ? val : old; return old; } \
  inline T atomicAnd(T* address, T val) { T old = *address; *address = old & val; return old; }       \
  inline T atomicOr(T* address, T val) { T old = *address; *address = old | val; return old; }        \
  inline T atomicXor(T* address, T val) { T old = *address; *address = old ^ val; return old; }       \
  inline T atomicCAS(T* address, T compare, T val) {                             \
    T old = *address;                                                            \
    if (old == compare) *address = val;                                          \
    return old;                                                                  \
  }

MMN_SIM_ATOMIC_INTEGER(int)
MMN_SIM_ATOMIC_INTEGER(unsigned int)
MMN_SIM_ATOMIC_INTEGER(unsigned long long)
MMN_SIM_ATOMIC_ARITH(float)
inline int atomicSub(int* address, int val) { int old = *address; *address = old - val; return old; }
inline unsigned int atomicSub(unsigned int* address, unsigned int val) {
  unsigned int old = *address;
  *address = old - val;
  return old;
}
#undef MMN_SIM_ATOMIC_INTEGER
#undef MMN_SIM_ATOMIC_ARITH

inline double atomicAdd(double* address, double val) {
  double old = *address;
  *address = old + val;
  return old;
}
inline long long atomicMin(long long* address, long long val) {
  long long old = *address;
  *address = val < old ? val : old;
  return old;
}
inline long long atomicMax(long long* address, long long val) {
  long long old = *address;
  *address = val > old ? val : old;
  return old;
}
inline unsigned short atomicCAS(unsigned short* address, unsigned short compare, unsigned short val) {
  unsigned short old = *address;
  if (old == compare) *address = val;
  return old;
}
// ((old >= val) ? 0 : (old + 1)) and (((old == 0) || (old > val)) ? val : (old - 1)), as CUDA defines them.
inline unsigned int atomicInc(unsigned int* address, unsigned int val) {
  unsigned int old = *address;
  *address = old >= val ? 0u : old + 1u;
  return old;
}
inline unsigned int atomicDec(unsigned int* address, unsigned int val) {
  unsigned int old = *address;
  *address = (old == 0u || old > val) ? val : old - 1u;
  return old;
}
