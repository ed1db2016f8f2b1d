DROP TABLE rule_decisions;
DROP TABLE procurements;
DROP TABLE active_rule_plugins;
DROP TABLE rule_plugins;
