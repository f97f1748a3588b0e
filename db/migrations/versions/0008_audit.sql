-- Functions and triggers of revision 0008. Frozen with the migration: later
-- changes go into a new revision.

-- The audit log is append-only, like complaint_event (pantau_event_immutable):
-- nothing rewrites or removes what staff did. One change is let through:
-- deleting a staff account clears actor_user_id on its rows (the foreign key's
-- ON DELETE SET NULL), so an account with a history can still be removed. It
-- passes only when nothing else in the row changes and the account is gone.
CREATE FUNCTION pantau_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.actor_user_id IS NOT NULL AND NEW.actor_user_id IS NULL
     AND to_jsonb(NEW) - 'actor_user_id' = to_jsonb(OLD) - 'actor_user_id'
     AND NOT EXISTS (SELECT 1 FROM app_user WHERE id = OLD.actor_user_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION pantau_audit_immutable();

CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION pantau_audit_immutable();
