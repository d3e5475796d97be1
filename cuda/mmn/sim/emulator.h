#pragma once
// Everything a kernel header needs on the CPU emulator (through mmn/device/kernel_api.h).
#include "mmn/sim/atomics.h"
#include "mmn/sim/builtins.h"
#include "mmn/sim/kernel_error.h"
#include "mmn/sim/math_intrinsics.h"
#include "mmn/sim/runtime.h"
#include "mmn/sim/schedule.h"
#include "mmn/sim/sync_intrinsics.h"
