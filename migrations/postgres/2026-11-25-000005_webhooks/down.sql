DROP TABLE webhook_notices;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
