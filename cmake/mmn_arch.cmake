# MMN_NATIVE (default ON): compile host code for the building machine's CPU
# (-march=native), so composition, folding and optimizer loops use its vector units.
# Turn it off for binaries that must run on other x86-64 machines.
option(MMN_NATIVE "Compile host code with -march=native" ON)
if(MMN_NATIVE)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-march=native MMN_HAVE_MARCH_NATIVE)
  if(MMN_HAVE_MARCH_NATIVE)
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
endif()

# No product code reads errno after a math call; without this flag GCC will not
# vectorise loops that take a square root (the optimizers).
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fno-math-errno>)
