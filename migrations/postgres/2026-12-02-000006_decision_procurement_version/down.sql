ALTER TABLE rule_decisions DROP COLUMN procurement_version;
