// Generated from integrations/linear/graphql/*.graphql (kept identical by
// linear_graphql_documents_test). Edit the .graphql file, then copy its text here.
#include "integrations/linear/graphql_documents.hpp"

#include <cstdlib>

namespace contexten::integrations::linear {

const std::vector<GraphqlDocument>& AllDocuments() {
  static const std::vector<GraphqlDocument> kDocuments = {
      {"AttachmentLinkGitHubPR",
       R"graphql(# Links a URL to an issue (UUID or identifier). Linking the same URL again returns the
# existing attachment, so retries are safe.
mutation AttachmentLinkGitHubPR($issueId: String!, $url: String!, $title: String, $id: String) {
  attachmentLinkGitHubPR(issueId: $issueId, url: $url, title: $title, id: $id) {
    success
    attachment {
      id
      title
      subtitle
      url
      issue {
        id
        identifier
      }
    }
  }
}
)graphql"},
      {"AttachmentLinkURL",
       R"graphql(# Links a URL to an issue (UUID or identifier). Linking the same URL again returns the
# existing attachment, so retries are safe.
mutation AttachmentLinkURL($issueId: String!, $url: String!, $title: String, $id: String) {
  attachmentLinkURL(issueId: $issueId, url: $url, title: $title, id: $id) {
    success
    attachment {
      id
      title
      subtitle
      url
      issue {
        id
        identifier
      }
    }
  }
}
)graphql"},
      {"CommentCreate",
       R"graphql(# Comments on an issue. input.id carries a client-generated UUID (idempotent retries).
mutation CommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) {
    success
    comment {
      id
      body
      url
      createdAt
      user {
        id
        name
      }
      issue {
        id
        identifier
      }
    }
  }
}
)graphql"},
      {"IssueByBranch", R"graphql(# The issue a VCS branch name belongs to, or null.
query IssueByBranch($branchName: String!) {
  issueVcsBranchSearch(branchName: $branchName) {
    ...IssueFields
  }
}

fragment IssueFields on Issue {
  id
  identifier
  number
  title
  description
  url
  branchName
  priority
  createdAt
  updatedAt
  state {
    id
    name
    type
  }
  team {
    id
    key
    name
  }
  assignee {
    id
    name
    displayName
    email
  }
  labels {
    nodes {
      id
      name
      color
    }
  }
}
)graphql"},
      {"IssueByIdentifier",
       R"graphql(# issue(id:) accepts a UUID or an identifier such as "ENG-123".
query IssueByIdentifier($id: String!) {
  issue(id: $id) {
    ...IssueFields
  }
}

fragment IssueFields on Issue {
  id
  identifier
  number
  title
  description
  url
  branchName
  priority
  createdAt
  updatedAt
  state {
    id
    name
    type
  }
  team {
    id
    key
    name
  }
  assignee {
    id
    name
    displayName
    email
  }
  labels {
    nodes {
      id
      name
      color
    }
  }
}
)graphql"},
      {"IssueCreate",
       R"graphql(# Creates an issue. input.id carries a client-generated UUID so a retried create cannot
# make a second issue.
mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    issue {
      ...IssueFields
    }
  }
}

fragment IssueFields on Issue {
  id
  identifier
  number
  title
  description
  url
  branchName
  priority
  createdAt
  updatedAt
  state {
    id
    name
    type
  }
  team {
    id
    key
    name
  }
  assignee {
    id
    name
    displayName
    email
  }
  labels {
    nodes {
      id
      name
      color
    }
  }
}
)graphql"},
      {"IssueSearch",
       R"graphql(# Filtered issue listing; the client builds the IssueFilter (team, state, assignee, labels,
# text) as a variable.
query IssueSearch($filter: IssueFilter, $first: Int, $after: String) {
  issues(filter: $filter, first: $first, after: $after) {
    nodes {
      ...IssueFields
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}

fragment IssueFields on Issue {
  id
  identifier
  number
  title
  description
  url
  branchName
  priority
  createdAt
  updatedAt
  state {
    id
    name
    type
  }
  team {
    id
    key
    name
  }
  assignee {
    id
    name
    displayName
    email
  }
  labels {
    nodes {
      id
      name
      color
    }
  }
}
)graphql"},
      {"IssueUpdate", R"graphql(# Updates an issue by UUID or identifier ("ENG-123").
mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) {
    success
    issue {
      ...IssueFields
    }
  }
}

fragment IssueFields on Issue {
  id
  identifier
  number
  title
  description
  url
  branchName
  priority
  createdAt
  updatedAt
  state {
    id
    name
    type
  }
  team {
    id
    key
    name
  }
  assignee {
    id
    name
    displayName
    email
  }
  labels {
    nodes {
      id
      name
      color
    }
  }
}
)graphql"},
      {"Labels", R"graphql(query Labels($first: Int, $after: String) {
  issueLabels(first: $first, after: $after) {
    nodes {
      id
      name
      color
      team {
        id
        key
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
)graphql"},
      {"Teams", R"graphql(query Teams($first: Int, $after: String) {
  teams(first: $first, after: $after) {
    nodes {
      id
      key
      name
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
)graphql"},
      {"Users", R"graphql(query Users($first: Int, $after: String) {
  users(first: $first, after: $after) {
    nodes {
      id
      name
      displayName
      email
      active
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
)graphql"},
      {"WorkflowStates", R"graphql(# Workflow states of one team, by team key ("ENG").
query WorkflowStates($teamKey: String!, $first: Int, $after: String) {
  workflowStates(filter: { team: { key: { eq: $teamKey } } }, first: $first, after: $after) {
    nodes {
      id
      name
      type
      position
      color
      team {
        id
        key
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
)graphql"},
  };
  return kDocuments;
}

const std::string& Document(std::string_view name) {
  for (const auto& document : AllDocuments()) {
    if (document.name == name) return document.text;
  }
  std::abort();
}

}  // namespace contexten::integrations::linear
