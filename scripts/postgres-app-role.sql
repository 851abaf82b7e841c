-- The role fundapp runs as in production: everything the application does, and no UPDATE, DELETE or TRUNCATE
-- on the tables that are the fund's record (the ledger, deposits, the audit log and its checkpoints, state
-- events, frozen statements), nor DELETE or TRUNCATE on votes and decisions. The triggers refuse those
-- statements too; without the rights, even a compromised application server cannot issue them.
--
-- Run it as the owner of the schema (the role that runs `flask db upgrade`), after every upgrade:
--   psql "$OWNER_DATABASE_URL" -v app_role=fundapp_app -f scripts/postgres-app-role.sql
-- and give the application DATABASE_URL=postgresql://fundapp_app:…@host/fundapp.

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries, deposits, audit_log, audit_checkpoints, state_events,
  frozen_statements FROM :"app_role";
REVOKE DELETE, TRUNCATE ON committee_votes, committee_agenda_items FROM :"app_role";
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM :"app_role";
