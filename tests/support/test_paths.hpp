#pragma once
// Where the checkout, ../shared and the build folder are, for tests that read fixtures or run
// the built executable. Force-included into every test translation unit
// (cmake/ContextenLibrary.cmake). The paths live in one generated source, not in -D values, so
// that a test file compiles to the same object in every clone and ccache can reuse it.

namespace contexten_test_paths {
const char* SourceDir();
const char* SharedDir();
const char* BinaryDir();
}  // namespace contexten_test_paths

#define CONTEXTEN_SOURCE_DIR (::contexten_test_paths::SourceDir())
#define CONTEXTEN_SHARED_DIR (::contexten_test_paths::SharedDir())
#define CONTEXTEN_BINARY_DIR (::contexten_test_paths::BinaryDir())
