# contexten_library(NAME folder DEPS ...): a static library of every .cpp under the folder.
# Globbing with CONFIGURE_DEPENDS keeps parallel work from fighting over source lists.
function(contexten_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cpp$")
  if(sources)
    add_library(contexten_${name} STATIC ${sources})
    target_include_directories(contexten_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(contexten_${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(contexten_${name} INTERFACE)
    target_include_directories(contexten_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(contexten_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(contexten::${name} ALIAS contexten_${name})
endfunction()

# Test binaries precompile the heavy headers every test includes (gtest, gmock, nlohmann/json):
# OFF, PER_TARGET (one PCH per binary) or SHARED (one PCH, reused by every binary).
set(CONTEXTEN_TEST_PCH "SHARED" CACHE STRING "Precompiled headers for test binaries")
set_property(CACHE CONTEXTEN_TEST_PCH PROPERTY STRINGS OFF PER_TARGET SHARED)
set(CONTEXTEN_TEST_PCH_HEADERS <gtest/gtest.h> <gmock/gmock.h> <nlohmann/json.hpp>)

# The definitions every test binary gets (and so the shared PCH must be built with).
function(contexten_test_definitions target)
  target_compile_definitions(${target} PRIVATE
    CONTEXTEN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CONTEXTEN_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    CONTEXTEN_BINARY_DIR="${PROJECT_BINARY_DIR}")
endfunction()

function(contexten_test_pch target)
  if(NOT CONTEXTEN_TEST_PCH STREQUAL "OFF" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 with a PCH reports -Warray-bounds and -Wstringop-overflow false positives in
    # std::string concatenation (char_traits.h memcpy "out of the bounds", "writing 60 bytes into
    # a region of size 16"), e.g. std::string(CONTEXTEN_SHARED_DIR) + "/..." in
    # tests/unit/integrations/slack/envelope_test.cpp, that the same TU without a PCH does not.
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow)
  endif()
  if(CONTEXTEN_TEST_PCH STREQUAL "PER_TARGET")
    target_precompile_headers(${target} PRIVATE ${CONTEXTEN_TEST_PCH_HEADERS})
  elseif(CONTEXTEN_TEST_PCH STREQUAL "SHARED")
    if(NOT TARGET contexten_test_pch)
      # A library of one empty source that exists to build the PCH once for all test binaries.
      set(source ${PROJECT_BINARY_DIR}/contexten_test_pch.cpp)
      if(NOT EXISTS ${source})
        file(WRITE ${source} "// Builds the shared test PCH (cmake/ContextenLibrary.cmake).\n")
      endif()
      add_library(contexten_test_pch STATIC ${source})
      target_link_libraries(contexten_test_pch PRIVATE GTest::gmock GTest::gtest
                            nlohmann_json::nlohmann_json)
      contexten_test_definitions(contexten_test_pch)
      target_precompile_headers(contexten_test_pch PRIVATE ${CONTEXTEN_TEST_PCH_HEADERS})
    endif()
    target_precompile_headers(${target} REUSE_FROM contexten_test_pch)
  endif()
endfunction()

# contexten_test(NAME folder LABEL label DEPS ...): one gtest binary per folder of tests.
function(contexten_test name)
  cmake_parse_arguments(ARG "" "LABEL" "DEPS" ${ARGN})
  # Non-recursive: a sub-folder of tests is its own binary, so work in one folder cannot break
  # the build of another's tests.
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp
       ${CMAKE_CURRENT_SOURCE_DIR}/*_support.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  contexten_test_definitions(${name})
  contexten_test_pch(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT 120
                       DISCOVERY_TIMEOUT 60)
endfunction()
