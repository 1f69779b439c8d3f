#pragma once
// Slack's Block Kit limits, in one place so that the builders and Validate() cannot disagree.
//
// Sources: docs.slack.dev / api.slack.com Block Kit reference pages (blocks, block elements,
// composition objects, view objects) and Slack's published JSON schema for blocks. Lengths are
// counted in Unicode code points of the UTF-8 text (see CountChars in truncate.hpp).

#include <cstddef>

namespace contexten::integrations::slack::blocks::limits {

// Surfaces.
inline constexpr std::size_t kMessageBlocks = 50;
inline constexpr std::size_t kModalBlocks = 100;
inline constexpr std::size_t kHomeBlocks = 100;
inline constexpr std::size_t kMessageText = 40000;  // top-level `text` (notification fallback)

// Identifiers.
inline constexpr std::size_t kBlockId = 255;
inline constexpr std::size_t kActionId = 255;
inline constexpr std::size_t kCallbackId = 255;
inline constexpr std::size_t kExternalId = 255;

// Blocks.
inline constexpr std::size_t kSectionText = 3000;
inline constexpr std::size_t kSectionFields = 10;
inline constexpr std::size_t kSectionFieldText = 2000;
inline constexpr std::size_t kHeaderText = 150;
inline constexpr std::size_t kContextElements = 10;
inline constexpr std::size_t kActionsElements = 25;
inline constexpr std::size_t kInputLabel = 2000;
inline constexpr std::size_t kInputHint = 2000;
inline constexpr std::size_t kImageUrl = 3000;
inline constexpr std::size_t kImageAltText = 2000;
inline constexpr std::size_t kImageTitle = 2000;

// Elements.
inline constexpr std::size_t kButtonText = 75;
inline constexpr std::size_t kButtonValue = 2000;
inline constexpr std::size_t kButtonUrl = 3000;
inline constexpr std::size_t kButtonAccessibilityLabel = 75;
inline constexpr std::size_t kPlaceholder = 150;
inline constexpr std::size_t kSelectOptions = 100;
inline constexpr std::size_t kSelectOptionGroups = 100;
inline constexpr std::size_t kOptionGroupLabel = 75;
inline constexpr std::size_t kOverflowMinOptions = 2;
inline constexpr std::size_t kOverflowMaxOptions = 5;
inline constexpr std::size_t kPlainTextInputLength = 3000;  // initial_value, min/max_length
inline constexpr std::size_t kCheckboxOptions = 10;
inline constexpr std::size_t kRadioButtonOptions = 10;

// Composition objects.
inline constexpr std::size_t kOptionText = 75;
inline constexpr std::size_t kOptionValue = 150;
inline constexpr std::size_t kOptionDescription = 75;
inline constexpr std::size_t kOptionUrl = 3000;
inline constexpr std::size_t kConfirmTitle = 100;
inline constexpr std::size_t kConfirmText = 300;
inline constexpr std::size_t kConfirmButton = 30;  // confirm and deny

// Views.
inline constexpr std::size_t kViewTitle = 24;  // title, submit, close
inline constexpr std::size_t kPrivateMetadata = 3000;

}  // namespace contexten::integrations::slack::blocks::limits
