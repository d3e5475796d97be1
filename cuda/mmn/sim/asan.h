#pragma once
// MMN_SIM_ASAN is 1 in AddressSanitizer builds (g++ says so with __SANITIZE_ADDRESS__,
// clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define MMN_SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MMN_SIM_ASAN 1
#endif
#endif
#ifndef MMN_SIM_ASAN
#define MMN_SIM_ASAN 0
#endif
