-- The procurement version each decision judged, so an award can require a compliant decision
-- about the procurement as it now stands. Null for decisions recorded before it was kept.
ALTER TABLE rule_decisions ADD COLUMN procurement_version BIGINT;
