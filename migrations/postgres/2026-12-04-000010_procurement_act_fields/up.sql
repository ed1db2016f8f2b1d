-- What the Procurement Act 2023 and the forces' documents ask of a procurement beyond its route:
-- the procedure in the Act's terms, a direct award's ground, the notices published, the
-- conflicts assessment, KPIs, light-touch contracts, approvals and a single tender action's
-- justification. Lists and records are JSON, as quotes are; every column has a default, so
-- procurements recorded before keep their meaning (no procedure recorded, nothing published).
ALTER TABLE procurements ADD COLUMN act_procedure TEXT;
ALTER TABLE procurements ADD COLUMN direct_award TEXT;
ALTER TABLE procurements ADD COLUMN notices TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procurements ADD COLUMN conflicts_assessed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE procurements ADD COLUMN kpis_set INTEGER NOT NULL DEFAULT 0;
ALTER TABLE procurements ADD COLUMN light_touch BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE procurements ADD COLUMN approvals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procurements ADD COLUMN single_tender_justification TEXT;
