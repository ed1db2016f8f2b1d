ALTER TABLE procurements DROP COLUMN single_tender_justification;
ALTER TABLE procurements DROP COLUMN approvals;
ALTER TABLE procurements DROP COLUMN light_touch;
ALTER TABLE procurements DROP COLUMN kpis_set;
ALTER TABLE procurements DROP COLUMN conflicts_assessed;
ALTER TABLE procurements DROP COLUMN notices;
ALTER TABLE procurements DROP COLUMN direct_award;
ALTER TABLE procurements DROP COLUMN act_procedure;
