-- One database per service (run once, when the postgres volume is first initialised).
CREATE DATABASE msp_ops;
CREATE DATABASE msp_agreements;
CREATE DATABASE msp_billing;
CREATE DATABASE msp_dunning;
CREATE DATABASE msp_provisioning;
CREATE DATABASE msp_assets;
-- The key vault: one key per person; erasing a person deletes their key (docs/privacy.md).
CREATE DATABASE msp_vault;
