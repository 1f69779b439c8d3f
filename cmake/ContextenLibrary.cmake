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
  target_compile_definitions(${name} PRIVATE
    CONTEXTEN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CONTEXTEN_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    CONTEXTEN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT 120
                       DISCOVERY_TIMEOUT 60)
endfunction()
