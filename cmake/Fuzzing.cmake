# -DCONTEXTEN_FUZZ=ON (clang only): every library is compiled for libFuzzer (coverage
# instrumentation without libFuzzer's main) with AddressSanitizer and UndefinedBehaviorSanitizer,
# and fuzz/ adds one libFuzzer executable per target. scripts/fuzz.sh drives the build and runs.
option(CONTEXTEN_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)
if(CONTEXTEN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CONTEXTEN_FUZZ needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-14); "
                        "the compiler is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  set(CONTEXTEN_FUZZ_SANITIZERS "address,undefined" CACHE STRING "Sanitizers for fuzz builds")
  add_compile_options(-fsanitize=fuzzer-no-link,${CONTEXTEN_FUZZ_SANITIZERS}
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${CONTEXTEN_FUZZ_SANITIZERS})
endif()
