# GitHub webhooks: every @octokit/webhooks-examples payload through the real ingress.
contexten_contract_test(contract_github_webhooks github_webhooks.test.mjs TARGET webhook_server_tool)
