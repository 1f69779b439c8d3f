# Cron: the schedule parser's next fire times against cron-parser (issue 12, acceptance 2).
contexten_contract_test(contract_cron cron.test.mjs TARGET cron_next_tool)
